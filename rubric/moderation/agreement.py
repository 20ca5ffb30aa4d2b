"""Agreement between two markers over the scripts both marked.

:func:`agreement` gives every figure a head of department compares two markers by; the
building blocks (:func:`quadratic_kappa`, :func:`spearman`, :func:`level_table`) are public
so the markers overview, the report and the tests can use them alone.

Signs: every difference is **b − a** (the second marker minus the first). A positive mean
difference means b gives more marks than a — b is more lenient than a, a harsher than b. Put
the moderator (or the definitive marks) as ``a`` and the teacher as ``b`` and a positive
mean difference says the teacher is lenient.

Shares (exact level, within one level, within tolerance) are fractions of the scripts
compared, 0..1. Every figure is ``None`` when it is undefined (nothing compared; a rank
correlation or a kappa where a marker gave every script the same mark).

Kappa is computed over the **full range of the scale**, 0..maximum for marks and every level
of the scheme for levels — not only the values that happen to occur. Quadratic weights
depend on the distance between two values, and a mark nobody gave still sits between the
marks that were given; leaving it out shrinks the distances and changes the figure (e.g.
0.955 with the full scale, 0.918 without, on the same marks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._values import (
    Marks,
    ModerationError,
    check_maximum,
    json_key,
    json_number,
    key_rank,
    present,
    resolve_tolerance,
    sort_keys,
)

#: How the levels are given: a function from a mark to its level index (0 = lowest), or
#: the scheme's levels in order — ``(min, max)`` pairs, objects with ``min_mark`` and
#: ``max_mark`` (:class:`rubric.scheme.Level`), or a criterion with ``.levels``.
LevelsArg = Callable[[int], "int | None"] | Sequence[Any] | Any


@dataclass(frozen=True)
class LargeDifference:
    script: Any
    a: int
    b: int
    difference: int  # b − a

    def to_json(self) -> dict[str, Any]:
        return {"script": json_key(self.script), "a": self.a, "b": self.b,
                "difference": self.difference}


@dataclass(frozen=True)
class Agreement:
    """Two markers compared over the scripts both marked (see the module for signs)."""

    compared: int
    exact_level: float | None
    within_one_level: float | None
    mean_difference: float | None
    mean_absolute_difference: float | None
    largest: tuple[LargeDifference, ...]
    spearman: float | None
    kappa_levels: float | None
    kappa_marks: float | None
    within_tolerance: float | None
    tolerance: float

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``json.dumps`` takes it as it is)."""
        return {
            "compared": self.compared,
            "exact_level": json_number(self.exact_level),
            "within_one_level": json_number(self.within_one_level),
            "mean_difference": json_number(self.mean_difference),
            "mean_absolute_difference": json_number(self.mean_absolute_difference),
            "largest": [d.to_json() for d in self.largest],
            "spearman": json_number(self.spearman),
            "kappa_levels": json_number(self.kappa_levels),
            "kappa_marks": json_number(self.kappa_marks),
            "within_tolerance": json_number(self.within_tolerance),
            "tolerance": json_number(self.tolerance),
        }


def level_table(maximum: int, levels: LevelsArg) -> tuple[list[int | None], list[int]]:
    """``(index of each mark 0..maximum or None, every level index in order)``.

    A sequence of levels numbers them by position (the first, usually Level 0 or Level 1,
    is 0); every one of them counts for kappa even if no mark reaches it. A function's
    levels are every index from its lowest to its highest over 0..maximum.
    """
    check_maximum(maximum)
    if hasattr(levels, "levels") and not callable(levels):
        levels = levels.levels
    if callable(levels):
        table = [levels(mark) for mark in range(maximum + 1)]
        for mark, index in enumerate(table):
            if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
                raise ModerationError(f"the level of mark {mark} must be a whole number "
                                      f"(a level index), not {index!r}")
        found = [index for index in table if index is not None]
        if not found:
            raise ModerationError("no mark of the scale is in any level")
        return table, list(range(min(found), max(found) + 1))
    ranges = []
    for item in levels:
        if hasattr(item, "min_mark") and hasattr(item, "max_mark"):
            ranges.append((item.min_mark, item.max_mark))
        else:
            low, high = item
            ranges.append((low, high))
    if not ranges:
        raise ModerationError("the scheme gives no levels")
    table: list[int | None] = []
    for mark in range(maximum + 1):
        table.append(next((n for n, (low, high) in enumerate(ranges) if low <= mark <= high),
                          None))
    return table, list(range(len(ranges)))


def quadratic_kappa(x: Sequence[int], y: Sequence[int], labels: Sequence[int]) -> float | None:
    """Cohen's kappa with quadratic weights over ``labels`` (every category, in order).

    The weight of a disagreement is the squared distance between the *positions* of the
    two values in ``labels``, as in scikit-learn's ``cohen_kappa_score``; pass the whole
    scale. ``None`` when the expected disagreement is 0 (both markers gave one value).
    """
    if len(x) != len(y):
        raise ModerationError("kappa needs the same number of marks from each marker")
    if not x:
        return None
    position = {label: n for n, label in enumerate(labels)}
    try:
        ix = np.fromiter((position[v] for v in x), dtype=np.intp, count=len(x))
        iy = np.fromiter((position[v] for v in y), dtype=np.intp, count=len(y))
    except KeyError as error:
        raise ModerationError(f"the value {error.args[0]!r} is not on the scale") from None
    k = len(labels)
    observed = np.zeros((k, k))
    np.add.at(observed, (ix, iy), 1.0)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / len(x)
    grid = np.arange(k)
    weights = (grid[:, None] - grid[None, :]) ** 2
    disagreement_expected = float((weights * expected).sum())
    if disagreement_expected == 0:
        return None
    return 1.0 - float((weights * observed).sum()) / disagreement_expected


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1..n, tied values sharing the mean of their ranks."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for i in order[start:end + 1]:
            ranks[i] = shared
        start = end + 1
    return ranks


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    n = len(x)
    if n < 2 or n != len(y):
        return None
    mx, my = math.fsum(x) / n, math.fsum(y) / n
    sxy = math.fsum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = math.fsum((a - mx) ** 2 for a in x)
    syy = math.fsum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rank correlation (Pearson's r of the average ranks, so ties are handled
    as ``scipy.stats.spearmanr`` does); ``None`` for fewer than two pairs or no spread."""
    return pearson(average_ranks(x), average_ranks(y))


def agreement(a: Marks, b: Marks, maximum: int, levels: LevelsArg | None = None,
              tolerance: float | None = None, *, top: int = 10) -> Agreement:
    """Marker ``a`` against marker ``b`` over the scripts both marked.

    ``a`` and ``b`` are ``{script key: mark or None}`` (or lists, keyed by position);
    ``maximum`` is the criterion's (or the total's) maximum; ``levels`` (optional) gives
    each mark's level — without it the level figures and level kappa are ``None``.
    ``tolerance`` defaults to 3 marks on 25 scaled by the maximum. ``largest`` lists up to
    ``top`` non-zero differences, largest first (ties in key order).
    """
    check_maximum(maximum)
    tolerance = resolve_tolerance(maximum, tolerance)
    marks_a = present(a, maximum, "marker a")
    marks_b = present(b, maximum, "marker b")
    keys = sort_keys(set(marks_a) & set(marks_b))
    n = len(keys)
    xs = [marks_a[k] for k in keys]
    ys = [marks_b[k] for k in keys]
    differences = [y - x for x, y in zip(xs, ys, strict=True)]

    exact = within_one = kappa_levels = None
    if levels is not None:
        table, all_levels = level_table(maximum, levels)
        for key, mark in [*zip(keys, xs, strict=True), *zip(keys, ys, strict=True)]:
            if table[mark] is None:
                raise ModerationError(f"mark {mark} (script {key!r}) is in no level of "
                                      "the scheme")
        lx = [table[m] for m in xs]
        ly = [table[m] for m in ys]
        if n:
            exact = sum(p == q for p, q in zip(lx, ly, strict=True)) / n
            within_one = sum(abs(p - q) <= 1 for p, q in zip(lx, ly, strict=True)) / n
        kappa_levels = quadratic_kappa(lx, ly, all_levels)

    rank = key_rank(keys)
    largest = sorted((LargeDifference(k, x, y, d)
                      for k, x, y, d in zip(keys, xs, ys, differences, strict=True) if d),
                     key=lambda item: (-abs(item.difference), rank[item.script]))
    return Agreement(
        compared=n,
        exact_level=exact,
        within_one_level=within_one,
        mean_difference=math.fsum(differences) / n if n else None,
        mean_absolute_difference=math.fsum(abs(d) for d in differences) / n if n else None,
        largest=tuple(largest[:max(0, top)]),
        spearman=spearman(xs, ys),
        kappa_levels=kappa_levels,
        kappa_marks=quadratic_kappa(xs, ys, range(maximum + 1)),
        within_tolerance=sum(abs(d) <= tolerance for d in differences) / n if n else None,
        tolerance=tolerance,
    )
