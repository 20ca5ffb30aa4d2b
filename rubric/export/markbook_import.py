"""Marks back in: read the "Marks" sheet of a markbook (perhaps edited by a moderator who
typed marks in), and apply the changes.

Rows are matched by the "Script ID" column the export writes (so a markbook round-trips
even when scripts have no candidate names or numbers), then by candidate number (or, when a
row has no number, by name, which for a script without one is its file name). A row is
refused, never applied to another student, when what it says contradicts the script it was
matched to: a script id whose row gives a number that belongs to a different script (a
markbook from another set), or a name that is not the name of the script its id or number
points to. Names are compared leniently: case, accents, spacing, punctuation and order
("Smith, Jane" is Jane Smith) do not matter, and a left-out middle name or an initial is
no contradiction. Every mark is validated against the scheme; nothing is guessed:

* Only cells that differ from the set count as edits. An unchanged level cell beside an
  edited mark is stale, so the level follows the mark; an edited level beside a mark must
  agree with it.
* A row with any problem (a mark outside its level or the maximum, text, a formula, a date,
  a true/false, NaN or a huge number in a mark cell, an unknown or ambiguous candidate, a
  duplicate row, an emptied mark) is reported with its reason, naming the column, and none
  of its changes is applied. Every other row still is.

The workbook is untrusted input: its size, its zip entries' declared sizes and their count are
checked before openpyxl opens it (``read_only``; with ``defusedxml`` installed openpyxl
refuses XML bombs), and every failure becomes a :class:`MarkbookError` with a one-line reason.
The Marks sheet is read as a stream, only as wide as its header row (never as wide as the
sheet declares it is: a ``<dimension ref="A1:XFD20000"/>`` costs nothing), up to
:data:`MAX_ROWS` rows, and stops at a run of :data:`EMPTY_RUN` empty rows. Formulas are read
as formulas (not their cached values) so that they can be refused.

:func:`apply_markbook` records all the changes in one transaction, with one audit entry
naming the markbook: a crash or a kill part-way leaves the set with all of them or none.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rubric import marking
from rubric.errors import MarkbookError, MarkError
from rubric.export import markbook_table as cols
from rubric.export.snapshot import SetSnapshot
from rubric.ids import MarkerId, ScriptId
from rubric.store import Changes, MarkingSet

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ENTRY_BYTES = 100 * 1024 * 1024
MAX_ENTRIES = 2_000
#: Rows of marks read below the header (a markbook has one row a script).
MAX_ROWS = 5_000
#: Header cells looked at: a markbook has about a dozen columns plus two a criterion.
MAX_COLUMNS = 200
#: This many empty rows in a row end the table.
EMPTY_RUN = 200
#: XML elements inside one cell (an inline string's runs) before it is refused.
MAX_CELL_PARTS = 1_000
#: A mark cell with a number this large is not a mark at all.
_HUGE = 10**9


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
    #: The markbook's file name (named in the audit entry of :func:`apply_markbook`).
    source: str = ""
    #: Headers of the Marks sheet that are none of the markbook's own columns (a mark typed
    #: under "AO3 mark (moderated)" is not read: the teacher is told so).
    ignored_columns: list[str] = field(default_factory=list)
    #: The columns marks and levels are read from.
    read_columns: list[str] = field(default_factory=list)

    def ignored_lines(self) -> list[str]:
        return [f"ignored column “{header}”: not a column of this set's markbook (marks are "
                f"read from {', '.join(f'“{c}”' for c in self.read_columns)})"
                for header in self.ignored_columns]

    def lines(self) -> list[str]:
        lines = [change.line() for change in self.changes]
        lines += [f"not read: {problem.line()}" for problem in self.problems]
        lines += self.ignored_lines()
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


@dataclass(frozen=True)
class _Odd:
    """A cell that holds no plain value: a formula, an error value (#N/A), or one that
    cannot be read at all (a number spelt "NaN", a shared string that is not there)."""

    kind: str  # "formula", "error" or "unreadable"
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class _Sheet:
    """The Marks sheet as read: its header, its rows as wide as the header, and rows that
    were not read (more than :data:`MAX_ROWS`, or after a long run of empty rows)."""

    header: list[str]
    rows: list[tuple[int, tuple]]  # (the row's number in the sheet, its values)
    problems: list[RowProblem]
    #: Cells parsed and row elements looked at: bounded by the header, never by what the
    #: sheet declares.
    cells_read: int = 0
    rows_seen: int = 0


_CELL_REF = re.compile(r"([A-Za-z]{1,3})\d*")


def _row_number(ref: str | None, previous: int) -> int:
    if ref is not None and ref.isdigit() and len(ref) <= 12 and int(ref) > 0:
        return int(ref)
    return previous + 1


def _column_number(ref: str | None, previous: int) -> int:
    from openpyxl.utils import column_index_from_string

    found = _CELL_REF.match(ref) if ref else None
    if found is None:
        return previous + 1
    try:
        return column_index_from_string(found.group(1).upper())
    except ValueError:
        return previous + 1


class _RowReader:
    """The rows of a worksheet's XML as a stream of ``(row number, {column: value})``,
    parsing only the cells up to column :attr:`width` (openpyxl's own cell parser gives
    each value its type: shared strings, dates, true/false, formulas). Every element is
    dropped once read, so memory stays at one row however large the sheet is."""

    def __init__(self, source, cell_parser):
        self.source = source
        self.cell_parser = cell_parser
        self.width = MAX_COLUMNS
        self.cells_read = 0
        self.rows_seen = 0

    def rows(self) -> Iterator[tuple[int, dict[int, object]]]:
        from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, ROW_TAG
        from openpyxl.xml.functions import iterparse  # defusedxml's when it is installed

        stack: list = []
        row_number = column = 0
        values: dict[int, object] | None = None  # inside a row
        cell_depth: int | None = None            # inside a cell
        parts = 0
        for event, element in iterparse(self.source, events=("start", "end")):
            if event == "start":
                stack.append(element)
                if cell_depth is not None:
                    parts += 1
                elif element.tag == ROW_TAG and values is None:
                    row_number = _row_number(element.get("r"), row_number)
                    column = 0
                    values = {}
                    self.rows_seen += 1
                elif element.tag == CELL_TAG:
                    cell_depth = len(stack)
                    parts = 0
                continue
            stack.pop()
            parent = stack[-1] if stack else None
            if cell_depth is not None and len(stack) >= cell_depth:
                # a part of a cell (its value, formula or string runs), read with the cell
                if parts > MAX_CELL_PARTS and parent is not None:
                    parent.remove(element)
                continue
            if cell_depth is not None:
                cell_depth = None
                if values is not None:
                    column = _column_number(element.get("r"), column)
                    if column <= self.width:
                        self.cells_read += 1
                        value = (_Odd("unreadable", "(a cell too large to read)")
                                 if parts > MAX_CELL_PARTS else
                                 self._value(element, row_number, column))
                        if value is not None:
                            values[column] = value
            elif element.tag == ROW_TAG and values is not None:
                yield row_number, values
                values = None
            elif element.tag == DATA_TAG:
                return
            if parent is not None:
                parent.remove(element)

    def _value(self, element, row: int, column: int) -> object:
        from openpyxl.worksheet._reader import VALUE_TAG

        parser = self.cell_parser
        parser.row_counter, parser.col_counter = row, column - 1
        try:
            cell = parser.parse_cell(element)
        except Exception:  # int("NaN"), a shared string that is not there, a bad reference
            raw = "" if element.get("t") in ("s", "inlineStr") else element.findtext(VALUE_TAG)
            return _Odd("unreadable", (raw or "").strip()[:60])
        value, kind = cell["value"], cell["data_type"]
        if kind == "f":
            text = value if isinstance(value, str) else str(getattr(value, "text", "") or "=")
            return _Odd("formula", text)
        if kind == "e":
            return _Odd("error", str(value))
        return value


def _marks_sheet(path: Path) -> _Sheet:
    """The Marks sheet, read only as wide as its header row and only as long as it has rows
    (see :class:`_RowReader`)."""
    data = _read_bytes(path)
    _check_zip(path, data)
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        # data_only=False: a formula is read as its formula, so it can be refused (its
        # cached value, if any, is whatever the last program to save it computed)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl, lxml and defusedxml raise many kinds
        raise MarkbookError(path, f"cannot read the workbook ({_short(exc)})") from None
    try:
        if "Marks" not in workbook.sheetnames:
            raise MarkbookError(path, "the workbook has no sheet called “Marks” (export a "
                                      "markbook from Essay Marker and edit that)")
        sheet = workbook["Marks"]
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise MarkbookError(path, "the “Marks” sheet is not a table of marks")
        cell_parser = WorkSheetParser(None, sheet._shared_strings, data_only=False,
                                      epoch=workbook.epoch,
                                      date_formats=workbook._date_formats,
                                      timedelta_formats=workbook._timedelta_formats)
        with sheet._get_source() as source:
            return _read_rows(path, _RowReader(source, cell_parser))
    except MarkbookError:
        raise
    except Exception as exc:
        raise MarkbookError(path, f"cannot read the Marks sheet ({_short(exc)})") from None
    finally:
        workbook.close()


def _read_rows(path: Path, reader: _RowReader) -> _Sheet:
    stream = reader.rows()
    first = next(stream, None)
    if first is None:
        raise MarkbookError(path, "the Marks sheet is empty")
    number, values = first
    named = [column for column, value in values.items() if _text(value)]
    if number != 1 or not named:
        raise MarkbookError(path, "the first row of the Marks sheet is empty (it must hold "
                                  "the column headings)")
    width = max(named)
    reader.width = width  # every later row is read only this wide
    sheet = _Sheet([_text(values.get(c)) for c in range(1, width + 1)], [], [])
    last = 1
    for number, values in stream:
        empty = not any(_text(v) for v in values.values())
        if number - last > EMPTY_RUN:
            if not empty:
                sheet.problems.append(RowProblem(
                    number, "", f"not read, nor any row below it: it comes after more than "
                                f"{EMPTY_RUN} empty rows"))
            break
        if empty:
            if reader.rows_seen > MAX_ROWS + EMPTY_RUN + 1:
                break
            continue
        if len(sheet.rows) >= MAX_ROWS or number > MAX_ROWS + 1:
            sheet.problems.append(RowProblem(
                number, "", f"the Marks sheet has more than {MAX_ROWS:,} rows of marks; this "
                            "row and those below it were not read"))
            break
        sheet.rows.append((number, tuple(values.get(c) for c in range(1, width + 1))))
        last = max(last, number)
    stream.close()
    sheet.cells_read, sheet.rows_seen = reader.cells_read, reader.rows_seen
    return sheet


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

_DATES = (datetime.datetime, datetime.date, datetime.time, datetime.timedelta)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return " ".join(str(value).split())


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _number_key(text: str) -> str:
    """Candidate numbers compare without case, spacing or leading zeros (0412 is 412)."""
    key = _key(text)
    return (key.lstrip("0") or "0") if key.isdigit() else key


def _name_words(text: str) -> list[str]:
    """A name's words without case, accents or punctuation: "Smith, Zoë" → [smith, zoe]."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"['’‘`´]", "", text)  # O’Brien, O'Brien and OBrien are one name
    return sorted(re.findall(r"[^\W_]+", text))


def _name_key(text: str) -> str:
    return " ".join(_name_words(text))


def _names_agree(given: str, known: str) -> bool:
    """Whether a name typed in a markbook can be the script's candidate: the same words in
    any order ("Smith, Jane" is Jane Smith), or fewer of them (a left-out middle name, an
    initial for a first name: "J. Smith"); a different word is a different person."""
    short, long = _name_words(given), _name_words(known)
    if not short or not long:
        return True
    if len(short) > len(long):
        short, long = long, short
    rest = list(long)
    for word in sorted(short, key=len, reverse=True):  # whole words first, initials last
        match = word if word in rest else next(
            (w for w in rest if len(word) == 1 and w.startswith(word)), None)
        if match is None:
            return False
        rest.remove(match)
    return True


class _CellProblem(Exception):
    pass


_WHOLE = re.compile(r"[+]?\d+")


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _odd_reason(column: str, value: _Odd, what: str) -> str:
    if value.kind == "formula":
        return f"{column}: “{_shown(value.text)}” is a formula; type the {what} itself"
    if value.kind == "error":
        return f"{column}: “{_shown(value.text)}” is an error value, not a {what}"
    shown = f"“{_shown(value.text)}”" if value.text else "the cell"
    return f"{column}: {shown} cannot be read as a {what}"


def _identity(value: object, column: str) -> str:
    """A candidate number, name or script id cell as text; a formula, an error, a date, a
    true/false or NaN there is a problem naming the column."""
    what = "name" if column == cols.NAME else "number"
    if isinstance(value, _Odd):
        raise _CellProblem(_odd_reason(column, value, what))
    if isinstance(value, bool):
        raise _CellProblem(f"{column}: “{value}” is a true/false value, not a {what}")
    if isinstance(value, _DATES):
        raise _CellProblem(f"{column}: {_shown(value)} is a date, not a {what}")
    if isinstance(value, float) and not math.isfinite(value):
        raise _CellProblem(f"{column}: {value} is not a {what}")
    return _text(value)


def _mark_value(value: object, criterion: str) -> int | None:
    column = cols.mark_header(criterion)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, _Odd):
        if value.kind == "unreadable":
            raise _CellProblem(f"{column}: “{_shown(value.text)}” is not a number"
                               if value.text else f"{column}: the cell cannot be read")
        raise _CellProblem(_odd_reason(column, value, "mark"))
    if isinstance(value, bool):
        raise _CellProblem(f"{column}: “{value}” is not a mark")
    if isinstance(value, _DATES):
        raise _CellProblem(f"{column}: {_shown(value)} is a date, not a mark")
    if isinstance(value, float):
        if math.isnan(value):
            raise _CellProblem(f"{column}: NaN (not a number) is not a mark")
        if math.isinf(value):
            raise _CellProblem(f"{column}: infinity is not a mark")
        if abs(value) >= _HUGE:
            raise _CellProblem(f"{column}: {value:g} is far too large to be a mark")
        if value.is_integer():
            return int(value)
        raise _CellProblem(f"{column}: {value:g} is not a whole number")
    if isinstance(value, int):
        if abs(value) >= _HUGE:
            raise _CellProblem(f"{column}: {_shown(value)} is far too large to be a mark")
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        digits = value.strip().lstrip("+").lstrip("0") or "0"
        if len(digits) > 9:
            raise _CellProblem(f"{column}: {_shown(digits)} is far too large to be a mark")
        return int(digits)
    raise _CellProblem(f"{column}: “{_shown(value)}” is not a number")


def _level_value(value: object, labels: Iterable[str], criterion: str) -> str | None:
    if isinstance(value, _Odd):
        raise _CellProblem(_odd_reason(cols.level_header(criterion), value, "level"))
    text = _text(value)
    if not text:
        return None
    for label in labels:
        if _key(label) == _key(text):
            return label
    known = ", ".join(labels)
    raise _CellProblem(f"{criterion} level: “{text[:40]}” is not a level (levels: {known})")


# -- matching and validating --------------------------------------------------------------


def read_markbook(path: str | Path, marking_set: MarkingSet | SetSnapshot,
                  marker: MarkerId | None = None) -> MarkbookChanges:
    """The changes a markbook's Marks sheet makes to the set, and the rows it cannot use.

    Old values are the marks the markbook shows (the marker named in its Marker column, else
    as the export chose them; ``marker`` as given to the export). Nothing is changed here:
    pass the result to :func:`apply_markbook`. Raises :class:`MarkbookError` if the file is not
    a readable markbook.

    ``marking_set`` may be a :class:`SetSnapshot` taken beforehand (with ``marker`` as its
    requested marker): reading then never touches the set, so it can run on a worker thread.
    """
    path = Path(path)
    sheet = _marks_sheet(path)
    headers = {_key(h): i for i, h in reversed(list(enumerate(sheet.header))) if h}
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
    own = {_key(c.header) for c in cols.columns(scheme)} | {_key(cols.COUNTED)}
    ignored = [str(h).strip() for h in sheet.header if h and str(h).strip() and _key(h) not in own]
    read_from = [sheet.header[c] for _criterion, level_col, mark_col in criteria
                 for c in (level_col, mark_col) if c is not None]

    if isinstance(marking_set, SetSnapshot):
        snapshot = marking_set
        marker = snapshot.requested
    else:
        snapshot = SetSnapshot(marking_set, marker)
    scripts = {script.id: script for script in snapshot.scripts}
    by_number: dict[str, list[ScriptId]] = {}
    by_name: dict[str, list[ScriptId]] = {}
    for script in snapshot.scripts:
        if script.candidate_number.strip():
            by_number.setdefault(_number_key(script.candidate_number), []).append(script.id)
        by_name.setdefault(_name_key(script.display_name), []).append(script.id)
    markers_by_name = {_key(m.name): m for m in snapshot.markers.values()}

    result = MarkbookChanges(rows_read=0, source=path.name, ignored_columns=ignored,
                             read_columns=[str(h) for h in read_from])
    seen: dict[ScriptId, int] = {}
    row_changes: dict[int, list[MarkChange]] = {}

    def cell(row: tuple, column: int | None) -> object:
        return row[column] if column is not None and column < len(row) else None

    for row_number, row in sheet.rows:
        result.rows_read += 1
        number = _text(cell(row, number_col))
        name = _text(cell(row, name_col))
        who = " ".join(p for p in (name, f"({number})" if number else "") if p)
        try:
            number = _identity(cell(row, number_col), cols.NUMBER)
            name = _identity(cell(row, name_col), cols.NAME)
            row_id = _identity(cell(row, id_col), cols.SCRIPT_ID)
        except _CellProblem as problem:
            result.problems.append(RowProblem(row_number, who, str(problem)))
            continue
        by_id = ScriptId(int(row_id)) if row_id.isdigit() and len(row_id) <= 18 and \
            int(row_id) in scripts else None
        numbered = by_number.get(_number_key(number), []) if number else []
        if by_id is not None and numbered and by_id not in numbered:
            result.problems.append(RowProblem(
                row_number, who, f"script ID {row_id} is {scripts[by_id].candidate} in this "
                                 f"set, but candidate number {number} is another script (is "
                                 "this markbook from another set?)"))
            continue
        if by_id is not None and number and not numbered and \
                scripts[by_id].candidate_number.strip():
            result.problems.append(RowProblem(
                row_number, who, f"candidate number {number} does not match script ID "
                                 f"{row_id} ({scripts[by_id].candidate})"))
            continue
        if by_id is not None:
            matches = [by_id]
        elif number:
            matches = numbered
            if not matches:
                result.problems.append(RowProblem(
                    row_number, who, f"no candidate number {number} in this set"))
                continue
        elif name:
            matches = by_name.get(_name_key(name), [])
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
        script = scripts[script_id]
        known_name = script.candidate_name.strip()
        if name and known_name and not _names_agree(name, known_name):
            # never applied to the number's (or the id's) student: the row may be another's
            number_shown = script.candidate_number.strip()
            target = f"candidate {number_shown}" if number_shown else \
                f"script ID {int(script_id)}"
            result.problems.append(RowProblem(
                row_number, "", f"the name {name} does not match {target} ({known_name})"))
            continue
        who = script.candidate
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
            changes = _row_changes(row, row_number, script_id, who, criteria, shown, cell)
        except _CellProblem as problem:
            result.problems.append(RowProblem(row_number, who, str(problem)))
            continue
        if not changes and total_col is not None:
            total = cell(row, total_col)
            old_total = marking.total(scheme, shown)
            if isinstance(total, int | float) and not isinstance(total, bool) and \
                    total != old_total:
                result.problems.append(RowProblem(
                    row_number, who, "the Total was changed, but totals are not read: type the "
                                     "mark of each criterion instead"))
                continue
        row_changes[row_number] = changes
    for row_number in sorted(row_changes):
        result.changes.extend(row_changes[row_number])
    result.problems.extend(sheet.problems)
    result.problems.sort(key=lambda p: p.row)
    return result


def _row_changes(row: tuple, row_number: int, script_id: ScriptId, who: str, criteria, shown,
                 cell) -> list[MarkChange]:
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
                label = marking.check_mark(criterion, mark, level if level_edited else None)
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
                marking.check_mark(criterion, None, level)
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

    All or nothing: every change is checked against the scheme first (if one no longer
    fits, because the scheme was edited since reading, :class:`MarkError` is raised and
    nothing is recorded), then all are recorded in one transaction, with one "import
    markbook" audit entry naming the file and the count. An error, a crash or a kill
    part-way leaves the set exactly as it was.
    """
    items = list(changes.changes if isinstance(changes, MarkbookChanges) else changes)
    for change in items:
        if change.new_mark is not None:
            marking_set.check_mark(change.criterion, change.new_mark, change.new_level)
        else:
            marking_set.check_mark(change.criterion, None, change.new_level)
    result = Changes()
    if not items:
        return result
    source = changes.source if isinstance(changes, MarkbookChanges) else ""
    with marking_set.atomic("import markbook", {
            "file": source, "changes": len(items),
            "scripts": len({change.script_id for change in items})}):
        for change in items:
            if change.new_mark is not None:
                result |= marking_set.set_mark(change.script_id, change.criterion,
                                               change.new_mark, change.new_level, marker=marker)
            else:
                assert change.new_level is not None
                result |= marking_set.set_level(change.script_id, change.criterion,
                                                change.new_level, marker=marker)
    return result
