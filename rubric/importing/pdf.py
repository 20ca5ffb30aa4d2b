"""PDF: the text layer, read by pypdf in a limited child process (see ``sandbox``).

Every line of PDF text is a visual line, so paragraphs are always rebuilt. Page numbers
("3", "Page 3 of 10", "- 3 -") and headers/footers repeated on most pages are dropped;
footnotes at the bottom of a page are taken out as footnotes (see :func:`split_footnotes`).
A PDF without a text layer (a scan) is accepted as a page-image script: ``has_text`` is
False, there are no paragraphs, and a ``no_text_layer`` warning says so. Pages without
text inside an otherwise typed PDF get a ``pages_without_text`` warning.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from rubric.importing.base import REWRAP_ALWAYS, Extracted
from rubric.importing.model import ImportOptions, ScriptWarning
from rubric.importing.paragraphs import Block, split_lines
from rubric.importing.sandbox import run_child
from rubric.importing.words import count_words

#: A page with fewer words than this counts as having no text ("Scanned with …").
MIN_PAGE_WORDS = 5

_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I
)


def _trim(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def strip_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and headers/footers repeated on most pages."""
    pages = [_trim(lines) for lines in pages]
    repeated: set[str] = set()
    with_text = [lines for lines in pages if lines]
    if len(with_text) >= 3:
        counts: Counter[str] = Counter()
        for lines in with_text:
            edge = {_key(lines[0]), _key(lines[-1])}
            if len(lines) > 1:
                edge |= {_key(lines[1]), _key(lines[-2])}
            counts.update(k for k in edge if 0 < len(k) <= 100)
        threshold = max(3, 0.6 * len(with_text))
        repeated = {key for key, n in counts.items() if n >= threshold}
    result = []
    for lines in pages:
        for _ in range(2):
            if lines and (_PAGE_NUMBER.match(lines[0].strip()) or _key(lines[0]) in repeated):
                lines = _trim(lines[1:])
            if lines and (_PAGE_NUMBER.match(lines[-1].strip()) or _key(lines[-1]) in repeated):
                lines = _trim(lines[:-1])
        result.append(lines)
    return result


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


def _leading(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


_NOTE_START = re.compile(r"^\s*(\d{1,3})\s+\S")
_REFERENCE_MARK = r"(?<=[.,;:!?’”\"')\]a-z]){number}(?=\s|$)"


def split_footnotes(lines: list[str], normal: int) -> tuple[list[str], list[str]]:
    """Take footnotes off the bottom of a page (layout text): the lines after the last
    wider-than-usual gap, when they start with a note number ("1 Evans, p. 12.") that the
    body above refers to with a mark glued to a word or punctuation ("view.1"). Returns
    the page without the notes (marks removed) and the notes' texts."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if len(filled) < 3:
        return lines, []
    gap_after = None
    for previous, current in zip(filled, filled[1:], strict=False):
        if current - previous - 1 > normal:
            gap_after = current
    if gap_after is None:
        return lines, []
    bottom = [line for line in lines[gap_after:] if line.strip()]
    if len(bottom) > 12 or len(bottom) > 0.4 * len(filled) or not _NOTE_START.match(bottom[0]):
        return lines, []
    body = lines[:gap_after]
    body_text = "\n".join(body)
    notes: list[list[str]] = []
    numbers: list[str] = []
    for line in bottom:
        start = _NOTE_START.match(line)
        if start and (not numbers or int(start.group(1)) == int(numbers[-1]) + 1):
            numbers.append(start.group(1))
            notes.append([line.strip()[len(start.group(1)) :].strip()])
        else:
            notes[-1].append(line.strip())
    if not re.search(_REFERENCE_MARK.format(number=numbers[0]), body_text):
        return lines, []
    for number in numbers:
        mark = re.compile(_REFERENCE_MARK.format(number=number))
        body = [mark.sub("", line, count=1) if mark.search(line) else line for line in body]
    return body, [" ".join(note) for note in notes]


def page_blocks(pages: list[list[str]], skip: set[int], notes: list[str] | None = None) -> list[Block]:
    """One block per line. Layout-mode text keeps vertical gaps as blank lines: when more
    blank lines than usual separate two lines (and such gaps are rare enough to mean
    paragraphs, not line spacing), the later line gets ``gap_before``; a line indented
    beyond the page's left edge gets ``indent``."""
    gaps: Counter[int] = Counter()
    for number, lines in enumerate(pages):
        if number in skip:
            continue
        blank, started = 0, False
        for line in lines:
            if not line.strip():
                blank += 1
                continue
            if started:
                gaps[blank] += 1
            started, blank = True, 0
    transitions = sum(gaps.values())
    normal = min(gaps, key=lambda k: (-gaps[k], k)) if gaps else 0
    extra = sum(n for k, n in gaps.items() if k > normal)
    use_gaps = transitions >= 4 and 0 < extra <= 0.25 * transitions

    blocks: list[Block] = []
    for number, lines in enumerate(pages):
        if number in skip:
            continue
        if use_gaps and notes is not None:
            lines, page_notes = split_footnotes(lines, normal)
            notes.extend(page_notes)
        filled = [line for line in lines if line.strip()]
        if not filled:
            continue
        margin = min(_leading(line) for line in filled)
        blank, first = 0, True
        for line in lines:
            if not line.strip():
                blank += 1
                continue
            blocks.append(
                Block(
                    line.strip(),
                    indent=_leading(line) - margin >= 2,
                    gap_before=use_gaps and not first and blank > normal,
                )
            )
            blank, first = 0, False
    return blocks


def extracted_from_pages(page_texts: list[str]) -> Extracted:
    pages = strip_page_furniture([split_lines(text) for text in page_texts])
    page_count = len(page_texts)
    empty = [i + 1 for i, lines in enumerate(pages) if count_words("\n".join(lines)) < MIN_PAGE_WORDS]
    if len(empty) == page_count:
        warning = ScriptWarning(
            "no_text_layer",
            "the PDF has no text layer (probably a scan or photo); it is shown as page images",
        )
        return Extracted("pdf", [], rewrap=REWRAP_ALWAYS, has_text=False, page_count=page_count, warnings=[warning])
    warnings = []
    if empty:
        which = "page" if len(empty) == 1 else "pages"
        verb = "has" if len(empty) == 1 else "have"
        warnings.append(
            ScriptWarning(
                "pages_without_text",
                f"{which} {_ranges(empty)} of {page_count} {verb} no text layer (probably scanned); see the page images",
            )
        )
    notes: list[str] = []
    blocks = page_blocks(pages, {n - 1 for n in empty}, notes)
    return Extracted("pdf", blocks, footnotes=notes, rewrap=REWRAP_ALWAYS, page_count=page_count, warnings=warnings)


def read_pdf(path: Path, data: bytes, options: ImportOptions) -> Extracted:
    result = run_child(path, data, "pdf", options, "PDF")
    pages = [str(text) for text in result.get("pages", [])]
    extracted = extracted_from_pages(pages)
    extracted.page_count = int(result.get("page_count", len(pages)))
    return extracted
