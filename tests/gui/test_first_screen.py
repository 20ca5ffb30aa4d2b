"""A switch of script shows the paragraphs that fill the first screen at once and adds the
rest of the text a moment later, or the moment the reader needs it: what is seen must be
exactly what the whole script looks like, and the whole document, once there, exactly
what building it in one go gives (text, paragraph formats, highlights, offsets)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QTextCursor, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTextEdit

from rubric.importing.model import Paragraph, ScriptDraft
from rubric.store import MarkingSet
from rubric.store.library import new_set
from rubric.templates import default_scheme
from tests.gui.windows import open_window

WORDS = ("the Tsar’s army stayed loyal — mostly — while the zemstvos, the soviets and the "
         "peasants’ “black repartition” pressed from below; Witte’s loans and the October "
         "Manifesto bought time, and Stolypin’s necktie did the rest").split()


def _paragraphs(seed: int) -> list[Paragraph]:
    """About 4,000 words: headings, quotations, a footnote, and an emoji (two UTF-16
    units in Qt) early on, so that offsets past it differ between Python and Qt."""
    rng = random.Random(seed)

    def sentence(words: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(words)) + "."

    paragraphs = [Paragraph("Introduction", "heading"),
                  Paragraph("A first thought 🙂 " + sentence(70))]
    for number in range(40):
        if number % 9 == 4:
            paragraphs.append(Paragraph(f"Part {number // 9 + 1}", "heading"))
        kind = "quote" if number % 7 == 2 else "body"
        paragraphs.append(Paragraph(sentence(rng.randrange(20, 160)), kind))
    paragraphs.append(Paragraph("¹ A note on the sources.", "footnote"))
    return paragraphs


@pytest.fixture
def long_set() -> Path:
    """Three long scripts, each with annotations all through it (some across the end of
    a paragraph, some overlapping), the first marked."""
    path = new_set("First screen", default_scheme())
    with MarkingSet.open(path) as ms, ms.atomic():
        for n in range(3):
            paragraphs = _paragraphs(n)
            draft = ScriptDraft(path=Path(f"{6100 + n}_Pupil_{n}.docx"), format="docx",
                                paragraphs=paragraphs, title="‘…’ Assess the validity.",
                                candidate_name=f"Pupil {n}", candidate_number=str(6100 + n),
                                word_count=4000, coursework_word_count=4000,
                                source_bytes=f"first screen {n}".encode())
            script_id = ms.add_script(draft).created
            length = len(ms.script(script_id).text)
            rng = random.Random(100 + n)
            for a in range(30):
                start = rng.randrange(0, length - 400)
                ms.add_annotation(script_id, start, start + rng.randrange(5, 400),
                                  f"note {a}", "AO1")
        ms.set_mark(ms.script_ids()[0], "AO1", 18)
    return path


@pytest.fixture
def window(qtbot, long_set):
    return open_window(qtbot, long_set, ask_marker=False)


def _shown(view) -> QTextEdit:
    """The document as it is now (``document()`` would add the rest first)."""
    return QTextEdit.document(view)


def _whole(view) -> bool:
    return _shown(view).toPlainText().endswith(view.script().paragraphs[-1].text)


def _fresh_switch(window, index: int):
    """Show script ``index`` of the list, as a click on its row does, and paint once."""
    ids = window.script_model.script_ids()
    window.select_script(ids[index])
    QApplication.processEvents()
    return window.script_view


def _viewport(view) -> QImage:
    return view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def test_a_switch_shows_the_first_screen_at_once_and_the_rest_a_moment_later(window, qtbot):
    view = _fresh_switch(window, 1)
    document = _shown(view)
    full = view.script().text
    assert not _whole(view)
    assert document.characterCount() < len(full) / 3   # a screen's worth, not the script
    # but enough to fill the screen
    layout = document.documentLayout()
    assert layout.blockBoundingRect(document.lastBlock()).bottom() >= view.viewport().height()
    first_screen = _viewport(view)
    qtbot.waitUntil(lambda: _whole(view), timeout=2000)
    assert _viewport(view) == first_screen   # nothing in sight moved or changed
    assert view.verticalScrollBar().maximum() > 5 * view.viewport().height()


def test_the_whole_document_is_the_same_as_one_built_at_once(window, monkeypatch):
    """Wherever the first screen stops (inside a paragraph, at a heading, past the
    emoji), the finished document has the same blocks, paragraph formats and character
    formats (highlights and their tooltips) as one built whole."""
    view = _fresh_switch(window, 0)
    script = view.script()
    annotations = list(view._annotations)
    monkeypatch.setattr(view, "_first_screen", lambda: len(script.text))
    view.show_script(script, annotations)
    reference = _contents(_shown(view))
    assert _whole(view)
    starts = script.paragraph_starts()
    heading_end = starts[next(i for i, p in enumerate(script.paragraphs)
                              if p.kind == "heading" and i > 2)] - 1
    for stop in (5, 40, starts[2] + 17, heading_end, starts[6] - 1, starts[7] + 3):
        monkeypatch.setattr(view, "_first_screen", lambda stop=stop: view._break_after(stop))
        view.show_script(script, annotations)
        assert not _whole(view), stop
        view.load_rest()
        built = _contents(_shown(view))
        assert built[0] == reference[0]
        assert built[1] == reference[1], stop
        for position, (ours, theirs) in enumerate(zip(built[2], reference[2], strict=True)):
            assert ours == theirs, (stop, position)


def _contents(document) -> tuple[str, list, list]:
    """A document's text, each block's format and each character's format."""
    formats, block = [], document.begin()
    while block.isValid():
        formats.append(block.blockFormat())
        block = block.next()
    cursor = QTextCursor(document)
    characters = []
    for position in range(1, document.characterCount()):
        cursor.setPosition(position)
        characters.append(cursor.charFormat())
    return document.toPlainText(), formats, characters


def test_the_rest_comes_at_once_when_the_reader_goes_on(window, qtbot):
    """A key, the mouse wheel, the scroll bar, a click or a resize: the whole script is
    there before the view acts on it."""
    view = _fresh_switch(window, 1)
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert _whole(view)
    assert view.textCursor().atEnd()
    assert view.verticalScrollBar().value() > 0.9 * view.verticalScrollBar().maximum() > 0

    view = _fresh_switch(window, 2)
    wheel = QWheelEvent(QPointF(50, 50), QPointF(view.viewport().mapToGlobal(QPoint(50, 50))),
                        QPoint(0, 0), QPoint(0, -120 * 40), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert _whole(view)

    view = _fresh_switch(window, 0)
    view.verticalScrollBar().triggerAction(view.verticalScrollBar().SliderAction.SliderToMaximum)
    assert _whole(view)

    view = _fresh_switch(window, 1)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(200, 200))
    assert _whole(view)

    view = _fresh_switch(window, 2)
    assert view.toPlainText().endswith(view.script().paragraphs[-1].text)


def test_an_annotation_below_the_first_screen_is_found_and_shown(window):
    """Choosing an annotation far down the script (from the list) scrolls to its passage
    and emphasises exactly it, though that text was not yet in the document."""
    view = _fresh_switch(window, 1)
    last = max(view._annotations, key=lambda a: a.start)
    assert not _whole(view)
    view.highlight(last.id)
    assert _whole(view)
    selections = view.extraSelections()
    selection = selections[0].cursor
    assert (view.to_text(selection.selectionStart()), view.to_text(selection.selectionEnd())) \
        == (last.start, last.end)
    assert view.verticalScrollBar().value() > 0
    QApplication.processEvents()
    assert view.selected_span() is None or view.selected_span()[1] <= len(view.script().text)


def test_flicking_through_scripts_ends_with_the_last_one_whole(window, qtbot):
    """Switches quicker than the rest comes: each builds only its first screen, and what
    is left at the end is the last script, whole, nothing of the others in it."""
    for index in (1, 2, 0, 1, 2):
        view = _fresh_switch(window, index)
        assert not _whole(view)
    qtbot.waitUntil(lambda: _whole(view), timeout=2000)
    assert _shown(view).toPlainText().endswith(view.script().text)
    assert _shown(view).toPlainText().count("Introduction") == 1


def test_a_short_script_is_whole_at_once(qtbot):
    path = new_set("Short", default_scheme())
    with MarkingSet.open(path) as ms:
        ms.add_script(ScriptDraft(path=Path("1_Short.docx"), format="docx",
                                  paragraphs=[Paragraph("One short paragraph.")],
                                  candidate_name="A Short", candidate_number="1",
                                  word_count=3, coursework_word_count=3,
                                  source_bytes=b"short"))
    window = open_window(qtbot, path, ask_marker=False)
    view = window.script_view
    assert _whole(view)
    assert not view._rest_timer.isActive()



def test_each_paragraph_s_number_is_drawn_beside_its_first_line(window):
    """In the margin: ink beside the first line of each paragraph in sight (a heading's
    lower, under its top margin), none beside the lines after it."""
    view = _fresh_switch(window, 1)
    image = _viewport(view)
    document = _shown(view)
    layout = document.documentLayout()
    left = document.rootFrame().frameFormat().leftMargin()
    background = image.pixelColor(5, 5).lightness()

    def ink(top: float, bottom: float) -> bool:
        return any(image.pixelColor(x, y).lightness() < background - 60
                   for x in range(int(left) - 46, int(left) - 12)
                   for y in range(max(int(top), 0), min(int(bottom), image.height())))

    block = document.findBlockByNumber(view._first_block)
    checked = 0
    while block.isValid() and checked < 6:
        rect = layout.blockBoundingRect(block)
        if rect.bottom() > image.height():
            break
        lines = block.layout()
        first = lines.lineAt(0)
        top = rect.top() + block.blockFormat().topMargin()
        assert ink(top + 2, top + first.height() - 2), block.text()[:30]
        if lines.lineCount() > 2:
            second = lines.lineAt(1)
            assert not ink(top + second.y() + 2, top + second.y() + second.height() - 2)
        checked += 1
        block = block.next()
    assert checked >= 2


def test_the_formats_follow_a_new_palette_and_font_size(window):
    """The title's and paragraphs' formats are made once per palette and font size: a
    new palette (dark mode) or size shows in the next script shown."""
    from PySide6.QtGui import QColor, QPalette

    view = _fresh_switch(window, 1)

    def meta_colour() -> QColor:
        cursor = QTextCursor(_shown(view).findBlockByNumber(1))
        cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
        return cursor.charFormat().foreground().color()

    palette = view.palette()
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#2e7d32"))
    view.setPalette(palette)
    view = _fresh_switch(window, 2)
    assert meta_colour() == QColor("#2e7d32")
    size = view.font_size()
    view.set_font_size(size + 4)
    cursor = QTextCursor(_shown(view).findBlockByNumber(0))
    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
    assert cursor.charFormat().fontPointSize() == size + 4 + 3
