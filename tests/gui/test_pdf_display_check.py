"""A scanned script's PDF bytes come from the set file (perhaps a colleague's): they go
through the import's sandboxed child before QtPdf sees them, and a file the child refuses
shows a message instead of the pages."""

from __future__ import annotations

import sqlite3
import sys

import pytest

from rubric.importing import pdf_check, sandbox
from tests.core.hostile_pdfs import GARBAGE, pdf_with_content


def scanned_pdf(path, shade: int):
    from fpdf import FPDF
    from PIL import Image

    image = path.with_suffix(".png")
    Image.new("RGB", (600, 800), (255, 255 - shade, 255)).save(image)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=180)
    pdf.output(str(path))
    return path


@pytest.fixture
def scans(window, tmp_path):
    """Three scanned scripts imported into the set: (good, damaged, bomb) ids. The bytes
    of the second and third are then replaced in the set file, behind the app's back."""
    files = [scanned_pdf(tmp_path / f"{5100 + n}_Scan_Pupil{n}.pdf", 40 * n) for n in range(3)]
    ms = window.marking_set
    outcomes = list(ms.import_files(files))
    assert all(o.imported for o in outcomes), [o.error for o in outcomes]
    good, damaged, bomb = (o.script_id for o in outcomes)
    db = sqlite3.connect(ms.path)
    try:
        db.execute("UPDATE script_sources SET bytes=? WHERE script_id=?", (GARBAGE, damaged))
        db.execute("UPDATE script_sources SET bytes=? WHERE script_id=?",
                   (pdf_with_content(inflated_mb=450), bomb))
        db.commit()
    finally:
        db.close()
    window.script_model.reload()
    return good, damaged, bomb


@pytest.fixture
def checks(monkeypatch):
    """Counts the sandbox checks."""
    calls: list[int] = []
    real = pdf_check.check_pdf_bytes

    def counting(data, *args, **kwargs):
        calls.append(len(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(pdf_check, "check_pdf_bytes", counting)
    return calls


def shows_message(window) -> bool:
    return window.script_message is not None and \
        window.script_stack.currentWidget() is window.script_message


def test_a_damaged_pdf_shows_a_message_and_a_good_one_its_pages(window, qtbot, scans, checks):
    good, damaged, bomb = scans
    window.select_script(damaged)
    qtbot.waitUntil(lambda: shows_message(window), timeout=20_000)
    text = window.script_message.text()
    assert "cannot be shown" in text and "damaged" in text
    assert window.pdf_document.pageCount() == 0   # QtPdf never saw the bytes
    assert window.current_script.id == damaged    # and the script can still be marked
    window.rubric_panel.sections["AO1"].cards[1].chosen.emit("Level 1")
    assert window.marking_set.marks_for(damaged)["AO1"].level == "Level 1"

    window.select_script(bomb)   # inflates past the child's memory limit
    qtbot.waitUntil(lambda: shows_message(window) and window.current_script.id == bomb
                    and "stopped" in window.script_message.text(), timeout=30_000)
    assert window.pdf_document.pageCount() == 0

    window.select_script(good)
    qtbot.waitUntil(lambda: window.pdf_document.pageCount() == 1, timeout=20_000)
    assert window.script_stack.currentWidget() is window.pdf_view
    assert len(checks) == 3

    # coming back is instant: each file's verdict is kept (by the hash of its bytes)
    window.select_script(damaged)
    assert shows_message(window)
    window.select_script(good)
    assert window.script_stack.currentWidget() is window.pdf_view
    qtbot.waitUntil(lambda: window.pdf_document.pageCount() == 1, timeout=10_000)
    assert len(checks) == 3


def test_switching_away_before_the_verdict_never_shows_the_old_pdf(window, qtbot, scans,
                                                                   checks):
    good, damaged, _bomb = scans
    text_script = next(s.id for s in window.marking_set.scripts() if s.has_text)
    window.select_script(good)
    window.select_script(text_script)   # before the check has answered
    qtbot.waitUntil(lambda: not window._pdf_checks, timeout=20_000)
    assert window.script_stack.currentWidget() is window.script_view
    assert window.current_script.id == text_script


def test_a_reader_that_crashes_is_a_message_not_a_crash(window, qtbot, scans, monkeypatch):
    good, _damaged, _bomb = scans
    monkeypatch.setattr(sandbox, "CHILD_COMMAND", [
        sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"])
    window.select_script(good)
    qtbot.waitUntil(lambda: shows_message(window), timeout=20_000)
    assert "stopped" in window.script_message.text()
    assert window.pdf_document.pageCount() == 0
