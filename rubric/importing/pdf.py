"""PDF: the text layer, read by PDFium in a limited child process (see ``sandbox`` and
``_pdf_child``), which hands back every line with its position, columns already read one
after the other, ligatures as plain letters and LaTeX's split accents composed.

Every line of PDF text is a visual line, so paragraphs are always rebuilt; the positions
tell where more vertical space than usual comes before a line (``gap_before``) and where a
line is indented. Page numbers ("3", "Page 3 of 10", "- 3 -") and headers/footers repeated
on most pages are dropped; footnotes at the bottom of a page are taken out as footnotes
(see :func:`split_footnotes`).

A page is a scan when it has no text at all (only an image or a drawing). A PDF whose pages
are all like that is accepted as a page-image script: ``has_text`` is False, there are no
paragraphs, and a ``no_text_layer`` warning says so. Scanned pages inside an otherwise typed
PDF get a ``pages_without_text`` warning; blank pages get none.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path

from rubric.importing.base import REWRAP_ALWAYS, Extracted
from rubric.importing.model import ImportOptions, ScriptWarning
from rubric.importing.paragraphs import Block, join_lines
from rubric.importing.sandbox import run_child
from rubric.record import factory, record

_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I
)

#: ``Line.column`` for a line across all the columns of its page, and for text that runs
#: another way than the rest of the page (a sideways table heading or margin note).
ACROSS = -1
OTHER_DIRECTION = -2
#: ``Line.column`` of a row of a table drawn in the text (its cells joined by " | ").
TABLE = -3


@record(frozen=False)
class Line:
    """One visual line: its text and box (points from the top left of the page as it reads)."""

    text: str
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    column: int = 0

    @property
    def height(self) -> float:
        return self.bottom - self.top


@record(frozen=False)
class Page:
    lines: list[Line] = factory(list)
    columns: list[tuple[float, float]] = factory(list)
    #: why a page has no lines: "scan" (an image or drawing), "blank", "damaged"
    empty: str | None = None

    @classmethod
    def from_child(cls, data: dict) -> Page:
        lines = []
        for item in data.get("lines") or []:
            text, x0, x1, top, bottom, column = item
            text = str(text)
            if _SYMBOL_CODES.search(text):
                text = _SYMBOL_CODES.sub(_symbol, text)
            lines.append(Line(text, float(x0), float(x1), float(top), float(bottom), int(column)))
        columns = [(float(a), float(b)) for a, b in data.get("columns") or []]
        return cls(lines, columns, data.get("empty"))


#: What a Symbol-font glyph without a Unicode mapping reads as: its private-use code
#: U+F020–U+F0FF (Word's bullet is U+F0B7), the Symbol font's byte plus 0xF000.
_SYMBOL_CODES = re.compile("[\uf020-\uf0ff]")


def _symbol(match: re.Match) -> str:
    from rubric.importing.rtf import symbol_char

    return symbol_char("symbol", ord(match.group()) - 0xF000)


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def strip_page_furniture(pages: list[Page], dropped: list[str] | None = None) -> list[Page]:
    """Drop page numbers and headers/footers repeated on most pages (the first two and
    last two lines of each page, as read and by height, are looked at); a repeated header
    or footer is dropped wherever the page's reading order put it."""
    repeated: set[str] = set()
    with_text = [page.lines for page in pages if page.lines]
    if len(with_text) >= 2:
        counts: Counter[str] = Counter()
        tops: dict[str, list[float]] = {}
        for lines in with_text:
            edge = {_key(line.text): line for line in _edges(lines)}
            for key, line in edge.items():
                if 0 < len(key) <= 100:
                    counts[key] += 1
                    tops.setdefault(key, []).append(line.top)
        threshold = 0.6 * len(with_text)
        # on three pages or more; on two when at the same height on the page
        repeated = {
            key for key, n in counts.items()
            if n >= threshold and (n >= 3 or max(tops[key]) - min(tops[key]) <= 3)
        }

    def furniture(line: Line) -> bool:
        return bool(_PAGE_NUMBER.match(line.text.strip())) or _key(line.text) in repeated

    result = []
    for page in pages:
        lines = [line for line in page.lines if line.text.strip()]
        for _ in range(2):
            if lines and furniture(lines[0]):
                lines = lines[1:]
            if lines and furniture(lines[-1]):
                lines = lines[:-1]
        # a running header read out of place (in columns, the one above the right-hand
        # column is read after the left column): still the highest or lowest on the page
        out_of_place = {id(line) for line in _edges(lines) if _key(line.text) in repeated}
        lines = [line for line in lines if id(line) not in out_of_place]
        if dropped is not None and not dropped and page.lines:
            # the first page's header and footer lines (what may name the student)
            kept = {id(line) for line in lines}
            dropped.extend(line.text.strip() for line in page.lines
                           if id(line) not in kept and line.text.strip()
                           and not _PAGE_NUMBER.match(line.text.strip()))
        result.append(Page(lines, page.columns, page.empty))
    return result


def _edges(lines: list[Line]) -> list[Line]:
    """Where a page's headers and footers are: the first and last two lines read, and the
    two highest and two lowest on the page."""
    by_height = sorted(lines, key=lambda line: line.top)
    return lines[:2] + lines[-2:] + by_height[:2] + by_height[-2:]


def _ranges(numbers: list[int]) -> str:
    parts: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:  # type: ignore[list-item]
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


_NOTE_START = re.compile(r"^\s*(\d{1,3})\s+\S")
_REFERENCE_MARK = r"(?<=[.,;:!?’”\"')\]a-z]){number}(?=\s|${glued})"


def _reference_mark(number: str, numbers: list[str]) -> str:
    """The pattern of note ``number``'s raised mark in the text: glued to a word or
    punctuation, and followed by a space, the end, or the next note's mark glued on
    ("view.12" for notes 1 and 2, "view.1,2")."""
    following = str(int(number) + 1)
    glued = f"|,?{following}(?!\\d)" if following in numbers else ""
    return _REFERENCE_MARK.format(number=number, glued=glued)


def _same_flow(previous: Line, line: Line) -> bool:
    """The line comes after ``previous`` in the same column (or one of them runs across
    the columns) and below it: the space between them means something."""
    if previous.column != line.column and ACROSS not in (previous.column, line.column):
        return False
    return line.top > previous.top + 0.5 * max(previous.height, 1.0)


@record(frozen=False)
class _Spacing:
    """What is usual in a document: the body text's line height and the white space
    between consecutive lines of a paragraph."""

    unit: float
    normal: float
    use_gaps: bool

    def gap(self, previous: Line, line: Line) -> bool:
        return self.use_gaps and _same_flow(previous, line) and (
            line.top - previous.bottom > self.normal + max(0.3 * self.unit, 2.0)
        )


def _spacing(pages: list[Page]) -> _Spacing:
    heights = [line.height for page in pages for line in page.lines if line.height > 0]
    unit = statistics.median(heights) if heights else 10.0
    spaces = []
    for page in pages:
        for previous, line in zip(page.lines, page.lines[1:], strict=False):
            if _same_flow(previous, line):
                spaces.append(line.top - previous.bottom)
    if len(spaces) < 4:
        return _Spacing(unit, 0.0, False)
    normal = statistics.median(spaces)
    extra = sum(1 for s in spaces if s > normal + max(0.3 * unit, 2.0))
    return _Spacing(unit, normal, extra > 0)


def split_footnotes(lines: list[Line], spacing: _Spacing) -> tuple[list[Line], list[str]]:
    """Take footnotes off the bottom of a page: the lines after the last wider-than-usual
    gap (or the last lines in a smaller font), when they start with a note number
    ("1 Evans, p. 12.") that the body above refers to with a mark glued to a word or
    punctuation ("view.1"). Returns the page without the notes (each mark as its number in
    brackets, "view.[1]", as for a .docx) and the notes' texts ("[1] Evans, p. 12.")."""
    if len(lines) < 3:
        return lines, []
    start = None
    for index in range(len(lines) - 1, 0, -1):
        if spacing.gap(lines[index - 1], lines[index]):
            start = index
            break
    small = len(lines)
    while small > 1 and 0 < lines[small - 1].height < 0.85 * spacing.unit:
        small -= 1
    if small < len(lines) and (start is None or small > start):
        start = small
    if start is None:
        return lines, []
    start = _first_note(lines, start, spacing)
    bottom = lines[start:]
    if (len(bottom) > 12 or len(bottom) > 0.4 * len(lines) or not _NOTE_START.match(bottom[0].text)
            or any(line.column == TABLE for line in bottom)):
        return lines, []
    body = lines[:start]
    body_text = "\n".join(line.text for line in body)
    notes: list[list[str]] = []
    numbers: list[str] = []
    for line in bottom:
        text = line.text.strip()
        match = _NOTE_START.match(text)
        if match and (not numbers or int(match.group(1)) == int(numbers[-1]) + 1):
            numbers.append(match.group(1))
            notes.append([text[len(match.group(1)) :].strip()])
        else:
            notes[-1].append(text)
    if not re.search(_reference_mark(numbers[0], numbers), body_text):
        return lines, []
    for number in numbers:  # the raised mark becomes its number in brackets, as for a .docx
        mark = re.compile(_reference_mark(number, numbers))
        body = [
            Line(mark.sub(f"[{number}]", line.text, count=1), line.x0, line.x1, line.top, line.bottom, line.column)
            if mark.search(line.text)
            else line
            for line in body
        ]
    return body, [f"[{number}] {_joined(note)}" for number, note in zip(numbers, notes, strict=True)]


def _first_note(lines: list[Line], start: int, spacing: _Spacing) -> int:
    """Where the notes begin when ``start`` (after the last gap) is a later note: notes set
    apart from each other by a gap too ("1 Service, p. 4." gap "2 Fitzpatrick, p. 12.").
    Steps back to each earlier note, numbered one less, that a gap sets apart."""
    match = _NOTE_START.match(lines[start].text)
    expected = int(match.group(1)) - 1 if match else 0
    index = start - 1
    while expected >= 1 and index >= 1 and start - index <= 12:
        found = _NOTE_START.match(lines[index].text)
        if found and int(found.group(1)) == expected and spacing.gap(lines[index - 1], lines[index]):
            start, expected = index, expected - 1
        elif found or spacing.gap(lines[index - 1], lines[index]):
            break  # another note start, or a gap before a line that starts none: the body
        index -= 1
    return start


def _joined(lines: list[str]) -> str:
    """A footnote's lines as one text, joined as a paragraph's are (``pp. 12–`` + ``19.``)."""
    text = ""
    for line in lines:
        text = join_lines(text, line)
    return text


def _left_edges(page: Page) -> dict[int, float]:
    """Each column's left margin: the leftmost start shared by two or more lines (a line
    that starts further left on its own, such as a header, does not move it)."""
    starts: dict[int, Counter[int]] = {}
    for line in page.lines:
        starts.setdefault(line.column, Counter())[round(line.x0)] += 1
    edges = {}
    for column, counts in starts.items():
        shared = [x for x, n in counts.items() if n >= 2]
        edges[column] = float(min(shared or counts))
    columns = [edge for column, edge in edges.items() if column >= 0]
    if ACROSS in edges and columns:  # a line across the columns starts from the first one's edge
        edges[ACROSS] = min(columns)
    return edges


def _rooms(page: Page) -> dict[int, float]:
    """The width in points of each column of a page in columns, and of a line across them
    all; nothing for a page in one column (its lines have the document's full width)."""
    columns = [(a, b) for a, b in page.columns if b > a]
    if len(columns) < 2:
        return {}
    rooms = {number: b - a for number, (a, b) in enumerate(columns)}
    rooms[ACROSS] = columns[-1][1] - columns[0][0]
    return rooms


def page_blocks(pages: list[Page], notes: list[str] | None = None) -> list[Block]:
    """One block per line, with ``gap_before`` where more vertical space than usual comes
    before it in the same column, and ``indent`` where it starts right of its column's
    left margin by about an em or more. Footnotes go to ``notes`` when it is given."""
    spacing = _spacing(pages)
    blocks: list[Block] = []
    for page in pages:
        lines = page.lines
        if notes is not None:
            lines, page_notes = split_footnotes(lines, spacing)
            notes.extend(page_notes)
        if not lines:
            continue
        edges = _left_edges(Page(lines))
        rooms = _rooms(page)
        previous = None
        for line in lines:
            indent = line.x0 - edges.get(line.column, line.x0) >= 0.8 * spacing.unit
            gap = previous is not None and spacing.gap(previous, line)
            if line.column == TABLE:
                blocks.append(Block(line.text.strip(), "table"))
            else:
                blocks.append(Block(line.text.strip(), indent=indent, gap_before=gap,
                                    room=rooms.get(line.column, 0.0)))
            previous = line
    return blocks


def extracted_from_pages(pages: list[Page]) -> Extracted:
    page_count = len(pages)
    furniture: list[str] = []
    pages = strip_page_furniture(pages, furniture)
    empty = [i + 1 for i, page in enumerate(pages) if not page.lines]
    if len(empty) == page_count:
        warning = ScriptWarning(
            "no_text_layer",
            "the PDF has no text layer (probably a scan or photo); it is shown as page images",
        )
        return Extracted("pdf", [], rewrap=REWRAP_ALWAYS, has_text=False, page_count=page_count, warnings=[warning])
    warnings = []
    scanned = [n for n in empty if pages[n - 1].empty != "blank"]
    if scanned:
        which = "page" if len(scanned) == 1 else "pages"
        verb = "has" if len(scanned) == 1 else "have"
        warnings.append(
            ScriptWarning(
                "pages_without_text",
                f"{which} {_ranges(scanned)} of {page_count} {verb} no text layer (probably scanned); see the page images",
            )
        )
    notes: list[str] = []
    blocks = page_blocks([page for page in pages if page.lines], notes)
    return Extracted("pdf", blocks, footnotes=notes, rewrap=REWRAP_ALWAYS, page_count=page_count, warnings=warnings,
                     running_header=furniture)


def read_pdf(path: Path, data: bytes, options: ImportOptions) -> Extracted:
    result = run_child(path, data, "pdf", options, "PDF")
    pages = [Page.from_child(page) for page in result.get("pages") or [] if isinstance(page, dict)]
    extracted = extracted_from_pages(pages)
    extracted.page_count = int(result.get("page_count", len(pages)))
    return extracted
