"""The start page's summary of a set, read read-only with plain sqlite3: counts that agree
with the set's own statuses, no lock, no change to the file."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from rubric.demo import demo_set_path
from rubric.store import MarkingSet
from rubric.store.library import new_set
from rubric.store.summary import summarise
from rubric.templates import default_scheme


def test_the_demo_set_summary_agrees_with_its_statuses():
    path = demo_set_path()
    with MarkingSet.open(path) as ms:
        statuses = ms.statuses()
        name, title = ms.name, ms.scheme.title
    summary = summarise(path)
    assert summary is not None
    assert summary.name == name and summary.scheme_title == title
    assert summary.scripts == len(statuses) > 0
    assert summary.marked == sum(s in ("marked", "moderated") for s in statuses.values()) > 0
    assert summary.last_marked is not None
    assert datetime.now(UTC) - summary.last_marked < timedelta(minutes=10)


def test_a_summary_counts_only_present_scripts_and_follows_marking(tmp_path):
    path = demo_set_path()
    with MarkingSet.open(path) as ms:
        unmarked = [s for s, status in ms.statuses().items() if status == "unmarked"]
        before = summarise(path)   # read while the set is open (and locked) elsewhere
        ms.set_mark(unmarked[0], "AO1", 12)
        ms.set_complete(unmarked[0])
        assert summarise(path).marked == before.marked + 1   # commits still in the WAL
        ms.remove_script(unmarked[1])
    after = summarise(path)
    assert after.scripts == before.scripts - 1
    assert after.marked == before.marked + 1
    assert after.last_marked >= before.last_marked


def test_a_summary_takes_no_lock_and_leaves_the_file_as_it_was():
    path = demo_set_path()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    files = sorted(p.name for p in path.parent.iterdir())
    assert summarise(path) is not None
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in path.parent.iterdir()) == files
    with MarkingSet.open(path):   # nothing was left holding the set
        pass


def test_an_empty_set_and_files_that_are_not_sets():
    path = new_set("Empty 12Z", default_scheme())
    summary = summarise(path)
    assert (summary.scripts, summary.marked, summary.last_marked) == (0, 0, None)
    not_a_set = path.with_name("notes.markset")
    not_a_set.write_text("not a database", encoding="utf-8")
    assert summarise(not_a_set) is None
    assert summarise(path.with_name("missing.markset")) is None
