"""The markbook's "Marks" sheet as a CSV file: UTF-8 with a byte-order mark (so Excel reads
the accents right), ``newline=""`` (the csv module writes ``\\r\\n`` itself).

Formula protection: a CSV file has no cell types, so any field that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets an apostrophe in front (``'=SUM(A1)``). Excel
and LibreOffice then show it as text rather than running it; in a text editor the
apostrophe is visible. Numbers (marks, totals, word counts) are written as plain numbers;
the percentage as e.g. ``68%``. Characters a spreadsheet cannot hold are removed and text
over 32,767 characters is cut with a visible marker and a warning, as in the workbook.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rubric.export.cells import csv_field, cut_marker, sheet_text
from rubric.export.markbook_table import markbook_table
from rubric.export.snapshot import SetSnapshot
from rubric.ids import MarkerId
from rubric.safe_write import write_with
from rubric.store import MarkingSet


def _field(value: object, kind: str, where: str, warnings: list[str]) -> object:
    if value is None:
        return ""
    if kind == "percent" and isinstance(value, int | float):
        return f"{round(value * 100)}%"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text, removed = sheet_text(value)
    if removed:
        warnings.append(f"CSV, {where}: the text was too long for a spreadsheet cell and was cut "
                        f"(it ends with “{cut_marker(removed)}”)")
    return csv_field(text)


def export_csv(marking_set: MarkingSet, path: str | Path,
               marker: MarkerId | None = None, which: str = "all") -> list[str]:
    """Write the Marks sheet as CSV atomically; returns warnings (texts that had to be cut).
    ``which``: every script, or only those marked."""
    table = markbook_table(SetSnapshot(marking_set, marker, which))
    warnings: list[str] = []
    rows = [[csv_field(sheet_text(c.header)[0]) for c in table.columns]]
    for row, candidate in zip(table.rows, table.candidates, strict=True):
        rows.append([
            _field(value, column.kind, f"{candidate}, {column.header.lower()}", warnings)
            for column, value in zip(table.columns, row, strict=True)
        ])

    def write(handle) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        try:
            csv.writer(text).writerows(rows)
            text.flush()
        finally:
            text.detach()

    write_with(Path(path), write)
    return warnings
