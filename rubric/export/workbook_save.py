"""Saving an openpyxl workbook whose first sheets were written out ahead of time.

The markbook's Marks and Comments sheets take most of its save (the Comments sheet alone,
with 3,000 annotations, about 190 ms of 215). While the similarity check runs in a fork of
this process (:mod:`rubric.forked`), this process can write those sheets' XML instead of
waiting for the check: :func:`render` turns finished sheets into their XML now, and
:func:`save` then writes the workbook with that XML where openpyxl would have written the
same, and every sheet added since (the Similarity sheet, which exists only when some pair
of scripts shares passages) the usual way.

The file is the one ``Workbook.save`` writes: :func:`render` does what openpyxl's
``ExcelWriter.write_worksheet`` does before a sheet goes into the archive, and :func:`save`
hands the result over where that method would have put it. Both lean on openpyxl 3.1's
writer (``WorksheetWriter``, ``ExcelWriter.write_worksheet``), which is why the project
pins openpyxl to 3.1; ``tests/core/test_workbook_save.py`` compares every part with a plain
save, so a change there fails the tests rather than a teacher's file.

A rendered sheet must not change before it is saved (its XML would not show the change):
:func:`save` refuses one that has gained cells since.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import BinaryIO
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter


class Rendered:
    """Sheets written out ahead of :func:`save` (see the module's docstring)."""

    def __init__(self) -> None:
        self._sheets: dict[int, tuple[Worksheet, bytes, object, int]] = {}

    def add(self, sheet: Worksheet) -> None:
        """Write ``sheet``'s XML now (as openpyxl's ``write_worksheet`` would on saving)."""
        sheet._drawing = SpreadsheetDrawing()
        sheet._drawing.charts = sheet._charts
        sheet._drawing.images = sheet._images
        writer = WorksheetWriter(sheet, out=BytesIO())
        writer.write()
        self._sheets[id(sheet)] = (sheet, writer.read(), writer._rels, len(sheet._cells))

    def take(self, sheet: Worksheet) -> tuple[bytes, object] | None:
        """The XML and relationships of ``sheet``, if rendered (once)."""
        found = self._sheets.pop(id(sheet), None)
        if found is None:
            return None
        kept, xml, rels, cells = found
        if kept is not sheet or len(sheet._cells) != cells:
            raise RuntimeError(f"sheet {sheet.title!r} changed after it was written out")
        return xml, rels


def render(sheets: list[Worksheet]) -> Rendered:
    """The XML of ``sheets`` (finished: nothing may change in them before :func:`save`)."""
    rendered = Rendered()
    for sheet in sheets:
        rendered.add(sheet)
    return rendered


class _Writer(ExcelWriter):
    """openpyxl's writer, taking a rendered sheet's XML instead of writing it again."""

    def __init__(self, workbook: Workbook, archive: ZipFile, rendered: Rendered) -> None:
        super().__init__(workbook, archive)
        self._rendered = rendered

    def write_worksheet(self, ws: Worksheet) -> None:
        done = self._rendered.take(ws)
        if done is None:
            super().write_worksheet(ws)
            return
        xml, rels = done
        ws._rels = rels
        self._archive.writestr(ws.path[1:], xml)
        self.manifest.append(ws)


def save(workbook: Workbook, target: BinaryIO, rendered: Rendered | None = None) -> None:
    """``workbook.save(target)``, with the sheets in ``rendered`` taken as written."""
    archive = ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True)
    workbook.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
    _Writer(workbook, archive, rendered or Rendered()).save()
