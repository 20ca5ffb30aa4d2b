"""Export benchmark: feedback documents for 30 and 300 scripts (1,500 words, 10 annotations
each) and the markbook for 300, beside python-docx writing a plain document of the same text
in the same run.

Run:  .venv/bin/pytest -o addopts="" tests/benchmarks/bench_export.py -q -s
Aim:  300 feedback documents in under 10 s on a 2-core machine.
"""

from __future__ import annotations

import io
import random
import shutil
import statistics
import time
from pathlib import Path

import pytest
from docx import Document

from rubric.export import WordOptions, export_feedback_folder, export_markbook
from rubric.export.word import POOL_THRESHOLD
from rubric.importing.model import Paragraph, ScriptDraft
from rubric.store import MarkingSet
from rubric.templates import template

REPEATS = 3
WORDS = ("the regime survived because the army stayed loyal while the opposition divided and "
         "the October Manifesto split liberals from the workers so that force could be used "
         "against an isolated minority in Moscow and the countryside").split()


def draft(index: int, rnd: random.Random) -> ScriptDraft:
    paragraphs = [Paragraph(" ".join(rnd.choice(WORDS) for _ in range(150)).capitalize() + ".")
                  for _ in range(10)]
    return ScriptDraft(
        path=Path(f"{8000 + index}_Student_{index}.docx"), format="docx", paragraphs=paragraphs,
        title="‘The loyalty of the army was the main reason the regime survived.’",
        candidate_name=f"Student {index:03}", candidate_number=str(8000 + index),
        word_count=1500, coursework_word_count=1500, source_bytes=f"bench {index}".encode())


@pytest.fixture(scope="module")
def big_set(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    ms = MarkingSet.create(folder / "bench.markset", "13B Russia",
                           template("aqa-history-essay-25"))
    ms.use_marker("Ms Priya Patel", "PP")
    rnd = random.Random(7)
    for index in range(300):
        script_id = ms.add_script(draft(index, rnd)).created
        ms.set_mark(script_id, "AO1", rnd.randint(0, 25))
        ms.set_comments(script_id, www="A sustained argument with a clear judgement.",
                        ebi="Weigh repression against reform.", general="A solid answer.")
        length = len(ms.script(script_id).text)
        for note in range(10):
            start = rnd.randrange(0, length - 200)
            ms.add_annotation(script_id, start, start + rnd.randint(10, 180),
                              f"Comment {note}: precise evidence here.", "AO1")
    yield ms, folder
    ms.close()


def median_time(action, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def plain_documents(ms: MarkingSet, script_ids) -> None:
    """The baseline: python-docx's default template, the script's paragraphs, saved."""
    for script_id in script_ids:
        document = Document()
        for paragraph in ms.script(script_id).paragraphs:
            document.add_paragraph(paragraph.text)
        document.save(io.BytesIO())


@pytest.mark.parametrize("count", [30, 300])
def test_feedback_documents(big_set, count, tmp_path):
    ms, _ = big_set
    ids = ms.script_ids()[:count]

    def export(processes: int | None):
        def run():
            out = tmp_path / f"out-{processes}"
            shutil.rmtree(out, ignore_errors=True)
            report = export_feedback_folder(ms, out, WordOptions(processes=processes), ids)
            assert report.ok and len(report.written) == count
        return run

    serial = median_time(export(1))
    pooled = median_time(export(None))
    plain = median_time(lambda: plain_documents(ms, ids))
    print(f"\n{count} feedback documents: one process {serial:.2f} s "
          f"({1000 * serial / count:.1f} ms each), default (pool of up to 2 from {POOL_THRESHOLD} files) "
          f"{pooled:.2f} s; plain python-docx documents of the same text {plain:.2f} s "
          f"({1000 * plain / count:.1f} ms each); ratio feedback/plain: one process "
          f"{serial / plain:.2f}, default {pooled / plain:.2f}")
    if count == 300:
        assert pooled < 10


def test_markbook_for_300(big_set, tmp_path):
    ms, _ = big_set
    path = tmp_path / "markbook.xlsx"
    seconds = median_time(lambda: export_markbook(ms, path))
    print(f"\nmarkbook for 300 scripts (3,000 annotations): {seconds:.2f} s, "
          f"{path.stat().st_size / 1024:.0f} KB")
    assert seconds < 10
