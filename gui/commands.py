"""Undoable marking edits: one QUndoCommand class per kind of edit (orange-canvas-core's
way). Each captures the old value when it is made; its ``do()``/``undo_change()`` call the
marking set's public methods and return the core's :class:`Changes`, which the session
broadcasts. A core refusal in ``redo()`` or ``undo()`` marks the command obsolete (so the
undo stack drops it) and is reported through the session as a plain message, never as a
Qt "Error calling Python override" line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from rubric.errors import EssayMarkerError
from rubric.ids import AnnotationId, MarkerId, ScriptId
from rubric.importing.model import ScriptDraft
from rubric.scheme import Scheme
from rubric.store import Changes, MarkingSet
from rubric.store.markingset import FileReplacement

if TYPE_CHECKING:
    from gui.session import MarkingSession

MERGE_COMMENT = 1001


@dataclass
class Outcome:
    """What the first ``redo()`` made of a command: done or refused, and any value (a new
    annotation's id, a file replacement). Kept apart from the command, which the undo
    stack deletes when it is refused."""

    done: bool = False
    value: Any = None


class SessionCommand(QUndoCommand):
    def __init__(self, session: MarkingSession, text: str):
        super().__init__(text)
        self.session = session
        self.outcome = Outcome()
        self._done_once = False

    @property
    def marking_set(self) -> MarkingSet:
        marking_set = self.session.marking_set
        assert marking_set is not None
        return marking_set

    def do(self) -> Changes:
        raise NotImplementedError

    def undo_change(self) -> Changes:
        raise NotImplementedError

    def _guarded(self, step) -> bool:
        try:
            changes = step()
        except EssayMarkerError as exc:
            self.setObsolete(True)   # the stack drops it: nothing was saved
            self.session.report(str(exc))
            return False
        self.session.announce(changes)
        return True

    def redo(self) -> None:
        ok = self._guarded(self.do)
        if not self._done_once:
            self._done_once = True
            self.outcome.done = ok

    def undo(self) -> None:
        self._guarded(self.undo_change)


class SetMarkCommand(SessionCommand):
    """Choose a level and/or a mark for one criterion of one script."""

    def __init__(self, session: MarkingSession, script_id: ScriptId, criterion: str,
                 level: str | None, mark: int | None, text: str):
        super().__init__(session, text)
        ms = self.marking_set
        self.script_id, self.criterion = script_id, criterion
        self.marker = ms.current_marker.id
        old = ms.marks_for(script_id, self.marker).get(criterion)
        self.old = (old.level, old.mark) if old else (None, None)
        self.level, self.mark = level, mark
        # the new state is what the core makes of the request (e.g. a kept mark)
        self.new: tuple[str | None, int | None] | None = None

    def do(self) -> Changes:
        ms = self.marking_set
        if self.new is not None:
            return ms.restore_mark(self.script_id, self.criterion, *self.new, self.marker)
        if self.mark is not None:
            changes = ms.set_mark(self.script_id, self.criterion, self.mark, self.level,
                                  self.marker)
        else:
            changes = ms.set_level(self.script_id, self.criterion, self.level, self.marker)
        now = ms.marks_for(self.script_id, self.marker).get(self.criterion)
        self.new = (now.level, now.mark) if now else (None, None)
        return changes

    def undo_change(self) -> Changes:
        return self.marking_set.restore_mark(self.script_id, self.criterion, *self.old,
                                             self.marker)


class SetCommentCommand(SessionCommand):
    """Typing in a comment box; consecutive typing in the same box merges into one step."""

    def __init__(self, session: MarkingSession, script_id: ScriptId, field: str,
                 old_text: str, new_text: str):
        label = {"www": "what went well", "ebi": "even better if", "general": "comment"}[field]
        super().__init__(session, f"Edit {label}")
        self.script_id, self.field = script_id, field
        self.old_text, self.new_text = old_text, new_text
        self.marker = self.marking_set.current_marker.id

    def id(self) -> int:
        return MERGE_COMMENT

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetCommentCommand) or other.script_id != self.script_id \
                or other.field != self.field or not other.outcome.done:
            return False
        self.new_text = other.new_text
        return True

    def _set(self, text: str) -> Changes:
        return self.marking_set.set_comments(self.script_id, marker=self.marker,
                                             **{self.field: text})

    def do(self) -> Changes:
        return self._set(self.new_text)

    def undo_change(self) -> Changes:
        return self._set(self.old_text)


class AddAnnotationCommand(SessionCommand):
    def __init__(self, session: MarkingSession, script_id: ScriptId, start: int, end: int,
                 comment: str, criterion: str | None):
        super().__init__(session, "Add annotation")
        self.args = (script_id, start, end, comment, criterion)
        self.marker = self.marking_set.current_marker.id
        self.annotation_id: AnnotationId | None = None

    def do(self) -> Changes:
        script_id, start, end, comment, criterion = self.args
        changes = self.marking_set.add_annotation(script_id, start, end, comment, criterion,
                                                  self.marker, annotation_id=self.annotation_id)
        self.annotation_id = AnnotationId(changes.created)
        self.outcome.value = self.annotation_id
        return changes

    def undo_change(self) -> Changes:
        assert self.annotation_id is not None
        return self.marking_set.delete_annotation(self.annotation_id)


class EditAnnotationCommand(SessionCommand):
    def __init__(self, session: MarkingSession, annotation_id: AnnotationId, comment: str,
                 criterion: str | None):
        super().__init__(session, "Edit annotation")
        old = self.marking_set.annotation(annotation_id)
        self.annotation_id = annotation_id
        self.old = (old.comment, old.criterion)
        self.new = (comment, criterion)

    def _set(self, comment: str, criterion: str | None) -> Changes:
        return self.marking_set.update_annotation(self.annotation_id, comment=comment,
                                                  criterion=criterion)

    def do(self) -> Changes:
        return self._set(*self.new)

    def undo_change(self) -> Changes:
        return self._set(*self.old)


class DeleteAnnotationCommand(SessionCommand):
    def __init__(self, session: MarkingSession, annotation_id: AnnotationId):
        super().__init__(session, "Delete annotation")
        self.annotation = self.marking_set.annotation(annotation_id)

    def do(self) -> Changes:
        return self.marking_set.delete_annotation(self.annotation.id)

    def undo_change(self) -> Changes:
        a = self.annotation
        return self.marking_set.add_annotation(a.script_id, a.start, a.end, a.comment,
                                               a.criterion, a.marker_id, annotation_id=a.id,
                                               lost_quote=a.quote if a.lost else None)


class SetCompleteCommand(SessionCommand):
    def __init__(self, session: MarkingSession, script_id: ScriptId, complete: bool):
        super().__init__(session, "Mark script complete" if complete else "Reopen script")
        self.script_id = script_id
        self.old = self.marking_set.summary(script_id).completed
        self.new = complete

    def do(self) -> Changes:
        return self.marking_set.set_complete(self.script_id, self.new)

    def undo_change(self) -> Changes:
        return self.marking_set.set_complete(self.script_id, self.old)


class EditCandidateCommand(SessionCommand):
    """Correct a script's candidate name and number."""

    def __init__(self, session: MarkingSession, script_id: ScriptId, name: str, number: str):
        super().__init__(session, "Edit candidate")
        summary = self.marking_set.summary(script_id)
        self.script_id = script_id
        self.old = (summary.candidate_name, summary.candidate_number)
        self.new = (name, number)

    def do(self) -> Changes:
        return self.marking_set.update_candidate(self.script_id, *self.new)

    def undo_change(self) -> Changes:
        return self.marking_set.update_candidate(self.script_id, *self.old)


class RemoveScriptCommand(SessionCommand):
    """Take a script out of the set; undo brings it back with its marks and comments."""

    def __init__(self, session: MarkingSession, script_id: ScriptId):
        candidate = session.marking_set.summary(script_id).candidate
        super().__init__(session, f"Remove {candidate}")
        self.script_id = script_id

    def do(self) -> Changes:
        return self.marking_set.remove_script(self.script_id)

    def undo_change(self) -> Changes:
        return self.marking_set.restore_script(self.script_id)


class ReplaceFileCommand(SessionCommand):
    """Put a new version of a script's file in place, re-anchoring its annotations; undo
    puts the old file back with every annotation where it was."""

    def __init__(self, session: MarkingSession, script_id: ScriptId, draft: ScriptDraft):
        super().__init__(session, "Replace file")
        ms = self.marking_set
        script = ms.script(script_id)
        self.script_id = script_id
        self.new = draft
        self.old = ScriptDraft(
            path=Path(script.file_name), format=script.format,
            paragraphs=list(script.paragraphs), title=script.title,
            candidate_name=script.candidate_name, candidate_number=script.candidate_number,
            word_count=script.word_count, coursework_word_count=script.coursework_word_count,
            warnings=[w for w in script.warnings if w.code != "annotations_lost"],
            has_text=script.has_text, page_count=script.page_count,
            source_bytes=ms.source_bytes(script_id))
        self.old_anchors = {a.id: (a.start, a.end, a.lost) for a in ms.annotations(script_id)}

    def do(self) -> Changes:
        result: FileReplacement = self.marking_set.replace_script_file(self.script_id, self.new)
        self.outcome.value = result
        return result.changes

    def undo_change(self) -> Changes:
        return self.marking_set.replace_script_file(self.script_id, self.old,
                                                    anchors=self.old_anchors).changes


class ChangeSchemeCommand(SessionCommand):
    """A rubric edit. Undo stores the previous scheme again as a newer version."""

    def __init__(self, session: MarkingSession, scheme: Scheme):
        super().__init__(session, "Edit rubric")
        self.old = self.marking_set.scheme
        self.new = scheme

    def do(self) -> Changes:
        return self.marking_set.update_scheme(self.new)

    def undo_change(self) -> Changes:
        return self.marking_set.update_scheme(self.old)


class ImportMarkbookCommand(SessionCommand):
    """A markbook's marks as one step: all applied in one transaction, and undo puts back,
    in one transaction, the importing marker's marks as they were."""

    def __init__(self, session: MarkingSession, changes: Any, marker: MarkerId | None):
        count = len(changes.changes) if hasattr(changes, "changes") else len(changes)
        super().__init__(session, f"Import {count} marks from a markbook")
        ms = self.marking_set
        self.changes = changes
        self.marker = marker if marker is not None else ms.current_marker.id
        items = changes.changes if hasattr(changes, "changes") else changes
        self.before: dict[tuple[ScriptId, str], tuple[str | None, int | None]] = {}
        for change in items:
            old = ms.marks_for(change.script_id, self.marker).get(change.criterion)
            self.before[(change.script_id, change.criterion)] = (
                (old.level, old.mark) if old else (None, None))

    def do(self) -> Changes:
        from rubric.export import apply_markbook

        return apply_markbook(self.changes, self.marking_set, self.marker)

    def undo_change(self) -> Changes:
        ms = self.marking_set
        result = Changes()
        with ms.atomic("undo markbook import", {"changes": len(self.before)}):
            for (script_id, criterion), (level, mark) in self.before.items():
                result |= ms.restore_mark(script_id, criterion, level, mark, self.marker)
        return result


class JudgeCommand(SessionCommand):
    """One comparative judgement: ``winner`` was the better answer. Undo takes it back;
    Redo records it again with the same identity."""

    def __init__(self, session: MarkingSession, winner: ScriptId, loser: ScriptId,
                 seconds: float | None):
        super().__init__(session, "Comparative judgement")
        self.args = (winner, loser, seconds)
        self.judge = self.marking_set.current_marker.id
        self.judgement = None   # the recorded row, once made

    def do(self) -> Changes:
        ms = self.marking_set
        if self.judgement is not None:
            changes = ms.restore_judgement(self.judgement)
        else:
            winner, loser, seconds = self.args
            changes = ms.add_judgement(winner, loser, seconds, judge=self.judge)
            self.judgement = next(j for j in ms.judgements(self.judge) if j.id == changes.created)
        self.outcome.value = changes.created
        return changes

    def undo_change(self) -> Changes:
        assert self.judgement is not None
        found = next((j for j in self.marking_set.judgements(self.judge)
                      if j.uuid == self.judgement.uuid), None)
        if found is None:
            return Changes()
        return self.marking_set.withdraw_judgement(found.id)


class AdjustmentCommand(SessionCommand):
    """A moderation adjustment of a teacher's marks (``service.apply_plan``: one
    transaction, audited with its line); undo is ``service.undo_adjustment`` (one
    transaction putting the teacher's original marks back). The current marker is kept."""

    def __init__(self, session: MarkingSession, plan: Any):
        super().__init__(session, f"Adjust {plan.teacher.name}'s marks")
        self.plan = plan
        self.scripts = frozenset(ScriptId(s) for s, *_ in plan.changes())

    def _changes(self) -> Changes:
        return Changes(scripts=self.scripts, marks=True, status=True,
                       script_list=bool(self.scripts))

    def _as_current(self, step) -> None:
        ms = self.marking_set
        me = ms.current_marker
        try:
            step(ms)
        finally:
            if ms.current_marker.id != me.id:
                ms.use_marker(me.name, me.initials, str(me.role))

    def do(self) -> Changes:
        from rubric.moderation import service

        self._as_current(lambda ms: service.apply_plan(ms, self.plan))
        return self._changes()

    def undo_change(self) -> Changes:
        from rubric.moderation import service

        self._as_current(service.undo_adjustment)
        return self._changes()
