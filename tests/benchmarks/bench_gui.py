"""Start-up to a shown main window with a 30-script set, beside a bare PySide6 window
started the same way; and the time to switch to another 4,500-word script with 30
annotations."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rubric.importing.model import Paragraph, ScriptDraft
from rubric.store import MarkingSet
from rubric.store.library import new_set
from rubric.templates import default_scheme

from .bench_core import WORDS
from .conftest import report

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1440, 900)
window.show()
QTimer.singleShot(0, app.quit)
app.exec()
"""


def long_draft(n: int, words: int = 4500) -> ScriptDraft:
    rng = random.Random(n)
    paragraphs = [Paragraph(" ".join(rng.choice(WORDS) for _ in range(150)) + ".")
                  for _ in range(words // 150)]
    return ScriptDraft(path=Path(f"{6000 + n}_Long_{n}.docx"), format="docx",
                       paragraphs=paragraphs, title="Assess the validity of this view.",
                       candidate_name=f"Long {n}", candidate_number=str(6000 + n),
                       word_count=words, coursework_word_count=words,
                       source_bytes=f"long {n}".encode())


def make_set(count: int = 30, annotations: int = 30) -> Path:
    path = new_set("Bench 30", default_scheme())
    with MarkingSet.open(path) as ms:
        for n in range(count):
            script_id = ms.add_script(long_draft(n)).created
            text_length = len(ms.script(script_id).text)
            for a in range(annotations):
                start = (a * text_length) // annotations
                ms.add_annotation(script_id, start, start + 25, f"comment {a}", "AO1")
            ms.set_mark(script_id, "AO1", n % 26)
    return path


def timed_run(command: list[str]) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=120)
    return time.perf_counter() - start


def test_startup_beside_a_bare_window():
    path = make_set()
    exe = str(Path(sys.executable).with_name("essay-marker"))
    bare, ours = [], []
    for _ in range(5):
        bare.append(timed_run([sys.executable, "-c", BARE]))
        ours.append(timed_run([exe, str(path), "--quit-after-show"]))
    b, o = statistics.median(bare), statistics.median(ours)
    report("start-up to a shown window (30-script set)",
           bare_pyside6_window=f"{b * 1000:.0f} ms",
           essay_marker=f"{o * 1000:.0f} ms",
           ratio=f"{o / b:.2f}x (aim <= 1.5x)")


def test_switching_scripts(qtbot):
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow
    from gui.settings import Settings

    path = make_set(count=10)
    window = MainWindow(Settings())
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    window.open_set(path)
    ids = window.script_model.script_ids()
    times = []
    for n in range(40):
        start = time.perf_counter()
        window.select_script(ids[n % len(ids)] if n % 2 else ids[(n + 3) % len(ids)])
        QApplication.processEvents()
        times.append(time.perf_counter() - start)
    window.close()
    report("switch to another 4,500-word script with 30 annotations",
           median=f"{statistics.median(times) * 1000:.1f} ms (aim < 30 ms)",
           worst=f"{max(times) * 1000:.1f} ms")
