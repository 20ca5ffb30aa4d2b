"""Exports of a marking set: Word feedback documents, class packs and coursework cover sheets;
the Excel markbook and its CSV; and reading edited marks back in from a markbook.

Every file is written to a temporary file beside the target and replaces it only when
complete (:mod:`rubric.safe_write`): a failure leaves the old file untouched and raises (or,
in a batch, reports) an :class:`~rubric.safe_write.ExportError` naming the file.

Long exports return an :class:`ExportTask`: iterate it for progress
(``for done, total, path in task``), stop and ``task.cancel()`` to cancel, read
``task.report`` for the files written and failed. Each has a plain wrapper that runs it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_WHERE = {
    "export_csv": "csvfile",
    "export_markbook": "excel",
    "markbook_workbook": "excel",
    "MarkbookChanges": "markbook_import",
    "MarkbookError": "markbook_import",
    "MarkChange": "markbook_import",
    "RowProblem": "markbook_import",
    "apply_markbook": "markbook_import",
    "read_markbook": "markbook_import",
    "PatternError": "names",
    "ExportProgress": "report",
    "ExportReport": "report",
    "ExportTask": "report",
    "Summary": "stats",
    "level_counts": "stats",
    "summarise": "stats",
    "WordOptions": "word",
    "cover_sheet_document": "word",
    "export_class_pack": "word",
    "export_cover_sheets": "word",
    "export_feedback": "word",
    "export_feedback_folder": "word",
    "feedback_document": "word",
    "iter_export_class_pack": "word",
    "iter_export_cover_sheets": "word",
    "iter_export_feedback_folder": "word",
}

__all__ = [
    "apply_markbook", "cover_sheet_document", "export_class_pack", "export_cover_sheets",
    "export_csv", "export_feedback", "export_feedback_folder", "export_markbook", "ExportError",
    "ExportProgress", "ExportReport", "ExportTask", "feedback_document", "iter_export_class_pack",
    "iter_export_cover_sheets", "iter_export_feedback_folder", "level_counts", "markbook_workbook",
    "MarkbookChanges", "MarkbookError", "MarkChange", "PatternError", "read_markbook",
    "RowProblem", "summarise", "Summary", "WordOptions",
]


def __getattr__(name: str):
    # Imported on first use, so that importing one export does not load python-docx and
    # openpyxl both (worker processes and the app start faster).
    if name == "ExportError":
        from rubric.safe_write import ExportError

        return ExportError
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'rubric.export' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"rubric.export.{module}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from rubric.export.csvfile import export_csv
    from rubric.export.excel import export_markbook, markbook_workbook
    from rubric.export.markbook_import import (
        MarkbookChanges,
        MarkbookError,
        MarkChange,
        RowProblem,
        apply_markbook,
        read_markbook,
    )
    from rubric.export.names import PatternError
    from rubric.export.report import ExportProgress, ExportReport, ExportTask
    from rubric.export.stats import Summary, level_counts, summarise
    from rubric.export.word import (
        WordOptions,
        cover_sheet_document,
        export_class_pack,
        export_cover_sheets,
        export_feedback,
        export_feedback_folder,
        feedback_document,
        iter_export_class_pack,
        iter_export_cover_sheets,
        iter_export_feedback_folder,
    )
    from rubric.safe_write import ExportError
