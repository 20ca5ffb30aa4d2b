"""The markbook export writes its own sheets out while the similarity check runs, and the
file is the one a plain ``Workbook.save`` writes, part for part."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import Workbook

from rubric.export import export_markbook, markbook_workbook, workbook_save
from tests.core.test_markbook_export_paths import similar_set  # noqa: F401 (a fixture)


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


@pytest.fixture
def busy_set(similar_set):  # noqa: F811
    """The similar set with a second marker's marks (Markers and Moderation sheets, with
    charts) and comparative judgements (its sheet)."""
    ms = similar_set
    ids = ms.script_ids()
    ms.use_marker("Mr Ōno Brontë", "OB", role="moderator")
    for k, script_id in enumerate(ids[:5]):
        ms.set_mark(script_id, "AO1", 9 + k)
    ms.use_marker("Ms Zoë O’Connor", "ZO")
    for winner, loser in [(0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (5, 6), (6, 7), (7, 4),
                          (0, 4), (5, 1)]:
        ms.add_judgement(ids[winner], ids[loser])
    return ms


def test_the_exported_markbook_is_part_for_part_a_plain_save(busy_set, tmp_path):
    """Sheets written out ahead (Marks, Comments, Summary, Markers, Moderation) and sheets
    added after them (Similarity, Comparative judgement): the same parts, byte for byte, as
    openpyxl's own save of the same workbook (the time saved apart)."""
    exported = tmp_path / "exported.xlsx"
    export_markbook(busy_set, exported)
    plain = tmp_path / "plain.xlsx"
    markbook_workbook(busy_set).save(plain)
    ours, theirs = _parts(exported), _parts(plain)
    with zipfile.ZipFile(exported) as package:
        sheets = package.read("xl/workbook.xml").decode()
    for title in ("Marks", "Comments", "Summary", "Markers", "Moderation", "Similarity",
                  "Comparative judgement"):
        assert f'name="{title}"' in sheets
    assert any(name.startswith("xl/charts/") for name in ours)
    assert ours.keys() == theirs.keys()
    for name in ours:
        if name != "docProps/core.xml":   # when it was saved
            assert ours[name] == theirs[name], name


def test_a_sheet_that_changes_after_it_was_written_out_is_refused(tmp_path):
    """Rather than save a sheet without its last cells."""
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "Zoë"
    rendered = workbook_save.render([sheet])
    sheet["A2"] = "added later"
    with open(tmp_path / "book.xlsx", "wb") as target, pytest.raises(RuntimeError,
                                                                     match="changed after"):
        workbook_save.save(workbook, target, rendered)


def test_the_export_waits_for_the_check_only_after_its_own_sheets_are_written(
        busy_set, tmp_path, monkeypatch):
    """The similarity result is asked for once Marks and Comments (most of the save) are
    already XML, so a check running in a fork has that long to finish."""
    from rubric.export import excel, similarity_sheet

    events: list[str] = []
    render, comparison_sheets = excel.render, similarity_sheet.comparison_sheets

    def rendering(sheets):
        events.append("render " + ", ".join(s.title for s in sheets))
        return render(sheets)

    def comparing(*args):
        events.append("compare")
        return comparison_sheets(*args)

    monkeypatch.setattr(excel, "render", rendering)
    monkeypatch.setattr(similarity_sheet, "comparison_sheets", comparing)
    export_markbook(busy_set, tmp_path / "markbook.xlsx")
    assert events == ["render Marks, Comments, Summary, Markers, Moderation", "compare"]
