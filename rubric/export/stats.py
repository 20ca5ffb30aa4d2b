"""Summary statistics of marks: pure functions over plain numbers (reused by moderation).

The standard deviation is the *sample* standard deviation (n − 1 in the denominator, as
Excel's ``STDEV.S``): a class set is a sample of what the scheme is meant to measure. It is
``None`` for fewer than two values, as are all statistics of no values at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    count: int
    mean: float | None
    median: float | None
    stdev: float | None
    highest: float | None
    lowest: float | None

    def as_rows(self) -> list[tuple[str, float | int | None]]:
        """``(label, value)`` pairs in the order a report shows them."""
        return [
            ("Count", self.count),
            ("Mean", self.mean),
            ("Median", self.median),
            ("Standard deviation", self.stdev),
            ("Highest", self.highest),
            ("Lowest", self.lowest),
        ]


def mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def stdev(values: Sequence[float]) -> float | None:
    """Sample standard deviation, ``None`` for fewer than two values."""
    if len(values) < 2:
        return None
    centre = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - centre) ** 2 for v in values) / (len(values) - 1))


def summarise(values: Iterable[float | None]) -> Summary:
    """Statistics of the values that are not ``None``."""
    present = [v for v in values if v is not None]
    return Summary(
        count=len(present),
        mean=mean(present),
        median=median(present),
        stdev=stdev(present),
        highest=max(present) if present else None,
        lowest=min(present) if present else None,
    )


def level_counts(levels: Iterable[str | None], labels: Sequence[str]) -> dict[str, int]:
    """How many of ``levels`` are each of ``labels`` (every label present, in order; levels not
    in ``labels`` and ``None`` are not counted)."""
    counts = dict.fromkeys(labels, 0)
    for level in levels:
        if level in counts:
            counts[level] += 1
    return counts
