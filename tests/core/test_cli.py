"""The essay-marker command line, driven as a user or a script would drive it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from rubric.cli import main
from rubric.store import MarkingSet

QUESTION = "‘Stolypin’s reforms were the main reason Tsarism survived.’ Assess the validity of this view."
BODY = (
    "Stolypin’s land reforms aimed to create a class of prosperous, loyal peasants who would "
    "support the regime. By 1914 about two million households had left the commune, yet most "
    "peasants still farmed in strips and resented the gentry. The reforms were cut short by "
    "Stolypin’s assassination in 1911, and the ‘wager on the strong’ had barely begun."
)


def write_docx(path: Path, candidate: str, paragraphs: int = 6) -> Path:
    document = docx.Document()
    document.add_paragraph(QUESTION)
    document.add_paragraph(candidate)
    for n in range(paragraphs):
        document.add_paragraph(f"{BODY} Point {n + 1} develops the argument further.")
    document.save(path)
    return path


@pytest.fixture
def class_folder(tmp_path):
    folder = tmp_path / "13B essays"
    (folder / "late").mkdir(parents=True)
    write_docx(folder / "4017_Khan_Amira.docx", "Candidate: Amira Khan (4017)")
    write_docx(folder / "4023_Okafor_Daniel.docx", "Candidate: Daniel Okafor (4023)")
    write_docx(folder / "late" / "4031_Walsh_Niamh.docx", "Niamh Walsh")
    (folder / "4042_Nowak_Kacper.txt").write_text(QUESTION + "\n\n" + BODY * 3, encoding="utf-8")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 this zip was cut off")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not an essay")
    return folder


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def new_set(capsys, name="13B Russia", scheme="aqa-history-essay-25") -> Path:
    code, out, err = run_cli(capsys, "new", name, "--scheme", scheme)
    assert code == 0, err
    return Path(out.strip())


def test_new_creates_a_set_in_the_data_folder(capsys, fresh_data_dir):
    path = new_set(capsys)
    assert path.exists() and path.parent == fresh_data_dir / "sets"
    code, out, _ = run_cli(capsys, "sets", "--json")
    assert json.loads(out) == [str(path)]


def test_new_with_an_unknown_template_is_a_one_line_error(capsys):
    code, out, err = run_cli(capsys, "new", "X", "--scheme", "no-such-template")
    assert code == 1
    assert err.startswith("error: ") and "no template with id 'no-such-template'" in err
    assert err.count("\n") == 1


def test_import_reports_each_file_and_skips_bad_ones(capsys, class_folder):
    path = new_set(capsys)
    code, out, err = run_cli(capsys, "import", str(path), str(class_folder))
    assert code == 0, err
    lines = out.strip().splitlines()
    assert sum(line.startswith("imported") for line in lines) == 4
    assert any(line.startswith("failed") and "broken.docx" in line for line in lines)
    assert any(line.startswith("skipped") and "photo.jpg" in line for line in lines)
    assert lines[-1] == "4 imported, 1 skipped, 1 failed"
    # importing the same folder again skips files already in the set
    code, out, _ = run_cli(capsys, "import", str(path), str(class_folder), "--json")
    report = json.loads(out)
    assert report["imported"] == 0 and code == 1
    assert any("already in this set" in (f["reason"] or "") for f in report["files"])


def test_scripts_json_lists_ids_candidates_words_and_marks(capsys, class_folder):
    path = new_set(capsys)
    run_cli(capsys, "import", str(path), str(class_folder))
    code, out, _ = run_cli(capsys, "scripts", str(path), "--json")
    rows = json.loads(out)
    assert len(rows) == 4
    assert {"id", "candidate", "file", "word_count", "marks"} <= set(rows[0])
    khan = next(r for r in rows if r["file"] == "4017_Khan_Amira.docx")
    assert "Amira Khan" in khan["candidate"] and khan["word_count"] > 300
    assert khan["marks"] == []


def test_mark_records_marking_exactly_as_the_gui_would(capsys, class_folder):
    path = new_set(capsys)
    run_cli(capsys, "import", str(path), str(class_folder))
    rows = json.loads(run_cli(capsys, "scripts", str(path), "--json")[1])
    script_id = str(rows[0]["id"])
    code, out, err = run_cli(
        capsys, "mark", str(path), script_id, "--criterion", "AO1", "--mark", "18",
        "--level", "Level 4", "--www", "A sustained argument", "--ebi", "Weigh the Duma more",
        "--annotate", "wager on the strong", "Good use of a contemporary phrase",
        "--marker", "Ms Patel", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["total"] == 18 and result["status"] == "in progress"
    assert result["marker"]["initials"] == "MP"
    with MarkingSet.open(path) as ms:
        sid = ms.script_ids()[0]
        marker = next(m for m in ms.markers() if m.name == "Ms Patel")
        mark = ms.marks_for(sid, marker.id)["AO1"]
        assert (mark.level, mark.mark) == ("Level 4", 18)
        comments = ms.comments(sid, marker.id)
        assert (comments.www, comments.ebi) == ("A sustained argument", "Weigh the Duma more")
        [annotation] = ms.annotations(sid)
        assert annotation.quote == "wager on the strong"
    # a mark that does not fit is refused and nothing changes
    code, _, err = run_cli(capsys, "mark", str(path), script_id, "--mark", "14", "--level",
                           "Level 4")
    assert code == 1 and "14 is outside Level 4 (16–20)" in err
    code, _, err = run_cli(capsys, "mark", str(path), "999", "--mark", "3")
    assert code == 1 and "no script with id 999" in err


def test_inspect_prints_what_the_importer_understood(capsys, tmp_path):
    file = write_docx(tmp_path / "4017_Khan_Amira.docx", "Candidate: Amira Khan (4017)")
    code, out, _ = run_cli(capsys, "inspect", str(file), "--json")
    assert code == 0
    data = json.loads(out)
    assert {"file", "format", "title", "candidate", "paragraphs", "word_count",
            "coursework_word_count", "warnings"} <= set(data)
    assert data["format"] == "docx"
    assert data["title"] == QUESTION
    assert "Amira Khan" in data["candidate"]
    assert len(data["paragraphs"]) == 6
    assert data["paragraphs"][0].startswith("Stolypin’s land reforms")


def test_inspect_bad_input_exits_non_zero_with_one_error_line(capsys, tmp_path):
    bad = tmp_path / "essay.docx"
    bad.write_bytes(os.urandom(2048))
    code, out, err = run_cli(capsys, "inspect", str(bad), "--json")
    assert code != 0 and out == ""
    assert err.startswith("error: essay.docx: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_scheme_list_show_and_validate(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "scheme", "list", "--json")
    ids = [s["id"] for s in json.loads(out)]
    assert ids[0] == "aqa-history-essay-25" and "aqa-history-nea-40" in ids
    code, out, _ = run_cli(capsys, "scheme", "show", "aqa-history-nea-40", "--json")
    shown = json.loads(out)
    assert [c["maximum"] for c in shown["criteria"]] == [20, 10, 10]
    shown["criteria"][1]["levels"][2]["max"] = 7  # AO2 level now overlaps the next one
    bad = tmp_path / "edited.json"
    bad.write_text(json.dumps(shown), encoding="utf-8")
    code, _, err = run_cli(capsys, "scheme", "validate", str(bad))
    assert code == 1 and "edited.json" in err and "overlaps" in err
    good = tmp_path / "good.json"
    good.write_text(json.dumps(json.loads(run_cli(capsys, "scheme", "show",
                                                  "aqa-history-essay-25", "--json")[1])))
    code, out, _ = run_cli(capsys, "scheme", "validate", str(good))
    assert code == 0 and "valid" in out


def test_export_set_and_open_set_round_trip(capsys, tmp_path, class_folder, fresh_data_dir):
    path = new_set(capsys)
    run_cli(capsys, "import", str(path), str(class_folder))
    run_cli(capsys, "mark", str(path), "1", "--mark", "12")
    shared = tmp_path / "to-moderator.markset"
    code, out, _ = run_cli(capsys, "export-set", str(path), str(shared))
    assert code == 0 and shared.exists()
    code, out, _ = run_cli(capsys, "open-set", str(shared))
    copy = Path(out.strip())
    assert code == 0 and copy.parent == fresh_data_dir / "sets" and copy != path
    rows = json.loads(run_cli(capsys, "scripts", str(copy), "--json")[1])
    assert rows[0]["marks"][0]["mark"] == 12


def test_the_installed_command_runs_subcommands_and_help(tmp_path):
    exe = Path(sys.executable).with_name("essay-marker")
    assert exe.exists()
    env = dict(os.environ)
    result = subprocess.run([str(exe), "scheme", "list"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0 and "aqa-history-essay-25" in result.stdout
    for command in ("new", "import", "inspect", "scripts", "mark", "export-set", "open-set"):
        result = subprocess.run([str(exe), command, "--help"], capture_output=True, text=True,
                                env=env, timeout=60)
        assert result.returncode == 0 and "usage: essay-marker" in result.stdout


def test_one_registry_builds_the_parser_and_routes_the_launcher(capsys):
    from rubric import cli
    from rubric.subcommands import NAMES, SUBCOMMANDS

    for command in SUBCOMMANDS:
        key = command.name.replace("-", "_")
        assert callable(getattr(cli, f"cmd_{key}")) and callable(getattr(cli, f"_args_{key}"))
    parser = cli.build_parser()
    choices = next(a for a in parser._actions if a.dest == "command").choices
    assert set(choices) == NAMES
    code, out, _ = run_cli(capsys, "scheme", "list", "--json")
    assert code == 0 and json.loads(out)


def test_mark_annotate_finds_a_passage_typed_with_straight_quotes_and_hyphens(capsys, class_folder):
    """A terminal types ' " - and ...; a Word script has ’ “ ” – ‑ and …: the passage is found,
    and the annotation holds the script's own characters."""
    path = new_set(capsys)
    run_cli(capsys, "import", str(path), str(class_folder))
    rows = json.loads(run_cli(capsys, "scripts", str(path), "--json")[1])
    script_id = str(rows[0]["id"])
    code, _, err = run_cli(capsys, "mark", str(path), script_id, "--annotate",
                           "Stolypin's assassination in 1911, and the 'wager on the strong'", "Well put")
    assert code == 0, err
    with MarkingSet.open(path) as ms:
        [annotation] = ms.annotations(ms.script_ids()[0])
        assert annotation.quote == "Stolypin’s assassination in 1911, and the ‘wager on the strong’"


def test_find_passage_tolerates_what_a_keyboard_types_differently():
    from rubric.store import find_passage

    text = "Collectivisation\u00a0– the ‘revolution from above’ – began in 1928…\nIts non\u2011Russian victims suffered most—above all Ukraine."
    for quote, found in [
        ("the 'revolution from above' - began in 1928...", "the ‘revolution from above’ – began in 1928…"),
        ("Its non-Russian victims", "Its non\u2011Russian victims"),
        ("suffered most - above all", "suffered most—above all"),
        ("Collectivisation – the", "Collectivisation\u00a0– the"),
    ]:
        span = find_passage(text, quote)
        assert span is not None and text[span[0]:span[1]] == found, quote
    assert find_passage(text, "revolution from below") is None
    assert find_passage(text, "mostabove") is None
