"""A quick import gives what a careful one gives.

* Reading a batch in worker processes (``rubric.importing.parallel``) gives what reading it
  file by file gives: the same scripts, warnings and failures, in the same order; a file
  that crashes its reader fails alone; stopping early or finishing leaves no worker behind.
  Each of these checks runs in a fresh Python (workers are forked only from a process with
  a single thread, which a test run's process need not be).
* What is shared between the files of a class (the styles of its template) is never taken
  for another template's; a file is read whole; a folder reached twice lists its files once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rubric.importing import ImportOptions, inspect_file

try:
    from tests.core import makefiles as mk
except ImportError:
    import makefiles as mk

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="workers are forked on Linux only")

ROOT = Path(__file__).resolve().parents[2]


#: Defined in each fresh process: its children that are not the PDF sandbox's (whose
#: long-lived children serve the whole program), reaped or not.
WORKERS_LEFT = r"""
def workers_left():
    import os
    mine, left = str(os.getpid()), []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as status:
                parent = next(line.split()[1] for line in status if line.startswith("PPid:"))
            with open(f"/proc/{pid}/cmdline", "rb") as command:
                sandbox = b"_pdf_child" in command.read()
        except (OSError, StopIteration):
            continue
        if parent == mine and not sandbox:
            left.append(int(pid))
    return left
"""

#: Runs in the fresh process: the results of a batch read file by file and in workers.
COMPARE = WORKERS_LEFT + r"""
import json, os, sys
from pathlib import Path
from rubric.importing import ImportOptions, import_batch
from rubric.importing import parallel

folder = Path(sys.argv[1])
workers_here = parallel.available_workers()
options = ImportOptions(word_limit=400)

def summary(result):
    draft = result.draft
    return {
        "file": result.path.name, "error": result.error, "skipped": result.skipped,
        "draft": None if draft is None else {**draft.to_json(), "format": draft.format,
                                             "kinds": [p.kind for p in draft.paragraphs],
                                             "hash": draft.source_hash},
    }

results = list(import_batch([folder], options, parallel=True))  # first: while one thread runs
one_by_one = [summary(r) for r in import_batch([folder], options)]
in_workers = [summary(r) for r in results]
hashed = [r.path.name for r in results if r.source_hash is not None]
hash_right = all(r.source_hash in (None, r.draft and r.draft.source_hash) for r in results)
left = workers_left()
print(json.dumps({"workers": workers_here, "one_by_one": one_by_one, "in_workers": in_workers,
                  "hashed": hashed, "hash_right": hash_right, "children_left": left}))
"""


def _run(code: str, *args: str, timeout: float = 120) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def _run_with_workers(code: str, folder: Path) -> dict:
    """What ``code`` found on ``folder`` in a fresh process that has workers (skipped on one
    processor core, where the batch is read in the asking process)."""
    found = _run(code, str(folder))
    if not found["workers"]:
        pytest.skip("one processor core: the batch is read in the asking process")
    return found


def _class_folder(folder: Path) -> Path:
    folder.mkdir()
    for i in range(14):
        mk.make_docx(folder / f"{1000 + i}_Pupil_Number{chr(65 + i)}.docx",
                     [("Title", "How far was Stalin a revolutionary?"), ("Heading 1", "Introduction"),
                      *mk.essay_paragraphs(180, seed=i)])
    repeated = mk.essay_paragraphs(120, seed=50)
    mk.make_docx(folder / "1050_Twice_Told.docx", [*repeated, *repeated])  # duplicate passages
    shutil.copy(folder / "1003_Pupil_NumberD.docx", folder / "1099_copy_of_D.docx")  # the same bytes
    (folder / "1100_Smith_Jane.txt").write_text("\n".join(mk.essay_paragraphs(150, seed=99)),
                                                encoding="utf-8")
    mk.make_pdf(folder / "1101_Jones_Tom.pdf", mk.essay_paragraphs(150, seed=98))
    mk.make_rtf(folder / "1102_Lee_Amy.rtf", mk.essay_paragraphs(120, seed=97))
    mk.make_odt(folder / "1103_Khan_Sami.odt", mk.essay_paragraphs(120, seed=96))
    (folder / "1104_Broken_File.docx").write_bytes(b"PK\x03\x04 this zip stops here")
    (folder / "1105_Empty.docx").write_bytes(b"")
    (folder / "marks.xlsx").write_bytes(b"not imported")
    sub = folder / "late"
    sub.mkdir()
    for i in range(6):
        mk.make_docx(sub / f"{2000 + i}_Late_Pupil{chr(65 + i)}.docx", mk.essay_paragraphs(160, seed=200 + i))
    return folder


@linux_only
def test_workers_give_the_same_results_in_the_same_order(tmp_path):
    folder = _class_folder(tmp_path / "class")
    found = _run_with_workers(COMPARE, folder)
    assert found["in_workers"] == found["one_by_one"]
    names = [r["file"] for r in found["in_workers"]]
    assert names[:2] == ["1000_Pupil_NumberA.docx", "1001_Pupil_NumberB.docx"]
    assert names[-1] == "2005_Late_PupilF.docx"  # a subfolder's files after the folder's
    by_name = {r["file"]: r for r in found["in_workers"]}
    assert by_name["1104_Broken_File.docx"]["error"].startswith("1104_Broken_File.docx: ")
    assert "empty" in by_name["1105_Empty.docx"]["error"]
    assert by_name["marks.xlsx"]["skipped"]
    assert any(w.startswith("paragraph") for w in by_name["1050_Twice_Told.docx"]["draft"]["warnings"])
    # Word, OpenDocument and text files were read by the workers (which also hashed
    # their bytes, rightly); the PDF and the RTF file by the asking process, whose
    # sandboxed children parse them
    assert found["hash_right"]
    hashed = set(found["hashed"])
    assert {"1000_Pupil_NumberA.docx", "1103_Khan_Sami.odt", "1100_Smith_Jane.txt"} <= hashed
    assert not hashed & {"1101_Jones_Tom.pdf", "1102_Lee_Amy.rtf"}
    assert not found["children_left"]


CRASH = WORKERS_LEFT + r"""
import json, os, sys
from pathlib import Path
from rubric.importing import ImportOptions, iter_candidate_files
from rubric.importing import parallel

real = parallel.read_here
def read_here(path, options):  # a parser library that crashes on one file
    if path.name == "1005_Pupil_NumberF.docx":
        os._exit(11)
    return real(path, options)
parallel.read_here = read_here

folder = Path(sys.argv[1])
results = list(parallel.read_files(iter_candidate_files([folder]), ImportOptions()))
left = workers_left()
print(json.dumps({"workers": parallel.available_workers(), "children_left": left,
                  "results": [[r.path.name, r.error, r.draft is not None] for r in results]}))
"""


@linux_only
def test_a_file_that_crashes_its_reader_fails_alone(tmp_path):
    folder = _class_folder(tmp_path / "class")
    found = _run_with_workers(CRASH, folder)
    expected = [p.name for p in _sorted_files(folder)]
    assert [r[0] for r in found["results"]] == expected
    failed = {r[0]: r[1] for r in found["results"] if r[1] and not r[0].endswith(".xlsx")}
    assert set(failed) == {"1005_Pupil_NumberF.docx", "1104_Broken_File.docx", "1105_Empty.docx"}
    assert failed["1005_Pupil_NumberF.docx"] == ("1005_Pupil_NumberF.docx: could not read the file "
                                                 "(the reader stopped unexpectedly; the file may be damaged)")
    assert sum(r[2] for r in found["results"]) == len(expected) - 4  # all the others were read
    assert not found["children_left"]


def _sorted_files(folder: Path) -> list[Path]:
    from rubric.importing import iter_candidate_files

    return list(iter_candidate_files([folder]))


STOP = WORKERS_LEFT + r"""
import json, os, sys, time
from pathlib import Path
from rubric.importing import ImportOptions, import_batch
from rubric.store import MarkingSet
from rubric.templates import default_scheme

folder, path = Path(sys.argv[1]), Path(sys.argv[2])
results = import_batch([folder], ImportOptions(), parallel=True)
first = [next(results).path.name for _ in range(3)]
results.close()  # the caller stops (Cancel)
left_after_stop = workers_left()
with MarkingSet.create(path, "Stop", default_scheme()) as ms:
    ms.import_group_files = 2
    reported = []
    for outcome in ms.import_files([folder]):
        reported.append([outcome.path.name, outcome.imported])
        if len(reported) == 5:
            break  # the caller stops: what was reported as imported stays
    stored = [s.file_name for s in ms.scripts()]
left_after_cancel = workers_left()
print(json.dumps({"first": first, "left_after_stop": left_after_stop,
                  "reported": reported, "stored": stored,
                  "left_after_cancel": left_after_cancel}))
"""


@linux_only
def test_stopping_early_stops_the_workers_and_keeps_what_was_reported(tmp_path):
    folder = _class_folder(tmp_path / "class")
    found = _run(STOP, str(folder), str(tmp_path / "stop.markset"))
    names = [p.name for p in _sorted_files(folder)]
    assert found["first"] == names[:3]
    assert not found["left_after_stop"]
    assert [name for name, _imported in found["reported"]] == names[:5]
    assert {name for name, imported in found["reported"] if imported} <= set(found["stored"])
    assert len(found["stored"]) <= 6  # at most the group being saved besides
    assert not found["left_after_cancel"]


def test_the_cli_imports_a_class_in_order_with_one_line_per_file(tmp_path):
    folder = _class_folder(tmp_path / "class")
    path = tmp_path / "cli.markset"
    from rubric.store import MarkingSet
    from rubric.templates import default_scheme

    MarkingSet.create(path, "CLI", default_scheme()).close()
    done = subprocess.run([sys.executable, "-m", "rubric", "import", str(path), str(folder)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    names = [p.name for p in _sorted_files(folder)]
    assert len(lines) == len(names) + 1
    for name, line in zip(names, lines, strict=False):
        assert name in line
    assert lines[-1] == f"{len(names) - 4} imported, 2 skipped, 2 failed"
    with MarkingSet.open(path) as ms:
        stored = [s.file_name for s in ms.scripts()]
    assert stored == [n for n in names if n not in (
        "1099_copy_of_D.docx", "1104_Broken_File.docx", "1105_Empty.docx", "marks.xlsx")]


# --- the styles cache --------------------------------------------------------------------------


def test_styles_parts_of_the_same_size_are_never_mistaken_for_each_other(tmp_path):
    """The styles of a class template are cached by the part's CRC-32 and size: two
    templates whose styles parts have the same size but say different things each give
    their own paragraph kinds, whichever is read first."""
    essay = mk.essay_paragraphs(300)
    line = ("The Republic was a democracy without democrats, as one historian put it, and "
            "what happened between 1930 and 1933 seems to bear the verdict out")
    styled = f'<w:p><w:pPr><w:pStyle w:val="School1"/></w:pPr><w:r><w:t>{line}</w:t></w:r></w:p>'
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in essay[:2]) + styled + \
        "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in essay[2:])
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:document xmlns:w="{mk.W}"><w:body>{body}</w:body></w:document>').encode()
    kinds = {"Title": "heading", "Quote": "quote"}  # style names of the same length
    paths = {}
    for name, kind in kinds.items():
        styles = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{mk.W}">'
                  f'<w:style w:type="paragraph" w:styleId="School1"><w:name w:val="{name}"/></w:style>'
                  "</w:styles>").encode()
        path = mk.docx_with_document_xml(tmp_path / f"{kind}.docx", document)
        mk.rewrite_zip(path, {"word/styles.xml": styles})
        paths[path] = kind
    sizes = set()
    for path in paths:
        with zipfile.ZipFile(path) as zipped:
            sizes.add(zipped.getinfo("word/styles.xml").file_size)
    assert len(sizes) == 1
    from rubric.importing import docx as docx_reader

    for order in (list(paths), list(paths)[::-1]):
        docx_reader._STYLE_CACHE.clear()
        for path in order:
            paragraph = next(p for p in inspect_file(path, ImportOptions()).paragraphs
                             if p.text == line)
            assert paragraph.kind == paths[path]


def test_a_file_is_read_whole_whatever_its_size(tmp_path):
    """The file is read by its size (and a byte more, in case it has grown): every byte
    is there, and the limit still holds."""
    text = "\n\n".join(mk.essay_paragraphs(400, seed=3))
    path = tmp_path / "4000_Long_Essay.txt"
    path.write_text(text, encoding="utf-8")
    draft = inspect_file(path, ImportOptions())
    assert draft.source_bytes == path.read_bytes()
    size = len(draft.source_bytes)
    assert inspect_file(path, ImportOptions(max_bytes=size)).source_bytes == draft.source_bytes
    from rubric.errors import ImportFailure

    with pytest.raises(ImportFailure, match="too large"):
        inspect_file(path, ImportOptions(max_bytes=size - 1))


def test_a_folder_reached_through_a_link_lists_each_file_once(tmp_path):
    from rubric.importing import iter_candidate_files

    real = tmp_path / "real"
    real.mkdir()
    for name in ("a.docx", "b.txt"):
        (real / name).write_text("x")
    try:
        (tmp_path / "link").symlink_to(real, target_is_directory=True)
        (real / "c.docx").symlink_to(real / "a.docx")
    except OSError:  # Windows without the right to make links
        pytest.skip("symbolic links cannot be made here")
    found = list(iter_candidate_files([real, tmp_path / "link", real / ".." / "real"]))
    assert found == [real / "a.docx", real / "b.txt"]
