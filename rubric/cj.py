"""Comparative judgement: a Bradley–Terry scale from "which is the better answer?" judgements,
its reliability figures, balanced pairing, and the scale beside the rubric marks.

Plain functions over plain values, so the store, the CLI and the GUI can all call them:

* :func:`fit` takes judgements as ``(winner, loser)`` or ``(winner, loser, judge)`` tuples (or
  objects with ``winner``, ``loser`` and optionally ``judge`` attributes) and the script ids,
  and returns a :class:`CJResult` (``to_json()`` for the CLI).
* :func:`next_pairs` chooses the next pairs for one judge: balanced and random, never adaptive
  (adaptive pairing inflates the reliability figure). :func:`progress` says how far a set is.
* :func:`compare_with_marks` sets the CJ rank beside the rubric-total rank and flags the
  scripts that disagree most; :func:`anchor_line` maps CJ scores onto the mark scale with a
  least-squares line through scripts that have definitive marks.

The model: P(i beats j) = 1 / (1 + exp(-(θi − θj))). θ is fitted by Newton's method on the
log-likelihood with a small ridge (a normal prior centred on 0, ``ridge`` = 1/variance), so a
script that won or lost every comparison still has a finite score, and the fitted scores have
mean 0. The standard error of a script is 1/√Σ p(1−p) over its judgements (its Fisher
information, the others held fixed, as Rasch software reports it). Infit is the
information-weighted mean square of the residuals: Σ (y − p)² / Σ p(1−p); its expectation is 1.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import linalg
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.special import expit, log_expit

#: The ridge (prior precision) on the logit scale: a normal prior with SD ≈ 3.2 logits. Small
#: beside the information ten judgements give a script (≈ 2), large enough that a script
#: that won all of ten comparisons sits about 3.5 logits above its opponents, not at infinity.
DEFAULT_RIDGE = 0.1
#: The scaled score: mean 50, SD 15 over the judged scripts (a familiar, always-positive scale).
SCALED_MEAN = 50.0
SCALED_SD = 15.0
#: Scripts with infit above this are flagged as misfitting (judges disagreed about them).
SCRIPT_MISFIT = 1.2
#: Judges whose infit is more than this many SDs above the judges' mean are flagged.
JUDGE_FLAG_SDS = 2.0
#: How many random splits of the judges the split-half reliability averages.
DEFAULT_SPLITS = 20
#: Judgements each script should get; the set's target is this × scripts / 2 judgements.
DEFAULT_TARGET = 10


# --------------------------------------------------------------------------- judgements


@dataclass(frozen=True)
class Judgement:
    winner: Hashable
    loser: Hashable
    judge: Hashable | None = None


def _judgement(item: Any) -> Judgement:
    if isinstance(item, Judgement):
        return item
    if hasattr(item, "winner") and hasattr(item, "loser"):
        return Judgement(item.winner, item.loser, getattr(item, "judge", None))
    if isinstance(item, Sequence) and not isinstance(item, str) and len(item) in (2, 3):
        return Judgement(item[0], item[1], item[2] if len(item) == 3 else None)
    raise ValueError(f"a judgement must be (winner, loser) or (winner, loser, judge), not {item!r}")


def _judgements(items: Iterable[Any], index: Mapping[Hashable, int] | None) -> list[Judgement]:
    result = []
    for item in items:
        j = _judgement(item)
        if j.winner == j.loser:
            raise ValueError(f"a script cannot be judged against itself ({j.winner!r})")
        if index is not None:
            for sid in (j.winner, j.loser):
                if sid not in index:
                    raise ValueError(f"a judgement names a script that is not in the set: {sid!r}")
        result.append(j)
    return result


def _json_id(value: Hashable | None) -> Any:
    if value is None or isinstance(value, (str, int)):
        return value
    return str(value)


def _num(value: float, digits: int) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


# --------------------------------------------------------------------------- the fit


def _solve(diag: np.ndarray, w: np.ndarray, l: np.ndarray, q: np.ndarray,  # noqa: E741
           rhs: np.ndarray, rtol: float = 1e-10) -> np.ndarray:
    """Solve H x = rhs for the Bradley–Terry Hessian H = diag − W, W the judgement graph
    weighted by q, by conjugate gradients with a Jacobi preconditioner, matrix-free.

    Not a dense LAPACK solve: OpenBLAS threads fighting over a busy 2-core machine made a
    300 × 300 Cholesky up to ten times slower; this costs well under a millisecond."""
    n = len(diag)

    def times(v: np.ndarray) -> np.ndarray:
        return diag * v - np.bincount(w, q * v[l], n) - np.bincount(l, q * v[w], n)

    x = np.zeros(n)
    r = rhs.copy()
    z = r / diag
    p = z.copy()
    rz = float(r @ z)
    limit = (rtol * rtol) * float(rhs @ rhs)
    for _ in range(10 * n + 10):
        if float(r @ r) <= limit:
            return x
        hp = times(p)
        alpha = rz / float(p @ hp)
        x += alpha * p
        r -= alpha * hp
        z = r / diag
        rz_next = float(r @ z)
        p = z + (rz_next / rz) * p
        rz = rz_next
    hess = np.diag(diag)  # not converged (it always has so far): solve densely
    np.add.at(hess, (w, l), -q)
    np.add.at(hess, (l, w), -q)
    return linalg.solve(hess, rhs, assume_a="pos")


def _bradley_terry(n: int, w: np.ndarray, l: np.ndarray, ridge: float,  # noqa: E741
                   start: np.ndarray | None = None, tol: float = 1e-9,
                   max_iter: int = 100) -> np.ndarray:
    """Maximise Σ log σ(θw − θl) − ridge/2 · Σθ² by Newton's method with step halving.

    The objective is strictly concave (the ridge makes the Hessian positive definite), so
    this converges from any start; from 0 it takes 5–10 steps, warm-started 2–4."""
    theta = np.zeros(n) if start is None else np.array(start, dtype=float)
    if len(w) == 0:
        return np.zeros(n)

    def objective(t: np.ndarray) -> float:
        return float(log_expit(t[w] - t[l]).sum() - 0.5 * ridge * (t @ t))

    value = objective(theta)
    for _ in range(max_iter):
        p = expit(theta[w] - theta[l])  # the chance the recorded winner wins
        r = 1.0 - p
        grad = np.bincount(w, r, n) - np.bincount(l, r, n) - ridge * theta
        q = p * r
        diag = np.bincount(w, q, n) + np.bincount(l, q, n) + ridge
        step = _solve(diag, w, l, q, grad)
        scale = 1.0
        while True:
            candidate = theta + scale * step
            new_value = objective(candidate)
            if new_value >= value - 1e-12 or scale < 1e-6:
                break
            scale /= 2
        theta, value = candidate, new_value
        if np.max(np.abs(scale * step)) < tol:
            break
    return theta


@dataclass(frozen=True)
class ScriptScore:
    id: Hashable
    #: Logit scale, mean 0 over the set (0 for a script with no judgements).
    score: float
    #: ``SCALED_MEAN`` + ``SCALED_SD`` · (score − mean) / SD over the judged scripts.
    scaled: float
    #: 1/√Σ p(1−p); infinite for a script with no judgements.
    se: float
    #: Σ (y − p)² / Σ p(1−p); NaN for a script with no judgements.
    infit: float
    judgements: int
    wins: int
    #: 1 = best; 0 for a script with no judgements.
    rank: int

    @property
    def judged(self) -> bool:
        return self.judgements > 0

    @property
    def misfit(self) -> bool:
        return self.judged and self.infit > SCRIPT_MISFIT

    def to_json(self) -> dict[str, Any]:
        judged = self.judged
        return {"id": _json_id(self.id), "rank": self.rank or None,
                "score": _num(self.score, 4) if judged else None,
                "scaled": _num(self.scaled, 1) if judged else None,
                "se": _num(self.se, 4), "infit": _num(self.infit, 3),
                "misfit": self.misfit, "judgements": self.judgements, "wins": self.wins}


@dataclass(frozen=True)
class JudgeFit:
    judge: Hashable
    infit: float
    judgements: int
    flagged: bool

    def to_json(self) -> dict[str, Any]:
        return {"judge": _json_id(self.judge), "infit": _num(self.infit, 3),
                "judgements": self.judgements, "flagged": self.flagged}


@dataclass(frozen=True)
class CJResult:
    scripts: tuple[ScriptScore, ...]
    #: Scale separation reliability: (G² − 1)/G², G = SD(scores)/RMS(se) over judged scripts.
    ssr: float
    #: Mean Pearson correlation of the scores fitted from two random halves of the judges;
    #: None with fewer than two judges.
    split_half: float | None
    #: The same, stepped up to the whole panel by Spearman–Brown (2r / (1 + r)).
    split_half_corrected: float | None
    judges: tuple[JudgeFit, ...]
    judgements: int
    #: False when the scripts fall into groups never compared with each other: scores in
    #: different groups are then not on one scale.
    connected: bool
    ridge: float = DEFAULT_RIDGE
    splits: int = DEFAULT_SPLITS
    _by_id: dict[Hashable, ScriptScore] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({s.id: s for s in self.scripts})

    def __getitem__(self, script_id: Hashable) -> ScriptScore:
        return self._by_id[script_id]

    @property
    def misfits(self) -> list[ScriptScore]:
        return [s for s in self.scripts if s.misfit]

    def ranked(self) -> list[ScriptScore]:
        """Judged scripts, best first."""
        return sorted((s for s in self.scripts if s.judged), key=lambda s: s.rank)

    def to_json(self) -> dict[str, Any]:
        return {
            "scripts": [s.to_json() for s in self.scripts],
            "ssr": _num(self.ssr, 3),
            "split_half": _num(self.split_half, 3) if self.split_half is not None else None,
            "split_half_corrected": (_num(self.split_half_corrected, 3)
                                     if self.split_half_corrected is not None else None),
            "judges": [j.to_json() for j in self.judges],
            "judgements": self.judgements,
            "connected": self.connected,
            "scale": {"logit_mean": 0.0, "scaled_mean": SCALED_MEAN, "scaled_sd": SCALED_SD},
            "ridge": self.ridge,
            "splits": self.splits,
        }


def separation_reliability(scores: Sequence[float], ses: Sequence[float]) -> float:
    """SSR = (G² − 1)/G², G = SD(scores) / RMS(se) (population SD); 0 when G ≤ 1.

    Equivalently 1 − mean(se²)/var(scores): the share of the observed variance of the
    scores that is not measurement error."""
    s = np.asarray(scores, dtype=float)
    e = np.asarray(ses, dtype=float)
    if len(s) < 2:
        return 0.0
    sd = float(np.std(s))
    rms = float(np.sqrt(np.mean(e ** 2)))
    if rms == 0 or not math.isfinite(rms):
        return 0.0
    g = sd / rms
    return 0.0 if g <= 1 else (g * g - 1) / (g * g)


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def fit(judgements: Iterable[Any], scripts: Sequence[Hashable], *, ridge: float = DEFAULT_RIDGE,
        splits: int = DEFAULT_SPLITS, seed: int = 0) -> CJResult:
    """Fit a Bradley–Terry scale to the judgements and report its reliability figures.

    ``scripts`` are the ids of the set, in the order the result lists them; a judgement
    naming another id is a ``ValueError``. ``splits`` random halvings of the judges (seeded
    by ``seed``, so the figure is repeatable) give the split-half reliability; 0 skips it."""
    ids = list(scripts)
    index = {sid: i for i, sid in enumerate(ids)}
    if len(index) != len(ids):
        raise ValueError("the script ids are not unique")
    js = _judgements(judgements, index)
    n = len(ids)
    w = np.fromiter((index[j.winner] for j in js), dtype=np.intp, count=len(js))
    l = np.fromiter((index[j.loser] for j in js), dtype=np.intp, count=len(js))  # noqa: E741
    theta = _bradley_terry(n, w, l, ridge)

    p = expit(theta[w] - theta[l])
    q = p * (1 - p)
    r2 = (1 - p) ** 2  # squared residual of the winner's outcome (the loser's is the same)
    counts = np.bincount(w, minlength=n) + np.bincount(l, minlength=n)
    wins = np.bincount(w, minlength=n)
    info = np.bincount(w, q, n) + np.bincount(l, q, n)
    resid = np.bincount(w, r2, n) + np.bincount(l, r2, n)
    judged = counts > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(judged, 1 / np.sqrt(info), np.inf)
        infit = np.where(judged, resid / info, np.nan)

    if judged.any():
        mean, sd = float(theta[judged].mean()), float(theta[judged].std())
    else:
        mean, sd = 0.0, 0.0
    scaled = SCALED_MEAN + (SCALED_SD * (theta - mean) / sd if sd > 0 else 0 * theta)
    order = sorted(np.flatnonzero(judged), key=lambda i: -theta[i])
    rank = np.zeros(n, dtype=int)
    rank[order] = np.arange(1, len(order) + 1)

    ssr = separation_reliability(theta[judged], se[judged])

    components = 0
    if judged.any():
        graph = coo_matrix((np.ones(len(js)), (w, l)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        components = len(set(labels[judged].tolist()))

    # judges
    judge_of = [j.judge for j in js]
    by_judge: dict[Hashable, list[int]] = defaultdict(list)
    for k, judge in enumerate(judge_of):
        if judge is not None:
            by_judge[judge].append(k)
    judge_infit = {judge: float(r2[ks].sum() / q[ks].sum()) if q[ks].sum() > 0 else math.nan
                   for judge, ks in by_judge.items()}
    values = np.array([v for v in judge_infit.values() if math.isfinite(v)])
    # mean + 2 population SDs of the judges' infits. No value can lie more than √(k − 1) SDs
    # above the mean of k values, so with five judges or fewer nobody is ever flagged.
    limit = (values.mean() + JUDGE_FLAG_SDS * values.std()) if len(values) >= 3 else math.inf
    judges = tuple(JudgeFit(judge, judge_infit[judge], len(by_judge[judge]),
                            bool(math.isfinite(judge_infit[judge]) and judge_infit[judge] > limit))
                   for judge in sorted(by_judge, key=str))

    split_half = _split_half(n, w, l, judge_of, ridge, theta, splits, seed)
    corrected = None if split_half is None or split_half <= -1 else 2 * split_half / (1 + split_half)

    return CJResult(
        scripts=tuple(ScriptScore(ids[i], float(theta[i]), float(scaled[i]), float(se[i]),
                                  float(infit[i]), int(counts[i]), int(wins[i]), int(rank[i]))
                      for i in range(n)),
        ssr=ssr, split_half=split_half, split_half_corrected=corrected, judges=judges,
        judgements=len(js), connected=components <= 1, ridge=ridge, splits=splits)


def _split_half(n: int, w: np.ndarray, l: np.ndarray, judge_of: list[Hashable | None],  # noqa: E741
                ridge: float, start: np.ndarray, splits: int, seed: int) -> float | None:
    """Average over ``splits`` random halvings of the judges of the Pearson correlation
    between the scores each half gives, over the scripts judged in both halves."""
    judges = sorted({j for j in judge_of if j is not None}, key=str)
    if len(judges) < 2 or splits <= 0:
        return None
    rng = np.random.default_rng(seed)
    codes = {j: k for k, j in enumerate(judges)}
    judge_code = np.array([codes.get(j, -1) for j in judge_of])
    values = []
    for _ in range(splits):
        perm = rng.permutation(len(judges))
        first = np.zeros(len(judges), dtype=bool)
        first[perm[: len(judges) // 2]] = True
        in_first = np.where(judge_code >= 0, first[np.maximum(judge_code, 0)], False)
        in_second = (judge_code >= 0) & ~in_first
        thetas, seen = [], []
        for mask in (in_first, in_second):
            wm, lm = w[mask], l[mask]
            thetas.append(_bradley_terry(n, wm, lm, ridge, start=start, tol=1e-6))
            seen.append((np.bincount(wm, minlength=n) + np.bincount(lm, minlength=n)) > 0)
        both = seen[0] & seen[1]
        value = _pearson(thetas[0][both], thetas[1][both])
        if value is not None:
            values.append(value)
    return float(np.mean(values)) if values else None


# --------------------------------------------------------------------------- pairing


@dataclass(frozen=True)
class Progress:
    made: int
    target: int

    @property
    def fraction(self) -> float:
        return 1.0 if self.target == 0 else min(1.0, self.made / self.target)

    def to_json(self) -> dict[str, Any]:
        return {"made": self.made, "target": self.target, "fraction": round(self.fraction, 4)}


def progress(scripts: Sequence[Hashable], judgements: Iterable[Any],
             target_per_script: int = DEFAULT_TARGET) -> Progress:
    """Judgements made (between scripts of the set) against target × scripts / 2."""
    ids = set(scripts)
    made = sum(1 for j in map(_judgement, judgements) if j.winner in ids and j.loser in ids)
    return Progress(made, math.ceil(target_per_script * len(ids) / 2))


def next_pairs(scripts: Sequence[Hashable], judgements: Iterable[Any], judge: Hashable | None,
               n: int, target_per_script: int = DEFAULT_TARGET,
               seed: int | None = None) -> list[tuple[Hashable, Hashable]]:
    """The next ``n`` pairs for ``judge``, as (left, right): balanced and random, not adaptive.

    Each pair is chosen greedily: first the script with the fewest judgements so far
    (preferring one this judge has not seen yet), among those that still have a partner this
    judge has not been shown it with; then its partner: a pair this judge has not judged,
    then the fewest judgements, then a script this judge has not seen, then a pair nobody
    has judged yet; remaining ties at random. Left and right are placed at random. Scores
    are never consulted, so the reliability figures are not inflated.

    Pairs are still returned once the target is reached (judging more only helps);
    :func:`progress` says when it is. Judgements naming scripts outside ``scripts`` are
    ignored. Ask for a few pairs at a time when several judges work at once: the counts do
    not know about pairs handed to other judges and not yet judged."""
    del target_per_script  # the target drives progress(); balance does not need it
    ids = list(dict.fromkeys(scripts))
    if len(ids) < 2 or n <= 0:
        return []
    rng = random.Random(seed)
    members = set(ids)
    count: Counter[Hashable] = Counter()
    pair_count: Counter[frozenset] = Counter()
    mine: Counter[frozenset] = Counter()
    seen_by_judge: set[Hashable] = set()
    judges_of: dict[Hashable, set] = defaultdict(set)
    for j in map(_judgement, judgements):
        if j.winner not in members or j.loser not in members or j.winner == j.loser:
            continue
        pair = frozenset((j.winner, j.loser))
        count[j.winner] += 1
        count[j.loser] += 1
        pair_count[pair] += 1
        for sid in pair:
            judges_of[sid].add(j.judge)
        if j.judge == judge:
            mine[pair] += 1
            seen_by_judge.update(pair)
    # how many partners each script still has that this judge has not been shown it with
    unshown = {sid: len(ids) - 1 for sid in ids}
    for pair in mine:
        for sid in pair:
            unshown[sid] -= 1

    chosen: list[tuple[Hashable, Hashable]] = []
    for _ in range(n):
        open_ids = [sid for sid in ids if unshown[sid] > 0] or ids
        first = min(open_ids, key=lambda s: (count[s], s in seen_by_judge, rng.random()))

        def partner_key(s: Hashable, first: Hashable = first) -> tuple:
            pair = frozenset((first, s))
            return (mine[pair], count[s], s in seen_by_judge, judge in judges_of[s],
                    pair_count[pair], rng.random())

        second = min((s for s in ids if s != first), key=partner_key)
        pair = frozenset((first, second))
        if mine[pair] == 0:
            unshown[first] -= 1
            unshown[second] -= 1
        mine[pair] += 1
        pair_count[pair] += 1
        count[first] += 1
        count[second] += 1
        seen_by_judge.update(pair)
        for sid in pair:
            judges_of[sid].add(judge)
        chosen.append((first, second) if rng.random() < 0.5 else (second, first))
    return chosen


# --------------------------------------------------------------------------- beside the marks


def _ranks(values: Sequence[float]) -> np.ndarray:
    """Ranks, 1 = highest, ties sharing their average rank."""
    v = np.asarray(values, dtype=float)
    order = np.argsort(-v, kind="stable")
    ranks = np.empty(len(v))
    ranks[order] = np.arange(1, len(v) + 1)
    for value in np.unique(v):
        tied = v == value
        if tied.sum() > 1:
            ranks[tied] = ranks[tied].mean()
    return ranks


@dataclass(frozen=True)
class RankRow:
    id: Hashable
    cj_rank: float
    mark_rank: float
    total: float
    score: float
    #: mark_rank − cj_rank: positive when the rubric places the script lower than CJ does.
    difference: float
    flagged: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": _json_id(self.id), "cj_rank": self.cj_rank, "mark_rank": self.mark_rank,
                "total": self.total, "score": _num(self.score, 4),
                "difference": self.difference, "flagged": self.flagged}


@dataclass(frozen=True)
class MarkComparison:
    #: Scripts both judged and marked, the largest disagreement first.
    rows: tuple[RankRow, ...]
    #: Spearman correlation of the CJ scores and the rubric totals (None below 3 scripts).
    spearman: float | None
    #: A script is flagged when its ranks differ by at least this many places.
    threshold: float

    @property
    def flagged(self) -> list[RankRow]:
        return [r for r in self.rows if r.flagged]

    def to_json(self) -> dict[str, Any]:
        return {"rows": [r.to_json() for r in self.rows],
                "spearman": _num(self.spearman, 3) if self.spearman is not None else None,
                "threshold": self.threshold}


def compare_with_marks(cj_result: CJResult, totals: Mapping[Hashable, float | None], *,
                       flag_fraction: float = 0.25, min_places: float = 2) -> MarkComparison:
    """The CJ rank beside the rubric-total rank, for scripts both judged and marked.

    Ranks count from 1 (the best), ties share their average rank. A script is flagged when
    the two ranks differ by at least ``flag_fraction`` of the scripts compared (and at least
    ``min_places`` places): a quarter of the set apart by default."""
    scored = [s for s in cj_result.scripts if s.judged and totals.get(s.id) is not None]
    if not scored:
        return MarkComparison((), None, 0.0)
    scores = [s.score for s in scored]
    marks = [float(totals[s.id]) for s in scored]  # type: ignore[arg-type]
    cj_rank, mark_rank = _ranks(scores), _ranks(marks)
    threshold = max(float(min_places), flag_fraction * len(scored))
    rows = [RankRow(s.id, float(cj_rank[k]), float(mark_rank[k]), marks[k], s.score,
                    float(mark_rank[k] - cj_rank[k]),
                    bool(abs(mark_rank[k] - cj_rank[k]) >= threshold))
            for k, s in enumerate(scored)]
    rows.sort(key=lambda r: (-abs(r.difference), r.cj_rank))
    spearman = _pearson(cj_rank, mark_rank) if len(scored) >= 3 else None
    return MarkComparison(tuple(rows), spearman, threshold)


@dataclass(frozen=True)
class AnchorLine:
    """mark ≈ intercept + slope · score, fitted by least squares on the anchor scripts."""

    slope: float
    intercept: float
    anchors: int
    #: Correlation of score and mark over the anchors, and the RMS of the line's residuals.
    r: float | None
    rmse: float
    max_mark: float | None
    #: Every judged script's mapped mark, clamped to 0..max_mark (None for unjudged scripts).
    mapped: dict[Hashable, float | None]

    def mark_for(self, score: float) -> float:
        value = self.intercept + self.slope * score
        value = max(0.0, value)
        return min(self.max_mark, value) if self.max_mark is not None else value

    def to_json(self) -> dict[str, Any]:
        return {"slope": _num(self.slope, 4), "intercept": _num(self.intercept, 4),
                "anchors": self.anchors, "r": _num(self.r, 3) if self.r is not None else None,
                "rmse": _num(self.rmse, 3), "max_mark": self.max_mark,
                "mapped": [{"id": _json_id(k), "mark": _num(v, 2) if v is not None else None,
                            "rounded": round(v) if v is not None else None}
                           for k, v in self.mapped.items()]}


def anchor_line(cj_result: CJResult, definitive_marks: Mapping[Hashable, float], *,
                max_mark: float | None = None) -> AnchorLine:
    """A least-squares line from CJ score to mark over the anchor scripts (those with a
    definitive mark that were judged), applied to every judged script and clamped to
    0..``max_mark``. Needs two anchors with different scores (else ``ValueError``)."""
    anchors = [(cj_result[sid].score, float(mark)) for sid, mark in definitive_marks.items()
               if mark is not None and sid in cj_result._by_id and cj_result[sid].judged]
    if len(anchors) < 2:
        raise ValueError("an anchor line needs at least two judged scripts with definitive marks")
    x = np.array([a[0] for a in anchors])
    y = np.array([a[1] for a in anchors])
    if np.ptp(x) == 0:
        raise ValueError("the anchor scripts all have the same CJ score")
    slope, intercept = np.polyfit(x, y, 1)
    rmse = float(np.sqrt(np.mean((y - (intercept + slope * x)) ** 2)))
    line = AnchorLine(float(slope), float(intercept), len(anchors), _pearson(x, y), rmse,
                      max_mark, {})
    line.mapped.update({s.id: line.mark_for(s.score) if s.judged else None
                        for s in cj_result.scripts})
    return line
