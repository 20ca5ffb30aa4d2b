"""The markbook export's quick paths: text cells hold exactly what :func:`sheet_text` makes of
their values (most are recognised without it); the export pauses Python's garbage collector
while it builds and saves the workbook and leaves it as it found it, also when it fails; an
error in the similarity check reaches the caller and leaves no file."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from rubric.export import export_markbook
from rubric.export.cells import CELL_LIMIT, sheet_text
from rubric.export.excel import SheetWriter, _named_styles
from rubric.importing.model import Paragraph, ScriptDraft
from rubric.store import MarkingSet
from rubric.templates import template
from tests.core.essay_text import QUESTION, essay
from tests.core.test_similarity import PLANTED


@pytest.fixture
def similar_set(tmp_path):
    """Eight generated essays, marked; 2 and 5 share PLANTED."""
    ms = MarkingSet.create(tmp_path / "similar.markset", "12C", template("aqa-history-essay-25"))
    ms.use_marker("Ms Zoë O’Connor", "ZO")
    for n in range(8):
        paragraphs = [Paragraph(QUESTION, "heading")] + [Paragraph(t) for t in essay(300 + n, 400)]
        if n in (2, 5):
            paragraphs.insert(2 + n // 2, Paragraph(PLANTED))
        script_id = ms.add_script(ScriptDraft(
            path=Path(f"{n}.docx"), format="docx", paragraphs=paragraphs, title=QUESTION,
            candidate_name=f"Pupil {n}", candidate_number=str(5000 + n), word_count=400,
            coursework_word_count=400, source_bytes=f"pupil {n}".encode())).created
        ms.set_mark(script_id, "AO1", 10 + n)
    yield ms
    ms.close()


def test_text_cells_hold_what_sheet_text_gives():
    """The writer's quick path (nothing to remove, strip or cut) and sheet_text agree on
    every kind of value, and a formula-like text keeps its quote prefix."""
    workbook = Workbook()
    for style in _named_styles():
        workbook.add_named_style(style)
    warnings: list[str] = []
    writer = SheetWriter(workbook.active, warnings)
    values = ["Zoë Brontë", " leading", "trailing ", "\ttab", "two\nlines", "a\r\nb", "ctl\x01x",
              "=SUM(A1)", "+44 7700", "-1", "@home", "#N/A", "é" * (CELL_LIMIT // 2),
              "é" * (CELL_LIMIT // 2 + 1), "x" * (CELL_LIMIT + 10), "\u2028sep", "nbsp\u00a0",
              "😀" * 20_000, 42, 3.5, None, "", "\ud800 surrogate"]
    cut = 0
    for row, value in enumerate(values, start=1):
        expected, removed = sheet_text(value)
        cut += bool(removed)
        assert writer.text(row, 1, value) == expected
        cell = workbook.active.cell(row=row, column=1)
        assert (cell.value, cell.data_type) == (expected, "s")
        assert bool(cell.quotePrefix) == expected.startswith(("=", "+", "-", "@"))
        assert cell.style == "EM Text"
    assert len(warnings) == cut == 2


@pytest.mark.parametrize("enabled", [True, False])
def test_the_export_leaves_the_garbage_collector_as_it_found_it(similar_set, tmp_path,
                                                                monkeypatch, enabled):
    import rubric.export.excel

    paused: list[bool] = []
    summary_sheet = rubric.export.excel._summary_sheet

    def watched(*args):
        paused.append(not gc.isenabled())
        summary_sheet(*args)

    monkeypatch.setattr(rubric.export.excel, "_summary_sheet", watched)
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        export_markbook(similar_set, tmp_path / "markbook.xlsx")
        assert paused == [True] and gc.isenabled() is enabled
        assert "Similarity" in load_workbook(tmp_path / "markbook.xlsx").sheetnames

        def broken(*args):
            raise RuntimeError("broken sheet")

        monkeypatch.setattr(rubric.export.excel, "_comments_sheet", broken)
        with pytest.raises(RuntimeError, match="broken sheet"):  # and when the export fails
            export_markbook(similar_set, tmp_path / "markbook.xlsx")
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()


def test_an_error_in_the_similarity_check_reaches_the_caller_and_writes_no_file(
        similar_set, tmp_path, monkeypatch):
    import rubric.comparing

    def broken(*args, **kwargs):
        raise MemoryError("no room")

    monkeypatch.setattr(rubric.comparing, "find_similar", broken)
    with pytest.raises(MemoryError, match="no room"):
        export_markbook(similar_set, tmp_path / "markbook.xlsx")
    assert not (tmp_path / "markbook.xlsx").exists()


def test_work_started_on_the_listed_scripts_is_stopped_when_reading_the_marks_fails(
        similar_set, monkeypatch):
    from rubric.export.snapshot import SetSnapshot

    events = []

    class Started:
        def close(self):
            events.append("closed")

    def listed(snapshot):
        events.append(("listed", len(snapshot.scripts)))
        return Started()

    def broken():
        raise OSError("disk I/O error")

    monkeypatch.setattr(similar_set, "marks", broken)
    with pytest.raises(OSError, match="disk I/O error"):
        SetSnapshot(similar_set, listed=listed)
    assert events == [("listed", len(similar_set.script_ids())), "closed"]
