"""The marking-set store: one SQLite file per set, in the app's data folder."""

from rubric.store.locations import data_dir, resolve_set, set_files, sets_dir
from rubric.store.markingset import ImportOutcome, MarkingSet, find_passage
from rubric.store.records import (
    Annotation,
    AuditEntry,
    BankComment,
    Changes,
    Mark,
    MarkConflict,
    Marker,
    OverallComment,
    Script,
    ScriptSummary,
)

__all__ = [
    "Annotation", "AuditEntry", "BankComment", "Changes", "ImportOutcome", "Mark",
    "MarkConflict", "Marker", "MarkingSet", "OverallComment", "Script", "ScriptSummary",
    "data_dir", "find_passage", "resolve_set", "set_files", "sets_dir",
]
