"""Import lines name the file once: "skipped   essay.docx: already in this set, as …"."""

from __future__ import annotations

from rubric.store import MarkingSet
from rubric.templates import default_scheme

ESSAY = ("‘Witte’s reforms saved the regime.’ Assess the validity of this view.\n\n"
         + "Witte's railways and the gold standard brought foreign capital into Russia. " * 20)


def _lines(marking_set, paths):
    return {o.path.name: o.line() for o in marking_set.import_files(paths)}


def test_skip_and_failure_lines_do_not_repeat_the_file_name(tmp_path):
    named = tmp_path / "4017_Khan_Amira.txt"
    named.write_text(ESSAY, encoding="utf-8")
    unnamed = tmp_path / "essay.txt"
    unnamed.write_text(ESSAY.replace("Witte's", "Stolypin's"), encoding="utf-8")
    (tmp_path / "notes.xyz").write_text("hello", encoding="utf-8")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    with MarkingSet.create(tmp_path / "13B.markset", "13B", default_scheme()) as ms:
        first = _lines(ms, sorted(tmp_path.iterdir()))
        assert first["notes.xyz"].startswith("skipped   notes.xyz: .xyz files are not supported")
        assert first["broken.docx"].startswith("failed    broken.docx: the file is damaged")
        again = _lines(ms, [named, unnamed])
        assert again["4017_Khan_Amira.txt"] == (
            "skipped   4017_Khan_Amira.txt: already in this set, as Amira Khan (4017)")
        assert again["essay.txt"] == "skipped   essay.txt: already in this set"
        copy = tmp_path / "copy.txt"
        copy.write_bytes(named.read_bytes())
        assert _lines(ms, [copy])["copy.txt"] == (
            "skipped   copy.txt: the same file as 4017_Khan_Amira.txt, already in this set "
            "as Amira Khan (4017)")
        for line in [*first.values(), *again.values()]:
            name = line.split()[1].rstrip(":")
            assert line.count(name) == 1, line


def test_the_reason_keeps_an_error_that_does_not_start_with_the_file_name(tmp_path):
    from rubric.store.markingset import ImportOutcome

    outcome = ImportOutcome(tmp_path / "a.docx", error="a.docx is not a.docx: odd", skipped=True)
    assert outcome.reason == "a.docx is not a.docx: odd"
    assert ImportOutcome(tmp_path / "a.docx", error="a.docx: too big").reason == "too big"
