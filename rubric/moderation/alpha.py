"""Krippendorff's alpha for interval data, across any number of markers, missing marks
allowed. Implemented here from the published definition (the ``krippendorff`` and
``pingouin`` packages are GPL).

Alpha = 1 − D_o / D_e, where D_o is the disagreement observed *within* scripts and D_e the
disagreement expected by chance between any two marks of the whole set. Only *pairable*
marks count: a script marked by one marker alone says nothing about agreement and is left
out. With the coincidence matrix o_ck (each ordered pair of marks c, k given to the same
script u by two different markers adds 1 / (m_u − 1), m_u being the number of marks that
script has), n_c = Σ_k o_ck and n = Σ_c n_c:

    D_o = (1/n) Σ_c Σ_k o_ck (c − k)²        D_e = 1/(n(n − 1)) Σ_c Σ_k n_c n_k (c − k)²

For interval data the sums reduce to sums of squares, computed here per script without
building the matrix: Σ_{i≠j} (v_i − v_j)² = 2 (m Σ v² − (Σ v)²).

1 is perfect agreement, 0 is what chance gives, below 0 is systematic disagreement;
Krippendorff suggests relying on data with alpha ≥ 0.8 and drawing only tentative
conclusions from 0.667 to 0.8.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._values import ModerationError, is_missing, sort_keys


def krippendorff_alpha_interval(matrix: Sequence[Sequence[float | None]]) -> float | None:
    """Alpha (interval) of ``matrix``: one row per script, one column per marker, ``None``
    (or NaN) where a marker did not mark the script. ``None`` when it is undefined: fewer
    than two pairable marks, or every pairable mark the same."""
    rows = []
    for number, row in enumerate(matrix):
        values = []
        for value in row:
            if is_missing(value):
                continue
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise ModerationError(f"row {number + 1} holds {value!r}: marks must be "
                                      "numbers or None")
            values.append(float(value))
        if len(values) >= 2:  # only pairable marks count
            rows.append(values)
    if not rows:
        return None
    pooled = np.concatenate([np.asarray(r) for r in rows])
    n = pooled.size
    # Centre on the mean first: the same sums of squares, without cancellation.
    centre = float(pooled.mean())
    observed = 0.0
    for values in rows:  # a few marks each: plain floats beat small NumPy arrays here
        v = [x - centre for x in values]
        m = len(v)
        observed += 2.0 * (m * math.fsum(x * x for x in v) - math.fsum(v) ** 2) / (m - 1)
    p = pooled - centre
    expected = 2.0 * (n * float(np.dot(p, p)) - float(p.sum()) ** 2)
    if expected <= 0:
        return None
    # alpha = 1 − D_o/D_e = 1 − (n − 1) · observed / expected
    return 1.0 - (n - 1) * observed / expected


def marks_matrix(marks_by_marker: Mapping[Any, Mapping[Any, int | None]]
                 ) -> tuple[list[Any], list[Any], list[list[int | None]]]:
    """``(script keys, markers, matrix)`` from ``{marker: {script key: mark or None}}``, the
    rows in key order and the columns in the markers' order, for
    :func:`krippendorff_alpha_interval`."""
    markers = list(marks_by_marker)
    keys = sort_keys({key for marks in marks_by_marker.values() for key in marks})
    matrix = [[marks_by_marker[m].get(key) for m in markers] for key in keys]
    return keys, markers, matrix
