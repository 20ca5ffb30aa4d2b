"""Undoable marking edits: one QUndoCommand class per kind of edit. Each captures the old
value when it is made, and its redo()/undo() call the marking set's public methods; the
window applies the returned Changes to its views."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QUndoCommand

from rubric.ids import AnnotationId, ScriptId
from rubric.importing.model import ScriptDraft
from rubric.scheme import Scheme
from rubric.store import Changes, MarkingSet
from rubric.store.markingset import FileReplacement

Apply = Callable[[Changes], None]

MERGE_COMMENT = 1001


class MarkingCommand(QUndoCommand):
    def __init__(self, marking_set: MarkingSet, apply: Apply, text: str):
        super().__init__(text)
        self.marking_set = marking_set
        self.apply = apply


class SetMarkCommand(MarkingCommand):
    """Choose a level and/or a mark for one criterion of one script."""

    def __init__(self, marking_set: MarkingSet, apply: Apply, script_id: ScriptId,
                 criterion: str, level: str | None, mark: int | None, text: str):
        super().__init__(marking_set, apply, text)
        self.script_id, self.criterion = script_id, criterion
        old = marking_set.marks_for(script_id).get(criterion)
        self.old = (old.level, old.mark) if old else (None, None)
        self.marker = marking_set.current_marker.id
        self.level, self.mark = level, mark
        # the new state is what the core makes of the request (e.g. a kept mark)
        self.new: tuple[str | None, int | None] | None = None

    def redo(self) -> None:
        ms = self.marking_set
        if self.new is None:
            if self.mark is not None:
                changes = ms.set_mark(self.script_id, self.criterion, self.mark, self.level,
                                      self.marker)
            else:
                changes = ms.set_level(self.script_id, self.criterion, self.level, self.marker)
            now = ms.marks_for(self.script_id, self.marker).get(self.criterion)
            self.new = (now.level, now.mark) if now else (None, None)
        else:
            changes = ms.restore_mark(self.script_id, self.criterion, *self.new, self.marker)
        self.apply(changes | Changes(scripts=frozenset({self.script_id}), marks=True,
                                     status=True))

    def undo(self) -> None:
        changes = self.marking_set.restore_mark(self.script_id, self.criterion, *self.old,
                                                self.marker)
        self.apply(changes | Changes(scripts=frozenset({self.script_id}), marks=True,
                                     status=True))


class SetCommentCommand(MarkingCommand):
    """Typing in a comment box; consecutive typing in the same box merges into one step."""

    def __init__(self, marking_set: MarkingSet, apply: Apply, script_id: ScriptId, field: str,
                 old_text: str, new_text: str):
        label = {"www": "what went well", "ebi": "even better if", "general": "comment"}[field]
        super().__init__(marking_set, apply, f"Edit {label}")
        self.script_id, self.field = script_id, field
        self.old_text, self.new_text = old_text, new_text
        self.marker = marking_set.current_marker.id

    def id(self) -> int:
        return MERGE_COMMENT

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetCommentCommand) or other.script_id != self.script_id \
                or other.field != self.field:
            return False
        self.new_text = other.new_text
        return True

    def _set(self, text: str) -> None:
        changes = self.marking_set.set_comments(self.script_id, marker=self.marker,
                                                **{self.field: text})
        self.apply(changes | Changes(scripts=frozenset({self.script_id}), comments=True))

    def redo(self) -> None:
        self._set(self.new_text)

    def undo(self) -> None:
        self._set(self.old_text)


class AddAnnotationCommand(MarkingCommand):
    def __init__(self, marking_set: MarkingSet, apply: Apply, script_id: ScriptId, start: int,
                 end: int, comment: str, criterion: str | None):
        super().__init__(marking_set, apply, "Add annotation")
        self.args = (script_id, start, end, comment, criterion)
        self.marker = marking_set.current_marker.id
        self.annotation_id: AnnotationId | None = None

    def redo(self) -> None:
        script_id, start, end, comment, criterion = self.args
        changes = self.marking_set.add_annotation(script_id, start, end, comment, criterion,
                                                  self.marker, annotation_id=self.annotation_id)
        self.annotation_id = AnnotationId(changes.created)
        self.apply(changes)

    def undo(self) -> None:
        assert self.annotation_id is not None
        self.apply(self.marking_set.delete_annotation(self.annotation_id))


class EditAnnotationCommand(MarkingCommand):
    def __init__(self, marking_set: MarkingSet, apply: Apply, annotation_id: AnnotationId,
                 comment: str, criterion: str | None):
        super().__init__(marking_set, apply, "Edit annotation")
        old = marking_set.annotation(annotation_id)
        self.annotation_id = annotation_id
        self.old = (old.comment, old.criterion)
        self.new = (comment, criterion)

    def redo(self) -> None:
        comment, criterion = self.new
        self.apply(self.marking_set.update_annotation(self.annotation_id, comment=comment,
                                                      criterion=criterion))

    def undo(self) -> None:
        comment, criterion = self.old
        self.apply(self.marking_set.update_annotation(self.annotation_id, comment=comment,
                                                      criterion=criterion))


class DeleteAnnotationCommand(MarkingCommand):
    def __init__(self, marking_set: MarkingSet, apply: Apply, annotation_id: AnnotationId):
        super().__init__(marking_set, apply, "Delete annotation")
        self.annotation = marking_set.annotation(annotation_id)

    def redo(self) -> None:
        self.apply(self.marking_set.delete_annotation(self.annotation.id))

    def undo(self) -> None:
        a = self.annotation
        self.apply(self.marking_set.add_annotation(a.script_id, a.start, a.end, a.comment,
                                                   a.criterion, a.marker_id,
                                                   annotation_id=a.id,
                                                   lost_quote=a.quote if a.lost else None))


class SetCompleteCommand(MarkingCommand):
    def __init__(self, marking_set: MarkingSet, apply: Apply, script_id: ScriptId,
                 complete: bool):
        super().__init__(marking_set, apply,
                         "Mark script complete" if complete else "Reopen script")
        self.script_id = script_id
        self.old = marking_set.summary(script_id).completed
        self.new = complete

    def redo(self) -> None:
        self.apply(self.marking_set.set_complete(self.script_id, self.new))

    def undo(self) -> None:
        self.apply(self.marking_set.set_complete(self.script_id, self.old))


class EditCandidateCommand(MarkingCommand):
    """Correct a script's candidate name and number."""

    def __init__(self, marking_set: MarkingSet, apply: Apply, script_id: ScriptId, name: str,
                 number: str):
        super().__init__(marking_set, apply, "Edit candidate")
        summary = marking_set.summary(script_id)
        self.script_id = script_id
        self.old = (summary.candidate_name, summary.candidate_number)
        self.new = (name, number)

    def redo(self) -> None:
        self.apply(self.marking_set.update_candidate(self.script_id, *self.new))

    def undo(self) -> None:
        self.apply(self.marking_set.update_candidate(self.script_id, *self.old))


class RemoveScriptCommand(MarkingCommand):
    """Take a script out of the set; undo brings it back with its marks and comments."""

    def __init__(self, marking_set: MarkingSet, apply: Apply, script_id: ScriptId):
        candidate = marking_set.summary(script_id).candidate
        super().__init__(marking_set, apply, f"Remove {candidate}")
        self.script_id = script_id

    def redo(self) -> None:
        self.apply(self.marking_set.remove_script(self.script_id))

    def undo(self) -> None:
        self.apply(self.marking_set.restore_script(self.script_id))


class ReplaceFileCommand(MarkingCommand):
    """Put a new version of a script's file in place, re-anchoring its annotations; undo
    puts the old file back with every annotation where it was."""

    def __init__(self, marking_set: MarkingSet, apply: Apply, script_id: ScriptId,
                 draft: ScriptDraft):
        super().__init__(marking_set, apply, "Replace file")
        script = marking_set.script(script_id)
        self.script_id = script_id
        self.new = draft
        self.old = ScriptDraft(
            path=Path(script.file_name), format=script.format,
            paragraphs=list(script.paragraphs), title=script.title,
            candidate_name=script.candidate_name, candidate_number=script.candidate_number,
            word_count=script.word_count, coursework_word_count=script.coursework_word_count,
            warnings=[w for w in script.warnings if w.code != "annotations_lost"],
            has_text=script.has_text, page_count=script.page_count,
            source_bytes=marking_set.source_bytes(script_id))
        self.old_anchors = {a.id: (a.start, a.end, a.lost)
                            for a in marking_set.annotations(script_id)}
        self.result: FileReplacement | None = None

    def redo(self) -> None:
        self.result = self.marking_set.replace_script_file(self.script_id, self.new)
        self.apply(self.result.changes)

    def undo(self) -> None:
        result = self.marking_set.replace_script_file(self.script_id, self.old,
                                                      anchors=self.old_anchors)
        self.apply(result.changes)


class ChangeSchemeCommand(MarkingCommand):
    """A rubric edit. Undo stores the previous scheme again as a newer version."""

    def __init__(self, marking_set: MarkingSet, apply: Apply, scheme: Scheme):
        super().__init__(marking_set, apply, "Edit rubric")
        self.old = marking_set.scheme
        self.new = scheme

    def redo(self) -> None:
        self.apply(self.marking_set.update_scheme(self.new))

    def undo(self) -> None:
        self.apply(self.marking_set.update_scheme(self.old))
