"""The demo is consistent: each essay sits under the question it answers, and every set has
marked, part-marked and unmarked scripts to try."""

from __future__ import annotations

import re

from rubric.demo import about, demo_set_path, demo_set_paths
from rubric.store import MarkingSet


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def test_each_demo_essay_sits_under_its_own_question():
    paths = demo_set_paths()
    assert paths[0] == demo_set_path() and len(paths) == 4
    for path in paths:
        with MarkingSet.open(path) as ms:
            question = _plain(ms.scheme.question)
            scripts = ms.scripts()
            assert scripts, path.name
            for script in scripts:
                title = _plain(script.title)
                assert title and (title in question or question in title), (
                    f"{path.name}: {script.candidate} answers “{script.title}”, "
                    f"not “{ms.scheme.question}”")
                assert script.candidate_name and script.candidate_number


def test_the_main_demo_has_work_in_every_state_and_says_what_it_shows():
    with MarkingSet.open(demo_set_path()) as ms:
        by_script = ms.statuses()
        statuses = set(by_script.values())
    assert len(by_script) == 10              # a class set, all on the 1905 question
    assert {"marked", "in progress", "unmarked"} <= statuses
    assert "one question each" in about()
