"""The markbook's Summary counts fully marked scripts and says so, its level counts add up
to that count, whole marks have no decimals, every sheet prints on A4 fitting its width,
long comments wrap in their rows; the class pack gives each script a section whose footer
names the candidate; exports hold the marked scripts only when asked (``which``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from rubric.export import WordOptions, export_class_pack, export_csv, export_markbook
from rubric.export.snapshot import exported_scripts
from rubric.record import replace
from rubric.store import MarkingSet
from rubric.templates import template

SCHEMAS = Path(os.environ.get("OOXML_SCHEMAS",
                              Path(__file__).resolve().parents[3] / "shared" / "ooxml-schemas"))
needs_schemas = pytest.mark.skipif(not (SCHEMAS / "validate.py").is_file(),
                                   reason=f"the ECMA-376 schemas are not at {SCHEMAS}")

LONG = " ".join(["Your judgement about the army is sustained and clear, but weigh it against "
                 "the October Manifesto directly: show how one made the other possible."] * 4)


@pytest.fixture
def class_set(tmp_path, essay_scheme, make_draft):
    """Six scripts: four fully marked (23, 17, 17, 0), one with a level only, one untouched;
    three of the fully marked ones are completed ("marked")."""
    ms = MarkingSet.create(tmp_path / "13B.markset", "13B Russia", essay_scheme)
    ms.use_marker("Ms Priya Patel", "PP")
    people = [("4017", "Amira Khan"), ("4042", "Kacper Nowak"), ("4023", "Daniel Okafor"),
              ("4031", "Niamh Walsh"), ("4211", "Grace Chen"), ("4226", "Callum MacLeod")]
    ids = {}
    for number, name in people:
        ids[name] = ms.add_script(make_draft(name, number, seed=name)).created
    for name, mark in (("Amira Khan", 23), ("Kacper Nowak", 17), ("Daniel Okafor", 17),
                       ("Niamh Walsh", 0)):
        ms.set_mark(ids[name], "AO1", mark)
    ms.set_comments(ids["Amira Khan"], www="Sustained argument.", ebi=LONG)
    ms.set_level(ids["Grace Chen"], "AO1", "Level 3")
    for name in ("Amira Khan", "Kacper Nowak", "Niamh Walsh"):
        ms.set_complete(ids[name])
    yield ms, ids
    ms.close()


def _summary(path):
    sheet = load_workbook(path)["Summary"]
    cells = {}
    for row in sheet.iter_rows():
        if row[0].value is not None:
            cells[row[0].value] = row
    return sheet, cells


def test_summary_counts_fully_marked_scripts_and_says_so(class_set, tmp_path):
    ms, _ = class_set
    export_markbook(ms, tmp_path / "markbook.xlsx")
    sheet, cells = _summary(tmp_path / "markbook.xlsx")
    assert "Fully marked: 4 of 6 scripts" in cells
    assert cells["Fully marked: 4 of 6 scripts"][0].font.bold
    assert cells["Count"][1].value == 4
    assert cells["Highest"][1].value == 23 and cells["Lowest"][1].value == 0
    assert cells["Mean"][1].value == pytest.approx(57 / 4)
    assert cells["Median"][1].value == 17
    # the level counts add up to the count: every fully marked script is at one level
    labels = [lv.label for lv in ms.scheme.criterion("AO1").levels]
    counts = {label: cells[label][1].value for label in labels}
    assert counts == {"Level 0": 1, "Level 1": 0, "Level 2": 0, "Level 3": 0, "Level 4": 2,
                      "Level 5": 1}
    assert sum(counts.values()) == cells["Count"][1].value == cells["Fully marked"][1].value
    assert "In no level" not in cells


def test_whole_marks_have_no_decimals_and_means_one(class_set, tmp_path):
    ms, _ = class_set
    export_markbook(ms, tmp_path / "markbook.xlsx")
    _, cells = _summary(tmp_path / "markbook.xlsx")
    formats = {label: cells[label][1].number_format
               for label in ("Count", "Mean", "Median", "Standard deviation", "Highest",
                             "Lowest", "Out of", "Level 4", "Fully marked")}
    assert formats == {"Count": "0", "Mean": "0.0", "Median": "0",
                       "Standard deviation": "0.0", "Highest": "0", "Lowest": "0",
                       "Out of": "0", "Level 4": "0", "Fully marked": "0"}
    assert isinstance(cells["Highest"][1].value, int)


def test_a_median_between_two_marks_keeps_its_half(class_set, tmp_path):
    ms, ids = class_set
    ms.set_mark(ids["Daniel Okafor"], "AO1", 18)   # 0, 17, 18, 23: median 17.5
    export_markbook(ms, tmp_path / "markbook.xlsx")
    _, cells = _summary(tmp_path / "markbook.xlsx")
    assert cells["Median"][1].value == 17.5 and cells["Median"][1].number_format == "0.0"


def test_every_criterion_counts_the_same_scripts(tmp_path, nea_scheme, make_draft):
    with MarkingSet.create(tmp_path / "nea.markset", "NEA", nea_scheme) as ms:
        ms.use_marker("Ms Priya Patel", "PP")
        first = ms.add_script(make_draft("Amira Khan", "4017")).created
        second = ms.add_script(make_draft("Tobi Adeyemi", "4203", seed="Witte")).created
        for criterion, mark in (("AO1", 15), ("AO2", 7), ("AO3", 8)):
            ms.set_mark(first, criterion, mark)
        ms.set_mark(second, "AO1", 12)   # AO2 and AO3 not marked yet: not fully marked
        export_markbook(ms, tmp_path / "nea.xlsx")
    _, cells = _summary(tmp_path / "nea.xlsx")
    assert "Fully marked: 1 of 2 scripts" in cells
    assert [c.value for c in cells["Count"][1:5]] == [1, 1, 1, 1]
    fully = [c.value for c in cells["Fully marked"][1:4]]
    assert fully == [1, 1, 1]
    labels = {lv.label for c in nea_scheme.criteria for lv in c.levels}
    for column in range(1, 4):
        assert sum(cells[label][column].value or 0 for label in labels) == 1


def test_a_mark_in_no_level_is_counted_as_such(tmp_path, make_draft):
    edexcel = template("edexcel-history-essay-20")
    with MarkingSet.create(tmp_path / "e.markset", "Edexcel", edexcel) as ms:
        ms.use_marker("Ms Priya Patel", "PP")
        ms.set_mark(ms.add_script(make_draft("Amira Khan", "4017")).created, "AO1", 0)
        ms.set_mark(ms.add_script(make_draft("Kacper Nowak", "4042", seed="x")).created,
                    "AO1", 14)
        # the rubric loses its Level 0: the 0 is kept (flagged), and lies in no level now
        criterion = edexcel.criteria[0]
        ms.update_scheme(replace(edexcel, criteria=(
            replace(criterion, levels=criterion.levels[1:]),)))
        export_markbook(ms, tmp_path / "e.xlsx")
        levels = ms.scheme.criteria[0].levels
    _, cells = _summary(tmp_path / "e.xlsx")
    level_total = sum(cells[lv.label][1].value for lv in levels)
    assert cells["In no level"][1].value == 1
    assert level_total + 1 == cells["Fully marked"][1].value == cells["Count"][1].value == 2


def test_every_sheet_prints_on_a4_fitting_its_width(class_set, tmp_path):
    ms, ids = class_set
    ms.use_marker("Mr Second", "MS", "second")      # two markers: a Markers sheet too
    ms.set_mark(ids["Amira Khan"], "AO1", 21)
    export_markbook(ms, tmp_path / "markbook.xlsx")
    workbook = load_workbook(tmp_path / "markbook.xlsx")
    assert {"Marks", "Comments", "Summary", "Markers"} <= set(workbook.sheetnames)
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert int(setup.paperSize) == 9, sheet.title
        assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert setup.orientation in ("portrait", "landscape"), sheet.title
    assert workbook["Summary"].page_setup.orientation == "portrait"
    assert workbook["Marks"].page_setup.orientation == "landscape"


def test_long_comments_wrap_inside_a_row_tall_enough(class_set, tmp_path):
    ms, _ = class_set
    export_markbook(ms, tmp_path / "markbook.xlsx")
    sheet = load_workbook(tmp_path / "markbook.xlsx")["Comments"]
    headers = [c.value for c in sheet[1]]
    comment = headers.index("Comment") + 1
    width = sheet.column_dimensions[sheet.cell(1, comment).column_letter].width
    rows = {sheet.cell(r, comment).value: r for r in range(2, sheet.max_row + 1)}
    long_row, short_row = rows[LONG], rows["Sustained argument."]
    cell = sheet.cell(long_row, comment)
    assert cell.alignment.wrap_text
    # about 1.1 characters a unit of width, 15 points a line: never too short a row
    lines = -(-len(LONG) // int(width * 1.3))
    height = sheet.row_dimensions[long_row].height
    assert height is not None and height >= 15 * lines
    assert sheet.row_dimensions[short_row].height in (None, 15)


def test_exports_hold_only_the_marked_scripts_when_asked(class_set, tmp_path):
    ms, _ = class_set
    marked = exported_scripts(ms.scripts(), ms.statuses(), "marked")
    assert [s.candidate_name for s in marked] == ["Amira Khan", "Kacper Nowak", "Niamh Walsh"]
    assert len(exported_scripts(ms.scripts(), ms.statuses(), "all")) == 6
    with pytest.raises(ValueError):
        exported_scripts(ms.scripts(), ms.statuses(), "some")
    export_markbook(ms, tmp_path / "marked.xlsx", which="marked")
    workbook = load_workbook(tmp_path / "marked.xlsx")
    names = [r[1] for r in workbook["Marks"].iter_rows(min_row=2, values_only=True)]
    assert names == ["Amira Khan", "Kacper Nowak", "Niamh Walsh"]
    _, cells = _summary(tmp_path / "marked.xlsx")
    assert "Fully marked: 3 of 3 scripts" in cells
    assert "3 scripts not marked yet are not in this markbook." in cells
    export_csv(ms, tmp_path / "marked.csv", which="marked")
    assert len((tmp_path / "marked.csv").read_text(encoding="utf-8-sig").splitlines()) == 4
    pack = export_class_pack(ms, tmp_path / "pack.docx", WordOptions(which="marked"))
    assert len(docx.Document(str(pack)).sections) == 3


def test_each_script_of_the_class_pack_has_a_footer_with_its_candidate(class_set, tmp_path):
    ms, _ = class_set
    pack = export_class_pack(ms, tmp_path / "pack.docx", WordOptions(processes=1))
    document = docx.Document(str(pack))
    candidates = [s.candidate for s in ms.scripts()]
    assert len(document.sections) == len(candidates)
    for section, candidate in zip(document.sections, candidates, strict=True):
        footer = section.footer
        assert not footer.is_linked_to_previous
        assert footer.paragraphs[0].text.startswith(f"13B Russia · Feedback for {candidate}")
        assert section.page_width == document.sections[0].page_width   # A4 throughout
        assert section.page_height == document.sections[0].page_height
    # each section starts its script; no page break is left before a title
    titles = [p for p in document.paragraphs if p.style.name == "Title"]
    assert [t.text for t in titles] == [s.candidate_name for s in ms.scripts()]
    assert not any('w:type="page"' in t._p.xml for t in titles)


def test_an_empty_class_pack_is_a_document_with_the_sets_footer(tmp_path, essay_scheme):
    with MarkingSet.create(tmp_path / "e.markset", "Empty", essay_scheme) as ms:
        pack = export_class_pack(ms, tmp_path / "pack.docx", WordOptions(which="marked"))
    document = docx.Document(str(pack))
    assert len(document.sections) == 1
    assert document.sections[0].footer.paragraphs[0].text.startswith("Empty · Feedback")


@needs_schemas
def test_the_pack_and_the_markbook_are_valid(class_set, tmp_path):
    ms, ids = class_set
    ms.annotate_quote(ids["Amira Khan"], "land reform", "Precise", "AO1")
    export_class_pack(ms, tmp_path / "pack.docx", WordOptions(processes=1))
    export_markbook(ms, tmp_path / "markbook.xlsx")
    export_markbook(ms, tmp_path / "marked.xlsx", which="marked")
    result = subprocess.run([sys.executable, str(SCHEMAS / "validate.py"),
                             str(tmp_path / "pack.docx"), str(tmp_path / "markbook.xlsx"),
                             str(tmp_path / "marked.xlsx")],
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert "invalid parts: 0 of" in output, output
