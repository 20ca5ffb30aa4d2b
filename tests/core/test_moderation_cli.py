"""Moderation from the command line, the markbook and the report: ``stats``, ``sample``,
``adjust`` (with ``--apply`` and ``--undo``), the Moderation sheet and the Word report.

Every figure the commands print is checked against the pure statistics
(:mod:`rubric.moderation`) on the same marks, or against an independent calculation.
"""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import zipfile
from fractions import Fraction
from pathlib import Path

import docx
import openpyxl
import pytest
from PIL import Image
from scipy import stats as scipy_stats

from rubric.cli import main
from rubric.moderation import (
    agreement,
    choose_sample,
    default_tolerance,
    krippendorff_alpha_interval,
    sample_size,
)
from rubric.moderation.service import MarksTable, apply_plan, find_marker, propose
from rubric.store import MarkingSet
from rubric.store.verify import check_set_file
from rubric.templates import template

NAMES = ["Amira Khan", "Daniel Okafor", "Niamh Walsh", "Kacper Nowak", "Zoë Łukasz", "Ben Ode",
         "Chloe Ng", "Dev Patel", "Eve Jones", "Femi Ade", "Grace Li", "Harry Cole", "Isla Reid",
         "Jack Moss", "Kira Lee", "Liam Hart", "Maya Shah", "Noah Finch", "Olivia Birch",
         "Priya Das"]
#: the teacher's marks (out of 25) for the scripts in order: all different, so ranks are clear
TEACHER = [21, 9, 14, 18, 6, 24, 12, 16, 3, 19, 11, 22, 8, 15, 25, 5, 17, 13, 20, 10]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *args: str):
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def make_set(path: Path, make_draft, teacher=TEACHER, moderator=None, scheme_id=None,
             second=None) -> dict:
    """A set with a teacher (Priya Patel, PP), optionally a moderator (Jo Brown, JB) and a
    second marker (Sam Lee, SL). ``moderator``/``second``: {index: mark}. Returns the ids."""
    scheme = template(scheme_id or "aqa-history-essay-25")
    with MarkingSet.create(path, "13B Russia", scheme) as ms:
        ids = [ms.add_script(make_draft(NAMES[i], str(4000 + i), words=80, seed=f"s{i}")).created
               for i in range(len(teacher))]
        ms.use_marker("Priya Patel", "PP", "teacher")
        criterion = scheme.criteria[0].name
        for sid, mark in zip(ids, teacher, strict=True):
            if isinstance(mark, dict):
                for name, value in mark.items():
                    ms.set_mark(sid, name, value)
            else:
                ms.set_mark(sid, criterion, mark)
        for who, marks, role in (("Jo Brown", moderator, "moderator"),
                                 ("Sam Lee", second, "second")):
            if not marks:
                continue
            ms.use_marker(who, None, role)
            for index, mark in marks.items():
                if isinstance(mark, dict):
                    for name, value in mark.items():
                        ms.set_mark(ids[index], name, value)
                else:
                    ms.set_mark(ids[index], criterion, mark)
    return {"ids": ids, "path": path}


def marks_of(path: Path, marker_name: str, criterion: str = "AO1") -> dict[int, int]:
    with MarkingSet.open(path) as ms:
        marker = next(m for m in ms.markers() if m.name == marker_name)
        return {m.script_id: m.mark for m in ms.marks(marker=marker.id)
                if m.criterion == criterion}


def sample_marks(offset) -> dict[int, int]:
    """The moderator's marks on every other script: the teacher's plus ``offset(i)``."""
    return {i: max(0, min(25, TEACHER[i] + offset(i))) for i in range(0, len(TEACHER), 2)}


# -- stats ------------------------------------------------------------------------------


def test_stats_json_figures_are_the_agreement_of_the_same_marks(capsys, tmp_path, make_draft):
    moderator = {0: 19, 1: 10, 2: 11, 3: 18, 5: 20, 7: 15, 9: 17, 12: 9, 14: 24}
    made = make_set(tmp_path / "13B.markset", make_draft, moderator=moderator)
    data = run_json(capsys, "stats", made["path"], "--markers", "pp", "JO BROWN")
    ids = made["ids"]
    teacher = dict(zip(ids, TEACHER, strict=True))
    ours = {ids[i]: mark for i, mark in moderator.items()}
    criterion = template("aqa-history-essay-25").criteria[0]
    expected = agreement(teacher, ours, 25, criterion, None)
    assert data["total"] == json.loads(json.dumps(expected.to_json()))
    assert data["criteria"]["AO1"] == data["total"]
    assert data["total"]["compared"] == len(moderator)
    assert data["a"]["name"] == "Priya Patel" and data["b"]["name"] == "Jo Brown"
    # alpha of the same two columns, missing marks included
    matrix = [[teacher[s], ours.get(s)] for s in ids]
    assert data["alpha"]["total"] == pytest.approx(krippendorff_alpha_interval(matrix))
    # the teacher against the moderator: teacher − moderator on the scripts both marked
    differences = [teacher[s] - ours[s] for s in ours]
    (row,) = data["overview"]
    assert row["marker"] == "Priya Patel" and data["reference"]["name"] == "Jo Brown"
    assert row["mean_difference"] == pytest.approx(sum(differences) / len(differences))
    assert row["out_of_tolerance"] == sum(abs(d) > 3 for d in differences)
    assert isinstance(data["reversals"], list)


def test_stats_flags_a_rank_reversal_beyond_the_tolerance(capsys, tmp_path, make_draft):
    # the teacher puts script 0 (21) far above script 1 (9); the moderator reverses them
    made = make_set(tmp_path / "r.markset", make_draft, moderator={0: 10, 1: 18, 2: 14})
    data = run_json(capsys, "stats", made["path"], "--markers", "Priya Patel", "Jo Brown")
    ids = made["ids"]
    pairs = {(r["higher"], r["lower"]) for r in data["reversals"]}
    assert (ids[0], ids[1]) in pairs
    reversal = next(r for r in data["reversals"] if (r["higher"], r["lower"]) == (ids[0], ids[1]))
    assert reversal["a"] == [21, 9] and reversal["b"] == [10, 18] and reversal["gap"] == 20
    assert reversal["higher_candidate"] == "Amira Khan (4000)"
    code, out, _ = run(capsys, "stats", made["path"], "--markers", "PP", "JB")
    assert code == 0
    assert "Rank order: " in out and "Amira Khan (4000) above Daniel Okafor (4001)" in out


def test_stats_text_is_for_a_head_of_department(capsys, tmp_path, make_draft):
    made = make_set(tmp_path / "t.markset", make_draft,
                    moderator=sample_marks(lambda i: -4 if i % 4 == 0 else -1))
    code, out, err = run(capsys, "stats", made["path"], "--markers", "PP", "JB")
    assert code == 0, err
    for phrase in ("Agreement of Priya Patel (PP, teacher) and Jo Brown (JB, moderator)",
                   "Scripts compared", "Weighted kappa, marks", "Within tolerance",
                   "On average Jo Brown gave", "marks fewer than Priya Patel",
                   "Largest differences", "outside tolerance", "Krippendorff's alpha",
                   "Each marker against the moderator, Jo Brown", "(lenient)"):
        assert phrase in out, phrase


def test_stats_of_three_markers_gives_alpha_pairs_and_the_overview(capsys, tmp_path, make_draft):
    moderator = sample_marks(lambda i: -2)
    second = {i: TEACHER[i] + (1 if i % 3 else -1) for i in range(0, 12)}
    made = make_set(tmp_path / "3.markset", make_draft, moderator=moderator, second=second)
    data = run_json(capsys, "stats", made["path"], "--all")
    assert [m["name"] for m in data["markers"]] == ["Priya Patel", "Sam Lee", "Jo Brown"]
    assert len(data["pairs"]) == 3
    ids = made["ids"]
    columns = [dict(zip(ids, TEACHER, strict=True)),
               {ids[i]: m for i, m in second.items()}, {ids[i]: m for i, m in moderator.items()}]
    matrix = [[c.get(s) for c in columns] for s in ids]
    assert data["alpha"]["total"] == pytest.approx(krippendorff_alpha_interval(matrix))
    assert data["reference"]["name"] == "Jo Brown"
    assert {row["marker"] for row in data["overview"]} == {"Priya Patel", "Sam Lee"}
    # the same with the markers named: Sam Lee against Jo Brown is a pair of its own
    named = run_json(capsys, "stats", made["path"], "--markers", "SL", "JB", "PP")
    assert named["a"]["name"] == "Sam Lee" and named["b"]["name"] == "Jo Brown"
    expected = agreement(columns[1], columns[2], 25, template("aqa-history-essay-25").criteria[0])
    assert named["total"] == json.loads(json.dumps(expected.to_json()))


def test_stats_per_criterion_on_a_coursework_scheme(capsys, tmp_path, make_draft):
    scheme = template("aqa-history-nea-40")
    teacher = [{"AO1": 8 + i % 12, "AO2": 3 + i % 7, "AO3": 2 + i % 8} for i in range(10)]
    moderator = {i: {"AO1": teacher[i]["AO1"] - 2, "AO2": teacher[i]["AO2"],
                     "AO3": max(0, teacher[i]["AO3"] - 1)} for i in range(0, 10, 2)}
    made = make_set(tmp_path / "nea.markset", make_draft, teacher=teacher, moderator=moderator,
                    scheme_id="aqa-history-nea-40")
    data = run_json(capsys, "stats", made["path"], "--markers", "PP", "JB")
    ids = made["ids"]
    assert set(data["criteria"]) == {"AO1", "AO2", "AO3"}
    for criterion in scheme.criteria:
        a = {ids[i]: t[criterion.name] for i, t in enumerate(teacher)}
        b = {ids[i]: m[criterion.name] for i, m in moderator.items()}
        expected = agreement(a, b, criterion.maximum, criterion,
                             default_tolerance(criterion.maximum))
        assert data["criteria"][criterion.name] == json.loads(json.dumps(expected.to_json()))
    totals_a = {ids[i]: sum(t.values()) for i, t in enumerate(teacher)}
    totals_b = {ids[i]: sum(m.values()) for i, m in moderator.items()}
    expected = agreement(totals_a, totals_b, 40, None, None)
    assert data["total"] == json.loads(json.dumps(expected.to_json()))
    assert data["total"]["tolerance"] == 5


def test_stats_names_markers_clearly_or_says_why_not(capsys, tmp_path, make_draft):
    made = make_set(tmp_path / "n.markset", make_draft, moderator={0: 20})
    code, _, err = run(capsys, "stats", made["path"], "--markers", "PP", "Nobody")
    error = [line for line in err.splitlines() if line.startswith("error: ")]
    assert code == 1 and len(error) == 1
    assert "no marker called 'Nobody'" in err and "Jo Brown (JB, moderator)" in err
    code, _, err = run(capsys, "stats", made["path"])
    assert code == 1 and "--markers A B" in err


# -- sample -----------------------------------------------------------------------------


def test_sample_writes_a_pack_of_only_the_sampled_scripts(capsys, tmp_path, make_draft):
    made = make_set(tmp_path / "13B.markset", make_draft)
    out = tmp_path / "to moderator" / "13B sample.markset"
    data = run_json(capsys, "sample", made["path"], "--size", "5", "--out", out)
    ids = made["ids"]
    totals = dict(zip(ids, TEACHER, strict=True))
    chosen = choose_sample(totals, 5)
    assert [row["id"] for row in data["sample"]] == chosen
    assert [row["total"] for row in data["sample"]] == [totals[i] for i in chosen]
    highest, lowest = max(totals, key=totals.get), min(totals, key=totals.get)
    assert highest in chosen and lowest in chosen
    assert data["sample"][0]["candidate"] == "Kira Lee (4014)"  # 25, the highest

    # the pack: a valid set file holding the sampled scripts only, with their marks
    assert check_set_file(out) == "13B Russia"
    copy = tmp_path / "opened.markset"
    shutil.copyfile(out, copy)
    with MarkingSet.open(copy) as pack:
        assert sorted(s.id for s in pack.scripts()) == sorted(chosen)
        assert {m.script_id for m in pack.marks()} == set(chosen)
        assert {pack.total(i) for i in chosen} == {totals[i] for i in chosen}
        assert {e.script_id for e in pack.audit_log(limit=10_000)} - {None} <= set(chosen)
    # no other student's essay survives in the file (secure delete, then VACUUM)
    raw = out.read_bytes()
    for index, name in enumerate(NAMES):
        assert (name.encode() in raw) == (ids[index] in chosen), name
    # the original set is untouched
    with MarkingSet.open(made["path"]) as ms:
        assert len(ms.scripts()) == len(TEACHER)

    # beside it: the sampled scripts' Word feedback and a markbook
    feedback = sorted((out.parent / "13B sample feedback").glob("*.docx"))
    assert len(feedback) == 5
    assert {str(p) for p in feedback} | {str(out), str(out.parent / "13B sample markbook.xlsx")} \
        == set(data["files"])
    assert data["files"][0] == str(out)
    titles = {docx.Document(p).core_properties.title for p in feedback}
    assert "Feedback: Kira Lee (4014)" in titles
    book = openpyxl.load_workbook(out.parent / "13B sample markbook.xlsx")
    numbers = [c.value for c in book["Marks"]["A"][1:] if c.value]
    assert sorted(numbers) == sorted(str(4000 + ids.index(i)) for i in chosen)


def test_sample_rules_and_text(capsys, tmp_path, make_draft):
    made = make_set(tmp_path / "13B.markset", make_draft)
    out = tmp_path / "pack.markset"
    code, text, err = run(capsys, "sample", made["path"], "--rule", "ocr-pearson", "--out", out)
    assert code == 0, err
    assert sample_size(20, "ocr-pearson") == 15
    assert "Moderation sample: 15 of 20 marked scripts (the ocr-pearson rule)" in text
    assert re.search(r"Kira Lee \(4014\)\s+25 ", text) and f"written   {out}" in text
    # an existing pack is never replaced without --force; with it, old feedback goes
    code, _, err = run(capsys, "sample", made["path"], "--size", "3", "--out", out)
    assert code == 1 and "use --force" in err
    data = run_json(capsys, "sample", made["path"], "--size", "3", "--out", out, "--force")
    assert len(data["sample"]) == 3
    assert len(list((tmp_path / "pack feedback").glob("*.docx"))) == 3
    code, _, err = run(capsys, "sample", made["path"], "--size", "3", "--rule", "default",
                       "--out", tmp_path / "x.markset")
    assert code == 1 and "not both" in err


# -- adjust -----------------------------------------------------------------------------


def test_adjust_within_tolerance_proposes_nothing(capsys, tmp_path, make_draft):
    made = make_set(tmp_path / "13B.markset", make_draft,
                    moderator=sample_marks(lambda i: (-3, -1, 0, 2, 3)[i % 5]))
    before = marks_of(made["path"], "Priya Patel")
    data = run_json(capsys, "adjust", made["path"], "--from", "PP", "--to", "JB", "--apply")
    assert data["needed"] is False and data["line"] is None
    assert data["scripts"] == [] and data["applied"] is False
    assert marks_of(made["path"], "Priya Patel") == before
    code, out, _ = run(capsys, "adjust", made["path"], "--from", "PP", "--to", "JB")
    assert code == 0 and "No adjustment is proposed" in out


def _expected_after(before: dict[int, int], sample: dict[int, int]) -> dict[int, int]:
    """Least squares by SciPy, rounded half up and clamped: the independent calculation."""
    keys = sorted(sample)
    fit = scipy_stats.linregress([before[k] for k in keys], [sample[k] for k in keys])
    return {k: min(25, max(0, math.floor(fit.slope * v + fit.intercept + 0.5)))
            for k, v in before.items()}


def test_adjust_proposes_a_line_over_the_sample_and_keeps_the_rank_order(capsys, tmp_path,
                                                                         make_draft):
    moderator = sample_marks(lambda i: -5 if TEACHER[i] > 15 else -2)
    made = make_set(tmp_path / "13B.markset", make_draft, moderator=moderator)
    ids = made["ids"]
    data = run_json(capsys, "adjust", made["path"], "--from", "Priya Patel", "--to", "jo brown")
    assert data["needed"] is True and data["applied"] is False
    keys = sorted(moderator)
    fit = scipy_stats.linregress([TEACHER[k] for k in keys], [moderator[k] for k in keys])
    assert data["line"]["slope"] == pytest.approx(fit.slope)
    assert data["line"]["intercept"] == pytest.approx(fit.intercept)
    before = dict(zip(ids, TEACHER, strict=True))
    expected = _expected_after(before, {ids[k]: v for k, v in moderator.items()})
    rows = {row["id"]: row for row in data["scripts"]}
    assert set(rows) == set(ids)  # ALL the teacher's scripts, not only the sample
    assert {k: r["after"] for k, r in rows.items()} == expected
    assert {k: r["before"] for k, r in rows.items()} == before
    assert rows[ids[0]]["moderator"] == moderator[0] and rows[ids[1]]["moderator"] is None
    assert rows[ids[0]]["candidate"] == "Amira Khan (4000)"
    ordered = sorted(rows.values(), key=lambda r: r["before"])
    assert all(p["after"] <= q["after"] for p, q in zip(ordered, ordered[1:], strict=False))
    assert data["rank_order_kept"] is True
    code, out, _ = run(capsys, "adjust", made["path"], "--from", "PP", "--to", "JB")
    assert "Proposed line (least squares over the sample)" in out and "Not applied" in out
    assert marks_of(made["path"], "Priya Patel") == before  # nothing written without --apply


def test_adjust_apply_is_one_audited_step_and_undo_brings_the_marks_back(capsys, tmp_path,
                                                                         make_draft):
    moderator = sample_marks(lambda i: -4)
    made = make_set(tmp_path / "13B.markset", make_draft, moderator=moderator)
    path, ids = made["path"], made["ids"]
    original = marks_of(path, "Priya Patel")
    data = run_json(capsys, "adjust", path, "--from", "PP", "--to", "JB", "--apply")
    assert data["applied"] is True and Path(data["backup"]).is_file()
    assert "before-adjustment" in Path(data["backup"]).name
    adjusted = {row["id"]: row["after"] for row in data["scripts"]}
    assert marks_of(path, "Priya Patel") == adjusted != original
    assert marks_of(path, "Jo Brown") == {ids[i]: m for i, m in moderator.items()}

    with MarkingSet.open(path) as ms:
        log = sorted(ms.audit_log(limit=10_000), key=lambda e: e.id)
    (entry,) = [e for e in log if e.action == "moderation adjustment"]
    assert {"slope", "intercept", "criterion", "from", "to"} <= set(entry.new)
    assert entry.new["from"] == "Priya Patel" and entry.new["to"] == "Jo Brown"
    assert entry.new["criterion"] == "AO1"
    assert entry.new["slope"] == pytest.approx(data["line"]["slope"])
    block = [e for e in log if e.id > entry.id]
    changed = [k for k in ids if adjusted[k] != original[k]]
    assert [e.action for e in block] == ["set mark"] * len(changed)
    assert {e.script_id: (e.old["mark"], e.new["mark"]) for e in block} == \
        {k: (original[k], adjusted[k]) for k in changed}  # the old marks stay in the log

    text = run(capsys, "adjust", path, "--undo")[1]
    assert "marks restored" in text and "Amira Khan (4000) AO1" in text
    assert marks_of(path, "Priya Patel") == original
    code, _, err = run(capsys, "adjust", path, "--undo")
    assert code == 1 and "no moderation adjustment to undo" in err

    # the other way back: restoring the backup taken before the adjustment
    run_json(capsys, "adjust", path, "--from", "PP", "--to", "JB", "--apply")
    backup = next(p for p in sorted(Path(data["backup"]).parent.glob("*before-adjustment*"))
                  if p.name != Path(data["backup"]).name)
    assert run(capsys, "restore", path, backup)[0] == 0
    assert marks_of(path, "Priya Patel") == original


def test_apply_is_all_or_nothing(tmp_path, make_draft, monkeypatch):
    made = make_set(tmp_path / "13B.markset", make_draft, moderator=sample_marks(lambda i: -4))
    original = marks_of(made["path"], "Priya Patel")
    with MarkingSet.open(made["path"]) as ms:
        table = MarksTable.from_set(ms)
        plan = propose(table, find_marker(table.markers, "PP"), find_marker(table.markers, "JB"))
        calls = []
        real = MarkingSet.set_mark

        def failing(self, *args, **kwargs):
            calls.append(args)
            if len(calls) == 3:
                raise OSError("the disk is full")
            return real(self, *args, **kwargs)

        monkeypatch.setattr(MarkingSet, "set_mark", failing)
        with pytest.raises(OSError):
            apply_plan(ms, plan)
        monkeypatch.undo()
        assert not [e for e in ms.audit_log() if e.action == "moderation adjustment"]
    assert marks_of(made["path"], "Priya Patel") == original


def test_undo_is_refused_when_an_adjusted_mark_has_changed_since(capsys, tmp_path, make_draft):
    made = make_set(tmp_path / "13B.markset", make_draft, moderator=sample_marks(lambda i: -4))
    path, ids = made["path"], made["ids"]
    run_json(capsys, "adjust", path, "--from", "PP", "--to", "JB", "--apply")
    with MarkingSet.open(path) as ms:
        ms.use_marker("Priya Patel", None, "teacher")
        ms.set_mark(ids[0], "AO1", 25)
    before = marks_of(path, "Priya Patel")
    code, _, err = run(capsys, "adjust", path, "--undo")
    assert code == 1 and "changed since" in err and "before-adjustment" in err
    assert marks_of(path, "Priya Patel") == before


def test_adjust_a_coursework_scheme_per_criterion(capsys, tmp_path, make_draft):
    teacher = [{"AO1": 6 + i, "AO2": 2 + i % 8, "AO3": 3 + i % 6} for i in range(12)]
    # the moderator takes 6 off AO1 (so 6 off the total, beyond 5 on 40) and agrees on
    # AO2 and AO3
    moderator = {i: {"AO1": teacher[i]["AO1"] - 6, "AO2": teacher[i]["AO2"],
                     "AO3": teacher[i]["AO3"]} for i in range(0, 12, 2)}
    made = make_set(tmp_path / "nea.markset", make_draft, teacher=teacher, moderator=moderator,
                    scheme_id="aqa-history-nea-40")
    data = run_json(capsys, "adjust", made["path"], "--from", "PP", "--to", "JB")
    assert data["needed"] is True
    assert data["lines"]["AO2"] is None and data["lines"]["AO3"] is None
    assert data["lines"]["AO1"]["slope"] == pytest.approx(1.0)
    assert data["lines"]["AO1"]["intercept"] == pytest.approx(-6.0)
    for row, marks in zip(data["scripts"], teacher, strict=True):
        assert row["criteria"]["AO1"]["after"] == marks["AO1"] - 6
        assert row["criteria"]["AO2"]["after"] == marks["AO2"]
        assert row["after"] == row["before"] - 6
    # the same 4 marks off the total are within 5 on 40: nothing is needed
    for index in moderator:
        moderator[index]["AO1"] += 2
    again = make_set(tmp_path / "nea2.markset", make_draft, teacher=teacher, moderator=moderator,
                     scheme_id="aqa-history-nea-40")
    assert run_json(capsys, "adjust", again["path"], "--from", "PP", "--to", "JB")["needed"] \
        is False
    assert data["rank_order_kept"] is True


def test_adjust_refuses_when_the_moderator_reverses_the_order(capsys, tmp_path, make_draft):
    moderator = {i: 25 - TEACHER[i] for i in range(0, 20, 2)}
    made = make_set(tmp_path / "13B.markset", make_draft, moderator=moderator)
    code, _, err = run(capsys, "adjust", made["path"], "--from", "PP", "--to", "JB", "--apply")
    assert code == 1 and "rank order does not hold" in err


# -- the markbook's Moderation sheet and the report -------------------------------------


def test_markbook_has_a_moderation_sheet_with_two_markers(capsys, tmp_path, make_draft):
    alone = make_set(tmp_path / "alone.markset", make_draft)
    run_json(capsys, "export", alone["path"], "--excel", tmp_path / "alone.xlsx")
    assert "Moderation" not in openpyxl.load_workbook(tmp_path / "alone.xlsx").sheetnames

    moderator = sample_marks(lambda i: -4 if i % 4 == 0 else -1)
    made = make_set(tmp_path / "13B.markset", make_draft, moderator=moderator)
    run_json(capsys, "export", made["path"], "--excel", tmp_path / "book.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "book.xlsx")["Moderation"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[3]
    assert header[:6] == ("Candidate number", "Candidate name", "PP total", "JB total",
                          "PP − JB", "PP within tolerance")
    scripts = [r for r in rows[4:4 + len(moderator)]]
    assert [r[0] for r in scripts] == [str(4000 + i) for i in sorted(moderator)]
    for r, index in zip(scripts, sorted(moderator), strict=True):
        assert r[2] == TEACHER[index] and r[3] == moderator[index]
        assert r[4] == TEACHER[index] - moderator[index]
        assert r[5] == ("yes" if abs(r[4]) <= 3 else "no")
    # the agreement row of the pair holds the statistics' own figures
    found = next(r for r in rows if r[:3] == ("Priya Patel", "Jo Brown", "Total"))
    ids = made["ids"]
    expected = agreement(dict(zip(ids, TEACHER, strict=True)),
                         {ids[i]: m for i, m in moderator.items()}, 25,
                         template("aqa-history-essay-25").criteria[0])
    assert found[3] == expected.compared
    assert found[6] == pytest.approx(expected.mean_difference)
    assert found[11] == pytest.approx(expected.kappa_marks)
    # every string is stored as text, never a formula
    for row in sheet.iter_rows():
        for c in row:
            assert c.data_type != "f"
            if isinstance(c.value, str):
                assert c.data_type == "s"


def test_moderation_report_from_the_command_line(capsys, tmp_path, make_draft):
    made = make_set(tmp_path / "13B.markset", make_draft, moderator=sample_marks(lambda i: -4))
    report = tmp_path / "report.docx"
    data = run_json(capsys, "export", made["path"], "--moderation-report", report,
                    "--school", "Riverside Academy")
    assert data["written"] == [str(report)] and not data["failed"]
    document = docx.Document(report)
    text = "\n".join(p.text for p in document.paragraphs)
    for phrase in ("Moderation report", "The sample", "Agreement", "Priya Patel and Jo Brown",
                   "Krippendorff", "Rank order", "Adjustment", "least-squares line",
                   "Moderator’s commentary", "Figure 1"):
        assert phrase in text, phrase
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "Amira Khan (4000)" in cells and "Weighted kappa, marks" in cells
    with zipfile.ZipFile(report) as package:
        images = [n for n in package.namelist() if n.startswith("word/media/")]
        assert len(images) == 1
        plot = Image.open(io.BytesIO(package.read(images[0])))
    assert plot.format == "PNG" and plot.width > 600

    # one marker only: no report, a clear reason
    alone = make_set(tmp_path / "alone.markset", make_draft)
    code, out, _ = run(capsys, "export", alone["path"], "--moderation-report",
                       tmp_path / "none.docx", "--json")
    assert code == 1 and "two or more markers" in json.loads(out)["failed"][0][1]
    assert not (tmp_path / "none.docx").exists()


def test_scatter_plot_marks_the_band_and_the_points():
    from rubric.export.scatter import ScatterPlot, scatter_png, tick_step

    png = scatter_png(ScatterPlot([(10, 10), (10, 10), (5, 20)], 25, 3, "Priya Patel (teacher)",
                                  "Jo Brown (moderator) — Zoë Łukasz", (0.9, -1.0)))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "RGB"
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 22)}
    assert (255, 255, 255) in colours
    reds = [c for c in colours if c[0] > 180 and c[1] < 80 and c[2] < 80]
    navy = [c for c in colours if c[2] > 80 and c[0] < 60 and c[1] < 80]
    assert reds and navy  # a point outside the tolerance and one inside
    assert tick_step(25) == 5 and tick_step(40) == 5 and tick_step(60) == 10
    assert Fraction(image.width, image.height) < 1  # the legend sits below the square plot
