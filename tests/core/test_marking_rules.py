"""The marking rules (rubric/marking.py) and the one total every layer shows: after a
criterion is renamed or removed, its old marks stay flagged but are never summed."""

from __future__ import annotations

import pytest

from rubric import marking
from rubric.errors import MarkError
from rubric.export import export_markbook
from rubric.export.snapshot import SetSnapshot
from rubric.ids import ScriptId
from rubric.record import replace
from rubric.store import MarkingSet


def test_levels_are_read_as_teachers_type_them(essay_scheme):
    ao1 = essay_scheme.criteria[0]
    for typed in ("4", "L4", "Level 4", "level 4", "LEVEL 4", " l4 "):
        assert marking.parse_level(ao1, typed).label == "Level 4"
    # by number, not position: Level 0 exists in this scheme, so "1" is Level 1
    assert marking.parse_level(ao1, "1").label == "Level 1"
    assert marking.parse_level(ao1, "0").label == "Level 0"
    assert marking.parse_level(ao1, "9") is None
    assert marking.check_mark(ao1, 18, "L4") == "Level 4"
    with pytest.raises(MarkError, match="outside Level 4"):
        marking.check_mark(ao1, 12, "4")
    assert marking.find_criterion(essay_scheme, "ao1") is ao1


def test_choosing_a_level_keeps_or_waits(essay_scheme):
    ao1 = essay_scheme.criteria[0]
    level4, level0 = ao1.level("Level 4"), ao1.level("Level 0")
    assert marking.mark_after_level_change(level4, 18) == 18
    assert marking.mark_after_level_change(level4, 12) is None
    assert marking.mark_after_level_change(level0, 12) == 0


@pytest.fixture
def nea_set(tmp_path, nea_scheme, make_draft):
    ms = MarkingSet.create(tmp_path / "nea.markset", "NEA", nea_scheme)
    ms.add_script(make_draft())
    ms.set_mark(ScriptId(1), "AO1", 16)
    ms.set_mark(ScriptId(1), "AO2", 8)
    ms.set_mark(ScriptId(1), "AO3", 9)
    yield ms
    ms.close()


def test_a_renamed_criterion_is_never_summed(nea_set, tmp_path):
    scheme = nea_set.scheme
    renamed = tuple(replace(c, name="AO3 (interpretations)") if c.name == "AO3" else c
                    for c in scheme.criteria)
    nea_set.update_scheme(replace(scheme, criteria=renamed))
    # the old AO3 mark stays, flagged; the new criterion has no mark yet
    assert nea_set.marks_for(ScriptId(1))["AO3"].needs_review
    assert nea_set.total(ScriptId(1)) == 24                     # not 33, never 50/40
    snapshot = SetSnapshot(nea_set)
    assert snapshot.shown_total(ScriptId(1)) == 24
    assert any("AO3" in w and "not counted" in w for w in snapshot.mark_warnings(ScriptId(1)))
    # a new mark for the renamed criterion counts
    nea_set.set_mark(ScriptId(1), "AO3 (interpretations)", 7)
    assert nea_set.total(ScriptId(1)) == 31


def test_a_removed_criterion_shows_in_the_markbook_warnings_not_the_total(nea_set, tmp_path):
    from openpyxl import load_workbook

    scheme = nea_set.scheme
    kept = tuple(c for c in scheme.criteria if c.name != "AO2")
    nea_set.update_scheme(replace(scheme, criteria=kept, total=scheme.total - 10))
    assert nea_set.total(ScriptId(1)) == 25
    out = tmp_path / "markbook.xlsx"
    export_markbook(nea_set, out)
    sheet = load_workbook(out)["Marks"]
    headers = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[headers.index("Total")] == 25
    assert row[headers.index("Percentage")] == pytest.approx(25 / 30)
    warnings = row[headers.index("Warnings")]
    assert "AO2" in warnings and "not counted" in warnings


def test_a_lowered_maximum_leaves_the_old_mark_out_of_the_total(nea_set):
    scheme = nea_set.scheme
    ao1 = scheme.criteria[0]
    levels = [lv for lv in ao1.levels if lv.max_mark <= 10]
    top = levels[-1]
    levels[-1] = replace(top, max_mark=10)
    smaller = replace(ao1, maximum=10, levels=tuple(levels))
    criteria = (smaller, *scheme.criteria[1:])
    nea_set.update_scheme(replace(scheme, criteria=criteria, total=30))
    assert nea_set.total(ScriptId(1)) == 17                     # 8 + 9: the 16 is out of range
    assert "outside 0–10" in marking.misfit(nea_set.scheme, nea_set.marks_for(ScriptId(1))["AO1"])
