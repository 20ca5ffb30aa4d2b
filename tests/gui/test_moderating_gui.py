"""Moderation › Allocate scripts…, Agree marks… and Set as definitive: each action goes
through the session and leaves the core state the CLI would (the dialogs' ask functions
are replaced)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gui.dialogs import moderating
from gui.main_window import MainWindow
from rubric.ids import ScriptId
from rubric.importing.model import ScriptDraft
from rubric.store import MarkingSet
from rubric.templates import template
from tests.gui.windows import one_paragraph_draft, open_window

NUMBERS = ("4017", "4023", "4031", "4040")


def _draft(number: str) -> ScriptDraft:
    return one_paragraph_draft(number, f"Witte's industrialisation, candidate {number}, changed Russia. ", 20, 200, "Khan_Amira")


@pytest.fixture
def two_marked(tmp_path) -> Path:
    """The teacher and a second marker both marked every script (first criterion)."""
    path = tmp_path / "13B.markset"
    ms = MarkingSet.create(path, "13B", template("aqa-history-essay-25"))
    try:
        criterion = ms.scheme.criteria[0].name
        ms.use_marker("Sam Second", "SS", "second")
        for n, number in enumerate(NUMBERS):
            ms.add_script(_draft(number))
            ms.set_class(ScriptId(n + 1), "13B" if n < 2 else "13C")
            ms.set_mark(ScriptId(n + 1), criterion, 12)
        ms.use_marker("Tess Teacher", "TT", "teacher")
        for n in range(len(NUMBERS)):
            ms.set_mark(ScriptId(n + 1), criterion, 8)
    finally:
        ms.close()
    return path


def _window(qtbot, path: Path) -> MainWindow:
    return open_window(qtbot, path, size=None)


def test_moderation_menu_has_the_three_actions(qtbot, two_marked):
    win = _window(qtbot, two_marked)
    texts = [a.text() for a in win.moderation_menu.actions()]
    assert texts == ["&Allocate scripts…", "Allocate this script &to…", "A&gree marks…",
                     "Set as &definitive"]
    assert win.act_allocate.isEnabled() and win.act_agree.isEnabled()
    assert win.act_definitive.isEnabled()
    win.close_set()
    assert not win.act_allocate.isEnabled() and not win.act_agree.isEnabled()


@pytest.mark.parametrize("method", ["random", "class"])
def test_allocate_scripts_with_a_new_marker(qtbot, two_marked, monkeypatch, method):
    win = _window(qtbot, two_marked)
    ms = win.marking_set
    teacher = ms.find_marker("Tess Teacher").id
    monkeypatch.setattr(moderating, "ask_allocation",
                        lambda parent, markers: ([teacher], method, "Nia New", "teacher"))
    seen = []
    win.session.changed.connect(seen.append)
    assert win.allocate_scripts_dialog()
    new = ms.find_marker("Nia New", "teacher")
    assert new is not None
    allocation = ms.allocation()
    assert len(allocation) == len(NUMBERS)
    assert set(allocation.values()) == {teacher, new.id}
    assert sorted(list(allocation.values()).count(m) for m in (teacher, new.id)) == [2, 2]
    if method == "class":   # each class kept together
        assert allocation[ScriptId(1)] == allocation[ScriptId(2)]
        assert allocation[ScriptId(3)] == allocation[ScriptId(4)]
    assert seen


def test_allocate_with_no_marker_is_refused(qtbot, two_marked, monkeypatch):
    win = _window(qtbot, two_marked)
    monkeypatch.setattr(moderating, "ask_allocation",
                        lambda parent, markers: ([], "random", "", "teacher"))
    failures = []
    win.session.failed.connect(failures.append)
    assert not win.allocate_scripts_dialog()
    assert failures and "at least one marker" in failures[0]
    assert win.marking_set.allocation() == {}


def test_agree_marks_for_the_shown_script(qtbot, two_marked, monkeypatch):
    win = _window(qtbot, two_marked)
    ms = win.marking_set
    script = win.current_script.id
    names = [c.name for c in ms.scheme.criteria]
    offered = {}

    def ask(parent, criteria):
        offered.update({name: hint for name, _maximum, hint in criteria})
        return {names[0]: ("mean", None)}

    monkeypatch.setattr(moderating, "ask_agreement", ask)
    assert win.agree_marks_dialog()
    assert offered[names[0]] == "8 / 12"
    agreed = ms.agreed_marks(script)
    assert [(a.criterion, a.mark, a.method) for a in agreed] == [(names[0], 10, "mean")]
    assert agreed[0].agreed_by == ms.find_marker("Tess Teacher").id
    assert "Agreed:" in win.statusBar().currentMessage()

    for choice, expected in ((("second", None), (12, "second")),
                             (("first", None), (8, "first")),
                             (("typed", 3), (3, "typed"))):
        monkeypatch.setattr(moderating, "ask_agreement",
                            lambda parent, criteria, c=choice: {names[0]: c})
        assert win.agree_marks_dialog()
        got = {a.criterion: (a.mark, a.method) for a in ms.agreed_marks(script)}
        assert got == {names[0]: expected}


def test_a_blind_marker_cannot_agree(qtbot, two_marked, monkeypatch):
    win = _window(qtbot, two_marked)
    ms = win.marking_set
    assert win.session.use_marker("Sam Second", "SS", "second")
    assert win.session.set_blind(True)
    asked = []
    monkeypatch.setattr(moderating, "ask_agreement",
                        lambda parent, criteria: asked.append(criteria) or {})
    failures = []
    win.session.failed.connect(failures.append)
    assert not win.agree_marks_dialog()
    assert not asked                          # nothing of the others' marks is shown
    assert failures and "blind" in failures[0]
    # the core refuses too, through the session
    assert not win.session.agree(win.current_script.id, ms.scheme.criteria[0].name, "first")
    assert "blind" in failures[-1]
    assert ms.agreed_marks() == []


def test_set_as_definitive(qtbot, two_marked):
    win = _window(qtbot, two_marked)
    ms = win.marking_set
    script = win.current_script.id
    assert win.set_definitive_marks()
    definitive = ms.definitive_marks(script)
    assert [(d.criterion, d.mark) for d in definitive] == [(ms.scheme.criteria[0].name, 8)]
    assert definitive[0].set_by == ms.find_marker("Tess Teacher").id
    assert ms.definitive_marks(ScriptId(99)) == []


def test_the_dialogs_give_their_choices(qtbot):
    from PySide6.QtCore import Qt

    allocate = moderating.AllocateDialog(None, [(1, "Tess (teacher)"), (2, "Sam (second)")])
    qtbot.addWidget(allocate)
    allocate.marker_list.item(1).setCheckState(Qt.CheckState.Unchecked)
    allocate.method.setCurrentIndex(1)
    allocate.new_name.setText("Nia New")
    assert allocate.choice() == ([1], "class", "Nia New", "teacher")

    agree = moderating.AgreeDialog(None, [("AO1", 25, "8 / 12")])
    qtbot.addWidget(agree)
    method, spin = agree.rows["AO1"]
    assert agree.choice() == {"AO1": ("first", None)}
    assert not spin.isEnabled()
    method.setCurrentIndex(3)
    assert spin.isEnabled() and spin.maximum() == 25
    spin.setValue(14)
    assert agree.choice() == {"AO1": ("typed", 14)}


def test_allocating_the_shown_script_by_hand(window, monkeypatch):
    from gui import dialogs

    ms = window.marking_set
    ms.add_marker("Mr Second", None, "second")
    markers = ms.markers()
    wanted = next(i for i, m in enumerate(markers) if m.name == "Mr Second")
    monkeypatch.setattr(dialogs, "ask_marker_choice", lambda parent, title, labels: wanted)
    script_id = window.current_script.id
    assert window.allocate_script_to()
    assert script_id in ms.allocated_to(markers[wanted].id)
    assert window.act_allocate_one in window.moderation_menu.actions()
