"""The moderation statistics for a large set: 300 scripts marked by 3 markers (some marks
missing), every pair's agreement, Krippendorff's alpha across all three, the markers
overview and the rank reversals of one pair."""

from __future__ import annotations

import itertools
import random

from rubric.moderation import (
    agreement,
    krippendorff_alpha_interval,
    markers_overview,
    marks_matrix,
    rank_reversals,
)
from rubric.templates import default_scheme

from .conftest import median_seconds, report


def make_marks(scripts: int = 300, markers: int = 3, maximum: int = 25
               ) -> dict[str, dict[str, int | None]]:
    rng = random.Random(scripts * markers)
    true = {f"script-{n:04}": rng.randint(0, maximum) for n in range(scripts)}
    marks = {}
    for m in range(markers):
        bias = rng.uniform(-2, 2)
        marks[f"marker-{m}"] = {
            key: None if rng.random() < 0.1 else
            min(maximum, max(0, round(value + bias + rng.gauss(0, 2.5))))
            for key, value in true.items()}
    return marks


def all_statistics(marks, criterion) -> None:
    for a, b in itertools.combinations(marks, 2):
        agreement(marks[a], marks[b], criterion.maximum, levels=criterion)
    krippendorff_alpha_interval(marks_matrix(marks)[2])
    markers_overview(marks, None, maximum=criterion.maximum)


def test_statistics_for_300_scripts_and_3_markers():
    criterion = default_scheme().criteria[0]
    marks = make_marks()
    first, second = list(marks)[:2]
    stats = median_seconds(lambda: all_statistics(marks, criterion), repeat=9)
    one = median_seconds(lambda: agreement(marks[first], marks[second], 25, levels=criterion),
                         repeat=9)
    alpha_time = median_seconds(lambda: krippendorff_alpha_interval(marks_matrix(marks)[2]),
                                repeat=9)
    reversals = median_seconds(lambda: rank_reversals(marks[first], marks[second], 3),
                               repeat=9)
    alpha = krippendorff_alpha_interval(marks_matrix(marks)[2])
    found = len(rank_reversals(marks[first], marks[second], 3))
    report("moderation statistics, 300 scripts x 3 markers (10% of marks missing)",
           three_agreements_alpha_overview=f"{stats * 1000:.1f} ms (aim < 100 ms)",
           agreement_one_pair=f"{one * 1000:.2f} ms",
           alpha_three_markers=f"{alpha_time * 1000:.2f} ms",
           rank_reversals_one_pair=f"{reversals * 1000:.1f} ms ({found} pairs flagged)",
           alpha=f"{alpha:.3f}")
    assert stats < 1.0
