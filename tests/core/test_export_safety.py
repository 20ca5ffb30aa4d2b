"""A failed export never leaves a half file or destroys the old one, names the file, and a
batch continues past a file it cannot write."""

from __future__ import annotations

import errno
import os
import sys

import pytest
from docx import Document

from rubric.export import (
    ExportError,
    WordOptions,
    export_class_pack,
    export_cover_sheets,
    export_csv,
    export_feedback,
    export_feedback_folder,
    export_markbook,
    iter_export_class_pack,
)


@pytest.fixture
def marked(marking_set, make_draft):
    ms = marking_set
    ms.use_marker("Ms Priya Patel", "PP")
    ids = []
    for i in range(30):
        script_id = ms.add_script(make_draft(f"Student {i:02}", str(7000 + i), seed=str(i))).created
        ms.set_mark(script_id, "AO1", i % 26)
        ms.annotate_quote(script_id, "loyal peasantry", f"note {i}")
        ids.append(script_id)
    return ms, ids


def exporters(ms, ids, folder):
    return {
        "feedback.docx": lambda path: export_feedback(ms, ids[0], path),
        "pack.docx": lambda path: export_class_pack(ms, path),
        "markbook.xlsx": lambda path: export_markbook(ms, path),
        "marks.csv": lambda path: export_csv(ms, path),
    }


@pytest.mark.parametrize("name", ["feedback.docx", "pack.docx", "markbook.xlsx", "marks.csv"])
def test_a_failed_replace_keeps_the_old_file_and_names_it(marked, tmp_path, monkeypatch, name):
    ms, ids = marked
    out = tmp_path / "out"
    out.mkdir()
    target = out / name
    target.write_bytes(b"the old file, which must survive")

    def locked(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    # (A context, so the set's own backup on closing is not affected.)
    with monkeypatch.context() as patch, pytest.raises(ExportError) as caught:
        patch.setattr(os, "replace", locked)
        exporters(ms, ids, out)[name](target)
    assert caught.value.path == target
    assert str(caught.value).startswith(f"{name}: permission denied")
    assert "open in Word or Excel" in str(caught.value)
    assert target.read_bytes() == b"the old file, which must survive"
    assert [p.name for p in out.iterdir()] == [name], "no temporary file is left behind"


def test_a_full_disk_keeps_the_old_file(marked, tmp_path, monkeypatch):
    ms, ids = marked
    target = tmp_path / "markbook.xlsx"
    export_markbook(ms, target)
    before = target.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch, pytest.raises(
            ExportError, match="markbook.xlsx: the disk is full"):
        patch.setattr(os, "fsync", full)
        export_markbook(ms, target)
    assert target.read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="permissions do not stop root (or work this way on Windows)")
def test_a_read_only_folder_gives_a_clear_error(marked, tmp_path):
    ms, ids = marked
    folder = tmp_path / "locked"
    folder.mkdir()
    target = folder / "feedback.docx"
    export_feedback(ms, ids[0], target)
    before = target.read_bytes()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="feedback.docx: permission denied"):
            export_feedback(ms, ids[1], target)
        assert target.read_bytes() == before
    finally:
        folder.chmod(0o700)


def test_a_folder_that_cannot_be_made_is_an_export_error(marked, tmp_path):
    ms, _ = marked
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError):
        export_feedback_folder(ms, blocker / "sub", WordOptions())
    with pytest.raises(ExportError, match="file: this is a file, not a folder"):
        export_feedback_folder(ms, blocker, WordOptions())


@pytest.mark.parametrize("processes", [1, 2])
def test_a_batch_of_30_continues_past_one_file_it_cannot_write(marked, tmp_path, processes):
    ms, ids = marked
    out = tmp_path / "out"
    out.mkdir()
    # A folder (with something in it) stands where the 8th file should go.
    blocked = out / "Student 07 (7007)_13B Russia.docx"
    blocked.mkdir()
    (blocked / "keep.txt").write_text("x")
    old = out / "Student 03 (7003)_13B Russia.docx"
    old.write_bytes(b"an older export")
    report = export_feedback_folder(ms, out, WordOptions(processes=processes))
    assert len(report.written) == 29
    assert len(report.failed) == 1
    path, reason = report.failed[0]
    assert path == blocked and reason
    assert (blocked / "keep.txt").read_text() == "x"
    assert not report.ok
    assert report.lines()[0].startswith("failed  Student 07 (7007)_13B Russia.docx: ")
    assert report.lines()[-1] == "29 files written, 1 failed"
    for written in report.written:
        assert Document(written).comments  # every other file is complete
    assert old.read_bytes() != b"an older export"  # replaced by the new export
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == sorted(
        p.name for p in report.written)


def test_cover_sheets_report_failures_the_same_way(marked, tmp_path, monkeypatch):
    ms, ids = marked
    out = tmp_path / "covers"
    real_replace = os.replace

    def flaky(src, dst):
        if "Student 05" in str(dst):
            raise OSError(errno.EROFS, "Read-only file system")
        real_replace(src, dst)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", flaky)
        report = export_cover_sheets(ms, out, WordOptions(processes=1))
    assert len(report.written) == 29
    assert [(p.name, reason) for p, reason in report.failed] == [
        ("Student 05 (7005)_13B Russia_cover.docx", "the disk is read-only")]


def test_the_class_pack_task_records_a_failed_save(marked, tmp_path, monkeypatch):
    ms, _ = marked
    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    task = iter_export_class_pack(ms, tmp_path / "pack.docx")
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", full)
        steps = list(task)
    assert steps[-1].done == steps[-1].total == 31
    assert task.report.failed == [(tmp_path / "pack.docx", "the disk is full")]
    assert not (tmp_path / "pack.docx").exists()
