"""Comparative judgement: the Bradley–Terry fit, its reliability figures, balanced pairing and
the scale beside the rubric marks (rubric/cj.py)."""

from __future__ import annotations

import json
import math
import random
import statistics
from collections import Counter

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import spearmanr

from rubric import cj


def simulate(n: int, per_script: int = 10, judges: int = 6, ability_sd: float = 1.5,
             seed: int = 0, coin: bool = False, batch: int = 5):
    """Judges take turns asking next_pairs for a few pairs and answer with the logistic
    model (or by tossing a coin) until the set reaches its target."""
    rng = np.random.default_rng(seed)
    true = rng.normal(0, ability_sd, n)
    ids = [f"s{i:03d}" for i in range(n)]
    judgements: list[tuple[str, str, str]] = []
    target = cj.progress(ids, [], per_script).target
    turn = 0
    while len(judgements) < target:
        judge = f"judge{turn % judges}"
        for left, right in cj.next_pairs(ids, judgements, judge, batch, per_script,
                                         seed=seed * 10_000 + turn):
            a, b = int(left[1:]), int(right[1:])
            p = 0.5 if coin else 1 / (1 + math.exp(-(true[a] - true[b])))
            judgements.append((left, right, judge) if rng.random() < p else (right, left, judge))
            if len(judgements) == target:
                break
        turn += 1
    return ids, judgements, true


# --------------------------------------------------------------------------- the fit


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recovers_a_known_order_at_ten_judgements_per_script(seed):
    ids, judgements, true = simulate(60, seed=seed)
    result = cj.fit(judgements, ids)
    scores = [result[i].score for i in ids]
    rho = spearmanr(scores, true).statistic
    assert rho >= 0.8, rho
    assert abs(sum(scores)) < 1e-6  # 0-mean logit scale
    assert 0.5 < result.ssr < 0.9
    assert result.split_half is not None and 0.3 < result.split_half < result.ssr
    assert result.connected
    scaled = [result[i].scaled for i in ids]
    assert statistics.fmean(scaled) == pytest.approx(50)
    assert statistics.pstdev(scaled) == pytest.approx(15)
    ranks = sorted(result[i].rank for i in ids)
    assert ranks == list(range(1, 61))
    best = max(ids, key=lambda i: result[i].score)
    assert result[best].rank == 1


# four scripts, ten judgements judged three times over (so the SSR is not simply 0)
HAND = [("A", "B"), ("A", "C"), ("B", "C"), ("C", "D"), ("B", "D"), ("D", "A"),
        ("A", "B"), ("C", "B"), ("A", "D"), ("B", "D")] * 3


def test_scores_se_infit_and_ssr_match_an_independent_calculation():
    ids = ["A", "B", "C", "D"]
    ridge = cj.DEFAULT_RIDGE
    result = cj.fit([(w, lo, "j1") for w, lo in HAND], ids, ridge=ridge)

    def penalised_nll(theta):
        t = dict(zip(ids, theta, strict=True))
        nll = sum(math.log1p(math.exp(-(t[w] - t[lo]))) for w, lo in HAND)
        return nll + ridge / 2 * sum(x * x for x in theta)

    theta = minimize(penalised_nll, np.zeros(4), method="BFGS", options={"gtol": 1e-10}).x
    t = dict(zip(ids, theta, strict=True))
    ses, infits = {}, {}
    for sid in ids:
        info = resid = 0.0
        for w, lo in HAND:
            if sid in (w, lo):
                p_win = 1 / (1 + math.exp(-(t[w] - t[lo])))
                info += p_win * (1 - p_win)
                y, p = (1, p_win) if sid == w else (0, 1 - p_win)
                resid += (y - p) ** 2
        ses[sid] = 1 / math.sqrt(info)
        infits[sid] = resid / info
    for sid in ids:
        assert result[sid].score == pytest.approx(t[sid], abs=1e-6)
        assert result[sid].se == pytest.approx(ses[sid], rel=1e-6)
        assert result[sid].infit == pytest.approx(infits[sid], rel=1e-6)
    g = statistics.pstdev(theta) / math.sqrt(statistics.fmean(s * s for s in ses.values()))
    expected = max(0.0, (g * g - 1) / (g * g))
    assert expected > 0.2
    assert result.ssr == pytest.approx(expected, abs=1e-6)
    assert [s.judgements for s in result.scripts] == [15, 18, 12, 15]
    assert [s.wins for s in result.scripts] == [12, 9, 6, 3]


def test_se_is_the_inverse_square_root_of_the_numerical_curvature():
    ids, judgements, _ = simulate(20, seed=7)
    result = cj.fit(judgements, ids)
    index = {sid: k for k, sid in enumerate(ids)}
    w = np.array([index[j[0]] for j in judgements])
    lo = np.array([index[j[1]] for j in judgements])
    theta = np.array([result[sid].score for sid in ids])

    def loglik(t):
        return -np.log1p(np.exp(-(t[w] - t[lo]))).sum()

    h = 1e-4
    for k in range(len(ids)):
        e = np.zeros(len(ids))
        e[k] = h
        curvature = -(loglik(theta + e) - 2 * loglik(theta) + loglik(theta - e)) / h ** 2
        assert result[ids[k]].se == pytest.approx(1 / math.sqrt(curvature), rel=1e-4)


def test_a_script_that_won_or_lost_everything_has_a_finite_score():
    ids, judgements, _ = simulate(20, seed=4)
    # s000 wins every comparison it is in, s001 loses every one
    fixed = []
    for w, lo, judge in judgements:
        if "s000" in (w, lo):
            w, lo = "s000", (lo if w == "s000" else w)
        elif "s001" in (w, lo):
            lo, w = "s001", (w if lo == "s001" else lo)
        fixed.append((w, lo, judge))
    result = cj.fit(fixed, ids)
    top, bottom = result["s000"], result["s001"]
    assert top.rank == 1 and bottom.rank == 20
    for s in (top, bottom):
        assert math.isfinite(s.score) and 1 < abs(s.score) < 10
        assert math.isfinite(s.se)
    assert json.loads(json.dumps(result.to_json()))  # finite numbers only


def test_coin_toss_judgements_give_a_low_ssr_with_balanced_pairing():
    for seed in (1, 2, 3):
        ids, judgements, _ = simulate(40, seed=seed, coin=True)
        result = cj.fit(judgements, ids)
        assert result.ssr < 0.3, result.ssr
        assert result.split_half < 0.3


def test_a_random_judge_is_flagged_and_misfitting_scripts_too():
    rng = np.random.default_rng(11)
    ids, judgements, true = simulate(40, per_script=16, judges=8, seed=11)
    # judge7 answers at random; script s005 is judged erratically by everyone
    noisy = []
    for w, lo, judge in judgements:
        if judge == "judge7" and rng.random() < 0.5:
            w, lo = lo, w
        noisy.append((w, lo, judge))
    erratic = [(lo, w, j) if "s005" in (w, lo) and rng.random() < 0.5 else (w, lo, j)
               for w, lo, j in noisy]
    result = cj.fit(erratic, ids)
    flagged = [j.judge for j in result.judges if j.flagged]
    assert flagged == ["judge7"]
    assert result["s005"].misfit and result["s005"].infit > cj.SCRIPT_MISFIT
    infits = [result[i].infit for i in ids]
    assert 0.7 < statistics.median(infits) < 1.2


def test_json_has_the_agreed_keys():
    ids, judgements, _ = simulate(12, seed=3, judges=3)
    data = json.loads(json.dumps(cj.fit(judgements, ids + ["unjudged"]).to_json()))
    assert {"scripts", "ssr", "split_half", "judges"} <= set(data)
    for row in data["scripts"]:
        assert {"id", "score", "scaled", "se", "infit", "judgements"} <= set(row)
    unjudged = data["scripts"][-1]
    assert unjudged["id"] == "unjudged" and unjudged["judgements"] == 0
    assert unjudged["score"] is None and unjudged["se"] is None
    assert {"judge", "infit", "flagged"} <= set(data["judges"][0])


def test_bad_judgements_are_refused_and_gaps_reported():
    with pytest.raises(ValueError, match="not in the set"):
        cj.fit([("a", "zz")], ["a", "b"])
    with pytest.raises(ValueError, match="against itself"):
        cj.fit([("a", "a")], ["a", "b"])
    result = cj.fit([("a", "b"), ("b", "a"), ("c", "d")], ["a", "b", "c", "d"])
    assert not result.connected
    assert result.split_half is None  # no judges recorded
    assert cj.fit([], ["a", "b"]).ssr == 0.0


# --------------------------------------------------------------------------- pairing


def test_pairing_is_balanced_at_the_target_and_spread_over_judges():
    ids, judgements, _ = simulate(40, judges=4, seed=5)
    counts = Counter()
    judges_of: dict[str, set[str]] = {sid: set() for sid in ids}
    per_judge: dict[str, list[frozenset]] = {}
    for w, lo, judge in judgements:
        counts[w] += 1
        counts[lo] += 1
        judges_of[w].add(judge)
        judges_of[lo].add(judge)
        per_judge.setdefault(judge, []).append(frozenset((w, lo)))
    assert len(judgements) == 200
    assert max(counts.values()) - min(counts.values()) <= 2
    assert min(counts.values()) >= 9
    for pairs in per_judge.values():  # 50 pairs each out of 780: never a repeat
        assert len(set(pairs)) == len(pairs)
    assert statistics.fmean(len(j) for j in judges_of.values()) >= 3.5  # of 4 judges
    assert cj.progress(ids, judgements).fraction == 1.0


def test_a_judge_sees_every_pair_once_before_any_repeat():
    ids = list("ABCDEFG")  # 21 pairs
    judgements: list[tuple[str, str, str]] = []
    rng = random.Random(1)
    lefts = Counter()
    for step in range(42):
        (left, right), = cj.next_pairs(ids, judgements, "me", 1, seed=step)
        lefts[left] += 1
        judgements.append((left, right, "me") if rng.random() < 0.5 else (right, left, "me"))
        if step == 20:
            assert len({frozenset(j[:2]) for j in judgements}) == 21
    pairs = Counter(frozenset(j[:2]) for j in judgements)
    assert set(pairs.values()) == {2}  # the second round also covers every pair once
    counts = Counter(s for j in judgements for s in j[:2])
    assert set(counts.values()) == {12}
    assert len(lefts) == 7  # placement varies


def test_a_batch_never_repeats_a_pair_and_ignores_other_sets():
    ids = [f"x{i}" for i in range(30)]
    done = [("x0", "x1", "me"), ("x2", "x3", "other"), ("gone", "x4", "me")]
    batch = cj.next_pairs(ids, done, "me", 40, seed=3)
    assert len(batch) == 40
    assert len({frozenset(p) for p in batch}) == 40
    assert frozenset(("x0", "x1")) not in {frozenset(p) for p in batch}
    assert all(a != b and a in ids and b in ids for a, b in batch)
    assert cj.next_pairs(["only"], [], "me", 3) == []
    p = cj.progress(ids, done)
    assert (p.made, p.target) == (2, 150)
    assert cj.progress(ids, done, target_per_script=4).target == 60


# --------------------------------------------------------------------------- beside the marks


def test_scripts_whose_mark_disagrees_with_cj_are_flagged():
    ids, judgements, true = simulate(40, seed=8)
    result = cj.fit(judgements, ids)
    # rubric totals follow the CJ order, except two scripts marked far out of place
    by_cj = [s.id for s in result.ranked()]
    totals = {sid: 40 - k for k, sid in enumerate(by_cj)}
    totals[by_cj[2]], totals[by_cj[35]] = totals[by_cj[35]], totals[by_cj[2]]
    totals[by_cj[10]] = None  # not marked yet
    comparison = cj.compare_with_marks(result, totals)
    assert len(comparison.rows) == 39
    assert {r.id for r in comparison.flagged} == {by_cj[2], by_cj[35]}
    first = comparison.rows[0]
    assert first.id in (by_cj[2], by_cj[35]) and abs(first.difference) >= 30
    assert comparison.spearman is not None and 0.5 < comparison.spearman < 0.95
    assert json.dumps(comparison.to_json())


def test_anchor_line_maps_scores_onto_the_mark_scale():
    ids, judgements, _ = simulate(30, seed=9)
    result = cj.fit(judgements, ids)
    anchors = {sid: 12 + 4 * result[sid].score for sid in ids[:6]}
    line = cj.anchor_line(result, anchors, max_mark=25)
    assert line.slope == pytest.approx(4) and line.intercept == pytest.approx(12)
    assert line.rmse == pytest.approx(0, abs=1e-9) and line.anchors == 6
    for sid in ids:
        expected = min(25, max(0, 12 + 4 * result[sid].score))
        assert line.mapped[sid] == pytest.approx(expected)
    assert all(0 <= v <= 25 for v in line.mapped.values())
    data = json.loads(json.dumps(line.to_json()))
    assert data["slope"] == pytest.approx(4) and len(data["mapped"]) == 30
    with pytest.raises(ValueError, match="two"):
        cj.anchor_line(result, {ids[0]: 10})
