"""Benchmark: reading one 1,500-word docx with our importer beside python-docx."""

from __future__ import annotations

import statistics
import time

import docx

from rubric.importing import inspect_file
from tests.core import makefiles as mk

from .conftest import report


def median_ms(function, repeats: int) -> float:
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def test_inspect_one_docx_beside_python_docx(tmp_path):
    path = mk.make_docx(
        tmp_path / "1234_Smith_Jane.docx",
        [("Title", "How far was Stalin a revolutionary?"), ("Heading 1", "Introduction"), *mk.essay_paragraphs(1500, seed=60)],
    )
    ours = median_ms(lambda: inspect_file(path), 40)

    def python_docx():
        document = docx.Document(str(path))
        return [p.text for p in document.paragraphs]

    theirs = median_ms(python_docx, 15)
    report("read one 1,500-word docx (median)",
           python_docx_open_and_text=f"{theirs:.2f} ms",
           essay_marker_inspect_file=f"{ours:.2f} ms",
           ratio=f"{ours / theirs:.2f}x")
