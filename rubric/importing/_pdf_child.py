"""Child process that parses untrusted files under a memory and CPU limit.

Run as ``python -m rubric.importing._pdf_child MODE MEMORY_MB CPU_SECONDS``.

* ``MODE`` ``serve`` (what :mod:`rubric.importing.sandbox` starts): a long-lived child that
  reads requests from stdin until it is closed. A request is one JSON line
  ``{"mode": "pdf"|"rtf", "size": n, "cpu": seconds}`` followed by ``n`` bytes (the file);
  the answer is one JSON line on stdout. The CPU limit is renewed for each request; the
  memory limit holds for the child's whole life. After running out of memory, or when it
  has grown large or old, the child answers with ``"retire": true`` and exits, and the
  parent starts a fresh one.
* ``MODE`` ``pdf`` or ``rtf``: one file's bytes on stdin, one JSON object on stdout, exit.

Answers:

* ``pdf``: ``{"ok": true, "page_count": n, "pages": [page, ...]}``, each page
  ``{"lines": [[text, x0, x1, top, bottom, column], ...], "columns": [[left, right], ...],
  "width": w, "height": h}``: its lines in reading order, in points from the top left of
  the page as its text reads (a rotated page is turned upright); ``column`` is -1 for a
  line across all columns and -2 for text that runs another way than most of the page's.
  A page without any text has ``"lines": []`` and ``"empty": "scan"`` (it shows an image
  or a drawing) or ``"blank"``;
* ``rtf``: ``{"ok": true, "text": "..."}`` (striprtf, whose regular expressions can take
  minutes on crafted input, so RTF goes through the same guard);
* on failure: ``{"ok": false, "error": code, "detail": "..."}`` where code is one of
  ``encrypted``, ``encrypted-unsupported``, ``damaged``, ``memory``.

PDF text comes from PDFium (pypdfium2): the text layer of every page, with the position of
every word, from which this module rebuilds lines and reads columns one after the other
(:func:`reading_order`). Ligature glyphs become plain letters and accents that LaTeX draws as a
separate glyph over a letter are composed with it (``Pok´emon`` → ``Pokémon``).

The limits are set by the child itself, first thing, before any parser is imported:
setting them in the parent's ``preexec_fn`` is not safe when the parent has threads (the
GUI imports in a worker pool), and the effect is the same. The parent adds the wall-clock
limit and kills the child when it is exceeded.

This module imports nothing else from the project when it starts, so a child is ready in
about 0.1 s (starting Python and loading PDFium); it then serves file after file.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from bisect import bisect_left, bisect_right

# --- limits -------------------------------------------------------------------------------


def _set_limits(memory_mb: int, cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: only the parent's wall-clock limit applies
        return
    memory = memory_mb * 1024 * 1024
    for limit, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu_seconds)):
        try:
            soft, hard = resource.getrlimit(limit)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(limit, (value, hard))
        except (ValueError, OSError):
            pass
    for limit in (resource.RLIMIT_FSIZE, resource.RLIMIT_CORE):  # no files, no core dumps
        try:
            resource.setrlimit(limit, (0, resource.getrlimit(limit)[1]))
        except (ValueError, OSError):
            pass


def _renew_cpu_limit(cpu_seconds: int) -> None:
    """RLIMIT_CPU counts the process's whole life: allow ``cpu_seconds`` more from now."""
    try:
        import resource
    except ImportError:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    value = int(usage.ru_utime + usage.ru_stime) + 1 + cpu_seconds
    try:
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (value, hard))
    except (ValueError, OSError):
        pass


def _resident_mb() -> float:
    try:
        with open("/proc/self/statm", "rb") as handle:
            pages = int(handle.read().split()[1])
        import os

        return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except (OSError, ValueError, IndexError, AttributeError):
        try:
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return peak / 1024 / (1024 if sys.platform == "darwin" else 1)
        except (ImportError, OSError):
            return 0.0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    text = text.splitlines()[0] if text else type(exc).__name__
    return text[:120]


# --- characters ---------------------------------------------------------------------------

#: Ligature glyphs as plain letters (so "effective" is found and counted as one word).
LIGATURES = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st",
})
_LIGATURE_CHARS = frozenset("\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06")

#: Spacing accents (as TeX draws them over a letter with OT1 fonts) -> combining marks.
ACCENTS = {
    "\u00b4": "\u0301", "`": "\u0300", "\u00a8": "\u0308", "\u02c6": "\u0302", "^": "\u0302",
    "\u02dc": "\u0303", "~": "\u0303", "\u00b8": "\u0327", "\u02c7": "\u030c", "\u02d8": "\u0306",
    "\u00af": "\u0304", "\u02d9": "\u0307", "\u02da": "\u030a", "\u02dd": "\u030b", "\u02db": "\u0328",
}
_ACCENT_CHARS = frozenset(ACCENTS)
_ACCENT_RE = re.compile("[" + re.escape("".join(ACCENTS)) + "]")
_COMBINING = re.compile("[\u0300-\u036f]")
_DOTLESS = {"\u0131": "i", "\u0237": "j"}

#: A word as PDFium gives it: no white space; a hyphen that PDFium found at the end of a
#: line (it joins the two halves and marks the hyphen as U+FFFE or U+0002) ends the word.
_WORD = re.compile(r"[^\s\ufffe\x02]+[\ufffe\x02]?|[\ufffe\x02]")
_HYPHEN_MARKS = str.maketrans({"\ufffe": "-", "\x02": "-"})


# --- layout -------------------------------------------------------------------------------


class Word:
    """A word on a page, in the page's reading frame: ``u`` runs along the line, ``v`` down
    the page (points). ``first``/``last``: PDFium's indices of its first and last char."""

    __slots__ = ("text", "u0", "u1", "top", "bottom", "first", "last")

    def __init__(self, text: str, u0: float, u1: float, top: float, bottom: float,
                 first: int = -1, last: int = -1) -> None:
        self.text, self.u0, self.u1, self.top, self.bottom = text, u0, u1, top, bottom
        self.first, self.last = first, last

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def __repr__(self) -> str:  # for tests and debugging
        return f"Word({self.text!r}, {self.u0:.1f}-{self.u1:.1f}, {self.top:.1f}-{self.bottom:.1f})"


def cluster_lines(words: list[Word]) -> list[list[Word]]:
    """Group words into visual lines (top to bottom, each left to right). A word joins a
    line when its vertical centre is within half a word height of the line's first word's
    centre (either word's height: a raised footnote mark joins its line, a drop cap does
    not swallow the next lines)."""
    words = sorted(words, key=lambda w: w.top + w.bottom)
    lines: list[list[Word]] = []
    current: list[Word] | None = None
    ref_centre2 = ref_height = 0.0
    for word in words:
        centre2 = word.top + word.bottom
        height = word.bottom - word.top
        if current is not None and abs(centre2 - ref_centre2) <= (ref_height if ref_height > height else height):
            current.append(word)
        else:
            current = [word]
            lines.append(current)
            ref_centre2, ref_height = centre2, height
    for line in lines:
        line.sort(key=lambda w: w.u0)
    return lines


def _unit(words: list[Word]) -> float:
    """The typical word height on the page (the body text's size, roughly 1.1 em)."""
    heights = sorted(w.bottom - w.top for w in words)
    return max(1.0, heights[len(heights) // 2]) if heights else 10.0


def find_gutters(lines: list[list[Word]], unit: float) -> list[tuple[float, float]]:
    """The white columns between text columns: vertical strips that (almost) no line
    crosses, with several lines of text on each side, each side a fair share of the width.

    Lines that run across most of the width without a wide gap (a title or abstract above
    the columns, or ordinary one-column text) are left out of the count, so that they do
    not hide the gutter below them; they become lines across all columns."""
    if len(lines) < 6:
        return []
    lo = min(line[0].u0 for line in lines)
    hi = max(max(w.u1 for w in line) for line in lines)
    width = hi - lo
    if width < 8 * unit:
        return []
    wide_gap = 0.8 * unit
    size = int(width) + 2
    diff = [0] * (size + 1)
    counted: list[list[Word]] = []
    for line in lines:
        gapped = False
        for a, b in zip(line, line[1:], strict=False):
            if b.u0 - a.u1 >= wide_gap:
                gapped = True
                break
        if not gapped and line[-1].u1 - line[0].u0 >= 0.7 * width:
            continue
        counted.append(line)
        for w in line:
            diff[max(0, int(w.u0 - lo))] += 1
            diff[min(size, int(w.u1 - lo) + 1)] -= 1
    if len(counted) < 6 or all(line[0].u0 < lo + 0.15 * width for line in counted) and not any(
        b.u0 - a.u1 >= wide_gap for line in counted for a, b in zip(line, line[1:], strict=False)
    ):
        return []  # no line starts where a second column could, none has a wide gap
    allowed = max(1, len(counted) // 10)
    runs: list[tuple[int, int]] = []
    cover = 0
    start = None
    for i in range(size):
        cover += diff[i]
        if cover <= allowed:
            if start is None:
                start = i
        elif start is not None:
            runs.append((start, i))
            start = None
    min_width = max(5.0, 0.6 * unit)
    gutters = [(lo + a, lo + b) for a, b in runs if a > 0 and b - a >= min_width]
    # Every column must look like prose: a fair share of the width, three lines or more,
    # and words enough on a line (a table's cells, a contents page's numbers, the columns
    # of a code listing do not); else the gutter beside it goes, the narrower first.
    while gutters:
        middles = [(g0 + g1) / 2 for g0, g1 in gutters]
        count = len(gutters) + 1
        rows, words, starts, ends = [0] * count, [0] * count, [hi] * count, [lo] * count
        for line in counted:
            if any(w.u0 < g1 - 1 and w.u1 > g0 + 1 for w in line for g0, g1 in gutters):
                continue  # a line across the gutters is in no column
            seen = set()
            for w in line:
                column = bisect_right(middles, (w.u0 + w.u1) / 2)
                seen.add(column)
                words[column] += 1
                if w.u0 < starts[column]:
                    starts[column] = w.u0
                if w.u1 > ends[column]:
                    ends[column] = w.u1
            for column in seen:
                rows[column] += 1
        bad = [
            c for c in range(count)
            if rows[c] < 3 or words[c] < 2.5 * rows[c] or ends[c] - starts[c] < 0.15 * width
        ]
        if not bad:
            return gutters
        beside = [k for k in (bad[0] - 1, bad[0]) if 0 <= k < len(gutters)]
        del gutters[min(beside, key=lambda k: gutters[k][1] - gutters[k][0])]
    return []


#: A list item's label standing apart from its text ("1.", "a)", "(iv)", "•"): a list
#: with hanging indents is not a table.
_LIST_LABEL = re.compile(r"^(\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|\(?[ivxlc]{1,6}[.)]|[•◦▪‣∙·*o\-–—])$")


def _segments(line: list[Word], gap: float) -> list[list[Word]]:
    """A line cut where the white space between two words is ``gap`` or wider."""
    segments = [[line[0]]]
    for previous, word in zip(line, line[1:], strict=False):
        if word.u0 - previous.u1 >= gap:
            segments.append([word])
        else:
            segments[-1].append(word)
    return segments


def find_tables(lines: list[list[Word]], unit: float) -> list[tuple[int, int, list[float]]]:
    """Tables drawn in the text: runs of consecutive lines (``(first, end)`` indices into
    ``lines``, top to bottom) whose words stand in two columns or more that start at the
    same places line after line, with the columns' left edges. At least three lines must
    show the columns apart, and one column must hold a few words a line (a date, a name,
    a figure): two columns of prose are a two-column page, for :func:`find_gutters`; a
    list's labels ("1.", "•") before hanging text, and footnote numbers, are no column."""
    if len(lines) < 3:
        return []
    lo = min(line[0].u0 for line in lines)
    hi = max(line[-1].u1 for line in lines)
    width = hi - lo
    gap = 0.8 * unit
    cut = [_segments(line, gap) for line in lines]
    tables: list[tuple[int, int, list[float]]] = []
    index = 0
    while index < len(lines):
        if len(cut[index]) < 2 or _LIST_LABEL.match(line_text(cut[index][0])):
            index += 1
            continue
        # the run of lines close below each other that have columns, or continue one
        starts = [segment[0].u0 for segment in cut[index]]
        end = index + 1
        while end < len(lines):
            line, above = lines[end], lines[end - 1]
            if line[0].top - above[-1].bottom > 1.5 * unit and line[0].top - above[0].bottom > 1.5 * unit:
                break
            segments = cut[end]
            if len(segments) >= 2 and _LIST_LABEL.match(line_text(segments[0])):
                break
            spans = line[-1].u1 - line[0].u0
            if len(segments) < 2:
                u0 = segments[0][0].u0
                later = any(abs(u0 - start) <= 3 for start in starts[1:]) and abs(u0 - starts[0]) > 3
                first = abs(u0 - starts[0]) <= 3 and len(line) <= 4  # a first cell's few words
                if spans > 0.7 * width or not (later or first):
                    break  # prose across the table's columns, or a line that starts elsewhere
            starts.extend(segment[0].u0 for segment in segments)
            end += 1
        found = _table_columns(cut[index:end], width)
        if found:
            tables.append((index, end, found))
            index = end
        else:
            index += 1
    return tables


def _table_columns(cut: list[list[list[Word]]], width: float) -> list[float] | None:
    """The left edges of the columns of a run of cut lines, or None when it is no table.
    An edge is where segments start on three lines and half the lines that show columns
    (a justified cell's wide spaces start segments anywhere, and are no edge)."""
    shown = [segments for segments in cut if len(segments) >= 2]
    if len(shown) < 3:
        return None
    clusters: list[list[float]] = []  # segment starts within 3 points of each other
    for segments in shown:
        for segment in segments:
            u0 = segment[0].u0
            for cluster in clusters:
                if abs(cluster[0] - u0) <= 3:
                    cluster.append(u0)
                    break
            else:
                clusters.append([u0])
    columns = sorted(min(cluster) for cluster in clusters if len(cluster) >= max(3, len(shown) // 2))
    if len(columns) < 2:
        return None
    aligned = sum(any(abs(segment[0].u0 - c) <= 3 for c in columns) for segments in shown for segment in segments)
    apart = sum(1 for segments in shown if len({_column_of(columns, s[0].u0) for s in segments}) >= 2)
    if apart < 3 or aligned < 0.6 * sum(len(segments) for segments in shown):
        return None
    words = [0] * len(columns)
    cells = [0] * len(columns)
    firsts = []
    for segments in cut:
        line_cells: dict[int, list[Word]] = {}
        for segment in segments:
            line_cells.setdefault(_column_of(columns, segment[0].u0), []).extend(segment)
        for column, cell in line_cells.items():
            words[column] += len(cell)
            cells[column] += 1
            if column == 0:
                firsts.append(line_text(cell))
    if min(w / n for w, n in zip(words, cells, strict=True) if n) > 3.5:
        return None  # prose in every column: a two-column page
    if len(columns) == 2 and firsts and all(t.isdigit() and len(t) <= 3 for t in firsts):
        return None  # note numbers before their notes
    return columns


def _column_of(columns: list[float], u0: float) -> int:
    return max(0, bisect_right(columns, u0 + 3) - 1)


def table_rows(lines: list[list[Word]], columns: list[float], unit: float) -> list[tuple[str, float, float, float, float]]:
    """The rows of a table: each line's words go to the column whose edge they start at or
    after. Rows are told apart by the white space between them (a cell's padding) where
    some lines are closer together than others; else a line with nothing in the first
    column goes on with the row above (a cell's text wrapped onto a second line). Each
    row: its cells joined by " | " and its box."""
    gaps = [line[0].top - above[0].bottom for above, line in zip(lines, lines[1:], strict=False)]
    by_gaps = bool(gaps) and max(gaps) > min(gaps) + 0.3 * unit
    rows: list[list] = []  # [cells (word lists by column), top, bottom]
    for number, line in enumerate(lines):
        cells: list[list[Word]] = [[] for _ in columns]
        for word in line:
            cells[_column_of(columns, word.u0)].append(word)
        top = min(w.top for w in line)
        bottom = max(w.bottom for w in line)
        goes_on = number > 0 and (gaps[number - 1] <= min(gaps) + 0.3 * unit if by_gaps else not cells[0])
        if rows and goes_on:
            previous = rows[-1]
            for kept, more in zip(previous[0], cells, strict=True):
                kept.extend(more)
            previous[2] = max(previous[2], bottom)
        else:
            rows.append([cells, top, bottom])
    out = []
    for cells, top, bottom in rows:
        texts = [_cell_text(cell) for cell in cells]
        while texts and not texts[-1]:
            texts.pop()
        everything = [w for cell in cells for w in cell]
        out.append((CELL_SEPARATOR.join(texts), min(w.u0 for w in everything),
                    max(w.u1 for w in everything), top, bottom))
    return out


def _cell_text(words: list[Word]) -> str:
    """A cell's words, line after line (its lines in order, each left to right)."""
    return " ".join(line_text(line) for line in cluster_lines(words)) if words else ""


#: Between the cells of a table row (the docx convention).
CELL_SEPARATOR = " | "
#: The column of a table row (see :func:`reading_order`).
TABLE = -3


def reading_order(words: list[Word]) -> tuple[list[tuple[list[Word], int]], list[tuple[float, float]]]:
    """Lines in reading order, each with its column (-1: across all columns), and the
    columns' extents. Columns are read one after the other; a line across the columns
    (a title, a page number) ends the band of columns above it. A table drawn in the text
    (:func:`find_tables`) is no columns of the page: it comes as one entry, its lines
    (:class:`_TableRows`, column :data:`TABLE`), where it stands, and :func:`read_page`
    makes each of its rows one line."""
    lines = cluster_lines(words)
    if not lines:
        return [], []
    unit = _unit(words)
    tables = find_tables(lines, unit)
    if tables:
        rest = [line for number, line in enumerate(lines)
                if not any(first <= number < end for first, end, _ in tables)]
        ordered, columns = reading_order(
            [w for line in rest for w in line]) if rest else ([], [(0.0, 0.0)])
        for first, end, edges in reversed(tables):
            top = lines[first][0].top
            at = next((k for k, (line, column) in enumerate(ordered)
                       if column in (0, ACROSS) and line[0].top > top), len(ordered))
            ordered.insert(at, (_TableRows(lines[first:end], edges), TABLE))
        return ordered, columns
    gutters = find_gutters(lines, unit)
    lo = min(line[0].u0 for line in lines)
    hi = max(max(w.u1 for w in line) for line in lines)
    if not gutters:
        return [(line, 0) for line in lines], [(lo, hi)]
    columns = []
    left = lo
    for g0, g1 in gutters:
        columns.append((left, g0))
        left = g1
    columns.append((left, hi))
    middles = [(g0 + g1) / 2 for g0, g1 in gutters]
    across: list[list[Word]] = []
    rest: list[Word] = []
    for line in lines:
        if any(w.u0 < g1 - 1 and w.u1 > g0 + 1 for w in line for g0, g1 in gutters):
            across.append(line)
        else:
            rest.extend(line)
    centres = [sum(w.top + w.bottom for w in line) / (2 * len(line)) for line in across]
    bands: dict[tuple[int, int], list[Word]] = {}
    for w in rest:
        band = bisect_left(centres, (w.top + w.bottom) / 2)
        column = bisect_right(middles, (w.u0 + w.u1) / 2)
        bands.setdefault((band, column), []).append(w)
    ordered: list[tuple[list[Word], int]] = []
    for band in range(len(across) + 1):
        for column in range(len(columns)):
            for line in cluster_lines(bands.get((band, column), [])):
                ordered.append((line, column))
        if band < len(across):
            ordered.append((across[band], -1))
    return ordered, columns


class _TableRows(list):
    """The lines of a table in the reading order (each becomes rows in :func:`read_page`)."""

    def __init__(self, lines: list[list[Word]], edges: list[float]) -> None:
        super().__init__(w for line in lines for w in line)
        self.lines, self.edges = lines, edges


def line_text(line: list[Word]) -> str:
    """The words of a line joined with a space where there is a visible gap between them;
    a copy of a word drawn over itself (fake bold, shadows) is dropped."""
    parts: list[str] = []
    previous: Word | None = None
    for word in line:
        if previous is not None:
            small = min(previous.bottom - previous.top, word.bottom - word.top)
            if word.text == previous.text and abs(word.u0 - previous.u0) < 0.3 * small:
                continue
            if word.u0 - previous.u1 > 0.12 * small:
                parts.append(" ")
        parts.append(word.text)
        previous = word
    text = "".join(parts)
    if not _LIGATURE_CHARS.isdisjoint(text):
        text = text.translate(LIGATURES)
    if _COMBINING.search(text):
        text = unicodedata.normalize("NFC", text)
    return text


def compose_accents(chars: list[str], spans: list[tuple[float, float]]) -> list[str]:
    """Put each spacing accent onto the letter it is drawn over (its centre within the
    letter's width), the next letter first: ``P o k ´ e`` → ``P o k é``. An accent that is
    not over a letter (``don´t`` typed with an acute) stays as it is."""
    chars = list(chars)
    for i, char in enumerate(chars):
        if char not in _ACCENT_CHARS:
            continue
        centre = (spans[i][0] + spans[i][1]) / 2
        for j in (i + 1, i - 1):
            if 0 <= j < len(chars) and chars[j][:1].isalpha():
                a, b = spans[j]
                slack = 0.1 * (b - a)
                if a - slack <= centre <= b + slack:
                    base = chars[j]
                    base = _DOTLESS.get(base[0], base[0]) + base[1:]
                    chars[j] = unicodedata.normalize("NFC", base + ACCENTS[char])
                    chars[i] = ""
                    break
    return chars


# --- PDFium -------------------------------------------------------------------------------


def _frame(direction: int, box: tuple[float, float, float, float]):
    """A function mapping a char's (left, bottom, right, top) in PDF user space to
    (u0, u1, top, bottom) in the reading frame of text that runs in ``direction``
    (0: →, 1: ↑, 2: ←, 3: ↓), and the frame's width and height."""
    left, bottom, right, top = box
    if direction == 0:
        return (lambda x0, y0, x1, y1: (x0 - left, x1 - left, top - y1, top - y0)), right - left, top - bottom
    if direction == 1:
        return (lambda x0, y0, x1, y1: (y0 - bottom, y1 - bottom, x0 - left, x1 - left)), top - bottom, right - left
    if direction == 2:
        return (lambda x0, y0, x1, y1: (right - x1, right - x0, y0 - bottom, y1 - bottom)), right - left, top - bottom
    return (lambda x0, y0, x1, y1: (top - y1, top - y0, right - x1, right - x0)), top - bottom, right - left


def _direction(first: tuple, last: tuple) -> int | None:
    """Which way a word runs, from the boxes of its first and last char; None when it is
    one char, or runs diagonally (a watermark)."""
    dx = (last[0] + last[2] - first[0] - first[2]) / 2
    dy = (last[1] + last[3] - first[1] - first[3]) / 2
    if dx == 0 and dy == 0:
        return None
    overlap_y = min(first[3], last[3]) - max(first[1], last[1])
    overlap_x = min(first[2], last[2]) - max(first[0], last[0])
    if abs(dx) >= abs(dy):
        if overlap_y > 0 or abs(dy) < 0.2 * abs(dx):
            return 0 if dx > 0 else 2
    elif overlap_x > 0 or abs(dx) < 0.2 * abs(dy):
        return 1 if dy > 0 else 3
    return -1


def _box_function(raw):
    """FPDFText_GetLooseCharBox(FPDF_TEXTPAGE, int, FS_RECTF*) called through a prototype
    that takes plain addresses: it is called twice for every word, and ctypes converts
    plain addresses twice as fast as typed pointers (2 µs of the 6 µs a word costs)."""
    import ctypes

    global _BOX_FUNCTION
    if _BOX_FUNCTION is None:
        prototype = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
        _BOX_FUNCTION = prototype(ctypes.cast(raw.FPDFText_GetLooseCharBox, ctypes.c_void_p).value)
    return _BOX_FUNCTION


_BOX_FUNCTION = None


def page_words(raw, textpage, text: str, char_count: int, box) -> list[tuple[list[Word], int, float, float]]:
    """The words of a page grouped by direction (the commonest first): for each group its
    words in that direction's reading frame, the direction and the frame's size."""
    import ctypes

    rect = raw.FS_RECTF()
    rect_address = ctypes.addressof(rect)
    page_address = ctypes.cast(textpage, ctypes.c_void_p).value
    get_box = _box_function(raw)
    to_char = None if len(text) == char_count else raw.FPDFText_GetCharIndexFromTextIndex
    left, bottom, right, top = box
    width, height = right - left, top - bottom
    words: list[Word] = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        end -= 1
        if to_char is not None:
            start, end = to_char(textpage, start), to_char(textpage, end)
            if start < 0 or end < start:
                continue
        get_box(page_address, start, rect_address)
        l0, b0, t0 = rect.left, rect.bottom, rect.top
        if end != start:
            get_box(page_address, end, rect_address)
            # the common case, cheaply: the last char is right of the first, on the same line
            if not (rect.left > l0 and abs(rect.bottom - b0) < 0.5 * (t0 - b0)):
                break
        r1, b1, t1 = rect.right, rect.bottom, rect.top
        u0, u1 = l0 - left, r1 - left
        v0 = top - (t0 if t0 > t1 else t1)
        v1 = top - (b0 if b0 < b1 else b1)
        if not (0 <= u0 + u1 <= 2 * width and 0 <= v0 + v1 <= 2 * height):
            continue  # outside the page: never shown
        word = match.group()
        if word[-1] in "\ufffe\x02":
            word = word.translate(_HYPHEN_MARKS)
        words.append(Word(word, u0, u1, v0, v1, start, end))
    else:  # every word runs left to right (nearly always)
        return [(words, 0, width, height)] if words else []
    # some text runs another way: sort every word by its direction
    found = []  # (text, first, last, first box, last box)
    for match in _WORD.finditer(text):
        start, end = match.span()
        end -= 1
        if to_char is not None:
            start, end = to_char(textpage, start), to_char(textpage, end)
            if start < 0 or end < start:
                continue
        get_box(page_address, start, rect_address)
        first = (rect.left, rect.bottom, rect.right, rect.top)
        if end != start:
            get_box(page_address, end, rect_address)
        found.append((match.group(), start, end, first, (rect.left, rect.bottom, rect.right, rect.top)))
    weights = [0, 0, 0, 0]
    directions = []
    for _word, start, end, first, last in found:
        direction = _direction(first, last) if end != start else None
        directions.append(direction)
        if direction is not None and direction >= 0:
            weights[direction] += end - start
    dominant = max(range(4), key=lambda d: weights[d])
    groups: dict[int, list[Word]] = {}
    frames = {}
    for (word, start, end, first, last), direction in zip(found, directions, strict=True):
        if direction is None:
            direction = dominant
        elif direction < 0 and len(word) >= 4:
            continue  # diagonal: a watermark or stamp, not the script
        elif direction < 0:
            direction = dominant
        if direction not in frames:
            frames[direction] = _frame(direction, box)
        to_frame, frame_width, frame_height = frames[direction]
        u0, _, v0, v1 = to_frame(*first)
        _, u1, v2, v3 = to_frame(*last)
        v0, v1 = min(v0, v2), max(v1, v3)
        if u1 < u0:
            u0, u1 = u1, u0
        if not (0 <= u0 + u1 <= 2 * frame_width and 0 <= v0 + v1 <= 2 * frame_height):
            continue  # outside the page: never shown
        if word[-1] in "\ufffe\x02":
            word = word.translate(_HYPHEN_MARKS)
        groups.setdefault(direction, []).append(Word(word, u0, u1, v0, v1, start, end))
    order = sorted(groups, key=lambda d: (d != dominant, d))
    return [(groups[d], d, frames[d][1], frames[d][2]) for d in order]


def _check_heights(raw, textpage, words: list[Word], direction: int, box) -> None:
    """Loose char boxes come from the font's ascent and descent, which a broken font can
    give as zero or as thousands of points (all lines would then overlap). When the words'
    heights do not match their font size, take them from the baseline and the size."""
    import ctypes

    if not words:
        return
    step = max(1, len(words) // 15)
    sample = words[::step][:15]
    sizes = sorted(raw.FPDFText_GetFontSize(textpage, w.first) for w in sample)
    heights = sorted(w.bottom - w.top for w in sample)
    size, height = sizes[len(sizes) // 2], heights[len(heights) // 2]
    if size <= 0 or 0.4 * size <= height <= 2.5 * size:
        return
    to_frame = _frame(direction, box)[0]
    x, y = ctypes.c_double(), ctypes.c_double()
    for word in words:
        raw.FPDFText_GetCharOrigin(textpage, word.first, ctypes.byref(x), ctypes.byref(y))
        size = raw.FPDFText_GetFontSize(textpage, word.first) or size
        _, _, baseline, _ = to_frame(x.value, y.value, x.value, y.value)
        word.top, word.bottom = baseline - 0.8 * size, baseline + 0.2 * size


def _fix_accents(raw, textpage, line: list[Word], to_frame) -> None:
    """Compose the split accents of one line, using the position of every char."""
    import ctypes

    rect = raw.FS_RECTF()
    ref = ctypes.pointer(rect)  # a typed pointer: ctypes checks it faster than byref()
    chars: list[str] = []
    spans: list[tuple[float, float]] = []
    owners: list[int] = []
    for number, word in enumerate(line):
        text = word.text
        if word.last - word.first + 1 != len(text):  # not one char per index: leave it
            chars.extend(text)
            spans.extend([(word.u0, word.u1)] * len(text))
            owners.extend([number] * len(text))
            continue
        for offset, char in enumerate(text):
            raw.FPDFText_GetLooseCharBox(textpage, word.first + offset, ref)
            u0, u1, _, _ = to_frame(rect.left, rect.bottom, rect.right, rect.top)
            chars.append(char)
            spans.append((min(u0, u1), max(u0, u1)))
            owners.append(number)
    composed = compose_accents(chars, spans)
    texts = [""] * len(line)
    for char, owner in zip(composed, owners, strict=True):
        texts[owner] += char
    for word, text in zip(line, texts, strict=True):
        word.text = text
    line[:] = [word for word in line if word.text]


def _flatten_form_fields(raw, page) -> bool:
    """Draw filled-in form fields into the page (so their values are read like the rest of
    the text). Other annotations (comments, highlights, links) are removed first: a
    reviewer's notes are not the script. True when the page changed and must be reloaded."""
    count = raw.FPDFPage_GetAnnotCount(page)
    widgets = []
    for index in range(count):
        annot = raw.FPDFPage_GetAnnot(page, index)
        if annot:
            widgets.append(raw.FPDFAnnot_GetSubtype(annot) == raw.FPDF_ANNOT_WIDGET)
            raw.FPDFPage_CloseAnnot(annot)
        else:
            widgets.append(False)
    if not any(widgets):
        return False
    for index in reversed(range(count)):
        if not widgets[index]:
            raw.FPDFPage_RemoveAnnot(page, index)
    return raw.FPDFPage_Flatten(page, raw.FLAT_NORMALDISPLAY) == raw.FLATTEN_SUCCESS


def _empty_kind(raw, page) -> str:
    """A page without text: "scan" when it shows an image or a drawing, else "blank"."""
    count = raw.FPDFPage_CountObjects(page)
    for index in range(min(count, 500)):
        kind = raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page, index))
        if kind in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_SHADING, raw.FPDF_PAGEOBJ_FORM):
            return "scan"
    return "blank"


def _r(value: float) -> float:
    return round(value, 1)


#: The column of a line that runs across all columns, and of text that runs another way.
ACROSS = -1
OTHER_DIRECTION = -2


def read_page(pdfium, raw, document, index: int) -> dict:
    page = document[index]
    try:
        if raw.FPDFPage_GetAnnotCount(page.raw) and _flatten_form_fields(raw, page.raw):
            page.close()
            page = document[index]
        textpage = page.get_textpage()
        try:
            count = textpage.count_chars()
            text = textpage.get_text_range() if count > 0 else ""
            if not text or text.isspace():
                return {"lines": [], "empty": _empty_kind(raw, page.raw)}
            box = tuple(page.get_bbox())  # the crop box within the media box (inherited ones too)
            lines = []
            columns_out: list[list[float]] = []
            width = height = 0.0
            accents = _ACCENT_RE.search(text) is not None
            groups = page_words(raw, textpage.raw, text, count, box)
            for number, (words, direction, frame_width, frame_height) in enumerate(groups):
                main = number == 0
                _check_heights(raw, textpage.raw, words, direction, box)
                ordered, columns = reading_order(words)
                if main:
                    columns_out = [[_r(a), _r(b)] for a, b in columns]
                    width, height = frame_width, frame_height
                to_frame = _frame(direction, box)[0] if accents else None
                for line, column in ordered:
                    if column == TABLE:
                        for text, x0, x1, top, bottom in table_rows(line.lines, line.edges, _unit(line)):
                            lines.append([text, _r(x0), _r(x1), _r(top), _r(bottom), TABLE if main else OTHER_DIRECTION])
                        continue
                    if accents and any(not _ACCENT_CHARS.isdisjoint(w.text) for w in line):
                        _fix_accents(raw, textpage.raw, line, to_frame)
                        if not line:
                            continue
                    top, bottom, right = line[0].top, line[0].bottom, line[0].u1
                    for w in line:
                        if w.top < top:
                            top = w.top
                        if w.bottom > bottom:
                            bottom = w.bottom
                        if w.u1 > right:
                            right = w.u1
                    lines.append([line_text(line), _r(line[0].u0), _r(right), _r(top), _r(bottom),
                                  column if main else OTHER_DIRECTION])
            if not lines:
                return {"lines": [], "empty": _empty_kind(raw, page.raw)}
            return {"lines": lines, "columns": columns_out, "width": _r(width), "height": _r(height)}
        finally:
            textpage.close()
    finally:
        page.close()


def read_pdf(data: bytes) -> dict:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD:
            return {"ok": False, "error": "encrypted", "detail": ""}
        if code == raw.FPDF_ERR_SECURITY:
            return {"ok": False, "error": "encrypted-unsupported", "detail": ""}
        if code == raw.FPDF_ERR_SUCCESS:  # a valid file without pages
            return {"ok": True, "pages": [], "page_count": 0}
        reason = {raw.FPDF_ERR_FORMAT: "not a valid PDF structure", raw.FPDF_ERR_FILE: "file could not be read"}
        return {"ok": False, "error": "damaged", "detail": reason.get(code, "")}
    try:
        pages = []
        for index in range(len(document)):
            try:
                pages.append(read_page(pdfium, raw, document, index))
            except pdfium.PdfiumError:
                pages.append({"lines": [], "empty": "damaged"})
            except (MemoryError, RecursionError):
                raise
            except Exception:  # noqa: BLE001 - never lose a page to the layout: PDFium's own lines
                pages.append(plain_page(document, index))
        return {"ok": True, "pages": pages, "page_count": len(pages)}
    finally:
        document.close()


def plain_page(document, index: int) -> dict:
    """A page as PDFium's own text, one line per line it found, without positions (the
    fallback should the layout above ever fail on a page)."""
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range().translate(_HYPHEN_MARKS)
        finally:
            textpage.close()
    finally:
        page.close()
    lines = [line.strip().translate(LIGATURES) for line in re.split(r"\r\n|[\r\n]", text)]
    return {"lines": [[line, 0.0, 0.0, 14.0 * n, 14.0 * n + 12, 0] for n, line in enumerate(lines) if line],
            "columns": [[0.0, 0.0]], "width": 0.0, "height": 0.0}


def read_rtf(data: bytes) -> dict:
    # striprtf after a linear rewrite of symbol fonts, list labels and pictures; the
    # module imports only the standard library (and striprtf when called)
    from rubric.importing.rtf import rtf_to_text

    return {"ok": True, "text": rtf_to_text(data)}


# --- the process --------------------------------------------------------------------------


def handle(mode: str, data: bytes) -> dict:
    """One file: the answer, never an exception (a memory error asks to retire)."""
    try:
        return read_rtf(data) if mode == "rtf" else read_pdf(data)
    except MemoryError:
        return {"ok": False, "error": "memory", "detail": "", "retire": True}
    except RecursionError:
        return {"ok": False, "error": "damaged", "detail": "nesting too deep", "retire": True}
    except Exception as exc:  # noqa: BLE001 - report, never a traceback
        return {"ok": False, "error": "damaged", "detail": f"{type(exc).__name__}: {_first_line(exc)}"}


#: A serving child retires after this many files, or when it holds more than this share
#: of its memory limit (fragmentation after a large file), so that it never creeps up.
MAX_FILES = 1000
MAX_MEMORY_SHARE = 0.5


def serve(memory_mb: int) -> int:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    for _ in range(MAX_FILES):
        header = stdin.readline(4096)
        if not header:
            return 0
        try:
            request = json.loads(header)
            size = int(request["size"])
            mode = str(request.get("mode", "pdf"))
            cpu = int(request.get("cpu", 0))
        except (ValueError, KeyError, TypeError):
            return 2  # not our parent speaking: stop
        data = stdin.read(size)
        if len(data) != size:
            return 2
        if cpu > 0:
            _renew_cpu_limit(cpu)
        result = handle(mode, data)
        del data
        if not result.get("retire") and _resident_mb() > MAX_MEMORY_SHARE * memory_mb:
            result["retire"] = True
        try:
            answer = json.dumps(result, ensure_ascii=False).encode("utf-8", "surrogatepass")
        except MemoryError:
            answer = b'{"ok": false, "error": "memory", "detail": "", "retire": true}'
            result = {"retire": True}
        stdout.write(answer + b"\n")
        stdout.flush()
        if result.get("retire"):
            return 0
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    while args and args[0].startswith("--"):  # e.g. a frozen build's "--import-child"
        args.pop(0)
    mode = args[0] if args else "pdf"
    memory_mb = int(args[1]) if len(args) > 1 else 300
    cpu_seconds = int(args[2]) if len(args) > 2 else 11
    _set_limits(memory_mb, cpu_seconds)
    if mode == "serve":
        return serve(memory_mb)
    try:
        data = sys.stdin.buffer.read()
    except MemoryError:
        data = None
    result = handle(mode, data) if data is not None else {"ok": False, "error": "memory", "detail": ""}
    result.pop("retire", None)
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
