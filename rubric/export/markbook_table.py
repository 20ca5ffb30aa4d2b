"""The rows of the markbook's "Marks" sheet (shared by the workbook, the CSV file and the
reader that takes edited marks back in)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rubric import marking
from rubric.export.snapshot import SetSnapshot
from rubric.scheme import Scheme

NUMBER = "Candidate number"
NAME = "Candidate name"
TOTAL = "Total"
PERCENT = "Percentage"
MARKER = "Marker"
STATUS = "Status"
WORDS = "Words"
COUNTED = "Words counted"
WARNINGS = "Warnings"
#: The script's id in the set: a markbook read back matches its rows by it first, so it
#: round-trips even when scripts have no candidate names or numbers.
SCRIPT_ID = "Script ID"

Kind = Literal["text", "mark", "percent", "words"]


def level_header(criterion: str) -> str:
    return f"{criterion} level"


def mark_header(criterion: str) -> str:
    return f"{criterion} mark"


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind
    #: Where a value comes from, for warnings ("Marks sheet, candidate …, warnings").
    what: str = ""


@dataclass(frozen=True)
class MarkbookTable:
    columns: list[Column]
    rows: list[list[object]]
    #: The candidate of each row (for warnings that name it).
    candidates: list[str]


def columns(scheme: Scheme) -> list[Column]:
    cols = [Column(NUMBER, "text"), Column(NAME, "text")]
    for criterion in scheme.criteria:
        cols.append(Column(level_header(criterion.name), "text"))
        cols.append(Column(mark_header(criterion.name), "mark"))
    cols += [Column(TOTAL, "mark"), Column(PERCENT, "percent"), Column(MARKER, "text"),
             Column(STATUS, "text"), Column(WORDS, "words")]
    if scheme.word_limit:
        cols.append(Column(COUNTED, "words"))
    cols.append(Column(WARNINGS, "text"))
    cols.append(Column(SCRIPT_ID, "mark"))
    return cols


def markbook_table(snapshot: SetSnapshot) -> MarkbookTable:
    scheme = snapshot.scheme
    rows: list[list[object]] = []
    candidates = []
    for script in snapshot.scripts:
        marks = snapshot.shown_marks(script.id)
        marker = snapshot.shown_marker(script.id)
        row: list[object] = [script.candidate_number, script.display_name]
        notes = [w.message for w in script.warnings]
        missing = []
        for criterion in scheme.criteria:
            mark = marks.get(criterion.name)
            row.append(mark.level if mark else None)
            row.append(mark.mark if mark else None)
            if mark is None or mark.mark is None:
                missing.append(criterion.name)
            if mark is not None and mark.needs_review and not marking.misfit(scheme, mark):
                notes.append(f"check {criterion.name}: {mark.review_reason}")
        # marks that do not fit the scheme (a removed criterion, a mark out of range)
        notes.extend(f"check {w}" for w in snapshot.mark_warnings(script.id))
        total = snapshot.shown_total(script.id)
        if total is not None and missing:
            notes.append(f"not marked yet: {', '.join(missing)}")
        row.append(total)
        row.append(marking.percentage(scheme, total))
        row.append(marker.name if marker and marks else "")
        row.append(snapshot.statuses.get(script.id, ""))
        row.append(script.word_count)
        if scheme.word_limit:
            row.append(script.coursework_word_count)
        row.append("; ".join(notes))
        row.append(int(script.id))
        rows.append(row)
        candidates.append(script.candidate)
    return MarkbookTable(columns(scheme), rows, candidates)
