"""Export benchmarks, each beside the floor of this machine measured in the same run
(medians of interleaved runs, and the ratio):

* 300 Word feedback documents (1,500-word essays with curly quotes, dashes and accents,
  10 annotations each as real Word comments) beside the floor: the same 300 scripts'
  text written as raw WordprocessingML with zipfile, each file flushed and fsynced, one
  after another. Aim: the default export (built here, written by threads) <= 2x;
* the same 300 as coursework cover sheets, and as one class pack (informational);
* the markbook of 300 scripts and 3,000 annotations beside plain openpyxl writing the same
  cells with no styles (saved the same safe way: temporary file, fsync, replace), each run
  after a garbage collection; its own sheets, and the whole markbook with its similarity
  check; also the first export in a fresh process, and (informational) the floor with the
  garbage collector paused, as the export pauses it. Aim <= 1.3x.

Run:  .venv/bin/python -m pytest -o addopts="" -o python_files="bench_*.py" \\
          tests/benchmarks/bench_export.py -q -s
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from rubric.export import (
    WordOptions,
    export_class_pack,
    export_cover_sheets,
    export_feedback_folder,
    export_markbook,
    markbook_workbook,
)
from rubric.importing.model import Paragraph, ScriptDraft
from rubric.safe_write import write_with
from rubric.store import MarkingSet
from rubric.templates import template
from tests.core import pdfcorpus as pc

from .conftest import report

SCRIPTS = 300
DATE = dt.date(2026, 3, 14)


def machine() -> str:
    import platform

    return f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}"


@pytest.fixture(scope="module")
def big_set(tmp_path_factory):
    """300 scripts of about 1,500 words (a question, essay paragraphs), each marked, with
    what-went-well / even-better-if comments and 10 annotations."""
    folder = tmp_path_factory.mktemp("bench")
    ms = MarkingSet.create(folder / "bench.markset", "13B Weimar — mock",
                           template("aqa-history-essay-25"))
    ms.use_marker("Ms Zoë O’Connor", "ZO")
    rnd = random.Random(7)
    with ms.atomic():
        for n in range(SCRIPTS):
            paragraphs = [Paragraph(pc.QUESTION, "heading")] + [
                Paragraph(text) for text in pc.essay_text(1500, seed=n)]
            draft = ScriptDraft(
                path=Path(f"{8000 + n}_Brontë_Zoë_{n}.docx"), format="docx",
                paragraphs=paragraphs, title=pc.QUESTION, candidate_name=f"Zoë Brontë-{n:03}",
                candidate_number=str(8000 + n), word_count=1500, coursework_word_count=1500,
                source_bytes=f"bench {n}".encode())
            script_id = ms.add_script(draft).created
            ms.set_mark(script_id, "AO1", rnd.randint(0, 25))
            ms.set_comments(script_id, www="A sustained argument — “well judged” — and précis.",
                            ebi="Weigh the Länder’s rôle against Brüning’s.",
                            general="A solid answer.")
            length = len(ms.script(script_id).text)
            for note in range(10):
                start = rnd.randrange(0, length - 200)
                ms.add_annotation(script_id, start, start + rnd.randint(10, 180),
                                  f"Comment {note}: precise — “evidence” here.", "AO1")
    yield ms, folder
    ms.close()


def interleaved(runs: dict[str, object], repeat: int, collect: bool = False
                ) -> dict[str, float]:
    """Median seconds of each action, the actions taking turns (so a noisy spell of the
    machine falls on all of them). ``collect``: Python's garbage collector frees what the
    runs before left (their workbooks) before each run starts, so no run pays for another's
    garbage."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, action in runs.items():
            if collect:
                gc.collect()
            start = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


# -- the floor of a Word document: raw WordprocessingML, zipfile, fsync ----------------------

_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
          'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
          '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
          'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
          '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          "</Types>")
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://'
         'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
         '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="word/document.xml"/></Relationships>')
_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://'
         'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')


def raw_documents(folder: Path, scripts: list[tuple[str, list[str]]]) -> None:
    """The floor: each script's paragraphs as the least WordprocessingML Word opens."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name, paragraphs in scripts:
        body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
                       for text in paragraphs)
        with open(folder / name, "wb") as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as package:
                package.writestr("[Content_Types].xml", _TYPES)
                package.writestr("_rels/.rels", _RELS)
                package.writestr("word/document.xml", f"{_HEAD}{body}</w:body></w:document>")
            handle.flush()
            os.fsync(handle.fileno())


def test_feedback_documents_beside_raw_wordprocessingml(big_set, tmp_path):
    ms, _ = big_set
    ids = ms.script_ids()
    scripts = [(f"{i}.docx", [p.text for p in ms.script(i).paragraphs]) for i in ids]

    def ours(processes: int | None, out: str, export=export_feedback_folder):
        def run():
            folder = tmp_path / out
            shutil.rmtree(folder, ignore_errors=True)
            result = export(ms, folder, WordOptions(date=DATE, processes=processes), ids)
            assert result.ok and len(result.written) == len(ids)
        return run

    medians = interleaved({
        "floor": lambda: raw_documents(tmp_path / "raw", scripts),
        "default": ours(None, "default"),
        "one thread": ours(1, "serial"),
        "two processes": ours(2, "pool"),
        "cover sheets": ours(None, "covers", export_cover_sheets),
    }, repeat=5)
    floor = medians["floor"]
    report(f"{len(ids)} Word feedback documents (1,500 words, 10 comments each; {machine()})",
           floor_raw_xml_zip_fsync=f"{floor:.2f} s ({1000 * floor / len(ids):.2f} ms a file)",
           **{name.replace(" ", "_"): f"{value:.2f} s  {value / floor:.2f}x the floor"
              for name, value in medians.items() if name != "floor"},
           aim="default <= 2x the floor")
    assert medians["default"] < 10


def test_class_pack_of_300(big_set, tmp_path):
    ms, _ = big_set
    ids = ms.script_ids()
    scripts = [(f"{i}.docx", [p.text for p in ms.script(i).paragraphs]) for i in ids]
    medians = interleaved({
        "floor": lambda: raw_documents(tmp_path / "raw", scripts),
        "pack": lambda: export_class_pack(ms, tmp_path / "pack.docx", WordOptions(date=DATE)),
    }, repeat=3)
    report(f"class pack: {len(ids)} scripts in one document ({machine()})",
           floor_raw_xml_300_files=f"{medians['floor']:.2f} s",
           class_pack=f"{medians['pack']:.2f} s  {medians['pack'] / medians['floor']:.2f}x",
           size=f"{(tmp_path / 'pack.docx').stat().st_size / 1024:.0f} KB")


# -- the markbook beside plain openpyxl ----------------------------------------------------------

def _cells(ms: MarkingSet) -> list[tuple[str, list[tuple[int, int, object]]]]:
    workbook = markbook_workbook(ms)
    return [(sheet.title, [(c.row, c.column, c.value) for row in sheet.iter_rows() for c in row
                           if c.value is not None]) for sheet in workbook.worksheets]


def plain_openpyxl(path: Path, sheets) -> None:
    """The floor: the same cells' values, no styles, no widths, no chart."""
    from openpyxl import Workbook

    workbook = Workbook()
    for index, (title, cells) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        for row, column, value in cells:
            sheet.cell(row=row, column=column, value=value)
    write_with(path, workbook.save)


def plain_openpyxl_collector_paused(path: Path, sheets) -> None:
    """The floor with Python's cyclic garbage collector paused, as the markbook export
    pauses it (for comparison: how much of the difference that alone makes)."""
    gc.disable()
    try:
        plain_openpyxl(path, sheets)
    finally:
        gc.enable()


def cold_export(path: Path, bytecode: Path) -> float:
    """Seconds of the first markbook export in a fresh process: its modules imported first
    (as the app has them when the user exports), the export's own imports and first calls
    included. The app's modules are compiled to ``bytecode`` by a first process, as an
    installed app's are (this machine sets PYTHONDONTWRITEBYTECODE)."""
    code = (
        "import sys, time\n"
        "import openpyxl, numpy\n"
        "from rubric.export import export_markbook\n"
        "from rubric.store import MarkingSet\n"
        f"ms = MarkingSet.open({str(path)!r})\n"
        "start = time.perf_counter()\n"
        f"export_markbook(ms, {str(path.with_suffix('.xlsx'))!r})\n"
        "print(time.perf_counter() - start)\n")
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    seconds = []
    for _ in range(4):  # the first compiles; the median of the other three
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                timeout=300, cwd=Path(__file__).parents[2], check=True,
                                env=env)
        seconds.append(float(result.stdout.strip().splitlines()[-1]))
    return statistics.median(seconds[1:])


def _no_character_tables() -> None:
    """Forget what the similarity check has learnt about characters (a few hundred
    entries), so every run classifies them again, as the first does."""
    from rubric import similarity

    similarity._NORMAL.clear()
    similarity._IS_WORD.clear()


def _in_a_thread(work) -> None:
    """``work()`` on a thread of its own, as the app exports (off the window's thread): a
    process with two threads cannot fork."""
    import threading

    failed = []

    def run():
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - raised again on the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


@pytest.mark.parametrize("similarity", [False, True, "app"],
                         ids=["sheets", "with-similarity", "with-similarity-app-thread"])
def test_markbook_beside_plain_openpyxl(big_set, tmp_path, monkeypatch, similarity):
    """The markbook's own sheets (Marks, Comments, Summary), and the whole markbook as
    exported, which also runs the similarity check of every script for its Similarity
    sheet; each beside plain openpyxl writing the same cells. Each run starts with no
    garbage left by the runs before, and nothing is kept from one export to the next
    (what the similarity check learnt about characters is forgotten); the first export in
    a fresh process is shown too. The app exports on a thread, where the check goes to a
    new Python instead of a fork (``with-similarity-app-thread``)."""
    from rubric.export import similarity_sheet

    ms, _ = big_set
    if not similarity:
        # no check begun, no sheet made
        monkeypatch.setattr(similarity_sheet, "start_similarity", lambda *args: None)
        monkeypatch.setattr(similarity_sheet, "comparison_sheets", lambda *args: None)
    sheets = _cells(ms)
    cells = sum(len(c) for _, c in sheets)

    def markbook():
        _no_character_tables()
        if similarity == "app":
            _in_a_thread(lambda: export_markbook(ms, tmp_path / "markbook.xlsx"))
        else:
            export_markbook(ms, tmp_path / "markbook.xlsx")

    medians = interleaved({
        "floor": lambda: plain_openpyxl(tmp_path / "plain.xlsx", sheets),
        "markbook": markbook,
        "floor, collector paused":
            lambda: plain_openpyxl_collector_paused(tmp_path / "paused.xlsx", sheets),
    }, repeat=9, collect=True)
    floor = medians["floor"]
    ratio = medians["markbook"] / floor
    what = ("with the similarity check, exported on a thread as the app does"
            if similarity == "app" else "with the similarity check" if similarity
            else "its own sheets")
    extra = {}
    if similarity is True:
        cold = cold_export(ms.export_to(tmp_path / "cold.markset"), tmp_path / "bytecode")
        extra["first_export_fresh_process"] = f"{cold:.2f} s  {cold / floor:.2f}x (median of 3)"
    paused = medians["floor, collector paused"]
    report(f"markbook ({what}), {SCRIPTS} scripts and 3,000 annotations ({cells:,} cells; "
           f"{machine()})",
           sheets=", ".join(title for title, _ in sheets),
           floor_plain_openpyxl=f"{floor:.2f} s",
           markbook=f"{medians['markbook']:.2f} s  {ratio:.2f}x the floor (reading the set "
                    "included)",
           **extra,
           floor_collector_paused=f"{paused:.2f} s (informational: the export pauses the "
                                  "garbage collector; the markbook is "
                                  f"{medians['markbook'] / paused:.2f}x this)",
           aim="<= 1.3x")
    assert medians["markbook"] < 10
