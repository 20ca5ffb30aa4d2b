"""Marks back in: read the "Marks" sheet of a markbook (perhaps edited by a moderator who
typed marks in), and apply the changes.

Rows are matched by the "Script ID" column the export writes (so a markbook round-trips
even when scripts have no candidate names or numbers), then by candidate number (or, when a
row has no number, by name, which for a script without one is its file name). A script id
whose row names another candidate, by a number that belongs to a different script, is
refused (a markbook from another set). Every mark is validated against the scheme; nothing
is guessed:

* Only cells that differ from the set count as edits. An unchanged level cell beside an
  edited mark is stale, so the level follows the mark; an edited level beside a mark must
  agree with it.
* A row with any problem (a mark outside its level or the maximum, text in a mark cell, an
  unknown or ambiguous candidate, a duplicate row, an emptied mark) is reported with its
  reason and none of its changes is applied.

The workbook is untrusted input: its size, its zip entries' declared sizes and their count are
checked before openpyxl opens it (``read_only``, ``data_only``; with ``defusedxml``
installed openpyxl refuses XML bombs), and every failure becomes a :class:`MarkbookError`
with a one-line reason.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rubric import marking
from rubric.errors import EssayMarkerError, MarkError
from rubric.export import markbook_table as cols
from rubric.export.snapshot import SetSnapshot
from rubric.ids import MarkerId, ScriptId
from rubric.store import Changes, MarkingSet

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ENTRY_BYTES = 100 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_ROWS = 20_000


class MarkbookError(EssayMarkerError):
    """The file cannot be read as a markbook (nothing was changed)."""

    def __init__(self, path: str | Path, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


@dataclass(frozen=True)
class MarkChange:
    """One criterion of one script, from the set's level and mark to the markbook's."""

    row: int
    script_id: ScriptId
    candidate: str
    criterion: str
    old_level: str | None
    old_mark: int | None
    new_level: str | None
    new_mark: int | None

    def line(self) -> str:
        def show(level: str | None, mark: int | None) -> str:
            if level is None and mark is None:
                return "none"
            return " ".join(str(p) for p in (level, mark) if p is not None)

        return (f"{self.candidate}, {self.criterion}: {show(self.old_level, self.old_mark)} → "
                f"{show(self.new_level, self.new_mark)}")


@dataclass(frozen=True)
class RowProblem:
    """A row that was not read, and why."""

    row: int
    candidate: str
    reason: str

    def line(self) -> str:
        who = f" ({self.candidate})" if self.candidate else ""
        return f"row {self.row}{who}: {self.reason}"


@dataclass
class MarkbookChanges:
    changes: list[MarkChange] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows_read: int = 0

    def lines(self) -> list[str]:
        lines = [change.line() for change in self.changes]
        lines += [f"not read: {problem.line()}" for problem in self.problems]
        lines.append(f"{len(self.changes)} change{'s' if len(self.changes) != 1 else ''} in "
                     f"{self.rows_read} row{'s' if self.rows_read != 1 else ''}"
                     + (f"; {len(self.problems)} row problem"
                        f"{'s' if len(self.problems) != 1 else ''}" if self.problems else ""))
        return lines


# -- opening the file safely ------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise MarkbookError(path, f"the file is too large for a markbook "
                                      f"({size / 1024 / 1024:.0f} MB)")
        return path.read_bytes()
    except OSError as exc:
        raise MarkbookError(path, f"cannot read the file ({exc.strerror or exc})") from None


def _check_zip(path: Path, data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise MarkbookError(path, "this is not an Excel workbook (.xlsx), or it is "
                                  "password-protected") from None
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise MarkbookError(path, f"the workbook has too many parts ({len(entries):,})")
    total = 0
    for entry in entries:
        if entry.file_size > MAX_ENTRY_BYTES:
            raise MarkbookError(path, f"part {entry.filename} would unpack to "
                                      f"{entry.file_size / 1024 / 1024:,.0f} MB (refused)")
        total += entry.file_size
    if total > MAX_UNZIPPED_BYTES:
        raise MarkbookError(path, f"the workbook would unpack to {total / 1024 / 1024:,.0f} MB "
                                  "(refused)")
    if "xl/workbook.xml" not in {e.filename for e in entries}:
        raise MarkbookError(path, "this is not an Excel workbook (.xlsx)")


def _marks_rows(path: Path) -> list[tuple]:
    """The values of the Marks sheet, row by row."""
    data = _read_bytes(path)
    _check_zip(path, data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl, lxml and defusedxml raise many kinds
        raise MarkbookError(path, f"cannot read the workbook ({_short(exc)})") from None
    try:
        if "Marks" not in workbook.sheetnames:
            raise MarkbookError(path, "the workbook has no sheet called “Marks” (export a "
                                      "markbook from Essay Marker and edit that)")
        rows = []
        for row in workbook["Marks"].iter_rows(values_only=True):
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise MarkbookError(path, f"the Marks sheet has more than {MAX_ROWS:,} rows")
        return rows
    except MarkbookError:
        raise
    except Exception as exc:
        raise MarkbookError(path, f"cannot read the Marks sheet ({_short(exc)})") from None
    finally:
        workbook.close()


def _short(exc: BaseException) -> str:
    """The innermost cause of a reading failure, in one line."""
    seen = set()
    while (exc.__cause__ or exc.__context__) is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    if type(exc).__module__.startswith("defusedxml"):
        return (f"{type(exc).__name__}: it declares XML entities or a DTD, which a workbook "
                "never needs (refused as a possible XML bomb)")
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = text[:150]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- reading cells ------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


class _CellProblem(Exception):
    pass


_WHOLE = re.compile(r"[+]?\d+")


def _mark_value(value: object, criterion: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _CellProblem(f"{criterion} mark: “{value}” is not a mark")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _CellProblem(f"{criterion} mark: {value:g} is not a whole number")
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        return int(value.strip())
    shown = str(value) if len(str(value)) <= 40 else str(value)[:37] + "…"
    raise _CellProblem(f"{criterion} mark: “{shown}” is not a number")


def _level_value(value: object, labels: Iterable[str], criterion: str) -> str | None:
    text = _text(value)
    if not text:
        return None
    for label in labels:
        if _key(label) == _key(text):
            return label
    known = ", ".join(labels)
    raise _CellProblem(f"{criterion} level: “{text[:40]}” is not a level (levels: {known})")


# -- matching and validating --------------------------------------------------------------


def read_markbook(path: str | Path, marking_set: MarkingSet,
                  marker: MarkerId | None = None) -> MarkbookChanges:
    """The changes a markbook's Marks sheet makes to the set, and the rows it cannot use.

    Old values are the marks the markbook shows (the marker named in its Marker column, else
    as the export chose them; ``marker`` as given to the export). Nothing is changed here:
    pass the result to :func:`apply_markbook`. Raises :class:`MarkbookError` if the file is not
    a readable markbook.
    """
    path = Path(path)
    rows = _marks_rows(path)
    if not rows:
        raise MarkbookError(path, "the Marks sheet is empty")
    headers = {_key(_text(h)): i for i, h in reversed(list(enumerate(rows[0]))) if _text(h)}
    number_col = headers.get(_key(cols.NUMBER))
    name_col = headers.get(_key(cols.NAME))
    id_col = headers.get(_key(cols.SCRIPT_ID))
    if number_col is None and name_col is None and id_col is None:
        raise MarkbookError(path, f"the Marks sheet has neither a “{cols.NUMBER}” nor a "
                                  f"“{cols.NAME}” column")
    scheme = marking_set.scheme
    criteria = []
    for criterion in scheme.criteria:
        level_col = headers.get(_key(cols.level_header(criterion.name)))
        mark_col = headers.get(_key(cols.mark_header(criterion.name)))
        if level_col is not None or mark_col is not None:
            criteria.append((criterion, level_col, mark_col))
    if not criteria:
        raise MarkbookError(path, "the Marks sheet has no level or mark columns for the "
                                  "criteria of this set's scheme "
                                  f"({', '.join(c.name for c in scheme.criteria)})")
    marker_col = headers.get(_key(cols.MARKER))
    total_col = headers.get(_key(cols.TOTAL))

    snapshot = SetSnapshot(marking_set, marker)
    by_number: dict[str, list[ScriptId]] = {}
    by_name: dict[str, list[ScriptId]] = {}
    candidates = {}
    for script in snapshot.scripts:
        if script.candidate_number.strip():
            by_number.setdefault(_key(script.candidate_number), []).append(script.id)
        by_name.setdefault(_key(script.display_name), []).append(script.id)
        candidates[script.id] = script.candidate
    markers_by_name = {_key(m.name): m for m in snapshot.markers.values()}

    result = MarkbookChanges()
    seen: dict[ScriptId, int] = {}
    row_changes: dict[int, list[MarkChange]] = {}

    def cell(row: tuple, column: int | None) -> object:
        return row[column] if column is not None and column < len(row) else None

    for row_number, row in enumerate(rows[1:], start=2):
        if all(_text(v) == "" for v in row):
            continue
        result.rows_read += 1
        number = _text(cell(row, number_col))
        name = _text(cell(row, name_col))
        who = " ".join(p for p in (name, f"({number})" if number else "") if p)
        row_id = _text(cell(row, id_col))
        by_id = ScriptId(int(row_id)) if row_id.isdigit() and int(row_id) in candidates \
            else None
        numbered = by_number.get(_key(number), []) if number else []
        if by_id is not None and numbered and by_id not in numbered:
            result.problems.append(RowProblem(
                row_number, who, f"script ID {row_id} is {candidates[by_id]} in this set, but "
                                 f"candidate number {number} is another script (is this "
                                 "markbook from another set?)"))
            continue
        if by_id is not None:
            matches = [by_id]
        elif number:
            matches = by_number.get(_key(number), [])
            if not matches:
                result.problems.append(RowProblem(
                    row_number, who, f"no candidate number {number} in this set"))
                continue
        elif name:
            matches = by_name.get(_key(name), [])
            if not matches:
                result.problems.append(RowProblem(row_number, who,
                                                  f"no candidate called {name} in this set"))
                continue
        elif row_id:
            result.problems.append(RowProblem(row_number, "",
                                              f"no script with ID {row_id} in this set"))
            continue
        else:
            result.problems.append(RowProblem(row_number, "", "no candidate number or name"))
            continue
        if len(matches) > 1:
            result.problems.append(RowProblem(
                row_number, who, f"{len(matches)} scripts in the set match this candidate; "
                                 "give each a different candidate number"))
            continue
        script_id = matches[0]
        who = candidates[script_id]
        if script_id in seen:
            first_row = seen[script_id]
            reason = (f"{who} is on rows {first_row} and {row_number}; keep one row and read "
                      "the markbook again")
            result.problems.append(RowProblem(row_number, who, reason))
            if first_row in row_changes:
                row_changes.pop(first_row)
                result.problems.append(RowProblem(first_row, who, reason))
            continue
        seen[script_id] = row_number

        shown = snapshot.shown_marks(script_id)
        named = markers_by_name.get(_key(_text(cell(row, marker_col))))
        if named is not None and marker is None:
            shown = snapshot.marks.get((script_id, named.id), {})
        try:
            changes = _row_changes(marking_set, row, row_number, script_id, who, criteria,
                                   shown, cell)
        except _CellProblem as problem:
            result.problems.append(RowProblem(row_number, who, str(problem)))
            continue
        if not changes and total_col is not None:
            total = cell(row, total_col)
            old_total = marking.total(marking_set.scheme, shown)
            if isinstance(total, int | float) and not isinstance(total, bool) and \
                    total != old_total:
                result.problems.append(RowProblem(
                    row_number, who, "the Total was changed, but totals are not read: type the "
                                     "mark of each criterion instead"))
                continue
        row_changes[row_number] = changes
    for row_number in sorted(row_changes):
        result.changes.extend(row_changes[row_number])
    result.problems.sort(key=lambda p: p.row)
    return result


def _row_changes(marking_set: MarkingSet, row: tuple, row_number: int, script_id: ScriptId,
                 who: str, criteria, shown, cell) -> list[MarkChange]:
    changes = []
    problems = []
    for criterion, level_col, mark_col in criteria:
        old = shown.get(criterion.name)
        old_level = old.level if old else None
        old_mark = old.mark if old else None
        labels = [lv.label for lv in criterion.levels]
        try:
            level = (_level_value(cell(row, level_col), labels, criterion.name)
                     if level_col is not None else old_level)
            mark = _mark_value(cell(row, mark_col), criterion.name) \
                if mark_col is not None else old_mark
        except _CellProblem as problem:
            problems.append(str(problem))
            continue
        level_edited = level != old_level
        mark_edited = mark != old_mark
        if not level_edited and not mark_edited:
            continue
        try:
            if mark is not None:
                # A level cell left as it was is stale beside a new mark: the mark decides.
                label = marking_set.check_mark(criterion.name, mark,
                                               level if level_edited else None)
                new = (label, mark)
            elif mark_edited:
                problems.append(f"{criterion.name}: the mark is empty (clear a mark in the "
                                "app, not in the markbook)")
                continue
            else:
                # A new level and no mark: keep the old mark only if it fits the new level.
                if level is None:
                    problems.append(f"{criterion.name}: the level is empty (clear a mark in "
                                    "the app, not in the markbook)")
                    continue
                marking_set.check_mark(criterion.name, None, level)
                level_obj = criterion.level(level)
                kept = None
                if level_obj is not None:
                    if old_mark is not None and level_obj.contains(old_mark):
                        kept = old_mark
                    elif level_obj.min_mark == level_obj.max_mark:
                        kept = level_obj.min_mark
                new = (level, kept)
        except MarkError as exc:
            problems.append(str(exc))
            continue
        if new != (old_level, old_mark):
            changes.append(MarkChange(row_number, script_id, who, criterion.name, old_level,
                                      old_mark, new[0], new[1]))
    if problems:
        raise _CellProblem("; ".join(problems))
    return changes


def apply_markbook(changes: MarkbookChanges | Iterable[MarkChange], marking_set: MarkingSet,
                   marker: MarkerId | None = None) -> Changes:
    """Record the changes under ``marker`` (e.g. the moderator) or the current marker.

    Every change is checked against the scheme first; if one no longer fits (the scheme was
    edited since reading), :class:`MarkError` is raised and nothing is recorded.
    """
    items = list(changes.changes if isinstance(changes, MarkbookChanges) else changes)
    for change in items:
        if change.new_mark is not None:
            marking_set.check_mark(change.criterion, change.new_mark, change.new_level)
        else:
            marking_set.check_mark(change.criterion, None, change.new_level)
    result = Changes()
    for change in items:
        if change.new_mark is not None:
            result |= marking_set.set_mark(change.script_id, change.criterion, change.new_mark,
                                           change.new_level, marker=marker)
        else:
            assert change.new_level is not None
            result |= marking_set.set_level(change.script_id, change.criterion,
                                            change.new_level, marker=marker)
    return result
