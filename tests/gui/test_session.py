"""The MarkingSession: the one way the GUI changes a set. Commands go through it, views
hear every change on one signal, a refused step never stays on the undo stack, and bulk
edits are one undoable step."""

from __future__ import annotations

import pytest

from gui.session import MarkingSession
from rubric.ids import ScriptId
from rubric.record import replace
from rubric.store import MarkingSet


@pytest.fixture
def session(qtbot, tmp_path, essay_scheme_for_gui, make_gui_draft):
    path = tmp_path / "13B.markset"
    MarkingSet.create(path, "13B", essay_scheme_for_gui).close()
    session = MarkingSession()
    ms = session.open(path)
    for number in ("4017", "4023"):
        ms.add_script(make_gui_draft(number))
    heard = []
    session.changed.connect(heard.append)
    failures = []
    session.failed.connect(failures.append)
    session.heard, session.failures = heard, failures
    yield session
    session.close()


@pytest.fixture
def essay_scheme_for_gui():
    from rubric.templates import template

    return template("aqa-history-essay-25")


@pytest.fixture
def make_gui_draft():
    from pathlib import Path

    from rubric.importing.model import Paragraph, ScriptDraft

    def make(number: str) -> ScriptDraft:
        text = f"Stolypin’s reforms — candidate {number} — created a loyal peasantry. " * 20
        return ScriptDraft(path=Path(f"{number}_Khan_Amira.docx"), format="docx",
                           paragraphs=[Paragraph(text)], candidate_name=f"Amira {number}",
                           candidate_number=number, word_count=200,
                           coursework_word_count=200, source_bytes=number.encode())
    return make


ONE = ScriptId(1)


def test_every_edit_is_broadcast_with_what_changed(session):
    assert session.set_level(ONE, "AO1", "Level 4")
    assert session.set_mark(ONE, "AO1", 18)
    assert session.set_comment(ONE, "www", "Sustained argument")
    assert session.add_annotation(ONE, 0, 9, "Precise", "AO1") is not None
    kinds = [(c.marks, c.comments, c.annotations) for c in session.heard]
    assert kinds == [(True, False, False), (True, False, False), (False, True, False),
                     (False, False, True)]
    assert all(ONE in c.scripts for c in session.heard)
    session.undo_stack.undo()
    assert session.heard[-1].annotations and not session.marking_set.annotations(ONE)


def test_a_refused_step_leaves_nothing_on_the_stack_and_says_why_plainly(session):
    session.set_mark(ONE, "AO1", 18)
    depth = session.undo_stack.count()
    assert not session.set_mark(ONE, "AO1", 99)
    assert session.undo_stack.count() == depth          # the failed step is not there
    assert session.failures == ["AO1: 99 is above the maximum of 25"]
    assert "QUndoCommand" not in session.failures[0]
    session.undo_stack.undo()                            # undo undoes the 18, not the 99
    assert session.marking_set.marks_for(ONE) == {}


def test_typing_a_mark_after_a_scheme_edit_removed_its_level(session):
    ms = session.marking_set
    session.set_mark(ONE, "AO1", 23)                     # Level 5
    ao1 = ms.scheme.criteria[0]
    merged = [lv for lv in ao1.levels if lv.label != "Level 5"]
    merged[-1] = replace(merged[-1], max_mark=25)        # Level 4 now 16-25
    session.change_scheme(replace(ms.scheme, criteria=(replace(ao1, levels=tuple(merged)),)))
    assert ms.marks_for(ONE)["AO1"].needs_review
    assert session.set_mark(ONE, "AO1", 24)              # no AttributeError: a new level
    mark = ms.marks_for(ONE)["AO1"]
    assert (mark.level, mark.mark, mark.needs_review) == ("Level 4", 24, False)
    assert session.failures == []


def test_a_markbook_import_is_one_undoable_step(session):
    from rubric.export.markbook_import import MarkbookChanges, MarkChange

    session.set_mark(ONE, "AO1", 12)
    before = session.undo_stack.count()
    changes = MarkbookChanges(changes=[
        MarkChange(2, ONE, "Amira 4017", "AO1", "Level 3", 12, None, 19),
        MarkChange(3, ScriptId(2), "Amira 4023", "AO1", None, None, None, 7)])
    assert session.import_markbook(changes)
    ms = session.marking_set
    assert (ms.total(ONE), ms.total(ScriptId(2))) == (19, 7)
    assert session.undo_stack.count() == before + 1      # one step, history kept
    session.undo_stack.undo()
    assert (ms.total(ONE), ms.total(ScriptId(2))) == (12, None)
    session.undo_stack.redo()
    assert (ms.total(ONE), ms.total(ScriptId(2))) == (19, 7)
    session.undo_stack.undo()
    session.undo_stack.undo()                            # and the 12 before it
    assert ms.total(ONE) is None


def test_views_subscribe_to_the_broadcast(session, qtbot):
    from gui.panels.rubric import RubricPanel

    panel = RubricPanel()
    qtbot.addWidget(panel)
    ms = session.marking_set
    panel.set_scheme(ms.scheme)
    panel.follow(session)
    panel.show_script(ONE, ms.marks_for(ONE), ms.comments(ONE))
    session.set_mark(ONE, "AO1", 17)
    assert "17" in panel.total_label.text()
    session.set_mark(ScriptId(2), "AO1", 3)              # another script: not shown here
    assert "17" in panel.total_label.text()
