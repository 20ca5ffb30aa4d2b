"""essay-marker export and import-marks, as a teacher or moderator would run them."""

from __future__ import annotations

import json

import docx
import openpyxl

from rubric.cli import main
from rubric.demo import demo_set_path
from rubric.store import MarkingSet


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_writes_every_kind_of_file(capsys, tmp_path):
    path = demo_set_path()
    code, out, err = run(capsys, "export", str(path), "--word", str(tmp_path / "word"),
                         "--pack", str(tmp_path / "pack.docx"), "--cover",
                         str(tmp_path / "cover"), "--excel", str(tmp_path / "marks.xlsx"),
                         "--csv", str(tmp_path / "marks.csv"), "--school", "Northfield "
                         "Academy", "--all", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["failed"] == []
    feedback = sorted((tmp_path / "word").glob("*.docx"))
    assert len(feedback) == 10 and any("Amira Khan" in p.name for p in feedback)
    khan = docx.Document(str(next(p for p in feedback if "Amira Khan" in p.name)))
    text = "\n".join(p.text for p in khan.paragraphs)
    assert "Northfield Academy" in text and "The comparison with 1917" in text
    assert len(sorted((tmp_path / "cover").glob("*.docx"))) == 10
    workbook = openpyxl.load_workbook(tmp_path / "marks.xlsx")
    assert {"Marks", "Comments", "Summary"} <= set(workbook.sheetnames)
    assert (tmp_path / "marks.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def _marked_and_all(path) -> tuple[list[str], int]:
    with MarkingSet.open(path) as ms:
        statuses = ms.statuses()
        scripts = ms.scripts()
    marked = [s.candidate_name for s in scripts if statuses[s.id] in ("marked", "moderated")]
    return marked, len(scripts)


def test_export_holds_only_marked_scripts_unless_all(capsys, tmp_path):
    path = demo_set_path()
    marked, count = _marked_and_all(path)
    assert 0 < len(marked) < count   # the demo has scripts of both kinds
    left = count - len(marked)
    code, out, err = run(capsys, "export", str(path), "--word", str(tmp_path / "word"),
                         "--excel", str(tmp_path / "marks.xlsx"), "--csv",
                         str(tmp_path / "marks.csv"))
    assert code == 0, err
    assert (f"left out  {left} script{'s' if left != 1 else ''} not marked yet (--all exports "
            "every script)") in out
    names = sorted(p.name for p in (tmp_path / "word").glob("*.docx"))
    assert len(names) == len(marked)
    assert all(any(name in n for n in names) for name in marked)
    sheet = openpyxl.load_workbook(tmp_path / "marks.xlsx")["Marks"]
    status = [c.value for c in sheet[1]].index("Status")
    statuses = {row[status] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert sheet.max_row == 1 + len(marked) and statuses <= {"marked", "moderated"}
    csv_lines = (tmp_path / "marks.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(csv_lines) == 1 + len(marked)

    code, out, _ = run(capsys, "export", str(path), "--csv", str(tmp_path / "all.csv"),
                       "--all", "--json")
    result = json.loads(out)
    assert code == 0 and result["scripts"] == count and result["left_out"] == 0
    assert len((tmp_path / "all.csv").read_text(encoding="utf-8-sig").splitlines()) == 1 + count


def test_export_options_leave_out_the_script(capsys, tmp_path):
    path = demo_set_path()
    code, _, _ = run(capsys, "export", str(path), "--pack", str(tmp_path / "pack.docx"),
                     "--no-script", "--no-descriptors")
    assert code == 0
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "pack.docx")).paragraphs)
    assert "The comparison with 1917 is unavoidable" not in text


def test_export_with_nothing_to_do_or_a_bad_target_is_a_clear_error(capsys, tmp_path):
    path = demo_set_path()
    code, _, err = run(capsys, "export", str(path))
    assert code == 1 and err.startswith("error: say what to export")
    # a missing folder is created (as for --word); a file in the way of the folder is not
    (tmp_path / "a-file").write_text("not a folder")
    code, out, _ = run(capsys, "export", str(path), "--excel",
                       str(tmp_path / "a-file" / "marks.xlsx"))
    assert code == 1 and "failed" in out and "marks.xlsx" in out
    code, out, _ = run(capsys, "export", str(path), "--excel",
                       str(tmp_path / "missing-folder" / "marks.xlsx"))
    assert code == 0 and (tmp_path / "missing-folder" / "marks.xlsx").is_file()


def test_import_marks_dry_run_then_apply_as_moderator(capsys, tmp_path):
    path = demo_set_path()
    run(capsys, "export", str(path), "--excel", str(tmp_path / "marks.xlsx"))
    workbook = openpyxl.load_workbook(tmp_path / "marks.xlsx")
    sheet = workbook["Marks"]
    headers = [c.value for c in sheet[1]]
    mark_column = headers.index("AO1 mark") + 1
    name_column = headers.index("Candidate name") + 1
    rows = {sheet.cell(r, name_column).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(rows["Amira Khan"], mark_column).value = 24
    sheet.cell(rows["Kacper Nowak"], mark_column).value = 99       # above the maximum
    workbook.save(tmp_path / "edited.xlsx")

    code, out, _ = run(capsys, "import-marks", str(path), str(tmp_path / "edited.xlsx"),
                       "--dry-run")
    assert code == 0
    assert "Amira Khan (4017), AO1: Level 5 23 → Level 5 24" in out
    assert "not read: row" in out and "Kacper Nowak" in out
    assert "dry run: nothing was changed" in out
    with MarkingSet.open(path) as ms:
        assert len(ms.markers()) == 1

    code, out, _ = run(capsys, "import-marks", str(path), str(tmp_path / "edited.xlsx"),
                       "--marker", "Ms K. Okafor", "--role", "moderator", "--json")
    result = json.loads(out)
    assert result["applied"] and len(result["changes"]) == 1 and len(result["problems"]) == 1
    with MarkingSet.open(path) as ms:
        moderator = next(m for m in ms.markers() if m.role == "moderator")
        khan = next(s for s in ms.scripts() if s.candidate_name == "Amira Khan")
        assert ms.marks_for(khan.id, moderator.id)["AO1"].mark == 24
        assert ms.status(khan.id) == "moderated"
