"""Cleaning lines of text and rebuilding paragraphs from hard-wrapped lines.

Every parser turns its file into a list of :class:`Block` (one per paragraph or, for
wrapped sources, one per line). This module

* cleans each block's text (:func:`clean_text`): control characters, zero-width junk and
  soft hyphens go, runs of spaces and tabs become one space, ends are stripped; every
  other character (curly quotes, dashes, accents, NBSP) is kept exactly;
* decides whether a source looks hard-wrapped (:func:`looks_hard_wrapped`);
* joins wrapped lines back into paragraphs (:func:`rebuild_blocks`,
  :func:`rebuild_paragraphs`).

No extractor can tell a wrapped line from the end of a paragraph, so the rebuild is a
heuristic. A break between two lines is kept when

1. a blank line separates them, or either line is a styled heading/title/quote;
2. the next line is indented, the line before is not, indentation is rare enough to
   mean something, and the line could end a paragraph (ends a sentence or is not full);
3. the line ends a sentence (``. ? ! : …``, possibly followed by closing quotes or
   brackets) *and* the next line's first word would have fitted on it — so the writer
   ended the line on purpose; the usable line width is estimated as the 90th
   percentile of line lengths;
4. the line is a short one-line unit with room left (a heading, title or candidate
   line), or the next line is a short heading-like line after the end of a sentence;
5. (PDF layout) more vertical space than usual comes before the next line, and the line
   could end a paragraph (it ends a sentence or is not full).

Everything else is joined with a space; a trailing soft hyphen is dropped. A line
ending in a hyphen after a letter is joined without a space, and the hyphen is kept
(``nineteenth-`` + ``century``, ``co-`` + ``existence``) unless the document itself
settles it: when the word without the hyphen appears elsewhere in the text and the
hyphenated form does not (``govern-`` + ``ment``, with "government" used elsewhere), the
hyphen was only a line-end break and goes (see :func:`hyphen_vocabulary`). A document
set with automatic hyphenation shows it: many lines end in a hyphen between two lower-case
pieces whose hyphenated form appears nowhere else. There a lower-case break also goes
when one of its pieces is not a word the document uses on its own (``temp-`` + ``ting``,
``popul-`` + ``ation``), and stays when both are (``war-`` + ``guilt``). A dash at a line
end between two letters or digits joins without a space (``Nazi–`` + ``Soviet``, ``pp.
231–`` + ``255``, ``1914-`` + ``18``).

Blocks that are not ``body`` (styled headings, titles, quotes, table rows, and the
``header`` lines the analysis finds at the top of a script before rebuilding: candidate,
teacher, date and cover-page lines) are never joined to anything.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from rubric.record import record

#: Block hints set by parsers. ``body`` blocks may be joined; the others never are.
#: ``table`` is one table row (cells joined by " | "); ``reference`` and ``front_matter``
#: are blocks whose paragraph kind the parser already knows (an ODF bibliography, a table
#: of contents); ``header`` is a line of a script's opening (candidate, teacher, date,
#: cover page) marked by the analysis before rebuilding.
BLOCK_HINTS = ("body", "heading", "title", "quote", "table", "reference", "front_matter", "header")
#: Between the cells of a ``table`` block (every format's importer; the PDF child, which
#: imports nothing of the project, has its own copy).
CELL_SEPARATOR = " | "


@record(frozen=False)
class Block:
    """One paragraph (or one line of a wrapped source) as a parser found it."""

    text: str
    hint: str = "body"
    indent: bool = False
    #: More vertical space than usual before this line (PDF layout): a likely new paragraph.
    gap_before: bool = False
    #: A line of a paragraph that the writer broke with manual line breaks (Word's
    #: Shift+Enter, ODF's and RTF's line breaks), each part its own block: the paragraph's
    #: own end is certain, its breaks are not (see :func:`clean_blocks`).
    broken: bool = False
    #: One of those lines after the first: it follows a manual line break.
    continues: bool = False
    #: The width of the column the line was set in, in points (PDF layout; 0: not known):
    #: a page with one column of text above two tells a rebuild how long a full line is.
    room: float = 0.0


# --- cleaning -------------------------------------------------------------------------

def _build_table() -> dict[int, int | str | None]:
    table: dict[int, int | str | None] = {}
    for code in range(0x00, 0x20):
        table[code] = None
    for code in (0x09, 0x0B, 0x0C, 0x0A, 0x0D):
        table[code] = " "
    table[0x7F] = None
    for code in range(0x80, 0xA0):  # C1 controls (never real text in Unicode)
        table[code] = None
    for code in (0x00AD, 0x200B, 0x2060, 0xFEFF, 0xFFFE, 0xFFFF, 0xFFF9, 0xFFFA, 0xFFFB):
        table[code] = None  # soft hyphen, zero-width space, word joiner, BOM, non-characters
    for code in (0x2028, 0x2029):
        table[code] = " "
    for code in range(0xD800, 0xE000):  # lone surrogates cannot be saved anywhere
        table[code] = "\ufffd"
    return table


def _needs_cleaning(table: dict[int, int | str | None]) -> re.Pattern[str]:
    """A character class of exactly the table's keys: text without any of them comes out
    of ``translate`` unchanged, so it is looked for first (in C, far faster than the
    translation of a long paragraph through a table of 2,100 entries)."""
    codes = sorted(table)
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    parts = "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return re.compile(f"[{parts}]")


_CLEAN_TABLE = _build_table()
_NEEDS_CLEANING = _needs_cleaning(_CLEAN_TABLE)
SOFT_HYPHEN = "\u00ad"
_SPACES = re.compile(r" {2,}")
#: What splits a block into separate lines (w:br, text:line-break, Unicode separators...).
LINE_SPLIT = re.compile(r"\r\n|[\n\r\v\f\u2028\u2029\x1c\x1d\x1e\x85]")
_INDENT = re.compile(r"^(?: {2,}|\t|\u3000)")


def clean_text(text: str) -> str:
    """Return ``text`` as one clean line; see the module docstring for what changes."""
    if _NEEDS_CLEANING.search(text) is not None:
        text = text.translate(_CLEAN_TABLE)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip(" ")


def split_lines(text: str) -> list[str]:
    return LINE_SPLIT.split(text)


def is_indented(raw_line: str) -> bool:
    return bool(_INDENT.match(raw_line))


def clean_blocks(blocks: Iterable[Block]) -> list[Block]:
    """Split blocks on line breaks, note indentation, clean the text. Empty blocks stay
    (as blank lines) because they can separate paragraphs of a wrapped source. The lines of
    a block that had line breaks are marked ``broken`` (and ``continues`` after the first):
    where its paragraph starts and ends is known, and a rebuild keeps those ends."""
    out: list[Block] = []
    for block in blocks:
        text = block.text
        if "\n" in text or "\r" in text or "\u2028" in text or "\u2029" in text or "\v" in text or "\f" in text:
            parts = split_lines(text)
        else:
            parts = [text]
        broken = len(parts) > 1
        for number, part in enumerate(parts):
            indent = block.indent or (part[:1] in (" ", "\t", "\u3000") and is_indented(part))
            text = clean_text(part)
            if text and part.rstrip(" \t").endswith(SOFT_HYPHEN):
                text += SOFT_HYPHEN  # kept so that a rebuild can join "ad-" + "ministration"
            out.append(Block(text, block.hint, indent, block.gap_before and number == 0,
                             broken, number > 0, block.room))
    return out


def join_broken_lines(blocks: list[Block]) -> list[Block]:
    """For a source that is not rebuilt as wrapped lines: a manual line break in the middle
    of a sentence (the line before does not end in punctuation, the next starts in lower
    case) is only a break in the line, and the two lines are one paragraph; other line
    breaks (an address, a verse, "Name:" and "Candidate:" lines) keep their lines apart."""
    out: list[Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        if block.continues and previous is not None and \
                block.hint == previous.hint and block.text[:1].islower() and previous.text and \
                not _ANY_END_PUNCT.search(previous.text):
            previous.text = join_lines(previous.text, block.text)
            continue
        out.append(Block(block.text, block.hint, block.indent, block.gap_before, block.broken,
                         block.continues))
    return out


# --- hard-wrap detection and rebuilding ---------------------------------------------------

#: A line that ends a sentence: . ? ! : … optionally followed by closing quotes/brackets.
#: (A sentence may end in note marks: "…mattered.[1][2]", as every importer writes them.)
_NOTE_MARKS = r"(?:\[(?:\d{1,3}|[ivxlc]{1,6})\])*"
_SENTENCE_END = re.compile(r"[.?!:…][\"'’”»)\]]*" + _NOTE_MARKS + "$")
_ANY_END_PUNCT = re.compile(r"[.?!:;,…][\"'’”»)\]]*" + _NOTE_MARKS + "$")
_FIRST_WORD = re.compile(r"\S+")


def ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


def _percentile(values: list[int], fraction: float) -> int:
    if not values:
        return 0
    ordered = sorted(values)
    if len(ordered) <= 3:
        return ordered[-1]
    return ordered[int(round(fraction * (len(ordered) - 1)))]


def estimate_width(lines: Iterable[str]) -> int:
    """The usable line width in characters: the 90th percentile of line lengths."""
    return _percentile([len(line) for line in lines if line], 0.9)


def looks_hard_wrapped(lines: list[str]) -> bool:
    """True when most lines are of similar (full) length and most do not end a sentence:
    the shape of text wrapped at a fixed width, one line per paragraph."""
    lengths = [len(line) for line in lines if line]
    if len(lengths) < 5:
        return False
    width = _percentile(lengths, 0.9)
    if not 25 <= width <= 200:
        return False
    full = sum(1 for n in lengths if n >= 0.7 * width)
    open_ended = sum(1 for line in lines if line and not _ANY_END_PUNCT.search(line))
    return full >= 0.5 * len(lengths) and open_ended >= 0.45 * len(lengths)


def _first_word_len(line: str) -> int:
    match = _FIRST_WORD.match(line)
    return len(match.group()) if match else 0


def _starts_like_heading(line: str) -> bool:
    first = line[:1]
    return first.isupper() or first.isdigit()


_HYPHENS = ("-", "\u2010")
_LAST_PIECE = re.compile(r"([^\W\d_]+)[-\u2010]$")
_FIRST_PIECE = re.compile(r"[^\W\d_]+")
_WORDS = re.compile(r"[^\W\d_]+")

#: How many of a document's lines must end in a lower-case break whose hyphenated form it
#: never uses elsewhere, for the document to count as hyphenated automatically: at least
#: three, and this share of its lines (a document typed without hyphenation ends a line
#: on a compound's own hyphen about once in a hundred lines; one hyphenated by the word
#: processor, about once in ten).
AUTO_HYPHENATION_SHARE = 0.04


@record(frozen=False)
class HyphenEvidence:
    """What a document's own text says about its line-end hyphens: the text in lower case
    (a word is looked up as a substring, so "governments" also vouches for "government"),
    the words it uses on their own, and whether it looks hyphenated automatically."""

    text: str
    words: frozenset[str]
    automatic: bool


def hyphen_vocabulary(lines: Iterable[str]) -> HyphenEvidence | None:
    """The evidence :func:`join_lines` decides line-end hyphens by; None when no line ends
    in a hyphen (nothing to decide)."""
    lines = [line for line in lines if line]
    if not any(line.endswith(_HYPHENS) for line in lines):
        return None
    text = "\n".join(lines).lower()
    breaks = 0
    uses = Counter(_WORDS.findall(text))
    for left, right in zip(lines, lines[1:], strict=False):
        before = _LAST_PIECE.search(left)
        after = _FIRST_PIECE.match(right)
        if before and after:   # the pieces of a break are not uses of words on their own
            first, second = before.group(1).lower(), after.group().lower()
            uses[first] -= 1
            uses[second] -= 1
            if after.group()[:1].islower() and f"{first}-{second}" not in text:
                breaks += 1
    automatic = breaks >= 3 and breaks >= AUTO_HYPHENATION_SHARE * len(lines)
    return HyphenEvidence(text, frozenset(w for w, n in uses.items() if n > 0), automatic)


def _keeps_hyphen(left: str, right: str, evidence: HyphenEvidence | None) -> bool:
    """Whether the hyphen ending ``left`` (after a letter, ``right`` starting with one) is
    part of the word rather than a line-end break (see the module's docstring)."""
    if evidence is None or not left.endswith(_HYPHENS):
        return True
    before = _LAST_PIECE.search(left)
    after = _FIRST_PIECE.match(right)
    if not (before and after):
        return True
    first, second = before.group(1).lower(), after.group().lower()
    if f"{first}-{second}" in evidence.text:
        return True
    if first + second in evidence.text:
        return False
    if not after.group()[:1].islower():
        return True   # Austria-Hungary, anti-Semitism
    return not evidence.automatic or (first in evidence.words and second in evidence.words)


def join_lines(left: str, right: str, vocabulary: HyphenEvidence | None = None) -> str:
    """``left`` and ``right`` as one line: a space between them, none after a soft hyphen
    (dropped), a line-end hyphen (kept unless ``vocabulary`` shows it was only a break) or
    a dash between letters or digits."""
    if not left:
        return right
    if left.endswith(SOFT_HYPHEN):
        return left[:-1] + right
    if left.endswith(("-", "\u2010", "—")) and len(left) > 1 and left[-2].isalpha() and right[:1].isalpha():
        return left + right if _keeps_hyphen(left, right, vocabulary) else left[:-1] + right
    if left.endswith(("-", "\u2010", "–", "—")) and len(left) > 1 and left[-2].isalnum() and \
            right[:1].isalnum() and (left[-2].isdigit() == right[0].isdigit() or left[-1] != "-"):
        return left + right   # 1914-18, pp. 231–255, Nazi–Soviet
    return left + " " + right


_ITEM = re.compile(r"^(?:(\d{1,2})[.)]|[a-z][.)]|[•◦▪‣·–])\s")
#: How a bibliography entry opens: "Overy, Richard," "Keynes, J. M.," (with a year on
#: the line: an entry always has one).
_ENTRY = re.compile(r"^[A-Z][\w'’-]+,\s+(?:[A-Z][\w'’-]*[.,]|(?:[A-Z]\.\s*)+)")
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")


def next_item(first: str, previous: str, line: str) -> bool:
    """Whether ``line`` starts the next item of a list that the paragraph being built (its
    first line ``first``, its last ``previous``) is an item of: a bullet after a bullet, or
    number n after number n - 1; the first item after a line ending in a colon."""
    item = _ITEM.match(line)
    if item is None:
        return False
    if previous.rstrip().endswith(":"):
        return True
    before = _ITEM.match(first)
    if before is None:
        return False
    if item.group(1) is None or before.group(1) is None:
        return item.group(1) is None and before.group(1) is None   # bullet after bullet
    return int(item.group(1)) == int(before.group(1)) + 1


def starts_entry(line: str) -> bool:
    """A line that opens a bibliography entry ("Overy, Richard, The Origins… (2008).")."""
    return bool(_ENTRY.match(line)) and bool(_YEAR.search(line))


#: How much of the estimated width the next word must fit in for a sentence-ending line
#: to count as deliberately ended. Monospaced text (txt) wraps exactly at the width; with
#: proportional fonts (PDF, Word) a full line's length in characters varies by about ±5%,
#: so a sentence-ending line counts as a paragraph end only with 5% to spare.
FIT_MONOSPACED = 1.0
FIT_PROPORTIONAL = 0.95


def rebuild_blocks(
    blocks: list[Block], fit: float = FIT_PROPORTIONAL, vocabulary: str | None = None
) -> list[Block]:
    """Join wrapped lines (``body`` blocks) into paragraphs; blank blocks are dropped.
    Blocks are expected to be cleaned already (see :func:`clean_blocks`). ``fit`` is the
    share of the estimated line width used by the sentence-end test (see above);
    ``vocabulary`` decides line-end hyphens (computed here when not given)."""
    body_lines = [b.text for b in blocks if b.text and b.hint == "body"]
    if vocabulary is None:
        vocabulary = hyphen_vocabulary(b.text for b in blocks if b.text)
    full_width = estimate_width(body_lines)
    widths = _line_widths(blocks, full_width)  # each line's full width where it was set
    indented = sum(1 for b in blocks if b.text and b.hint == "body" and b.indent)
    use_indent = 0 < indented <= 0.4 * max(1, len(body_lines))

    def fits(line: str, following: str, full: float) -> bool:
        return len(line) + 1 + _first_word_len(following) <= full * fit

    def short_unit(line: str, following: str | None, full: float) -> bool:
        """A short line with room to spare that does not end in punctuation."""
        if _ANY_END_PUNCT.search(line) or not _starts_like_heading(line):
            return False
        if line.endswith(("-", "\u2010", "—", "–", SOFT_HYPHEN)):
            return False  # a word or sentence continues on the next line
        if len(line.split()) > 12 or len(line) > 0.7 * full:
            return False
        return following is None or fits(line, following, full)

    def may_end(line: str, full: float) -> bool:
        """Could a paragraph end after this line? (For the weaker signals: a gap or an
        indent must not split a paragraph in mid-sentence.)"""
        return ends_sentence(line) or len(line) < 0.85 * full

    out: list[Block] = []
    current: list[str] = []  # lines of the paragraph being built
    previous_full = float(full_width)  # the full width where the paragraph's last line was set
    current_is_unit = False  # the paragraph is a one-line heading-like unit: close it
    previous_indent = False
    previous_broken = False  # the line before was one of a broken paragraph's
    count = len(blocks)

    def close() -> None:
        nonlocal current, current_is_unit
        if current:
            text = current[0]
            for line in current[1:]:
                text = join_lines(text, line, vocabulary)
            out.append(Block(text.rstrip(SOFT_HYPHEN), "body"))
        current = []
        current_is_unit = False

    for index, block in enumerate(blocks):
        text = block.text
        if not text:
            close()
            continue
        if block.hint != "body":
            close()
            out.append(Block(text.rstrip(SOFT_HYPHEN), block.hint))
            previous_indent = False
            continue
        following = None
        if index + 1 < count and blocks[index + 1].hint == "body" and blocks[index + 1].text:
            following = blocks[index + 1].text
        full = widths[index]
        if current:
            previous = current[-1]
            new_paragraph = (
                current_is_unit
                or ((block.broken or previous_broken) and not block.continues)
                or (block.gap_before and may_end(previous, previous_full))
                or (use_indent and block.indent and not previous_indent and may_end(previous, previous_full))
                or (ends_sentence(previous) and fits(previous, text, previous_full))
                or (ends_sentence(previous) and short_unit(text, following, full))
                or next_item(current[0], previous, text)
                or (ends_sentence(previous) and starts_entry(text))
            )
            if new_paragraph:
                close()
        if not current:
            current = [text]
            current_is_unit = short_unit(text, following, full) and not (
                block.broken and index + 1 < count and blocks[index + 1].continues)
        else:
            current.append(text)
        previous_full = full
        previous_indent = block.indent
        previous_broken = block.broken
    close()
    return out


def _line_widths(blocks: list[Block], full_width: int) -> list[float]:
    """Each block's full line width in characters. Without layout (``room``) every line
    has the document's; with it, the characters a point holds are found from the lines
    of the commonest column width (their 90th percentile, over that width), and each
    line's full width is its column's width at that rate (so a column half the page wide
    holds lines half as long, and its lines are not taken for short ones)."""
    if not any(b.room > 0 for b in blocks):
        return [float(full_width)] * len(blocks)
    groups: dict[int, list[Block]] = {}
    for block in blocks:
        if block.room > 0 and block.text and block.hint == "body":
            groups.setdefault(round(block.room / 10), []).append(block)
    if not groups:
        return [float(full_width)] * len(blocks)
    common = max(groups.values(), key=len)
    rooms = sorted(b.room for b in common)
    per_point = estimate_width(b.text for b in common) / rooms[len(rooms) // 2]
    return [b.room * per_point if b.room > 0 else float(full_width) for b in blocks]


def rebuild_paragraphs(lines: list[str], monospaced: bool = True) -> list[str]:
    """Rebuild paragraphs from hard-wrapped lines ('' = a blank line). Leading spaces or
    a tab mark an indented line. ``monospaced``: the lines were wrapped by character
    count (plain text) rather than by a proportional font (PDF, Word). Returns the
    cleaned paragraph texts."""
    blocks = clean_blocks(Block(line) for line in lines)
    return [b.text for b in rebuild_blocks(blocks, FIT_MONOSPACED if monospaced else FIT_PROPORTIONAL)]
