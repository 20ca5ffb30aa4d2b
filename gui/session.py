"""The one way the GUI changes a marking set: a :class:`MarkingSession`.

It owns the open :class:`~rubric.store.MarkingSet` and the window's undo stack. Every edit
a user makes goes through one of its methods, which wraps a core call in an undoable
command (:mod:`gui.commands`) or, for what is not undoable (choosing the marker, counting
a bank comment's use, adding imported files), runs it directly. Either way the core's
:class:`~rubric.store.Changes` is broadcast on one signal, :attr:`changed`, and each view
subscribes and refreshes only what concerns it (Anki's ``OpChanges`` broadcast): nothing
central has to know the views. A refusal by the core (a mark that does not fit, a disk
that is full) is reported once on :attr:`failed` as a plain one-line message, and the
failed step never stays on the undo stack.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from gui import commands
from rubric import marking
from rubric.errors import EssayMarkerError
from rubric.ids import AnnotationId, MarkerId, ScriptId
from rubric.importing.model import ScriptDraft
from rubric.scheme import Scheme
from rubric.store import Annotation, Changes, Mark, MarkingSet, OverallComment, Script
from rubric.store.markingset import FileReplacement

T = TypeVar("T")


class MarkingSession(QObject):
    """The open set, its undo stack, and the broadcast of what changed."""

    #: Every saved change, as the core described it (a :class:`Changes`).
    changed = Signal(object)
    #: A change the core refused, or an error while saving: one line for the user.
    failed = Signal(str)
    #: A set was opened (the :class:`MarkingSet`) / the open set was closed.
    opened = Signal(object)
    closed = Signal()

    #: How many scripts' reads (text, annotations, marks, comments) are kept for going
    #: back to them (a few hundred kilobytes).
    KEPT_SCRIPTS = 24

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._set: MarkingSet | None = None
        self.last_error: str | None = None
        # script id -> {"script": ..., "annotations": ..., "marks": ..., "comments": ...}
        self._reads: OrderedDict[ScriptId, dict[str, Any]] = OrderedDict()

    # -- the open set ------------------------------------------------------------------

    @property
    def marking_set(self) -> MarkingSet | None:
        return self._set

    def open(self, path: str | Path) -> MarkingSet:
        """Open the set at ``path`` (raises :class:`EssayMarkerError`), closing any other."""
        marking_set = MarkingSet.open(Path(path))
        self.close()
        self._set = marking_set
        self._reads.clear()
        self.undo_stack.clear()
        self.opened.emit(marking_set)
        return marking_set

    def close(self) -> None:
        if self._set is None:
            return
        self.undo_stack.clear()
        marking_set, self._set = self._set, None
        self._reads.clear()
        marking_set.close()
        self.closed.emit()

    # -- what showing a script reads, kept until a change concerns it -------------------

    def _read(self, script_id: ScriptId, what: str, read: Callable[[MarkingSet], T]) -> T:
        ms = self._set
        assert ms is not None
        kept = self._reads.get(script_id)
        if kept is None:
            kept = self._reads[script_id] = {}
            if len(self._reads) > self.KEPT_SCRIPTS:
                self._reads.popitem(last=False)
        else:
            self._reads.move_to_end(script_id)
        if what not in kept:
            kept[what] = read(ms)   # an exception (a damaged row) keeps nothing
        return kept[what]

    def script(self, script_id: ScriptId) -> Script:
        """The script with its text (``MarkingSet.script``), read once until a change
        names it: switching back to a script does not parse its text again."""
        return self._read(script_id, "script", lambda ms: ms.script(script_id))

    def annotations(self, script_id: ScriptId) -> list[Annotation]:
        """The current marker's annotations on the script, as ``MarkingSet.annotations``."""
        return list(self._read(script_id, "annotations",
                               lambda ms: ms.annotations(script_id, ms.current_marker.id)))

    def marks_for(self, script_id: ScriptId) -> dict[str, Mark]:
        """The current marker's marks on the script, as ``MarkingSet.marks_for``."""
        return dict(self._read(script_id, "marks", lambda ms: ms.marks_for(script_id)))

    def comments(self, script_id: ScriptId) -> OverallComment:
        """The current marker's overall comments on the script, as ``MarkingSet.comments``."""
        return self._read(script_id, "comments", lambda ms: ms.comments(script_id))

    def _forget(self, changes: Changes) -> None:
        """Drop the kept reads a change may have made wrong: those of the scripts it names;
        all of them when it concerns the whole set (the list, the scheme, who is marking)
        or names no script."""
        if changes.script_list or changes.scheme or changes.markers or (
                not changes.scripts and (changes.marks or changes.annotations
                                         or changes.comments or changes.status)):
            self._reads.clear()
            return
        for script_id in changes.scripts:
            self._reads.pop(script_id, None)

    # -- broadcasting ------------------------------------------------------------------

    def announce(self, changes: Changes) -> None:
        """Tell every view what changed (commands call this after each core call)."""
        if not changes.nothing:
            self._forget(changes)   # before the views read again
            self.changed.emit(changes)

    def report(self, message: str) -> None:
        self.last_error = message
        self.failed.emit(message)

    def run(self, operation: Callable[[MarkingSet], T]) -> T | None:
        """Run a change that is not undoable; its :class:`Changes` (or the ``changes`` of
        what it returns) is broadcast. Returns the result, or None when the core refused."""
        if self._set is None:
            return None
        try:
            result = operation(self._set)
        except EssayMarkerError as exc:
            self.report(str(exc))
            return None
        changes = result if isinstance(result, Changes) else getattr(result, "changes", None)
        if isinstance(changes, Changes):
            self.announce(changes)
        return result

    def push(self, command: commands.SessionCommand) -> bool:
        """Do an undoable edit. True when it was saved; when the core refuses, the message
        goes out on :attr:`failed` and nothing is left on the undo stack."""
        if self._set is None:
            return False
        self.last_error = None
        outcome = command.outcome   # read before the stack may delete a refused command
        self.undo_stack.push(command)
        return outcome.done

    # -- marking -----------------------------------------------------------------------

    def set_level(self, script_id: ScriptId, criterion: str, level: str) -> bool:
        ms = self._set
        if ms is None:
            return False
        current = ms.marks_for(script_id).get(criterion)
        if current is not None and current.level == level and not current.needs_review:
            return True
        return self.push(commands.SetMarkCommand(self, script_id, criterion, level, None,
                                                 f"Choose {level} for {criterion}"))

    def set_mark(self, script_id: ScriptId, criterion: str, mark: int) -> bool:
        """Type a mark: it keeps the chosen level when it lies in it, else it goes to its
        own level (:func:`rubric.marking.level_for_typed_mark`)."""
        ms = self._set
        if ms is None:
            return False
        current = ms.marks_for(script_id).get(criterion)
        found = ms.scheme.criterion(criterion)
        if found is None:
            self.report(f"{criterion} is no longer in the rubric")
            return False
        level = marking.level_for_typed_mark(found, current.level if current else None, mark)
        if current is not None and current.mark == mark and current.level == level \
                and not current.needs_review:
            return True
        return self.push(commands.SetMarkCommand(self, script_id, criterion, level, mark,
                                                 f"Mark {mark} for {criterion}"))

    def set_comment(self, script_id: ScriptId, field: str, text: str) -> bool:
        ms = self._set
        if ms is None:
            return False
        old = getattr(ms.comments(script_id), field)
        if old == text:
            return True
        return self.push(commands.SetCommentCommand(self, script_id, field, old, text))

    def set_complete(self, script_id: ScriptId, complete: bool = True) -> bool:
        ms = self._set
        if ms is None or ms.summary(script_id).completed == complete:
            return ms is not None
        return self.push(commands.SetCompleteCommand(self, script_id, complete))

    # -- annotations -------------------------------------------------------------------

    def add_annotation(self, script_id: ScriptId, start: int, end: int, comment: str,
                       criterion: str | None) -> AnnotationId | None:
        command = commands.AddAnnotationCommand(self, script_id, start, end, comment, criterion)
        outcome = command.outcome
        self.push(command)
        return AnnotationId(outcome.value) if outcome.done and outcome.value else None

    def edit_annotation(self, annotation_id: AnnotationId, comment: str,
                        criterion: str | None) -> bool:
        return self.push(commands.EditAnnotationCommand(self, annotation_id, comment, criterion))

    def delete_annotation(self, annotation_id: AnnotationId) -> bool:
        return self.push(commands.DeleteAnnotationCommand(self, annotation_id))

    # -- comparative judgement ---------------------------------------------------------

    def judge(self, winner: ScriptId, loser: ScriptId, seconds: float | None = None) -> bool:
        """Record that the current marker judged ``winner`` the better answer (saved at
        once, undoable like a mark)."""
        return self.push(commands.JudgeCommand(self, winner, loser, seconds))

    # -- the scripts -------------------------------------------------------------------

    def edit_candidate(self, script_id: ScriptId, name: str, number: str) -> bool:
        return self.push(commands.EditCandidateCommand(self, script_id, name, number))

    def remove_script(self, script_id: ScriptId) -> bool:
        return self.push(commands.RemoveScriptCommand(self, script_id))

    def replace_file(self, script_id: ScriptId, draft: ScriptDraft) -> FileReplacement | None:
        command = commands.ReplaceFileCommand(self, script_id, draft)
        outcome = command.outcome
        self.push(command)
        return outcome.value if outcome.done else None

    def add_import_group(self, take: Callable[[], Any],
                         name_pattern: str | None = None) -> list[Any] | None:
        """Add parsed files (``take()`` gives the next until it returns None) in one
        transaction; one file that cannot be added is a one-line failure, not the group's.
        Returns each file's outcome (or failure line), or None when the group could not be
        saved at all (then nothing of it was added). Not undoable: an import is undone by
        removing the scripts."""
        ms = self._set
        if ms is None:
            return None
        staged: list[Any] = []
        try:
            with ms.atomic():
                while (result := take()) is not None:
                    try:
                        staged.append(ms.add_import_result(result, name_pattern))
                    except Exception as exc:  # noqa: BLE001 - one file, not the batch
                        reason = str(exc) if isinstance(exc, EssayMarkerError) else \
                            type(exc).__name__
                        staged.append(f"failed    {result.path.name}: could not be added "
                                      f"to the set ({reason})")
        except Exception as exc:  # noqa: BLE001 - the group could not be saved
            reason = str(exc) if isinstance(exc, EssayMarkerError) else type(exc).__name__
            self.report(f"the set could not be saved ({reason}); {len(staged)} files of the "
                        "last group were not added")
            return None
        changes = Changes()
        for outcome in staged:
            if not isinstance(outcome, str):
                changes |= outcome.changes
        self.announce(changes)
        return staged

    # -- the scheme, the bank, the marker ----------------------------------------------

    def change_scheme(self, scheme: Scheme) -> bool:
        return self.push(commands.ChangeSchemeCommand(self, scheme))

    def import_markbook(self, changes: Any, marker: MarkerId | None = None) -> bool:
        """A markbook's marks, as one undoable step (undo puts back every mark it changed)."""
        return self.push(commands.ImportMarkbookCommand(self, changes, marker))

    def add_bank_comment(self, text: str, kind: str, criterion: str | None = None,
                         level: str | None = None) -> bool:
        return self.run(lambda ms: ms.add_bank_comment(text, kind, criterion, level)) is not None

    def note_bank_use(self, comment_id) -> None:
        self.run(lambda ms: ms.note_bank_use(comment_id))

    def use_marker(self, name: str, initials: str | None, role: str) -> bool:
        """Mark as this marker from now on. The undo history is cleared: its steps were
        made as the previous marker."""
        done = self.run(lambda ms: ms.use_marker(name, initials, role)) is not None
        if done:
            self.undo_stack.clear()
        return done

    # -- moderation: blind marking, merging, adjustment ----------------------------------

    def set_blind(self, blind: bool = True) -> bool:
        """Mark blind (everyone else's marks, comments and annotations hidden) or not. Not
        undoable: ending it is a reveal, which the audit log records."""
        ms = self._set
        if ms is None:
            return False
        marker = ms.current_marker.id
        return self.run(lambda s: s.set_blind(marker, blind)) is not None

    def reveal(self) -> bool:
        """Show the blind current marker everyone's rows (audited as "reveal")."""
        return self.run(lambda s: s.reveal()) is not None

    def apply_merge(self, plan: Any, choices: dict[str, str] | None = None) -> Any:
        """Bring a previewed merge in, in one transaction (not undoable: a merge is
        recorded in the import ledger; restoring a backup goes back). Returns the
        :class:`~rubric.store.merge.MergeResult`, or None when refused."""
        from rubric.store.merge import apply_merge

        result = self.run(lambda ms: apply_merge(ms, plan, choices))
        if result is not None:
            self.undo_stack.clear()   # earlier steps may no longer undo cleanly
        return result

    def apply_adjustment(self, plan: Any) -> bool:
        """A moderation adjustment (``rubric.moderation.service`` plan) as ONE undoable
        step: undo puts the teacher's original marks back in one transaction."""
        return self.push(commands.AdjustmentCommand(self, plan))

    # -- moderation: allocation, agreed and definitive marks ---------------------------

    def add_marker(self, name: str, role: str = "teacher") -> MarkerId | None:
        """Add a marker without marking as them (an existing one of that name and role is
        found instead). Returns their id, or None when refused."""
        if self.run(lambda ms: ms.add_marker(name, None, role)) is None:
            return None
        found = self._set.find_marker(name, role) if self._set is not None else None
        return found.id if found is not None else None

    def allocate_scripts(self, markers: list[MarkerId], method: str = "random",
                         seed: int | None = None) -> bool:
        """Allocate every script to ``markers``: ``"random"`` (evenly at random) or
        ``"class"`` (whole classes kept together). Not undoable (audited)."""
        if method == "class":
            return self.run(lambda ms: ms.allocate_by_class(markers)) is not None
        return self.run(lambda ms: ms.allocate_evenly(markers, seed)) is not None

    def allocate_by_hand(self, script_ids: list[ScriptId], marker: MarkerId | None) -> bool:
        """Give these scripts to one marker (None takes them back). Not undoable (audited)."""
        return self.run(lambda ms: ms.allocate(script_ids, marker)) is not None

    def agree(self, script_id: ScriptId, criterion: str, method: str,
              mark: int | None = None) -> bool:
        """Record the agreed mark of one criterion (first / second / mean / typed)."""
        return self.run(lambda ms: ms.agree(script_id, criterion, method, mark)) is not None

    def set_definitive(self, script_id: ScriptId) -> bool:
        """Store the current marker's placed marks on the script as its definitive marks."""
        ms = self._set
        if ms is None:
            return False
        placed = [m for m in ms.marks_for(script_id).values() if m.mark is not None]
        if not placed:
            self.report("you have not marked this script: there is nothing to set as "
                        "definitive")
            return False

        def store(s: MarkingSet) -> Changes:
            changes = Changes()
            with s.atomic():
                for m in placed:
                    changes |= s.set_definitive(script_id, m.criterion, m.mark, m.level)
            return changes

        return self.run(store) is not None
