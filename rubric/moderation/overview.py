"""Each marker against a reference, and the rank order between two markers.

* :func:`markers_overview` — for every marker: how lenient or harsh on average against the
  moderator (or, with no moderator, the mean of the other markers), how spread the
  differences are, how many fall outside the tolerance.
* :func:`rank_reversals` — the pairs of scripts two markers put in opposite orders, by more
  than the tolerance.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
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


@dataclass(frozen=True)
class MarkerOverview:
    """One marker against the reference. ``mean_difference`` is marker − reference: above 0
    the marker is lenient, below 0 harsh. ``sd_difference`` is the sample standard deviation
    of the differences (spread: a marker can be right on average and still erratic)."""

    marker: Any
    n: int
    mean_difference: float | None
    mean_absolute_difference: float | None
    sd_difference: float | None
    out_of_tolerance: int
    verdict: str  # "lenient", "harsh", "in line", or "not compared"

    def to_json(self) -> dict[str, Any]:
        return {"marker": json_key(self.marker), "n": self.n,
                "mean_difference": json_number(self.mean_difference),
                "mean_absolute_difference": json_number(self.mean_absolute_difference),
                "sd_difference": json_number(self.sd_difference),
                "out_of_tolerance": self.out_of_tolerance, "verdict": self.verdict}


def _verdict(mean: float | None, tolerance: float) -> str:
    """Lenient or harsh when the average difference is more than half the tolerance
    (1.5 marks on 25 with the default tolerance of 3); otherwise in line."""
    if mean is None:
        return "not compared"
    if mean > tolerance / 2:
        return "lenient"
    if mean < -tolerance / 2:
        return "harsh"
    return "in line"


def markers_overview(marks_by_marker: Mapping[Any, Marks], reference: Any = None, *,
                     maximum: int | None = None, tolerance: float | None = None
                     ) -> list[MarkerOverview]:
    """Every marker (in the mapping's order) against ``reference``.

    ``reference`` names the moderator among the markers; their own row is left out. With
    ``reference=None`` each marker is compared, script by script, with the mean of the
    other markers' marks for that script (scripts no one else marked are left out).
    ``tolerance`` defaults to 3 marks on 25 scaled by ``maximum``; give one of the two.
    """
    if maximum is None and tolerance is None:
        raise ModerationError("give the maximum mark or the tolerance")
    if maximum is not None:
        check_maximum(maximum)
    tolerance = resolve_tolerance(maximum or 1, tolerance)
    marks = {marker: present(m, maximum, f"marker {marker!r}")
             for marker, m in marks_by_marker.items()}
    if reference is not None and reference not in marks:
        raise ModerationError(f"the reference marker {reference!r} has no marks here")
    rows = []
    for marker, own in marks.items():
        if marker == reference:
            continue
        differences = []
        for key in sort_keys(own):
            if reference is not None:
                if key not in marks[reference]:
                    continue
                against = float(marks[reference][key])
            else:
                others = [m[key] for other, m in marks.items() if other != marker and key in m]
                if not others:
                    continue
                against = math.fsum(others) / len(others)
            differences.append(own[key] - against)
        n = len(differences)
        mean = math.fsum(differences) / n if n else None
        rows.append(MarkerOverview(
            marker=marker, n=n, mean_difference=mean,
            mean_absolute_difference=math.fsum(abs(d) for d in differences) / n if n else None,
            sd_difference=statistics.stdev(differences) if n >= 2 else None,
            out_of_tolerance=sum(abs(d) > tolerance for d in differences),
            verdict=_verdict(mean, tolerance)))
    return rows


@dataclass(frozen=True)
class RankReversal:
    """Marker a puts ``higher`` above ``lower`` by ``margin_a`` (> 0); marker b puts them the
    other way round (``margin_b`` < 0); ``gap`` = margin_a − margin_b > tolerance."""

    higher: Any
    lower: Any
    a_higher: int
    a_lower: int
    b_higher: int
    b_lower: int
    margin_a: int
    margin_b: int
    gap: int

    def to_json(self) -> dict[str, Any]:
        return {"higher": json_key(self.higher), "lower": json_key(self.lower),
                "a": [self.a_higher, self.a_lower], "b": [self.b_higher, self.b_lower],
                "margin_a": self.margin_a, "margin_b": self.margin_b, "gap": self.gap}


def rank_reversals(a: Marks, b: Marks, tolerance: float, *, maximum: int | None = None,
                   limit: int | None = None) -> list[RankReversal]:
    """Pairs of scripts (both marked by both) whose order reverses between ``a`` and ``b``
    by more than ``tolerance``.

    For scripts X and Y let margin_a = a(X) − a(Y) and margin_b = b(X) − b(Y). The pair is
    listed when the two markers order them strictly opposite ways (margin_a > 0 > margin_b,
    naming X the script a puts higher) **and** the difference of the margins,
    gap = margin_a − margin_b, is more than the tolerance. A tie in one marker's marks is
    not a reversal. Largest gap first; ties in key order. ``limit`` keeps the first few.
    """
    if maximum is not None:
        check_maximum(maximum)
    tolerance = resolve_tolerance(maximum or 1, tolerance)
    marks_a = present(a, maximum, "marker a")
    marks_b = present(b, maximum, "marker b")
    keys = sort_keys(set(marks_a) & set(marks_b))
    if len(keys) < 2:
        return []
    xa = np.array([marks_a[k] for k in keys], dtype=np.int64)
    xb = np.array([marks_b[k] for k in keys], dtype=np.int64)
    margin_a = xa[:, None] - xa[None, :]
    margin_b = xb[:, None] - xb[None, :]
    gap = margin_a - margin_b
    hi, lo = np.nonzero((margin_a > 0) & (margin_b < 0) & (gap > tolerance))
    rank = key_rank(keys)
    found = [RankReversal(keys[i], keys[j], int(xa[i]), int(xa[j]), int(xb[i]), int(xb[j]),
                          int(margin_a[i, j]), int(margin_b[i, j]), int(gap[i, j]))
             for i, j in zip(hi.tolist(), lo.tolist(), strict=True)]
    found.sort(key=lambda r: (-r.gap, rank[r.higher], rank[r.lower]))
    return found if limit is None else found[:limit]
