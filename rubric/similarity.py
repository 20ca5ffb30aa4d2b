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
   end, break the text: no shingle spans them.
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
4. All pairs at once, with SciPy sparse products: a scripts × 5-word-shingle matrix times its
   transpose gives the shared shingles of every pair (:meth:`SimilarityIndex.shared_counts`);
   a positions × 8-word-run matrix times the scripts × 8-word-run matrix finds, for every
   place in every script, the other scripts that contain the same uncommon run, and so the
   shared words of every pair (:meth:`SimilarityIndex.shared_words`).
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
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
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
        if isinstance(p, str):
            result.append((p, "body"))
        elif hasattr(p, "text"):
            result.append((p.text, getattr(p, "kind", "body") or "body"))
        else:
            text, kind = p
            result.append((text, kind or "body"))
    return result


def _segments(paragraphs: list[tuple[str, str]], exclude_quotes: bool,
              exclude_kinds: frozenset[str]) -> Iterable[tuple[int, str]]:
    """(offset in the script's text, text) of each stretch that is compared."""
    offset = 0
    for text, kind in paragraphs:
        if kind not in exclude_kinds and not (exclude_quotes and kind == "quote"):
            start = 0
            if exclude_quotes:
                for m in _QUOTE.finditer(text):
                    if m.start() > start:
                        yield offset + start, text[start:m.start()]
                    start = m.end()
            if start < len(text):
                yield offset + start, text[start:]
        offset += len(text) + 1


def _normalised(text: str) -> tuple[str, bool]:
    """The text with apostrophes unified and, when that keeps every character in its place
    (almost always), case-folded; and whether it was."""
    text = text.translate(_APOSTROPHES)
    folded = text.casefold()
    return (folded, True) if len(folded) == len(text) else (text, False)


def _word_hashes(text: str) -> list[int]:
    norm, folded = _normalised(text)
    words = _WORD.findall(norm)
    return list(map(hash, words if folded else map(str.casefold, words)))


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
    segments: list[tuple[int, str]]
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
    #: words in each segment
    sizes: list[int] = field(default_factory=list)
    _spans: dict[int, np.ndarray] = field(default_factory=dict)
    _sorted: dict[str, np.ndarray] = field(default_factory=dict)

    def sorted_shingles(self) -> np.ndarray:
        if "shingles" not in self._sorted:
            self._sorted["shingles"] = np.unique(self.shingles[self.valid])
        return self._sorted["shingles"]

    def sorted_repeated_runs(self) -> np.ndarray:
        """The runs of this script that other scripts may hold, sorted."""
        if "runs" not in self._sorted:
            self._sorted["runs"] = np.unique(self.runs[self.repeated])
        return self._sorted["runs"]

    def span(self, word: int) -> tuple[int, int]:
        """Start and end offset of counted word number ``word`` in the script's text."""
        if "first" not in self._sorted:
            self._sorted["first"] = np.cumsum([0] + self.sizes)
        k = int(np.searchsorted(self._sorted["first"], word, side="right")) - 1
        if k not in self._spans:
            base, text = self.segments[k]
            norm, _ = _normalised(text)
            # the words and the stretches between them, alternately: their lengths give
            # every word's offsets without a match object per word
            lengths = np.empty(2 * self.sizes[k] + 1, dtype=np.int64)
            lengths[0::2] = np.fromiter(map(len, _WORD.split(norm)), np.int64)
            lengths[1::2] = np.fromiter(map(len, _WORD.findall(norm)), np.int64)
            self._spans[k] = base + np.cumsum(lengths)[:-1].reshape(-1, 2)
        start, end = self._spans[k][word - int(self._sorted["first"][k])]
        return int(start), int(end)

    @cached_property
    def text(self) -> str:
        return "\n".join(t for t, _ in self.paragraphs)


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


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """values ∈ sorted_set, elementwise."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
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


def _binary_matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
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
    #: scripts × uncommon runs held by two scripts or more (0/1), and for each place in a
    #: script that starts such a run: (script row, word position, column)
    run_matrix: sparse.csr_matrix
    places: tuple[np.ndarray, np.ndarray, np.ndarray]
    #: where each script's words start in the set's words, and the running count of the
    #: set's words that are not inside a common run
    first_word: np.ndarray
    free_words: np.ndarray
    _shingle_matrix: sparse.csr_matrix | None = field(default=None, repr=False)

    # ---- all pairs at once

    def shingle_matrix(self) -> sparse.csr_matrix:
        """0/1 scripts × counted 5-word shingles held by two scripts or more."""
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
        m = self.shingle_matrix()
        product = (m @ m.T).tocoo()
        keep = product.row < product.col
        return sparse.coo_matrix((product.data[keep], (product.row[keep], product.col[keep])),
                                 shape=product.shape)

    def shared_words(self) -> dict[tuple[int, int], int]:
        """Every pair of rows (i < j) that shares an uncommon run, with its shared words as
        :meth:`pair` counts them: the shorter script's words inside uncommon runs the other
        also holds, less those inside common runs. All pairs at once."""
        rows, positions, cols = self.places
        if not len(rows):
            return {}
        n = len(self.order)
        width = max(SHINGLE, self.options.min_passage_words)
        # places × runs, times runs × scripts: for each place, the scripts holding its run
        one_hot = sparse.csr_matrix((np.ones(len(cols), dtype=np.int32),
                                     (np.arange(len(cols)), cols)),
                                    shape=(len(cols), self.run_matrix.shape[1]))
        holders = (one_hot @ self.run_matrix.T).tocoo()
        place, other = holders.row, holders.col
        mine = rows[place]
        words = np.array([s.words for s in self.scripts.values()])
        # count each pair in its shorter script (ties: the earlier), as pair() does
        shorter = (words[mine] < words[other]) | ((words[mine] == words[other]) & (mine < other))
        place, other, mine = place[shorter], other[shorter], mine[shorter]
        keys = mine.astype(np.int64) * n + other
        order = np.lexsort((positions[place], keys))
        keys, at = keys[order], self.first_word[mine[order]] + positions[place][order]
        if not len(keys):
            return {}
        # the union of the windows at these places, as segments, and the free words in each
        new = np.concatenate([[True], (keys[1:] != keys[:-1]) | (np.diff(at) >= width)])
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], len(at)) - 1
        free = self.free_words[at[ends] + width] - self.free_words[at[starts]]
        seg_keys = keys[starts]
        first = np.concatenate([[True], seg_keys[1:] != seg_keys[:-1]])
        totals = np.add.reduceat(free, np.flatnonzero(first))
        result: dict[tuple[int, int], int] = {}
        for key, value in zip(seg_keys[first].tolist(), totals.tolist(), strict=True):
            i, j = divmod(key, n)
            result[(min(i, j), max(i, j))] = int(value)
        return result

    def candidates(self) -> list[tuple[int, int, int]]:
        """(row, row, shared words) of the pairs sharing enough to be listed, the most first."""
        least = self.options.min_shared_words
        found = [(i, j, words) for (i, j), words in self.shared_words().items()
                 if words >= least]
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
        for group in _merge(_runs(x, y, near), o.merge_gap):
            if max(length for _, _, length in group) + SHINGLE - 1 < o.min_passage_words:
                continue
            covered = np.zeros(x.words, dtype=bool)
            for i, _, length in group:
                covered[i:i + length + SHINGLE - 1] = True
            words = int(covered.sum())
            common = int((covered & rare_cover).sum()) * 2 < words
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
    return _dilate_at(np.flatnonzero(starts), width, size)


def _dilate_at(where: np.ndarray, width: int, size: int) -> np.ndarray:
    """Words covered by windows of ``width`` words starting at the places ``where``."""
    change = np.bincount(where, minlength=size + 1)[:size + 1].astype(np.int64)
    change -= np.bincount(np.minimum(where + width, size), minlength=size + 1)[:size + 1]
    return np.cumsum(change)[:size] > 0


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
    in_y = y.valid & _member(yh, np.unique(xh[looked]))
    where: dict[int, list[int]] = {}
    for p in np.flatnonzero(in_y).tolist():
        where.setdefault(int(yh[p]), []).append(p)
    xl, yl = xh.tolist(), yh.tolist()
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
    texts = [question] if isinstance(question, str) else list(question or ())
    found = [_shingles(np.array(_word_hashes(t), dtype=np.int64)) for t in texts]
    return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.uint64)


def _script(sid: Hashable, value: Any, o: SimilarityOptions,
            question_shingles: np.ndarray | None) -> _Script:
    paragraphs = _paragraphs(value)
    segments = list(_segments(paragraphs, o.exclude_quotes, frozenset(o.exclude_kinds)))
    hashes: list[int] = []
    sizes: list[int] = []
    for _, text in segments:
        words = _word_hashes(text)
        hashes.extend(words)
        sizes.append(len(words))
    shingles = _shingles(np.array(hashes, dtype=np.int64))
    if len(shingles):
        segment = np.repeat(np.arange(len(sizes)), sizes)
        valid = segment[:-4] == segment[4:]  # a shingle never spans a left-out stretch
        if question_shingles is not None and len(question_shingles):
            valid &= ~np.isin(shingles, question_shingles)
    else:
        valid = np.zeros(0, dtype=bool)
    runs, runs_valid = _long_shingles(shingles, valid, max(SHINGLE, o.min_passage_words))
    return _Script(sid, paragraphs, segments, len(hashes), shingles, valid, runs, runs_valid,
                   sizes=sizes)


def index_scripts(scripts: Mapping[Hashable, Any], question: str | Sequence[str] | None = None,
                  options: SimilarityOptions | None = None) -> SimilarityIndex:
    """Split, normalise and hash every script; count in how many scripts each run occurs."""
    o = options or SimilarityOptions()
    question_shingles = _question_shingles(question) if o.exclude_question else None
    built = {sid: _script(sid, value, o, question_shingles) for sid, value in scripts.items()}
    order = list(built)
    n = len(order)
    threshold = o.common_threshold(n)
    per = [s.runs[s.runs_valid] for s in built.values()]
    positions = [np.flatnonzero(s.runs_valid) for s in built.values()]
    if per and sum(map(len, per)):
        rows = np.repeat(np.arange(n, dtype=np.int32), [len(p) for p in per])
        all_positions = np.concatenate(positions)
        unique, inverse = np.unique(np.concatenate(per), return_inverse=True)
        inverse = inverse.ravel()
        df = np.bincount(_binary_matrix(rows, inverse, (n, len(unique))).indices,
                         minlength=len(unique))
        repeated = df >= 2
        uncommon = repeated & (df < threshold)
        column = np.cumsum(uncommon) - 1
        keep = uncommon[inverse]
        places = (rows[keep], all_positions[keep], column[inverse[keep]])
        run_matrix = _binary_matrix(places[0], places[2], (n, int(uncommon.sum())))
        # the words inside runs the class has in common: never counted as shared
        first_word = np.concatenate([[0], np.cumsum([s.words for s in built.values()])])
        common = df[inverse] >= threshold
        in_common = _dilate_at(first_word[rows[common]] + all_positions[common],
                               max(SHINGLE, o.min_passage_words), int(first_word[-1]))
        entry_df = df[inverse]
        first_entry = np.concatenate([[0], np.cumsum([len(p) for p in per])])
        for k, script in enumerate(built.values()):
            script.in_common = in_common[first_word[k]:first_word[k + 1]]
            mine = slice(first_entry[k], first_entry[k + 1])
            again = entry_df[mine] >= 2
            script.repeated = all_positions[mine][again]
            script.repeated_df = entry_df[mine][again]
    else:
        empty = np.empty(0, dtype=np.int64)
        places = (empty, empty, empty)
        run_matrix = sparse.csr_matrix((n, 0), dtype=np.int32)
        first_word = np.zeros(n + 1, dtype=np.int64)
        in_common = np.zeros(0, dtype=bool)
        for script in built.values():
            script.in_common = np.zeros(script.words, dtype=bool)
    free = np.concatenate([[0], np.cumsum(~in_common)])
    return SimilarityIndex(built, o, order, threshold, run_matrix, places,
                           first_word, free)


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
