"""Moderation samples: how many scripts, and which.

Rules (:data:`SAMPLE_RULES`):

* ``"default"`` — the app's own: at least 10 scripts, growing with the square root of the
  set, ``max(10, ceil(2·√n))``, and never more than the set (all of a set of 10 or fewer;
  11 of 30, 15 of 60, 20 of 100, 35 of 300). Enough to see a pattern in a class set without
  re-marking most of it.
* ``"ocr-pearson"`` — the rule OCR and Pearson publish for coursework: every candidate up
  to 15; 15 for 16–100; 20 for 101–200; 25 above 200.

:func:`choose_sample` picks the scripts: spread evenly through the rank order of the
totals, always the highest and the lowest marked, the same every time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ._values import ModerationError, is_missing, key_rank

SAMPLE_RULES: dict[str, str] = {
    "default": "max(10, ceil(2 × √n)) scripts, all of them for 10 or fewer",
    "ocr-pearson": "all up to 15; 15 for 16–100; 20 for 101–200; 25 above 200 (OCR, Pearson)",
}


def sample_size(n: int, rule: str = "default") -> int:
    """How many of ``n`` marked scripts a sample under ``rule`` holds."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ModerationError(f"the number of scripts must be a whole number, not {n!r}")
    if rule == "default":
        return min(n, max(10, math.ceil(2 * math.sqrt(n))))
    if rule == "ocr-pearson":
        if n <= 15:
            return n
        if n <= 100:
            return 15
        if n <= 200:
            return 20
        return 25
    raise ModerationError(f"unknown sample rule {rule!r}: choose one of "
                          + ", ".join(SAMPLE_RULES))


def rank_order(totals: Mapping[Any, float | None]) -> list[Any]:
    """The marked scripts, highest total first; equal totals in key order."""
    rank = key_rank(totals)
    marked = [k for k, v in totals.items() if not is_missing(v)]
    return sorted(marked, key=lambda k: (-totals[k], rank[k]))


def choose_sample(totals: Mapping[Any, float | None], size: int) -> list[Any]:
    """``size`` scripts spread evenly through the rank order, highest first.

    Unmarked scripts (``None``) are not sampled. Position i of ``size`` is the script at
    rank round(i·(n − 1)/(size − 1)) (half up), so rank 0 (the highest) and rank n − 1 (the
    lowest) are always in and the gaps between chosen ranks differ by at most one. A size
    of n or more gives every marked script. Deterministic: equal totals are ordered by key.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ModerationError(f"the sample size must be a whole number, not {size!r}")
    order = rank_order(totals)
    n = len(order)
    if size >= n:
        return order
    if size == 0:
        return []
    if size == 1:
        raise ModerationError("a sample needs at least 2 scripts to hold both the highest "
                              "and the lowest marked")
    # Exact integer arithmetic: floor(i·(n−1)/(size−1) + 1/2). The step is ≥ 1 (size < n),
    # so the positions are distinct and increasing.
    span, steps = n - 1, size - 1
    return [order[(2 * i * span + steps) // (2 * steps)] for i in range(size)]
