"""Plain-text output of the moderation commands, written for a head of department or a
moderator to read (the ``--json`` output carries the same figures for scripts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rubric.moderation.service import (
    AdjustmentPlan,
    Comparison,
    PairAgreement,
    SamplePlan,
    UndoneAdjustment,
    describe_line,
    marker_label,
    mean_difference_words,
)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


def number(value: float | None, places: int = 2) -> str:
    return "—" if value is None else f"{value:.{places}f}"


def signed(value: float | None, places: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:+.{places}f}"
    return text.replace("-", "−")


def marks_word(value: float) -> str:
    return f"{value:g} mark{'' if value == 1 else 's'}"


def alpha_words(alpha: float | None) -> str:
    if alpha is None:
        return "— (too few scripts marked by two or more, or no spread)"
    if alpha >= 0.8:
        verdict = "reliable (0.8 or more)"
    elif alpha >= 0.667:
        verdict = "tentative (0.67–0.8)"
    else:
        verdict = "low: the markers do not agree well enough to rely on"
    return f"{alpha:.2f} — {verdict}"


_FIGURES = (
    ("Scripts compared", lambda a: str(a.compared)),
    ("Same level", lambda a: percent(a.exact_level)),
    ("Within one level", lambda a: percent(a.within_one_level)),
    ("Mean difference", lambda a: signed(a.mean_difference)),
    ("Mean absolute difference", lambda a: number(a.mean_absolute_difference, 1)),
    ("Within tolerance", lambda a: percent(a.within_tolerance)),
    ("Rank correlation (Spearman)", lambda a: number(a.spearman)),
    ("Weighted kappa, marks", lambda a: number(a.kappa_marks)),
    ("Weighted kappa, levels", lambda a: number(a.kappa_levels)),
)


def figure_rows(pair: PairAgreement, multi: bool) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """``(column headings, [(figure, values)])`` of a pair's agreement: the total, then
    each criterion when the scheme has several."""
    columns = [("Total", pair.total)]
    if multi:
        columns += list(pair.criteria.items())
    rows = [(label, [show(ag) for _, ag in columns]) for label, show in _FIGURES]
    return [name for name, _ in columns], rows


def _table(headings: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]],
           indent: str = "  ") -> list[str]:
    label_width = max(len(label) for label, _ in rows) + 2
    widths = [max(len(h), *(len(values[i]) for _, values in rows)) for i, h in enumerate(headings)]
    lines = [indent + " " * label_width
             + "  ".join(h.rjust(w) for h, w in zip(headings, widths, strict=True))]
    for label, values in rows:
        lines.append(indent + label.ljust(label_width)
                     + "  ".join(v.rjust(w) for v, w in zip(values, widths, strict=True)))
    return lines


def stats_lines(comparison: Comparison) -> list[str]:
    scheme = comparison.scheme
    multi = len(scheme.criteria) > 1
    main = comparison.main
    a, b = main.a, main.b
    lines = [f"Agreement of {marker_label(a)} and {marker_label(b)}",
             f"Tolerance: {marks_word(comparison.tolerance)} on the total of {scheme.total}"
             + (" (each criterion its share: " + ", ".join(
                 f"{name} {value:g}" for name, value in comparison.criterion_tolerances.items())
                + ")" if multi else "")
             + f". Differences are {b.name}'s mark minus {a.name}'s.", ""]
    headings, rows = figure_rows(main, multi)
    lines += _table(headings, rows)
    lines += ["", "  " + _capital(mean_difference_words(a.name, b.name,
                                                         main.total.mean_difference)) + "."]
    largest = main.total.largest
    lines.append("")
    if largest:
        lines.append("Largest differences (totals)")
        for item in largest:
            where = "outside tolerance" if abs(item.difference) > comparison.tolerance \
                else "within tolerance"
            lines.append(f"  {comparison.names.get(item.script, item.script)!s:34.34} "
                         f"{a.initials} {item.a:>3}  {b.initials} {item.b:>3}  "
                         f"{signed(item.difference, 0):>4}  {where}")
    elif main.total.compared:
        lines.append("Every script compared has the same total from both markers.")
    if len(comparison.pairs) > 1:
        lines += ["", "Every pair of markers (totals)"]
        rows = [(f"{p.a.initials} and {p.b.initials}",
                 [str(p.total.compared), signed(p.total.mean_difference),
                  number(p.total.mean_absolute_difference, 1), percent(p.total.within_tolerance),
                  number(p.total.spearman), number(p.total.kappa_marks)])
                for p in comparison.pairs]
        lines += _table(["compared", "mean diff", "mean abs", "in tolerance", "Spearman",
                         "kappa"], rows)
    lines += ["", f"Krippendorff's alpha across {len(comparison.markers)} markers (totals): "
              + alpha_words(comparison.alpha_total)]
    if multi:
        lines.append("  by criterion: " + ", ".join(
            f"{name} {number(value)}" for name, value in comparison.alpha_criteria.items()))
    lines += ["", _overview_heading(comparison)]
    by_id = {m.id: m for m in comparison.markers}
    for row in comparison.overview:
        marker = by_id[row.marker]
        if row.n == 0:
            lines.append(f"  {marker_label(marker)}: no script in common")
            continue
        lines.append(f"  {marker_label(marker)}: {row.n} script{'s' if row.n != 1 else ''}, "
                     f"mean {signed(row.mean_difference)} ({row.verdict}), spread "
                     f"{number(row.sd_difference, 1)}, {row.out_of_tolerance} outside tolerance")
    lines.append("")
    if not comparison.reversals:
        lines.append("Rank order: no pair of scripts is reversed by more than the tolerance.")
    else:
        count = len(comparison.reversals)
        lines.append(f"Rank order: {count} pair{'s' if count != 1 else ''} of scripts reversed "
                     f"by more than {marks_word(comparison.tolerance)}")
        for item in comparison.reversals[:15]:
            r = item.reversal
            lines.append(f"  {item.higher} above {item.lower} for {item.a.name} "
                         f"({r.a_higher} v {r.a_lower}), below for {item.b.name} "
                         f"({r.b_higher} v {r.b_lower}): gap {r.gap}")
        if count > 15:
            lines.append(f"  … and {count - 15} more (--json lists them all)")
    return lines


def _overview_heading(comparison: Comparison) -> str:
    if comparison.reference is not None:
        return (f"Each marker against the moderator, {comparison.reference.name} "
                "(mean: the marker's total minus the moderator's)")
    return ("Each marker against the department's mean (the other markers' average for "
            "each script)")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def sample_lines(plan: SamplePlan, files: Sequence[Any]) -> list[str]:
    how = f"the {plan.rule} rule" if plan.rule else "the size asked for"
    whose = f"{plan.marker.name}'s totals" if plan.marker is not None else "the teachers' totals"
    lines = [f"Moderation sample: {plan.size} of {plan.marked} marked scripts ({how}), "
             f"spread through the rank order of {whose}, highest first"]
    width = max((len(c) for _, c, _ in plan.scripts), default=10)
    for script_id, candidate, total in plan.scripts:
        lines.append(f"  {candidate:{width}}  {total:>3}   (id {script_id})")
    lines.append("")
    for path in files:
        lines.append(f"written   {path}")
    return lines


def adjust_lines(plan: AdjustmentPlan, applied: Any = None) -> list[str]:
    scheme = plan.scheme
    multi = len(scheme.criteria) > 1
    teacher, moderator = plan.teacher, plan.moderator
    lines = [f"Moderation of {marker_label(teacher)} by {marker_label(moderator)}",
             f"{plan.sampled} script{'s' if plan.sampled != 1 else ''} in the sample (marked by "
             f"both); tolerance {marks_word(plan.tolerance)} on the total of {scheme.total}"]
    if not plan.needed:
        lines.append(f"Every sampled mark is within tolerance: {teacher.name}'s marks stand. "
                     "No adjustment is proposed.")
        return lines
    count = len(plan.out_of_tolerance)
    names = {s.id: s.candidate for s in plan.scripts}
    lines.append(f"{count} sampled script{'s are' if count != 1 else ' is'} outside tolerance: "
                 + ", ".join(names.get(i, str(i)) for i in plan.out_of_tolerance[:6])
                 + ("…" if count > 6 else ""))
    lines.append("")
    if multi:
        lines.append("Proposed lines, fitted per criterion over the sample:")
        for name, line in plan.lines.items():
            lines.append(f"  {name}: {describe_line(line)}")
        if plan.total_line is not None:
            lines.append(f"  (on totals: {describe_line(plan.total_line)})")
    else:
        lines.append(f"Proposed line (least squares over the sample): {describe_line(plan.line)}")
    lines.append(f"applied to all {len(plan.scripts)} of {teacher.name}'s scripts, rounded to "
                 "whole marks and kept within the scale:")
    lines.append("")
    width = max((len(s.candidate) for s in plan.scripts), default=10)
    lines.append(f"  {'':{width}}  before  after  moderator")
    for s in plan.scripts:
        mod = "" if s.moderator_total is None else str(s.moderator_total)
        flag = "" if not s.changed else "  *"
        before = "—" if s.before_total is None else str(s.before_total)
        after = "—" if s.after_total is None else str(s.after_total)
        lines.append(f"  {s.candidate:{width}}  {before:>6}  {after:>5}  {mod:>9}{flag}")
    changed = len(plan.changes())
    lines.append("")
    order = "the rank order is kept" if plan.rank_order_kept else \
        "warning: the per-criterion lines change the order of some totals"
    lines.append(f"{changed} mark{'s' if changed != 1 else ''} change (*); {order}.")
    if applied is None:
        lines.append("Not applied. Run again with --apply to write these marks as "
                     f"{teacher.name}'s (a backup is taken first; --undo takes it back).")
    else:
        lines.append(f"Applied: {applied.marks} mark{'s' if applied.marks != 1 else ''} changed "
                     "in one step (audit: moderation adjustment).")
        lines.append(f"Backup before the adjustment: {applied.backup}")
        lines.append("To take it back: essay-marker adjust SET --undo "
                     "(or essay-marker restore SET with that backup).")
    return lines


def undo_lines(undone: UndoneAdjustment, names: dict[int, str] | None = None) -> list[str]:
    detail = undone.detail
    count = len(undone.marks)
    lines = [f"Undid the moderation adjustment of {detail.get('from', 'the teacher')} by "
             f"{detail.get('to', 'the moderator')} (audit entry {undone.audit_id}): "
             f"{count} mark{'s' if count != 1 else ''} restored"]
    for script_id, criterion, adjusted, restored in undone.marks[:40]:
        who = (names or {}).get(script_id, f"script {script_id}")
        lines.append(f"  {who} {criterion}: {adjusted} → {restored}")
    if count > 40:
        lines.append(f"  … and {count - 40} more")
    return lines
