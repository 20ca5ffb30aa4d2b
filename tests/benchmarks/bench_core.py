"""Import of generated 1,500-word docx scripts beside python-docx alone, and the latency of
recording one mark."""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

import docx
import pytest

from rubric.store import MarkingSet
from rubric.templates import default_scheme

from .conftest import median_seconds, report

WORDS = ("the regime army loyalty reform tsar peasants duma manifesto october revolution "
         "strikes soviet witte stolypin repression concession liberal moscow rising "
         "evidence however therefore significant argued historians").split()


def make_scripts(folder: Path, count: int) -> list[Path]:
    rng = random.Random(count)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        document = docx.Document()
        document.add_paragraph("‘The loyalty of the army was the main reason why the Tsarist "
                               "regime survived.’ Assess the validity of this view.")
        document.add_paragraph(f"Candidate: Student {n} ({5000 + n})")
        for _ in range(10):
            document.add_paragraph(" ".join(rng.choice(WORDS) for _ in range(150)) + ".")
        path = folder / f"{5000 + n}_Student_{n}.docx"
        document.save(path)
        paths.append(path)
    return paths


def python_docx_read(paths: list[Path]) -> None:
    for path in paths:
        document = docx.Document(str(path))
        "\n".join(p.text for p in document.paragraphs)


@pytest.mark.parametrize("count", [30, 300])
def test_import_speed_beside_python_docx(tmp_path, count):
    paths = make_scripts(tmp_path / "scripts", count)
    baseline = median_seconds(lambda: python_docx_read(paths), repeat=3)
    runs = []
    for attempt in range(3):
        path = tmp_path / f"set-{attempt}.markset"
        with MarkingSet.create(path, "Bench", default_scheme()) as ms:
            start = time.perf_counter()
            outcomes = list(ms.import_files([tmp_path / "scripts"]))
            runs.append(time.perf_counter() - start)
            assert sum(o.imported for o in outcomes) == count
    ours = statistics.median(runs)
    report(f"import {count} docx scripts of 1,500 words",
           python_docx_read=f"{baseline * 1000:.0f} ms",
           essay_marker_import=f"{ours * 1000:.0f} ms (parse + checks + store)",
           ratio=f"{ours / baseline:.2f}x (aim <= 1.5x)")


def test_recording_one_mark_latency(tmp_path):
    from tests.core.conftest import make_draft

    with MarkingSet.create(tmp_path / "latency.markset", "Bench", default_scheme()) as ms:
        ids = [ms.add_script(make_draft(f"S {i}", str(i), seed=str(i))).created
               for i in range(30)]
        times = []
        for n in range(600):
            start = time.perf_counter()
            ms.set_mark(ids[n % 30], "AO1", n % 26)
            times.append(time.perf_counter() - start)
    times.sort()
    report("record one mark (commit with synchronous=FULL)",
           median=f"{statistics.median(times) * 1000:.2f} ms (aim < 10 ms)",
           p95=f"{times[int(len(times) * 0.95)] * 1000:.2f} ms")
