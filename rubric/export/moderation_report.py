"""The moderation report (Word): the sample with each marker's marks side by side, the
agreement figures, a scatter plot of each comparison, the rank order, the adjustment and its
line if one is proposed (or was applied), and room for the moderator's commentary.

The figures are :mod:`rubric.moderation.service`'s, read from the same snapshot as every
export (:class:`~rubric.export.snapshot.SetSnapshot`). The scatter plot is a PNG drawn by
:mod:`rubric.export.scatter` (no plotting library). The file is written through
:mod:`rubric.safe_write`: a failure leaves an earlier report untouched.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rubric.export.cells import clean_text
from rubric.export.docx_template import (
    AWARDED_FILL,
    GREY_TEXT,
    HEADER_FILL,
    NAVY,
    TEXT_WIDTH,
    new_document,
)
from rubric.export.docx_xml import Cell, Text, append_xml, cell, paragraph_xml, table_xml
from rubric.export.scatter import ScatterPlot, scatter_png
from rubric.export.snapshot import SetSnapshot
from rubric.moderation import AdjustmentRefused, ModerationError
from rubric.moderation.service import (
    AdjustmentPlan,
    Comparison,
    MarksTable,
    PairAgreement,
    compare,
    describe_line,
    last_adjustment,
    marker_label,
    mean_difference_words,
    propose,
    reference_marker,
    sample_rows,
    tolerances,
)
from rubric.moderation.text import alpha_words, figure_rows, marks_word, signed
from rubric.safe_write import write_with

OUTSIDE_FILL = "F8CBAD"  # light red: a difference outside tolerance
#: At most this many comparisons get a plot and a table of their own.
MAX_PAIRS = 6


def _heading(text: str, level: int = 1) -> str:
    return paragraph_xml(text, f"Heading{level}")


def _note(text: str) -> str:
    return paragraph_xml([Text(text, italic=True, colour=GREY_TEXT)], "Note")


def _head_cells(headings: Sequence[str]) -> list[Cell]:
    return [cell(h, "TableHeading", HEADER_FILL) for h in headings]


def _info_table(rows: Sequence[tuple[str, str]]) -> str:
    widths = [2200, TEXT_WIDTH - 2200]
    cells = [[cell([Text(label, bold=True, colour=NAVY)]), cell(value)] for label, value in rows]
    return table_xml(widths, cells, style="PlainTable")


def _short(markers: Sequence[Any]) -> dict[int, str]:
    short = {m.id: m.initials for m in markers}
    if len(set(short.values())) < len(markers) or not all(short.values()):
        short = {m.id: m.name for m in markers}
    return short


def _sample_section(document, table: MarksTable, markers: list, reference: Any,
                    tolerance: float) -> int:
    """The scripts marked by two or more markers, each one's marks side by side."""
    append_xml(document, _heading("The sample"))
    rows = sample_rows(table, markers)
    if not rows:
        append_xml(document, paragraph_xml(
            "No script has been marked on every criterion by two markers yet."))
        return 0
    short = _short(markers)
    others = [m for m in markers if m.id != reference.id]
    multi = len(table.scheme.criteria) > 1
    append_xml(document, paragraph_xml(
        f"{len(rows)} script{'s' if len(rows) != 1 else ''} marked by two or more markers, in the "
        f"set’s order. Differences are each marker’s total minus {reference.name}’s; "
        f"the tolerance is {marks_word(tolerance)} on the total of {table.scheme.total}."
        + (" Below each total, its marks per criterion." if multi else "")))
    first = 2600
    columns = len(markers) + len(others)
    rest = TEXT_WIDTH - first
    widths = [first] + [rest // columns] * columns
    widths[-1] += rest - sum(widths[1:])
    head = ["Candidate"] + [f"{short[m.id]}" for m in markers] + \
        [f"{short[m.id]} − {short[reference.id]}" for m in others]
    body: list[list[Cell]] = [_head_cells(head)]
    reference_index = markers.index(reference)
    for info, totals in rows:
        line = [cell(info.candidate)]
        for m, total in zip(markers, totals, strict=True):
            marks = table.marks.get((info.id, m.id), {})
            runs = [Text("—" if total is None else str(total), bold=True)]
            if multi and marks:
                runs.append(Text("\n" + " · ".join(
                    f"{c.name} {marks[c.name]}" for c in table.scheme.criteria if c.name in marks),
                    size=8, colour=GREY_TEXT))
            line.append(cell(runs))
        base = totals[reference_index]
        for m in others:
            value = totals[markers.index(m)]
            if value is None or base is None:
                line.append(cell("—"))
                continue
            difference = value - base
            outside = abs(difference) > tolerance
            line.append(cell([Text(signed(difference, 0), bold=outside)],
                             fill=OUTSIDE_FILL if outside else AWARDED_FILL))
        body.append(line)
    append_xml(document, table_xml(widths, body, header_rows=1))
    key = "; ".join(f"{short[m.id]} = {marker_label(m)}" for m in markers)
    append_xml(document, _note(f"{key}. Shaded red: outside tolerance; green: within."))
    return len(rows)


def _figures_table(pair: PairAgreement, multi: bool) -> str:
    headings, rows = figure_rows(pair, multi)
    first = 3600
    width = (TEXT_WIDTH - first) // len(headings)
    widths = [first] + [width] * len(headings)
    body = [_head_cells(["Figure", *headings])]
    for label, values in rows:
        body.append([cell([Text(label, bold=True)])] + [cell(v) for v in values])
    return table_xml(widths, body, header_rows=1, keep_together=True)


def _add_plot(document, pair: PairAgreement, table: MarksTable, tolerance: float,
              line: tuple[float, float] | None, number: int) -> None:
    """The scatter of the pair's totals; ``line``: the proposed adjustment's (for a scheme
    with several criteria, the line fitted on totals: the adjustment is per criterion)."""
    multi = len(table.scheme.criteria) > 1
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    a_totals, b_totals = table.totals(pair.a.id), table.totals(pair.b.id)
    points = [(a_totals[k], b_totals[k]) for k in a_totals if k in b_totals]
    if not points:
        return
    png = scatter_png(ScatterPlot(points, table.scheme.total, tolerance,
                                  f"{pair.a.name} ({pair.a.role})",
                                  f"{pair.b.name} ({pair.b.role})", line,
                                  "line fitted on totals" if multi else "adjustment line"))
    document.add_picture(io.BytesIO(png), width=Cm(12.5))
    picture = document.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    caption = (f"Figure {number}: each script’s total from {pair.a.name} (across) and "
               f"{pair.b.name} (up). On the grey line the two agree; inside the green band they "
               f"are within {marks_word(tolerance)}; red points are outside it.")
    if line is not None:
        caption += (" The dashed line is fitted on the totals (the adjustment is fitted for "
                    "each criterion)." if multi else " The dashed line is the proposed adjustment.")
    append_xml(document, paragraph_xml([Text(caption, italic=True, colour=GREY_TEXT)], "Note",
                                       align="center"))


def _agreement_section(document, table: MarksTable, comparison: Comparison,
                       plans: dict[int, AdjustmentPlan]) -> None:
    scheme = table.scheme
    multi = len(scheme.criteria) > 1
    append_xml(document, _heading("Agreement"))
    append_xml(document, paragraph_xml(
        "Every figure rests on the scripts both markers marked. Same level and within one "
        "level are shares of those scripts; the mean difference is the second marker’s mark "
        "minus the first’s (above 0: the second is more generous); weighted kappa counts a "
        "near miss as nearly right (1 is perfect agreement, 0 what chance gives, above about "
        "0.8 is strong)."))
    reference = comparison.reference
    pairs = [p for p in comparison.pairs
             if reference is None or reference.id in (p.a.id, p.b.id)][:MAX_PAIRS]
    for number, pair in enumerate(pairs, start=1):
        append_xml(document, _heading(f"{pair.a.name} and {pair.b.name}", 2))
        words = mean_difference_words(pair.a.name, pair.b.name, pair.total.mean_difference)
        within = pair.total.within_tolerance
        summary = (f"{pair.total.compared} script{'s' if pair.total.compared != 1 else ''} "
                   f"compared; {words}")
        if within is not None:
            summary += f"; {round(100 * within)}% within tolerance"
        append_xml(document, paragraph_xml(summary + "."))
        append_xml(document, _figures_table(pair, multi))
        if pair.total.largest:
            biggest = ", ".join(
                f"{comparison.names.get(d.script, d.script)} ({signed(d.difference, 0)})"
                for d in pair.total.largest[:5])
            append_xml(document, _note(f"Largest differences: {biggest}."))
        plan = plans.get(pair.a.id) if reference is not None and pair.b.id == reference.id \
            else None
        line = None
        if plan is not None and plan.needed and plan.line is not None:
            line = (float(plan.line.slope), float(plan.line.intercept))
        _add_plot(document, pair, table, comparison.tolerance, line, number)

    append_xml(document, _heading("Across all markers", 2))
    append_xml(document, paragraph_xml(
        f"Krippendorff’s alpha (interval, totals) across {len(comparison.markers)} markers: "
        + alpha_words(comparison.alpha_total) + "."))
    if multi:
        append_xml(document, paragraph_xml("By criterion: " + ", ".join(
            f"{name} {'—' if value is None else f'{value:.2f}'}"
            for name, value in comparison.alpha_criteria.items()) + "."))
    against = (f"the moderator, {reference.name}" if reference is not None
               else "the department’s mean (the other markers’ average for each script)")
    append_xml(document, paragraph_xml(f"Each marker against {against}:", keep_next=True))
    by_id = {m.id: m for m in comparison.markers}
    widths = [3000, 1100, 1500, 1500, 1300, 1238]
    widths[-1] = TEXT_WIDTH - sum(widths[:-1])
    body = [_head_cells(["Marker", "Scripts", "Mean difference", "Spread (SD)",
                         "Outside tolerance", "Verdict"])]
    for row in comparison.overview:
        marker = by_id[row.marker]
        body.append([cell(marker_label(marker)), cell(str(row.n)),
                     cell(signed(row.mean_difference)),
                     cell("—" if row.sd_difference is None else f"{row.sd_difference:.1f}"),
                     cell(str(row.out_of_tolerance)), cell(row.verdict)])
    append_xml(document, table_xml(widths, body, header_rows=1, keep_together=True))

    append_xml(document, _heading("Rank order", 2))
    if not comparison.reversals:
        append_xml(document, paragraph_xml(
            f"No two scripts change places by more than the tolerance "
            f"({marks_word(comparison.tolerance)}): the rank order holds."))
    else:
        count = len(comparison.reversals)
        append_xml(document, paragraph_xml(
            f"{count} pair{'s' if count != 1 else ''} of scripts change places by more than "
            f"{marks_word(comparison.tolerance)}:", keep_next=True))
        widths = [2400, 2400, 1700, 1700, TEXT_WIDTH - 8200]
        body = [_head_cells(["Higher for the first marker", "Lower for the first marker",
                             "First marker", "Second marker", "Gap"])]
        for item in comparison.reversals[:30]:
            r = item.reversal
            body.append([cell(item.higher), cell(item.lower),
                         cell(f"{item.a.initials}: {r.a_higher} v {r.a_lower}"),
                         cell(f"{item.b.initials}: {r.b_higher} v {r.b_lower}"),
                         cell(str(r.gap))])
        append_xml(document, table_xml(widths, body, header_rows=1))


def _adjustment_section(document, table: MarksTable, markers: list, reference: Any,
                        plans: dict[int, AdjustmentPlan], refusals: dict[int, str],
                        applied: Any) -> None:
    append_xml(document, _heading("Adjustment"))
    if applied is not None:
        detail = applied.new if isinstance(applied.new, dict) else {}
        lines = "; ".join(
            f"{ln.get('criterion')}: {ln.get('slope', 0):.3f} × mark "
            f"{'+' if ln.get('intercept', 0) >= 0 else '−'} {abs(ln.get('intercept', 0)):.2f}"
            for ln in detail.get("lines", []))
        append_xml(document, paragraph_xml(
            f"An adjustment of {detail.get('from', 'the teacher')}’s marks to "
            f"{detail.get('to', 'the moderator')}’s was applied on {applied.at[:10]} "
            f"({detail.get('marks', '?')} marks changed; {lines or 'line recorded'}). The marks "
            "below are the marks as they stand now; the marks before it are in the audit log "
            "and the backup taken before it."))
    if reference is None or str(reference.role) != "moderator":
        append_xml(document, paragraph_xml(
            "No moderator has marked this set, so no adjustment is proposed."))
        return
    for marker in markers:
        if marker.id == reference.id or str(marker.role) == "moderator":
            continue
        append_xml(document, _heading(f"{marker.name}’s marks", 2))
        if marker.id in refusals:
            append_xml(document, paragraph_xml(f"No adjustment can be proposed: "
                                               f"{refusals[marker.id]}."))
            continue
        plan = plans.get(marker.id)
        if plan is None:
            continue
        if not plan.needed:
            append_xml(document, paragraph_xml(
                f"Every one of the {plan.sampled} sampled scripts is within tolerance: "
                f"{marker.name}’s marks stand and no adjustment is proposed."))
            continue
        outside = len(plan.out_of_tolerance)
        text = (f"{outside} of the {plan.sampled} sampled scripts "
                f"{'are' if outside != 1 else 'is'} outside tolerance, so a least-squares line "
                f"from {marker.name}’s marks to {reference.name}’s is proposed")
        if len(table.scheme.criteria) > 1:
            text += " for each criterion out of tolerance: " + "; ".join(
                f"{name}: {describe_line(line)}" for name, line in plan.lines.items()) + "."
        else:
            text += f": {describe_line(plan.line)}."
        append_xml(document, paragraph_xml(
            text + f" It is applied to all {len(plan.scripts)} of {marker.name}’s scripts, "
            "rounded to whole marks and kept within the scale; "
            + ("the rank order is kept." if plan.rank_order_kept else
               "note: the per-criterion lines change the order of some totals.")))
        widths = [TEXT_WIDTH - 4 * 1500, 1500, 3000, 1500] if len(table.scheme.criteria) > 1 \
            else [TEXT_WIDTH - 3 * 1500, 1500, 1500, 1500]
        body = [_head_cells(["Candidate", "Before", "After", "Moderator"])]
        multi = len(table.scheme.criteria) > 1
        for script in plan.scripts:
            changed = script.changed
            fill = HEADER_FILL if changed else None
            after = [Text("—" if script.after_total is None else str(script.after_total),
                          bold=changed)]
            moved = [f"{c.name} {script.before[c.name]}→{script.after[c.name]}"
                     for c in table.scheme.criteria if c.name in script.before
                     and script.before[c.name] != script.after.get(c.name)]
            if multi and moved:
                after.append(Text("\n" + " · ".join(moved), size=8, colour=GREY_TEXT))
            body.append([
                cell(script.candidate),
                cell("—" if script.before_total is None else str(script.before_total)),
                cell(after, fill=fill),
                cell("" if script.moderator_total is None else str(script.moderator_total)),
            ])
        append_xml(document, table_xml(widths, body, header_rows=1))
        append_xml(document, _note(f"{len(plan.changes())} marks change (shaded). Apply with: "
                                   f"essay-marker adjust SET --from \"{marker.name}\" --to "
                                   f"\"{reference.name}\" --apply"))


def _commentary_section(document) -> None:
    append_xml(document, _heading("Moderator’s commentary"))
    append_xml(document, _note("To be completed by the moderator: how the marking compares "
                               "with the standard, the rank order, and any action to take."))
    rows = [[cell("", rule=True)] for _ in range(12)]
    xml = table_xml([TEXT_WIDTH], rows, style="PlainTable")
    xml = xml.replace("<w:trPr><w:cantSplit/>",
                      '<w:trPr><w:cantSplit/><w:trHeight w:val="440" w:hRule="atLeast"/>')
    append_xml(document, xml)
    widths = [1900, 4000, 600, 1000, TEXT_WIDTH - 7500]
    rows = []
    for label in ("Moderator", "Signature"):
        rows.append([cell([Text(label, bold=True)], valign="bottom"),
                     cell("", rule=True, valign="bottom"), cell(""),
                     cell([Text("Date" if label == "Signature" else "", bold=True)],
                          valign="bottom"),
                     cell("", rule=label == "Signature", valign="bottom")])
    xml = table_xml(widths, rows, style="PlainTable", keep_together=True)
    xml = xml.replace("<w:trPr><w:cantSplit/>",
                      '<w:trPr><w:cantSplit/><w:trHeight w:val="600" w:hRule="atLeast"/>')
    append_xml(document, xml)


def moderation_report_document(marking_set, *, tolerance: float | None = None,
                               school: str = "", date: dt.date | None = None):
    """The report as a python-docx ``Document`` (not yet saved). Raises
    :class:`ModerationError` when fewer than two markers have marks to compare."""
    snapshot = SetSnapshot(marking_set)
    table = MarksTable.from_snapshot(snapshot)
    markers = table.markers_with_marks()
    if len(markers) < 2:
        raise ModerationError("a moderation report needs marks from two or more markers; "
                              f"{len(markers)} marker{' has' if len(markers) == 1 else 's have'}"
                              " marked this set")
    scheme = table.scheme
    total_tolerance, _ = tolerances(scheme, tolerance)
    comparison = compare(table, markers, tolerance)
    moderator = reference_marker(markers)
    reference = moderator or markers[0]
    plans: dict[int, AdjustmentPlan] = {}
    refusals: dict[int, str] = {}
    if moderator is not None:
        for marker in markers:
            if str(marker.role) == "moderator":
                continue
            try:
                plans[marker.id] = propose(table, marker, moderator, tolerance)
            except AdjustmentRefused as refusal:
                refusals[marker.id] = str(refusal)
            except ModerationError:
                continue  # this marker and the moderator share no script
    applied = last_adjustment(marking_set)

    day = date or dt.date.today()
    document = new_document()
    append_xml(document, paragraph_xml("Moderation report", "Title"))
    subtitle = [p for p in (snapshot.name, school, scheme.title) if clean_text(p).strip()]
    append_xml(document, paragraph_xml(" · ".join(subtitle), "Subtitle"))
    criteria = ", ".join(f"{c.name} {c.maximum}" for c in scheme.criteria)
    info = [("Question", scheme.question or "—"),
            ("Marks", f"{scheme.total} ({criteria})" if len(scheme.criteria) > 1
             else str(scheme.total)),
            ("Markers", "; ".join(marker_label(m) for m in markers)),
            ("Tolerance", f"{marks_word(total_tolerance)} on the total"),
            ("Date", f"{day.day} {day:%B %Y}")]
    append_xml(document, _info_table(info))
    _sample_section(document, table, markers, reference, total_tolerance)
    _agreement_section(document, table, comparison, plans)
    _adjustment_section(document, table, markers, reference, plans, refusals, applied)
    _commentary_section(document)
    footer = document.sections[0].footer
    runs = footer.paragraphs[0].runs
    if runs:
        runs[0].text = clean_text(f"{snapshot.name} · Moderation report")
    document.core_properties.title = clean_text(f"Moderation report: {snapshot.name}")
    return document


def export_moderation_report(marking_set, path: str | Path, *, tolerance: float | None = None,
                             school: str = "", date: dt.date | None = None) -> Path:
    """Write the moderation report atomically; raises :class:`ExportError` naming the file
    when it cannot be written (an earlier file is untouched)."""
    path = Path(path)
    document = moderation_report_document(marking_set, tolerance=tolerance, school=school,
                                          date=date)
    write_with(path, document.save)
    return path
