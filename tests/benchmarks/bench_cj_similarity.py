"""Comparative judgement and similarity benchmarks: the similarity check over 300 generated
4,500-word scripts, and a Bradley–Terry fit (with its split-half reliability) of 300 scripts
× 10 judgements each.

Run:  .venv/bin/python -m pytest -o addopts="" -o python_files="bench_*.py" \\
          tests/benchmarks/bench_cj_similarity.py -q -s
Aims: similarity for 300 scripts in < 2 s; the fit in < 1 s (2-core machine).
"""

from __future__ import annotations

import math
import random
import statistics
import time

import numpy as np
import pytest

from rubric import cj
from rubric import similarity as sim
from tests.core.essay_text import QUESTION, essay

from .conftest import median_seconds, report

SCRIPTS = 300
WORDS = 4500
QUOTED = ("we must not forget that the autocracy rests on the bayonets of the soldiers and on "
          "nothing else besides")
TAUGHT = ("the regime survived through a combination of timely concessions, ruthless repression "
          "and the divisions within the opposition")


@pytest.fixture(scope="module")
def cohort():
    """300 essays of about 4,500 words; three pairs share a pasted passage of 150–300 words,
    100 quote the same line, 30 use the same taught phrase, all restate the question."""
    scripts: dict[str, list[str]] = {}
    for n in range(SCRIPTS):
        paragraphs = [QUESTION.strip("‘").replace("’", "")] + essay(n, WORDS, 180)
        if n % 3 == 0:
            paragraphs[2] += f" As Witte warned, ‘{QUOTED}’."
        if n % 10 == 1:
            paragraphs[3] = f"Overall {TAUGHT}. " + paragraphs[3]
        scripts[f"s{n:03d}"] = paragraphs
    # each pasted passage is one student's own prose: the cohort's words in a new order
    vocabulary = sorted({w.strip("‘’") for p in scripts["s000"] for w in p.split()})
    rng = random.Random(5)
    planted = {("s017", "s233"): 150, ("s050", "s051"): 220, ("s120", "s299"): 300}
    for (a, b), length in planted.items():
        passage = " ".join(rng.choice(vocabulary) for _ in range(length))
        scripts[a].insert(5, passage)
        scripts[b].insert(12, passage)
    return scripts, planted


def test_similarity_of_300_scripts(cohort):
    scripts, planted = cohort
    words = sum(len(" ".join(p).split()) for p in scripts.values())
    runs, index_times, pair_times = [], [], []
    report_ = None
    for _ in range(3):
        start = time.perf_counter()
        index = sim.index_scripts(scripts, QUESTION)
        middle = time.perf_counter()
        pairs = index.pairs()
        end = time.perf_counter()
        runs.append(end - start)
        index_times.append(middle - start)
        pair_times.append(end - middle)
        report_ = pairs
    top = {(p.a, p.b) for p in report_[:3]}
    assert top == set(planted)
    candidates = index.candidates()

    m = index.shingle_matrix()
    product = median_seconds(lambda: m @ m.T, repeat=5)
    run_product = median_seconds(index.shared_words, repeat=5)
    report(f"similarity of {SCRIPTS} scripts ({words:,} words in all)",
           total_median=f"{statistics.median(runs):.2f} s (aim < 2 s)",
           split_hash_and_count=f"{statistics.median(index_times):.2f} s (tokenise, hash, "
                                f"document frequencies: NumPy arrays over the whole set)",
           pairs_and_passages=f"{statistics.median(pair_times):.2f} s ({len(report_)} pairs "
                              f"listed of {len(candidates)} over the threshold)",
           floor_shingle_product=f"{product * 1000:.0f} ms (scripts x {m.shape[1]:,} shared "
                                 f"5-word shingles, times its transpose: SciPy, for "
                                 f"comparison; finding pairs does not use it)",
           shared_words_all_pairs=f"{run_product * 1000:.0f} ms (every pair's shared words, "
                                  f"by sorting the places of shared 8-word runs)",
           planted=", ".join(f"{p.a}-{p.b}: {p.shared_words} of {planted[(p.a, p.b)]} words"
                             for p in report_[:3]))


def _simulate(n: int, per_script: int, judges: int, seed: int):
    rng = np.random.default_rng(seed)
    true = rng.normal(0, 1.5, n)
    ids = [f"s{i:03d}" for i in range(n)]
    judgements: list[tuple[str, str, str]] = []
    target = cj.progress(ids, [], per_script).target
    turn = 0
    while len(judgements) < target:
        judge = f"judge{turn % judges}"
        for left, right in cj.next_pairs(ids, judgements, judge, 25, per_script, seed=turn):
            a, b = int(left[1:]), int(right[1:])
            p = 1 / (1 + math.exp(-(true[a] - true[b])))
            judgements.append((left, right, judge) if rng.random() < p else (right, left, judge))
        turn += 1
    return ids, judgements[:target], true


def test_bradley_terry_fit_of_300_scripts():
    ids, judgements, true = _simulate(SCRIPTS, 10, 10, seed=3)
    with_split = median_seconds(lambda: cj.fit(judgements, ids), repeat=5)
    alone = median_seconds(lambda: cj.fit(judgements, ids, splits=0), repeat=5)
    pairing = median_seconds(lambda: cj.next_pairs(ids, judgements, "judge0", 10, seed=1),
                             repeat=5)
    result = cj.fit(judgements, ids)
    order = np.argsort(np.argsort([-result[i].score for i in ids]))
    truth = np.argsort(np.argsort(-true))
    rho = float(np.corrcoef(order, truth)[0, 1])
    assert rho > 0.8
    report(f"Bradley-Terry fit, {SCRIPTS} scripts x 10 judgements ({len(judgements)} in all)",
           fit_with_split_half=f"{with_split * 1000:.0f} ms (aim < 1 s; {result.splits} splits, "
                               f"two fits each)",
           fit_alone=f"{alone * 1000:.0f} ms (Newton steps solved by conjugate gradients)",
           next_10_pairs=f"{pairing * 1000:.0f} ms",
           figures=f"SSR {result.ssr:.2f}, split-half {result.split_half:.2f} "
                   f"(stepped up {result.split_half_corrected:.2f}), rank correlation with "
                   f"the true order {rho:.2f}")
