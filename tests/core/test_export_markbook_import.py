"""Marks back in: a moderator edits the exported markbook; reading it finds exactly the
changes, reports every row it cannot use, and applying records them under the moderator."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from rubric.errors import MarkError
from rubric.export import (
    MarkbookError,
    apply_markbook,
    export_markbook,
    read_markbook,
)
from rubric.export import markbook_import as module
from rubric.store import MarkingSet


@pytest.fixture
def marked(marking_set, make_draft):
    ms = marking_set
    ms.use_marker("Ms Priya Patel", "PP")
    ids = {}
    for number, mark in {"4017": 17, "4023": 12, "4031": 22, "4042": 9, "4105": 5}.items():
        script_id = ms.add_script(make_draft(f"Student {number}", number, seed=number)).created
        ms.set_mark(script_id, "AO1", mark)
        ids[number] = script_id
    return ms, ids


def exported(ms, tmp_path):
    path = tmp_path / "markbook.xlsx"
    export_markbook(ms, path)
    return path


def edit(path, edits: dict[tuple[str, str], object], extra_rows=()):
    """Set cells by (candidate number, header) as a moderator would, and save."""
    workbook = load_workbook(path)
    sheet = workbook["Marks"]
    headers = {c.value: c.column for c in sheet[1]}
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    for (number, header), value in edits.items():
        sheet.cell(row=rows[number], column=headers[header]).value = value
    for row in extra_rows:
        sheet.append(row)
    workbook.save(path)


def test_an_unedited_markbook_changes_nothing(marked, tmp_path):
    ms, _ = marked
    result = read_markbook(exported(ms, tmp_path), ms)
    assert result.changes == [] and result.problems == []
    assert result.rows_read == 5
    assert result.lines() == ["0 changes in 5 rows"]


def test_edited_marks_are_read_as_changes_and_applied_under_the_moderator(marked, tmp_path):
    ms, ids = marked
    path = exported(ms, tmp_path)
    edit(path, {
        ("4017", "AO1 mark"): 14,            # level cell left stale: the level follows the mark
        ("4023", "AO1 level"): "Level 3",    # level and mark both typed, and they agree
        ("4023", "AO1 mark"): 13,
        ("4031", "AO1 mark"): "21",          # a number typed as text is still a number
        ("4042", "AO1 level"): "level 3",    # a new level, no mark: the old mark does not fit
        ("4042", "AO1 mark"): None,
    })
    # 4042's mark cell emptied together with a level change is a clearing: reported.
    result = read_markbook(path, ms)
    changes = {(c.candidate, c.old_level, c.old_mark, c.new_level, c.new_mark)
               for c in result.changes}
    assert changes == {
        ("Student 4017 (4017)", "Level 4", 17, "Level 3", 14),
        ("Student 4023 (4023)", "Level 3", 12, "Level 3", 13),
        ("Student 4031 (4031)", "Level 5", 22, "Level 5", 21),
    }
    assert [(p.row, p.reason) for p in result.problems] == [
        (5, "AO1: the mark is empty (clear a mark in the app, not in the markbook)")]
    assert "Student 4017 (4017), AO1: Level 4 17 → Level 3 14" in result.lines()

    teacher = ms.current_marker
    ms.use_marker("Dr Mod", "DM", "moderator")
    moderator = ms.current_marker
    ms.use_marker(teacher.name, teacher.initials, teacher.role)
    applied = apply_markbook(result, ms, marker=moderator.id)
    assert applied.marks and applied.scripts == {ids["4017"], ids["4023"], ids["4031"]}
    assert ms.marks_for(ids["4017"], moderator.id)["AO1"].mark == 14
    assert ms.marks_for(ids["4017"], moderator.id)["AO1"].level == "Level 3"
    assert ms.marks_for(ids["4017"], teacher.id)["AO1"].mark == 17  # the teacher's mark stays
    assert ms.status(ids["4017"]) == "moderated"
    # Read again against what is now recorded for the teacher: the same changes remain.
    assert len(read_markbook(path, ms).changes) == 3


def test_a_new_level_must_agree_with_the_mark_beside_it(marked, tmp_path):
    ms, ids = marked
    path = exported(ms, tmp_path)
    edit(path, {("4042", "AO1 level"): "Level 3"})  # the mark cell still says 9
    result = read_markbook(path, ms)
    assert result.changes == []
    assert [p.reason for p in result.problems] == ["AO1: 9 is outside Level 3 (11–15)"]


def test_a_level_without_a_mark_can_be_changed(marking_set, make_draft, tmp_path):
    ms = marking_set
    script_id = ms.add_script(make_draft()).created
    ms.set_level(script_id, "AO1", "Level 3")  # a level chosen, the mark not placed yet
    path = exported(ms, tmp_path)
    workbook = load_workbook(path)
    assert (workbook["Marks"]["C2"].value, workbook["Marks"]["D2"].value) == ("Level 3", None)
    workbook["Marks"]["C2"] = "Level 2"
    workbook.save(path)
    result = read_markbook(path, ms)
    assert result.problems == []
    [change] = result.changes
    assert (change.old_level, change.new_level, change.new_mark) == ("Level 3", "Level 2", None)
    apply_markbook(result, ms)
    mark = ms.marks_for(script_id)["AO1"]
    assert (mark.level, mark.mark) == ("Level 2", None)


def test_invalid_rows_are_reported_and_never_guessed(marked, tmp_path):
    ms, ids = marked
    path = exported(ms, tmp_path)
    edit(path, {
        ("4017", "AO1 level"): "Level 5",    # edited level disagrees with the mark
        ("4023", "AO1 mark"): "twelve",      # text in a mark cell
        ("4031", "AO1 mark"): 26,            # above the maximum
        ("4042", "AO1 mark"): 10.5,          # not a whole number
        ("4105", "AO1 level"): "Level 9",    # not a level
    }, extra_rows=[
        ["9999", "Nobody Here", "Level 1", 3],    # unknown candidate
        ["4105", "Student 4105", "Level 1", 4],   # duplicate of a row above
        [None, "Student 4031", None, 20],         # no number: matched by name (and duplicate)
        [None, None, None, 3],                    # no candidate at all
    ])
    result = read_markbook(path, ms)
    assert result.changes == []
    reasons = {p.row: p.reason for p in result.problems}
    assert reasons[2] == "AO1: 17 is outside Level 5 (21–25)"
    assert reasons[3] == "AO1 mark: “twelve” is not a number"
    assert reasons[4].startswith("AO1: 26 is above the maximum of 25")
    assert reasons[5] == "AO1 mark: 10.5 is not a whole number"
    assert reasons[6].startswith("AO1 level: “Level 9” is not a level (levels: Level 0, ")
    assert reasons[7] == "no candidate number 9999 in this set"
    assert "Student 4105 (4105) is on rows 6 and 8" in reasons[8]
    assert "Student 4031 (4031) is on rows 4 and 9" in reasons[9]
    assert reasons[10] == "no candidate number or name"
    assert len(result.problems) == 9
    # Nothing was applied by reading.
    assert ms.marks_for(ids["4017"])["AO1"].mark == 17


def test_a_duplicate_row_voids_the_first_row_too(marked, tmp_path):
    ms, _ = marked
    path = exported(ms, tmp_path)
    edit(path, {("4017", "AO1 mark"): 18}, extra_rows=[["4017", "Student 4017", None, 19]])
    result = read_markbook(path, ms)
    assert result.changes == []
    assert {p.row for p in result.problems} == {2, 7}


def test_rows_without_a_number_are_matched_by_name(marking_set, make_draft, tmp_path):
    ms = marking_set
    ms.use_marker("Ms Priya Patel", "PP")
    script_id = ms.add_script(make_draft("Amira Khan", "")).created
    ms.set_mark(script_id, "AO1", 10)
    path = exported(ms, tmp_path)
    workbook = load_workbook(path)
    workbook["Marks"]["D2"] = 11
    workbook["Marks"]["B2"] = "  amira   KHAN "
    workbook.save(path)
    [change] = read_markbook(path, ms).changes
    assert (change.script_id, change.new_mark) == (script_id, 11)


def test_a_changed_total_alone_is_reported(marked, tmp_path):
    ms, _ = marked
    path = exported(ms, tmp_path)
    edit(path, {("4017", "Total"): 20})
    result = read_markbook(path, ms)
    assert result.changes == []
    assert "totals are not read" in result.problems[0].reason


def test_apply_checks_every_change_before_recording_any(marked, tmp_path):
    ms, ids = marked
    path = exported(ms, tmp_path)
    edit(path, {("4017", "AO1 mark"): 14, ("4023", "AO1 mark"): 13})
    result = read_markbook(path, ms)
    bad = result.changes[1].__class__(**{**result.changes[1].__dict__, "new_mark": 99})
    with pytest.raises(MarkError):
        apply_markbook([result.changes[0], bad], ms)
    assert ms.marks_for(ids["4017"])["AO1"].mark == 17


# -- untrusted files ------------------------------------------------------------------------


def test_files_that_are_not_markbooks_are_refused(marked, tmp_path):
    ms, _ = marked
    text = tmp_path / "notes.xlsx"
    text.write_text("just text")
    with pytest.raises(MarkbookError, match="not an Excel workbook"):
        read_markbook(text, ms)
    other = tmp_path / "other.xlsx"
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    workbook.save(other)
    with pytest.raises(MarkbookError, match="no sheet called “Marks”"):
        read_markbook(other, ms)
    wrong = tmp_path / "wrong.xlsx"
    workbook = Workbook()
    workbook.active.title = "Marks"
    workbook.active.append(["Candidate number", "Candidate name", "AO9 mark"])
    workbook.save(wrong)
    with pytest.raises(MarkbookError, match="no level or mark columns"):
        read_markbook(wrong, ms)
    with pytest.raises(MarkbookError, match="cannot read the file"):
        read_markbook(tmp_path / "missing.xlsx", ms)


def test_declared_sizes_are_checked_before_unpacking(marked, tmp_path, monkeypatch):
    ms, _ = marked
    path = exported(ms, tmp_path)
    monkeypatch.setattr(module, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(MarkbookError, match="would unpack to"):
        read_markbook(path, ms)
    monkeypatch.setattr(module, "MAX_UNZIPPED_BYTES", 200 * 1024 * 1024)
    monkeypatch.setattr(module, "MAX_ENTRIES", 3)
    with pytest.raises(MarkbookError, match="too many parts"):
        read_markbook(path, ms)
    monkeypatch.setattr(module, "MAX_ENTRIES", 2000)
    monkeypatch.setattr(module, "MAX_FILE_BYTES", 100)
    with pytest.raises(MarkbookError, match="too large"):
        read_markbook(path, ms)


def test_a_real_zip_bomb_entry_is_refused_by_its_declared_size(marked, tmp_path):
    ms, _ = marked
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/workbook.xml", "<workbook/>")
        package.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(MarkbookError, match="would unpack to 120 MB"):
        read_markbook(bomb, ms)


def test_xml_entity_bombs_are_refused(marked, tmp_path):
    ms, _ = marked
    path = exported(ms, tmp_path)
    bomb = tmp_path / "lol.xlsx"
    entities = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    changed = False
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bomb, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                if text.startswith("<?xml"):
                    head, _, rest = text.partition("?>")
                    head += "?>"
                else:
                    head, rest = "", text
                assert "Student 4017" in rest
                data = (head + entities + rest.replace("Student 4017", "&lol2;")).encode()
                changed = True
            target.writestr(item, data)
    assert changed
    with pytest.raises(MarkbookError, match="cannot read.*(EntitiesForbidden|DTDForbidden)"):
        read_markbook(bomb, ms)


def test_a_marker_column_names_whose_marks_the_row_showed(marking_set, make_draft, tmp_path):
    ms = marking_set
    ms.use_marker("Ms Priya Patel", "PP")
    teacher = ms.current_marker
    script_id = ms.add_script(make_draft()).created
    ms.set_mark(script_id, "AO1", 17)
    ms.use_marker("Mr Second", "MS", "second")
    second = ms.current_marker
    ms.set_mark(script_id, "AO1", 12)
    path = tmp_path / "m.xlsx"
    export_markbook(ms, path, marker=second.id)
    assert load_workbook(path)["Marks"]["D2"].value == 12
    ms.use_marker(teacher.name, teacher.initials)
    # The row says it showed Mr Second's marks, so an unedited row is no change.
    assert read_markbook(path, ms).changes == []
    data = io.BytesIO(path.read_bytes())
    workbook = load_workbook(data)
    workbook["Marks"]["D2"] = 13
    workbook.save(path)
    [change] = read_markbook(path, ms).changes
    assert (change.old_mark, change.new_mark) == (12, 13)


def test_reading_needs_no_lock_on_the_file(marked, tmp_path):
    ms, _ = marked
    path = exported(ms, tmp_path)
    read_markbook(path, ms)
    path.rename(tmp_path / "moved.xlsx")  # nothing holds the file open
    assert not path.exists()


def test_a_coursework_markbook_round_trip(tmp_path, make_draft, nea_scheme):
    ms = MarkingSet.create(tmp_path / "nea.markset", "13C NEA", nea_scheme)
    try:
        script_id = ms.add_script(make_draft()).created
        ms.set_mark(script_id, "AO1", 15)
        path = tmp_path / "nea.xlsx"
        export_markbook(ms, path)
        workbook = load_workbook(path)
        sheet = workbook["Marks"]
        sheet["F2"] = 7  # AO2 mark, typed by the moderator
        sheet["G2"] = "Level 0"  # AO3 level 0: its single mark is 0
        workbook.save(path)
        result = read_markbook(path, ms)
        assert {(c.criterion, c.new_level, c.new_mark) for c in result.changes} == {
            ("AO2", "Level 4", 7), ("AO3", "Level 0", 0)}
        apply_markbook(result, ms)
        assert ms.total(script_id) == 22
    finally:
        ms.close()


def test_a_column_the_markbook_does_not_have_is_named_not_silently_skipped(marked, tmp_path,
                                                                           capsys):
    """A moderator's mark typed under a heading of their own ("AO1 mark (moderated)") is
    not read; reading says so, on the command line and in its JSON."""
    from rubric.cli import main

    ms, _ = marked
    path = exported(ms, tmp_path)
    workbook = load_workbook(path)
    sheet = workbook["Marks"]
    column = sheet.max_column + 1
    sheet.cell(row=1, column=column).value = "AO1 mark (moderated)"
    sheet.cell(row=2, column=column).value = 15
    workbook.save(path)
    result = read_markbook(path, ms)
    assert result.changes == [] and result.ignored_columns == ["AO1 mark (moderated)"]
    assert result.lines()[-2:] == [
        "ignored column “AO1 mark (moderated)”: not a column of this set's markbook (marks "
        "are read from “AO1 level”, “AO1 mark”)", "0 changes in 5 rows"]
    set_path = str(ms.path)
    ms.close()
    assert main(["import-marks", set_path, str(path), "--dry-run"]) == 0
    assert "ignored column “AO1 mark (moderated)”" in capsys.readouterr().out
    assert main(["import-marks", set_path, str(path), "--dry-run", "--json"]) == 0
    import json
    assert json.loads(capsys.readouterr().out)["ignored_columns"] == ["AO1 mark (moderated)"]
