"""Tools › Compare side by side…: two scripts with the current marker's rubric summary, one
script's two markers with differences in bold, the Definitive column (standardisation) and
blind mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from gui.dialogs.compare import BLIND_WORDS, CompareDialog, cell_texts
from gui.main_window import MainWindow
from gui.models.lists import SCRIPT_ID_ROLE
from rubric.ids import ScriptId
from rubric.importing.model import ScriptDraft
from rubric.store import MarkingSet
from rubric.templates import template
from tests.gui.windows import one_paragraph_draft, open_window

NUMBERS = ("4017", "4023", "4031")


def _draft(number: str) -> ScriptDraft:
    return one_paragraph_draft(number, f"Stolypin's reforms, candidate {number}, created a loyal peasantry. ", 12, 120, "Khan")


@pytest.fixture
def two_markers(tmp_path) -> Path:
    """NEA scheme (AO1 /20, AO2 /10, AO3 /10): a teacher and a second marker on script 1,
    the teacher alone on script 2; the teacher is the current marker when it is opened."""
    path = tmp_path / "13B.markset"
    ms = MarkingSet.create(path, "13B", template("aqa-history-nea-40"))
    try:
        names = [c.name for c in ms.scheme.criteria]
        for number in NUMBERS:
            ms.add_script(_draft(number))
        ms.use_marker("Sam Second", "SS", "second")
        for name, mark in zip(names, (14, 6, 7), strict=True):
            ms.set_mark(ScriptId(1), name, mark)
        ms.set_comments(ScriptId(1), www="second praise", ebi="second target")
        ms.add_annotation(ScriptId(1), 0, 9, "second's note")
        ms.use_marker("Tess Teacher", "TT", "teacher")
        for name, mark in zip(names, (12, 6, 8), strict=True):
            ms.set_mark(ScriptId(1), name, mark)
        for name, mark in zip(names, (18, 9, 9), strict=True):
            ms.set_mark(ScriptId(2), name, mark)
        ms.set_comments(ScriptId(1), www="teacher praise")
        ms.add_annotation(ScriptId(1), 10, 20, "teacher's note")
    finally:
        ms.close()
    return path


def _window(qtbot, path: Path) -> MainWindow:
    return open_window(qtbot, path, size=(1300, 850))


def _ids(ms):
    return {m.name: int(m.id) for m in ms.markers()}


def test_the_menu_opens_it_and_two_scripts_show_the_current_markers_marks(qtbot, two_markers):
    win = _window(qtbot, two_markers)
    assert win.act_side_by_side in win.tools_menu.actions()
    win.act_side_by_side.trigger()
    dialog = win._compare_dialog
    assert isinstance(dialog, CompareDialog) and dialog.isVisible()
    assert win.marking_set.current_marker.name == "Tess Teacher"
    dialog.choose_scripts(1, 2)
    left, right = cell_texts(dialog.script_a.summary), cell_texts(dialog.script_b.summary)
    assert left == [["AO1", "Level 3", "12/20"], ["AO2", "Level 3", "6/10"],
                    ["AO3", "Level 4", "8/10"], ["Total", "", "26/40"]]
    assert right[0] == ["AO1", "Level 5", "18/20"]
    assert right[-1] == ["Total", "", "36/40"]
    assert "Amira 4017" in dialog.script_a.view.toPlainText()
    assert "Amira 4023" in dialog.script_b.view.toPlainText()
    # the current marker's highlights only (the teacher's one annotation on script 1)
    assert [a.comment for a in dialog.script_a.view._annotations] == ["teacher's note"]
    assert dialog.script_a.view.isReadOnly()
    # script 3 is unmarked
    dialog.choose_scripts(3, 1)
    assert cell_texts(dialog.script_a.summary)[-1] == ["Total", "", "—"]
    dialog.tabs.setCurrentIndex(0)
    dialog.grab().save("/tmp/cmp/scripts.png")


def test_two_markers_side_by_side_with_differences_in_bold(qtbot, two_markers):
    win = _window(qtbot, two_markers)
    dialog = win.compare_dialog()
    ids = _ids(win.marking_set)
    dialog.choose_markers(1, ids["Tess Teacher"], ids["Sam Second"])
    a, b = cell_texts(dialog.marker_a.marks), cell_texts(dialog.marker_b.marks)
    assert dialog.marker_a.title() == "Tess Teacher"
    assert a == [["AO1", "Level 3", "12/20 (−2)"],
                 ["AO2", "Level 3", "6/10"], ["AO3", "Level 4", "8/10 (+1)"],
                 ["Total", "", "26/40 (−1)"]]
    assert b == [["AO1", "Level 4", "14/20 (+2)"], ["AO2", "Level 3", "6/10"],
                 ["AO3", "Level 4", "7/10 (−1)"], ["Total", "", "27/40 (+1)"]]
    assert dialog.marker_a.marks.item(0, 2).font().bold()
    assert not dialog.marker_a.marks.item(1, 2).font().bold()
    assert "teacher praise" in dialog.marker_a.comments.toPlainText()
    assert "second praise" in dialog.marker_b.comments.toPlainText()
    assert "second target" in dialog.marker_b.comments.toPlainText()
    assert cell_texts(dialog.marker_b.annotations)[0][1] == "second's note"
    assert cell_texts(dialog.marker_a.annotations)[0][1] == "teacher's note"
    assert not dialog.definitive_box.isVisible()
    assert "differ on AO1, AO3" in dialog.note.text()
    dialog.grab().save("/tmp/cmp/markers.png")
    # a script only one of them marked
    dialog.choose_markers(2, ids["Tess Teacher"], ids["Sam Second"])
    assert cell_texts(dialog.marker_b.marks)[0] == ["AO1", "—", "—"]
    assert "Sam Second has not marked this script" in dialog.note.text()


def test_definitive_marks_add_a_column_and_the_tolerance(qtbot, two_markers):
    win = _window(qtbot, two_markers)
    ms = win.marking_set
    assert win.session.run(lambda s: s.set_definitive(ScriptId(1), "AO1", 17)) is not None
    assert win.session.run(lambda s: s.set_definitive(ScriptId(1), "AO2", 6)) is not None
    dialog = win.compare_dialog()
    ids = _ids(ms)
    dialog.choose_markers(1, ids["Tess Teacher"], ids["Sam Second"])
    assert dialog.definitive_box.isVisible()
    assert cell_texts(dialog.definitive_marks) == [
        ["AO1", "Level 5", "17/20"], ["AO2", "Level 3", "6/10"], ["AO3", "—", "—"],
        ["Total", "", "23/40"]]
    a, b = cell_texts(dialog.marker_a.marks), cell_texts(dialog.marker_b.marks)
    # tolerance 3 on 25 scaled: 2 on 20 and 1 on 10 (rubric.moderation.default_tolerance)
    assert a[0][3:] == ["−5", "no (±2)"]
    assert b[0][3:] == ["−3", "no (±2)"]
    assert a[1][3:] == ["±0", "yes (±1)"]
    assert a[2][3:] == ["—", "—"]
    assert dialog.marker_a.marks.item(0, 4).font().bold()
    assert "standardisation" in dialog.note.text()
    dialog.grab().save("/tmp/cmp/definitive.png")


def test_a_blind_marker_cannot_compare_other_markers(qtbot, two_markers):
    win = _window(qtbot, two_markers)
    assert win.session.use_marker("Mo Moderator", "MM", "moderator")
    assert win.session.set_blind(True)
    dialog = win.compare_dialog()
    dialog.tabs.setCurrentIndex(1)
    assert dialog.note.text() == BLIND_WORDS.format(name="Mo Moderator")
    assert not dialog.sides.isVisible()
    assert not dialog.marker_a_combo.isEnabled()
    assert dialog.a_side is None
    # the two-scripts tab shows only the moderator's own (absent) marks
    dialog.choose_scripts(1, 2)
    assert cell_texts(dialog.script_a.summary)[-1] == ["Total", "", "—"]
    assert dialog.script_a.view._annotations == []
    dialog.grab().save("/tmp/cmp/blind.png")
    # revealing ends it
    assert win.session.reveal()
    assert dialog.sides.isVisible()
    assert dialog.a_side is not None


def test_the_script_list_shows_the_current_markers_allocated_scripts_first(qtbot, two_markers):
    win = _window(qtbot, two_markers)
    ms = win.marking_set
    model = win.script_model
    assert model.script_ids() == [ScriptId(1), ScriptId(2), ScriptId(3)]
    me = ms.current_marker.id
    assert win.session.run(lambda s: s.allocate([ScriptId(3)], me)) is not None
    assert win.script_model.script_ids()[0] == ScriptId(3)
    assert win.script_model.script_ids() == [ScriptId(3), ScriptId(1), ScriptId(2)]
    shown = win.filter_model.index(0, 0).data(SCRIPT_ID_ROLE)
    assert shown == ScriptId(3)                            # the list as the user sees it
    # another marker sees the set's own order (nothing is allocated to them)
    assert win.session.use_marker("Sam Second", "SS", "second")
    assert win.script_model.script_ids() == [ScriptId(1), ScriptId(2), ScriptId(3)]
