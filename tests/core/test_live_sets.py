"""Live sets are protected: export-set never overwrites a live or open set (nor any file
without --force), names resolve exactly, locks follow symlinks, files are private."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rubric.cli import main
from rubric.errors import SetError, SetLockedError
from rubric.ids import ScriptId
from rubric.store import MarkingSet, resolve_set
from rubric.store.library import new_set


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def live(essay_scheme, make_draft) -> Path:
    path = new_set("13B Russia", essay_scheme)
    with MarkingSet.open(path) as ms:
        for number in range(3):
            ms.add_script(make_draft(number=f"40{number}", seed=f"Seed{number}"))
        ms.set_mark(ScriptId(1), "AO1", 18)
    return path


def test_export_set_never_overwrites_a_live_set(capsys, live, essay_scheme):
    other = new_set("13C Russia", essay_scheme)
    size = other.stat().st_size
    code, _, err = run_cli(capsys, "export-set", "13B Russia", str(other))
    assert code == 1 and "live set" in err and err.count("\n") == 1
    code, _, err = run_cli(capsys, "export-set", "13B Russia", str(other), "--force")
    assert code == 1 and "live set" in err
    assert other.stat().st_size == size
    with MarkingSet.open(other) as ms:
        assert ms.name == "13C Russia"


def test_export_set_never_overwrites_itself_or_an_open_set(capsys, live, tmp_path):
    code, _, err = run_cli(capsys, "export-set", "13B Russia", str(live), "--force")
    assert code == 1 and "the set itself" in err
    shared = tmp_path / "shared.markset"
    assert run_cli(capsys, "export-set", "13B Russia", str(shared))[0] == 0
    with MarkingSet.open(shared):                       # someone has it open
        code, _, err = run_cli(capsys, "export-set", "13B Russia", str(shared), "--force")
    assert code == 1 and "open in a window" in err


def test_export_set_asks_for_force_before_replacing_a_file(capsys, live, tmp_path):
    target = tmp_path / "copy.markset"
    target.write_bytes(b"an older copy")
    code, _, err = run_cli(capsys, "export-set", "13B Russia", str(target))
    assert code == 1 and "--force" in err
    assert target.read_bytes() == b"an older copy"
    assert run_cli(capsys, "export-set", "13B Russia", str(target), "--force")[0] == 0
    with MarkingSet.open(target) as ms:
        assert ms.total(ScriptId(1)) == 18


def test_a_symlink_does_not_bypass_the_lock(live, tmp_path):
    link = tmp_path / "alias.markset"
    link.symlink_to(live)
    with MarkingSet.open(live):
        with pytest.raises(SetLockedError):
            MarkingSet.open(link)


def test_names_resolve_exactly_and_ambiguity_is_an_error(essay_scheme, tmp_path, monkeypatch):
    slash = new_set("Y12/1 Mock", essay_scheme)
    assert resolve_set("Y12/1 Mock") == slash
    with pytest.raises(SetError, match="no marking set has this name"):
        resolve_set("Y12-1 Mock")                       # a different name, not a near one
    dash = new_set("Y12-1 Mock", essay_scheme)
    assert resolve_set("Y12-1 Mock") == dash
    assert resolve_set("Y12/1 Mock") == slash
    twin = new_set("Y12-1 Mock", essay_scheme)          # the same name twice
    with pytest.raises(SetError) as info:
        resolve_set("Y12-1 Mock")
    assert str(dash) in str(info.value) and str(twin) in str(info.value)
    # a folder of the same name in the current directory does not shadow the set
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Y12/1 Mock").mkdir(parents=True)
    assert resolve_set("Y12/1 Mock") == slash


def test_the_command_line_checks_a_set_outside_the_sets_folder(capsys, live, tmp_path):
    import sqlite3

    outside = tmp_path / "usb" / "13B.markset"
    outside.parent.mkdir()
    with MarkingSet.open(live) as ms:
        ms.export_to(outside)
    code, out, err = run_cli(capsys, "scripts", str(outside), "--json")
    assert code == 0 and "in place" in err
    db = sqlite3.connect(outside)
    db.execute("CREATE TRIGGER t AFTER INSERT ON marks BEGIN DELETE FROM marks; END")
    db.commit()
    db.close()
    code, _, err = run_cli(capsys, "mark", str(outside), "2", "--mark", "12")
    assert code == 1 and "trigger" in err


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_sets_backups_and_exports_are_private(live, tmp_path):
    from rubric.export import export_markbook
    from rubric.store.backups import list_backups

    assert stat.S_IMODE(live.stat().st_mode) == 0o600
    with MarkingSet.open(live) as ms:
        backup = ms.backup_now()
        out = tmp_path / "markbook.xlsx"
        export_markbook(ms, out)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in list_backups(live))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_closed_pipe_ends_the_listing_quietly(live):
    # the reader has gone before the first line is written (as with "| head -1")
    child = subprocess.Popen([sys.executable, "-m", "rubric", "scripts", "13B Russia"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()
    err = child.stderr.read().decode()
    child.wait(timeout=60)
    assert err == ""
    assert child.returncode == 0


def test_export_file_names_are_short_visible_and_never_hidden():
    from rubric.export.names import file_name, safe_stem

    long_name = "Zhāng Wěi 张伟" * 40
    name = file_name("{name}_{set}.docx", {"name": long_name, "set": "13B", "id": 3}, ".docx")
    assert len(name.encode("utf-8")) <= 255 - len(" (12)")
    assert name.endswith(".docx")
    assert safe_stem("..hidden") == "hidden"
    assert safe_stem("Smith\u202excod.docx") == "Smithxcod.docx"
    assert "\u200f" not in safe_stem("Amira\u200f Khan")


def test_markbook_csv_and_pack_create_their_folder(capsys, live, tmp_path):
    deep = tmp_path / "not" / "yet"
    code, out, err = run_cli(capsys, "export", "13B Russia", "--pack", str(deep / "pack.docx"),
                             "--excel", str(deep / "x" / "mb.xlsx"), "--csv", str(deep / "m.csv"))
    assert code == 0, err
    assert (deep / "pack.docx").is_file() and (deep / "x" / "mb.xlsx").is_file()
    assert (deep / "m.csv").is_file()
