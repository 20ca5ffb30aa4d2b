"""The markbook workbook (openpyxl): Marks, Comments, Summary (with a chart) and, when more
than one marker has marked, Markers.

Every text cell is stored as text, never as a formula: its data type is forced to ``s`` and,
when it starts with ``= + - @``, the cell style gets ``quotePrefix`` (so Excel keeps it as
text even after the cell is edited). Characters a spreadsheet cannot hold are removed, and
text over 32,767 characters is cut with a visible "… [cut: N characters]" and a warning
returned to the caller. Statistics are stored as values, not formulas.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rubric import marking
from rubric.export.cells import CELL_LIMIT, FORMULA_STARTS, cut_marker, sheet_text, utf16_length
from rubric.export.markbook_table import SCRIPT_ID, WARNINGS, Column, markbook_table
from rubric.export.snapshot import SetSnapshot
from rubric.export.stats import level_counts, summarise
from rubric.export.workbook_save import Rendered, render, save
from rubric.ids import MarkerId
from rubric.safe_write import write_with
from rubric.store import MarkingSet

_HEADER_FILL = "DEEAF6"
_NAVY = "1F3864"

_FORMATS = {"mark": "0", "percent": "0%", "words": "#,##0", "decimal": "0.0",
            "difference": "+0;-0;0"}


_FONT = "Calibri"
_new_cell = object.__new__


def _font(**kwargs) -> Font:
    return Font(name=_FONT, size=kwargs.pop("size", 11), **kwargs)


def _named_styles() -> list[NamedStyle]:
    thin = Side(style="thin", color="9BB7D9")
    header = NamedStyle(
        name="EM Header", font=_font(bold=True, color=_NAVY),
        fill=PatternFill("solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL),
        border=Border(bottom=thin),
        alignment=Alignment(vertical="center", wrap_text=True))
    text = NamedStyle(name="EM Text", font=_font(), alignment=Alignment(vertical="top"))
    wrapped = NamedStyle(name="EM Wrapped", font=_font(),
                         alignment=Alignment(vertical="top", wrap_text=True))
    styles = [header, text, wrapped]
    for kind, number_format in _FORMATS.items():
        # Marks sit centred under their header; other numbers align right.
        horizontal = "right" if kind == "words" else "center"
        styles.append(NamedStyle(name=f"EM {kind}", number_format=number_format, font=_font(),
                                 alignment=Alignment(vertical="top", horizontal=horizontal)))
    shaded = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")
    styles.append(NamedStyle(name="EM difference shaded", number_format=_FORMATS["difference"],
                             font=_font(), fill=shaded,
                             alignment=Alignment(vertical="top", horizontal="center")))
    title = NamedStyle(name="EM Title", font=_font(bold=True, size=14, color=_NAVY))
    note = NamedStyle(name="EM Note", font=_font(italic=True, color="595959"))
    styles += [title, note]
    return styles


class SheetWriter:
    """Writes values into a worksheet: text always as text, numbers with a format, and
    a warning for every text it had to cut.

    A cell is made with its named style's array, looked up once per style
    (``cell.style = name`` searches the workbook's list of named styles for every cell,
    which cost more than writing the cell), and its text is stored directly as a string:
    :func:`sheet_text` has already removed what a cell cannot hold, which is all
    openpyxl's value setter would check (a text with nothing to remove, strip or cut, the
    usual case, is recognised without it). A text cell's slots are set directly, as
    ``Cell.__init__`` sets them. (``Cell(..., style_array=)``, the slots of ``Cell``, and
    ``Worksheet._add_cell`` are openpyxl 3.1's, the version pinned.)"""

    def __init__(self, sheet: Worksheet, warnings: list[str]):
        self.sheet = sheet
        self.warnings = warnings
        self.widths: dict[int, int] = {}
        self._styles: dict[str, StyleArray] = {}

    def _style(self, name: str) -> StyleArray:
        """The named style's array (a cell made with it gets a copy of its own)."""
        array = self._styles.get(name)
        if array is None:
            array = self._styles[name] = self.sheet.parent._named_styles[name].as_tuple()
        return array

    def text(self, row: int, column: int, value: object, style: str = "EM Text",
             what: str = "") -> str:
        """Write ``value`` as text; returns the text the cell holds."""
        if (type(value) is str and value.isprintable() and 2 * len(value) <= CELL_LIMIT
                and not (value[:1].isspace() or value[-1:].isspace())):
            # what sheet_text returns for it (nothing to remove, strip or cut), found in C
            text, removed = value, 0
        else:
            text, removed = sheet_text(value)
        sheet = self.sheet
        # Cell(sheet, row=, column=, style_array=) without its keyword-argument handling:
        # the same slots, the cell's own copy of the style's array
        cell = _new_cell(Cell)
        cell.parent = sheet
        cell._style = StyleArray(self._styles.get(style) or self._style(style))
        cell.row = row
        cell.column = column
        cell._value = text
        cell.data_type = "s"  # never a formula, never an error code such as "#N/A"
        cell._hyperlink = None
        cell._comment = None
        sheet._add_cell(cell)
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
        if removed:
            where = f"{self.sheet.title} sheet, cell {cell.coordinate}"
            original = str(value)
            size = f"{len(original):,} characters"
            units = utf16_length(original)
            if units != len(original):   # a spreadsheet counts an emoji (and the like) twice
                size += f", {units:,} as a spreadsheet counts them"
            self.warnings.append(
                f"{where}{f' ({what})' if what else ''}: the text has {size}, more than a "
                f"spreadsheet cell holds ({CELL_LIMIT:,}); it was cut and ends with "
                f"“{cut_marker(removed)}” (the full text is in the app)")
        longest = len(text) if "\n" not in text else max(len(line) for line in text.split("\n"))
        if longest > self.widths.get(column, 0):
            self.widths[column] = longest
        return text

    def number(self, row: int, column: int, value: float | int | None, kind: str) -> None:
        cell = Cell(self.sheet, row=row, column=column, style_array=self._style(f"EM {kind}"))
        if value is not None:
            cell.value = value
        self.sheet._add_cell(cell)
        if value is not None:
            shown = f"{value:.0%}" if kind == "percent" else (
                f"{value:,.1f}" if isinstance(value, float) else f"{value:,}")
            self._measure(column, shown)

    def put(self, row: int, column: int, value: object, kind: str, what: str = "") -> None:
        if kind in _FORMATS:
            if value is None or isinstance(value, int | float) and not isinstance(value, bool):
                self.number(row, column, value, kind)  # type: ignore[arg-type]
                return
        self.text(row, column, value, "EM Text", what)

    def header(self, row: int, headers: Sequence[str], first_column: int = 1) -> None:
        for offset, title in enumerate(headers):
            self.text(row, first_column + offset, title, "EM Header")

    def _measure(self, column: int, text: str) -> None:
        if "\n" in text:
            longest = max(len(line) for line in text.split("\n"))
        else:
            longest = len(text)
        if longest > self.widths.get(column, 0):
            self.widths[column] = longest

    def set_widths(self, minimum: int = 8, maximum: int = 50,
                   fixed: dict[int, int] | None = None) -> None:
        fixed = fixed or {}
        for column in range(1, self.sheet.max_column + 1):
            width = fixed.get(column)
            if width is None:
                width = min(maximum, max(minimum, self.widths.get(column, 0) + 2))
            self.sheet.column_dimensions[get_column_letter(column)].width = width


def _header_widths(headers: Sequence[str]) -> dict[int, int]:
    # Header cells wrap at spaces: room for the longest word and about half the header.
    return {i: max(8, len(h) // 2 + 3, max(len(w) for w in h.split()) + 3)
            for i, h in enumerate(headers, start=1) if h.strip()}


def _fit_row_height(sheet: Worksheet, row: int, texts: dict[int, str],
                    per_line: dict[int, int] | None = None) -> None:
    """Set a row's height for its wrapped cells (neither Excel nor LibreOffice grows rows
    written by openpyxl when they open the file). The lines are counted by wrapping at
    spaces, at about 1.1 characters a unit of column width: LibreOffice's fallback for
    Calibri is wider than Calibri, so a row is never too short for either. ``per_line``:
    the characters a line of each column holds (:func:`_line_lengths`), when known."""
    lines = 1
    for column, text in texts.items():
        fits = per_line[column] if per_line else _line_lengths(sheet, [column])[column]
        if len(text) <= fits and "\n" not in text:
            continue  # one line
        lines = max(lines, sum(_wrapped_lines(line, fits) for line in text.split("\n")))
    if lines > 1:
        sheet.row_dimensions[row].height = min(409, 15 * lines + 2)


def _line_lengths(sheet: Worksheet, columns: Sequence[int]) -> dict[int, int]:
    """How many characters a wrapped line of each column holds (see :func:`_fit_row_height`)."""
    lengths = {}
    for column in columns:
        width = sheet.column_dimensions[get_column_letter(column)].width or 10
        lengths[column] = max(1, int(width * 1.1) - 1)
    return lengths


def _wrapped_lines(text: str, per_line: int) -> int:
    """How many lines ``text`` takes when wrapped at spaces into lines of ``per_line``."""
    count, used = 1, 0
    for word in text.split():
        size = len(word)
        if used and used + 1 + size > per_line:
            count, used = count + 1, 0
        while size > per_line:   # a word longer than a line is broken
            count, size = count + 1, size - per_line
        used = size if not used else used + 1 + size
    return count


#: Excel's tallest row is 409 points: at 15 points a line, 27 wrapped lines fit.
_MAX_ROW_LINES = (409 - 2) // 15
CONTINUED = "…"


def split_for_rows(text: str, per_line: int, lines: int = _MAX_ROW_LINES) -> list[str]:
    """``text`` in pieces that each wrap (as :func:`_wrapped_lines` counts) into at most
    ``lines`` lines of ``per_line`` characters, so that no row needs more than Excel's
    tallest: cut at spaces, a piece that goes on ending in " …" and the next starting
    with "… ". A text that fits is one piece, unchanged."""
    if _fits(text, per_line, lines):
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    count, used = 1, 0  # lines of the piece so far, characters on its last line
    words = 0

    def step(count: int, used: int, size: int) -> tuple[int, int]:
        if used and used + 1 + size > per_line:
            count, used = count + 1, 0
        while size > per_line:  # a word longer than a line is broken
            count, size = count + 1, size - per_line
        return count, (size if not used else used + 1 + size)

    for token in re.split(r"(\n| +)", text):
        if not token:
            continue
        if token.startswith(" "):
            current.append(token)
            continue
        new = (count + 1, 0) if token == "\n" else step(count, used, len(token))
        if new[0] > lines - 1 and words:  # full (a line kept for " …"): go on in a new row
            pieces.append("".join(current).rstrip() + " " + CONTINUED)
            current, words = [CONTINUED + " "], 0
            count, used = 1, len(CONTINUED)
            if token == "\n":
                continue
            new = step(count, used, len(token))
        current.append(token)
        words += token != "\n"
        count, used = new
    if words:
        pieces.append("".join(current))
    return pieces


def _fits(text: str, per_line: int, lines: int) -> bool:
    if len(text) <= per_line * lines // 2:  # the common case, at once
        return True
    return sum(_wrapped_lines(line, per_line) for line in text.split("\n")) <= lines


def _finish_table(writer: SheetWriter, columns: int, rows: int, freeze: str = "C2") -> None:
    sheet = writer.sheet
    sheet.freeze_panes = freeze
    if rows >= 1:
        sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"
    sheet.print_title_rows = "1:1"
    _print_on_a4(sheet, "landscape")


def _marks_sheet(sheet: Worksheet, snapshot: SetSnapshot, warnings: list[str]) -> None:
    table = markbook_table(snapshot)
    writer = SheetWriter(sheet, warnings)
    headers = [c.header for c in table.columns]
    writer.header(1, headers)
    for row_index, (row, candidate) in enumerate(zip(table.rows, table.candidates, strict=True),
                                                 start=2):
        for col_index, (column, value) in enumerate(zip(table.columns, row, strict=True),
                                                    start=1):
            _put_column(writer, row_index, col_index, column, value, candidate)
    for column, width in _header_widths(headers).items():
        writer.widths[column] = max(writer.widths.get(column, 0), width)
    warnings_column = headers.index(WARNINGS) + 1
    writer.set_widths(maximum=40, fixed={warnings_column: max(
        24, min(60, writer.widths.get(warnings_column, 0) + 2)),
        headers.index(SCRIPT_ID) + 1: 8})
    sheet.row_dimensions[1].height = 32
    _finish_table(writer, len(headers), len(table.rows))


def _put_column(writer: SheetWriter, row: int, column: int, spec: Column, value: object,
                candidate: str) -> None:
    what = f"{candidate}, {spec.header.lower()}"
    if spec.kind == "text":
        writer.text(row, column, "" if value is None else value, what=what)
    else:
        writer.put(row, column, value, spec.kind, what)


_KINDS = (("www", "What went well"), ("ebi", "Even better if"), ("general", "General comment"))


def _comments_sheet(sheet: Worksheet, snapshot: SetSnapshot, warnings: list[str]) -> None:
    writer = SheetWriter(sheet, warnings)
    headers = [
        "Candidate number", "Candidate name", "Marker", "Kind", "Criterion", "Passage", "Comment"]
    writer.header(1, headers)
    row = 2
    wrapped: list[dict[int, str]] = []  # each row's passage and comment, for its height
    for script in snapshot.scripts:
        for marker in snapshot.markers.values():
            comment = snapshot.comments.get((script.id, marker.id))
            if comment is None:
                continue
            for key, kind in _KINDS:
                text = getattr(comment, key)
                if not text.strip():
                    continue
                for values in _continued([script.candidate_number, script.display_name,
                                          marker.name, kind, "", "", text]):
                    wrapped.append(_comment_row(writer, row, values, script.candidate))
                    row += 1
        for annotation in snapshot.annotations.get(script.id, []):
            marker = snapshot.markers.get(annotation.marker_id)
            for values in _continued([script.candidate_number, script.display_name,
                                      marker.name if marker else "", "Annotation",
                                      annotation.criterion or "", annotation.quote,
                                      annotation.comment]):
                wrapped.append(_comment_row(writer, row, values, script.candidate))
                row += 1
    for column, width in _header_widths(headers).items():
        writer.widths[column] = max(writer.widths.get(column, 0), width)
    writer.set_widths(maximum=30, fixed={6: 50, 7: 60})
    per_line = _line_lengths(sheet, [6, 7])
    for row_index, texts in enumerate(wrapped, start=2):
        _fit_row_height(sheet, row_index, texts, per_line)
    _finish_table(writer, len(headers), row - 2)


#: The characters a line of the Comments sheet's Passage and Comment columns holds (their
#: widths are fixed at 50 and 60: see _comments_sheet and _line_lengths).
_PASSAGE_LINE, _COMMENT_LINE = int(50 * 1.1) - 1, int(60 * 1.1) - 1


def _continued(values: list) -> list[list]:
    """One Comments row, or several when its passage or comment is longer than Excel's
    tallest row shows: the same candidate, marker and criterion on each, the kind marked
    "(continued)" after the first, the text going on from row to row (nothing hidden in a
    cell that cannot grow, nothing cut)."""
    passages = split_for_rows(str(values[5]), _PASSAGE_LINE)
    comments = split_for_rows(str(values[6]), _COMMENT_LINE)
    if len(passages) == 1 and len(comments) == 1:
        return [values]
    rows = []
    for index in range(max(len(passages), len(comments))):
        kind = values[3] if index == 0 else f"{values[3]} (continued)"
        rows.append(values[:3] + [kind, values[4]]
                    + [passages[index] if index < len(passages) else "",
                       comments[index] if index < len(comments) else ""])
    return rows


def _comment_row(writer: SheetWriter, row: int, values: list[object],
                 candidate: str) -> dict[int, str]:
    """Write one row; returns the texts of its wrapped cells (passage, comment) by column."""
    wrapped: dict[int, str] = {}
    for column, value in enumerate(values, start=1):
        if column >= 6:
            what = f"{candidate}, {'passage' if column == 6 else 'comment'}"
            wrapped[column] = writer.text(row, column, value, "EM Wrapped", what)
        else:
            writer.text(row, column, value, "EM Text")
    return wrapped


def _summary_sheet(sheet: Worksheet, snapshot: SetSnapshot, warnings: list[str]) -> None:
    """Statistics and level counts of the fully marked scripts (every criterion of the
    current rubric has a mark), with their count said in words; whole marks without
    decimals, means to one decimal place."""
    scheme = snapshot.scheme
    writer = SheetWriter(sheet, warnings)
    writer.text(1, 1, "Summary", "EM Title")
    # Notes are short lines: a long one would run past the page width, and the sheet is
    # printed shrunk to fit everything it shows into that width.
    complete = [s.id for s in snapshot.scripts if snapshot.is_complete(s.id)]
    shown = len(snapshot.scripts)
    left = snapshot.left_out
    notes = [f"{snapshot.name} · {dt.date.today():%d %B %Y}",
             f"Rubric: {scheme.title or scheme.id}",
             f"Fully marked: {len(complete)} of {shown} script{'s' if shown != 1 else ''}",
             f"The statistics and level counts are of these {len(complete)} (a mark for "
             "every criterion)."]
    if left:
        notes.append(f"{left} script{'s' if left != 1 else ''} not marked yet "
                     f"{'is' if left == 1 else 'are'} not in this markbook.")
    for row, text in enumerate(notes, start=2):
        writer.text(row, 1, text, "EM Note")
    writer.text(4, 1, notes[2])   # the count, in plain bold
    sheet.cell(row=4, column=1).font = _font(bold=True, color=_NAVY)

    criteria = list(scheme.criteria)
    marks = {c.name: [snapshot.shown_marks(i)[c.name].mark for i in complete] for c in criteria}
    totals = summarise([snapshot.shown_total(i) for i in complete])
    per_criterion = [summarise(marks[c.name]) for c in criteria]
    headers = ["Statistic", "Total"] + ([c.name for c in criteria] if len(criteria) > 1 else [])
    top = len(notes) + 3
    writer.header(top, headers)
    rows = totals.as_rows()
    summaries = [totals] + (per_criterion if len(criteria) > 1 else [])
    for offset, (label, _value) in enumerate(rows, start=1):
        writer.text(top + offset, 1, label)
        for index, summary in enumerate(summaries):
            value = summary.as_rows()[offset - 1][1]
            writer.number(top + offset, 2 + index, *_summary_value(label, value))
    out_of = top + len(rows) + 1
    writer.text(out_of, 1, "Out of")
    writer.number(out_of, 2, scheme.total, "mark")
    if len(criteria) > 1:
        for index, criterion in enumerate(criteria):
            writer.number(out_of, 3 + index, criterion.maximum, "mark")
    writer.text(out_of + 1, 1, "Standard deviation of a sample (n − 1).", "EM Note")

    # Fully marked scripts at each level (the level their mark lies in), one column per
    # criterion: each column adds up to the count above.
    labels: list[str] = []
    for criterion in criteria:
        labels += [lv.label for lv in criterion.levels if lv.label not in labels]
    counts = []
    for criterion in criteria:
        placed = [marking.level_for_mark(criterion, mark) for mark in marks[criterion.name]]
        counts.append(level_counts([lv.label if lv else None for lv in placed],
                                   [lv.label for lv in criterion.levels]))
    in_no_level = [len(complete) - sum(c.values()) for c in counts]
    first = out_of + 4
    writer.text(first - 1, 1, "Fully marked scripts at each level", "EM Title")
    writer.header(first, ["Level"] + [c.name for c in criteria])
    for offset, label in enumerate(labels, start=1):
        writer.text(first + offset, 1, label)
        for index, by_level in enumerate(counts):
            writer.number(first + offset, 2 + index, by_level.get(label), "mark")
    last = first + len(labels)
    row = last + 1
    if any(in_no_level):   # e.g. 0 marks in a rubric with no Level 0
        writer.text(row, 1, "In no level")
        for index, count in enumerate(in_no_level):
            writer.number(row, 2 + index, count, "mark")
        row += 1
    writer.text(row, 1, "Fully marked")
    sheet.cell(row=row, column=1).font = _font(bold=True)
    for index in range(len(criteria)):
        writer.number(row, 2 + index, len(complete), "mark")
        sheet.cell(row=row, column=2 + index).font = _font(bold=True)
    writer.set_widths(minimum=10, maximum=22, fixed={1: 22})

    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = "Fully marked scripts at each level"
    chart.y_axis.title = "Scripts"
    chart.x_axis.title = "Level"
    chart.y_axis.majorGridlines = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.numFmt = "0"
    chart.height = 8
    chart.width = 16
    data = Reference(sheet, min_col=2, max_col=1 + len(criteria), min_row=first, max_row=last)
    categories = Reference(sheet, min_col=1, min_row=first + 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    if len(criteria) == 1:
        chart.legend = None
    sheet.add_chart(chart, f"A{row + 2}")
    _print_on_a4(sheet, "portrait")


def _summary_value(label: str, value: float | int | None) -> tuple[float | int | None, str]:
    """A statistic and its number format: counts and marks whole ("0"), means and spreads
    to one decimal place ("0.0"); a median of two middle marks may end in .5."""
    if label in ("Count", "Highest", "Lowest"):
        return (None if value is None else round(value)), "mark"
    if label == "Median" and value is not None and float(value).is_integer():
        return int(value), "mark"
    return value, "decimal"


def _print_on_a4(sheet: Worksheet, orientation: str | None = None) -> None:
    """Print on A4 (portrait unless the sheet says otherwise), as wide as the page and as
    many pages down as it takes."""
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    if orientation is not None or setup.orientation is None:
        setup.orientation = orientation or "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _markers_sheet(sheet: Worksheet, snapshot: SetSnapshot, warnings: list[str]) -> None:
    """Each marker's marks side by side per script, and each marker's difference from the
    first (teachers come first). Columns are headed by initials, with a key below."""
    markers = snapshot.markers_with_marks()
    first, others = markers[0], markers[1:]
    short = {m.id: m.initials for m in markers}
    if len(set(short.values())) < len(markers) or not all(short.values()):
        short = {m.id: m.name for m in markers}
    writer = SheetWriter(sheet, warnings)
    criteria = [c.name for c in snapshot.scheme.criteria] + ["Total"]
    headers = ["Candidate number", "Candidate name"]
    difference_columns = set()
    for name in criteria:
        headers += [f"{name} {short[m.id]}" for m in markers]
        for m in others:
            headers.append(f"{name} {short[m.id]} − {short[first.id]}")
            difference_columns.add(len(headers))
    writer.header(1, headers)
    for row, script in enumerate(snapshot.scripts, start=2):
        writer.text(row, 1, script.candidate_number)
        writer.text(row, 2, script.display_name)
        column = 3
        for name in criteria:
            values = [_marker_value(snapshot, script.id, m.id, name) for m in markers]
            for value in values:
                writer.number(row, column, value, "mark")
                column += 1
            for value in values[1:]:
                diff = None if value is None or values[0] is None else value - values[0]
                writer.number(row, column, diff, "difference shaded")
                column += 1
    widths = _header_widths(headers)
    widths[2] = max(widths.get(2, 0), writer.widths.get(2, 0) + 2)
    key_row = len(snapshot.scripts) + 3
    for offset, m in enumerate(markers):
        writer.text(key_row + offset, 1, f"{short[m.id]} = {m.name} ({m.role})", "EM Note")
    writer.text(key_row + len(markers), 1,
                f"Differences are each marker’s mark minus {first.name}’s.", "EM Note")
    for column in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(column, 10)
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(snapshot.scripts) + 1}"
    sheet.print_title_rows = "1:1"
    _print_on_a4(sheet, "landscape")


def _marker_value(snapshot: SetSnapshot, script_id, marker_id: MarkerId,
                  criterion: str) -> int | None:
    marks = snapshot.marks.get((script_id, marker_id), {})
    if criterion == "Total":   # as every other sheet counts it: the scheme's criteria only
        return marking.total(snapshot.scheme, marks)
    mark = marks.get(criterion)
    return mark.mark if mark else None


def markbook_workbook(marking_set: MarkingSet, marker: MarkerId | None = None,
                      warnings: list[str] | None = None, which: str = "all") -> Workbook:
    """The markbook as an openpyxl ``Workbook`` (not yet saved); cut texts are reported in
    ``warnings``. ``which``: every script, or only those marked (see
    :func:`~rubric.export.snapshot.exported_scripts`)."""
    return _markbook(marking_set, marker, [] if warnings is None else warnings, which)[0]


def _markbook(marking_set: MarkingSet, marker: MarkerId | None, warnings: list[str],
              which: str, write_ahead: bool = False) -> tuple[Workbook, Rendered | None]:
    """The markbook, and (``write_ahead``) the XML of its own sheets, written while the
    similarity check runs (see :mod:`rubric.export.workbook_save`)."""
    from rubric.export.similarity_sheet import comparison_sheets, start_similarity

    # the scripts are compared (by a fork, where one may run) from as soon as they are
    # known, while their marks are read and the other sheets made (and written out)
    snapshot = SetSnapshot(marking_set, marker, which,
                           listed=lambda listed: start_similarity(marking_set, listed))
    rendered = None
    with snapshot.started or nullcontext() as similarity:
        workbook = _own_sheets(snapshot, warnings)
        own = list(workbook.worksheets)
        for sheet in own:
            _print_on_a4(sheet)
        if write_ahead:
            rendered = render(own)
        comparison_sheets(workbook, marking_set, snapshot, warnings, similarity)
    for sheet in workbook.worksheets[len(own):]:   # the sheets added above
        _print_on_a4(sheet)
    return workbook, rendered


def _own_sheets(snapshot: SetSnapshot, warnings: list[str]) -> Workbook:
    """Marks, Comments, Summary and, with two markers or more, Markers and Moderation."""
    workbook = Workbook()
    workbook.properties.creator = "Essay Marker"
    workbook.properties.title = sheet_text(f"Markbook: {snapshot.name}")[0]
    for style in _named_styles():
        workbook.add_named_style(style)
    marks = workbook.active
    marks.title = "Marks"
    _marks_sheet(marks, snapshot, warnings)
    _comments_sheet(workbook.create_sheet("Comments"), snapshot, warnings)
    _summary_sheet(workbook.create_sheet("Summary"), snapshot, warnings)
    if len(snapshot.markers_with_marks()) > 1:
        _markers_sheet(workbook.create_sheet("Markers"), snapshot, warnings)
        from rubric.export.moderation_sheet import moderation_sheet  # imports this module

        moderation_sheet(workbook.create_sheet("Moderation"), snapshot, warnings)
    return workbook


def export_markbook(marking_set: MarkingSet, path: str | Path,
                    marker: MarkerId | None = None, which: str = "all") -> list[str]:
    """Write the markbook workbook atomically; returns warnings (texts that had to be cut).
    Raises :class:`~rubric.safe_write.ExportError` naming the file if it cannot be written
    (the previous file is untouched)."""
    warnings: list[str] = []
    with _collector_paused():
        workbook, rendered = _markbook(marking_set, marker, warnings, which,
                                       write_ahead=True)
        write_with(Path(path), lambda target: save(workbook, target, rendered))
    return warnings


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a workbook is built and saved.

    A markbook is tens of thousands of cells, styles and row dimensions, all alive until the
    file is written: the collector would walk them (and every other object of the process)
    again and again as they are made, for nothing; that cost up to a third of the export.
    It runs again afterwards (unless something else had paused it) and frees the workbook
    as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
