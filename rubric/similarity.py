"""Similarity across a set: which pairs of scripts share passages, and where.

It finds shared wording, not proof of copying: quotations, phrases the class was taught and
shared sources all give shared passages, and the teacher judges what a match means.

How it works:

1. Each script's text is split into words after normalising case, punctuation, quotes,
   apostrophes and dashes (``Stalin’s`` = ``stalin's``; ``anti–Semitic`` = ``anti semitic``).
   Left out by default: text in quotation marks (straight or curly, double or single) and
   block quotations (paragraph kind ``quote``), the question (every five words it shares
   with the question), and the paragraphs of kind ``reference``, ``footnote`` or
   ``front_matter`` (bibliography, notes, cover page). A left-out stretch, and a paragraph
   end, break the text: no shingle spans them. The whole set is split at once, in arrays of
   character codes (NumPy), giving exactly the words the regex ``_WORD`` finds (see
   :func:`_words`); each word is hashed from its characters.
2. Every five consecutive words (a shingle) is hashed; so is every run of
   ``min_passage_words`` (8) words, the shortest passage counted. Shorter matches are chance
   ("the end of the war").
3. A run of eight words found in many scripts (at least ``common_min`` = 4 scripts, or more
   than ``common_fraction`` = 30 % of them; never one found in only two) is *common*: a
   phrase the class was taught, a well-known quotation. Commonness is judged on the 8-word
   runs, not the 5-word shingles, because in a few hundred essays on one question most
   five-word phrases ("the tsar was forced to") recur by chance. Common passages are shown,
   marked ``common``, but not counted as shared words nor in the ranking (they only break
   ties).
4. All pairs at once, by sorting: the runs of the whole set are sorted once, which gives each
   run's document frequency and, for every place in every script, the other scripts that
   contain the same uncommon run, and so the shared words of every pair
   (:meth:`SimilarityIndex.shared_words`). (A SciPy sparse product of the scripts ×
   5-word-shingle matrix gives the shared shingles of every pair,
   :meth:`SimilarityIndex.shared_counts`; finding pairs does not need it, nor SciPy, whose
   import alone cost more than the whole check.)
5. For each pair listed, the shared passages are rebuilt: maximal runs of consecutive
   shingles both scripts contain in the same order, joined across a gap of a few shingles (a
   changed word breaks five), mapped back to character offsets in each script's own text
   (the paragraphs joined by ``"\\n"``, as ``Script.text`` in the store).

``shared_words`` is the number of the SHORTER script's words inside uncommon runs of eight
words or more that the other script also contains, leaving out words inside common runs;
``containment`` is that over the shorter script's counted words (Jaccard would hide a
pasted paragraph inside a long essay). Pairs are ranked by shared words, then containment;
at most ``max_pairs`` (100) are listed.

Input: ``scripts`` maps a script id to its text: a string (one body paragraph) or a sequence
of paragraphs, each a string, a ``(text, kind)`` pair or an object with ``text`` and
``kind`` attributes (the store's ``Paragraph``).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

SHINGLE = 5
#: Paragraph kinds left out by default: bibliography, notes and cover pages.
EXCLUDED_KINDS = frozenset({"reference", "footnote", "front_matter"})

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'"})
# Quotations inside one paragraph. A curly or straight single quotation mark closes only
# where it is not followed by a letter, so "Stalin’s" and "don't" never close a quotation
# (a plural possessive such as "the peasants’ grievances" still can: a known limit). Each
# branch starts with its quotation mark, so the regex engine skips quickly to candidates.
_QUOTE = re.compile(
    r'"[^"\n]*"'
    r"|“[^”\n]*”"
    r"|„[^“”\n]*[“”]"
    r"|«[^»\n]*»"
    r"|‘[^‘\n]*?’(?![^\W_])"
    r"|'(?<![^\W_]')(?=[^\W_])[^\n]*?(?<=\S)'(?![^\W_])"
)
_P = tuple(np.uint64(p) for p in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F,
                                  0x165667B19E3779F9, 0x27D4EB2F165667C5))


def _paragraphs(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(value, "body")]
    result = []
    for p in value:
        if type(p) is tuple and len(p) == 2:   # the store's (text, kind): the usual case
            text, kind = p
            result.append((text, kind or "body"))
        elif isinstance(p, str):
            result.append((p, "body"))
        elif hasattr(p, "text"):
            result.append((p.text, getattr(p, "kind", "body") or "body"))
        else:
            text, kind = p
            result.append((text, kind or "body"))
    return result


def _layout(paragraphs: list[tuple[str, str]], exclude_quotes: bool,
            exclude_kinds: frozenset[str]) -> tuple[list[tuple[int, int]], list[int]]:
    """Where the script's text (its paragraphs joined by line breaks) is not compared:
    (start, end) of each paragraph of a left-out kind; and where each paragraph ends (no
    shingle spans a paragraph end)."""
    ranges: list[tuple[int, int]] = []
    ends: list[int] = []
    offset = 0
    for paragraph, kind in paragraphs:
        end = offset + len(paragraph)
        if end > offset and (kind in exclude_kinds or (exclude_quotes and kind == "quote")):
            ranges.append((offset, end))
        ends.append(end)
        offset = end + 1
    return ranges, ends


# ---- words: every script of a set in one vectorised pass
#
# A word is what the regex ``_WORD`` finds in a compared stretch normalised: apostrophes
# unified, then case-folded when folding keeps every character in its place (almost always;
# otherwise each word is folded alone, ``str.casefold`` of the word). Rather than run the
# regex and hash each word in Python, the scripts' texts are joined and turned into an array
# of character codes; each distinct character is classified once (word character or not,
# its folded code); left-out characters become code 0 (in no word); the words are the
# maximal runs of word characters, an apostrophe counting only between two of them, which
# is exactly what the regex matches. Each word is hashed from its folded codes (a polynomial
# hash from prefix sums, then mixed), so equal words get equal hashes.

#: A character of a word (``_WORD`` is runs of these, joined by single apostrophes).
_WORD_CHAR = re.compile(r"[^\W_]")
_APOSTROPHE = ord("'")
#: The characters a quotation (``_QUOTE``) can start with.
_OPENING = tuple(map(ord, "\"“„«‘'"))
#: per character code: its code case-folded after unifying apostrophes (-1 when folding
#: gives more or fewer characters), and its code with apostrophes unified only
_NORMAL: dict[int, tuple[int, int]] = {}
#: per character code: whether it is a word character
_IS_WORD: dict[int, bool] = {}
#: Texts are tokenised in chunks of about this many characters (to bound the arrays' memory).
_CHUNK = 1 << 20
_BASE = np.uint64(0x100000001B3)
_BASE_INVERSE = np.uint64(pow(0x100000001B3, -1, 1 << 64))


def _normal(code: int) -> tuple[int, int]:
    plain = chr(code).translate(_APOSTROPHES)
    folded = plain.casefold()
    return (ord(folded) if len(folded) == 1 else -1), ord(plain)


def _is_word(code: int) -> bool:
    known = _IS_WORD.get(code)
    if known is None:
        known = _IS_WORD[code] = _WORD_CHAR.match(chr(code)) is not None
    return known


def _tables(codes: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """Lookup tables over the character codes found in ``codes``: folded code, plain code
    (apostrophes unified), whether folding changes the length, whether a code is a word
    character (for every code either table gives), whether it opens a quotation; and
    whether any code found changes length when folded."""
    # every ASCII code (a table of them costs nothing), and the others found
    present = [*range(128), *_distinct(codes[codes >= 128]).tolist()]
    normal = [_NORMAL.get(c) or _NORMAL.setdefault(c, _normal(c)) for c in present]
    folded = [f for f, _ in normal]
    plain = [p for _, p in normal]
    size = max(*present, *folded, *plain, *_OPENING) + 1
    at = np.array(present, dtype=np.int64)
    f = np.array(folded, dtype=np.int64)
    fold = np.zeros(size, dtype=np.uint32)
    fold[at] = np.where(f >= 0, f, 0)
    bad = np.zeros(size, dtype=bool)
    bad[at] = f < 0
    plain_table = np.zeros(size, dtype=np.uint32)
    plain_table[at] = plain
    shown = sorted({*folded, *plain} - {-1})
    word = np.zeros(size, dtype=bool)
    word[shown] = [_is_word(c) for c in shown]
    opens = np.zeros(size, dtype=bool)
    opens[list(_OPENING)] = True
    return fold, plain_table, bad, word, opens, bool(bad.any())


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, elementwise (wrapping arithmetic)."""
    h = h ^ (h >> np.uint64(30))
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``_BASE`` and its inverse (modulo 2**64) to the powers 0 … n."""
    power = np.full(n + 1, _BASE, dtype=np.uint64)
    power[0] = 1
    np.multiply.accumulate(power, out=power)
    inverse = np.full(n + 1, _BASE_INVERSE, dtype=np.uint64)
    inverse[0] = 1
    np.multiply.accumulate(inverse, out=inverse)
    return power, inverse


def _span_hashes(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                 powers: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """A hash of each stretch ``codes[start:end]`` that depends only on its codes: a
    polynomial in ``_BASE`` (from prefix sums, shifted to the stretch's start), mixed with
    its length. ``powers``: :func:`_powers` of at least ``len(codes)``."""
    n = len(codes)
    power, inverse = powers or _powers(n)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.multiply(codes, power[:n], out=prefix[1:])
    np.cumsum(prefix[1:], out=prefix[1:])
    raw = (prefix.take(ends) - prefix.take(starts)) * inverse.take(starts)
    return _mix(raw ^ ((ends - starts).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)))


def _string_hashes(strings: Sequence[str]) -> np.ndarray:
    """The hash :func:`_span_hashes` gives a stretch with exactly these characters."""
    lengths = np.array([len(s) for s in strings], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
    return _span_hashes(_codes("\n".join(strings)), starts, starts + lengths)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _word_bounds(norm: np.ndarray, word: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each word in the normalised codes: runs of word characters, an
    apostrophe joining two of them (as ``_WORD`` matches)."""
    inside = np.zeros(len(norm) + 2, dtype=bool)  # a character outside words either side
    word.take(norm, out=inside[1:-1])
    if len(norm) > 2:
        inside[2:-2] |= (norm[1:-1] == _APOSTROPHE) & inside[1:-3] & inside[3:-1]
    edges = np.flatnonzero(inside[1:] != inside[:-1])  # a word's start, its end, the next…
    return edges[0::2], edges[1::2]


_Words = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _words(texts: Sequence[str], left_out: Sequence[list[tuple[int, int]]] | None = None,
           breaks: Sequence[list[int]] | None = None, quotations: bool = False) -> _Words:
    """The words of each text, normalised: (hash of each word, its start and end offset in
    its text, the number of words in each text, the stretch each word is in, numbered
    across the texts).

    Left out: the characters of ``left_out`` (per text, (start, end) ranges) and, with
    ``quotations``, the text inside quotation marks (``_QUOTE``). The text breaks into
    stretches (no shingle spans two) at its end, at ``breaks`` (per text, offsets of
    characters in no word, such as the line break after a paragraph) and where a quotation
    starts. Each stretch is case-folded as a whole when that keeps its length, else word by
    word (``str.casefold`` of each word), as the regex ``_WORD`` over each stretch would
    give."""
    chunks = []
    first = 0
    while first < len(texts):
        last, size = first, 0
        while last < len(texts) and (last == first or size + len(texts[last]) < _CHUNK):
            size += len(texts[last]) + 1
            last += 1
        chunks.append((first, last, size))
        first = last
    powers = _powers(max((size for _, _, size in chunks), default=0))
    parts = []
    stretches = 0
    for first, last, _ in chunks:
        part = _chunk_words(texts[first:last], None if left_out is None else left_out[first:last],
                            None if breaks is None else breaks[first:last], quotations, powers)
        part[4][:] += stretches
        stretches += part[5]
        parts.append(part[:5])
    if not parts:
        empty = np.empty(0, dtype=np.int64)
        return np.empty(0, dtype=np.uint64), empty, empty, empty, empty
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))  # type: ignore[return-value]


def _quotations(text: str, candidates: np.ndarray) -> list[tuple[int, int]]:
    """The spans ``_QUOTE.finditer(text)`` gives, trying the regex only where a quotation
    mark is (every branch starts with one)."""
    found = []
    after = 0
    match = _QUOTE.match
    for at in candidates.tolist():
        if at >= after:
            m = match(text, at)
            if m is not None:
                after = m.end()
                found.append((at, after))
    return found


def _chunk_words(texts: Sequence[str], left_out: Sequence[list[tuple[int, int]]] | None,
                 breaks: Sequence[list[int]] | None, quotations: bool,
                 powers: tuple[np.ndarray, np.ndarray]) -> tuple:
    """:func:`_words` of some texts, and how many stretch numbers they used."""
    joined = "\n".join(texts)  # a line break is never inside a word, nor inside a quotation
    codes = _codes(joined)
    n = len(codes)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    text_starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
    text_ends = text_starts + lengths
    bases = text_starts.tolist()
    fold, plain, bad, word, opens, any_bad = _tables(codes)
    # left out: paragraphs of a left-out kind and quotations (their characters count as no
    # word's); the text breaks at each paragraph's end and where a quotation starts
    ranges = [(base + a, base + b) for base, spans in zip(bases, left_out or (), strict=False)
              for a, b in spans]
    cut = [base + b for base, at in zip(bases, breaks or (), strict=False) for b in at]
    if quotations:
        spans = _quotations(joined, np.flatnonzero(opens.take(codes)))
        ranges += spans
        cut += [a for a, _ in spans]
    cuts = np.sort(np.concatenate([text_ends, np.array(cut, dtype=np.int64)]))
    # which text each stretch is in: the texts ended at or before the cut opening it
    text_of = np.concatenate([[0], np.searchsorted(text_ends, cuts, "right")])
    alone = None
    if any_bad:
        changes = bad.take(codes)
        for a, b in ranges:
            changes[a:b] = False
        if changes.any():
            # stretches where folding changes the length: their words are found in the
            # plain text and each folded alone
            alone = np.zeros(len(cuts) + 1, dtype=bool)
            alone[np.searchsorted(cuts, np.flatnonzero(changes))] = True
            per_char = alone[np.searchsorted(cuts, np.arange(n))]
            norm = np.where(per_char, plain.take(codes), fold.take(codes))
    if alone is None:
        norm = fold.take(codes)
    for a, b in ranges:
        norm[a:b] = 0  # in no word
    starts, ends = _word_bounds(norm, word)
    hashes = _span_hashes(norm, starts, ends, powers)
    # each word's stretch: the cuts before it (found from the cuts' side: far fewer)
    before = np.diff(np.concatenate([[0], np.searchsorted(starts, cuts), [len(starts)]]))
    stretch = np.repeat(np.arange(len(cuts) + 1), before)
    if alone is not None:
        unfolded = np.flatnonzero(alone[stretch])
        hashes[unfolded] = _string_hashes([
            joined[s:e].translate(_APOSTROPHES).casefold()
            for s, e in zip(starts[unfolded].tolist(), ends[unfolded].tolist(), strict=True)])
    text = text_of[stretch]
    counts = np.bincount(text, minlength=len(texts)).astype(np.int64)
    offset = text_starts[text]
    return hashes, starts - offset, ends - offset, counts, stretch, len(cuts) + 1


def _shingles(words: np.ndarray) -> np.ndarray:
    """Hash of each run of five words, as uint64 (wrapping arithmetic)."""
    h = words.view(np.uint64)
    if len(h) < SHINGLE:
        return np.empty(0, dtype=np.uint64)
    return (h[:-4] * _P[0] + h[1:-3] * _P[1] + h[2:-2] * _P[2] + h[3:-1] * _P[3]
            + (h[4:] ^ (h[4:] >> np.uint64(29))))


def _long_shingles(shingles: np.ndarray, valid: np.ndarray, length: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Hash of each run of ``length`` words (≥ 5), from the shingles that tile it, and
    whether all its shingles are counted."""
    span = length - SHINGLE + 1  # shingles in such a run
    if len(shingles) < span:
        return np.empty(0, dtype=np.uint64), np.zeros(0, dtype=bool)
    if span == 1:
        return shingles, valid
    bad = np.concatenate([[0], np.cumsum(~valid)])
    ok = (bad[span:] - bad[:-span]) == 0
    end = len(shingles) - span + 1
    h = shingles[:end].copy()
    for k, t in enumerate(sorted(set(range(SHINGLE, span - 1, SHINGLE)) | {span - 1}), 1):
        h = h * _P[0] + (shingles[t:t + end] ^ np.uint64(k))
    return h, ok


@dataclass
class _Script:
    id: Hashable
    paragraphs: list[tuple[str, str]]
    #: the paragraphs joined by line breaks (as ``Script.text`` in the store)
    text: str
    #: counted words
    words: int
    #: per word position: the 5-word shingle starting there, and whether it is counted
    shingles: np.ndarray
    valid: np.ndarray
    #: per word position: the ``min_passage_words`` run starting there, whether counted
    runs: np.ndarray
    runs_valid: np.ndarray
    #: per word: inside a run that is common in the set (filled in by index_scripts)
    in_common: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: per word position where the run starting there is held by two scripts or more,
    #: and by how many (filled in by index_scripts)
    repeated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    repeated_df: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: per word: its start and end offset in the script's text
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ends: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _sorted: dict[str, np.ndarray] = field(default_factory=dict)

    def sorted_shingles(self) -> np.ndarray:
        if "shingles" not in self._sorted:
            self._sorted["shingles"] = _distinct(self.shingles[self.valid])
        return self._sorted["shingles"]

    def sorted_repeated_runs(self) -> np.ndarray:
        """The runs of this script that other scripts may hold, sorted."""
        if "runs" not in self._sorted:
            self._sorted["runs"] = _distinct(self.runs[self.repeated])
        return self._sorted["runs"]

    def span(self, word: int) -> tuple[int, int]:
        """Start and end offset of counted word number ``word`` in the script's text."""
        return int(self.starts[word]), int(self.ends[word])


@dataclass(frozen=True)
class Passage:
    """A passage both scripts contain: ``text`` as the first script has it, and where it is
    in each script's text (end offsets exclusive)."""

    text: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: int
    #: Mostly made of runs found in many scripts (taught phrases, common quotations).
    common: bool

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "a_start": self.a_start, "a_end": self.a_end,
                "b_start": self.b_start, "b_end": self.b_end, "words": self.words,
                "common": self.common}


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: ``np.unique`` without an inverse, by sorting (NumPy 2.3+
    finds them by hashing, many times slower on a few hundred thousand values)."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate([[True], values[1:] != values[:-1]])]
    return values


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """values ∈ sorted_set, elementwise (hash values, uint64)."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    if len(values) > 1 << 14 and len(sorted_set) < len(values) >> 6:
        # a few values to look for among many: only those whose low bits match one of
        # them are looked up
        low = np.zeros(1 << 16, dtype=bool)
        low[sorted_set & np.uint64(0xFFFF)] = True
        result = low.take(values & np.uint64(0xFFFF))
        maybe = np.flatnonzero(result)
        result[maybe] = _looked_up(values[maybe], sorted_set)
        return result
    return _looked_up(values, sorted_set)


def _looked_up(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    k = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[k] == values


def _json_id(value: Hashable) -> Any:
    return value if isinstance(value, (str, int)) else str(value)


@dataclass(frozen=True)
class SimilarPair:
    a: Hashable
    b: Hashable
    #: Words of the shorter script inside uncommon runs of 8 words or more that the other
    #: also holds, and not inside any run common in the set.
    shared_words: int
    #: Words of the shorter script inside common runs the other also holds (taught
    #: phrases, common quotations) and not counted as shared.
    common_words: int
    #: shared_words / the shorter script's counted words.
    containment: float
    words_a: int
    words_b: int
    passages: tuple[Passage, ...]

    def to_json(self) -> dict[str, Any]:
        return {"script_a": _json_id(self.a), "script_b": _json_id(self.b),
                "shared_words": self.shared_words, "common_words": self.common_words,
                "containment": round(self.containment, 4),
                "words_a": self.words_a, "words_b": self.words_b,
                "passages": [p.to_json() for p in self.passages]}


@dataclass(frozen=True)
class SimilarityOptions:
    exclude_quotes: bool = True
    exclude_question: bool = True
    exclude_kinds: frozenset[str] = EXCLUDED_KINDS
    #: A run in at least this many scripts is common (never fewer than 3)...
    common_min: int = 4
    #: ...as is one in more than this share of the scripts (never fewer than 3).
    common_fraction: float = 0.3
    #: A pair is listed when it shares at least this many words outside common passages...
    min_shared_words: int = 15
    #: ...counting only unbroken runs of at least this many words (shorter ones are chance).
    min_passage_words: int = 8
    #: Runs this close (in shingles) in both scripts make one passage: one changed or
    #: inserted word breaks five shingles.
    merge_gap: int = 5
    #: List at most this many pairs, the most shared first (None: all).
    max_pairs: int | None = 100

    def common_threshold(self, scripts: int) -> int:
        by_share = math.floor(self.common_fraction * scripts) + 1
        return max(3, min(self.common_min, by_share))

    def to_json(self) -> dict[str, Any]:
        return {"exclude_quotes": self.exclude_quotes,
                "exclude_question": self.exclude_question,
                "exclude_kinds": sorted(self.exclude_kinds), "common_min": self.common_min,
                "common_fraction": self.common_fraction,
                "min_shared_words": self.min_shared_words,
                "min_passage_words": self.min_passage_words, "merge_gap": self.merge_gap,
                "max_pairs": self.max_pairs}


def _binary_matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]
                   ) -> sparse.csr_matrix:
    from scipy import sparse  # only for shingle_matrix: finding pairs needs NumPy alone

    m = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=shape)
    m.sum_duplicates()
    m.data[:] = 1
    return m


@dataclass
class SimilarityIndex:
    """The shingles and runs of a set and how many scripts hold each; build it with
    :func:`index_scripts`, then ask for :meth:`pairs`, or any one :meth:`pair`."""

    scripts: dict[Hashable, _Script]
    options: SimilarityOptions
    order: list[Hashable]
    common_threshold: int
    #: for each uncommon run held by two scripts or more (a column), the rows of the scripts
    #: holding it: ``rows[columns[c]:columns[c + 1]]``, ascending (a scripts × runs 0/1
    #: matrix, stored by column); and for each place in a script that starts such a run:
    #: (script row, word position, column)
    holders: tuple[np.ndarray, np.ndarray]
    places: tuple[np.ndarray, np.ndarray, np.ndarray]
    #: where each script's words start in the set's words, and the running count of the
    #: set's words that are not inside a common run
    first_word: np.ndarray
    free_words: np.ndarray
    _shingle_matrix: sparse.csr_matrix | None = field(default=None, repr=False)

    # ---- all pairs at once

    def shingle_matrix(self) -> sparse.csr_matrix:
        """0/1 scripts × counted 5-word shingles held by two scripts or more (SciPy)."""
        if self._shingle_matrix is None:
            per = [s.shingles[s.valid] for s in self.scripts.values()]
            rows = np.repeat(np.arange(len(per), dtype=np.int32), [len(p) for p in per])
            hashes = np.concatenate(per) if per else np.empty(0, dtype=np.uint64)
            unique, inverse = np.unique(hashes, return_inverse=True)
            m = _binary_matrix(rows, inverse.ravel(), (len(per), len(unique)))
            df = np.bincount(m.indices, minlength=len(unique))
            self._shingle_matrix = m[:, np.flatnonzero(df >= 2)]
        return self._shingle_matrix

    def shared_counts(self) -> sparse.coo_matrix:
        """Shared 5-word shingles of every pair (upper triangle): one sparse product."""
        from scipy import sparse

        m = self.shingle_matrix()
        product = (m @ m.T).tocoo()
        keep = product.row < product.col
        return sparse.coo_matrix((product.data[keep], (product.row[keep], product.col[keep])),
                                 shape=product.shape)

    def shared_words(self) -> dict[tuple[int, int], int]:
        """Every pair of rows (i < j) that shares an uncommon run, with its shared words as
        :meth:`pair` counts them: the shorter script's words inside uncommon runs the other
        also holds, less those inside common runs. All pairs at once."""
        first, second, words = self._shared_words()
        return dict(zip(zip(first.tolist(), second.tolist(), strict=True), words.tolist(),
                        strict=True))

    def _shared_words(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`shared_words` as arrays: rows i < j and the pair's shared words."""
        rows, positions, cols = self.places
        empty = np.empty(0, dtype=np.int64)
        if not len(rows):
            return empty, empty, empty
        n = len(self.order)
        width = max(SHINGLE, self.options.min_passage_words)
        # for each place, every script holding its run (itself included)
        columns, holder_rows = self.holders
        count = columns[cols + 1] - columns[cols]
        place = np.repeat(np.arange(len(cols)), count)
        ramp = np.arange(len(place)) - np.repeat(np.cumsum(count) - count, count)
        other = holder_rows[np.repeat(columns[cols], count) + ramp]
        mine = rows[place]
        words = np.array([s.words for s in self.scripts.values()])
        # count each pair in its shorter script (ties: the earlier), as pair() does
        shorter = (words[mine] < words[other]) | ((words[mine] == words[other]) & (mine < other))
        other, mine = other[shorter], mine[shorter]
        at = positions[place[shorter]]
        keys = mine.astype(np.int64) * n + other
        if not len(keys):
            return empty, empty, empty
        # in order of pair, then place (each place is in one script: no two alike)
        room = int(at.max()) + 1
        if n * n * room < 1 << 62:
            keys, at = np.divmod(np.sort(keys * room + at), room)
        else:
            order = np.lexsort((at, keys))
            keys, at = keys[order], at[order]
        at = at + self.first_word[keys // n]
        # the union of the windows at these places, as segments, and the free words in each
        new = np.concatenate([[True], (keys[1:] != keys[:-1]) | (np.diff(at) >= width)])
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], len(at)) - 1
        free = self.free_words[at[ends] + width] - self.free_words[at[starts]]
        seg_keys = keys[starts]
        first = np.concatenate([[True], seg_keys[1:] != seg_keys[:-1]])
        totals = np.add.reduceat(free, np.flatnonzero(first))
        i, j = np.divmod(seg_keys[first], n)
        return np.minimum(i, j), np.maximum(i, j), totals.astype(np.int64)

    def candidates(self) -> list[tuple[int, int, int]]:
        """(row, row, shared words) of the pairs sharing enough to be listed, the most first."""
        first, second, words = self._shared_words()
        enough = words >= self.options.min_shared_words
        found = list(zip(first[enough].tolist(), second[enough].tolist(),
                         words[enough].tolist(), strict=True))
        found.sort(key=lambda c: (-c[2], c[0], c[1]))
        return found

    def pairs(self, limit: int | None = -1) -> list[SimilarPair]:
        """The pairs that share at least ``min_shared_words`` words outside common
        passages: the most shared words first, then the highest containment (common
        passages only break ties). At most ``limit`` pairs (default: the options'
        ``max_pairs``; None: all)."""
        limit = self.options.max_pairs if limit == -1 else limit
        least = self.options.min_shared_words
        if limit is not None and limit <= 0:
            return []
        found = self.candidates()
        if limit is not None and len(found) > limit:
            # the shared words are exact: keep the ties at the cut (containment decides)
            found = [c for c in found if c[2] >= found[limit - 1][2]]
        result = [self.pair(self.order[i], self.order[j]) for i, j, _ in found]
        result = sorted((p for p in result if p.shared_words >= least), key=_rank)
        return result if limit is None else result[:limit]

    # ---- one pair

    def pair(self, a: Hashable, b: Hashable) -> SimilarPair:
        """The passages two scripts share (any two, listed or not)."""
        o = self.options
        sa, sb = self.scripts[a], self.scripts[b]
        short_is_a = (sa.words, self.order.index(a)) <= (sb.words, self.order.index(b))
        x, y = (sa, sb) if short_is_a else (sb, sa)
        width = max(SHINGLE, o.min_passage_words)
        # words of x inside runs y also holds: uncommon ones count, common ones are shown
        held = _member(x.runs[x.repeated], y.sorted_repeated_runs())
        where, df = x.repeated[held], x.repeated_df[held]
        shared_run = np.zeros(len(x.runs), dtype=bool)
        shared_run[where] = True
        common_run = np.zeros_like(shared_run)
        common_run[where[df >= self.common_threshold]] = True
        common_cover = _dilate(common_run, width, x.words)
        rare_cover = _dilate(shared_run & ~common_run, width, x.words) & ~x.in_common
        # passages are looked for only around shared runs (and a merge gap either side)
        reach = o.merge_gap + SHINGLE
        near = _dilate_at(np.maximum(where - reach, 0), width + 2 * reach,
                          x.words)[:len(x.shingles)]

        passages = []
        # words of x inside counted runs, as a running count (a passage's share of them)
        rare_before = np.concatenate([[0], np.cumsum(rare_cover)]).tolist()
        for group in _merge(_runs(x, y, near), o.merge_gap):
            if max(length for _, _, length in group) + SHINGLE - 1 < o.min_passage_words:
                continue
            # the words of x the group's runs cover: a union of intervals, in order
            words = rare = 0
            low = high = group[0][0]
            for i, _, length in group:
                if i > high:  # a gap: the interval so far is complete
                    words += high - low
                    rare += rare_before[high] - rare_before[low]
                    low = i
                high = max(high, i + length + SHINGLE - 1)
            words += high - low
            rare += rare_before[high] - rare_before[low]
            common = rare * 2 < words
            last_x = max(i + length for i, _, length in group) + SHINGLE - 2
            first_y = min(j for _, j, _ in group)
            last_y = max(j + length for _, j, length in group) + SHINGLE - 2
            xa, xb = x.span(group[0][0])[0], x.span(last_x)[1]
            ya, yb = y.span(first_y)[0], y.span(last_y)[1]
            if short_is_a:
                passages.append(Passage(x.text[xa:xb], xa, xb, ya, yb, words, common))
            else:
                passages.append(Passage(y.text[ya:yb], ya, yb, xa, xb, words, common))
        passages.sort(key=lambda p: p.a_start)
        shared = int(rare_cover.sum())
        common_words = int((common_cover & ~rare_cover).sum())
        return SimilarPair(a, b, shared, common_words, shared / x.words if x.words else 0.0,
                           sa.words, sb.words, tuple(passages))


def _rank(p: SimilarPair) -> tuple:
    return (-p.shared_words, -p.containment, -p.common_words, str(p.a), str(p.b))


def _dilate(starts: np.ndarray, width: int, size: int) -> np.ndarray:
    """Words covered by windows of ``width`` words at the True places of ``starts``."""
    cover = np.zeros(size, dtype=bool)
    cover[:len(starts)] = starts[:size]
    return _spread(cover, width)


def _dilate_at(where: np.ndarray, width: int, size: int) -> np.ndarray:
    """Words covered by windows of ``width`` words starting at the places ``where``."""
    cover = np.zeros(size, dtype=bool)
    cover[where[where < size]] = True
    return _spread(cover, width)


def _spread(cover: np.ndarray, width: int) -> np.ndarray:
    """``cover`` (changed in place) made true also up to ``width - 1`` places after each true
    place, in doubling steps."""
    done = 1
    while done < width:
        step = min(done, width - done)
        cover[step:] |= cover[:-step].copy()
        done += step
    return cover


def _runs(x: _Script, y: _Script, near: np.ndarray) -> list[tuple[int, int, int]]:
    """Maximal runs of consecutive shingles of x found in the same order in y:
    (start in x, start in y, number of shingles), greedily from the start of x, the
    longest match first; runs start only where ``near`` is true."""
    if not len(x.shingles) or not len(y.shingles):
        return []
    xh = np.where(x.valid, x.shingles, np.uint64(0))
    yh = np.where(y.valid, y.shingles, np.uint64(1))  # never equal to x's left-out marker
    looked = np.flatnonzero(near & x.valid)
    looked = looked[_member(xh[looked], y.sorted_shingles())]
    if not len(looked):
        return []
    in_y = y.valid & _member(yh, _distinct(xh[looked]))
    xl, yl = xh.tolist(), yh.tolist()
    where: dict[int, list[int]] = {}
    for p in np.flatnonzero(in_y).tolist():
        where.setdefault(yl[p], []).append(p)
    nx, ny = len(xl), len(yl)
    runs = []
    next_free = 0
    for i in looked.tolist():
        if i < next_free:
            continue
        best_len, best_j = 0, -1
        for j in where.get(xl[i], ()):
            length = 1
            while i + length < nx and j + length < ny and xl[i + length] == yl[j + length]:
                length += 1
            if length > best_len:
                best_len, best_j = length, j
        if best_len:
            runs.append((i, best_j, best_len))
            next_free = i + best_len
    return runs


def _merge(runs: list[tuple[int, int, int]], gap: int) -> list[list[tuple[int, int, int]]]:
    """Runs that follow each other in both scripts with at most ``gap`` shingles between
    them (a changed or inserted word, a left-out phrase of the question) form one passage."""
    groups: list[list[tuple[int, int, int]]] = []
    for run in runs:
        if groups:
            i0, j0, l0 = groups[-1][-1]
            if 0 <= run[0] - (i0 + l0) <= gap and 0 <= run[1] - (j0 + l0) <= gap:
                groups[-1].append(run)
                continue
        groups.append([run])
    return groups


def _question_shingles(question: str | Sequence[str] | None) -> np.ndarray:
    """The 5-word shingles of the question texts, sorted (none spans two texts)."""
    texts = [question] if isinstance(question, str) else list(question or ())
    hashes, _, _, _, text = _words(texts)
    shingles = _shingles(hashes)
    return _distinct(shingles[text[:-4] == text[4:]]) if len(shingles) else shingles


def index_scripts(scripts: Mapping[Hashable, Any], question: str | Sequence[str] | None = None,
                  options: SimilarityOptions | None = None) -> SimilarityIndex:
    """Split, normalise and hash every script; count in how many scripts each run occurs.

    The words of the whole set are tokenised, hashed and shingled in one go (arrays over the
    set's words, script after script); each script's arrays are slices of them."""
    o = options or SimilarityOptions()
    width = max(SHINGLE, o.min_passage_words)
    kinds = frozenset(o.exclude_kinds)
    order = list(scripts)
    n = len(order)
    threshold = o.common_threshold(n)
    paragraphs = [_paragraphs(scripts[sid]) for sid in order]
    texts = ["\n".join(t for t, _ in p) for p in paragraphs]
    layout = [_layout(p, o.exclude_quotes, kinds) for p in paragraphs]
    hashes, starts, ends, counts, stretch = _words(texts, [r for r, _ in layout],
                                                   [b for _, b in layout], o.exclude_quotes)
    first_word = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    total = int(first_word[-1])
    shingles = _shingles(hashes)
    valid = stretch[:-4] == stretch[4:]  # a shingle never spans a break
    if o.exclude_question and len(shingles):
        question_shingles = _question_shingles(question)
        if len(question_shingles):
            valid &= ~_member(shingles, question_shingles)
    runs, runs_valid = _long_shingles(shingles, valid, width)
    span = width - SHINGLE + 1

    # in how many scripts each counted run occurs (its document frequency)
    at = np.flatnonzero(runs_valid)  # never spans two scripts: a stretch is in one script
    rows = np.repeat(np.arange(n), counts)[at]
    unique, inverse = np.unique(runs[at], return_inverse=True)
    inverse = inverse.ravel()
    held = _distinct(inverse.astype(np.int64) * max(n, 1) + rows)  # (run, script), once each
    held_run, held_row = np.divmod(held, max(n, 1))
    df = np.bincount(held_run, minlength=len(unique))
    uncommon = (df >= 2) & (df < threshold)
    column = np.cumsum(uncommon) - 1
    keep = uncommon[inverse]
    kept_rows = rows[keep]
    places = (kept_rows, at[keep] - first_word[kept_rows], column[inverse[keep]])
    by_column = uncommon[held_run]
    holders = (np.concatenate([[0], np.cumsum(np.bincount(column[held_run[by_column]],
                                                          minlength=int(uncommon.sum())))]),
               held_row[by_column])
    # the words inside runs the class has in common: never counted as shared
    entry_df = df[inverse]
    in_common = _dilate_at(at[entry_df >= threshold], width, total)
    again = entry_df >= 2
    repeated, repeated_df = at[again], entry_df[again]
    cut = np.searchsorted(repeated, first_word)

    built: dict[Hashable, _Script] = {}
    for k, sid in enumerate(order):
        w0, w1 = int(first_word[k]), int(first_word[k + 1])
        count = w1 - w0
        shingle_end = w0 + max(count - SHINGLE + 1, 0)
        run_end = w0 + max(count - SHINGLE + 1 - span + 1, 0)
        built[sid] = _Script(
            sid, paragraphs[k], texts[k], count, shingles[w0:shingle_end],
            valid[w0:shingle_end], runs[w0:run_end], runs_valid[w0:run_end],
            in_common=in_common[w0:w1], repeated=repeated[cut[k]:cut[k + 1]] - w0,
            repeated_df=repeated_df[cut[k]:cut[k + 1]], starts=starts[w0:w1],
            ends=ends[w0:w1])
    free = np.concatenate([[0], np.cumsum(~in_common)])
    return SimilarityIndex(built, o, order, threshold, holders, places, first_word, free)


@dataclass(frozen=True)
class SimilarityReport:
    pairs: tuple[SimilarPair, ...]
    scripts: int
    common_threshold: int
    options: SimilarityOptions
    #: True when ``max_pairs`` cut the list short.
    truncated: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"pairs": [p.to_json() for p in self.pairs], "scripts": self.scripts,
                "common_threshold": self.common_threshold, "truncated": self.truncated,
                "options": self.options.to_json()}


def find_similar(scripts: Mapping[Hashable, Any], question: str | Sequence[str] | None = None,
                 options: SimilarityOptions | None = None, **overrides: Any) -> SimilarityReport:
    """The pairs of scripts that share passages, the most shared first.

    ``find_similar(texts, question, exclude_quotes=False)`` is shorthand for passing
    ``SimilarityOptions(exclude_quotes=False)``."""
    o = replace(options or SimilarityOptions(), **overrides)
    index = index_scripts(scripts, question, o)
    limit = o.max_pairs
    pairs = index.pairs(None if limit is None else limit + 1)
    truncated = limit is not None and len(pairs) > limit
    return SimilarityReport(tuple(pairs[:limit] if truncated else pairs), len(index.order),
                            index.common_threshold, o, truncated)


def passage_at(passages: Sequence[Passage], offset: int, side: str = "a") -> Passage | None:
    """The passage covering ``offset`` in script a (or b), for a view that follows the cursor."""
    ordered = sorted(passages, key=lambda p: getattr(p, f"{side}_start"))
    k = bisect.bisect_right([getattr(p, f"{side}_start") for p in ordered], offset) - 1
    while k >= 0:
        p = ordered[k]
        if getattr(p, f"{side}_start") <= offset < getattr(p, f"{side}_end"):
            return p
        k -= 1
    return None
