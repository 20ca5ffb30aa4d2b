"""The similarity check reads the whole set's texts in one query: the same paragraphs,
kinds and titles as reading each script, in the order asked, and a removed script is still
refused by name."""

from __future__ import annotations

import shutil

import pytest

from rubric.comparing import similarity_inputs
from rubric.demo import demo_set_path
from rubric.errors import NotFoundError
from rubric.store import MarkingSet


@pytest.fixture
def demo_copy(tmp_path):
    path = tmp_path / "demo.markset"
    shutil.copyfile(demo_set_path(), path)
    with MarkingSet.open(path) as marking_set:
        yield marking_set


def test_the_texts_are_those_of_each_script_in_the_order_asked(demo_copy):
    ids = list(reversed(demo_copy.script_ids()))
    texts, questions = similarity_inputs(demo_copy, ids)
    assert list(texts) == ids
    for script_id in ids:
        script = demo_copy.script(script_id)
        assert texts[script_id] == tuple((p.text, p.kind) for p in script.paragraphs)
        assert any("’" in text or "–" in text for text, _kind in texts[script_id])
    assert questions[0] == demo_copy.scheme.question
    titles = {demo_copy.script(i).title for i in ids if demo_copy.script(i).title.strip()}
    assert titles <= set(questions)


def test_a_removed_script_is_refused(demo_copy):
    first = demo_copy.script_ids()[0]
    demo_copy.remove_script(first)
    with pytest.raises(NotFoundError, match="removed"):
        similarity_inputs(demo_copy, [first])
    with pytest.raises(NotFoundError, match="no script"):
        similarity_inputs(demo_copy, [987654])
    texts, _ = similarity_inputs(demo_copy)
    assert first not in texts and len(texts) == len(demo_copy.script_ids())
