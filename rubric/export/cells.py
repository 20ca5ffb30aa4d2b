"""Cleaning text before it goes into a Word document, a spreadsheet cell or a CSV field.

* Word (python-docx / lxml) refuses characters that XML 1.0 cannot hold (control characters,
  lone surrogates, U+FFFE/U+FFFF) with a ``ValueError``: :func:`clean_text` removes them.
* A spreadsheet cell refuses the same control characters (openpyxl raises
  ``IllegalCharacterError``) and holds at most 32,767 characters (Excel counts UTF-16 code
  units); openpyxl would cut longer text silently. :func:`sheet_text` removes the characters
  and cuts long text *visibly* ("… [cut: N characters]"), returning how much it cut so the
  caller can warn.
* Formula protection. In the workbook every text cell is stored as a string (data type ``s``,
  plus ``quotePrefix`` when it starts with ``= + - @``), so it is never a formula. A CSV file
  has no types, so :func:`csv_field` puts an apostrophe before text that starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: spreadsheet programs then show it as
  text instead of running it (the OWASP advice against "CSV injection"). The apostrophe is
  visible in a text editor; Excel and LibreOffice hide it when they open the file.
"""

from __future__ import annotations

import re

#: Characters XML 1.0 cannot hold (so neither a .docx nor an .xlsx can).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: What openpyxl refuses in a cell (its ILLEGAL_CHARACTERS_RE) plus what XML cannot hold.
_NOT_IN_SHEET = _NOT_XML

#: Most characters (UTF-16 code units, as Excel counts) one spreadsheet cell can hold.
CELL_LIMIT = 32_767

FORMULA_STARTS = ("=", "+", "-", "@")
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(text: object) -> str:
    """Text safe for python-docx: line ends made ``\\n``, characters XML cannot hold removed.

    A vertical tab (Word's manual line break in pasted text) becomes a line break; a form
    feed becomes nothing.
    """
    if text is None:
        return ""
    value = str(text)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\x0b" in value:
        value = value.replace("\x0b", "\n")
    return _NOT_XML.sub("", value)


def utf16_length(text: str) -> int:
    """Length as Excel counts it (characters outside the BMP count twice)."""
    if not text or max(text) < "\U00010000":  # the usual case, answered in C
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def cut_marker(removed: int) -> str:
    return f"… [cut: {removed:,} characters]"


def sheet_text(text: object, limit: int = CELL_LIMIT) -> tuple[str, int]:
    """``(text fit for one cell, number of characters cut)``.

    Removes characters a spreadsheet cannot hold and, when the rest is longer than ``limit``,
    keeps the start and ends with ``… [cut: N characters]`` so nobody mistakes it for the
    whole text.
    """
    value = _NOT_IN_SHEET.sub("", "" if text is None else str(text))
    if "\r\n" in value:
        value = value.replace("\r\n", "\n")
    if value[:1].isspace() or value[-1:].isspace():
        # white space at either end makes openpyxl write xml:space="preserve" on the cell's
        # text, which the ECMA-376 schema does not allow (Excel may "repair" the file)
        value = value.strip()
    if 2 * len(value) <= limit or utf16_length(value) <= limit:
        return value, 0
    # Find the longest prefix that leaves room for the marker (the marker's digit count
    # depends on how much is cut, so allow for the longest possible marker first).
    room = limit - utf16_length(cut_marker(len(value)))
    keep, units = 0, 0
    for ch in value:
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > room:
            break
        units += width
        keep += 1
    removed = len(value) - keep
    return value[:keep] + cut_marker(removed), removed


def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet treat this text as a formula if it were typed in?"""
    return text.startswith(FORMULA_STARTS)


def csv_field(value: object) -> object:
    """A CSV field: numbers unchanged; text cleaned and, when it could run as a formula,
    prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(CSV_FORMULA_STARTS):
        return "'" + text
    return text


def file_name_part(text: str) -> str:
    """``text`` with control characters removed and white space collapsed (for file names)."""
    return " ".join(_NOT_XML.sub("", text).split())
