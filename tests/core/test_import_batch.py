"""Batches: folder expansion, progress, and a bad file never stopping the batch."""

from __future__ import annotations

from pathlib import Path

from rubric.importing import ImportOptions, ImportResult, import_batch, iter_candidate_files

try:
    from tests.core import makefiles as mk
except ImportError:
    import makefiles as mk


def touch(path: Path, data: bytes = b"Some essay text.") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_folders_are_expanded_sorted_without_hidden_or_lock_files(tmp_path):
    root = tmp_path / "class"
    for name in ("essay10.docx", "essay2.docx", "Essay1.txt", ".hidden.docx", "~$essay2.docx", "notes.xlsx"):
        touch(root / name)
    touch(root / "late" / "b.pdf")
    touch(root / "late" / "a.txt")
    touch(root / ".git" / "x.txt")
    touch(root / "__MACOSX" / "._essay2.docx")
    names = [p.relative_to(root).as_posix() for p in iter_candidate_files([root])]
    assert names == ["Essay1.txt", "essay2.docx", "essay10.docx", "notes.xlsx", "late/a.txt", "late/b.pdf"]


def test_explicit_paths_are_kept_once_and_missing_ones_reported(tmp_path):
    a = touch(tmp_path / "a.txt")
    lock = touch(tmp_path / "~$a.docx")
    missing = tmp_path / "gone.docx"
    assert list(iter_candidate_files([a, str(a), lock, missing, tmp_path / "."])) == [a, missing]


def test_batch_of_thirty_with_one_corrupt_file(tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    for i in range(27):
        mk.make_docx(folder / f"{1000 + i}_Pupil_Number{chr(65 + i % 26)}.docx", mk.essay_paragraphs(150, seed=i))
    (folder / "1100_Smith_Jane.txt").write_text("\n".join(mk.essay_paragraphs(150, seed=99)), encoding="utf-8")
    mk.make_pdf(folder / "1101_Jones_Tom.pdf", mk.essay_paragraphs(150, seed=98))
    (folder / "1102_Broken_File.docx").write_bytes(b"PK\x03\x04 this zip stops here")
    (folder / "marks.xlsx").write_bytes(b"not imported")

    results = import_batch([folder], ImportOptions())
    first = next(results)  # a generator: results arrive one by one
    assert isinstance(first, ImportResult)
    results = [first, *results]

    assert len(results) == 31
    imported = [r for r in results if r.ok]
    failed = [r for r in results if r.failed]
    skipped = [r for r in results if r.skipped]
    assert len(imported) == 29
    assert [r.path.name for r in failed] == ["1102_Broken_File.docx"]
    assert failed[0].error.startswith("1102_Broken_File.docx: ") and "damaged" in failed[0].error
    assert failed[0].draft is None
    assert [r.path.name for r in skipped] == ["marks.xlsx"]
    assert "not supported" in skipped[0].error
    assert {r.draft.format for r in imported} == {"docx", "txt", "pdf"}
    jane = next(r.draft for r in imported if r.path.name.startswith("1100"))
    assert jane.candidate == "Jane Smith (1100)"


def _summary(result: ImportResult) -> dict:
    draft = result.draft
    return {"file": result.path.name, "error": result.error, "skipped": result.skipped,
            "draft": None if draft is None else {**draft.to_json(), "hash": draft.source_hash,
                                                 "kinds": [p.kind for p in draft.paragraphs]}}


def _mixed_folder(folder: Path) -> Path:
    folder.mkdir()
    for i in range(6):
        mk.make_pdf(folder / f"{3000 + i}_Pupil_{chr(65 + i)}.pdf", mk.essay_paragraphs(200, seed=40 + i))
        if i % 2:
            mk.make_docx(folder / f"{3000 + i}_Pupil_{chr(65 + i)}x.docx", mk.essay_paragraphs(150, seed=60 + i))
    mk.make_rtf(folder / "3010_Lee_Amy.rtf", mk.essay_paragraphs(150, seed=97))
    (folder / "3011_Cut_Short.pdf").write_bytes((folder / "3000_Pupil_A.pdf").read_bytes()[:300])
    (folder / "3012_Smith_Jane.txt").write_text("\n".join(mk.essay_paragraphs(150, seed=99)), encoding="utf-8")
    mk.make_pdf(folder / "3013_Last_One.pdf", mk.essay_paragraphs(120, seed=77))
    return folder


def test_pdfs_read_ahead_give_exactly_what_reading_one_by_one_gives(tmp_path, monkeypatch):
    """PDF and RTF files are parsed by the sandboxed children ahead of the file being
    stored (on threads, so the children never wait for this process): the same drafts,
    warnings and failures, in the batch's order, as reading each file in turn."""
    import threading

    from rubric.importing import batch, sandbox

    folder = _mixed_folder(tmp_path / "class")
    options = ImportOptions(word_limit=400)
    one_by_one = [_summary(batch.read_result(path, options)) for path in iter_candidate_files([folder])]
    threads = {}
    real = batch.read_result

    def recording(path, *args, **kwargs):
        threads[path.name] = threading.current_thread().name
        return real(path, *args, **kwargs)

    monkeypatch.setattr(batch, "read_result", recording)
    ahead = [_summary(r) for r in import_batch([folder], options)]
    assert ahead == one_by_one
    by_name = {r["file"]: r for r in ahead}
    assert by_name["3011_Cut_Short.pdf"]["error"].startswith("3011_Cut_Short.pdf: ")
    assert by_name["3013_Last_One.pdf"]["draft"]["word_count"] > 100
    if sandbox.POOL_SIZE >= 2:  # one core: read in turn, as before
        assert {name for name, thread in threads.items() if thread.startswith("import-ahead")} == {
            name for name in threads if name.endswith((".pdf", ".rtf"))}
        assert threads["3012_Smith_Jane.txt"] == threading.current_thread().name


def test_a_batch_abandoned_while_reading_ahead_leaves_no_reader_thread(tmp_path):
    import threading
    import time

    folder = _mixed_folder(tmp_path / "class")
    results = import_batch([folder])
    first = next(results)
    assert first.path.name == "3000_Pupil_A.pdf" and first.ok
    results.close()  # the teacher pressed Cancel
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(t.name.startswith("import-ahead") for t in threading.enumerate()):
        time.sleep(0.05)
    assert not [t.name for t in threading.enumerate() if t.name.startswith("import-ahead")]
    assert [r.ok for r in import_batch([folder / "3013_Last_One.pdf"])] == [True]  # the children serve on
