"""Moderation over a marking set: each marker's marks read once, then the pure statistics.

The statistics (:mod:`rubric.moderation`) work on plain ``{script: mark}`` mappings; this
module reads those mappings from an open set (:meth:`MarksTable.from_set`) or from an
export's snapshot (:meth:`MarksTable.from_snapshot`, so an export shows exactly what it
read), and runs the statistics the command line, the markbook and the report share:

* :func:`find_marker` — a marker as a person types it (name, initials, ``name:role``);
* :func:`compare` — agreement of markers per criterion and on totals, alpha, the markers
  overview and rank-order reversals (:class:`Comparison`);
* :func:`plan_sample` — a moderation sample from the rank order of the teacher's totals;
* :func:`propose` — the adjustment line(s) from a teacher's marks to the moderator's
  (:class:`AdjustmentPlan`), and :func:`apply_plan` / :func:`undo_adjustment` to write it
  as one step and take it back.

What is counted follows :mod:`rubric.marking`: only the current scheme's criteria and only
marks inside 0..maximum; a script's *total* counts only when every criterion is marked
(a half-marked script would look harsh).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rubric import marking
from rubric.errors import MarkError
from rubric.moderation import (
    AdjustmentRefused,
    Agreement,
    Line,
    MarkerOverview,
    ModerationError,
    RankReversal,
    agreement,
    choose_sample,
    default_tolerance,
    fit_line,
    krippendorff_alpha_interval,
    markers_overview,
    marks_matrix,
    propose_adjustment,
    rank_reversals,
    sample_size,
)
from rubric.scheme import Criterion, Scheme

#: The audit actions of an adjustment and of its undoing.
ADJUSTMENT_ACTION = "moderation adjustment"
UNDO_ACTION = "undo moderation adjustment"

_ROLE_ORDER = ("teacher", "second", "moderator")


def _role_rank(marker: Any) -> tuple[int, int]:
    role = str(marker.role)
    return (_ROLE_ORDER.index(role) if role in _ROLE_ORDER else len(_ROLE_ORDER), marker.id)


def marker_json(marker: Any) -> dict[str, Any]:
    return {"id": int(marker.id), "name": marker.name, "initials": marker.initials,
            "role": str(marker.role)}


def marker_label(marker: Any) -> str:
    """"Priya Patel (PP, teacher)"."""
    return f"{marker.name} ({marker.initials}, {marker.role})"


# -- reading the marks --------------------------------------------------------------------


@dataclass(frozen=True)
class ScriptInfo:
    id: int
    candidate: str  # "Amira Khan (4017)"
    candidate_name: str
    candidate_number: str
    display_name: str  # "Amira Khan", or the file name's stem when there is no name


@dataclass
class MarksTable:
    """Every marker's counted marks per script and criterion, as plain values."""

    scheme: Scheme
    scripts: list[ScriptInfo]
    markers: list[Any]  # rubric.store.Marker, teachers first
    #: (script id, marker id) → {criterion: mark}, only marks that count
    marks: dict[tuple[int, int], dict[str, int]] = field(default_factory=dict)

    @classmethod
    def _build(cls, scheme: Scheme, summaries: Iterable[Any], markers: Iterable[Any],
               rows: Iterable[tuple[int, int, Any]]) -> MarksTable:
        present = {int(s.id) for s in summaries}
        marks: dict[tuple[int, int], dict[str, int]] = {}
        for script_id, marker_id, mark in rows:
            # the one rule of what counts: a mark a total would count (rubric.marking)
            if int(script_id) not in present or marking.total(scheme, [mark]) is None:
                continue
            marks.setdefault((int(script_id), int(marker_id)), {})[mark.criterion] = mark.mark
        return cls(scheme=scheme,
                   scripts=[ScriptInfo(int(s.id), s.candidate, s.candidate_name,
                                       s.candidate_number, s.display_name) for s in summaries],
                   markers=sorted(markers, key=_role_rank), marks=marks)

    @classmethod
    def from_set(cls, marking_set: Any) -> MarksTable:
        """Read from an open :class:`~rubric.store.MarkingSet` (scripts still in the set),
        leaving out the marks the current marker may not see (a blind marker sees only
        their own, as in every export)."""
        summaries = marking_set.scripts()
        hidden_markers = getattr(marking_set, "hidden_markers", None)
        hidden = set(hidden_markers(None)) if hidden_markers is not None else set()
        return cls._build(marking_set.scheme, summaries, marking_set.markers(),
                          ((m.script_id, m.marker_id, m) for m in marking_set.marks()
                           if m.marker_id not in hidden))

    @classmethod
    def from_snapshot(cls, snapshot: Any) -> MarksTable:
        """Read from an export's :class:`~rubric.export.snapshot.SetSnapshot`."""
        rows = ((script_id, marker_id, mark)
                for (script_id, marker_id), by_criterion in snapshot.marks.items()
                for mark in by_criterion.values())
        return cls._build(snapshot.scheme, snapshot.scripts, snapshot.markers.values(), rows)

    # -- queries -----------------------------------------------------------------------

    def script(self, script_id: int) -> ScriptInfo:
        by_id = self.__dict__.get("_by_id")
        if by_id is None or len(by_id) != len(self.scripts):
            by_id = self.__dict__["_by_id"] = {info.id: info for info in self.scripts}
        try:
            return by_id[script_id]
        except KeyError:
            raise ModerationError(f"no script {script_id} in this set") from None

    def candidate(self, script_id: int) -> str:
        return self.script(script_id).candidate

    def marker(self, marker_id: int) -> Any:
        for marker in self.markers:
            if marker.id == marker_id:
                return marker
        raise ModerationError(f"no marker {marker_id} in this set")

    def markers_with_marks(self) -> list[Any]:
        ids = {marker_id for _, marker_id in self.marks}
        return [m for m in self.markers if m.id in ids]

    def criterion_marks(self, marker_id: int, criterion: str) -> dict[int, int]:
        """``{script id: mark}`` of one marker on one criterion (marked scripts only)."""
        out = {}
        for info in self.scripts:
            value = self.marks.get((info.id, marker_id), {}).get(criterion)
            if value is not None:
                out[info.id] = value
        return out

    def totals(self, marker_id: int) -> dict[int, int]:
        """``{script id: total}`` of the scripts this marker marked on every criterion."""
        names = [c.name for c in self.scheme.criteria]
        out = {}
        for info in self.scripts:
            marks = self.marks.get((info.id, marker_id), {})
            if all(name in marks for name in names):
                out[info.id] = sum(marks[name] for name in names)
        return out

    def marks_of(self, marker_id: int, criterion: str | None) -> dict[int, int]:
        """One criterion's marks, or the totals when ``criterion`` is None."""
        return self.totals(marker_id) if criterion is None else \
            self.criterion_marks(marker_id, criterion)

    def scripts_marked_by(self, marker_id: int) -> list[int]:
        return [info.id for info in self.scripts if (info.id, marker_id) in self.marks]


def find_marker(markers: Sequence[Any], text: str) -> Any:
    """The marker ``text`` names: their name or initials (any case), or ``name:role`` when
    one name has two roles. A clear :class:`MarkError` when none or several match."""
    wanted = text.strip()
    role = None
    if ":" in wanted:
        head, _, tail = wanted.rpartition(":")
        if tail.strip().casefold() in _ROLE_ORDER:
            wanted, role = head.strip(), tail.strip().casefold()
    key = wanted.casefold()
    pool = [m for m in markers if role is None or str(m.role) == role]
    for matches in ([m for m in pool if m.name.casefold() == key],
                    [m for m in pool if m.initials.casefold() == key]):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = ", ".join(f"{m.name}:{m.role}" for m in matches)
            raise MarkError(f"'{text}' names {len(matches)} markers ({names}); "
                            "say which, e.g. 'NAME:moderator'")
    known = ", ".join(f"{m.name} ({m.initials}, {m.role})" for m in markers) or "none yet"
    raise MarkError(f"no marker called '{text}' in this set (markers: {known})")


# -- tolerances --------------------------------------------------------------------------


def tolerances(scheme: Scheme, tolerance: float | None = None) -> tuple[float, dict[str, float]]:
    """``(tolerance on the total, {criterion: tolerance})``. Without ``tolerance``, each is
    3 marks on 25 scaled by its maximum; with it (marks on the total), each criterion gets
    its share by maximum (5 on an NEA's 40 is 2.5 on AO1's 20)."""
    if tolerance is None:
        return (default_tolerance(scheme.total),
                {c.name: default_tolerance(c.maximum) for c in scheme.criteria})
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) \
            or math.isnan(tolerance) or tolerance < 0:
        raise ModerationError(f"the tolerance must be a number of marks of 0 or more, "
                              f"not {tolerance!r}")
    if len(scheme.criteria) == 1:
        return tolerance, {scheme.criteria[0].name: tolerance}
    return tolerance, {c.name: tolerance * c.maximum / scheme.total for c in scheme.criteria}


def _levels_of_total(scheme: Scheme) -> Criterion | None:
    """The levels a total has: a one-criterion scheme's; otherwise none."""
    return scheme.criteria[0] if len(scheme.criteria) == 1 else None


# -- comparing markers -------------------------------------------------------------------


@dataclass(frozen=True)
class PairAgreement:
    """Marker ``a`` against marker ``b`` (differences are b − a)."""

    a: Any
    b: Any
    criteria: dict[str, Agreement]
    total: Agreement

    def to_json(self) -> dict[str, Any]:
        return {"a": marker_json(self.a), "b": marker_json(self.b),
                "criteria": {name: ag.to_json() for name, ag in self.criteria.items()},
                "total": self.total.to_json()}


@dataclass(frozen=True)
class Reversal:
    a: Any
    b: Any
    reversal: RankReversal
    higher: str  # candidate labels
    lower: str

    def to_json(self) -> dict[str, Any]:
        return {"markers": [self.a.name, self.b.name], **self.reversal.to_json(),
                "higher_candidate": self.higher, "lower_candidate": self.lower}


@dataclass(frozen=True)
class Comparison:
    """Everything ``essay-marker stats`` reports for a group of markers."""

    scheme: Scheme
    markers: list[Any]
    tolerance: float
    criterion_tolerances: dict[str, float]
    pairs: list[PairAgreement]
    alpha_total: float | None
    alpha_criteria: dict[str, float | None]
    reference: Any | None  # the moderator, or None: the others' mean
    overview: list[MarkerOverview]
    reversals: list[Reversal]
    names: dict[int, str]  # script id → candidate

    @property
    def main(self) -> PairAgreement:
        return self.pairs[0]

    def to_json(self) -> dict[str, Any]:
        by_id = {m.id: m for m in self.markers}
        overview = []
        for row in self.overview:
            data = row.to_json()
            data.update(marker=by_id[row.marker].name, marker_id=int(row.marker),
                        role=str(by_id[row.marker].role))
            overview.append(data)
        result = {
            "markers": [marker_json(m) for m in self.markers],
            "a": marker_json(self.main.a), "b": marker_json(self.main.b),
            "tolerance": self.tolerance,
            "criteria": {n: ag.to_json() for n, ag in self.main.criteria.items()},
            "total": self.main.total.to_json(),
            "alpha": {"total": self.alpha_total, "criteria": dict(self.alpha_criteria)},
            "reference": None if self.reference is None else marker_json(self.reference),
            "overview": overview,
            "reversals": [r.to_json() for r in self.reversals],
            "candidates": {str(k): v for k, v in self.names.items()},
        }
        if len(self.pairs) > 1:
            result["pairs"] = [p.to_json() for p in self.pairs]
        return result


def pair_agreement(table: MarksTable, a: Any, b: Any, tolerance: float | None = None,
                   *, top: int = 10) -> PairAgreement:
    total_tolerance, per_criterion = tolerances(table.scheme, tolerance)
    criteria = {
        c.name: agreement(table.criterion_marks(a.id, c.name), table.criterion_marks(b.id, c.name),
                          c.maximum, c, per_criterion[c.name], top=top)
        for c in table.scheme.criteria}
    total = agreement(table.totals(a.id), table.totals(b.id), table.scheme.total,
                      _levels_of_total(table.scheme), total_tolerance, top=top)
    return PairAgreement(a, b, criteria, total)


def reference_marker(markers: Sequence[Any]) -> Any | None:
    """The moderator among ``markers`` (the first, if several), else None."""
    return next((m for m in markers if str(m.role) == "moderator"), None)


def compare(table: MarksTable, markers: Sequence[Any], tolerance: float | None = None,
            *, reversal_limit: int = 50) -> Comparison:
    """Agreement of every pair of ``markers`` (in the order given: the first pair is the
    main one), Krippendorff's alpha across them all, each against the moderator (or, with
    none, the others' mean), and the rank-order reversals beyond the tolerance."""
    markers = list(markers)
    if len(markers) < 2:
        raise ModerationError("compare at least two markers")
    if len({m.id for m in markers}) != len(markers):
        raise ModerationError("a marker is named twice")
    total_tolerance, per_criterion = tolerances(table.scheme, tolerance)
    pairs = [pair_agreement(table, a, b, tolerance) for a, b in itertools.combinations(markers, 2)]
    if pairs[0].total.compared == 0 and all(ag.compared == 0 for ag in pairs[0].criteria.values()):
        raise ModerationError(f"{markers[0].name} and {markers[1].name} have not marked any "
                              "script in common")

    def alpha(criterion: str | None) -> float | None:
        _, _, matrix = marks_matrix({m.id: table.marks_of(m.id, criterion) for m in markers})
        return krippendorff_alpha_interval(matrix)

    reference = reference_marker(markers)
    totals = {m.id: table.totals(m.id) for m in markers}
    overview = markers_overview(totals, None if reference is None else reference.id,
                                maximum=table.scheme.total, tolerance=total_tolerance)
    if reference is not None:
        reversal_pairs = [(m, reference) for m in markers if m.id != reference.id]
    else:
        reversal_pairs = list(itertools.combinations(markers, 2))
    reversals = []
    for a, b in reversal_pairs:
        for found in rank_reversals(totals[a.id], totals[b.id], total_tolerance,
                                    maximum=table.scheme.total, limit=reversal_limit):
            reversals.append(Reversal(a, b, found, table.candidate(found.higher),
                                      table.candidate(found.lower)))
    reversals.sort(key=lambda r: -r.reversal.gap)
    return Comparison(
        scheme=table.scheme, markers=markers, tolerance=total_tolerance,
        criterion_tolerances=per_criterion, pairs=pairs,
        alpha_total=alpha(None),
        alpha_criteria={c.name: alpha(c.name) for c in table.scheme.criteria},
        reference=reference, overview=overview, reversals=reversals[:reversal_limit],
        names={info.id: info.candidate for info in table.scripts})


def mean_difference_words(a_name: str, b_name: str, mean: float | None) -> str:
    """"On average Jo Brown gave 1.2 marks more than Priya Patel." (mean = b − a)."""
    if mean is None:
        return "no scripts to compare"
    if abs(mean) < 0.05:
        return f"on average {b_name} and {a_name} gave the same marks"
    more = "more" if mean > 0 else "fewer"
    amount = abs(mean)
    return (f"on average {b_name} gave {amount:.1f} mark{'' if round(amount, 1) == 1 else 's'} "
            f"{more} than {a_name}")


# -- samples -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SamplePlan:
    """The scripts of a moderation sample, highest total first."""

    scripts: list[tuple[int, str, int]]  # (script id, candidate, total)
    marked: int  # scripts with a total to rank
    size: int
    rule: str | None  # None when a size was given
    marker: Any | None  # whose totals rank the scripts (None: each script's teacher)

    @property
    def ids(self) -> list[int]:
        return [script_id for script_id, _, _ in self.scripts]

    def to_json(self) -> list[dict[str, Any]]:
        return [{"id": i, "candidate": c, "total": t} for i, c, t in self.scripts]


def teacher_totals(table: MarksTable, marker: Any | None = None) -> dict[int, int]:
    """The totals a sample ranks: ``marker``'s, or each script's first teacher (then second
    marker) who marked it on every criterion. Moderators' marks never rank a sample."""
    if marker is not None:
        return table.totals(marker.id)
    out: dict[int, int] = {}
    for m in table.markers:
        if str(m.role) == "moderator":
            continue
        for script_id, total in table.totals(m.id).items():
            out.setdefault(script_id, total)
    return {info.id: out[info.id] for info in table.scripts if info.id in out}


def plan_sample(table: MarksTable, *, size: int | None = None, rule: str | None = None,
                marker: Any | None = None) -> SamplePlan:
    """``size`` scripts (or as many as ``rule`` asks for; the default rule when neither is
    given) spread through the rank order of the teacher's totals, the highest and lowest
    always in."""
    if size is not None and rule is not None:
        raise ModerationError("give a sample size or a rule, not both")
    totals = teacher_totals(table, marker)
    if not totals:
        who = marker.name if marker is not None else "any teacher"
        raise ModerationError(f"no script has been marked on every criterion by {who}: "
                              "there is nothing to sample")
    if size is None:
        rule = rule or "default"
        size = sample_size(len(totals), rule)
    elif isinstance(size, bool) or not isinstance(size, int) or size < 2:
        raise ModerationError("a sample needs at least 2 scripts (the highest and the lowest)")
    chosen = choose_sample(totals, size)
    return SamplePlan([(k, table.candidate(k), totals[k]) for k in chosen], len(totals),
                      len(chosen), rule, marker)


# -- adjustment --------------------------------------------------------------------------


@dataclass(frozen=True)
class AdjustedScript:
    id: int
    candidate: str
    before: dict[str, int]  # criterion → the teacher's mark
    after: dict[str, int]
    moderator: dict[str, int]  # criterion → the moderator's mark (sampled scripts)
    scheme: Scheme

    def _total(self, marks: dict[str, int]) -> int | None:
        if not all(c.name in marks for c in self.scheme.criteria):
            return None
        return sum(marks[c.name] for c in self.scheme.criteria)

    @property
    def before_total(self) -> int | None:
        return self._total(self.before)

    @property
    def after_total(self) -> int | None:
        return self._total(self.after)

    @property
    def moderator_total(self) -> int | None:
        return self._total(self.moderator) if self.moderator else None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def to_json(self) -> dict[str, Any]:
        data = {"id": self.id, "candidate": self.candidate, "before": self.before_total,
                "after": self.after_total, "moderator": self.moderator_total}
        if len(self.scheme.criteria) > 1:
            data["criteria"] = {c.name: {"before": self.before.get(c.name),
                                         "after": self.after.get(c.name),
                                         "moderator": self.moderator.get(c.name)}
                                for c in self.scheme.criteria}
        return data


@dataclass(frozen=True)
class AdjustmentPlan:
    """What moderating ``teacher`` by ``moderator`` asks for."""

    teacher: Any
    moderator: Any
    scheme: Scheme
    tolerance: float
    criterion_tolerances: dict[str, float]
    sampled: int  # scripts both marked (on any criterion)
    out_of_tolerance: list[int]  # sampled scripts with a difference outside tolerance
    needed: bool
    total_line: Line | None  # from the teacher's totals to the moderator's
    lines: dict[str, Line | None]  # applied per criterion (None: within tolerance, kept)
    scripts: list[AdjustedScript]  # every script the teacher marked (empty if not needed)

    @property
    def line(self) -> Line | None:
        """The headline line: the criterion's for a one-criterion scheme, else the totals'."""
        if len(self.scheme.criteria) == 1:
            return self.lines.get(self.scheme.criteria[0].name)
        return self.total_line

    def changes(self) -> list[tuple[int, str, int, int]]:
        """(script, criterion, before, after) of every mark the plan changes."""
        return [(s.id, c.name, s.before[c.name], s.after[c.name])
                for s in self.scripts for c in self.scheme.criteria
                if c.name in s.before and s.before[c.name] != s.after.get(c.name)]

    @property
    def rank_order_kept(self) -> bool:
        """No two scripts swap places in the totals (equal totals may stay equal or
        become unequal; a higher total never ends up lower)."""
        pairs = sorted((s.before_total, s.after_total) for s in self.scripts
                       if s.before_total is not None and s.after_total is not None)
        return all(q[1] >= p[1] for p, q in itertools.pairwise(pairs))

    def audit_detail(self) -> dict[str, Any]:
        """The audit entry that names the adjustment (its line or lines)."""
        line = self.line
        single = len(self.scheme.criteria) == 1
        return {
            "slope": None if line is None else float(line.slope),
            "intercept": None if line is None else float(line.intercept),
            "criterion": self.scheme.criteria[0].name if single else None,
            "from": self.teacher.name, "to": self.moderator.name,
            "from_id": int(self.teacher.id), "to_id": int(self.moderator.id),
            "lines": [{"criterion": name, "slope": float(ln.slope),
                       "intercept": float(ln.intercept),
                       "exact": [str(ln.slope), str(ln.intercept)]}
                      for name, ln in self.lines.items() if ln is not None],
            "tolerance": self.tolerance, "sampled": self.sampled,
            "marks": len(self.changes()),
        }

    def to_json(self, applied: bool = False) -> dict[str, Any]:
        line = self.line
        return {
            "needed": self.needed,
            "line": None if line is None or not self.needed else line.to_json(),
            "lines": {n: None if ln is None else ln.to_json() for n, ln in self.lines.items()},
            "teacher": marker_json(self.teacher), "moderator": marker_json(self.moderator),
            "tolerance": self.tolerance, "sampled": self.sampled,
            "out_of_tolerance": list(self.out_of_tolerance),
            "scripts": [s.to_json() for s in self.scripts],
            "changed": len(self.changes()),
            "rank_order_kept": self.rank_order_kept,
            "applied": applied,
        }


def _on_a_level(criterion: Criterion, mark: int) -> int:
    """``mark``, or the nearest mark that lies in a level (lower on a tie) for a scheme
    with a gap; a nearest-point map keeps the order of marks."""
    if criterion.level_for_mark(mark) is not None:
        return mark
    candidates = [m for m in range(criterion.maximum + 1) if criterion.level_for_mark(m)]
    if not candidates:
        return mark
    return min(candidates, key=lambda m: (abs(m - mark), m))


def propose(table: MarksTable, teacher: Any, moderator: Any,
            tolerance: float | None = None) -> AdjustmentPlan:
    """The adjustment of ``teacher``'s marks to ``moderator``'s.

    It is needed, as the boards judge it, when any script both marked on every criterion
    differs by more than the tolerance **on its total** (with no such script, on any
    criterion). Then, for each criterion whose sampled marks differ by more than its
    share of the tolerance, a least-squares line is fitted over the sample and applied to
    every script the teacher marked (rounded, clamped, each criterion's order of marks
    kept); the criteria within tolerance keep their marks. Raises
    :class:`AdjustmentRefused` when a needed line cannot be fitted (naming the criterion
    on a scheme with several)."""
    if teacher.id == moderator.id:
        raise ModerationError("the teacher and the moderator must be two different markers")
    scheme = table.scheme
    total_tolerance, per_criterion = tolerances(scheme, tolerance)
    both = [s for s in table.scripts_marked_by(teacher.id)
            if (s, moderator.id) in table.marks]
    if not both:
        raise ModerationError(f"{moderator.name} has not marked any of {teacher.name}'s "
                              "scripts: there is no sample to compare")
    proposals: dict[str, Any] = {}
    refusals: dict[str, AdjustmentRefused] = {}
    for criterion in scheme.criteria:
        try:
            proposals[criterion.name] = propose_adjustment(
                table.criterion_marks(teacher.id, criterion.name),
                table.criterion_marks(moderator.id, criterion.name),
                criterion.maximum, per_criterion[criterion.name])
        except AdjustmentRefused as refusal:  # only ever when that criterion is outside
            refusals[criterion.name] = refusal
    ours, theirs = table.totals(teacher.id), table.totals(moderator.id)
    sampled_totals = [k for k in ours if k in theirs]
    order = {info.id: n for n, info in enumerate(table.scripts)}
    if sampled_totals:
        outside = [k for k in sampled_totals if abs(theirs[k] - ours[k]) > total_tolerance]
        needed = bool(outside)
    else:  # the moderator marked only some criteria: judge by those
        outside = sorted({k for p in proposals.values() if p is not None
                          for k in p.out_of_tolerance}, key=order.get)
        needed = bool(outside or refusals)
    try:
        total_line = fit_line(ours, theirs)
    except AdjustmentRefused:
        total_line = None
    lines: dict[str, Line | None] = {c.name: None for c in scheme.criteria}
    scripts = []
    if needed:
        for name, refusal in refusals.items():
            if len(scheme.criteria) == 1:
                raise refusal
            raise AdjustmentRefused(f"{name}: {refusal}")
        after_by_criterion: dict[str, dict[int, int]] = {}
        for criterion in scheme.criteria:
            proposal = proposals.get(criterion.name)
            if proposal is None:
                continue  # within its tolerance on every sampled script: kept
            lines[criterion.name] = proposal.line
            after_by_criterion[criterion.name] = {
                m.script: _on_a_level(criterion, m.after) for m in proposal.marks}
        for script_id in table.scripts_marked_by(teacher.id):
            before = dict(table.marks[(script_id, teacher.id)])
            after = {name: after_by_criterion.get(name, {}).get(script_id, value)
                     for name, value in before.items()}
            scripts.append(AdjustedScript(
                script_id, table.candidate(script_id), before, after,
                dict(table.marks.get((script_id, moderator.id), {})), scheme))
    return AdjustmentPlan(
        teacher=teacher, moderator=moderator, scheme=scheme, tolerance=total_tolerance,
        criterion_tolerances=per_criterion, sampled=len(both),
        out_of_tolerance=outside, needed=needed,
        total_line=total_line, lines=lines, scripts=scripts)


@dataclass(frozen=True)
class AppliedAdjustment:
    audit_id: int | None
    marks: int
    backup: Any  # the path of the backup taken before


def apply_plan(marking_set: Any, plan: AdjustmentPlan) -> AppliedAdjustment:
    """Write the plan's marks as the teacher's, in ONE transaction that starts with a
    "moderation adjustment" audit entry naming the line(s); each mark's own audit entry
    keeps its old value, so :func:`undo_adjustment` (or restoring the "before-adjustment"
    backup taken first) brings the teacher's marks back."""
    if not plan.needed:
        raise ModerationError("every sampled mark is within tolerance: there is nothing to apply")
    changes = plan.changes()
    backup = marking_set.backup_now(reason="before-adjustment")
    # The moderator makes the adjustment (the audit names them); the marks stay the
    # teacher's rows.
    marking_set.use_marker(plan.moderator.name, None, str(plan.moderator.role))
    with marking_set.atomic(ADJUSTMENT_ACTION, plan.audit_detail()):
        for script_id, criterion, _before, after in changes:
            marking_set.set_mark(script_id, criterion, after, marker=plan.teacher.id)
    entry = next((e for e in marking_set.audit_log(limit=len(changes) + 50)
                  if e.action == ADJUSTMENT_ACTION), None)
    return AppliedAdjustment(None if entry is None else entry.id, len(changes), backup)


@dataclass(frozen=True)
class UndoneAdjustment:
    audit_id: int  # the adjustment undone
    teacher_id: int
    marks: list[tuple[int, str, int | None, int | None]]  # (script, criterion, adjusted, restored)
    detail: dict[str, Any]


def _entries_after(marking_set: Any, entry_id: int) -> list[Any]:
    """The audit entries after ``entry_id``, oldest first."""
    limit = 1000
    while True:
        log = marking_set.audit_log(limit=limit)
        if len(log) < limit or log[-1].id <= entry_id:
            return sorted((e for e in log if e.id > entry_id), key=lambda e: e.id)
        limit *= 4


def last_adjustment(marking_set: Any) -> Any | None:
    """The newest "moderation adjustment" entry that has not been undone, or None."""
    limit = 1000
    while True:
        log = marking_set.audit_log(limit=limit)
        undone = {e.new.get("adjustment") for e in log
                  if e.action == UNDO_ACTION and isinstance(e.new, dict)}
        for entry in log:  # newest first
            if entry.action == ADJUSTMENT_ACTION and entry.id not in undone:
                return entry
        if len(log) < limit:
            return None
        limit *= 4


def undo_adjustment(marking_set: Any) -> UndoneAdjustment:
    """Put back the teacher's marks from the newest adjustment's block of the audit log,
    in one transaction (audited as "undo moderation adjustment"). Refused, changing
    nothing, when a mark of the block has been changed since."""
    entry = last_adjustment(marking_set)
    if entry is None:
        raise ModerationError("this set has no moderation adjustment to undo")
    detail = entry.new if isinstance(entry.new, dict) else {}
    teacher_id = detail.get("from_id")
    count = detail.get("marks")
    if not isinstance(teacher_id, int) or not isinstance(count, int):
        raise ModerationError(f"the adjustment (audit entry {entry.id}) does not say whose "
                              "marks it changed; restore the 'before-adjustment' backup instead")
    block = [e for e in _entries_after(marking_set, entry.id) if e.action == "set mark"][:count]
    if len(block) != count:
        raise ModerationError(f"the audit log holds {len(block)} of the adjustment's {count} "
                              "marks; restore the 'before-adjustment' backup instead")
    changed_since = []
    restores = []
    for e in block:
        new, old = e.new or {}, e.old
        current = marking_set.marks_for(e.script_id, teacher_id).get(new.get("criterion"))
        if current is None or current.mark != new.get("mark"):
            changed_since.append(f"script {e.script_id} {new.get('criterion')} (adjusted to "
                                 f"{new.get('mark')}, now "
                                 f"{'cleared' if current is None else current.mark})")
        restores.append((e.script_id, new.get("criterion"), new.get("mark"), old))
    if changed_since:
        raise ModerationError(
            f"{len(changed_since)} adjusted mark{'s have' if len(changed_since) != 1 else ' has'}"
            f" changed since: {'; '.join(changed_since[:3])}"
            f"{'…' if len(changed_since) > 3 else ''}; undo refused (nothing changed). "
            "Restore the 'before-adjustment' backup instead")
    out = []
    with marking_set.atomic(UNDO_ACTION, {"adjustment": entry.id, "marks": count,
                                          "from": detail.get("from"), "to": detail.get("to")}):
        for script_id, criterion, adjusted, old in restores:
            level = old.get("level") if isinstance(old, dict) else None
            mark = old.get("mark") if isinstance(old, dict) else None
            marking_set.restore_mark(script_id, criterion, level, mark, marker=teacher_id)
            out.append((int(script_id), criterion, adjusted, mark))
    return UndoneAdjustment(entry.id, teacher_id, out, detail)


def describe_line(line: Line | None) -> str:
    """"moderator's mark ≈ 0.950 × teacher's mark + 1.40"."""
    if line is None:
        return "no line (within tolerance: marks kept)"
    sign = "+" if line.intercept >= 0 else "−"
    return (f"moderator's mark ≈ {float(line.slope):.3f} × teacher's mark {sign} "
            f"{abs(float(line.intercept)):.2f}")


def sample_rows(table: MarksTable, markers: Sequence[Any]) -> list[tuple[ScriptInfo, list[int | None]]]:
    """Scripts marked by at least two of ``markers``, with each marker's total (None where
    not marked on every criterion), in the set's order."""
    totals = [table.totals(m.id) for m in markers]
    rows = []
    for info in table.scripts:
        values = [t.get(info.id) for t in totals]
        if sum(v is not None for v in values) >= 2:
            rows.append((info, values))
    return rows


__all__ = [
    "ADJUSTMENT_ACTION", "UNDO_ACTION", "AdjustedScript", "AdjustmentPlan", "AppliedAdjustment",
    "Comparison", "MarksTable", "PairAgreement", "Reversal", "SamplePlan", "ScriptInfo",
    "UndoneAdjustment", "apply_plan", "compare", "describe_line", "find_marker",
    "last_adjustment", "marker_json", "marker_label", "mean_difference_words", "pair_agreement",
    "plan_sample", "propose", "reference_marker", "sample_rows", "teacher_totals", "tolerances",
    "undo_adjustment",
]
