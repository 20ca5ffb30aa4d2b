"""Work handed to a fork of the process (``rubric.forked``) gives what doing it here gives.

The result comes back whole; a copy that dies, fails or cannot send its result costs only
time (the work is done here, and its exception is raised here); closing a copy no longer
wanted ends it; a copy writes nothing to the terminal. The markbook's similarity check,
run by a copy while the other sheets are made, gives the same Similarity sheet. Each check
that needs a fork runs in a fresh Python: copies are made only from a process with a
single thread, which a test run's process need not be.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rubric import forked

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux") or forked.cores() < 2,
                                reason="work is forked on Linux with two cores or more only")

ROOT = Path(__file__).resolve().parents[2]

CHECKS = r"""
import json, os, sys, time
from rubric import forked

parent = os.getpid()
out = {"can_fork": forked.can_fork()}

def words(n):
    return {"pid": os.getpid(), "words": [f"word {i} — “quoted”" for i in range(n)]}
job = forked.Background(words, 50_000)
value = job.result()
out["forked"] = job.forked
out["computed_by_a_copy"] = value["pid"] != parent
out["whole"] = value["words"] == [f"word {i} — “quoted”" for i in range(50_000)]

def dies_in_a_copy():
    if os.getpid() != parent:
        os._exit(3)
    return "done here"
out["after_a_copy_died"] = forked.Background(dies_in_a_copy).result()

def fails():
    raise ValueError("a damaged text")
try:
    forked.Background(fails).result()
    out["raised"] = None
except ValueError as exc:
    out["raised"] = str(exc)

def unpicklable():
    return lambda: "made here" if os.getpid() == parent else "made by a copy"
out["unpicklable"] = forked.Background(unpicklable).result()()

def talks():
    print("a copy talking")
    return 1
talks_job = forked.Background(talks)
out["talked"] = talks_job.result()

def sleeps():
    time.sleep(60)
started = time.perf_counter()
sleeper = forked.Background(sleeps)
pid = sleeper._pid
out["sleeper_running"] = sleeper.running()
sleeper.close()
quick = forked.Background(len, "ready")
deadline = time.monotonic() + 10
while quick.running() and time.monotonic() < deadline:
    time.sleep(0.01)
out["quick_running"] = quick.running()
out["quick"] = quick.result()
out["closed_in"] = time.perf_counter() - started
out["sleeper_gone"] = not os.path.exists(f"/proc/{pid}")
print(json.dumps(out))
"""


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@linux_only
def test_a_copy_gives_the_result_and_its_failures_cost_only_time():
    done = _run(CHECKS)
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["can_fork"] and out["forked"] and out["computed_by_a_copy"]
    assert out["whole"]
    assert out["after_a_copy_died"] == "done here"
    assert out["raised"] == "a damaged text"
    assert out["unpicklable"] == "made here"
    assert out["talked"] == 1
    assert "a copy talking" not in done.stdout
    assert out["sleeper_running"] and not out["quick_running"] and out["quick"] == 5
    assert out["closed_in"] < 5 and out["sleeper_gone"]


def test_without_a_fork_the_work_is_done_here_when_asked(monkeypatch):
    monkeypatch.setattr(forked, "single_threaded", lambda: False)
    calls = []
    job = forked.Background(lambda x: calls.append(x) or x * 2, 21)
    assert not job.forked and calls == []   # nothing done before it is asked for
    assert job.result() == 42 and calls == [21]


def test_a_process_with_threads_never_forks():
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forked.single_threaded()
        assert not forked.can_fork()
    finally:
        stop.set()
        thread.join()


MARKBOOK = r"""
import json, sys
from pathlib import Path
from openpyxl import load_workbook
from rubric import forked
from rubric.export.excel import export_markbook
from rubric.importing.model import Paragraph, ScriptDraft
from rubric.store import MarkingSet
from rubric.templates import template

folder = Path(sys.argv[1])
ms = MarkingSet.create(folder / "class.markset", "13B mock", template("aqa-history-essay-25"))
shared = ("The Treaty of Versailles left Germany humiliated — “a dictated peace” — and the "
          "reparations bill of 1921 became the focus of nationalist anger across the Länder.")
for n in range(6):
    own = [f"Pupil {n} argues point {k}: the evidence of {1919 + k} matters to rôle {n * k}."
           for k in range(12)]
    paragraphs = [Paragraph(text) for text in (own[:6] + ([shared] if n in (1, 4) else []) + own[6:])]
    ms.add_script(ScriptDraft(path=Path(f"{7000 + n}_Pupil_{n}.docx"), format="docx",
                              paragraphs=paragraphs, candidate_name=f"Pupil {n}",
                              candidate_number=str(7000 + n), word_count=300,
                              source_bytes=f"pupil {n}".encode()))
started = []
real = forked.Background.__init__
def spy(self, *args, **kwargs):
    real(self, *args, **kwargs)
    started.append(self.forked)
forked.Background.__init__ = spy

def sheet(path):
    book = load_workbook(path)
    return book.sheetnames, [[c.value for c in row] for row in book["Similarity"].iter_rows()]

export_markbook(ms, folder / "forked.xlsx")
by_a_copy = sheet(folder / "forked.xlsx")
forked.can_fork = lambda: False
export_markbook(ms, folder / "here.xlsx")
here = sheet(folder / "here.xlsx")
print(json.dumps({"started": started, "same": by_a_copy == here, "names": here[0],
                  "rows": len(here[1])}))
"""


@linux_only
def test_the_markbook_compares_in_a_copy_and_shows_what_comparing_here_shows(tmp_path):
    out = json.loads(_run(MARKBOOK, str(tmp_path)).stdout.splitlines()[-1])
    assert out["started"] == [True, False]   # the first export's check ran in a copy
    assert out["same"]
    assert "Similarity" in out["names"] and out["rows"] > 3


# -- a new Python, where this process cannot fork (the app exports on a thread) ------------

two_cores = pytest.mark.skipif(forked.cores() < 2, reason="a child is started with two cores "
                                                           "or more only")


@pytest.fixture
def no_fork(monkeypatch):
    """As in the app: a process with threads, which cannot fork."""
    monkeypatch.setattr(forked, "can_fork", lambda: False)


@two_cores
def test_a_child_python_computes_long_work_and_gives_it_back_whole(no_fork):
    import os

    job = forked.Background(os.getpid, spawn=True)
    assert job.spawned and not job.forked
    assert job.result() != os.getpid()   # computed by another process
    words = "“Peace, land and bread” — the Bolsheviks’ promise. " * 100_000   # 5 MB
    with forked.Background(len, words, spawn=True) as job:
        assert job.spawned
        assert job.result() == len(words)   # more than a pipe holds, both ways


@two_cores
def test_only_work_said_to_be_worth_it_starts_a_child(no_fork):
    job = forked.Background(len, "short", spawn=False)
    assert not job.spawned and not job.forked and job.result() == 5


@two_cores
def test_a_child_that_fails_costs_only_time(no_fork, monkeypatch):
    with pytest.raises(ValueError, match="invalid literal"):   # raised here, computed again
        forked.Background(int, "not a mark", spawn=True).result()
    job = forked.Background(print, "a child talking", spawn=True)
    assert job.spawned and job.result() is None   # what it prints does not reach the answer
    calls = []
    job = forked.Background(lambda: calls.append(1) or "made here", spawn=True)
    assert not job.spawned and job.result() == "made here"   # a lambda cannot be sent
    monkeypatch.setattr(forked, "CHILD_COMMAND", [sys.executable, "-c", "pass"])
    job = forked.Background(len, "ends without answering", spawn=True)
    assert job.spawned and job.result() == 22
    monkeypatch.setattr(forked, "CHILD_COMMAND", ["/nonexistent/essay-marker"])
    job = forked.Background(len, "cannot start", spawn=True)
    assert not job.spawned and job.result() == 12


@two_cores
def test_closing_a_child_no_longer_wanted_ends_it(no_fork):
    import time

    started = time.perf_counter()
    job = forked.Background(time.sleep, 60, spawn=True)
    child = job._child
    assert job.running()
    job.close()
    assert child.poll() is not None and time.perf_counter() - started < 10
    assert not job.running()


@two_cores
def test_the_markbook_exported_on_a_thread_compares_in_a_child_as_here(tmp_path, no_fork,
                                                                       monkeypatch):
    from openpyxl import load_workbook

    from rubric.export import similarity_sheet
    from rubric.export.excel import export_markbook
    from rubric.importing.model import Paragraph, ScriptDraft
    from rubric.store import MarkingSet
    from rubric.templates import template

    ms = MarkingSet.create(tmp_path / "class.markset", "13B mock",
                           template("aqa-history-essay-25"))
    shared = ("The Treaty of Versailles left Germany humiliated — “a dictated peace” — and "
              "the reparations bill of 1921 became the focus of nationalist anger across the "
              "Länder.")
    for n in range(6):
        own = [f"Pupil {n} argues point {k}: the evidence of {1919 + k} matters to rôle "
               f"{n * k}." for k in range(12)]
        texts = own[:6] + ([shared] if n in (1, 4) else []) + own[6:]
        ms.add_script(ScriptDraft(path=Path(f"{7000 + n}_Pupil_{n}.docx"), format="docx",
                                  paragraphs=[Paragraph(t) for t in texts],
                                  candidate_name=f"Pupil {n}", candidate_number=str(7000 + n),
                                  word_count=300, source_bytes=f"pupil {n}".encode()))
    started = []
    real = forked.Background.__init__

    def spy(self, *args, **kwargs):
        real(self, *args, **kwargs)
        started.append(self.spawned)

    monkeypatch.setattr(forked.Background, "__init__", spy)

    def similarity(path):
        export_markbook(ms, path)
        book = load_workbook(path)
        return [[c.value for c in row] for row in book["Similarity"].iter_rows()]

    monkeypatch.setattr(similarity_sheet, "SPAWN_FROM", 2)
    in_a_child = similarity(tmp_path / "child.xlsx")
    monkeypatch.setattr(similarity_sheet, "SPAWN_FROM", 10**6)
    here = similarity(tmp_path / "here.xlsx")
    ms.close()
    assert started == [True, False]
    assert in_a_child == here and len(here) > 3


ORPHAN = r"""
import os, sys, time
from rubric import forked
from rubric.store import MarkingSet
ms = MarkingSet.open(sys.argv[1])   # holds the set's lock
job = forked.Background(time.sleep, 30)
print(job._pid, flush=True)
os._exit(0)   # killed, in effect: the copy is left running
"""


@linux_only
def test_a_copy_left_running_when_its_parent_dies_does_not_hold_the_set(tmp_path, essay_scheme):
    """flock belongs to the open file, which a fork shares: a copy still running after its
    parent was killed must not keep the set locked (the next window could not open it)."""
    import os
    import signal
    import time

    from rubric.store import MarkingSet
    from rubric.store.lock import is_locked

    path = tmp_path / "13B.markset"
    MarkingSet.create(path, "13B", essay_scheme).close()
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN, str(path)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    copy = int(parent.stdout.readline())
    assert parent.wait(timeout=60) == 0
    try:
        deadline = time.monotonic() + 10   # the copy lets go as it starts, not at its end
        while is_locked(path) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert os.path.exists(f"/proc/{copy}")   # still running, for 30 s
        assert not is_locked(path)
        with MarkingSet.open(path) as ms:   # the next window opens it
            assert ms.scripts() == []
    finally:
        os.kill(copy, signal.SIGKILL)
