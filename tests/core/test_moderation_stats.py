"""The moderation statistics, each checked against an independent calculation: scikit-learn
for the weighted kappa, SciPy for Spearman's rho and the least-squares line, a slow direct
implementation of Krippendorff's definition (and his own worked example) for alpha, brute
force for rank reversals, and hand-worked small cases for the rest."""

from __future__ import annotations

import itertools
import json
import math
import random
import statistics
from fractions import Fraction

import numpy as np
import pytest
import scipy.stats
from sklearn.metrics import cohen_kappa_score

from rubric.moderation import (
    AdjustmentRefused,
    Line,
    ModerationError,
    agreement,
    apply_line,
    choose_sample,
    default_tolerance,
    fit_line,
    krippendorff_alpha_interval,
    level_table,
    markers_overview,
    marks_matrix,
    propose_adjustment,
    quadratic_kappa,
    rank_reversals,
    sample_size,
    spearman,
)
from rubric.templates import default_scheme

AQA = default_scheme().criteria[0]  # AO1 of 25: Level 0 (0), L1 1–5 … L5 21–25


def sklearn_kappa(x, y, maximum):
    return cohen_kappa_score(x, y, weights="quadratic", labels=list(range(maximum + 1)))


def noisy_pairs(rng: random.Random, n: int, maximum: int, noise: int):
    a = [rng.randint(0, maximum) for _ in range(n)]
    b = [min(maximum, max(0, x + rng.randint(-noise, noise))) for x in a]
    return a, b


# --- weighted kappa --------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_mark_kappa_matches_scikit_learn_over_the_full_scale(seed):
    rng = random.Random(seed)
    maximum = rng.choice([20, 25, 30, 40])
    a, b = noisy_pairs(rng, rng.randint(5, 80), maximum, rng.randint(1, 8))
    ours = agreement(a, b, maximum).kappa_marks
    assert ours == pytest.approx(sklearn_kappa(a, b, maximum), abs=1e-12)
    assert quadratic_kappa(a, b, range(maximum + 1)) == pytest.approx(ours, abs=1e-15)


def test_kappa_with_marks_missing_from_the_observed_range():
    # Nobody gave 11, 13, 15–17, 19, 21 or anything below 10 or above 22: with only the
    # observed values as labels, 10 and 12 would sit "one apart" like 20 and 22 and
    # 14 and 18; over the full scale they are the real distances.
    a = [10, 12, 14, 18, 20, 22, 12, 18, 20, 14]
    b = [12, 12, 14, 20, 18, 22, 10, 18, 22, 14]
    ours = agreement(a, b, 25).kappa_marks
    full = sklearn_kappa(a, b, 25)
    observed_only = cohen_kappa_score(a, b, weights="quadratic")
    assert ours == pytest.approx(full, abs=1e-12)
    assert round(full, 3) == 0.938
    assert round(observed_only, 3) == 0.898  # the figure changes without the full labels
    assert abs(full - observed_only) > 0.03


def test_level_kappa_counts_every_level_of_the_scheme():
    # No script is in Level 0 or Level 3, yet they are levels of the scheme: Level 2 and
    # Level 4 are two levels apart, not one.
    a = [3, 8, 17, 22, 19, 7, 4, 23]
    b = [4, 9, 18, 20, 17, 18, 2, 24]
    table, all_levels = level_table(25, AQA)
    assert all_levels == [0, 1, 2, 3, 4, 5]
    la, lb = [table[m] for m in a], [table[m] for m in b]
    expected = cohen_kappa_score(la, lb, weights="quadratic", labels=all_levels)
    result = agreement(a, b, 25, levels=AQA)
    assert result.kappa_levels == pytest.approx(expected, abs=1e-12)
    assert result.kappa_levels != pytest.approx(
        cohen_kappa_score(la, lb, weights="quadratic"), abs=1e-3)


def test_levels_as_ranges_a_function_or_the_criterion_agree():
    rng = random.Random(5)
    a, b = noisy_pairs(rng, 40, 25, 5)
    ranges = [(lv.min_mark, lv.max_mark) for lv in AQA.levels]

    def level_of(mark):
        return next(n for n, (low, high) in enumerate(ranges) if low <= mark <= high)

    results = [agreement(a, b, 25, levels=x) for x in (AQA, AQA.levels, ranges, level_of)]
    assert len({(r.kappa_levels, r.exact_level, r.within_one_level) for r in results}) == 1


def test_kappa_is_none_when_undefined():
    assert agreement([12, 12, 12], [12, 12, 12], 25).kappa_marks is None
    assert agreement([], [], 25).kappa_marks is None


# --- Spearman --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(15))
def test_spearman_matches_scipy_with_ties(seed):
    rng = random.Random(100 + seed)
    a, b = noisy_pairs(rng, rng.randint(3, 60), rng.choice([5, 25]), 3)  # many ties
    if len(set(a)) < 2 or len(set(b)) < 2:
        return
    assert agreement(a, b, 25).spearman == pytest.approx(
        scipy.stats.spearmanr(a, b).statistic, abs=1e-12)


def test_spearman_is_none_without_spread():
    assert spearman([3, 3, 3], [1, 2, 3]) is None
    assert spearman([1], [1]) is None


# --- agreement, hand-worked --------------------------------------------------------------


def test_agreement_by_hand():
    a = {"s1": 10, "s2": 15, "s3": 20, "s4": None, "s6": 3}
    b = {"s1": 12, "s2": 15, "s3": 14, "s4": 5, "s5": 7}
    result = agreement(a, b, 25, levels=AQA)
    assert result.compared == 3  # s1, s2, s3: the only scripts both marked
    assert result.mean_difference == pytest.approx(-4 / 3)  # (2 + 0 − 6) / 3: b harsher
    assert result.mean_absolute_difference == pytest.approx(8 / 3)
    assert [(d.script, d.a, d.b, d.difference) for d in result.largest] == [
        ("s3", 20, 14, -6), ("s1", 10, 12, 2)]  # zero differences are not listed
    # Levels: 10 → L2, 12 → L3; 15 → L3 both; 20 → L4, 14 → L3.
    assert result.exact_level == pytest.approx(1 / 3)
    assert result.within_one_level == 1.0
    assert result.tolerance == 3
    assert result.within_tolerance == pytest.approx(2 / 3)
    data = result.to_json()
    assert set(data) == {"compared", "exact_level", "within_one_level", "mean_difference",
                         "mean_absolute_difference", "largest", "spearman", "kappa_levels",
                         "kappa_marks", "within_tolerance", "tolerance"}
    assert data["largest"][0] == {"script": "s3", "a": 20, "b": 14, "difference": -6}
    json.dumps(data)


def test_largest_differences_are_largest_first_ties_in_key_order():
    a = [5, 5, 5, 5, 5]
    b = [9, 1, 5, 8, 2]
    result = agreement(a, b, 25, top=3)
    assert [(d.script, d.difference) for d in result.largest] == [(0, 4), (1, -4), (3, 3)]


def test_tolerance_scales_with_the_maximum_and_can_be_set():
    assert [default_tolerance(m) for m in (10, 20, 25, 30, 40, 50)] == [1, 2, 3, 4, 5, 6]
    a, b = [10, 10, 10, 10], [12, 13, 14, 15]
    assert agreement(a, b, 25).within_tolerance == 0.5  # 2 and 3 within 3; 4, 5 outside
    assert agreement(a, b, 25, tolerance=4).within_tolerance == 0.75
    assert agreement(a, b, 40).tolerance == 5


def test_nothing_compared_gives_no_figures():
    result = agreement({"x": 3}, {"y": 4}, 25, levels=AQA)
    assert result.compared == 0
    assert result.largest == ()
    assert all(result.to_json()[k] is None for k in (
        "exact_level", "within_one_level", "mean_difference", "mean_absolute_difference",
        "spearman", "kappa_levels", "kappa_marks", "within_tolerance"))


@pytest.mark.parametrize("bad", [26, -1, 2.5, "12", True])
def test_a_mark_off_the_scale_is_refused_with_the_script_named(bad):
    with pytest.raises(ModerationError, match="s2"):
        agreement({"s1": 3, "s2": bad}, {"s1": 3, "s2": 4}, 25)


# --- Krippendorff's alpha ----------------------------------------------------------------


def slow_alpha_interval(matrix):
    """Straight from the definition: build the coincidence matrix o_ck from every ordered
    pair of pairable values in each unit, then D_o and D_e from it."""
    coincidences: dict[tuple[float, float], float] = {}
    for row in matrix:
        values = [v for v in row if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, j in itertools.permutations(range(m), 2):
            pair = (values[i], values[j])
            coincidences[pair] = coincidences.get(pair, 0.0) + 1.0 / (m - 1)
    totals: dict[float, float] = {}
    for (c, _k), o in coincidences.items():
        totals[c] = totals.get(c, 0.0) + o
    n = sum(totals.values())
    if n < 2:
        return None
    d_o = sum(o * (c - k) ** 2 for (c, k), o in coincidences.items()) / n
    d_e = sum(totals[c] * totals[k] * (c - k) ** 2
              for c in totals for k in totals) / (n * (n - 1))
    return None if d_e == 0 else 1 - d_o / d_e


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers × 12 units.
KRIPPENDORFF_EXAMPLE = list(zip(
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    strict=True))


def test_alpha_on_krippendorffs_own_example():
    ours = krippendorff_alpha_interval(KRIPPENDORFF_EXAMPLE)
    assert round(ours, 3) == 0.849  # the published interval alpha
    assert ours == pytest.approx(slow_alpha_interval(KRIPPENDORFF_EXAMPLE), abs=1e-12)


@pytest.mark.parametrize("seed", range(15))
def test_alpha_matches_the_definition_with_missing_marks(seed):
    rng = random.Random(200 + seed)
    markers = rng.randint(2, 5)
    matrix = []
    for _ in range(rng.randint(3, 40)):
        true = rng.randint(0, 25)
        matrix.append([None if rng.random() < 0.3 else
                       min(25, max(0, true + rng.randint(-4, 4))) for _ in range(markers)])
    expected = slow_alpha_interval(matrix)
    ours = krippendorff_alpha_interval(matrix)
    if expected is None:
        assert ours is None
    else:
        assert ours == pytest.approx(expected, abs=1e-10)


def test_alpha_edge_cases():
    assert krippendorff_alpha_interval([[3, 3], [7, 7], [12, 12]]) == 1.0
    assert krippendorff_alpha_interval([[5, 5], [5, 5]]) is None  # no variation at all
    assert krippendorff_alpha_interval([[5, None], [None, 6]]) is None  # nothing pairable
    # a script marked once only is not pairable and changes nothing
    base = [[3, 4], [7, 9], [12, 11]]
    assert krippendorff_alpha_interval([*base, [20, None]]) == pytest.approx(
        krippendorff_alpha_interval(base))
    # NaN counts as missing, as None does
    assert krippendorff_alpha_interval([[3, float("nan"), 4], [7, 9, None], [12, 11, 12]]) \
        == pytest.approx(krippendorff_alpha_interval([[3, None, 4], [7, 9, None],
                                                      [12, 11, 12]]))


def test_marks_matrix_from_markers_marks():
    keys, markers, matrix = marks_matrix({"T": {"b": 3, "a": 5}, "M": {"a": 6, "c": 2}})
    assert keys == ["a", "b", "c"] and markers == ["T", "M"]
    assert matrix == [[5, 6], [3, None], [None, 2]]


# --- markers overview -------------------------------------------------------------------


def test_overview_against_the_moderator():
    marks = {
        "Mod": {"s1": 10, "s2": 15, "s3": 20, "s4": 8},
        "Lenient": {"s1": 14, "s2": 18, "s3": 24, "s4": None, "s9": 25},
        "Erratic": {"s1": 4, "s2": 21, "s3": 20, "s4": 8},
    }
    rows = {r.marker: r for r in markers_overview(marks, "Mod", maximum=25)}
    assert set(rows) == {"Lenient", "Erratic"}  # the reference has no row of its own
    lenient = rows["Lenient"]
    assert (lenient.n, lenient.verdict) == (3, "lenient")
    assert lenient.mean_difference == pytest.approx(11 / 3)  # 4, 3, 4
    assert lenient.sd_difference == pytest.approx(statistics.stdev([4, 3, 4]))
    assert lenient.out_of_tolerance == 2  # 4 and 4 are more than 3
    erratic = rows["Erratic"]
    assert (erratic.n, erratic.verdict, erratic.out_of_tolerance) == (4, "in line", 2)
    assert erratic.mean_difference == 0  # right on average …
    assert erratic.sd_difference == pytest.approx(statistics.stdev([-6, 6, 0, 0]))  # … erratic
    json.dumps([r.to_json() for r in rows.values()])


def test_overview_against_the_mean_of_the_others():
    marks = {"A": [10, 20, None], "B": [12, 16, 5], "C": [14, 18, 9]}
    rows = {r.marker: r for r in markers_overview(marks, None, maximum=25)}
    # A: 10 − 13 = −3, 20 − 17 = 3           → mean 0
    # B: 12 − 12 = 0, 16 − 19 = −3, 5 − 9 = −4 → mean −7/3 (harsh)
    # C: 14 − 11 = 3, 18 − 18 = 0, 9 − 5 = 4    → mean 7/3 (lenient)
    assert rows["A"].mean_difference == 0 and rows["A"].n == 2
    assert rows["B"].mean_difference == pytest.approx(-7 / 3)
    assert rows["B"].verdict == "harsh" and rows["C"].verdict == "lenient"
    assert rows["B"].out_of_tolerance == 1 and rows["C"].out_of_tolerance == 1


def test_overview_needs_a_known_reference_and_a_tolerance():
    with pytest.raises(ModerationError, match="reference"):
        markers_overview({"A": [1]}, "Z", maximum=25)
    with pytest.raises(ModerationError):
        markers_overview({"A": [1]}, None)


# --- rank reversals ---------------------------------------------------------------------


def test_rank_reversals_by_hand():
    a = {"X": 15, "Y": 14, "Z": 10, "W": 20}
    b = {"X": 13, "Y": 16, "Z": 11, "W": 20}
    found = rank_reversals(a, b, 3)
    # X/Y: a says X by 1, b says Y by 3: gap 4 > 3. Z/Y: a says Y by 4, b says Y by 5: same
    # order. Nothing else reverses.
    assert [(r.higher, r.lower, r.margin_a, r.margin_b, r.gap) for r in found] == [
        ("X", "Y", 1, -3, 4)]
    assert rank_reversals(a, b, 4) == []  # a gap equal to the tolerance is within it


def test_a_tie_is_not_a_reversal():
    assert rank_reversals([10, 20], [15, 15], 0) == []


@pytest.mark.parametrize("seed", range(10))
def test_rank_reversals_match_brute_force(seed):
    rng = random.Random(300 + seed)
    a, b = noisy_pairs(rng, 40, 25, 6)
    tol = rng.randint(0, 5)
    expected = set()
    for x, y in itertools.permutations(range(40), 2):
        ma, mb = a[x] - a[y], b[x] - b[y]
        if ma > 0 and mb < 0 and ma - mb > tol:
            expected.add((x, y))
    found = rank_reversals(a, b, tol)
    assert {(r.higher, r.lower) for r in found} == expected
    assert [r.gap for r in found] == sorted((r.gap for r in found), reverse=True)


# --- samples ----------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "size"), [(0, 0), (1, 1), (15, 15), (16, 15), (100, 15),
                                         (101, 20), (200, 20), (201, 25), (1000, 25)])
def test_ocr_pearson_rule_at_its_boundaries(n, size):
    assert sample_size(n, "ocr-pearson") == size


@pytest.mark.parametrize(("n", "size"), [(5, 5), (10, 10), (11, 10), (25, 10), (26, 11),
                                         (30, 11), (100, 20), (300, 35)])
def test_default_rule(n, size):
    assert sample_size(n) == size == sample_size(n, "default")


def test_sample_rules_never_exceed_the_set_and_grow_with_it():
    for rule in ("default", "ocr-pearson"):
        sizes = [sample_size(n, rule) for n in range(0, 400)]
        assert all(s <= n for n, s in enumerate(sizes))
        assert sizes == sorted(sizes)
    with pytest.raises(ModerationError, match="ocr-pearson"):
        sample_size(30, "aqa")


@pytest.mark.parametrize("n", [2, 3, 15, 16, 30, 100, 101, 200, 201, 300])
def test_sample_always_holds_the_highest_and_lowest_spread_evenly(n):
    rng = random.Random(n)
    totals = {f"k{i:03}": rng.randint(0, 25) for i in range(n)}
    order = sorted(totals, key=lambda k: (-totals[k], k))
    for rule in ("default", "ocr-pearson"):
        for size in {sample_size(n, rule), 2, min(n, 7), n}:
            chosen = choose_sample(totals, size)
            assert len(chosen) == len(set(chosen)) == size
            assert chosen[0] == order[0] and chosen[-1] == order[-1]
            positions = [order.index(k) for k in chosen]
            assert positions == sorted(positions)
            gaps = {q - p for p, q in itertools.pairwise(positions)}
            assert max(gaps) - min(gaps) <= 1  # evenly spread


def test_sample_is_deterministic_ties_by_key_and_skips_unmarked():
    totals = {"d": 10, "b": 10, "a": 20, "c": None, "e": 5, "f": 10}
    shuffled = dict(reversed(list(totals.items())))
    assert choose_sample(totals, 3) == choose_sample(shuffled, 3) == ["a", "d", "e"]
    assert choose_sample(totals, 4) == ["a", "b", "f", "e"]
    assert choose_sample(totals, 50) == ["a", "b", "d", "f", "e"]  # every marked script
    assert choose_sample(totals, 0) == []
    with pytest.raises(ModerationError):
        choose_sample(totals, 1)


# --- adjustment -------------------------------------------------------------------------


def test_no_adjustment_when_every_difference_is_within_tolerance():
    teacher = {"a": 10, "b": 15, "c": 20, "d": 12}
    moderator = {"a": 13, "b": 12, "c": 20}  # differences 3, −3, 0: all within 3
    assert propose_adjustment(teacher, moderator, 25, 3) is None
    assert propose_adjustment(teacher, moderator, 25) is None  # default tolerance 3
    assert propose_adjustment(teacher, moderator, 25, 2) is not None


def test_adjustment_line_is_least_squares_over_the_sample_applied_to_all():
    teacher = {f"s{i:02}": m for i, m in enumerate([6, 9, 12, 14, 15, 17, 18, 20, 22, 24])}
    # the teacher is lenient: 6→4 (2, within 3), 14→10, 17→12, 20→15, 24→20 (outside)
    moderator = {"s00": 4, "s03": 10, "s05": 12, "s07": 15, "s09": 20}
    result = propose_adjustment(teacher, moderator, 25, 3)
    xs = [teacher[k] for k in moderator]
    ys = list(moderator.values())
    fit = scipy.stats.linregress(xs, ys)
    assert float(result.line.slope) == pytest.approx(fit.slope, abs=1e-12)
    assert float(result.line.intercept) == pytest.approx(fit.intercept, abs=1e-12)
    assert result.sampled == 5 and result.out_of_tolerance == ("s03", "s05", "s07", "s09")
    assert [m.script for m in result.marks] == sorted(teacher)  # every script, not the sample
    for row in result.marks:
        exact = fit.slope * row.before + fit.intercept
        assert row.after == min(25, max(0, math.floor(exact + 0.5)))
        assert row.moderator == moderator.get(row.script)
    json.dumps(result.to_json())


def test_apply_line_clamps_and_rounds_half_up():
    marks = {"a": 1, "b": 3, "c": 5, "d": None, "e": 24}
    assert apply_line(marks, Line(Fraction(1, 2), 0), 25) == {"a": 1, "b": 2, "c": 3, "e": 12}
    assert apply_line(marks, (0.5, 0.0), 25) == {"a": 1, "b": 2, "c": 3, "e": 12}
    assert apply_line(marks, (1, 10), 25) == {"a": 11, "b": 13, "c": 15, "e": 25}
    assert apply_line(marks, (1, -4), 25) == {"a": 0, "b": 0, "c": 1, "e": 20}
    assert all(isinstance(v, int) for v in apply_line(marks, (1.3, 0.7), 25).values())
    # 1.1 · 5 − 0.5 is 5.0 in exact arithmetic (not 4.999…): a float line is taken exactly
    assert apply_line([5], (Fraction(11, 10), Fraction(-1, 2)), 25) == {0: 5}


def test_rank_order_is_kept_on_random_data():
    rng = random.Random(2024)
    refused = adjusted = 0
    for _ in range(600):
        maximum = rng.choice([20, 25, 30, 40])
        n = rng.randint(8, 60)
        teacher = {f"s{i:02}": rng.randint(0, maximum) for i in range(n)}
        sample = choose_sample(teacher, sample_size(n, "ocr-pearson"))
        slope, shift = rng.uniform(-0.3, 1.8), rng.uniform(-8, 8)
        moderator = {k: min(maximum, max(0, round(slope * teacher[k] + shift
                                                  + rng.gauss(0, 2)))) for k in sample}
        try:
            result = propose_adjustment(teacher, moderator, maximum)
        except AdjustmentRefused as refusal:
            assert "rank order" in str(refusal) or "line cannot" in str(refusal)
            refused += 1
            continue
        if result is None:
            continue
        adjusted += 1
        assert result.line.slope >= 0
        rows = result.marks
        assert all(0 <= r.after <= maximum and isinstance(r.after, int) for r in rows)
        for p, q in itertools.combinations(rows, 2):
            if p.before < q.before:
                assert p.after <= q.after
            elif p.before > q.before:
                assert p.after >= q.after
            else:
                assert p.after == q.after
    assert adjusted > 400 and refused < 100  # the trials do exercise the adjustment


def test_negative_slope_is_refused_with_a_reason():
    teacher = {"a": 5, "b": 10, "c": 15, "d": 20}
    moderator = {"a": 20, "b": 15, "c": 10, "d": 5}
    with pytest.raises(AdjustmentRefused, match="rank order"):
        propose_adjustment(teacher, moderator, 25)
    with pytest.raises(AdjustmentRefused, match="rank order"):
        apply_line(teacher, (-0.5, 20), 25)


def test_a_sample_that_cannot_fix_a_line_is_refused():
    with pytest.raises(AdjustmentRefused, match="at least two"):
        propose_adjustment({"a": 5, "b": 10}, {"a": 15}, 25)
    with pytest.raises(AdjustmentRefused, match="every sampled script 12"):
        propose_adjustment({"a": 12, "b": 12, "c": 3}, {"a": 20, "b": 18}, 25)


def test_least_squares_agrees_with_numpy_on_random_samples():
    rng = random.Random(9)
    for _ in range(50):
        xs = [rng.randint(0, 25) for _ in range(rng.randint(3, 25))]
        if len(set(xs)) < 2:
            continue
        ys = [rng.randint(0, 25) for _ in xs]
        teacher = dict(enumerate(xs))
        moderator = dict(enumerate(ys))
        slope, intercept = np.polyfit(xs, ys, 1)
        line = fit_line(teacher, moderator)
        assert float(line.slope) == pytest.approx(slope, abs=1e-9)
        assert float(line.intercept) == pytest.approx(intercept, abs=1e-9)
