"""Start-up to the first painted frame (the demo set, and a 30-script set), beside a bare
PySide6 window holding a 4,500-word QTextEdit started the same way; each kind of edit in a
real window on 30, 300 and 1,000-script sets, beside a key into a bare QTextEdit and one
commit; and switching to another 4,500-word script with 30 annotations, beside a bare
QTextEdit given the same text and highlights."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rubric.importing.model import Paragraph, ScriptDraft
from rubric.store import MarkingSet
from rubric.store.library import new_set
from rubric.templates import default_scheme

from .bench_core import WORDS
from .conftest import report

# A bare PySide6 window holding one 4,500-word script in a QTextEdit, quitting once its first
# frame is painted (the rule essay-marker --quit-after-show follows).
BARE = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTextEdit
app = QApplication(sys.argv)
window = QMainWindow()
editor = QTextEdit()
words = WORDS
editor.setPlainText("\\n\\n".join(" ".join(words[(p * 150 + w) % len(words)]
                                        for w in range(150)) + "." for p in range(30)))
window.setCentralWidget(editor)
window.resize(1440, 900)


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and getattr(watched, "window", None) and \\
                watched.window() is window:
            app.removeEventFilter(self)
            QTimer.singleShot(0, app.quit)
        return False


watcher = FirstPaint(window)
app.installEventFilter(watcher)
window.show()
app.exec()
""".replace("words = WORDS", f"words = {list(WORDS)!r}")


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


def timed_run(command: list[str], env: dict[str, str] | None = None) -> float:
    env = dict(env or os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=120)
    return time.perf_counter() - start


def startup_env(bytecode: Path | None) -> dict[str, str]:
    """The environment for a timed start: with ``bytecode``, compiled modules are cached in
    that folder as an installed app's are (this machine sets PYTHONDONTWRITEBYTECODE, which
    makes every start compile the app's own modules again); without, as they are here.
    Qt paints on the main thread in every process (the app's setting, given to the bare
    window too: it is the quicker way for both)."""
    env = dict(os.environ, QT_NO_GUI_THREADPOOL="1")
    if bytecode is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


STARTS = 10


def test_startup_beside_a_bare_window(tmp_path):
    """Time to the first painted frame (and to the first script laid out) of the demo set
    and of a 30-script set, beside a bare window with a 4,500-word QTextEdit; medians of
    separate processes, interleaved so that the machine's noise falls on all alike."""
    path = make_set()
    exe = str(Path(sys.executable).with_name("essay-marker"))
    commands = {
        "bare": [sys.executable, "-c", BARE],
        "demo": [exe, "--demo", "--quit-after-show"],
        "demo_ready": [exe, "--demo", "--quit-after-ready"],
        "set30": [exe, str(path), "--quit-after-show"],
        "set30_ready": [exe, str(path), "--quit-after-ready"],
    }
    for label, bytecode in (("bytecode cached, as installed", tmp_path / "pycache"),
                            ("PYTHONDONTWRITEBYTECODE=1, as on this machine (bytecode only where dev.sh compiled it)", None)):
        env = startup_env(bytecode)
        for command in commands.values():   # builds the demo set, fills the cache
            timed_run(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(STARTS):
            for name, command in commands.items():
                times[name].append(timed_run(command, env))
        median = {name: statistics.median(values) for name, values in times.items()}
        bare = median["bare"]
        row = {name: f"{value * 1000:.0f} ms ({value / bare:.2f}x)"
               for name, value in median.items()}
        report(f"start-up to a shown window, {label} (median of {STARTS})",
               bare_window_with_4500_words=f"{bare * 1000:.0f} ms",
               demo_first_frame=row["demo"] + " (aim <= 2x)",
               demo_first_script_laid_out=row["demo_ready"],
               set30_first_frame=row["set30"],
               set30_first_script_laid_out=row["set30_ready"])


# -- edits at 30 / 300 / 1,000 scripts, and switching, beside their floors ----------------
# Text that looks like real essays (curly quotes, dashes, accents; headings, quotations and
# a footnote), sets built through the core in one atomic() block so that a 1,000-script
# set takes seconds to make.

EDIT_COUNTS = (30, 300, 1000)
KEYSTROKES = 40


def essay_paragraphs(words: int, seed: int) -> list[Paragraph]:
    from tests.core.pdfcorpus import QUESTION, essay_text

    body = essay_text(words, seed=seed)
    paragraphs = [Paragraph("Introduction", "heading")]
    for number, text in enumerate(body):
        if number and number % 6 == 0:
            paragraphs.append(Paragraph(f"Section {number // 6}", "heading"))
        paragraphs.append(Paragraph(text, "quote" if number % 5 == 3 else "body"))
    paragraphs.append(Paragraph(f"¹ See the question: {QUESTION}", "footnote"))
    return paragraphs


def realistic_draft(n: int, paragraphs: list[Paragraph], words: int) -> ScriptDraft:
    return ScriptDraft(path=Path(f"{7000 + n}_Élève_{n}.docx"), format="docx",
                       paragraphs=paragraphs, title="‘…’ Assess the validity of this view.",
                       candidate_name=f"Zoë Brontë {n}", candidate_number=str(7000 + n),
                       word_count=words, coursework_word_count=words,
                       source_bytes=f"realistic {n}".encode())


def realistic_set(count: int, words: int = 1500, annotations: int = 5) -> Path:
    """``count`` scripts, two thirds with a mark, a quarter with comments, every one with
    ``annotations`` annotations: all inserted in one transaction."""
    pool = [essay_paragraphs(words, seed) for seed in range(min(count, 12))]
    path = new_set(f"Bench {count} realistic", default_scheme())
    with MarkingSet.open(path) as ms, ms.atomic():
        for n in range(count):
            script_id = ms.add_script(realistic_draft(n, pool[n % len(pool)], words)).created
            length = len(ms.script(script_id).text)
            for a in range(annotations):
                start = (a * length) // max(annotations, 1) + 7
                ms.add_annotation(script_id, start, start + 40, f"comment {a} — “good”", "AO1")
            if n % 3:
                ms.set_mark(script_id, "AO1", n % 26)
            if n % 4 == 0:
                ms.set_comments(script_id, www="Clear judgement – well supported.")
    return path


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def settle() -> None:
    """Let every window finish what it has pending, so that a timed step pays for its own
    work alone (several windows are open at once)."""
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.processEvents()


class KeyAndCommitFloor:
    """A key into a bare, shown QTextEdit and one SQLite commit (WAL, synchronous=FULL) of
    its text: the least a saved keystroke can cost."""

    def __init__(self, qtbot, folder: Path):
        import sqlite3

        from PySide6.QtWidgets import QTextEdit

        self.edit = QTextEdit()
        qtbot.addWidget(self.edit)
        self.edit.resize(400, 120)
        self.edit.show()
        qtbot.waitExposed(self.edit)
        self.db = sqlite3.connect(folder / "floor.db", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, text TEXT)")
        self.db.execute("INSERT OR REPLACE INTO t(id, text) VALUES (1, '')")

    def step(self, n: int) -> float:
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        settle()
        start = time.perf_counter()
        QTest.keyClicks(self.edit, "ab "[n % 3])
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("UPDATE t SET text=? WHERE id=1", (self.edit.toPlainText(),))
        self.db.execute("COMMIT")
        QApplication.processEvents()
        QApplication.processEvents()
        return time.perf_counter() - start


def _open_window(qtbot, path: Path):
    from tests.gui.windows import open_window

    window = open_window(qtbot, path, ask_marker=False)   # as the set's teacher, no dialog
    window.activateWindow()
    return window


EDITS = ("keystroke", "level", "mark", "annotation")


class EditingWindow:
    """A real window on a set, showing a marked script, its WWW box ready for typing."""

    def __init__(self, qtbot, path: Path):
        from PySide6.QtGui import QTextCursor
        from PySide6.QtWidgets import QApplication

        self.window = window = _open_window(qtbot, path)
        QApplication.processEvents()
        self.script_id = window.script_model.script_ids()[1]   # one with a mark
        window.select_script(self.script_id)
        QApplication.processEvents()
        self.www = window.rubric_panel.comment_edits["www"]
        self.www.moveCursor(QTextCursor.MoveOperation.End)
        window.rubric_panel.current_criterion = "AO1"
        self.length = len(window.current_script.text)

    def step(self, what: str, n: int) -> float:
        """One edit through the window, painted: seconds."""
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        window = self.window
        begin = (n * 997) % (self.length - 60)
        settle()
        start = time.perf_counter()
        if what == "keystroke":
            QTest.keyClicks(self.www, "ab "[n % 3])
        elif what == "level":
            window.choose_level(3 + n % 2)
        elif what == "mark":
            window._mark_chosen("AO1", 16 + n % 4)
        else:
            window.session.add_annotation(self.script_id, begin, begin + 30, f"note {n}",
                                          "AO1")
        QApplication.processEvents()
        QApplication.processEvents()   # and what the first pass posted
        return time.perf_counter() - start


@pytest.mark.timeout(1800)
def test_edits_flat_from_30_to_1000_scripts(qtbot, tmp_path):
    """Each kind of edit in a real window on 30, 300 and 1,000-script sets, beside the
    key-and-commit floor; the sets and the floor take turns edit by edit, so the machine's
    noise falls on all alike."""
    windows = {count: EditingWindow(qtbot, realistic_set(count)) for count in EDIT_COUNTS}
    floor = KeyAndCommitFloor(qtbot, tmp_path)
    floors: list[float] = []
    times = {(what, count): [] for what in EDITS for count in EDIT_COUNTS}
    for what in EDITS:
        for n in range(KEYSTROKES if what != "annotation" else 12):
            floors.append(floor.step(n))
            for count, editing in windows.items():
                times[what, count].append(editing.step(what, n))
    base = _median_ms(floors)
    for what in EDITS:
        ms = {count: _median_ms(times[what, count]) for count in EDIT_COUNTS}
        report(f"one edit in the window: {what} (1,500-word scripts; median)",
               floor_key_and_commit=f"{base:.1f} ms (bare QTextEdit key + one WAL FULL commit)",
               **{f"{count}_scripts": f"{ms[count]:.1f} ms ({ms[count] / base:.1f}x)"
                  for count in EDIT_COUNTS},
               flat=f"{ms[1000] / ms[30]:.2f}x from 30 to 1,000 (aim: < 16 ms at 1,000, flat)")
    for editing in windows.values():
        editing.window.close()


def _floor_document(edit, script, annotations, font) -> None:
    """What a bare QTextEdit needs to show the same text with the same highlights: one
    insertText for the whole text, one merged format per highlight, and the document's
    width set before it is shown (else QTextEdit lays it out at no width first, then at
    the viewport's: the script view does the same, so the floor does too)."""
    import shiboken6
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument

    document = QTextDocument(edit)
    document.setDefaultFont(font)
    cursor = QTextCursor(document)
    cursor.insertText(script.text)
    shade = QTextCharFormat()
    shade.setBackground(QColor(255, 214, 102, 150))
    for annotation in annotations:
        cursor.setPosition(annotation.start)
        cursor.setPosition(annotation.end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(shade)
    document.setPageSize(QSizeF(edit.viewport().width(), -1))
    previous = edit.document()
    mine = previous.parent() is edit
    edit.setDocument(document)
    if mine:   # as the script view does: the document replaced is deleted
        shiboken6.delete(previous)


def finish_layouts(*edits) -> None:
    """Lay out the rest of each editor's document now. Qt lays out what is in sight first
    and the rest in idle time, by timer: without this, a timed step would also pay for the
    layout the step before it left (the floor's, or the app's), and each would be charged
    for the other's work."""
    for edit in edits:
        document = edit.document()
        document.documentLayout().blockBoundingRect(document.lastBlock())


def _switching_window_and_floor(qtbot):
    """A window on ten 4,500-word scripts with 30 annotations each, and a bare read-only
    QTextEdit of the script view's size beside it; with each script and its annotations,
    read once (in the list's order)."""
    from PySide6.QtWidgets import QApplication, QTextEdit

    path = realistic_set(10, words=4500, annotations=30)
    window = _open_window(qtbot, path)
    QApplication.processEvents()
    ms = window.marking_set
    ids = window.script_model.script_ids()
    scripts = {i: ms.script(i) for i in ids}
    annotations = {i: ms.annotations(i) for i in ids}
    view = window.script_view
    bare = QTextEdit()
    qtbot.addWidget(bare)
    bare.setReadOnly(True)
    bare.resize(view.width(), view.height())
    bare.show()
    qtbot.waitExposed(bare)
    return window, bare, scripts, annotations


def test_switching_realistic_scripts_beside_a_bare_text_edit(qtbot):
    """Switch between 4,500-word scripts (curly quotes, dashes, accents, headings and
    quotations) with 30 annotations each, beside a bare QTextEdit of the same size and
    font given the same text and highlights, in the same run."""
    from PySide6.QtWidgets import QApplication

    from gui.panels.script_view import REST_AFTER_MS

    window, bare, scripts, annotations = _switching_window_and_floor(qtbot)
    ids = list(scripts)
    view = window.script_view
    font = view.document().defaultFont()
    floor, ours, view_alone, rest = [], [], [], []
    for n in range(64):
        script_id = ids[(n * 3) % len(ids)]
        other = ids[(n * 3 + 1) % len(ids)]
        finish_layouts(view, bare)   # each timed step starts quiet, every text laid out
        settle()   # the script view alone (what it adds to the floor), on another script
        start = time.perf_counter()
        view.show_script(scripts[other], annotations[other])
        QApplication.processEvents()
        QApplication.processEvents()
        view_alone.append(time.perf_counter() - start)
        finish_layouts(view, bare)
        settle()
        start = time.perf_counter()
        _floor_document(bare, scripts[script_id], annotations[script_id], font)
        QApplication.processEvents()
        QApplication.processEvents()
        floor.append(time.perf_counter() - start)
        finish_layouts(view, bare)
        settle()
        start = time.perf_counter()
        window.select_script(script_id)
        QApplication.processEvents()
        QApplication.processEvents()
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()   # what comes a moment later: the text below the first
        view.load_rest()              # screen (see ScriptView.show_script), painted
        QApplication.processEvents()
        QApplication.processEvents()
        rest.append(time.perf_counter() - start)
    window.close()
    floor, ours, view_alone, rest = floor[4:], ours[4:], view_alone[4:], rest[4:]
    f, o, v = _median_ms(floor), _median_ms(ours), _median_ms(view_alone)
    paired = statistics.median(a / b for a, b in zip(ours, floor, strict=True))
    report("switch to another 4,500-word script, 30 annotations (realistic text; median)",
           bare_text_edit_same_text=f"{f:.1f} ms",
           essay_marker=f"{o:.1f} ms (worst {max(ours) * 1000:.1f} ms)",
           ratio=f"{o / f:.2f}x; median of paired ratios {paired:.2f}x (aim: under 1.3x)",
           script_view_alone=f"{v:.1f} ms ({v / f:.2f}x): the rest of a switch is the "
                             "other panels (annotation list, rubric, script list)",
           rest_of_the_text=f"{_median_ms(rest):.1f} ms, {REST_AFTER_MS} ms after the switch "
                            "(or when the reader needs it), not in the times above")


def test_switching_without_each_panel(qtbot, monkeypatch):
    """Informational: what each panel adds to a switch, found by leaving it out (its update
    replaced by nothing), beside the same bare QTextEdit floor; the variants and the floor
    take turns, switch by switch."""
    from PySide6.QtWidgets import QApplication

    window, bare, scripts, annotations = _switching_window_and_floor(qtbot)
    ids = list(scripts)
    view = window.script_view
    font = view.document().defaultFont()
    rubric, listing = window.rubric_panel, window.annotation_panel
    nothing = lambda *args: None  # noqa: E731
    left_out = {
        "whole window": {},
        "without the rubric panel": {(rubric, "show_script"): nothing},
        "without its marks (levels, mark box)": {(rubric, "show_marks"): nothing},
        "without its comment boxes": {(rubric, "show_comments"): nothing},
        "without the annotation list": {(listing.model, "set_annotations"): nothing,
                                        (window, "_lay_out_now"): nothing},
        "without rubric and annotation list": {(rubric, "show_script"): nothing,
                                               (listing.model, "set_annotations"): nothing,
                                               (window, "_lay_out_now"): nothing},
    }
    times: dict[str, list[float]] = {name: [] for name in ["floor", *left_out]}
    step = 0
    for _ in range(24):
        for name in times:
            step += 1
            script_id = ids[(step * 3) % len(ids)]
            finish_layouts(view, bare)
            settle()
            with monkeypatch.context() as patch:
                for (owner, attribute), replacement in left_out.get(name, {}).items():
                    patch.setattr(owner, attribute, replacement)
                start = time.perf_counter()
                if name == "floor":
                    _floor_document(bare, scripts[script_id], annotations[script_id], font)
                else:
                    window.select_script(script_id)
                QApplication.processEvents()
                QApplication.processEvents()
                times[name].append(time.perf_counter() - start)
    window.close()
    f = _median_ms(times.pop("floor")[2:])
    whole = _median_ms(times["whole window"][2:])
    rows = {}
    for name, values in times.items():
        m = _median_ms(values[2:])
        rows[name] = f"{m:.1f} ms ({m / f:.2f}x the floor; {whole - m:+.1f} ms)" \
            if name != "whole window" else f"{m:.1f} ms ({m / f:.2f}x the floor)"
    report("switch, each panel left out in turn (informational; median)",
           bare_text_edit_same_text=f"{f:.1f} ms", **rows)
