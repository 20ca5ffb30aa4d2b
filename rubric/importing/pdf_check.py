"""Checking a PDF's bytes before another PDF reader (the GUI's QtPdf) parses them.

A script's stored file may come from someone else's set, so the bytes go through the same
limited child process as an import (see :mod:`rubric.importing.sandbox`): PDFium reads the
whole document there, under the import's time and memory limits, and only bytes it read
without trouble are handed on. A crash, a hang or a memory blow-up happens in the child and
becomes an :class:`~rubric.errors.ImportFailure` with a one-line reason.
"""

from __future__ import annotations

from pathlib import Path

from rubric.importing.model import ImportOptions
from rubric.importing.sandbox import run_child


def check_pdf_bytes(data: bytes, name: str = "script.pdf",
                    options: ImportOptions | None = None) -> None:
    """Return when the sandboxed child reads ``data`` as a PDF within the limits of
    ``options`` (the import's by default); raise :class:`~rubric.errors.ImportFailure`
    (named ``name``, its ``reason`` one line) when it cannot."""
    run_child(Path(name), bytes(data), "pdf", options or ImportOptions(), "PDF")
