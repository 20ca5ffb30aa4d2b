"""Moderation in the app: blind second marking (banner, nothing of other markers shown,
Reveal audited), File › Merge… (preview, conflicts, apply, refusals) and Tools ›
Moderation… (agreement, scatter plot, adjustment as one undoable step)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gui.main_window import MainWindow
from rubric.ids import ScriptId
from rubric.importing.model import ScriptDraft
from rubric.store import MarkingSet
from rubric.templates import template
from tests.gui.windows import one_paragraph_draft, open_window

NUMBERS = ("4017", "4023", "4031", "4040", "4052", "4068")


def _draft(number: str) -> ScriptDraft:
    return one_paragraph_draft(number, f"Stolypin's reforms, candidate {number}, created a loyal peasantry. ", 20, 200, "Khan_Amira")


@pytest.fixture
def marked_set(tmp_path) -> Path:
    """A set whose teacher marked and annotated every script."""
    path = tmp_path / "13B.markset"
    ms = MarkingSet.create(path, "13B", template("aqa-history-essay-25"))
    try:
        ms.use_marker("Tess Teacher", "TT", "teacher")
        criterion = ms.scheme.criteria[0]
        for n, number in enumerate(NUMBERS):
            ms.add_script(_draft(number))
            sid = ScriptId(n + 1)
            ms.set_mark(sid, criterion.name, 8 + 2 * n)
            ms.add_annotation(sid, 0, 9, f"teacher's note {number}")
            ms.set_comments(sid, www=f"teacher praise {number}")
            ms.set_complete(sid, True)
    finally:
        ms.close()
    return path


def _window(qtbot, path: Path) -> MainWindow:
    return open_window(qtbot, path, size=(1440, 900))


def _list_text(win: MainWindow) -> list[str]:
    model = win.script_model
    out = []
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if value is not None:
                    out.append(str(value))
    return out


# -- 1. blind second marking -------------------------------------------------------------

def test_a_blind_moderator_sees_none_of_the_teachers_work(qtbot, marked_set, monkeypatch):
    win = _window(qtbot, marked_set)
    ms = win.marking_set
    assert ms.current_marker.name == "Tess Teacher"
    assert not win.blind_banner.isVisible()
    assert any("18" in t for t in _list_text(win))          # the teacher's own view
    assert win.annotation_panel.model.rowCount() == 1

    assert win.session.use_marker("Mo Moderator", "MM", "moderator")
    assert win.session.set_blind(True)
    assert ms.is_blind()
    assert win.blind_banner.isVisible()
    assert "other markers' marks, comments and annotations are hidden" in \
        win.blind_banner.label.text()
    win.select_script(ScriptId(2))

    texts = _list_text(win)
    assert not any(s in t for t in texts for s in ("moderated", "marked\n", "in progress"))
    assert {win.script_model.status(ScriptId(n + 1)) for n in range(len(NUMBERS))} == \
        {"unmarked"}
    model, n = win.script_model, len(ms.scheme.criteria)
    for row in range(model.rowCount()):                      # no teacher's mark or total
        for column in range(3, 4 + n):
            assert model.data(model.index(row, column)) in (None, "", "–", "—"), \
                model.data(model.index(row, column))
    assert win.rubric_panel._marks == {}
    assert all(edit.toPlainText() == "" for edit in win.rubric_panel.comment_edits.values())
    assert win.annotation_panel.model.rowCount() == 0
    assert win.script_view._annotations == []

    # the moderator's own mark shows (and makes the script theirs: moderated)
    criterion = ms.scheme.criteria[0].name
    assert win.session.set_mark(ScriptId(2), criterion, 11)
    assert win.rubric_panel._marks[criterion].mark == 11
    assert win.script_model.status(ScriptId(2)) == "moderated"
    assert win.script_model.status(ScriptId(3)) == "unmarked"

    monkeypatch.setattr(type(win.blind_banner), "confirm_reveal", lambda self: True)
    assert win.blind_banner.ask_reveal()
    assert not ms.is_blind()
    assert not win.blind_banner.isVisible()
    assert any(e.action == "reveal" for e in ms.audit_log(limit=20))
    assert win.script_model.status(ScriptId(3)) == "marked"   # the teacher's, now shown
    win.close()


def test_reveal_can_be_cancelled(qtbot, marked_set, monkeypatch):
    win = _window(qtbot, marked_set)
    win.session.use_marker("Sam Second", "SS", "second")
    win.session.set_blind(True)
    monkeypatch.setattr(type(win.blind_banner), "confirm_reveal", lambda self: False)
    assert not win.blind_banner.ask_reveal()
    assert win.marking_set.is_blind() and win.blind_banner.isVisible()
    assert not any(e.action == "reveal" for e in win.marking_set.audit_log(limit=20))
    win.close()


def test_marker_details_offers_blind_marking(qtbot, marked_set, monkeypatch):
    from gui.dialogs.common import MarkerDialog

    dialog = MarkerDialog(None, "Sam Second", "SS", "second", blind=False)
    qtbot.addWidget(dialog)
    assert dialog.blind_check is not None and dialog.blind_check.isEnabled()
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("teacher"))
    assert not dialog.blind_check.isEnabled() and not dialog.blind()

    win = _window(qtbot, marked_set)
    monkeypatch.setattr(MarkerDialog, "ask_details", classmethod(
        lambda cls, parent, name, initials, role, blind: ("Sam Second", "SS", "second", True)))
    win.edit_marker()
    assert win.marking_set.current_marker.name == "Sam Second"
    assert win.marking_set.is_blind() and win.blind_banner.isVisible()
    assert win.script_model.status(ScriptId(1)) == "unmarked"
    win.close()


# -- 2. merging --------------------------------------------------------------------------

def _copy_marked_by(source: Path, folder: Path, name: str, role: str, mark: int) -> Path:
    ms = MarkingSet.open(source)
    copy = folder / f"{name.split()[0]}.markset"
    try:
        ms.export_to(copy)
    finally:
        ms.close()
    theirs = MarkingSet.open(copy)
    try:
        theirs.use_marker(name, None, role)
        criterion = theirs.scheme.criteria[0].name
        for n in range(len(NUMBERS)):
            theirs.set_mark(ScriptId(n + 1), criterion, mark + n)
        theirs.add_annotation(ScriptId(1), 10, 20, f"{name}'s note")
    finally:
        theirs.close()
    return copy


def test_merge_two_copies_marked_by_different_markers(qtbot, marked_set, tmp_path):
    from gui.dialogs.merge import merge_files

    sam = _copy_marked_by(marked_set, tmp_path, "Sam Second", "second", 5)
    mo = _copy_marked_by(marked_set, tmp_path, "Mo Moderator", "moderator", 7)
    win = _window(qtbot, marked_set)
    heard = []
    win.session.changed.connect(heard.append)
    dialog = merge_files(win, [sam, mo])
    assert dialog is not None and dialog.isVisible()
    assert not dialog.refusals and len(dialog.plans) == 2
    statuses = {dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())}
    assert "new" in statuses
    assert "ledger" in dialog.findChild(type(dialog.summary), "merge_note").text()
    assert dialog.apply()
    assert heard and heard[-1].marks
    ms = win.marking_set
    names = {m.name: m.id for m in ms.markers()}
    criterion = ms.scheme.criteria[0].name
    assert ms.marks_for(ScriptId(1), names["Sam Second"])[criterion].mark == 5
    assert ms.marks_for(ScriptId(3), names["Mo Moderator"])[criterion].mark == 9
    assert win.script_model.status(ScriptId(1)) == "moderated"   # the list refreshed
    # merging the same file again changes nothing
    again = merge_files(win, [sam])
    assert again.plans[0].empty and again.plans[0].already_merged
    assert not again.apply_button.isEnabled()
    again.close()
    win.close()


def test_merge_conflict_shows_both_sides_and_a_choice(qtbot, marked_set, tmp_path):
    from gui.dialogs.merge import merge_files

    sam = _copy_marked_by(marked_set, tmp_path, "Sam Second", "second", 5)
    win = _window(qtbot, marked_set)
    assert merge_files(win, [sam]).apply()
    # Sam changes the same mark on two machines: here, and again in the file
    other = MarkingSet.open(sam)
    try:
        other.use_marker("Sam Second", None, "second")
        other.set_mark(ScriptId(1), other.scheme.criteria[0].name, 12)
    finally:
        other.close()
    ms = win.marking_set
    criterion = ms.scheme.criteria[0].name
    win.session.use_marker("Sam Second", None, "second")
    assert win.session.set_mark(ScriptId(1), criterion, 3)
    dialog = merge_files(win, [sam])
    assert len(dialog.plans[0].conflicts) == 1
    row = next(r for r in range(dialog.table.rowCount())
               if dialog.table.item(r, 1).text() == "conflict")
    assert "3" in dialog.table.item(row, 6).text() and "12" in dialog.table.item(row, 7).text()
    (uuid,) = dialog.choices
    dialog.choose(uuid, "theirs")
    assert dialog.apply()
    assert ms.marks_for(ScriptId(1))[criterion].mark == 12
    win.close()


def test_merge_refusals_show_one_line_reasons(qtbot, marked_set, tmp_path):
    from gui.dialogs.merge import merge_files

    other_set = tmp_path / "other.markset"
    MarkingSet.create(other_set, "12A", template("aqa-history-essay-25")).close()
    crafted = tmp_path / "crafted.markset"
    crafted.write_bytes(b"SQLite format 3\x00 not really")
    win = _window(qtbot, marked_set)
    dialog = merge_files(win, [other_set, crafted, marked_set])
    assert not dialog.plans and len(dialog.refusals) == 3
    assert all("\n" not in r and "refused" in r or "cannot" in r for r in dialog.refusals), \
        dialog.refusals
    assert "another set" in dialog.refusals[0]
    assert dialog.refused_label.isVisible() and not dialog.apply_button.isEnabled()
    dialog.close()
    win.close()


# -- 3. moderation: agreement, scatter plot, adjustment ------------------------------------

@pytest.fixture
def moderated_set(marked_set) -> Path:
    """The teacher's set with a moderator who marked every script 4 marks lower."""
    ms = MarkingSet.open(marked_set)
    try:
        ms.use_marker("Mo Moderator", "MM", "moderator")
        criterion = ms.scheme.criteria[0]
        for n in range(len(NUMBERS)):
            teacher = 8 + 2 * n
            ms.set_mark(ScriptId(n + 1), criterion.name, max(0, teacher - 4 - n % 2))
        ms.use_marker("Tess Teacher", "TT", "teacher")
    finally:
        ms.close()
    return marked_set


def test_moderation_shows_agreement_plot_and_overview(qtbot, moderated_set, tmp_path):
    from gui.dialogs.moderation import ModerationDialog

    win = _window(qtbot, moderated_set)
    dialog = ModerationDialog.show_for(win)
    assert dialog is not None and dialog.isVisible()
    a, b = dialog.markers()
    assert (a.name, b.name) == ("Tess Teacher", "Mo Moderator")
    assert dialog.comparison is not None
    assert dialog.comparison.main.total.compared == len(NUMBERS)
    words = dialog.words.text()
    assert "6 scripts marked by both" in words and "fewer" in words
    labels = [dialog.figures.item(r, 0).text() for r in range(dialog.figures.rowCount())]
    for label in ("Scripts compared", "Same level", "Within one level", "Mean difference",
                  "Mean absolute difference", "Within tolerance",
                  "Rank correlation (Spearman)", "Weighted kappa, marks",
                  "Weighted kappa, levels"):
        assert label in labels
    assert dialog.scatter_points.count() == len(NUMBERS)
    assert len(dialog.chart.series()) == 3    # band, equality line, scripts
    assert dialog.overview.rowCount() >= 1
    assert dialog.largest.rowCount() >= 1
    dialog.tabs.setCurrentIndex(1)
    dialog.grab().save(str(tmp_path / "moderation.png"))
    dialog.close()
    win.close()


def test_adjustment_is_one_undoable_step(qtbot, moderated_set):
    from gui.dialogs.moderation import ModerationDialog

    win = _window(qtbot, moderated_set)
    ms = win.marking_set
    criterion = ms.scheme.criteria[0].name
    teacher = next(m for m in ms.markers() if m.name == "Tess Teacher")
    before = {n: ms.marks_for(ScriptId(n + 1), teacher.id)[criterion].mark
              for n in range(len(NUMBERS))}
    dialog = ModerationDialog.show_for(win)
    adjust = dialog.open_adjust()
    assert adjust is not None and adjust.plan.needed
    assert adjust.table.rowCount() == len(NUMBERS)
    assert "Proposed line" in adjust.summary.text()
    steps = win.undo_stack.count()
    assert adjust.apply()
    assert win.undo_stack.count() == steps + 1
    after = {n: ms.marks_for(ScriptId(n + 1), teacher.id)[criterion].mark
             for n in range(len(NUMBERS))}
    assert after != before
    assert ms.current_marker.name == "Tess Teacher"     # who is marking is kept
    assert any(e.action == service_action() for e in ms.audit_log(limit=50))
    shown = win.script_model.data(win.script_model.index(0, 3))
    assert str(after[0]) in str(shown)                   # the list refreshed
    win.undo_stack.undo()
    assert {n: ms.marks_for(ScriptId(n + 1), teacher.id)[criterion].mark
            for n in range(len(NUMBERS))} == before
    win.undo_stack.redo()
    assert {n: ms.marks_for(ScriptId(n + 1), teacher.id)[criterion].mark
            for n in range(len(NUMBERS))} == after
    dialog.close()
    win.close()


def service_action() -> str:
    from rubric.moderation.service import ADJUSTMENT_ACTION

    return ADJUSTMENT_ACTION


def test_moderation_while_blind_shows_nothing(qtbot, moderated_set):
    from gui.dialogs.moderation import ModerationDialog

    win = _window(qtbot, moderated_set)
    win.session.use_marker("Sam Second", "SS", "second")
    win.session.set_blind(True)
    dialog = ModerationDialog.show_for(win)
    assert dialog.comparison is None and "blind" in dialog.words.text()
    assert not dialog.adjust_button.isEnabled()
    dialog.close()
    win.close()
