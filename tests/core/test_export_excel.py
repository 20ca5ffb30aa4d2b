"""The markbook workbook and its CSV: every mark and comment present, statistics right, and
every text stored as text, never as a formula."""

from __future__ import annotations

import csv
import statistics
import zipfile

import pytest
from lxml import etree
from openpyxl import load_workbook

from rubric.export import export_csv, export_markbook
from rubric.export.cells import CELL_LIMIT, clean_text, csv_field, sheet_text
from rubric.export.stats import level_counts, summarise
from rubric.store import MarkingSet

FORMULA_LIKE = ["=SUM(A1)", "+44 7700 900123", "-1", "@home", "=HYPERLINK(\"http://x\")",
                "#N/A"]


@pytest.fixture
def marked(marking_set, make_draft):
    ms = marking_set
    ms.use_marker("Ms Priya Patel", "PP")
    marks = {"4017": 17, "4023": 12, "4031": 22, "4042": 9, "4105": 17}
    ids = {}
    for number, mark in marks.items():
        script_id = ms.add_script(make_draft(f"Student {number}", number, seed=number)).created
        ms.set_mark(script_id, "AO1", mark)
        ms.set_comments(script_id, www=f"www {number}", ebi=f"ebi {number}",
                        general=f"general {number}")
        ms.annotate_quote(script_id, "loyal peasantry", f"annotation {number}", "AO1")
        ids[number] = script_id
    ms.add_script(make_draft("Not Marked", "4999", seed="x"))
    return ms, ids, marks


def rows_of(sheet):
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_marks_sheet_has_every_script_and_mark(marked, tmp_path):
    ms, ids, marks = marked
    path = tmp_path / "markbook.xlsx"
    assert export_markbook(ms, path) == []
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Marks", "Comments", "Summary"]
    sheet = workbook["Marks"]
    rows = rows_of(sheet)
    assert rows[0] == ["Candidate number", "Candidate name", "AO1 level", "AO1 mark", "Total",
                       "Percentage", "Marker", "Status", "Words", "Warnings", "Script ID"]
    by_number = {r[0]: r for r in rows[1:]}
    assert set(by_number) == {*marks, "4999"}
    for number, mark in marks.items():
        row = by_number[number]
        level = ms.scheme.criterion("AO1").level_for_mark(mark).label
        assert row[1:9] == [f"Student {number}", level, mark, mark, pytest.approx(mark / 25),
                            "Ms Priya Patel", "in progress", ms.summary(ids[number]).word_count]
    assert by_number["4999"][2:8] == [None, None, None, None, None, "unmarked"]
    # Layout: frozen header and names, a filter over the table, formats.
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == f"A1:K{len(rows)}"
    assert {r[0]: r[10] for r in rows[1:] if r[0] in ids} == ids
    assert sheet["F2"].number_format == "0%"
    assert sheet["D2"].number_format == "0"
    assert sheet["I2"].number_format == "#,##0"
    assert sheet["A1"].font.b
    assert all(sheet.column_dimensions[c].width >= 8 for c in "ABCDEFGHIJK")


def test_comments_sheet_has_every_comment_and_annotation(marked, tmp_path):
    ms, ids, marks = marked
    ms.use_marker("Mr Second", "MS", "second")
    ms.set_comments(ids["4017"], general="second opinion")
    path = tmp_path / "markbook.xlsx"
    export_markbook(ms, path)
    rows = rows_of(load_workbook(path)["Comments"])
    assert rows[0] == ["Candidate number", "Candidate name", "Marker", "Kind", "Criterion",
                       "Passage", "Comment"]
    body = [tuple(r) for r in rows[1:]]
    for number in marks:
        name = f"Student {number}"
        for kind, text in (("What went well", f"www {number}"),
                           ("Even better if", f"ebi {number}"),
                           ("General comment", f"general {number}")):
            assert (number, name, "Ms Priya Patel", kind, None, None, text) in body
        assert (number, name, "Ms Priya Patel", "Annotation", "AO1", "loyal peasantry",
                f"annotation {number}") in body
    assert ("4017", "Student 4017", "Mr Second", "General comment", None, None,
            "second opinion") in body
    assert len(body) == 4 * len(marks) + 1


def test_summary_values_are_right_and_stored_as_values_with_a_chart(marked, tmp_path):
    ms, ids, marks = marked
    path = tmp_path / "markbook.xlsx"
    export_markbook(ms, path)
    sheet = load_workbook(path)["Summary"]
    values = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r[0]}
    totals = list(marks.values())
    assert values["Count"] == len(totals)
    assert values["Mean"] == pytest.approx(statistics.mean(totals))
    assert values["Median"] == pytest.approx(statistics.median(totals))
    assert values["Standard deviation"] == pytest.approx(statistics.stdev(totals))
    assert values["Highest"] == max(totals) and values["Lowest"] == min(totals)
    assert values["Out of"] == 25
    criterion = ms.scheme.criterion("AO1")
    for level in criterion.levels:
        expected = sum(1 for m in totals if level.contains(m))
        assert values[level.label] == expected, level.label
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula"
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        charts = [n for n in names if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = etree.fromstring(package.read(charts[0]))
        ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
        assert chart.find(".//c:barChart", ns) is not None
        formulas = [f.text for f in chart.iterfind(".//c:f", ns)]
        assert formulas and all(f.startswith("'Summary'!") for f in formulas)
        sheet_rels = package.read("xl/worksheets/_rels/sheet3.xml.rels").decode()
        assert "drawing" in sheet_rels


def test_markers_sheet_sets_markers_side_by_side_with_differences(marked, tmp_path):
    ms, ids, marks = marked
    path = tmp_path / "one.xlsx"
    export_markbook(ms, path)
    assert "Markers" not in load_workbook(path).sheetnames
    ms.use_marker("Dr Mod", "DM", "moderator")
    moderator = ms.current_marker
    ms.set_mark(ids["4017"], "AO1", 14)
    ms.set_mark(ids["4031"], "AO1", 24)
    ms.use_marker("Ms Priya Patel", "PP")
    teacher = ms.current_marker
    path = tmp_path / "two.xlsx"
    export_markbook(ms, path, marker=teacher.id)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Marks", "Comments", "Summary", "Markers", "Moderation"]
    rows = rows_of(workbook["Markers"])
    assert rows[0] == ["Candidate number", "Candidate name", "AO1 PP", "AO1 DM", "AO1 DM − PP",
                       "Total PP", "Total DM", "Total DM − PP"]
    by_number = {r[0]: r for r in rows[1:] if r[0] and r[0].isdigit()}
    assert by_number["4017"][2:] == [17, 14, -3, 17, 14, -3]
    assert by_number["4031"][2:] == [22, 24, 2, 22, 24, 2]
    assert by_number["4023"][2:] == [12, None, None, 12, None, None]
    key = [r[0] for r in rows if r[0] and "=" in str(r[0])]
    assert key == ["PP = Ms Priya Patel (teacher)", "DM = Dr Mod (moderator)"]
    assert moderator.id != teacher.id
    # The Marks sheet shows the teacher's marks; status shows the moderation.
    marks_rows = {r[0]: r for r in rows_of(workbook["Marks"])[1:]}
    assert marks_rows["4017"][3] == 17 and marks_rows["4017"][7] == "moderated"


def test_formula_like_text_is_stored_as_text(marking_set, make_draft, tmp_path):
    ms = marking_set
    ms.use_marker("=cmd|' /C calc'!A0", "X")
    for index, text in enumerate(FORMULA_LIKE):
        draft = make_draft(name=text, number=text, seed=str(index))
        script_id = ms.add_script(draft).created
        ms.set_mark(script_id, "AO1", 10)
        ms.set_comments(script_id, www=text, ebi=text, general=text)
        ms.annotate_quote(script_id, "loyal peasantry", text)
    path = tmp_path / "markbook.xlsx"
    export_markbook(ms, path)
    workbook = load_workbook(path)
    checked = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}: {cell.value}"
                if cell.value in FORMULA_LIKE or cell.value == "=cmd|' /C calc'!A0":
                    assert cell.data_type == "s"
                    if cell.value[0] in "=+-@":
                        assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate}"
                    checked += 1
    # name and number (Marks, Comments ×4 rows each), comments, annotation, the marker
    assert checked >= len(FORMULA_LIKE) * 15
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in package.read(name).decode()

    csv_path = tmp_path / "marks.csv"
    export_csv(ms, csv_path)
    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [c for row in rows for c in row]
    for text in FORMULA_LIKE:
        expected = "'" + text if text[0] in "=+-@" else text
        assert cells.count(expected) == 2, text  # number and name
        if text[0] in "=+-@":
            assert text not in cells
    assert "'=cmd|' /C calc'!A0" in cells


def test_csv_is_utf8_with_bom_and_holds_the_marks(marked, tmp_path):
    ms, ids, marks = marked
    path = tmp_path / "marks.csv"
    assert export_csv(ms, path) == []
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and b"\r\r\n" not in raw
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["Candidate number", "Candidate name", "AO1 level", "AO1 mark"]
    by_number = {r[0]: r for r in rows[1:]}
    for number, mark in marks.items():
        assert by_number[number][3] == str(mark)
        assert by_number[number][5] == f"{round(100 * mark / 25)}%"
    assert by_number["4999"][3] == ""


def test_csv_protects_tab_and_carriage_return_starts():
    assert csv_field("\tcmd") == "'\tcmd"
    assert csv_field("\rcmd") == "'\rcmd"
    assert csv_field("plain") == "plain"
    assert csv_field(-3) == -3 and csv_field(0.5) == 0.5
    assert csv_field(None) == ""


def test_a_comment_longer_than_the_tallest_row_goes_on_in_the_next_rows(marking_set, make_draft, tmp_path):
    """Excel's rows stop at 409 points (27 lines): a longer comment is not hidden in a cell
    that cannot grow, nor cut; it goes on in rows marked "(continued)", every word kept."""
    from rubric.export.excel import _COMMENT_LINE, _wrapped_lines

    ms = marking_set
    script_id = ms.add_script(make_draft("Amira Khan", "4017")).created
    ms.set_mark(script_id, "AO1", 12)
    long_comment = " ".join(f"point{n} about Stolypin’s reforms," for n in range(1500))  # 50,000+
    ms.set_comments(script_id, www="Clear structure.", general=long_comment)
    path = tmp_path / "markbook.xlsx"
    assert export_markbook(ms, path) == []  # nothing cut, nothing to warn about
    sheet = load_workbook(path)["Comments"]
    rows = [row for row in sheet.iter_rows(min_row=2) if str(row[3].value).startswith("General")]
    assert len(rows) > 25
    assert rows[0][3].value == "General comment"
    assert {r[3].value for r in rows[1:]} == {"General comment (continued)"}
    assert {(r[0].value, r[1].value) for r in rows} == {("4017", "Amira Khan")}
    texts = [r[6].value for r in rows]
    assert all(t.endswith(" …") for t in texts[:-1]) and all(t.startswith("… ") for t in texts[1:])
    joined = " ".join(t.removesuffix(" …").removeprefix("… ") for t in texts)
    assert joined == long_comment
    for row in rows:
        lines = sum(_wrapped_lines(line, _COMMENT_LINE) for line in row[6].value.split("\n"))
        assert lines <= 27 and sheet.row_dimensions[row[0].row].height <= 409
    # a short comment stays one row, as it was
    assert [r[6].value for r in sheet.iter_rows(min_row=2) if r[3].value == "What went well"] == ["Clear structure."]


def test_long_text_in_a_cell_is_cut_visibly_with_a_warning():
    """What a cell cannot hold (32,767 characters, an emoji counting twice) is cut with a
    visible marker and a warning naming the sheet, the cell and the sizes."""
    from openpyxl import Workbook

    from rubric.export.excel import SheetWriter, _named_styles

    workbook = Workbook()
    for style in _named_styles():
        workbook.add_named_style(style)
    sheet = workbook.active
    sheet.title = "Summary"
    warnings: list[str] = []
    writer = SheetWriter(sheet, warnings)
    long_text = "word " * 9_999 + "words"  # 50,000 characters
    held = writer.text(3, 1, long_text, what="Amira Khan (4017), note")
    assert len(warnings) == 1
    assert "Summary sheet, cell A3" in warnings[0] and "Amira Khan (4017)" in warnings[0]
    assert "50,000 characters" in warnings[0]
    removed = len(long_text) - (CELL_LIMIT - len("… [cut: 17,255 characters]"))
    assert held == sheet["A3"].value
    assert held.endswith(f"… [cut: {removed:,} characters]") and len(held) <= CELL_LIMIT
    assert held == long_text[:len(held) - len(f"… [cut: {removed:,} characters]")] + f"… [cut: {removed:,} characters]"
    writer.text(4, 1, "👍🏽 " * 7_000, what="a note")   # 21,000 characters, 35,000 units
    assert "the text has 21,000 characters, 35,000 as a spreadsheet counts them, more " \
           "than a spreadsheet cell holds (32,767)" in warnings[1]


def test_sheet_text_counts_like_excel_and_removes_control_characters():
    text, removed = sheet_text("a\x00b\x07c\x1fd\te\nf")
    assert (text, removed) == ("abcd\te\nf", 0)
    emoji = "😀" * 20_000  # 40,000 UTF-16 units
    cut, removed = sheet_text(emoji)
    units = len(cut.encode("utf-16-le")) // 2
    assert units <= CELL_LIMIT and cut.endswith(f"… [cut: {removed:,} characters]")
    assert clean_text("a\r\nb\rc\x0bd\x00") == "a\nb\nc\nd"


def test_control_characters_never_reach_the_workbook(marking_set, make_draft, tmp_path):
    ms = marking_set
    ms.use_marker("Ms\x07 Patel", "P")
    script_id = ms.add_script(make_draft("Amira\x00 Khan", "40\x1b17")).created
    ms.set_mark(script_id, "AO1", 12)
    ms.set_comments(script_id, www="Good\x01 work", general="\x0bline")
    path = tmp_path / "markbook.xlsx"
    export_markbook(ms, path)
    workbook = load_workbook(path)
    values = [c for s in workbook.worksheets for r in s.iter_rows(values_only=True) for c in r
              if isinstance(c, str)]
    assert "Amira Khan" in values and "4017" in values and "Good work" in values
    assert "Ms Patel" in values and "line" in values
    export_csv(ms, tmp_path / "m.csv")
    assert "\x00" not in (tmp_path / "m.csv").read_text(encoding="utf-8-sig")


def test_stats_functions():
    summary = summarise([10, None, 20, 30, 40])
    assert summary.count == 4 and summary.mean == 25 and summary.median == 25
    assert summary.stdev == pytest.approx(statistics.stdev([10, 20, 30, 40]))
    assert (summary.highest, summary.lowest) == (40, 10)
    assert summarise([]).mean is None and summarise([5]).stdev is None
    assert level_counts(["L1", "L2", "L1", None, "other"], ["L1", "L2", "L3"]) == {
        "L1": 2, "L2": 1, "L3": 0}


def test_coursework_markbook_has_a_column_per_criterion_and_the_counted_words(
        tmp_path, make_draft, nea_scheme):
    ms = MarkingSet.create(tmp_path / "nea.markset", "13C NEA", nea_scheme)
    try:
        script_id = ms.add_script(make_draft()).created
        ms.set_mark(script_id, "AO1", 15)
        ms.set_mark(script_id, "AO2", 8)
        path = tmp_path / "nea.xlsx"
        export_markbook(ms, path)
        workbook = load_workbook(path)
        rows = rows_of(workbook["Marks"])
        assert rows[0][2:8] == ["AO1 level", "AO1 mark", "AO2 level", "AO2 mark", "AO3 level",
                                "AO3 mark"]
        assert "Words counted" in rows[0]
        assert rows[1][2:10] == ["Level 4", 15, "Level 4", 8, None, None, 23,
                                 pytest.approx(23 / 40)]
        assert "not marked yet: AO3" in rows[1][rows[0].index("Warnings")]
        summary = {r[0]: r[1:5] for r in rows_of(workbook["Summary"]) if r[0]}
        # the statistics are of fully marked scripts: none has every criterion marked
        assert summary["Count"] == [0, 0, 0, 0]
        assert "Fully marked: 0 of 1 script" in summary
        assert summary["Out of"] == [40, 20, 10, 10]
    finally:
        ms.close()


def test_every_cell_keeps_its_named_style_and_no_cell_shares_another_s_changes(
        marking_set, make_draft, tmp_path):
    """Cells are made with their named style's array (looked up once per style, not
    once per cell): each kind of cell still has its style, number format, font, fill and
    alignment, and a change to one cell (the text-keeping quote prefix of a formula-like
    text, a bold font) never reaches the other cells of its style."""
    ms = marking_set
    ms.use_marker("Ms Zoë O’Brien", "ZO")
    first = ms.add_script(make_draft("=SUM(A1)", "4017", seed="a")).created
    second = ms.add_script(make_draft("Amélie Brontë", "4023", seed="b")).created
    for script_id, mark in ((first, 17), (second, 9)):
        ms.set_mark(script_id, "AO1", mark)
        ms.set_comments(script_id, www="A “sustained” argument — well judged.\nSecond line.",
                        ebi="+ weigh the Duma’s rôle", general="Fine.")
        ms.annotate_quote(script_id, "loyal peasantry", "x " * 120, "AO1")
    path = tmp_path / "markbook.xlsx"
    export_markbook(ms, path)
    workbook = load_workbook(path)
    marks = workbook["Marks"]
    headers = [c.value for c in marks[1]]
    for cell in marks[1]:
        assert cell.style == "EM Header" and cell.font.b and cell.font.color.rgb.endswith("1F3864")
        assert cell.fill.fgColor.rgb.endswith("DEEAF6") and cell.alignment.wrap_text
    kinds = {"AO1 mark": ("EM mark", "0"), "Total": ("EM mark", "0"),
             "Percentage": ("EM percent", "0%"), "Words": ("EM words", "#,##0"),
             "Script ID": ("EM mark", "0")}
    formula_cells = 0
    for row in marks.iter_rows(min_row=2):
        for header, cell in zip(headers, row, strict=True):
            style, number_format = kinds.get(header, ("EM Text", "General"))
            assert (cell.style, cell.number_format) == (style, number_format), cell.coordinate
            assert cell.alignment.vertical == "top" and not cell.font.b
            if style == "EM Text" and cell.value is not None:
                assert cell.data_type == "s"
            is_formula_like = isinstance(cell.value, str) and cell.value[:1] in "=+-@"
            assert bool(cell.quotePrefix) == is_formula_like, cell.coordinate
            formula_cells += is_formula_like
    assert formula_cells == 1  # only "=SUM(A1)"'s name cell, not the others of "EM Text"
    comments = workbook["Comments"]
    rows = list(comments.iter_rows(min_row=2))
    assert len(rows) == 8  # www, ebi, general and an annotation for each script
    for row in rows:
        for cell in row[:5]:
            assert cell.style == "EM Text" and not cell.alignment.wrap_text
        for cell in row[5:]:
            assert cell.style == "EM Wrapped" and cell.alignment.wrap_text
            assert cell.alignment.vertical == "top"
        assert bool(row[6].quotePrefix) == str(row[6].value).startswith("+")
    heights = [comments.row_dimensions[r[0].row].height for r in rows]
    assert heights[0] and heights[0] > 15  # two lines of "what went well"
    assert max(h or 0 for h in heights) >= 47  # the 240-character annotation wraps
    summary = workbook["Summary"]
    assert summary["A1"].style == "EM Title" and summary["A1"].font.sz == 14
    plain = [c for row in summary.iter_rows() for c in row
             if c.style == "EM Text" and c.value and not c.font.b]
    assert plain, "a bold font given to one cell stays on that cell"


def test_the_markers_sheet_totals_only_the_schemes_criteria(nea_scheme, make_draft, tmp_path):
    """A criterion taken out of the scheme (its marks kept, "not counted in the total") is
    left out of every total: the Markers sheet's agrees with the Marks sheet's."""
    from rubric.record import replace

    ms = MarkingSet.create(tmp_path / "nea.markset", "13 NEA", nea_scheme)
    script = ms.add_script(make_draft("Amira Khan", "4017")).created
    ms.use_marker("Ms Priya Patel", "PP")
    for criterion, mark in (("AO1", 15), ("AO2", 6), ("AO3", 7)):
        ms.set_mark(script, criterion, mark)
    ms.use_marker("Dr Mod", "DM", "moderator")
    for criterion, mark in (("AO1", 14), ("AO2", 5), ("AO3", 4)):
        ms.set_mark(script, criterion, mark)
    ms.update_scheme(replace(nea_scheme, criteria=nea_scheme.criteria[:2], total=30))
    path = tmp_path / "markbook.xlsx"
    export_markbook(ms, path, marker=ms.find_marker("Ms Priya Patel").id)
    workbook = load_workbook(path)
    rows = rows_of(workbook["Markers"])
    totals = dict(zip(rows[0], rows[1], strict=True))
    assert (totals["Total PP"], totals["Total DM"], totals["Total DM − PP"]) == (21, 19, -2)
    marks = dict(zip(*rows_of(workbook["Marks"])[:2], strict=True))
    assert marks["Total"] == 21
    ms.close()
