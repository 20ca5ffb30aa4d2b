"""The statistics of moderation: pure functions over plain marks (no SQLite, no Qt), so
the store, the CLI, the exports and the GUI all call the same code.

Marks are given per marker as ``{script key: mark or None}`` (or a list keyed by position);
``None`` is a script that marker did not mark.

* :func:`agreement` — two markers over the scripts both marked (:mod:`.agreement`).
* :func:`krippendorff_alpha_interval` — any number of markers, missing marks allowed.
* :func:`markers_overview`, :func:`rank_reversals` — each marker against a reference; pairs
  of scripts two markers order opposite ways.
* :func:`sample_size`, :func:`choose_sample` — moderation samples.
* :func:`propose_adjustment`, :func:`apply_line` — a least-squares line from a teacher's
  marks to the moderator's, keeping the rank order.
"""

from __future__ import annotations

from ._values import AdjustmentRefused, ModerationError, default_tolerance
from .adjustment import AdjustedMark, Adjustment, Line, apply_line, fit_line, propose_adjustment
from .agreement import (
    Agreement,
    LargeDifference,
    agreement,
    level_table,
    quadratic_kappa,
    spearman,
)
from .alpha import krippendorff_alpha_interval, marks_matrix
from .overview import MarkerOverview, RankReversal, markers_overview, rank_reversals
from .sampling import SAMPLE_RULES, choose_sample, rank_order, sample_size

__all__ = [
    "SAMPLE_RULES", "AdjustedMark", "Adjustment", "AdjustmentRefused", "Agreement",
    "LargeDifference", "Line", "MarkerOverview", "ModerationError", "RankReversal",
    "agreement", "apply_line", "choose_sample", "default_tolerance", "fit_line",
    "krippendorff_alpha_interval", "level_table", "markers_overview", "marks_matrix",
    "propose_adjustment", "quadratic_kappa", "rank_order", "rank_reversals", "sample_size",
    "spearman",
]
