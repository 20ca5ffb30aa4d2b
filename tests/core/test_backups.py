"""Restoring a backup: the current state is kept as a backup first, and nothing changes
when the set is open elsewhere or the backup is not a set."""

from __future__ import annotations

import pytest

from rubric.errors import SetError, SetLockedError
from rubric.ids import ScriptId
from rubric.store import MarkingSet
from rubric.store.backups import backups_of
from rubric.store.library import find_backup, restore_backup


@pytest.fixture
def set_with_history(tmp_path, essay_scheme, make_draft):
    path = tmp_path / "13B.markset"
    with MarkingSet.create(path, "13B", essay_scheme) as ms:
        ms.add_script(make_draft())
        ms.set_mark(ScriptId(1), "AO1", 12, "Level 3")
        ms.backup_now()                           # a backup with 12
        ms.set_mark(ScriptId(1), "AO1", 21, "Level 5")
    return path


def test_restore_brings_back_the_old_mark_and_keeps_the_current_one(set_with_history):
    path = set_with_history
    newest = backups_of(path)[0]
    kept = restore_backup(path, find_backup(path, "1"))
    with MarkingSet.open(path) as ms:
        assert ms.total(ScriptId(1)) == 12
    assert "before-restore" in kept.name
    # the state just before the restore can itself be restored
    restore_backup(path, kept)
    with MarkingSet.open(path) as ms:
        assert ms.total(ScriptId(1)) == 21
    assert newest.path.exists()


def test_restore_refuses_while_the_set_is_open_and_changes_nothing(set_with_history):
    path = set_with_history
    backup = find_backup(path, "1")
    with MarkingSet.open(path) as ms:
        with pytest.raises(SetLockedError):
            restore_backup(path, backup)
        assert ms.total(ScriptId(1)) == 21


def test_restore_refuses_a_file_that_is_not_a_set(set_with_history, tmp_path):
    junk = tmp_path / "junk.markset"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    before = len(backups_of(set_with_history))
    with pytest.raises(SetError):
        restore_backup(set_with_history, junk)
    with MarkingSet.open(set_with_history) as ms:
        assert ms.total(ScriptId(1)) == 21
    assert len(backups_of(set_with_history)) == before


def test_an_unknown_backup_is_a_clear_error(set_with_history):
    with pytest.raises(SetError, match="no backup"):
        find_backup(set_with_history, "99")


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    from rubric.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_lists_and_restores_backups(capsys, essay_scheme, make_draft):
    import json

    from rubric.store.library import new_set

    path = new_set("13B", essay_scheme)
    with MarkingSet.open(path) as ms:
        ms.add_script(make_draft())
        ms.set_mark(ScriptId(1), "AO1", 12, "Level 3")
        ms.backup_now()
        ms.set_mark(ScriptId(1), "AO1", 21, "Level 5")
    code, out, _ = run_cli(capsys, "backups", "13B", "--json")
    listed = json.loads(out)
    assert code == 0 and listed[0]["number"] == 1 and listed[0]["path"].endswith(".markset")
    code, out, _ = run_cli(capsys, "backups", "13B")
    assert "  1  " in out
    code, out, err = run_cli(capsys, "restore", "13B", "1")
    assert code == 0, err
    assert "kept as backup" in out
    with MarkingSet.open(path) as ms:
        assert ms.total(ScriptId(1)) == 12
    code, _, err = run_cli(capsys, "restore", "13B", "42")
    assert code == 1 and "no backup" in err


def test_cli_says_a_mark_was_saved_when_its_backup_failed(capsys, essay_scheme, make_draft,
                                                           monkeypatch):
    from rubric.safe_write import ExportError
    from rubric.store import backups
    from rubric.store.library import new_set

    path = new_set("Full", essay_scheme)
    with MarkingSet.open(path) as ms:
        ms.add_script(make_draft())

    def disk_full(db, set_path, keep=10, reason=None):
        raise ExportError(set_path, "the disk is full")

    monkeypatch.setattr(backups, "backup_set", disk_full)
    monkeypatch.setattr(MarkingSet, "backup_every_seconds", 0)
    code, out, err = run_cli(capsys, "mark", "Full", "1", "--mark", "17")
    assert code == 0
    assert "saved; the backup could not be written: the disk is full" in err
    with MarkingSet.open(path) as ms:
        assert ms.total(ScriptId(1)) == 17


@pytest.fixture
def full_backups_disk(fresh_data_dir):
    """The backups folder on a real, tiny file system (64 KB tmpfs), so a backup meets
    ENOSPC exactly as on a full disk. Skipped where mounting is not allowed."""
    import os
    import subprocess

    folder = fresh_data_dir / "backups"
    folder.mkdir(exist_ok=True)
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a tiny tmpfs needs root on Linux")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_really_full_disk_never_stops_a_mark(capsys, full_backups_disk, essay_scheme,
                                               make_draft):
    from rubric.store.library import new_set

    path = new_set("Full disk", essay_scheme)       # the set itself is on the normal disk
    with MarkingSet.open(path) as ms:
        for number in range(40):                     # bigger than the 64 KB left for backups
            ms.add_script(make_draft(number=f"5{number:03d}", seed=f"Seed{number}", words=400))
    code, out, err = run_cli(capsys, "mark", "Full disk", "#1", "--mark", "17")
    assert code == 0, err
    assert "saved; the backup could not be written: the disk is full" in err
    with MarkingSet.open(path) as ms:
        assert ms.total(ScriptId(1)) == 17
    assert not [p for p in full_backups_disk.rglob("*.tmp")]   # no half-written copy left
