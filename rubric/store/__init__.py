"""The marking-set store: one SQLite file per set, in the app's data folder."""

from rubric.store.locations import data_dir, resolve_set, set_files, sets_dir
from rubric.store.markingset import (
    FileReplacement,
    ImportOutcome,
    MarkingSet,
    find_passage,
    find_passage_near,
)
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
    "Annotation", "AuditEntry", "BankComment", "Changes", "FileReplacement", "ImportOutcome",
    "Mark",
    "MarkConflict", "Marker", "MarkingSet", "OverallComment", "Script", "ScriptSummary",
    "data_dir", "find_passage", "find_passage_near", "resolve_set", "set_files", "sets_dir",
]
