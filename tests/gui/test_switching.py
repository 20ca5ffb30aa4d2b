"""Switching to another script: every panel in sight shows the new script's data when the
switch returns and the window has painted once (the annotation list in the same frame as
the text, no second layout), and what the panels keep to make switching quick (the
session's reads, the script list's cells, the annotation entries' sizes and pictures,
the level cards' pictures, the bank's context while out of sight) never shows stale data.
(Counts and contents, not timings: speed is measured in tests/benchmarks/bench_gui.py.)"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPalette, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QWidget,
)

from gui.main_window import MainWindow
from gui.panels.labels import LineLabel, SteadyLabel, WrappedLabel
from gui.panels.lists import AnnotationEntryDelegate
from gui.panels.rubric import panel_style
from rubric.importing.model import Paragraph, ScriptDraft
from rubric.store import Annotation, MarkingSet
from rubric.store.library import new_set
from rubric.templates import default_scheme
from tests.gui.windows import open_window

ANNOTATIONS = 30   # enough that the list scrolls


def _draft(n: int) -> ScriptDraft:
    rng = random.Random(n)
    words = "the regime survived because the army stayed loyal while reform lagged".split()
    paragraphs = [Paragraph(f"Section {n}", "heading")] + [
        Paragraph(" ".join(rng.choice(words) for _ in range(60)) + ".") for _ in range(12)]
    return ScriptDraft(path=Path(f"{8000 + n}_Pupil_{n}.docx"), format="docx",
                       paragraphs=paragraphs, title="‘…’ Assess the validity of this view.",
                       candidate_name=f"Pupil {n}", candidate_number=str(8000 + n),
                       word_count=720, coursework_word_count=720,
                       source_bytes=f"switching {n}".encode())


@pytest.fixture
def switching_set() -> Path:
    """Four scripts: unmarked, Level 1 with a WWW comment, Level 4, Level 1 again; each
    with its own annotations (a different number each, long comments on some)."""
    path = new_set("Switching", default_scheme())
    with MarkingSet.open(path) as ms, ms.atomic():
        for n in range(4):
            script_id = ms.add_script(_draft(n)).created
            length = len(ms.script(script_id).text)
            for a in range(ANNOTATIONS - 5 * n):
                start = (a * length) // ANNOTATIONS + 3
                comment = f"script {n} note {a}" + (" — a long comment that wraps" * (a % 3))
                ms.add_annotation(script_id, start, start + 20, comment, "AO1")
            if n in (1, 3):
                ms.set_mark(script_id, "AO1", 3 + n)
            if n == 2:
                ms.set_mark(script_id, "AO1", 18)
            if n == 1:
                ms.set_comments(script_id, www=f"Clear judgement in script {n}.")
    return path


@pytest.fixture
def window(qtbot, switching_set) -> MainWindow:
    return open_window(qtbot, switching_set, ask_marker=False)


def _shown_entries(window) -> list[str]:
    model = window.annotation_panel.model
    return [model.data(model.index(row)) for row in range(model.rowCount())]


def _expected_entries(window, script_id) -> list[str]:
    ms = window.marking_set
    return [f"[AO1] {a.comment}" for a in ms.annotations(script_id, ms.current_marker.id)]


def _assert_shows(window, script_id) -> None:
    """Every panel in sight shows ``script_id``'s data."""
    ms = window.marking_set
    script = ms.script(script_id)
    panel = window.rubric_panel
    assert window.current_script.id == script_id
    assert window.script_view.script().id == script_id
    assert script.title in window.script_view.toPlainText()
    shown = _shown_entries(window)
    assert [entry.split("\n")[0] for entry in shown] == _expected_entries(window, script_id)
    marks = ms.marks_for(script_id)
    mark = marks.get("AO1")
    section = panel.sections["AO1"]
    chosen = section.chosen_card()
    assert (chosen.level.label if chosen else None) == (mark.level if mark else None)
    if mark is not None:
        assert section.spin.value() == mark.mark
        assert str(mark.mark) in panel.total_label.text()
        assert mark.level in section.position_label.text()
    else:
        assert section.position_label.text() == "choose a level"
        assert "–" in panel.total_label.text()
    comments = ms.comments(script_id)
    assert panel.comment_edits["www"].toPlainText() == comments.www
    assert panel.comment_edits["ebi"].toPlainText() == comments.ebi
    row = window.script_model.row_of(script_id)
    assert window.position_label.text() == f"{row + 1} of {window.script_model.rowCount()}"
    current = window.list_panel.table.currentIndex()
    assert window.filter_model.mapToSource(current).row() == row


def _count_events(watched: QObject, kinds: set[QEvent.Type]):
    class Counter(QObject):
        def __init__(self, parent):
            super().__init__(parent)
            self.count = 0

        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() in kinds:
                self.count += 1
            return False

    counter = Counter(watched)
    watched.installEventFilter(counter)
    return counter


def test_after_a_switch_every_panel_shows_the_new_script(window):
    ids = window.script_model.script_ids()
    for script_id in [*ids, ids[1], ids[0], ids[2], ids[3], ids[1]]:   # and back again
        window.select_script(script_id)
        QApplication.processEvents()
        _assert_shows(window, script_id)


def test_a_switch_leaves_only_the_shown_script_in_memory(window, qtbot):
    """QTextEdit keeps a document it was given: the view deletes the one it replaces (each
    was a whole laid-out script, and 200 switches kept 230 MB), a moment after the switch
    (with the rest of the new script's text)."""
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QTextEdit

    ids = window.script_model.script_ids()
    view = window.script_view
    for n in range(24):
        window.select_script(ids[n % len(ids)])
        QApplication.processEvents()
        assert len(view.findChildren(QTextDocument)) <= 2   # the one shown, the one left
    qtbot.waitUntil(lambda: len(view.findChildren(QTextDocument)) == 1, timeout=2000)
    assert view.findChildren(QTextDocument) == [QTextEdit.document(view)]
    _assert_shows(window, ids[23 % len(ids)])


def test_a_switch_lays_the_annotation_list_out_before_the_window_paints_once(window):
    """When the window paints after a switch, the new entries are already measured and
    placed (left to Qt's timer, the list was laid out in the paint and again after it),
    and the window paints once: the rubric panel around a moved mark box is laid out
    before, not after. Each entry is measured once for its width, the first time it is
    shown: coming back to a script measures nothing."""
    view = window.annotation_panel.view
    model = window.annotation_panel.model

    class Counting(AnnotationEntryDelegate):
        measured = 0

        def sizeHint(self, option, index):  # noqa: N802
            Counting.measured += 1
            return super().sizeHint(option, index)

    class Paints(QObject):
        def __init__(self, parent):
            super().__init__(parent)
            self.laid_out_before = []

        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Type.UpdateRequest:
                self.laid_out_before.append(view.laid_out_rows())
            return False

    view.setItemDelegate(Counting(view))
    ids = window.script_model.script_ids()
    first_visits, revisits = [], []
    for visit, script_id in enumerate([*ids[1:], ids[0], *ids[1:]]):
        Counting.measured = 0   # every level change above moves the mark box
        window.select_script(script_id)
        paints = Paints(window)
        window.installEventFilter(paints)
        QApplication.processEvents()   # as the benchmark: the switch and two turns of
        QApplication.processEvents()   # the event loop (the text goes on laying out later)
        window.removeEventFilter(paints)
        assert paints.laid_out_before == [model.rowCount()]
        (first_visits if visit < len(ids) else revisits).append(Counting.measured)
        first = view.visualRect(model.index(0))
        last = view.visualRect(model.index(model.rowCount() - 1))
        assert first.isValid() and last.isValid() and last.top() > first.bottom()
        assert view.indexAt(first.center()).row() == 0
    rows = [ANNOTATIONS - 5 * n for n in (1, 2, 3, 0)]
    # the first script's entries were measured when the window opened (a delegate
    # replaced keeps the sizes measured: they are the list's)
    assert first_visits[:3] == rows[:3] and first_visits[3] == 0
    assert revisits == [0, 0, 0]


def test_the_annotation_list_settles_and_its_scroll_bar_stays(window):
    """With more entries than fit, the list's scroll bar shows and stays: laid out in
    batches, it came and went for ever (a flicker, and a core kept busy)."""
    window.select_script(window.script_model.script_ids()[0])
    view = window.annotation_panel.view
    for _ in range(5):
        QApplication.processEvents()
    bar = view.verticalScrollBar()
    assert bar.isVisible()
    layouts = _count_events(view, {QEvent.Type.Timer, QEvent.Type.LayoutRequest})
    painted = _count_events(view.viewport(), {QEvent.Type.Paint})
    seen = set()
    for _ in range(30):
        QApplication.processEvents()
        seen.add(bar.isVisible())
    assert seen == {True}
    assert painted.count == 0 and layouts.count <= 1   # idle: nothing laid out again


@pytest.mark.parametrize("which", ["scripts", "annotations"])
def test_what_a_delegate_reads_is_what_the_model_says_cell_after_cell(window, which):
    """Qt hands multiData the same role holders from one cell to the next: a role a cell
    has no value for must be cleared, not left from the cell before (the status colour
    showed in every column)."""
    if which == "scripts":
        model = window.filter_model
        cells = [model.index(row, column) for row in range(model.rowCount())
                 for column in range(model.columnCount())]
    else:
        model = window.annotation_panel.model
        cells = [model.index(row) for row in range(model.rowCount())]
    delegate = QStyledItemDelegate()
    for index in cells:
        option = QStyleOptionViewItem()
        delegate.initStyleOption(option, index)
        shown = index.data(Qt.ItemDataRole.DisplayRole) or ""
        assert option.text == shown.replace("\n", "\u2028")   # as the delegate shows it
        decoration = index.data(Qt.ItemDataRole.DecorationRole)
        has_icon = bool(option.features & QStyleOptionViewItem.ViewItemFeature.HasDecoration)
        assert has_icon == (decoration is not None)
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        text_colour = option.palette.color(option.palette.ColorRole.Text)
        if foreground is not None:
            assert text_colour == QColor(foreground)
        else:
            assert text_colour == QApplication.palette().color(option.palette.ColorRole.Text)


def test_the_script_list_shows_a_changed_mark_at_once(window):
    """The script list keeps what each painted cell showed; a change announced for a
    cell replaces it."""
    ms = window.marking_set
    script_id = window.script_model.script_ids()[0]
    window.select_script(script_id)
    QApplication.processEvents()
    model = window.filter_model
    row = window.filter_model.mapFromSource(
        window.script_model.index(window.script_model.row_of(script_id), 0)).row()
    column = 3   # AO1
    delegate = QStyledItemDelegate()

    def shown() -> str:
        option = QStyleOptionViewItem()
        delegate.initStyleOption(option, model.index(row, column))
        return option.text

    before = shown()
    window.choose_level(4)
    QApplication.processEvents()
    assert shown() != before and shown().startswith("L4")
    assert ms.marks_for(script_id)["AO1"].level == "Level 4"


def _table_image(window) -> QImage:
    for _ in range(3):
        QApplication.processEvents()
    return window.list_panel.table.viewport().grab().toImage()


def _images_differ(a: QImage, b: QImage, tolerance: int = 2) -> int:
    """How many pixels of ``a`` and ``b`` differ by more than ``tolerance`` in a channel
    (a picture's blending may round one step apart from painting in place)."""
    a = a.convertToFormat(QImage.Format.Format_RGB32)
    b = b.convertToFormat(QImage.Format.Format_RGB32)
    assert a.size() == b.size()
    count = 0
    for y in range(a.height()):
        if bytes(a.constScanLine(y))[:a.bytesPerLine()] == \
                bytes(b.constScanLine(y))[:b.bytesPerLine()]:
            continue
        for x in range(a.width()):
            p, q = a.pixelColor(x, y), b.pixelColor(x, y)
            if max(abs(p.red() - q.red()), abs(p.green() - q.green()),
                   abs(p.blue() - q.blue())) > tolerance:
                count += 1
    return count


def test_the_script_list_draws_its_cells_as_qt_does(window):
    """The script list draws each row from a kept picture (made from its cells' kept
    pictures): what shows is what Qt's own delegate draws, for selected, focused,
    alternate and plain rows, after switches back and forth (pictures reused) and after a
    mark changes (the cell drawn again)."""
    table = window.list_panel.table
    ids = window.script_model.script_ids()
    ours = table.itemDelegate()

    def compare() -> None:
        table.setFocus()
        kept = _table_image(window)
        kept = _table_image(window)   # a second paint: every row from its picture
        assert table._row_pictures   # (drawn once from its cells' pictures, and kept)
        table.setItemDelegate(QStyledItemDelegate(table))
        plain = _table_image(window)
        table.setItemDelegate(ours)
        assert _images_differ(kept, plain) == 0

    for script_id in [ids[2], ids[0], ids[2], ids[3]]:
        window.select_script(script_id)
        compare()
    before = _table_image(window)
    window.choose_level(4)   # the shown script's AO1, total and status cells change
    window._mark_chosen("AO1", 18)
    after = _table_image(window)
    assert _images_differ(before, after) > 0
    compare()
    font = table.font()   # a new font (or style): the pictures are drawn again
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setItalic(True)
    table.setFont(font)
    compare()


def test_the_script_list_follows_its_columns_resized_moved_hidden_and_scrolled(window):
    """The table keeps where its columns are between paints: each change of them (a
    column resized, moved, hidden or shown, the list scrolled sideways) shows as Qt's own
    delegate draws it."""
    table = window.list_panel.table
    ours = table.itemDelegate()
    header = table.horizontalHeader()

    def compare() -> None:
        kept = _table_image(window)
        table.setItemDelegate(QStyledItemDelegate(table))
        plain = _table_image(window)
        table.setItemDelegate(ours)
        assert _images_differ(kept, plain) == 0

    from PySide6.QtWidgets import QHeaderView

    resizable = [column for column in range(header.count()) if
                 header.sectionResizeMode(column) == QHeaderView.ResizeMode.Interactive]
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)   # as a user drags
    column = resizable[0] if resizable else 2
    compare()
    before = _table_image(window)
    header.resizeSection(column, header.sectionSize(column) + 40)
    assert _images_differ(before, _table_image(window)) > 0
    compare()
    header.moveSection(header.visualIndex(2), 0)
    compare()
    header.hideSection(3)
    compare()
    header.showSection(3)
    compare()
    header.resizeSection(column, header.sectionSize(column) + 600)   # wider than the list
    QApplication.processEvents()
    table.horizontalScrollBar().setValue(table.horizontalScrollBar().maximum())
    assert table.horizontalScrollBar().value() > 0
    compare()


def test_coming_back_to_a_script_shows_what_was_changed_while_away(window):
    """The session keeps what showing a script read; a change to a script (or to who is
    marking) is never hidden by it."""
    ids = window.script_model.script_ids()
    first, second = ids[0], ids[1]
    window.select_script(first)
    window.choose_level(4)
    window._mark_chosen("AO1", 18)
    window.rubric_panel.comment_edits["ebi"].setPlainText("Use the sources more.")
    window.session.add_annotation(first, 10, 30, "a new note", "AO1")
    QApplication.processEvents()
    window.select_script(second)
    QApplication.processEvents()
    window.select_script(first)
    QApplication.processEvents()
    _assert_shows(window, first)
    assert "a new note" in " ".join(_shown_entries(window))
    assert window.rubric_panel.comment_edits["ebi"].toPlainText() == "Use the sources more."
    # another marker: nothing of the first marker's is shown for them
    window.session.use_marker("Second Marker", "SM", "second")
    QApplication.processEvents()
    window.select_script(second)
    window.select_script(first)
    QApplication.processEvents()
    _assert_shows(window, first)
    assert window.rubric_panel.sections["AO1"].chosen_card() is None


def test_the_bank_follows_the_level_when_it_comes_into_sight(window):
    """Out of sight (below the fold) the bank is ordered for the chosen level when it is
    scrolled into sight, or as soon as anything reads it."""
    panel = window.rubric_panel
    ids = window.script_model.script_ids()
    shown = panel.bank_view.model()   # what the list shows, without bringing it up to date
    window.select_script(ids[2])   # Level 4
    QApplication.processEvents()
    assert panel.bank_view.visibleRegion().isEmpty()   # below the fold at this size
    bar = panel.verticalScrollBar()
    bar.setValue(bar.maximum())
    QApplication.processEvents()
    assert not panel.bank_view.visibleRegion().isEmpty()
    assert shown.comment_at(0).level == "Level 4"   # the chosen level's comments first
    bar.setValue(0)
    QApplication.processEvents()
    window.select_script(ids[1])   # Level 1, the bank out of sight again
    QApplication.processEvents()
    assert panel.bank_model.comment_at(0).level == "Level 1"   # read: brought up to date


def test_the_window_status_position_grows_with_the_text(qtbot):
    """The status bar's "N of M" is not laid out again for a text of the same size, and
    gets room for a longer one."""
    holder = SteadyLabel(QLabel(""), sized_by_text=True)
    qtbot.addWidget(holder)
    holder.show()
    holder.set_text("9 of 10")
    QApplication.processEvents()
    narrow = holder.sizeHint().width()
    holder.set_text("10 of 10")
    QApplication.processEvents()
    assert holder.sizeHint().width() > narrow
    assert holder.label.text() == "10 of 10"


def test_a_wrapped_label_measures_again_after_its_text_changes(qtbot):
    label = WrappedLabel("short")
    qtbot.addWidget(label)
    one = label.heightForWidth(120)
    label.setText("a much longer text that wraps onto several lines at this width " * 3)
    assert label.heightForWidth(120) > one
    label.setText("short")
    assert label.heightForWidth(120) == one


def _grab(widget: QWidget) -> QImage:
    return widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


@pytest.mark.parametrize("text", [
    "Total  <b>–</b> / 25",
    "Total  <b>18</b> / 25  (72%)  <span style='color:#c62828'>⚠ 1 to check</span>",
])
def test_the_total_is_drawn_as_a_label_draws_it(qtbot, text):
    host = QWidget()
    host.setStyleSheet(panel_style())
    qtbot.addWidget(host)
    host.resize(360, 200)
    host.show()
    ours, theirs = LineLabel(text, host), QLabel(text, host)
    for label in (ours, theirs):
        label.setObjectName("totalLabel")
        label.resize(320, 30)
        label.show()
    theirs.move(0, 100)
    QApplication.processEvents()
    assert _grab(ours) == _grab(theirs)
    assert ours.sizeHint() == theirs.sizeHint()


def test_the_total_keeps_a_picture_per_text_and_follows_the_palette(qtbot):
    """Back to a total already shown, the label shows it again from its picture (the
    same pixels); a new palette is drawn in the new colours, not from an old picture."""
    host = QWidget()
    host.setStyleSheet(panel_style())
    qtbot.addWidget(host)
    host.resize(360, 60)
    host.show()
    label = LineLabel("Total  <b>18</b> / 25", host)
    label.setObjectName("totalLabel")
    label.resize(320, 30)
    label.show()
    QApplication.processEvents()
    first = _grab(label)
    label.setText("Total  <b>7</b> / 25")
    QApplication.processEvents()
    other = _grab(label)
    label.setText("Total  <b>18</b> / 25")
    QApplication.processEvents()
    assert _grab(label) == first and other != first
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#1565c0"))
    label.setPalette(palette)
    QApplication.processEvents()
    blue = _grab(label)
    assert blue != first
    assert any(QColor(blue.pixel(x, y)).blue() > 150 > QColor(blue.pixel(x, y)).red()
               for x in range(blue.width()) for y in range(blue.height()))


def test_a_level_card_draws_its_texts_and_follows_its_state(window):
    """The card draws its texts from a picture it keeps per state: chosen and not,
    they differ; the texts are there in both; the labels stay readable."""
    section = window.rubric_panel.sections["AO1"]
    card = section.cards[4]
    descriptor = card.findChild(QLabel, "levelDescriptor")
    assert descriptor.text() == card.level.descriptor
    plain = _grab(card)
    card.set_selected(True)
    chosen = _grab(card)
    card.set_selected(False)
    assert _grab(card) == plain and chosen != plain
    inside = descriptor.geometry()
    colours = {plain.pixel(x, y) for x in range(inside.left(), inside.right())
               for y in range(inside.top(), inside.bottom())}
    assert len(colours) > 8, (inside, len(colours))   # the descriptor's text is drawn


def test_a_level_card_draws_its_indicative_button_in_each_state(window, qtbot):
    """The "Indicative content" button is drawn by its card: its words are there, a
    click opens the indicative content (the arrow turns, the text shows) and the card
    shows that at once; a second click closes it, and the arrow turns back."""
    card = window.rubric_panel.sections["AO1"].cards[3]
    toggle = card.findChild(QToolButton, "indicativeToggle")
    assert toggle is not None and not toggle.updatesEnabled()   # Qt does not paint it
    window.rubric_panel.ensureWidgetVisible(card)
    QApplication.processEvents()
    closed = _grab(card)
    area = toggle.geometry()
    colours = {closed.pixel(x, y) for x in range(area.left(), area.right())
               for y in range(area.top(), area.bottom())}
    assert len(colours) > 4, len(colours)   # its words and arrow are drawn
    height = card.height()

    def click() -> QImage:
        qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
        opened = toggle.isChecked()
        qtbot.waitUntil(lambda: (card.height() > height) == opened)
        QApplication.processEvents()
        return _grab(card).copy(area)

    opened = click()
    assert card.indicative_label.isVisible()
    closed_again = click()
    assert not card.indicative_label.isVisible()
    assert closed_again != opened   # the arrow turned back (the mouse over it both times)
    assert click() == opened   # the same state, the same picture
    click()


def test_moving_the_mark_box_lays_out_its_section_alone(window):
    """Another script at another level moves the mark box under another card: the cards
    below it move, the section keeps its height, and nothing else in the panel is laid
    out again (Qt would lay the whole panel out after the section)."""
    panel = window.rubric_panel
    section = panel.sections["AO1"]
    ids = window.script_model.script_ids()
    window.select_script(ids[1])   # Level 1
    QApplication.processEvents()
    card = section.chosen_card()
    assert section.mark_box.y() == card.geometry().bottom() + 1 + 6
    height, below = section.height(), panel.comment_edits["www"].mapTo(panel.widget(),
                                                                         QPoint(0, 0))
    laid_out = _count_events(panel.widget(), {QEvent.Type.LayoutRequest})
    window.select_script(ids[2])   # Level 4: the box goes down, the cards between go up
    QApplication.processEvents()
    card = section.chosen_card()
    assert card.level.label == "Level 4"
    assert section.mark_box.y() == card.geometry().bottom() + 1 + 6
    assert section.cards[1].geometry().bottom() < section.mark_box.y()
    assert laid_out.count == 0
    assert section.height() == height
    assert panel.comment_edits["www"].mapTo(panel.widget(), QPoint(0, 0)) == below


def test_a_section_that_grows_or_shrinks_moves_what_is_below(window, qtbot):
    """Indicative content opened in a card, or a narrower panel, makes the section taller:
    what is below it moves down, nothing overlaps; closed again, it all comes back."""
    panel = window.rubric_panel
    section = panel.sections["AO1"]
    www = panel.comment_edits["www"]

    def top_of_www() -> int:
        return www.mapTo(panel.widget(), QPoint(0, 0)).y()

    def section_bottom() -> int:
        return section.mapTo(panel.widget(), QPoint(0, section.height())).y()

    before, height = top_of_www(), section.height()
    toggle = section.cards[2].findChild(QToolButton, "indicativeToggle")
    toggle.click()
    qtbot.waitUntil(lambda: section.height() > height)
    QApplication.processEvents()
    assert top_of_www() - before == section.height() - height
    assert section_bottom() <= top_of_www()
    toggle.click()
    qtbot.waitUntil(lambda: section.height() == height)
    QApplication.processEvents()
    assert top_of_www() == before
    splitter = window.rubric_panel.parentWidget()
    while splitter is not None and not hasattr(splitter, "setSizes"):
        splitter = splitter.parentWidget()
    sizes = splitter.sizes()
    index = splitter.indexOf(next(w for w in (panel, panel.parentWidget())
                                  if splitter.indexOf(w) >= 0))
    narrower = list(sizes)
    narrower[index] -= 120
    narrower[index - 1] += 120
    splitter.setSizes(narrower)
    qtbot.waitUntil(lambda: section.height() > height)
    QApplication.processEvents()
    assert section.width() == section.children()[0].width()   # the box follows the width
    assert section_bottom() <= top_of_www()


def test_highlights_are_shaded_and_explained_where_annotations_overlap(window):
    """Each character of an annotated passage carries the comments of every annotation
    covering it (in the annotations' order), and only those characters do."""
    view = window.script_view
    script = window.current_script
    rng = random.Random(7)
    length = len(script.text)
    annotations = []
    for n in range(25):
        start = rng.randrange(0, length - 50)
        annotations.append(Annotation(id=n + 1, script_id=script.id, marker_id=1,
                                      start=start, end=start + rng.randrange(1, 200),
                                      quote="", comment=f"c{n}", criterion="AO1",
                                      created_at="", lost=False))
    annotations.sort(key=lambda a: a.start)
    view.show_script(script, annotations)
    text = script.text
    cursor = QTextCursor(view.document())
    for offset in range(length):
        if text[offset] == "\n":
            continue
        covering = [a.comment for a in annotations if a.start <= offset < a.end]
        cursor.setPosition(view.to_document(offset) + 1)   # the format of the char before
        assert cursor.charFormat().toolTip() == "\n".join(covering), offset


PAINT_A_TALL_SCRIPT = r"""
import os, sys
if sys.argv[1] == "app":
    import gui  # noqa: F401 - what the app's first import does
from PySide6.QtWidgets import QApplication, QTextEdit
app = QApplication([])
view = QTextEdit()
view.setPlainText("The Weimar Republic’s “golden years” — 1924–29 — rested on loans. " * 400)
view.resize(480, 900)
view.show()
app.processEvents()
view.grab()
names = [open(f"/proc/self/task/{task}/comm").read().strip()
         for task in os.listdir("/proc/self/task")]
print(sum(name.startswith("Thread (pooled)") for name in names))
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads listed in /proc")
def test_the_app_paints_on_its_own_thread():
    """Qt would hand each tall fill (a scroll bar, a panel, the page behind a script) to a
    pool of threads and wait; the app paints on its own thread instead, where a switch of
    script costs less (the control, without the app's setting, starts the pool)."""
    import os
    import subprocess
    import sys

    def pooled(mode: str) -> int:
        env = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"}
        env["QT_QPA_PLATFORM"] = "offscreen"
        done = subprocess.run([sys.executable, "-c", PAINT_A_TALL_SCRIPT, mode], env=env,
                              capture_output=True, text=True, timeout=60,
                              cwd=Path(__file__).resolve().parents[2])
        assert done.returncode == 0, done.stderr[-1500:]
        return int(done.stdout.split()[-1])

    assert pooled("app") == 0
    assert pooled("bare Qt") > 0
