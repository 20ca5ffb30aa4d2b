"""Marks back in from a markbook nobody should trust: all or nothing when killed, never to
the wrong student, bounded work on a sheet that claims to be huge, a reason for every odd
cell, and round trips with and without names."""

from __future__ import annotations

import datetime
import os
import re
import signal
import subprocess
import sys
import tracemalloc
import zipfile

import pytest
from openpyxl import load_workbook

from rubric.export import apply_markbook, export_markbook, read_markbook
from rubric.export import markbook_import as module
from rubric.store import MarkingSet
from rubric.store.locations import sets_dir

SHEET = "xl/worksheets/sheet1.xml"


def rewrite_sheet(path, change) -> None:
    """Rewrite the Marks sheet's XML in place with ``change(text) -> text``."""
    with zipfile.ZipFile(path) as source:
        items = [(item, source.read(item.filename)) for item in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item, data in items:
            if item.filename == SHEET:
                data = change(data.decode()).encode()
            target.writestr(item, data)


def headers_and_rows(path):
    workbook = load_workbook(path)
    sheet = workbook["Marks"]
    headers = {c.value: c.column for c in sheet[1]}
    rows = {str(sheet.cell(row=r, column=headers["Script ID"]).value): r
            for r in range(2, sheet.max_row + 1)}
    return workbook, sheet, headers, rows


@pytest.fixture
def class_set(marking_set, make_draft):
    """Twelve scripts, each with a teacher's AO1 mark of 10."""
    ms = marking_set
    ms.use_marker("Ms Priya Patel", "PP")
    ids = []
    for n in range(12):
        script_id = ms.add_script(make_draft(f"Student {n}", str(4000 + n), seed=f"s{n}")).created
        ms.set_mark(script_id, "AO1", 10)
        ids.append(script_id)
    return ms, ids


# -- all or nothing ------------------------------------------------------------------------

CHILD = r"""
import os, signal, sys, time
from rubric.cli import main
from rubric.store import MarkingSet

set_path, markbook, kill_after, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
real = MarkingSet.set_mark
calls = 0

def set_mark(self, *args, **kwargs):
    global calls
    changes = real(self, *args, **kwargs)
    calls += 1
    print("changed", calls, flush=True)
    if calls == kill_after:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(pause)
    return changes

MarkingSet.set_mark = set_mark
sys.exit(main(["import-marks", set_path, markbook, "--marker", "Dr Mod", "--role", "moderator"]))
"""


@pytest.fixture
def sixty(essay_scheme, make_draft, tmp_path):
    """A set of 60 marked scripts in the sets folder, and its markbook with every mark
    raised by one: 60 changes."""
    path = sets_dir() / "crash.markset"
    with MarkingSet.create(path, "Crash", essay_scheme) as ms:
        ms.use_marker("Ms Priya Patel", "PP")
        for n in range(60):
            script_id = ms.add_script(make_draft(f"Student {n}", str(5000 + n),
                                                 seed=f"c{n}")).created
            ms.set_mark(script_id, "AO1", 5 + n % 15)
        markbook = tmp_path / "sixty.xlsx"
        export_markbook(ms, markbook)
    workbook, sheet, headers, rows = headers_and_rows(markbook)
    for row in rows.values():
        cell = sheet.cell(row=row, column=headers["AO1 mark"])
        cell.value += 1
    workbook.save(markbook)
    return path, markbook


def moderated(path) -> tuple[int, int]:
    """(the moderator's marks, the import entries in the audit log) in the set at ``path``."""
    with MarkingSet.open(path) as ms:
        assert ms.integrity_ok()
        moderator = [m.id for m in ms.markers() if m.role == "moderator"]
        marks = [m for m in ms.marks() if m.marker_id in moderator]
        imports = [e for e in ms.audit_log(limit=100_000) if e.action == "import markbook"]
        teacher = {m.mark for m in ms.marks() if m.marker_id not in moderator}
        assert teacher == set(range(5, 20))  # the teacher's marks are never touched
        return len(marks), len(imports)


def run_child(path, markbook, kill_after: int, pause: float = 0.0):
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(markbook), str(kill_after), str(pause)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [1, 42, 60])
def test_import_marks_killed_mid_apply_changes_nothing(sixty, kill_after):
    path, markbook = sixty
    child = run_child(path, markbook, kill_after)
    out, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, err
    assert f"changed {kill_after}" in out  # it really was part-way through the apply
    assert moderated(path) == (0, 0)
    # run again to the end: all 60, as one audited operation
    child = run_child(path, markbook, 0)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert "applied 60 changes" in out
    assert moderated(path) == (60, 1)


@pytest.mark.slow
def test_import_marks_killed_from_outside_mid_apply_changes_nothing(sixty):
    path, markbook = sixty
    child = run_child(path, markbook, 0, pause=0.02)
    for line in child.stdout:
        if line.strip() == "changed 20":
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert moderated(path) == (0, 0)


def test_a_failure_part_way_through_apply_records_nothing(class_set, tmp_path, monkeypatch):
    ms, ids = class_set
    path = tmp_path / "m.xlsx"
    export_markbook(ms, path)
    workbook, sheet, headers, rows = headers_and_rows(path)
    for script_id in ids:
        sheet.cell(row=rows[str(script_id)], column=headers["AO1 mark"]).value = 12
    workbook.save(path)
    result = read_markbook(path, ms)
    assert len(result.changes) == 12
    real, calls = MarkingSet.set_mark, []

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 7:
            raise OSError("disk I/O error")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(MarkingSet, "set_mark", failing)
    with pytest.raises(OSError):
        apply_markbook(result, ms)
    monkeypatch.undo()
    assert {m.mark for m in ms.marks()} == {10}
    assert not [e for e in ms.audit_log() if e.action == "import markbook"]
    apply_markbook(result, ms)
    assert {m.mark for m in ms.marks()} == {12}
    [entry] = [e for e in ms.audit_log() if e.action == "import markbook"]
    assert entry.new == {"file": "m.xlsx", "changes": 12, "scripts": 12}


# -- never to the wrong student ------------------------------------------------------------


@pytest.fixture
def named_set(marking_set, make_draft):
    ms = marking_set
    ms.use_marker("Ms Priya Patel", "PP")
    ids = {}
    for name, number in [("Jane Smith", "4321"), ("Tom Jones", "4322"),
                         ("Zoë O’Brien", "4323"), ("Mary-Jane Watson", "4324"),
                         ("Amira Khan", "4325"), ("Daniel Okafor", "")]:
        ids[name] = ms.add_script(make_draft(name, number, seed=name)).created
        ms.set_mark(ids[name], "AO1", 10)
    return ms, ids


def test_a_name_that_contradicts_the_number_is_refused(named_set, tmp_path):
    ms, ids = named_set
    path = tmp_path / "m.xlsx"
    export_markbook(ms, path)
    workbook, sheet, headers, rows = headers_and_rows(path)

    def put(name, cell_name, mark, script_id=...):
        row = rows[str(ids[name])]
        sheet.cell(row=row, column=headers["Candidate name"]).value = cell_name
        sheet.cell(row=row, column=headers["AO1 mark"]).value = mark
        if script_id is not ...:
            sheet.cell(row=row, column=headers["Script ID"]).value = script_id

    # Rows sorted wrongly by hand: Tom Jones's number and id beside Jane Smith's name.
    put("Tom Jones", "Jane Smith", 20)
    # Matched by number alone (no Script ID), the name says another candidate.
    put("Amira Khan", "Tom Jones", 21, script_id=None)
    # No number: matched by its Script ID, the name says another candidate.
    put("Daniel Okafor", "Amira Khan", 22)
    # Lenient: case, accents, spacing, order, apostrophes, hyphens, an initial.
    put("Jane Smith", "  smith,   JANE ", 11)
    put("Zoë O’Brien", "O'BRIEN, Zoe", 12)
    put("Mary-Jane Watson", "Mary Jane Watson", 13)
    workbook.save(path)
    result = read_markbook(path, ms)
    refused = {p.reason for p in result.problems}
    assert refused == {
        "the name Jane Smith does not match candidate 4322 (Tom Jones)",
        "the name Tom Jones does not match candidate 4325 (Amira Khan)",
        f"the name Amira Khan does not match script ID {ids['Daniel Okafor']} (Daniel Okafor)",
    }
    line = next(x for x in result.lines() if "Jane Smith does not" in x)
    assert re.fullmatch(r"not read: row \d+: the name Jane Smith does not match candidate 4322 "
                        r"\(Tom Jones\)", line)
    apply_markbook(result, ms)
    marks = {name: ms.marks_for(script_id)["AO1"].mark for name, script_id in ids.items()}
    assert marks == {"Jane Smith": 11, "Tom Jones": 10, "Zoë O’Brien": 12,
                     "Mary-Jane Watson": 13, "Amira Khan": 10, "Daniel Okafor": 10}


def test_names_are_compared_leniently_but_a_different_word_is_another_person():
    agree = module._names_agree
    assert agree("Smith, Jane", "Jane Smith")
    assert agree("JANE  SMITH", "jane smith")
    assert agree("Zoe Obrien", "Zoë O’Brien")
    assert agree("J. Smith", "Jane Smith")
    assert agree("Jane Smith", "Jane Elizabeth Smith")
    assert not agree("Jane Smith", "Tom Jones")
    assert not agree("Jane Smith", "Jane Smyth")
    assert not agree("T. Smith", "Jane Smith")


def test_a_number_that_contradicts_the_script_id_is_refused(class_set, tmp_path):
    ms, ids = class_set
    path = tmp_path / "m.xlsx"
    export_markbook(ms, path)
    workbook, sheet, headers, rows = headers_and_rows(path)
    row = rows[str(ids[3])]
    sheet.cell(row=row, column=headers["Candidate number"]).value = "9999"
    sheet.cell(row=row, column=headers["AO1 mark"]).value = 20
    workbook.save(path)
    result = read_markbook(path, ms)
    assert result.changes == []
    [problem] = result.problems
    assert problem.reason == f"candidate number 9999 does not match script ID {ids[3]} " \
                             "(Student 3 (4003))"


# -- only as wide as the header ----------------------------------------------------------------


def test_a_sheet_that_declares_itself_huge_is_read_only_as_wide_as_its_header(class_set,
                                                                                tmp_path):
    ms, ids = class_set
    path = tmp_path / "huge.xlsx"
    export_markbook(ms, path)
    workbook, sheet, headers, rows = headers_and_rows(path)
    sheet.cell(row=rows[str(ids[0])], column=headers["AO1 mark"]).value = 14
    workbook.save(path)
    width = len(headers)

    def huge(text: str) -> str:
        text, count = re.subn(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD20000"/>',
                              text)
        assert count == 1
        # 20,000 more rows, each with a cell at the far right edge of the sheet, and one row
        # of 50,000 cells: nothing in them is inside the header's columns.
        wide = '<c r="AZ14"><v>1</v></c>' + "<c><v>1</v></c>" * 50_000
        padding = f'<row r="14" spans="1:16384">{wide}</row>' + "".join(
            f'<row r="{n}" spans="1:16384"><c r="XFD{n}"><v>{n}</v></c></row>'
            for n in range(15, 20_015))
        return text.replace("</sheetData>", padding + "</sheetData>")

    rewrite_sheet(path, huge)
    tracemalloc.start()
    try:
        result = read_markbook(path, ms)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.rows_read == 12 and result.problems == []
    assert [(c.script_id, c.new_mark) for c in result.changes] == [(ids[0], 14)]
    assert peak < 40 * 1024 * 1024  # the old reader built 2.6 GB of empty cells here
    read = module._marks_sheet(path)
    assert read.cells_read <= 13 * width  # the header and 12 rows, never a cell beyond
    assert read.rows_seen <= 13 + module.EMPTY_RUN + 1  # stopped at the run of empty rows


def test_rows_after_a_long_run_of_empty_rows_or_past_the_cap_are_reported(class_set, tmp_path,
                                                                          monkeypatch):
    ms, ids = class_set
    path = tmp_path / "gap.xlsx"
    export_markbook(ms, path)
    rewrite_sheet(path, lambda text: text.replace(
        "</sheetData>", '<row r="900"><c r="A900" t="inlineStr"><is><t>4001</t></is></c></row>'
                        "</sheetData>"))
    result = read_markbook(path, ms)
    assert result.rows_read == 12
    assert [(p.row, p.reason) for p in result.problems] == [
        (900, "not read, nor any row below it: it comes after more than 200 empty rows")]
    monkeypatch.setattr(module, "MAX_ROWS", 5)
    result = read_markbook(path, ms)
    assert result.rows_read == 5
    assert [(p.row, p.reason) for p in result.problems] == [
        (7, "the Marks sheet has more than 5 rows of marks; this row and those below it were "
            "not read")]


# -- odd cells ---------------------------------------------------------------------------------


def test_odd_values_get_a_reason_naming_the_column_and_other_rows_still_apply(class_set,
                                                                             tmp_path):
    ms, ids = class_set
    path = tmp_path / "odd.xlsx"
    export_markbook(ms, path)
    workbook, sheet, headers, rows = headers_and_rows(path)
    mark_col, level_col = headers["AO1 mark"], headers["AO1 level"]
    number_col, name_col = headers["Candidate number"], headers["Candidate name"]

    def at(n, column):
        return sheet.cell(row=rows[str(ids[n])], column=column)

    at(0, mark_col).value = 777000                 # becomes NaN in the XML below
    at(1, mark_col).value = 777001                 # becomes inf
    at(2, mark_col).value = 777002                 # becomes 1E999 (a float infinity)
    at(3, mark_col).value = 1e300
    at(4, mark_col).value = 99999999999999
    at(5, mark_col).value = True
    at(6, mark_col).value = datetime.datetime(2025, 3, 14)
    at(7, mark_col).value = "=D2+1"                # a formula
    at(8, level_col).value = "=C2"                 # a formula in a level cell
    at(9, number_col).value = '=TEXT(4009,"0")'    # and in the candidate number
    at(10, mark_col).value = 11                    # two ordinary edits
    at(11, mark_col).value = 12
    at(11, name_col).value = "  student   11 "
    workbook.save(path)
    rewrite_sheet(path, lambda text: text.replace("<v>777000</v>", "<v>NaN</v>")
                  .replace("<v>777001</v>", "<v>inf</v>").replace("<v>777002</v>", "<v>1E999</v>"))
    result = read_markbook(path, ms)
    reasons = {p.row: p.reason for p in result.problems}
    row = {n: rows[str(ids[n])] for n in range(12)}
    assert reasons == {
        row[0]: "AO1 mark: “NaN” is not a number",
        row[1]: "AO1 mark: “inf” is not a number",
        row[2]: "AO1 mark: infinity is not a mark",
        row[3]: "AO1 mark: 1e+300 is far too large to be a mark",
        row[4]: "AO1 mark: 99999999999999 is far too large to be a mark",
        row[5]: "AO1 mark: “True” is not a mark",
        row[6]: "AO1 mark: 2025-03-14 00:00:00 is a date, not a mark",
        row[7]: "AO1 mark: “=D2+1” is a formula; type the mark itself",
        row[8]: "AO1 level: “=C2” is a formula; type the level itself",
        row[9]: "Candidate number: “=TEXT(4009,\"0\")” is a formula; type the number itself",
    }
    assert [(c.script_id, c.new_mark) for c in result.changes] == [(ids[10], 11), (ids[11], 12)]
    apply_markbook(result, ms)
    assert [ms.marks_for(i)["AO1"].mark for i in ids] == [10] * 10 + [11, 12]


def test_cells_openpyxl_cannot_read_are_a_reason_not_a_crash(class_set, tmp_path):
    ms, ids = class_set
    path = tmp_path / "broken.xlsx"
    export_markbook(ms, path)
    workbook, sheet, headers, rows = headers_and_rows(path)
    for n, value in enumerate([777000, 777001, 777002, 13]):
        sheet.cell(row=rows[str(ids[n])], column=headers["AO1 mark"]).value = value
    workbook.save(path)

    def breakage(text: str) -> str:
        text = re.sub(r'<c r="(\w+)"[^>]*><v>777000</v></c>',
                      r'<c r="\1" t="s"><v>99999</v></c>', text)  # no such shared string
        text = re.sub(r'<c r="(\w+)"[^>]*><v>777001</v></c>',
                      r'<c r="\1" t="e"><v>#DIV/0!</v></c>', text)  # an error value
        return text.replace("<v>777002</v>", "<v>" + "9" * 5000 + "</v>")  # too many digits

    rewrite_sheet(path, breakage)
    with zipfile.ZipFile(path) as package:
        assert "#DIV/0!" in package.read(SHEET).decode()
    result = read_markbook(path, ms)
    reasons = sorted(p.reason for p in result.problems)
    assert reasons == [
        "AO1 mark: the cell cannot be read",
        "AO1 mark: “#DIV/0!” is an error value, not a mark",
        "AO1 mark: “" + "9" * 37 + "…” is not a number",
    ]
    assert [(c.script_id, c.new_mark) for c in result.changes] == [(ids[3], 13)]


# -- round trips --------------------------------------------------------------------------------


def test_export_edit_import_changes_the_mark(class_set, tmp_path):
    ms, ids = class_set
    path = tmp_path / "m.xlsx"
    export_markbook(ms, path)
    workbook, sheet, headers, rows = headers_and_rows(path)
    sheet.cell(row=rows[str(ids[5])], column=headers["AO1 mark"]).value = 18
    workbook.save(path)
    result = read_markbook(path, ms)
    assert result.problems == [] and len(result.changes) == 1
    apply_markbook(result, ms)
    assert ms.marks_for(ids[5])["AO1"].mark == 18
    assert read_markbook(path, ms).changes == []  # read again: nothing left to change


def test_a_markbook_without_names_round_trips_by_script_id(marking_set, make_draft, tmp_path):
    ms = marking_set
    ids = [ms.add_script(make_draft("", "", seed=f"n{n}")).created for n in range(4)]
    for script_id in ids:
        ms.set_mark(script_id, "AO1", 8)
    path = tmp_path / "m.xlsx"
    export_markbook(ms, path)
    workbook, sheet, headers, rows = headers_and_rows(path)
    for n, script_id in enumerate(ids):
        row = rows[str(script_id)]
        sheet.cell(row=row, column=headers["Candidate name"]).value = None
        sheet.cell(row=row, column=headers["Candidate number"]).value = None
        sheet.cell(row=row, column=headers["AO1 mark"]).value = 20 + n
    workbook.save(path)
    result = read_markbook(path, ms)
    assert result.problems == []
    apply_markbook(result, ms)
    assert [ms.marks_for(i)["AO1"].mark for i in ids] == [20, 21, 22, 23]


def test_reading_from_a_snapshot_never_touches_the_set(class_set, tmp_path):
    from rubric.export.snapshot import SetSnapshot

    ms, ids = class_set
    path = tmp_path / "m.xlsx"
    export_markbook(ms, path)
    workbook, sheet, headers, rows = headers_and_rows(path)
    sheet.cell(row=rows[str(ids[2])], column=headers["AO1 mark"]).value = 16
    workbook.save(path)
    snapshot = SetSnapshot(ms)
    ms.close()  # a worker thread reading the markbook has only the snapshot
    result = read_markbook(path, snapshot)
    assert [(c.script_id, c.old_mark, c.new_mark) for c in result.changes] == [(ids[2], 10, 16)]
