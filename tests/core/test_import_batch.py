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
