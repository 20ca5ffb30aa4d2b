"""Merge benchmark: three markers' copies of a 300-script set (each marker's mark, overall
comments and an annotation on every script) merged back into it, then merged again.

Run:  .venv/bin/python -m pytest -o addopts="" -o python_files="bench_*.py" \\
          tests/benchmarks/bench_merge.py -q -s
Aims: previewing one copy < 0.5 s and applying it < 0.5 s (2-core machine); merging a copy
a second time finds nothing.
"""

from __future__ import annotations

import time

import pytest

from rubric.store import MarkingSet
from rubric.store.merge import apply_merge, plan_merge
from rubric.templates import template
from tests.core.conftest import make_draft

from .conftest import report

SCRIPTS = 300
MARKERS = ("Ms Patel", "Mr Jones", "Dr Okafor")


@pytest.fixture(scope="module")
def department(tmp_path_factory):
    folder = tmp_path_factory.mktemp("merge")
    hod = MarkingSet.create(folder / "hod.markset", "13 History", template("aqa-history-essay-25"))
    with hod.atomic():
        for n in range(SCRIPTS):
            hod.add_script(make_draft(f"Student {n}", str(1000 + n), seed=f"s{n}"))
    copies = []
    for number, name in enumerate(MARKERS):
        copy = folder / f"copy-{number}.markset"
        hod.export_to(copy)
        with MarkingSet.open(copy) as marking:
            marking.use_marker(name)
            with marking.atomic():
                for script_id in marking.script_ids():
                    marking.set_mark(script_id, "AO1", (script_id * 7 + number) % 26)
                    marking.set_comments(script_id, www=f"{name}: clear line of argument")
                    marking.annotate_quote(script_id, "land reform", "Precise")
        copies.append(copy)
    yield hod, copies
    hod.close()


def test_merging_three_markers_copies_of_300_scripts(department):
    hod, copies = department
    plans, applies = [], []
    for copy in copies:
        start = time.perf_counter()
        plan = plan_merge(hod, copy)
        plans.append(time.perf_counter() - start)
        assert len(plan.new) == 3 * SCRIPTS + 1 and not plan.conflicts  # + the new marker
        start = time.perf_counter()
        apply_merge(hod, plan)
        applies.append(time.perf_counter() - start)
    start = time.perf_counter()
    again = plan_merge(hod, copies[0])
    replan = time.perf_counter() - start
    assert again.empty
    assert len(hod.marks()) == SCRIPTS * len(MARKERS)
    report(f"merge: {len(copies)} copies of {SCRIPTS} scripts (mark, comments, annotation each)",
           preview=f"{max(plans) * 1000:.0f} ms (slowest copy)",
           apply=f"{max(applies) * 1000:.0f} ms (slowest copy)",
           merge_again=f"{replan * 1000:.0f} ms, nothing to do")
    assert max(plans) < 0.5 and max(applies) < 0.5
