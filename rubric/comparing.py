"""Comparative judgement and the similarity check on an open marking set: the glue between
the pure cores (:mod:`rubric.cj`, :mod:`rubric.similarity`) and the set, shared by the CLI
(``cj``, ``cj-pairs``, ``judge``, ``similar``), the app and the markbook.

* :func:`cj_report` fits the set's judgements (or judgements read from a CSV file by
  :func:`read_judgements_csv`) and sets the CJ scale beside the rubric totals:
  :class:`CJReport` has ``to_json()`` and ``lines()``.
* :func:`similarity_inputs` reads the set's texts and question (on the thread that owns the
  set); :func:`find_similar` (the core's) then runs anywhere; :func:`similarity_json` and
  :func:`similarity_lines` name the candidates.

Judges are labelled by their marker name ("name (role)" when two markers share a name), so
the figures read the same from the set and from a CSV file naming the judges.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rubric import marking
from rubric.errors import EssayMarkerError, MarkError
from rubric.ids import MarkerId, ScriptId

if TYPE_CHECKING:  # pragma: no cover
    from rubric.cj import AnchorLine, CJResult, MarkComparison, Progress
    from rubric.similarity import SimilarityOptions, SimilarityReport
    from rubric.store import MarkingSet

#: Largest judgements file read (a class set needs a few hundred rows).
MAX_CSV_BYTES = 20_000_000
#: What the similarity check does and does not show, in one line.
SIMILARITY_CAVEAT = ("Shared wording is not proof of copying: shared sources, taught phrases and "
                     "quotations without quotation marks match too. Read the passages and judge.")


# --------------------------------------------------------------------------- judges


def judge_labels(marking_set: MarkingSet) -> dict[MarkerId, str]:
    """Each marker's label as a judge: the name, or "name (role)" when two share a name."""
    markers = marking_set.markers()
    names = [m.name for m in markers]
    return {m.id: m.name if names.count(m.name) == 1 else f"{m.name} ({m.role})"
            for m in markers}


def recorded_judgements(marking_set: MarkingSet, viewer: MarkerId | None = None,
                        hide_others: bool = False) -> list[tuple[ScriptId, ScriptId, str]]:
    """The set's judgements as ``(winner, loser, judge label)``. With ``hide_others``,
    those of the markers hidden from ``viewer`` (a blind marker sees only their own)."""
    labels = judge_labels(marking_set)
    hidden = marking_set.hidden_markers(viewer) if hide_others else frozenset()
    return [(j.winner_id, j.loser_id, labels.get(j.judge_id, str(j.judge_id)))
            for j in marking_set.judgements() if j.judge_id not in hidden]


def read_judgements_csv(marking_set: MarkingSet, path: str | Path
                        ) -> list[tuple[ScriptId, ScriptId, str | None]]:
    """Rows of ``winner_id,loser_id[,judge]`` (script ids of the set, or what
    ``find_script`` accepts: ``#12``, ``number:4017``); a first row of headings
    (``winner_id,loser_id,judge``) is skipped, as are blank rows. A bad row is a one-line
    :class:`MarkError` naming the file and the row."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise MarkError(f"{path.name}: too large for a judgements file "
                            f"({size:,} bytes)")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MarkError(f"{path.name}: not a UTF-8 text file") from None
    except OSError as exc:
        raise MarkError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    found: list[tuple[ScriptId, ScriptId, str | None]] = []
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise MarkError(f"{path.name}: not a CSV file ({exc})") from None
    for number, row in enumerate(rows, 1):
        cells = [c.strip() for c in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if number == 1 and cells[0].casefold().replace(" ", "_") in ("winner", "winner_id"):
            continue
        where = f"{path.name} row {number}"
        if len(cells) not in (2, 3):
            raise MarkError(f"{where}: expected winner_id,loser_id[,judge], found "
                            f"{len(cells)} values")
        try:
            winner = marking_set.find_script(cells[0])
            loser = marking_set.find_script(cells[1])
        except EssayMarkerError as exc:
            raise MarkError(f"{where}: {exc}") from None
        if winner == loser:
            raise MarkError(f"{where}: a script cannot be judged against itself "
                            f"({cells[0]})")
        found.append((winner, loser, cells[2] if len(cells) == 3 and cells[2] else None))
    return found


# --------------------------------------------------------------------------- the fit


@dataclass(frozen=True)
class CJRow:
    """One script on the CJ scale, beside its rubric total."""

    id: ScriptId
    candidate: str
    #: The core's figures for the script (:meth:`rubric.cj.ScriptScore.to_json`).
    figures: dict[str, Any]
    rubric_total: int | None
    #: Ranks among the scripts both judged and marked (1 = best, ties share the average).
    cj_rank: float | None
    rubric_rank: float | None
    #: The two ranks differ by at least the report's ``flag_threshold`` places.
    flagged: bool
    #: The CJ score on the mark scale by the anchor line (None without one).
    mapped_mark: float | None

    def to_json(self) -> dict[str, Any]:
        difference = (None if self.cj_rank is None or self.rubric_rank is None
                      else self.rubric_rank - self.cj_rank)
        return {**self.figures, "candidate": self.candidate,
                "rubric_total": self.rubric_total, "cj_rank": self.cj_rank,
                "rubric_rank": self.rubric_rank, "rank_difference": difference,
                "flagged": self.flagged,
                "mapped_mark": None if self.mapped_mark is None else round(self.mapped_mark, 2)}


@dataclass(frozen=True)
class CJReport:
    result: CJResult
    comparison: MarkComparison
    anchor: AnchorLine | None
    rows: tuple[CJRow, ...]
    progress: Progress
    per_script: int
    #: Where the judgements came from: "set" or the CSV file's name.
    source: str
    set_name: str = ""
    max_mark: int | None = None

    def ranked(self) -> list[CJRow]:
        """Judged scripts, best first."""
        return sorted((r for r in self.rows if r.figures["rank"]),
                      key=lambda r: r.figures["rank"])

    def to_json(self) -> dict[str, Any]:
        data = self.result.to_json()
        data["scripts"] = [r.to_json() for r in self.rows]
        data.update(
            source=self.source,
            progress={**self.progress.to_json(), "per_script": self.per_script},
            spearman=(None if self.comparison.spearman is None
                      else round(self.comparison.spearman, 3)),
            flag_threshold=self.comparison.threshold,
            flagged=[int(r.id) for r in self.rows if r.flagged],
            anchor=None if self.anchor is None else {
                k: v for k, v in self.anchor.to_json().items() if k != "mapped"},
        )
        return data

    def lines(self) -> list[str]:
        """The ranked table and the reliability figures, each explained in one line."""
        r = self.result
        judges = len(r.judges)
        head = (f"{self.set_name + ': ' if self.set_name else ''}{r.judgements} judgements"
                f"{f' by {judges} judge' + ('s' if judges != 1 else '') if judges else ''}"
                f" ({self.progress.made} of {self.progress.target} towards the target of "
                f"{self.per_script} per script)"
                + ("" if self.source == "set" else f", read from {self.source}"))
        out = [head]
        ranked = self.ranked()
        if not ranked:
            out.append("No script has been judged yet: essay-marker cj-pairs SET --judge NAME "
                       "--n 10 gives pairs, essay-marker judge SET WINNER LOSER records one.")
            return out
        anchored = self.anchor is not None
        width = min(34, max(9, *(len(row.candidate) for row in ranked)))
        out.append("")
        out.append(f"{'rank':>4}  {'candidate':{width}}  {'score':>6} {'se':>5} {'scaled':>6} "
                   f"{'infit':>5} {'judged':>6} {'rubric':>6} {'r.rank':>6}"
                   + ("  mapped" if anchored else ""))
        for row in ranked:
            f = row.figures
            total = "" if row.rubric_total is None else str(row.rubric_total)
            rank = "" if row.rubric_rank is None else f"{row.rubric_rank:g}"
            marks = ("!" if row.flagged else "") + ("*" if f["misfit"] else "")
            mapped = ("" if row.mapped_mark is None else f"{row.mapped_mark:6.1f}")
            out.append(f"{f['rank']:>4}  {row.candidate[:width]:{width}}  {f['score']:+6.2f} "
                       f"{f['se']:5.2f} {f['scaled']:6.1f} {f['infit']:5.2f} "
                       f"{f['judgements']:>6} {total:>6} {rank:>6}"
                       + (f"  {mapped}" if anchored else "") + (f"  {marks}" if marks else ""))
        unjudged = len(self.rows) - len(ranked)
        if unjudged:
            out.append(f"({unjudged} script{'s' if unjudged != 1 else ''} not judged yet)")
        out.append("")
        out.append(f"SSR {r.ssr:.2f}: scale separation reliability, the share of the spread of "
                   "scores that is not measurement error (about 0.7-0.8 at 10 judgements per "
                   "script).")
        if r.split_half is None:
            out.append("Split-half: needs judgements from two judges or more (how well two "
                       "halves of the judges agree; read it beside the SSR, which alone can "
                       "mislead).")
        else:
            out.append(f"Split-half {r.split_half:.2f} (stepped up to the whole panel "
                       f"{r.split_half_corrected:.2f}): how well the orders from two random "
                       "halves of the judges agree; read it beside the SSR, which alone can "
                       "mislead.")
        if self.comparison.spearman is not None:
            out.append(f"Beside the rubric: Spearman {self.comparison.spearman:.2f} between CJ "
                       f"scores and rubric totals over {len(self.comparison.rows)} scripts "
                       "judged and marked (1 = the same order).")
        flagged = [row for row in ranked if row.flagged]
        if flagged:
            out.append(f"! Rubric and CJ disagree (ranks {self.comparison.threshold:g} or more "
                       "places apart): " + "; ".join(
                           f"{row.candidate} (CJ {row.cj_rank:g}, rubric {row.rubric_rank:g})"
                           for row in flagged) + ".")
        misfits = [row for row in ranked if row.figures["misfit"]]
        if misfits:
            out.append("* Judges disagreed about (infit above 1.2): "
                       + ", ".join(row.candidate for row in misfits) + ".")
        odd = [j for j in r.judges if j.flagged]
        if odd:
            out.append("Judges out of step with the others (infit more than two SDs above the "
                       "judges' mean): " + ", ".join(str(j.judge) for j in odd) + ".")
        if self.anchor is not None:
            a = self.anchor
            out.append(f"Mapped marks: mark = {a.intercept:.1f} {'+' if a.slope >= 0 else '-'} "
                       f"{abs(a.slope):.1f} x score, fitted on {a.anchors} scripts with "
                       f"definitive marks (r {a.r if a.r is not None else float('nan'):.2f}, "
                       f"typical miss {a.rmse:.1f} marks).")
        if not r.connected:
            out.append("Warning: some scripts were never compared, even indirectly, with the "
                       "others: their scores are not on one scale. Judge more pairs.")
        return out


def shown_totals(marking_set: MarkingSet, viewer: MarkerId | None = None
                 ) -> dict[ScriptId, int | None]:
    """Each script's rubric total as the markbook shows it (``viewer``'s or the current
    marker's where they marked it, else the first marker's: :mod:`rubric.export.snapshot`;
    a blind viewer's own only)."""
    from rubric.export.snapshot import SetSnapshot

    snapshot = SetSnapshot(marking_set, viewer)
    return {s.id: snapshot.shown_total(s.id) for s in snapshot.scripts}


def definitive_totals(marking_set: MarkingSet) -> dict[ScriptId, int]:
    """Totals of the scripts whose every criterion has a definitive mark (the anchors)."""
    scheme = marking_set.scheme
    per: dict[ScriptId, dict[str, Any]] = {}
    for d in marking_set.definitive_marks():
        per.setdefault(d.script_id, {})[d.criterion] = d
    result = {}
    for script_id, marks in per.items():
        if marking.is_complete(scheme, marks):
            total = marking.total(scheme, marks)
            if total is not None:
                result[script_id] = total
    return result


@dataclass(frozen=True)
class CJInputs:
    """What a fit needs from the set, read on the thread that owns it (plain values: the
    fit, :func:`fit_report`, can then run on any thread)."""

    ids: tuple[ScriptId, ...]
    names: Mapping[ScriptId, str]
    judgements: tuple[tuple[Hashable, Hashable, Any], ...]
    totals: Mapping[ScriptId, int | None]
    anchors: Mapping[ScriptId, float]
    set_name: str = ""
    max_mark: int | None = None
    per_script: int = 10
    source: str = "set"


def cj_inputs(marking_set: MarkingSet,
              judgements: Iterable[tuple[Hashable, Hashable, Any]] | None = None, *,
              source: str = "set", totals: Mapping[ScriptId, int | None] | None = None,
              names: Mapping[ScriptId, str] | None = None,
              anchors: Mapping[ScriptId, float] | None = None,
              per_script: int | None = None, viewer: MarkerId | None = None) -> CJInputs:
    """The set's scripts, judgements (or ``judgements``), rubric totals (default:
    :func:`shown_totals`) and anchors (default: :func:`definitive_totals`), as ``viewer``
    (default: the current marker) may see them: a blind marker's own only."""
    summaries = marking_set.scripts()
    ids = tuple(s.id for s in summaries)
    known = set(ids)
    js = list(recorded_judgements(marking_set, viewer, hide_others=True) if judgements is None
              else judgements)
    return CJInputs(
        ids=ids, names=names if names is not None else {s.id: s.candidate for s in summaries},
        judgements=tuple(j for j in js if j[0] in known and j[1] in known),
        totals=shown_totals(marking_set, viewer) if totals is None else totals,
        anchors=(definitive_totals(marking_set) if marking_set.sees_others(viewer) else {})
        if anchors is None else anchors,
        set_name=marking_set.name, max_mark=marking_set.scheme.total,
        per_script=per_script or 10, source=source)


def fit_report(inputs: CJInputs, seed: int = 0) -> CJReport:
    """The CJ fit of ``inputs`` beside the rubric totals, with an anchor line when two judged
    scripts or more have definitive marks. Touches no set: safe on a worker thread."""
    from rubric import cj

    result = cj.fit(inputs.judgements, inputs.ids, seed=seed)
    comparison = cj.compare_with_marks(result, inputs.totals)
    anchor = None
    if inputs.anchors:
        try:
            anchor = cj.anchor_line(result, inputs.anchors, max_mark=inputs.max_mark)
        except ValueError:
            anchor = None
    by_id = {row.id: row for row in comparison.rows}
    rows = []
    for score in result.scripts:
        compared = by_id.get(score.id)
        rows.append(CJRow(
            id=ScriptId(score.id), candidate=inputs.names.get(score.id, str(score.id)),
            figures=score.to_json(), rubric_total=inputs.totals.get(score.id),
            cj_rank=compared.cj_rank if compared else None,
            rubric_rank=compared.mark_rank if compared else None,
            flagged=bool(compared and compared.flagged),
            mapped_mark=anchor.mapped.get(score.id) if anchor else None))
    return CJReport(result, comparison, anchor, tuple(rows),
                    cj.progress(inputs.ids, inputs.judgements, inputs.per_script),
                    inputs.per_script, inputs.source, inputs.set_name, inputs.max_mark)


def cj_report(marking_set: MarkingSet,
              judgements: Iterable[tuple[Hashable, Hashable, Any]] | None = None, *,
              seed: int = 0, **options: Any) -> CJReport:
    """:func:`fit_report` of :func:`cj_inputs` (the same keyword options)."""
    return fit_report(cj_inputs(marking_set, judgements, **options), seed=seed)


def pair_lines(pairs: Sequence[tuple[ScriptId, ScriptId]], names: Mapping[ScriptId, str]
               ) -> list[str]:
    """``left_id right_id  Left Candidate | Right Candidate`` per pair."""
    return [f"{left} {right}  {names.get(left, '?')} | {names.get(right, '?')}"
            for left, right in pairs]


def progress_line(progress: Progress, per_script: int) -> str:
    """"37 of 150 judgements (10 per script)"."""
    return f"{progress.made} of {progress.target} judgements ({per_script} per script)"


# --------------------------------------------------------------------------- similarity


def similarity_inputs(marking_set: MarkingSet, ids: Sequence[ScriptId] | None = None
                      ) -> tuple[dict[ScriptId, tuple], list[str]]:
    """The scripts' paragraphs (the store's, with their kinds) and the question texts to
    leave out: the scheme's question and the scripts' titles. Read here, on the thread
    that owns the set; the comparison itself can then run on any thread."""
    ids = marking_set.script_ids() if ids is None else list(ids)
    texts: dict[ScriptId, tuple] = {}
    questions: list[str] = []
    question = marking_set.scheme.question or ""
    if question.strip():
        questions.append(question)
    for script_id, (title, paragraphs) in marking_set.titles_and_paragraphs(ids).items():
        texts[script_id] = paragraphs
        if title.strip() and title not in questions:
            questions.append(title)
    return texts, questions


def similarity_options(include_quotes: bool = False, include_question: bool = False,
                       min_words: int | None = None, **more: Any) -> SimilarityOptions:
    from rubric.similarity import SimilarityOptions

    options = SimilarityOptions(exclude_quotes=not include_quotes,
                                exclude_question=not include_question, **more)
    if min_words is not None:
        if min_words < 1:
            raise MarkError("--min-words must be 1 or more")
        from rubric.record import replace

        options = replace(options, min_shared_words=min_words)
    return options


def find_similar(texts: Mapping[ScriptId, Any], questions: Sequence[str],
                 options: SimilarityOptions | None = None) -> SimilarityReport:
    """The core's :func:`rubric.similarity.find_similar` (NumPy/SciPy: safe off the GUI
    thread; it never touches the set)."""
    from rubric.similarity import find_similar as core

    return core(texts, list(questions), options)


def similarity_report(marking_set: MarkingSet, options: SimilarityOptions | None = None,
                      ids: Sequence[ScriptId] | None = None) -> SimilarityReport:
    texts, questions = similarity_inputs(marking_set, ids)
    return find_similar(texts, questions, options)


def similarity_json(report: SimilarityReport, names: Mapping[ScriptId, str]) -> dict[str, Any]:
    data = report.to_json()
    for pair, item in zip(report.pairs, data["pairs"], strict=True):
        item["candidate_a"] = names.get(pair.a, str(pair.a))
        item["candidate_b"] = names.get(pair.b, str(pair.b))
    data["caveat"] = SIMILARITY_CAVEAT
    return data


def excerpt(text: str, head: int = 12, tail: int = 6) -> str:
    """The first ``head`` and last ``tail`` words of a passage, on one line."""
    words = text.split()
    if len(words) <= head + tail + 2:
        return " ".join(words)
    return " ".join(words[:head]) + " … " + " ".join(words[-tail:])


def similarity_lines(report: SimilarityReport, names: Mapping[ScriptId, str]) -> list[str]:
    n = len(report.pairs)
    o = report.options
    left_out = [what for what, out in (("quotations", o.exclude_quotes),
                                       ("the question", o.exclude_question)) if out]
    left_out.append("bibliographies and notes")
    head = (f"{n} pair{'s' if n != 1 else ''} of scripts share{'s' if n == 1 else ''} "
            f"{o.min_shared_words} words or more ({report.scripts} scripts compared; "
            f"{', '.join(left_out)} left out; a passage in {report.common_threshold} scripts "
            "or more is common, not counted)")
    out = [head + ("; the list was cut at the first " + str(o.max_pairs) if report.truncated
                   else "") + ("." if n else ".")]
    for k, pair in enumerate(report.pairs, 1):
        out.append("")
        common = f", {pair.common_words} in common passages" if pair.common_words else ""
        out.append(f"{k:>3}. {names.get(pair.a, pair.a)} – {names.get(pair.b, pair.b)}: "
                   f"{pair.shared_words} shared words, {pair.containment:.0%} of the shorter "
                   f"script{common} (ids {pair.a}, {pair.b})")
        for passage in pair.passages:
            kind = "common: " if passage.common else ""
            out.append(f"       {kind}“{excerpt(passage.text)}” ({passage.words} words)")
    out.append("")
    out.append(SIMILARITY_CAVEAT)
    return out


__all__ = [
    "CJInputs", "CJReport", "CJRow", "SIMILARITY_CAVEAT", "cj_inputs", "cj_report",
    "definitive_totals", "excerpt", "find_similar", "fit_report", "judge_labels", "pair_lines", "progress_line", "read_judgements_csv",
    "recorded_judgements", "shown_totals", "similarity_inputs", "similarity_json",
    "similarity_lines", "similarity_options", "similarity_report",
]
