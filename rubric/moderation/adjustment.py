"""Adjusting a teacher's marks to the moderator's, the way exam boards do for coursework.

When every sampled difference is within tolerance, the teacher's marks stand
(:func:`propose_adjustment` returns ``None``). Otherwise a least-squares line from the
teacher's marks to the moderator's is fitted over the sample and applied to **all** the
teacher's scripts (:func:`apply_line`): ``after = clamp(round_half_up(slope · before +
intercept), 0, maximum)``.

**The rank order is kept.** For a line with slope ≥ 0 each step is non-decreasing in the
mark: x ↦ slope·x + intercept (slope ≥ 0), rounding half up (x ↦ ⌊x + ½⌋), and clamping to
0..maximum. A composition of non-decreasing functions is non-decreasing, so before(X) ≤
before(Y) gives after(X) ≤ after(Y): two scripts are never put the other way round, and
equal marks (the same input to one function) stay equal. Two marks one apart may become
equal (rounding, clamping), never reversed. The arithmetic is exact (fractions), so no
floating-point rounding can break this or move a half the wrong way. A fitted slope below
zero would reverse the whole order; it is refused with :class:`AdjustmentRefused`, as is a
sample that cannot fix a line (fewer than two scripts, or the same teacher mark on all).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ._values import (
    AdjustmentRefused,
    Marks,
    check_maximum,
    json_key,
    present,
    resolve_tolerance,
    sort_keys,
)


@dataclass(frozen=True)
class Line:
    """moderator ≈ slope · teacher + intercept (exact fractions; floats for display)."""

    slope: Fraction
    intercept: Fraction

    def __post_init__(self) -> None:
        object.__setattr__(self, "slope", Fraction(self.slope))
        object.__setattr__(self, "intercept", Fraction(self.intercept))

    def to_json(self) -> dict[str, float]:
        return {"slope": float(self.slope), "intercept": float(self.intercept)}

    def __str__(self) -> str:
        sign = "+" if self.intercept >= 0 else "−"
        return f"{float(self.slope):.3f} × mark {sign} {abs(float(self.intercept)):.2f}"


@dataclass(frozen=True)
class AdjustedMark:
    script: Any
    before: int
    after: int
    moderator: int | None  # the moderator's mark where the script was in the sample

    def to_json(self) -> dict[str, Any]:
        return {"script": json_key(self.script), "before": self.before, "after": self.after,
                "moderator": self.moderator}


@dataclass(frozen=True)
class Adjustment:
    line: Line
    sampled: int
    out_of_tolerance: tuple[Any, ...]  # the sampled scripts whose difference is too big
    tolerance: float
    marks: tuple[AdjustedMark, ...]  # every script the teacher marked, in key order

    @property
    def changed(self) -> int:
        return sum(m.before != m.after for m in self.marks)

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line.to_json(), "sampled": self.sampled,
                "out_of_tolerance": [json_key(k) for k in self.out_of_tolerance],
                "tolerance": self.tolerance, "changed": self.changed,
                "marks": [m.to_json() for m in self.marks]}


def fit_line(teacher: Mapping[Any, int], moderator: Mapping[Any, int]) -> Line:
    """The least-squares line from the teacher's marks to the moderator's over the scripts
    both marked, exactly (integer sums). Refuses a sample that cannot fix a line."""
    keys = [k for k in teacher if k in moderator]
    n = len(keys)
    if n < 2:
        raise AdjustmentRefused("the sample needs at least two scripts marked by both the "
                                "teacher and the moderator to fit a line")
    xs = [teacher[k] for k in keys]
    ys = [moderator[k] for k in keys]
    sx, sy = sum(xs), sum(ys)
    sxx = n * sum(x * x for x in xs) - sx * sx
    sxy = n * sum(x * y for x, y in zip(xs, ys, strict=True)) - sx * sy
    if sxx == 0:
        raise AdjustmentRefused(f"the teacher gave every sampled script {xs[0]}: a line "
                                "cannot be fitted; sample scripts with different marks")
    slope = Fraction(sxy, sxx)
    intercept = Fraction(sy, n) - slope * Fraction(sx, n)
    return Line(slope, intercept)


def _round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def apply_line(marks: Marks, line: Line | tuple[float, float], maximum: int) -> dict[Any, int]:
    """Every mark through the line, rounded half up to a whole mark and clamped to
    0..maximum; unmarked scripts (``None``) are left out. The order is kept (module)."""
    check_maximum(maximum)
    if not isinstance(line, Line):
        line = Line(*line)
    if line.slope < 0:
        raise AdjustmentRefused(f"the line's slope is {float(line.slope):.3f}: a negative "
                                "slope would reverse the rank order")
    return {key: min(maximum, max(0, _round_half_up(line.slope * mark + line.intercept)))
            for key, mark in present(marks, maximum, "the teacher").items()}


def propose_adjustment(teacher: Marks, moderator: Marks, maximum: int,
                       tolerance: float | None = None) -> Adjustment | None:
    """``None`` when every sampled difference (moderator − teacher, over the scripts both
    marked) is within ``tolerance`` (default 3 on 25, scaled); otherwise the line fitted over
    the sample and the before/after of every script the teacher marked.

    Raises :class:`AdjustmentRefused` when no line can be proposed (too small a sample, one
    teacher mark throughout, or a negative slope: the moderator's marks fall as the
    teacher's rise, so the teacher's rank order does not hold and no line can mend it).
    """
    check_maximum(maximum)
    tolerance = resolve_tolerance(maximum, tolerance)
    ours = present(teacher, maximum, "the teacher")
    theirs = present(moderator, maximum, "the moderator")
    sample = sort_keys(set(ours) & set(theirs))
    outside = tuple(k for k in sample if abs(theirs[k] - ours[k]) > tolerance)
    if not outside:
        return None
    line = fit_line({k: ours[k] for k in sample}, theirs)
    if line.slope < 0:
        raise AdjustmentRefused(
            f"the moderator's marks fall as the teacher's rise (slope {float(line.slope):.2f}):"
            " the teacher's rank order does not hold in the sample, so adjusting by a line "
            "would reverse it; re-mark the set instead")
    after = apply_line(ours, line, maximum)
    rows = tuple(AdjustedMark(k, ours[k], after[k], theirs.get(k)) for k in sort_keys(ours))
    return Adjustment(line=line, sampled=len(sample), out_of_tolerance=outside,
                      tolerance=tolerance, marks=rows)
