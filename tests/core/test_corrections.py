"""The teacher corrects what import got wrong: candidate names and numbers, a script that
should not be in the set, a newer version of a file, the file-name pattern; a script
without a name is called by its file name everywhere; a failed ``mark`` changes nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rubric.cli import main
from rubric.errors import MarkError, NotFoundError, SetError
from rubric.export import apply_markbook, export_csv, export_markbook, read_markbook
from rubric.export.snapshot import SetSnapshot
from rubric.importing.model import ImportOptions, Paragraph, ScriptDraft
from rubric.store import MarkingSet, find_passage_near
from rubric.store.library import import_set_file
from rubric.store.schema import MIGRATIONS, SCHEMA_VERSION

QUESTION = "‘Stolypin’s reforms saved Tsarism.’ Assess the validity of this view."
OPENING = ("Stolypin’s land reforms aimed to create a class of prosperous, loyal peasants. "
           "The ‘wager on the strong’ was his phrase for it.")
MIDDLE = ("Repression mattered more: the field courts martial hanged over a thousand people, "
          "and the noose was called ‘Stolypin’s necktie’.")
ENDING = ("In conclusion, the wager on the strong was never tested, because war came first "
          "and the reforms were barely half done by 1914.")


def draft(paragraphs: list[str], file: str = "4017_essay.docx", name: str = "",
          number: str = "", data: bytes | None = None) -> ScriptDraft:
    words = sum(len(p.split()) for p in paragraphs)
    return ScriptDraft(
        path=Path(file), format="docx", paragraphs=[Paragraph(p) for p in paragraphs],
        title=QUESTION, candidate_name=name, candidate_number=number, word_count=words,
        coursework_word_count=words,
        source_bytes=data if data is not None else ("|".join(paragraphs) + file).encode())


def write_txt(path: Path, *paragraphs: str) -> Path:
    path.write_text("\n\n".join([QUESTION, *paragraphs]), encoding="utf-8")
    return path


# -- candidate names -------------------------------------------------------------------


def test_editing_the_candidate_saves_audits_and_shows_in_the_list(marking_set):
    ms = marking_set
    script_id = ms.add_script(draft([OPENING], "scan_0003.docx")).created
    assert ms.summary(script_id).candidate == "scan_0003"
    changes = ms.update_candidate(script_id, "Amira Khan", "4017")
    assert changes.script_list and changes.scripts == {script_id}
    assert [s.candidate for s in ms.scripts()] == ["Amira Khan (4017)"]
    entry = ms.audit_log(script_id)[0]
    assert entry.action == "edit candidate"
    assert (entry.old, entry.new) == (["", ""], ["Amira Khan", "4017"])
    # only the number; the same values again change nothing
    ms.update_candidate(script_id, number="4018")
    assert ms.summary(script_id).candidate == "Amira Khan (4018)"
    assert ms.update_candidate(script_id, "Amira Khan", "4018").nothing
    with pytest.raises(SetError, match="control characters"):
        ms.update_candidate(script_id, "Amira\x07Khan")
    ms.update_candidate(script_id, "  Amira \n Khan ")    # white space is tidied
    assert ms.summary(script_id).candidate_name == "Amira Khan"
    # an emptied name shows the file name again
    ms.update_candidate(script_id, "")
    assert ms.summary(script_id).display_name == "scan_0003"


def test_a_script_without_a_name_is_called_by_its_file_name_everywhere(marking_set, tmp_path):
    ms = marking_set
    ms.use_marker("Ms Priya Patel", "PP")
    script_id = ms.add_script(draft([OPENING, MIDDLE], "13B essay 3.docx")).created
    ms.set_mark(script_id, "AO1", 14)
    ms.annotate_quote(script_id, "wager on the strong", "Good phrase")
    assert ms.summary(script_id).candidate == "13B essay 3"
    snapshot = SetSnapshot(ms)
    assert snapshot.feedback(ms, script_id).candidate == "13B essay 3"
    export_markbook(ms, tmp_path / "m.xlsx")
    workbook = load_workbook(tmp_path / "m.xlsx")
    marks = [list(r) for r in workbook["Marks"].iter_rows(values_only=True)]
    assert marks[1][1] == "13B essay 3"
    comments = [list(r) for r in workbook["Comments"].iter_rows(values_only=True)]
    assert comments[1][1] == "13B essay 3"
    export_csv(ms, tmp_path / "m.csv")
    text = (tmp_path / "m.csv").read_text(encoding="utf-8-sig")
    assert "13B essay 3" in text and "Script 1" not in text


def test_a_markbook_round_trips_by_script_id_with_no_names_or_numbers(marking_set, tmp_path):
    ms = marking_set
    ids = [ms.add_script(draft([OPENING, f"Point {n}."], f"scan_{n}.pdf")).created
           for n in range(3)]
    for script_id in ids:
        ms.set_mark(script_id, "AO1", 10)
    path = tmp_path / "markbook.xlsx"
    export_markbook(ms, path)
    workbook = load_workbook(path)
    sheet = workbook["Marks"]
    headers = [c.value for c in sheet[1]]
    id_column, mark_column = headers.index("Script ID") + 1, headers.index("AO1 mark") + 1
    rows = {sheet.cell(r, id_column).value: r for r in range(2, sheet.max_row + 1)}
    assert set(rows) == set(ids)
    sheet.cell(rows[ids[1]], mark_column).value = 13
    sheet.cell(rows[ids[1]], 2).value = "someone typed over the name"
    workbook.save(path)
    result = read_markbook(path, ms)
    assert result.problems == []
    [change] = result.changes
    assert (change.script_id, change.old_mark, change.new_mark) == (ids[1], 10, 13)
    apply_markbook(result, ms)
    assert ms.marks_for(ids[1])["AO1"].mark == 13


def test_a_markbook_row_whose_id_and_number_disagree_is_refused(marking_set, tmp_path):
    ms = marking_set
    first = ms.add_script(draft([OPENING], "a.docx", "Amira Khan", "4017")).created
    ms.add_script(draft([MIDDLE], "b.docx", "Daniel Okafor", "4023"))
    ms.set_mark(first, "AO1", 10)
    path = tmp_path / "markbook.xlsx"
    export_markbook(ms, path)
    workbook = load_workbook(path)
    sheet = workbook["Marks"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(2, 1).value = "4023"     # the row of script 1 now names the other candidate
    sheet.cell(2, headers.index("AO1 mark") + 1).value = 12
    workbook.save(path)
    result = read_markbook(path, ms)
    assert result.changes == []
    assert "another set" in result.problems[0].reason


# -- removing a script -------------------------------------------------------------------


def test_a_removed_script_leaves_lists_exports_and_markbook_and_comes_back_whole(
        marking_set, tmp_path):
    ms = marking_set
    keep = ms.add_script(draft([OPENING], "4017_Khan_Amira.docx", "Amira Khan", "4017")).created
    gone = ms.add_script(draft([MIDDLE], "4023_Okafor_Daniel.docx", "Daniel Okafor",
                               "4023")).created
    ms.set_mark(gone, "AO1", 17)
    ms.set_comments(gone, www="Precise evidence")
    ms.annotate_quote(gone, "Stolypin’s necktie", "Well chosen")
    ms.set_complete(gone)
    changes = ms.remove_script(gone)
    assert changes.script_list and changes.scripts == {gone}
    assert ms.script_ids() == [keep] and [s.id for s in ms.scripts()] == [keep]
    assert set(ms.statuses()) == {keep}
    assert ms.marks() == [] and ms.annotations() == [] and ms.all_comments() == []
    with pytest.raises(NotFoundError, match="removed"):
        ms.set_mark(gone, "AO1", 3)
    with pytest.raises(NotFoundError, match="removed"):
        ms.summary(gone)
    export_markbook(ms, tmp_path / "m.xlsx")
    rows = list(load_workbook(tmp_path / "m.xlsx")["Marks"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["Amira Khan"]
    # the marks stay in the audit log, and in the removal entry
    entry = ms.audit_log(gone)[0]
    assert entry.action == "remove script" and entry.old["marks"][0]["mark"] == 17
    assert any(e.action == "set mark" for e in ms.audit_log(gone))
    assert [s.id for s in ms.removed_scripts()] == [gone]
    # restored: mark, comment, annotation, status, place in the list
    ms.restore_script(gone)
    assert ms.script_ids() == [keep, gone]
    assert ms.marks_for(gone)["AO1"].mark == 17
    assert ms.comments(gone).www == "Precise evidence"
    assert [a.quote for a in ms.annotations(gone)] == ["Stolypin’s necktie"]
    assert ms.status(gone) == "marked"


def test_a_removed_file_can_be_imported_again_as_a_new_script(marking_set, tmp_path):
    ms = marking_set
    file = write_txt(tmp_path / "4017_Khan_Amira.txt", OPENING, MIDDLE)
    [first] = list(ms.import_files([file]))
    ms.remove_script(first.script_id)
    [again] = list(ms.import_files([file]))
    assert again.imported and again.script_id != first.script_id
    assert len(ms.scripts()) == 1


# -- replacing a file -------------------------------------------------------------------


def test_replacing_a_file_keeps_marks_and_reanchors_annotations_by_their_passage(marking_set):
    ms = marking_set
    script_id = ms.add_script(draft([OPENING, MIDDLE, ENDING], name="Amira Khan",
                                    number="4017")).created
    ms.set_mark(script_id, "AO1", 18)
    ms.set_comments(script_id, ebi="Weigh the Duma")
    text = ms.script(script_id).text
    # "wager on the strong" is in the opening and again in the ending: comment on the second
    second = text.rindex("wager on the strong")
    ms.add_annotation(script_id, second, second + len("wager on the strong"), "Echo")
    ms.annotate_quote(script_id, "hanged over a thousand people", "Evidence")
    ms.annotate_quote(script_id, "barely half done by 1914", "Judgement")
    # The new version adds a paragraph at the top, re-spaces a passage, uses straight
    # quotation marks, and rewrites the ending's last clause.
    new_middle = MIDDLE.replace("hanged over", "hanged  over").replace("’", "'")
    new_ending = ENDING.replace("barely half done by 1914", "unfinished in 1914")
    new = draft(["A new introduction, added after feedback, about the question.", OPENING,
                 new_middle, new_ending], "4017_essay_v2.docx")
    result = ms.replace_script_file(script_id, new)
    assert (result.reanchored, len(result.lost)) == (2, 1)
    script = ms.script(script_id)
    assert script.file_name == "4017_essay_v2.docx"
    assert script.candidate == "Amira Khan (4017)"   # the names are kept
    by_comment = {a.comment: a for a in ms.annotations(script_id)}
    echo = by_comment["Echo"]
    assert script.text[echo.start:echo.end] == "wager on the strong"
    assert echo.start == script.text.rindex("wager on the strong")   # still the second one
    evidence = by_comment["Evidence"]
    assert script.text[evidence.start:evidence.end] == "hanged  over a thousand people"
    assert not echo.lost and not evidence.lost
    judgement = by_comment["Judgement"]
    assert judgement.lost and judgement.quote == "barely half done by 1914"
    assert ms.marks_for(script_id)["AO1"].mark == 18
    assert ms.comments(script_id).ebi == "Weigh the Duma"
    warning = next(w for w in script.warnings if w.code == "annotations_lost")
    assert warning.message.startswith("1 annotation could not be placed")
    # a lost annotation is not exported as a Word comment on some other passage
    feedback = SetSnapshot(ms).feedback(ms, script_id)
    assert {a.comment for a in feedback.annotations} == {"Echo", "Evidence"}
    entry = ms.audit_log(script_id)[0]
    assert entry.action == "replace file" and entry.new["lost"] == 1


def test_replacing_with_a_file_of_another_script_is_refused(marking_set):
    ms = marking_set
    first = ms.add_script(draft([OPENING], "a.docx")).created
    ms.add_script(draft([MIDDLE], "b.docx"))
    with pytest.raises(SetError, match="already in the set"):
        ms.replace_script_file(first, draft([MIDDLE], "b.docx"))


def test_a_set_with_a_lost_annotation_still_passes_the_import_check(marking_set, tmp_path):
    ms = marking_set
    script_id = ms.add_script(draft([OPENING, MIDDLE, ENDING])).created
    ms.annotate_quote(script_id, "barely half done by 1914", "Judgement")
    ms.replace_script_file(script_id, draft(["A much shorter version."]))
    shared = ms.export_to(tmp_path / "shared.markset")
    copy = import_set_file(shared)
    with MarkingSet.open(copy) as other:
        [annotation] = other.annotations()
        assert annotation.lost and annotation.comment == "Judgement"


def test_find_passage_near_prefers_the_occurrence_nearest_the_old_place():
    text = "alpha beta. gamma alpha beta. delta alpha beta."
    assert find_passage_near(text, "alpha beta", 40) == (36, 46)
    assert find_passage_near(text, "alpha beta", 0) == (0, 10)
    assert find_passage_near("it was ‘late’ — very", "was 'late' - very", 0) == (3, 20)
    assert find_passage_near(text, "omega", 0) is None


# -- re-import with a new pattern ---------------------------------------------------------


def test_importing_again_with_a_new_pattern_updates_the_names(marking_set, tmp_path):
    ms = marking_set
    file = write_txt(tmp_path / "Khan_Amira_4017.txt", OPENING, MIDDLE, ENDING)
    default = ImportOptions()
    [first] = list(ms.import_files([file], default))
    assert first.imported and ms.summary(first.script_id).candidate_number == ""
    # the same pattern again: a duplicate, skipped
    [again] = list(ms.import_files([file], default))
    assert again.skipped and "already in this set" in again.error
    # the right pattern: the names are updated, not refused
    better = ImportOptions(name_pattern="{surname}_{forename}_{number}")
    [updated] = list(ms.import_files([file], better))
    assert updated.updated and not updated.imported and not updated.skipped
    assert updated.script_id == first.script_id
    assert updated.line().startswith("names updated")
    assert ms.summary(first.script_id).candidate == "Amira Khan (4017)"
    assert len(ms.scripts()) == 1
    # a teacher's correction survives importing again with the same pattern
    ms.update_candidate(first.script_id, "Amira Khan-Smith")
    [third] = list(ms.import_files([file], better))
    assert third.skipped
    assert ms.summary(first.script_id).candidate_name == "Amira Khan-Smith"
    # a pattern that reads the same names is remembered too
    same = ImportOptions(name_pattern="{surname}_{forename}_{number}*")
    ms.update_candidate(first.script_id, "Amira Khan")
    assert list(ms.import_files([file], same))[0].skipped
    ms.update_candidate(first.script_id, "Amira Khan-Smith")
    assert list(ms.import_files([file], same))[0].skipped
    assert ms.summary(first.script_id).candidate_name == "Amira Khan-Smith"


# -- finding scripts, atomic changes, old sets ------------------------------------------------


def test_a_script_is_found_by_id_or_candidate_number(marking_set):
    ms = marking_set
    one = ms.add_script(draft([OPENING], "a.docx", "Amira Khan", "4017")).created
    two = ms.add_script(draft([MIDDLE], "b.docx", "Daniel Okafor", "1")).created
    assert ms.find_script("4017") == one
    assert ms.find_script("#1") == one and ms.find_script("id:2") == two
    assert ms.find_script("number:1") == two
    with pytest.raises(NotFoundError) as error:
        ms.find_script("1")    # script 1 is Amira; candidate number 1 is Daniel
    assert "Amira Khan (4017)" in str(error.value) and "Daniel Okafor (1)" in str(error.value)
    assert ms.find_script("2") == two     # id 2 is Daniel, and no one has number 2
    with pytest.raises(NotFoundError, match="no script with id 99"):
        ms.find_script("99")
    ms.remove_script(two)
    assert ms.find_script("1") == one     # a removed script is never found


def test_atomic_changes_are_saved_together_or_not_at_all(marking_set):
    ms = marking_set
    script_id = ms.add_script(draft([OPENING])).created
    audit_before = len(ms.audit_log())
    with pytest.raises(MarkError):
        with ms.atomic():
            ms.use_marker("Mr New Marker")
            ms.set_mark(script_id, "AO1", 12)
            ms.set_comments(script_id, www="Good")
            ms.annotate_quote(script_id, "a passage that is not there", "x")
    assert ms.marks() == [] and ms.all_comments() == [] and ms.annotations() == []
    assert "Mr New Marker" not in [m.name for m in ms.markers()]
    assert len(ms.audit_log()) == audit_before
    with ms.atomic():
        ms.set_mark(script_id, "AO1", 12)
        ms.set_comments(script_id, www="Good")
    assert ms.total(script_id) == 12 and ms.comments(script_id).www == "Good"


def make_v1_set(path: Path, essay_scheme) -> None:
    """A set as the first release wrote it (format 1)."""
    db = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version=1")
    db.execute("PRAGMA application_id=1163087179")
    db.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                   [("name", "Old set"), ("schema_version", "1")])
    db.execute("INSERT INTO schemes(version, json, created_at) VALUES (1, ?, 'then')",
               (essay_scheme.to_json(),))
    db.execute("INSERT INTO scripts(position, candidate_name, candidate_number, file_name,"
               " format, source_hash, paragraphs, word_count, coursework_word_count, warnings,"
               " imported_at) VALUES (1, '', '', 'old_scan.pdf', 'pdf', 'h', ?, 20, 20, '[]',"
               " 'then')", (json.dumps([["body", OPENING]]),))
    db.execute("INSERT INTO script_sources(script_id, bytes) VALUES (1, x'00')")
    db.execute("INSERT INTO markers(name, initials, role) VALUES ('Teacher', 'T', 'teacher')")
    db.execute("INSERT INTO annotations(script_id, marker_id, start, end, quote, comment,"
               " created_at, updated_at) VALUES (1, 1, 0, 9, 'Stolypin’', 'c', 'then', 'then')")
    db.close()


def test_a_set_of_the_first_format_opens_and_can_be_corrected(tmp_path, essay_scheme):
    assert SCHEMA_VERSION >= 2
    path = tmp_path / "old.markset"
    make_v1_set(path, essay_scheme)
    with MarkingSet.open(path) as ms:
        [script] = ms.scripts()
        assert script.candidate == "old_scan"
        assert not ms.annotations()[0].lost
        ms.update_candidate(script.id, "Amira Khan")
        ms.remove_script(script.id)
        ms.restore_script(script.id)
        assert ms.summary(script.id).candidate_name == "Amira Khan"
    copy = import_set_file(make_copy(tmp_path, essay_scheme))
    with MarkingSet.open(copy) as ms:
        assert ms.scripts()[0].candidate == "old_scan"


def make_copy(tmp_path: Path, essay_scheme) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    make_v1_set(folder / "old.markset", essay_scheme)
    return folder / "old.markset"


# -- the command line ----------------------------------------------------------------------


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli_set(capsys, tmp_path):
    code, out, err = run(capsys, "new", "13B Russia")
    assert code == 0, err
    path = out.strip()
    folder = tmp_path / "essays"
    folder.mkdir()
    write_txt(folder / "4017_Khan_Amira.txt", OPENING, MIDDLE, ENDING)
    write_txt(folder / "scan_0002.txt", MIDDLE, ENDING, OPENING)
    code, out, err = run(capsys, "import", path, str(folder))
    assert code == 0, err
    return path, folder


def scripts_of(capsys, path: str) -> dict[str, dict]:
    rows = json.loads(run(capsys, "scripts", path, "--json")[1])
    return {r["file"]: r for r in rows}


def test_cli_edit_script_remove_and_restore(capsys, cli_set):
    path, _ = cli_set
    scan = scripts_of(capsys, path)["scan_0002.txt"]
    assert scan["candidate"] == "scan_0002"
    code, out, err = run(capsys, "edit-script", path, str(scan["id"]), "--name", "Daniel Okafor",
                         "--number", "4023", "--json")
    assert code == 0, err
    assert json.loads(out)["candidate"] == "Daniel Okafor (4023)"
    assert scripts_of(capsys, path)["scan_0002.txt"]["candidate"] == "Daniel Okafor (4023)"
    code, _, err = run(capsys, "edit-script", path, "4023")
    assert code == 1 and "--name" in err
    # by candidate number
    code, out, err = run(capsys, "remove-script", path, "4023")
    assert code == 0 and "removed Daniel Okafor (4023)" in out
    assert set(scripts_of(capsys, path)) == {"4017_Khan_Amira.txt"}
    code, out, err = run(capsys, "restore-script", path, f"#{scan['id']}")
    assert code == 0, err
    assert set(scripts_of(capsys, path)) == {"4017_Khan_Amira.txt", "scan_0002.txt"}


def test_cli_replace_script_reports_reanchored_and_lost(capsys, cli_set, tmp_path):
    path, _ = cli_set
    code, _, err = run(capsys, "mark", path, "4017", "--mark", "17",
                       "--annotate", "hanged over a thousand people", "Evidence",
                       "--annotate", "barely half done by 1914", "Judgement")
    assert code == 0, err
    new = write_txt(tmp_path / "4017_Khan_Amira_v2.txt", "A new first paragraph.", OPENING,
                    MIDDLE, "A different ending.")
    code, out, err = run(capsys, "replace-script", path, "4017", str(new), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["reanchored"], report["lost"]) == (1, 1)
    assert report["lost_annotations"][0]["comment"] == "Judgement"
    row = scripts_of(capsys, path)["4017_Khan_Amira_v2.txt"]
    assert row["marks"][0]["mark"] == 17
    code, out, _ = run(capsys, "replace-script", path, "4017", str(new))
    assert code == 0 and "re-anchored" in out


@pytest.mark.parametrize("level", ["4", "L4", "Level 4", "level 4"])
def test_cli_mark_reads_levels_criteria_and_candidate_numbers_as_typed(capsys, cli_set, level):
    path, _ = cli_set
    code, out, err = run(capsys, "mark", path, "4017", "--criterion", "ao1", "--level", level,
                         "--json")
    assert code == 0, err
    assert json.loads(out)["marks"][0]["level"] == "Level 4"
    code, out, err = run(capsys, "mark", path, "4017", "--criterion", "ao1", "--level", level,
                         "--mark", "18", "--json")
    assert code == 0, err
    assert json.loads(out)["total"] == 18


def test_cli_a_mark_call_that_fails_changes_nothing(capsys, cli_set):
    path, _ = cli_set
    with MarkingSet.open(path) as ms:
        audit_before = len(ms.audit_log())
        markers_before = ms.markers()
    code, _, err = run(capsys, "mark", path, "4017", "--mark", "18", "--www", "Strong",
                       "--annotate", "wager on the strong", "Good phrase",
                       "--annotate", "a passage she never wrote", "Where?",
                       "--marker", "Ms New", "--complete")
    assert code == 1 and "a passage she never wrote" in err
    with MarkingSet.open(path) as ms:
        assert ms.marks() == [] and ms.annotations() == [] and ms.all_comments() == []
        assert ms.statuses() == {s: "unmarked" for s in ms.script_ids()}
        assert ms.markers() == markers_before
        assert len(ms.audit_log()) == audit_before
    code, _, err = run(capsys, "mark", path, "4017", "--level", "Level 9")
    assert code == 1 and "no level 'Level 9'" in err


def test_cli_an_ambiguous_script_is_refused_naming_both(capsys, cli_set):
    path, _ = cli_set
    rows = scripts_of(capsys, path)
    amira = rows["4017_Khan_Amira.txt"]
    scan = rows["scan_0002.txt"]
    run(capsys, "edit-script", path, str(scan["id"]), "--number", str(amira["id"]))
    code, _, err = run(capsys, "mark", path, str(amira["id"]), "--mark", "10")
    assert code == 1 and "ambiguous" in err
    assert "Amira Khan" in err and "scan_0002" in err
    code, out, err = run(capsys, "mark", path, f"#{amira['id']}", "--mark", "10", "--json")
    assert code == 0 and json.loads(out)["candidate"].startswith("Amira Khan")
