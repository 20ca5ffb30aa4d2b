"""The markbook's Moderation sheet (written when two or more markers have marked).

Per script marked by two or more markers: each marker's total side by side, each one's
difference from the reference (the moderator, or with no moderator the first marker,
teachers first) and whether it is within tolerance; then the agreement figures of every
pair of markers (totals and, for a scheme with several criteria, each criterion),
Krippendorff's alpha and each marker against the moderator or the department's mean. The
figures come from :mod:`rubric.moderation.service`, the same as ``essay-marker stats``.

Every text cell is stored as text (the markbook's :class:`~rubric.export.excel.SheetWriter`),
every figure as a number, never a formula.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rubric.export.excel import SheetWriter
from rubric.export.snapshot import SetSnapshot
from rubric.moderation import ModerationError
from rubric.moderation.service import MarksTable, compare, reference_marker, tolerances

_EXTRA_STYLES = {"two places": "0.00", "signed decimal": "+0.0;-0.0;0.0"}


def _add_styles(sheet: Worksheet) -> None:
    workbook = sheet.parent
    for kind, number_format in _EXTRA_STYLES.items():
        name = f"EM {kind}"
        if name not in workbook.named_styles:
            workbook.add_named_style(NamedStyle(
                name=name, number_format=number_format, font=Font(name="Calibri", size=11),
                alignment=Alignment(vertical="top", horizontal="center")))


def _short_names(markers: list) -> dict[int, str]:
    short = {m.id: m.initials for m in markers}
    if len(set(short.values())) < len(markers) or not all(short.values()):
        short = {m.id: m.name for m in markers}
    return short


def moderation_sheet(sheet: Worksheet, snapshot: SetSnapshot, warnings: list[str],
                     tolerance: float | None = None) -> None:
    """Fill ``sheet`` with the moderation figures of ``snapshot``'s markers."""
    _add_styles(sheet)
    writer = SheetWriter(sheet, warnings)
    table = MarksTable.from_snapshot(snapshot)
    scheme = table.scheme
    markers = table.markers_with_marks()
    total_tolerance, _ = tolerances(scheme, tolerance)
    writer.text(1, 1, "Moderation", "EM Title")
    if len(markers) < 2:
        writer.text(2, 1, "Fewer than two markers have placed marks: there is nothing to "
                          "compare yet.", "EM Note")
        return
    reference = reference_marker(markers) or markers[0]
    others = [m for m in markers if m.id != reference.id]
    short = _short_names(markers)
    writer.text(2, 1, f"{snapshot.name} · tolerance {total_tolerance:g} marks on the total of "
                      f"{scheme.total} · differences are each marker’s total minus "
                      f"{reference.name}’s ({reference.role})", "EM Note")

    # -- per script --------------------------------------------------------------------
    top = 4
    headers = ["Candidate number", "Candidate name"]
    headers += [f"{short[m.id]} total" for m in markers]
    for m in others:
        headers += [f"{short[m.id]} − {short[reference.id]}", f"{short[m.id]} within tolerance"]
    writer.header(top, headers)
    header_rows = [top]
    totals = {m.id: table.totals(m.id) for m in markers}
    row = top
    for info in table.scripts:
        values = [totals[m.id].get(info.id) for m in markers]
        if sum(v is not None for v in values) < 2:
            continue
        row += 1
        writer.text(row, 1, info.candidate_number)
        writer.text(row, 2, info.display_name)
        column = 3
        for value in values:
            writer.number(row, column, value, "mark")
            column += 1
        base = totals[reference.id].get(info.id)
        for m in others:
            value = totals[m.id].get(info.id)
            difference = None if value is None or base is None else value - base
            writer.number(row, column, difference, "difference shaded")
            writer.text(row, column + 1, "" if difference is None else
                        "yes" if abs(difference) <= total_tolerance else "no")
            column += 2
    scripts_end = row
    if scripts_end == top:
        writer.text(top + 1, 1, "No script has been marked on every criterion by two "
                                "markers yet.", "EM Note")
        scripts_end += 1

    # -- agreement of each pair --------------------------------------------------------
    try:
        comparison = compare(table, markers, tolerance)
    except ModerationError as exc:
        writer.text(scripts_end + 2, 1, f"Agreement: {exc}.", "EM Note")
        _finish(writer, sheet, headers, top, tuple(header_rows))
        return
    row = scripts_end + 2
    writer.text(row, 1, "Agreement of each pair of markers", "EM Title")
    row += 1
    figures = ["Marker A", "Marker B", "Criterion", "Compared", "Same level",
               "Within one level", "Mean difference (B − A)", "Mean absolute difference",
               "Within tolerance", "Tolerance", "Spearman", "Kappa (marks)", "Kappa (levels)"]
    writer.header(row, figures)
    header_rows.append(row)
    multi = len(scheme.criteria) > 1
    for pair in comparison.pairs:
        parts = [("Total", pair.total)] + (list(pair.criteria.items()) if multi else [])
        for name, ag in parts:
            row += 1
            writer.text(row, 1, pair.a.name)
            writer.text(row, 2, pair.b.name)
            writer.text(row, 3, name)
            writer.number(row, 4, ag.compared, "mark")
            writer.number(row, 5, ag.exact_level, "percent")
            writer.number(row, 6, ag.within_one_level, "percent")
            writer.number(row, 7, ag.mean_difference, "signed decimal")
            writer.number(row, 8, ag.mean_absolute_difference, "decimal")
            writer.number(row, 9, ag.within_tolerance, "percent")
            writer.number(row, 10, ag.tolerance, "decimal")
            writer.number(row, 11, ag.spearman, "two places")
            writer.number(row, 12, ag.kappa_marks, "two places")
            writer.number(row, 13, ag.kappa_levels, "two places")
    row += 1
    writer.text(row, 1, "Kappa is quadratic-weighted over the whole scale; a blank figure is "
                        "undefined (no script compared, or no spread).", "EM Note")

    # -- alpha -------------------------------------------------------------------------
    row += 2
    writer.text(row, 1, "Krippendorff’s alpha (interval) across all markers", "EM Title")
    row += 1
    writer.header(row, ["Marks", "Alpha"])
    header_rows.append(row)
    for name, value in [("Total", comparison.alpha_total)] + (
            list(comparison.alpha_criteria.items()) if multi else []):
        row += 1
        writer.text(row, 1, name)
        writer.number(row, 2, value, "two places")
    row += 1
    writer.text(row, 1, "0.8 or more is reliable; 0.67–0.8 allows tentative conclusions.",
                "EM Note")

    # -- each marker against the reference ---------------------------------------------
    row += 2
    against = (f"the moderator, {comparison.reference.name}" if comparison.reference is not None
               else "the department’s mean (the other markers’ average per script)")
    writer.text(row, 1, f"Each marker against {against}", "EM Title")
    row += 1
    writer.header(row, ["Marker", "Role", "Scripts", "Mean difference", "Mean absolute difference",
                        "Spread (SD)", "Outside tolerance", "Verdict"])
    header_rows.append(row)
    by_id = {m.id: m for m in markers}
    for item in comparison.overview:
        row += 1
        marker = by_id[item.marker]
        writer.text(row, 1, marker.name)
        writer.text(row, 2, str(marker.role))
        writer.number(row, 3, item.n, "mark")
        writer.number(row, 4, item.mean_difference, "signed decimal")
        writer.number(row, 5, item.mean_absolute_difference, "decimal")
        writer.number(row, 6, item.sd_difference, "decimal")
        writer.number(row, 7, item.out_of_tolerance, "mark")
        writer.text(row, 8, item.verdict)

    # -- rank order --------------------------------------------------------------------
    row += 2
    writer.text(row, 1, "Rank order reversed by more than the tolerance", "EM Title")
    if not comparison.reversals:
        writer.text(row + 1, 1, "None: no two scripts change places by more than the "
                                "tolerance.", "EM Note")
    else:
        row += 1
        writer.header(row, ["Marker A", "Marker B", "Higher for A", "Lower for A", "A’s marks",
                            "B’s marks", "Gap"])
        header_rows.append(row)
        for item in comparison.reversals:
            r = item.reversal
            row += 1
            writer.text(row, 1, item.a.name)
            writer.text(row, 2, item.b.name)
            writer.text(row, 3, item.higher)
            writer.text(row, 4, item.lower)
            writer.text(row, 5, f"{r.a_higher} v {r.a_lower}")
            writer.text(row, 6, f"{r.b_higher} v {r.b_lower}")
            writer.number(row, 7, r.gap, "mark")
    row += 2
    for offset, m in enumerate(markers):
        writer.text(row + offset, 1, f"{short[m.id]} = {m.name} ({m.role})", "EM Note")
    _finish(writer, sheet, headers, top, tuple(header_rows))


def _finish(writer: SheetWriter, sheet: Worksheet, headers: list[str], top: int,
            header_rows: tuple[int, ...] = ()) -> None:
    # headers wrap at spaces: narrow columns keep the sheet readable when printed
    writer.set_widths(minimum=10, maximum=16, fixed={1: 18, 2: 26})
    for row in header_rows:
        sheet.row_dimensions[row].height = 32
    sheet.freeze_panes = f"C{top + 1}"
    sheet.print_title_rows = f"{top}:{top}"
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    for column in range(1, len(headers) + 1):
        letter = get_column_letter(column)
        if sheet.column_dimensions[letter].width is None:
            sheet.column_dimensions[letter].width = 12
