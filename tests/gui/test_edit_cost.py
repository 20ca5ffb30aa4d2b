"""An edit costs the same in a set of 30 scripts and of 300: the script list re-reads only
the changed script's row (its status is one indexed query), announces only the cells that
changed, and never sizes its columns from every row; the status it shows stays right; the
script view puts highlights on the right characters, with astral characters (emoji) in the
text and without. (Counts, not timings: speed is measured in tests/benchmarks/.)"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QHeaderView

from gui.main_window import MainWindow
from gui.models import ScriptListModel
from gui.panels.script_view import ScriptView
from rubric.ids import ScriptId
from rubric.importing.model import Paragraph, ScriptDraft
from rubric.store import MarkingSet
from rubric.store.library import new_set
from rubric.templates import default_scheme
from tests.gui.windows import open_window


def _draft(n: int, paragraphs: list[Paragraph] | None = None) -> ScriptDraft:
    paragraphs = paragraphs or [
        Paragraph("Introduction", "heading"),
        Paragraph(f"Script {n}: the regime’s repression — not reform — kept it in power."),
        Paragraph("“Peace, land and bread” was the Bolsheviks’ slogan.", "quote"),
        Paragraph("Stolypin’s reforms were too slow; the élite resisted them."),
    ]
    return ScriptDraft(path=Path(f"{5000 + n}_Student_{n}.docx"), format="docx",
                       paragraphs=paragraphs, title="‘…’ Assess the validity of this view.",
                       candidate_name=f"Student {n}", candidate_number=str(5000 + n),
                       word_count=40, coursework_word_count=40,
                       source_bytes=f"script {n}".encode())


def _set(count: int) -> Path:
    """``count`` scripts, every other one with a mark, made in one transaction."""
    path = new_set(f"Class of {count}", default_scheme())
    with MarkingSet.open(path) as ms, ms.atomic():
        for n in range(count):
            script_id = ms.add_script(_draft(n)).created
            if n % 2:
                ms.set_mark(script_id, "AO1", 12)
    return path


def _window(qtbot, path: Path) -> MainWindow:
    return open_window(qtbot, path)


@pytest.fixture
def data_calls(monkeypatch):
    """Every call of the script list's data() (Qt's included), by role."""
    calls: Counter[int] = Counter()
    original = ScriptListModel.data

    def counting(self, index, role=0):
        calls[int(role)] += 1
        return original(self, index, role)

    monkeypatch.setattr(ScriptListModel, "data", counting)
    return calls


def _keystroke_calls(qtbot, count: int, calls: Counter) -> tuple[int, int, int]:
    """data() calls for a keystroke that changes the status (the first one in an unmarked
    script's WWW box), for one that does not, and for choosing a level."""
    window = _window(qtbot, _set(count))
    ids = window.script_model.script_ids()
    window.select_script(ids[0])   # unmarked
    www = window.rubric_panel.comment_edits["www"]
    www.setFocus()
    QApplication.processEvents()
    counts = []
    for key in ("W", "e"):
        calls.clear()
        QTest.keyClicks(www, key)
        QApplication.processEvents()
        counts.append(sum(calls.values()))
    assert window.script_model.status(ids[0]) == "in progress"
    window.rubric_panel.current_criterion = "AO1"
    calls.clear()
    window.choose_level(3)
    QApplication.processEvents()
    counts.append(sum(calls.values()))
    assert window.marking_set.marks_for(ids[0])["AO1"].level == "Level 3"
    header = window.list_panel.table.horizontalHeader()
    assert all(header.sectionResizeMode(c) != QHeaderView.ResizeMode.ResizeToContents
               for c in range(header.count()))
    window.close()
    return tuple(counts)


def test_a_keystroke_reads_as_much_of_the_list_in_30_scripts_as_in_300(qtbot, data_calls):
    small = _keystroke_calls(qtbot, 30, data_calls)
    large = _keystroke_calls(qtbot, 300, data_calls)
    assert small == large, (small, large)
    status_changed, nothing_shown_changed, level = small
    assert nothing_shown_changed == 0   # typing on: nothing in the list changes
    assert status_changed < 100 and level < 100   # a few cells, not rows and columns


def test_the_list_shows_the_right_status_after_each_kind_of_edit(qtbot):
    window = _window(qtbot, _set(6))
    model, ms = window.script_model, window.marking_set
    status_column = model.columns().index("Status")
    ids = model.script_ids()

    def shown(script_id: ScriptId) -> str:
        return model.index(model.row_of(script_id), status_column).data()

    def counts_agree() -> None:
        assert model.status_counts() == dict(Counter(ms.statuses().values()))

    first, second, third = ids[0], ids[2], ids[4]     # unmarked, all three
    assert {shown(i) for i in (first, second, third)} == {"unmarked"}
    window.select_script(first)
    www = window.rubric_panel.comment_edits["www"]
    www.setFocus()
    QTest.keyClicks(www, "Clear")
    QApplication.processEvents()
    assert shown(first) == ms.status(first) == "in progress"
    counts_agree()
    www.selectAll()
    QTest.keyClicks(www, "\b")           # the comment emptied again: untouched
    QApplication.processEvents()
    assert www.toPlainText() == ""
    assert shown(first) == ms.status(first) == "unmarked"
    counts_agree()

    window.select_script(second)
    window.rubric_panel.current_criterion = "AO1"
    window.choose_level(4)
    QApplication.processEvents()
    assert shown(second) == ms.status(second) == "in progress"
    assert model.index(model.row_of(second), 3).data().startswith("L4")
    counts_agree()

    annotation = window.session.add_annotation(third, 0, 8, "a strong opening", "AO1")
    assert annotation is not None
    QApplication.processEvents()
    assert shown(third) == ms.status(third) == "in progress"
    counts_agree()
    window.session.undo_stack.undo()     # the annotation goes: untouched again
    QApplication.processEvents()
    assert shown(third) == ms.status(third) == "unmarked"
    counts_agree()

    window.session.set_mark(second, "AO1", 18)
    window.session.set_complete(second)
    QApplication.processEvents()
    assert shown(second) == ms.status(second) == "marked"
    assert model.index(model.row_of(second), 3).data() == "L4 · 18"
    counts_agree()
    window.close()


# -- the script view's highlights -------------------------------------------------------

ASTRAL = [
    Paragraph("Introduction 🙂", "heading"),
    Paragraph("The regime 😀 survived 1905 — “by repression” — and the army 🪖 stayed loyal."),
    Paragraph("A quotation with an emoji 🎉 inside it.", "quote"),
    Paragraph("Stolypin’s 𝔯𝔢𝔣𝔬𝔯𝔪𝔰 came too late; the élite resisted them. 👍"),
]
PLAIN = [Paragraph(p.text.replace("🙂", ":)").replace("😀", "--").replace("🪖", "()")
                   .replace("🎉", "!!").replace("👍", "+1").replace("𝔯𝔢𝔣𝔬𝔯𝔪𝔰", "reforms"),
                   p.kind) for p in ASTRAL]


def _shaded(view: ScriptView, position: int) -> bool:
    """Whether the character at this document position has a highlight background."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(position + 1)   # the format of the character before the cursor
    brush = cursor.charFormat().background()
    return brush.style() != Qt.BrushStyle.NoBrush and brush.color().alpha() > 0


@pytest.mark.parametrize("paragraphs", [ASTRAL, PLAIN], ids=["emoji", "no-emoji"])
def test_highlights_sit_on_the_annotated_characters(qtbot, paragraphs):
    path = new_set("Highlights", default_scheme())
    with MarkingSet.open(path) as ms:
        script_id = ms.add_script(_draft(1, paragraphs)).created
        text = ms.script(script_id).text
        passages = ["survived 1905", "army", "emoji", "came too late", "them."]
        for passage in passages:
            start = text.index(passage)
            ms.add_annotation(script_id, start, start + len(passage), f"on {passage}", "AO1")
        script, annotations = ms.script(script_id), ms.annotations(script_id)
    view = ScriptView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    view.show_script(script, annotations)

    def check(shown) -> None:
        covered = set()
        for annotation in shown:
            covered.update(range(annotation.start, annotation.end))
            cursor = QTextCursor(view.document())
            cursor.setPosition(view.to_document(annotation.start))
            cursor.setPosition(view.to_document(annotation.end),
                               QTextCursor.MoveMode.KeepAnchor)
            assert cursor.selectedText() == text[annotation.start:annotation.end]
        for offset, char in enumerate(text):
            if char == "\n":
                continue
            assert _shaded(view, view.to_document(offset)) == (offset in covered), \
                (offset, text[max(0, offset - 5):offset + 5])

    check(annotations)
    for offset in range(len(text) + 1):
        assert view.to_text(view.to_document(offset)) == offset
    heading = QTextCursor(view.document())
    heading.setPosition(view.to_document(3) + 1)
    assert heading.charFormat().fontWeight() > 400        # the heading stays bold

    # an annotation added, one edited, one deleted: the shown document follows
    start = text.index("Stolypin")
    added = annotations[0].__class__(**{**annotations[0].__dict__, "id": 999,
                                        "start": start, "end": start + 8})
    changed = [*annotations[1:], added]
    view.set_annotations(changed)
    check(changed)
    view.set_annotations(changed[2:])
    check(changed[2:])
    assert heading.block().blockFormat().topMargin() == 8     # formats of the paragraphs kept
