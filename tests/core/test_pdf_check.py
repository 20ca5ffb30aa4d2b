"""check_pdf_bytes: a PDF from a set goes through the import's sandboxed child before any
other reader (the GUI's QtPdf) sees it."""

from __future__ import annotations

import sys

import pytest

from rubric.errors import ImportFailure
from rubric.importing import sandbox
from rubric.importing.pdf_check import check_pdf_bytes

try:
    from tests.core.hostile_pdfs import GARBAGE, pdf_with_content
except ImportError:  # run from inside tests/core
    from hostile_pdfs import GARBAGE, pdf_with_content


def test_a_good_pdf_passes():
    check_pdf_bytes(pdf_with_content(b"0 0 m 100 100 l S"))


def test_garbage_with_a_pdf_header_is_refused_with_a_one_line_reason():
    with pytest.raises(ImportFailure) as caught:
        check_pdf_bytes(GARBAGE, "4017_Scan.pdf")
    assert caught.value.path.name == "4017_Scan.pdf"
    assert "damaged" in caught.value.reason and "\n" not in str(caught.value)


def test_a_compression_bomb_is_refused_by_the_memory_limit():
    with pytest.raises(ImportFailure) as caught:
        check_pdf_bytes(pdf_with_content(inflated_mb=450))
    assert "stopped" in caught.value.reason or "memory" in caught.value.reason


def test_a_crashing_reader_is_a_refusal(monkeypatch):
    monkeypatch.setattr(sandbox, "CHILD_COMMAND", [
        sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"])
    with pytest.raises(ImportFailure) as caught:
        check_pdf_bytes(pdf_with_content(b""))
    assert "stopped" in caught.value.reason
