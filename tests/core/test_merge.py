"""Merging markers' copies of a set: idempotent, each marker's rows owned by that marker,
conflicts shown for a choice, files of other sets or schemes refused, a ledger of what was
merged; and the department comment bank (export, import without duplicates, default)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from rubric.cli import main
from rubric.errors import SetError
from rubric.ids import ScriptId
from rubric.record import replace
from rubric.store import MarkingSet
from rubric.store.merge import MergeConflicts, apply_merge, ledger, merge_file, plan_merge

ONE, TWO, THREE = ScriptId(1), ScriptId(2), ScriptId(3)


@pytest.fixture
def hod(tmp_path, essay_scheme, make_draft):
    """The head of department's set: three scripts, two teachers named, copies sent out."""
    ms = MarkingSet.create(tmp_path / "hod.markset", "13 History mock", essay_scheme)
    for n in range(3):
        ms.add_script(make_draft(f"Student {n}", str(100 + n), seed=f"s{n}"))
    ms.use_marker("Head of History", "HH")
    ms.add_marker("Ms A")
    ms.add_marker("Mr B")
    yield ms
    ms.close()


def send_copy(ms: MarkingSet, tmp_path: Path, name: str) -> Path:
    out = tmp_path / "out" / f"{name}.markset"
    ms.export_to(out)
    return out


def mark_in(path: Path, marker: str, *steps) -> None:
    """Open a copy as ``marker`` and make changes there (as a teacher does at home)."""
    with MarkingSet.open(path) as copy:
        copy.use_marker(marker)
        for step in steps:
            step(copy)


def _marks(ms) -> dict[tuple[int, str], int | None]:
    names = {m.id: m.name for m in ms.markers()}
    return {(int(m.script_id), names[m.marker_id]): m.mark for m in ms.marks()}


def test_a_teachers_copy_merges_in_and_merging_it_again_changes_nothing(hod, tmp_path):
    copy = send_copy(hod, tmp_path, "ms-a")
    mark_in(copy, "Ms A",
            lambda c: c.set_mark(ONE, "AO1", 17),
            lambda c: c.set_comments(ONE, www="A clear line of argument"),
            lambda c: c.annotate_quote(ONE, "land reform", "Precise"),
            lambda c: c.set_mark(TWO, "AO1", 12))
    plan = plan_merge(hod, copy)
    assert plan.markers == ("Ms A",)
    assert sorted(i.kind for i in plan.new) == ["annotation", "comments", "mark", "mark"]
    assert not (plan.changed or plan.conflicts or plan.ignored)
    assert hod.marks() == []  # a preview writes nothing
    result = apply_merge(hod, plan)
    assert result.applied and result.changes.marks and result.changes.annotations
    assert result.changes.scripts == {ONE, TWO}
    assert _marks(hod) == {(1, "Ms A"): 17, (2, "Ms A"): 12}
    assert hod.comments(ONE, hod.find_marker("Ms A").id).www == "A clear line of argument"
    assert hod.annotations(ONE)[0].comment == "Precise"
    # the same file again: an empty plan, and nothing written (not even the ledger)
    audit = len(hod.audit_log())
    again = plan_merge(hod, copy)
    assert again.empty and again.already_merged and not again.ignored
    assert not apply_merge(hod, again).applied
    assert len(hod.audit_log()) == audit and len(ledger(hod)) == 1
    # row identities travelled with the rows
    with MarkingSet.open(copy) as c:
        theirs = {r[0] for r in c._db.execute("SELECT uuid FROM marks")}
    assert {r[0] for r in hod._db.execute("SELECT uuid FROM marks")} == theirs


def test_the_ledger_records_each_merged_file(hod, tmp_path):
    import hashlib

    copy = send_copy(hod, tmp_path, "ms-a")
    mark_in(copy, "Ms A", lambda c: c.set_mark(ONE, "AO1", 17))
    merge_file(hod, copy)
    [entry] = ledger(hod)
    assert entry.file_hash == hashlib.sha256(copy.read_bytes()).hexdigest()
    assert entry.source_set_uuid == hod.set_uuid
    assert entry.marker_uuids == (hod.marker_uuid(hod.find_marker("Ms A").id),)
    assert entry.counts["new"] == 1 and entry.counts["markers"] == ["Ms A"]
    assert entry.merged_at
    assert hod.audit_log(limit=2)[-1].action == "merge"


def test_a_file_cannot_change_another_markers_rows(hod, tmp_path):
    a_copy, b_copy = send_copy(hod, tmp_path, "ms-a"), send_copy(hod, tmp_path, "mr-b")
    mark_in(a_copy, "Ms A", lambda c: c.set_mark(ONE, "AO1", 17))
    merge_file(hod, a_copy)
    a = hod.find_marker("Ms A").id
    # Mr B's copy tries: he writes a mark as Ms A, and his file is tampered with too
    mark_in(b_copy, "Mr B",
            lambda c: c.set_mark(ONE, "AO1", 20),
            lambda c: c.set_mark(TWO, "AO1", 3, marker=a),
            lambda c: c.set_comments(THREE, www="written as Ms A", marker=a))
    db = sqlite3.connect(b_copy)
    db.execute("UPDATE marks SET mark=11, level='Level 3', updated_at='9999' WHERE marker_id=?",
               (a,))
    db.commit()
    db.close()
    plan = plan_merge(hod, b_copy)
    assert plan.markers == ("Mr B",)
    assert [(i.kind, i.marker) for i in plan.new] == [("mark", "Mr B")]
    ignored = {(i.kind, i.script.split(" (")[0], i.marker) for i in plan.ignored}
    assert ignored == {("mark", "Student 1", "Ms A"), ("comments", "Student 2", "Ms A")}
    assert all("belongs to Ms A" in i.reason for i in plan.ignored)
    apply_merge(hod, plan)
    assert _marks(hod) == {(1, "Ms A"): 17, (1, "Mr B"): 20}
    assert hod.comments(THREE, a).www == ""


def test_a_copy_that_carries_on_brings_its_changes_without_conflict(hod, tmp_path):
    copy = send_copy(hod, tmp_path, "ms-a")
    mark_in(copy, "Ms A", lambda c: c.set_mark(ONE, "AO1", 17))
    merge_file(hod, copy)
    hod.set_mark(TWO, "AO1", 9)  # the head marks something of their own meanwhile
    mark_in(copy, "Ms A", lambda c: c.set_mark(ONE, "AO1", 19),
            lambda c: c.set_comments(ONE, ebi="Weigh the factors"))
    plan = plan_merge(hod, copy)
    assert [(i.kind, i.mine, i.theirs) for i in plan.changed] == [
        ("mark", {"level": "Level 4", "mark": 17}, {"level": "Level 4", "mark": 19})]
    assert [i.kind for i in plan.new] == ["comments"] and not plan.conflicts
    merge_file(hod, copy)
    assert _marks(hod)[(1, "Ms A")] == 19 and _marks(hod)[(2, "Head of History")] == 9
    assert plan_merge(hod, copy).empty


def test_the_same_markers_edits_from_two_machines_are_conflicts_settled_by_choice(
        hod, tmp_path):
    laptop, desktop = send_copy(hod, tmp_path, "laptop"), send_copy(hod, tmp_path, "desktop")
    mark_in(laptop, "Ms A", lambda c: c.set_mark(ONE, "AO1", 17),
            lambda c: c.set_mark(TWO, "AO1", 10))
    mark_in(desktop, "Ms A", lambda c: c.set_mark(ONE, "AO1", 21),
            lambda c: c.set_mark(TWO, "AO1", 10), lambda c: c.set_mark(THREE, "AO1", 5))
    merge_file(hod, laptop)
    plan = plan_merge(hod, desktop)
    [conflict] = plan.conflicts
    assert (conflict.kind, conflict.criterion, conflict.marker) == ("mark", "AO1", "Ms A")
    assert conflict.mine == {"level": "Level 4", "mark": 17}
    assert conflict.theirs == {"level": "Level 5", "mark": 21}
    assert [i.kind for i in plan.new] == ["mark"]  # script 3; script 2 is the same on both
    with pytest.raises(MergeConflicts):
        apply_merge(hod, plan)
    assert _marks(hod)[(1, "Ms A")] == 17 and (3, "Ms A") not in _marks(hod)  # nothing
    apply_merge(hod, plan, {conflict.uuid: "mine"})
    assert _marks(hod)[(1, "Ms A")] == 17 and _marks(hod)[(3, "Ms A")] == 5
    assert plan_merge(hod, desktop).empty  # the choice is remembered
    # a conflict with the head's own edit of the row, settled the other way
    hod.set_mark(THREE, "AO1", 6, marker=hod.find_marker("Ms A").id)
    mark_in(desktop, "Ms A", lambda c: c.set_mark(THREE, "AO1", 4))
    plan = plan_merge(hod, desktop)
    assert [(i.mine["mark"], i.theirs["mark"]) for i in plan.conflicts] == [(6, 4)]
    result = apply_merge(hod, plan, take="theirs")
    assert result.counts["theirs"] == 1 and _marks(hod)[(3, "Ms A")] == 4


def test_a_preview_made_before_the_set_changed_is_not_applied(hod, tmp_path):
    copy = send_copy(hod, tmp_path, "ms-a")
    mark_in(copy, "Ms A", lambda c: c.set_mark(ONE, "AO1", 17))
    merge_file(hod, copy)
    mark_in(copy, "Ms A", lambda c: c.set_mark(ONE, "AO1", 18))
    plan = plan_merge(hod, copy)
    hod.set_mark(ONE, "AO1", 15, marker=hod.find_marker("Ms A").id)
    with pytest.raises(SetError, match="preview it again"):
        apply_merge(hod, plan)
    assert _marks(hod)[(1, "Ms A")] == 15


def test_a_script_added_in_a_copy_is_ignored_never_added(hod, tmp_path, make_draft):
    copy = send_copy(hod, tmp_path, "ms-a")
    mark_in(copy, "Ms A",
            lambda c: c.add_script(make_draft("Late Essay", "999", seed="late")),
            lambda c: c.set_mark(ScriptId(4), "AO1", 14))
    plan = plan_merge(hod, copy)
    [item] = plan.ignored
    assert item.kind == "script" and "1 of its rows" in item.reason
    merge_file(hod, copy)
    assert len(hod.scripts()) == 3 and hod.marks() == []


def test_a_new_marker_in_a_copy_is_added_with_their_rows(hod, tmp_path):
    copy = send_copy(hod, tmp_path, "moderator")
    with MarkingSet.open(copy) as c:
        c.use_marker("Dr Okafor", "DO", "moderator")
        c.set_mark(ONE, "AO1", 16)
        c.add_judgement(ONE, TWO, 40.0)
    plan = plan_merge(hod, copy)
    assert sorted(i.kind for i in plan.new) == ["judgement", "mark", "marker"]
    merge_file(hod, copy)
    okafor = hod.find_marker("Dr Okafor", "moderator")
    assert okafor is not None and okafor.initials == "DO"
    assert [(j.winner_id, j.loser_id) for j in hod.judgements(okafor.id)] == [(ONE, TWO)]
    assert plan_merge(hod, copy).empty


def test_a_file_from_another_set_is_refused(hod, tmp_path, essay_scheme, make_draft):
    with MarkingSet.create(tmp_path / "other.markset", "12 Politics", essay_scheme) as other:
        other.add_script(make_draft())
        other.use_marker("Ms A")
        other.set_mark(ONE, "AO1", 5)
    with pytest.raises(SetError) as info:
        plan_merge(hod, tmp_path / "other.markset")
    message = str(info.value)
    assert "\n" not in message and message.startswith("other.markset: refused")
    assert "another set" in message and "12 Politics" in message
    with pytest.raises(SetError, match="this set itself"):
        plan_merge(hod, hod.path)


def test_a_file_marked_against_another_scheme_is_refused(hod, tmp_path):
    copy = send_copy(hod, tmp_path, "ms-a")
    with MarkingSet.open(copy) as c:
        ao1 = c.scheme.criteria[0]
        c.update_scheme(replace(c.scheme, criteria=(replace(ao1, description="edited"),)))
        c.use_marker("Ms A")
        c.set_mark(ONE, "AO1", 12)
    with pytest.raises(SetError) as info:
        plan_merge(hod, copy)
    assert "different scheme" in str(info.value) and "\n" not in str(info.value)
    assert hod.marks() == []


def test_a_crafted_file_with_a_trigger_is_refused_before_it_is_read(hod, tmp_path):
    copy = send_copy(hod, tmp_path, "ms-a")
    mark_in(copy, "Ms A", lambda c: c.set_mark(ONE, "AO1", 17))
    db = sqlite3.connect(copy)
    db.executescript("CREATE TRIGGER steal AFTER UPDATE ON marks BEGIN "
                     "DELETE FROM audit; END;")
    db.commit()
    db.close()
    with pytest.raises(SetError) as info:
        plan_merge(hod, copy)
    assert "trigger" in str(info.value) and "refused" in str(info.value)
    leftovers = [p for p in hod.path.parent.iterdir() if p.name.startswith(".merging-")]
    assert leftovers == [] and hod.marks() == []


def test_a_file_of_an_older_format_is_refused(hod, tmp_path, essay_scheme):
    from rubric.store.schema import MIGRATIONS

    old = tmp_path / "v3.markset"
    db = sqlite3.connect(old, isolation_level=None)
    for step in range(3):
        MIGRATIONS[step](db)
    db.execute("PRAGMA user_version=3")
    db.execute("INSERT INTO meta(key, value) VALUES ('name', 'Old')")
    db.execute("INSERT INTO schemes(version, json, created_at) VALUES (1, ?, 'then')",
               (essay_scheme.to_json(),))
    db.close()
    with pytest.raises(SetError, match="older Essay Marker"):
        plan_merge(hod, old)


def test_cli_merge_previews_refuses_conflicts_and_takes_a_side(hod, tmp_path, capsys):
    laptop, desktop = send_copy(hod, tmp_path, "laptop"), send_copy(hod, tmp_path, "desktop")
    mark_in(laptop, "Ms A", lambda c: c.set_mark(ONE, "AO1", 17))
    mark_in(desktop, "Ms A", lambda c: c.set_mark(ONE, "AO1", 21))
    path = str(hod.path)
    hod.close()
    code = main(["merge", path, str(laptop), "--dry-run", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and not out["applied"] and out["dry_run"]
    assert set(out) >= {"new", "changed", "ignored", "conflicts", "applied"}
    assert [(i["kind"], i["criterion"], i["marker"], i["theirs"]["mark"])
            for i in out["new"]] == [("mark", "AO1", "Ms A", 17)]
    assert main(["merge", path, str(laptop)]) == 0
    assert "merged" in capsys.readouterr().out
    code = main(["merge", path, str(desktop), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and not out["applied"]
    [conflict] = out["conflicts"]
    assert {k: conflict[k] for k in ("kind", "script", "criterion", "marker")} == {
        "kind": "mark", "script": "Student 0 (100)", "criterion": "AO1", "marker": "Ms A"}
    assert (conflict["mine"]["mark"], conflict["theirs"]["mark"]) == (17, 21)
    code = main(["merge", path, str(desktop), "--take", "theirs"])
    assert code == 0 and "merged" in capsys.readouterr().out
    with MarkingSet.open(path) as ms:
        assert _marks(ms) == {(1, "Ms A"): 21}
    assert main(["merge", path, str(desktop)]) == 0
    assert "nothing new" in capsys.readouterr().out
    assert main(["merge", path, str(tmp_path / "missing.markset")]) == 1
    printed = capsys.readouterr()
    errors = [line for line in printed.err.splitlines() if line.startswith("error:")]
    assert errors == ["error: missing.markset: no such file"]
    assert "missing.markset" not in printed.out


# -- the department comment bank -------------------------------------------------------------


def test_bank_export_import_round_trips_and_merges_without_duplicates(
        hod, tmp_path, essay_scheme):
    from rubric import bank_file

    hod.add_bank_comment("Your judgement is well substantiated.", "www", "AO1", "Level 5",
                         "zz1")
    hod.add_bank_comment("Weigh one factor against another.", "ebi", "AO1", "Level 3", "zz2")
    hod.add_bank_comment("Check your dates.", "general", shortcut="zz3")
    exported = tmp_path / "department.json"
    count = bank_file.export_bank(hod, exported)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert len(data["comments"]) == count == len(hod.bank())
    assert {"kind": "www", "criterion": "AO1", "level": "Level 5",
            "text": "Your judgement is well substantiated.", "shortcut": "zz1"} in data["comments"]
    with MarkingSet.create(tmp_path / "other.markset", "12A", essay_scheme) as other:
        other.add_bank_comment("your judgement is  WELL substantiated", "www", "AO1")
        other.add_bank_comment("Something of my own", "ebi", shortcut="zz2")
        merged = bank_file.merge_bank(other, bank_file.read_bank_file(exported))
        assert merged.added == count - 1 == 2 and merged.duplicates == 1
        assert merged.shortcuts_dropped == 1  # zz2 is already this set's
        assert not merged.changes.nothing and merged.changes.bank
        again = bank_file.merge_bank(other, bank_file.read_bank_file(exported))
        assert again.added == 0 and again.duplicates == count and again.changes.nothing
        texts = [c.text for c in other.bank()]
        assert len(texts) == len(set(texts)) == count + 1
        kept = {c.text: c for c in other.bank()}
        original = next(c for c in hod.bank() if c.level == "Level 3")
        assert (kept[original.text].criterion, kept[original.text].level) == (
            original.criterion, original.level)
        assert kept["Check your dates."].shortcut == "zz3"
        assert kept["Weigh one factor against another."].shortcut is None


def test_a_bad_bank_file_is_refused_with_one_line(tmp_path):
    from rubric import bank_file

    for n, content in enumerate([b"not json", b'{"comments": [{"kind": "rude", "text": "x"}]}',
                                 b'{"comments": [{"kind": "www"}]}', b'[1, 2]',
                                 b'{"schema_version": 99, "comments": []}']):
        path = tmp_path / f"bad{n}.json"
        path.write_bytes(content)
        with pytest.raises(SetError) as info:
            bank_file.read_bank_file(path)
        assert "\n" not in str(info.value) and str(info.value).startswith(path.name)


def test_cli_bank_and_the_default_bank_for_new_sets(hod, tmp_path, capsys):
    from rubric.store.library import new_set

    path = str(hod.path)
    hod.add_bank_comment("DEPARTMENT: Use the sources' provenance", "general")
    hod.close()
    bank = tmp_path / "dept.json"
    assert main(["bank", "export", path, str(bank), "--json"]) == 0
    exported = json.loads(capsys.readouterr().out)["comments"]
    assert main(["bank", "import", path, str(bank), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["added"] == 0 and out["duplicates"] == exported
    assert main(["bank", "import", "--default", str(bank)]) == 0
    assert "default bank for new sets" in capsys.readouterr().out
    with MarkingSet.open(new_set("Next year", hod.scheme)) as fresh:
        assert any(c.text.startswith("DEPARTMENT:") for c in fresh.bank())
        assert len(fresh.bank()) == exported


def test_an_annotation_beyond_the_sets_own_text_is_ignored(hod, tmp_path):
    """A crafted copy whose script is longer than the set's, with an annotation past the
    end of the set's text and no passage: merging it must not store it (the set could then
    no longer be shared: its own check refuses an annotation outside the text)."""
    copy = send_copy(hod, tmp_path, "ms-a")
    length = len(hod.script(ONE).text)
    mark_in(copy, "Ms A", lambda c: c.annotate_quote(ONE, hod.script(ONE).text[:12], "Fine"))
    db = sqlite3.connect(copy)
    try:
        (paragraphs,) = db.execute("SELECT paragraphs FROM scripts WHERE id=1").fetchone()
        longer = json.loads(paragraphs) + [["body", "x" * 200]]
        db.execute("UPDATE scripts SET paragraphs=? WHERE id=1", (json.dumps(longer),))
        db.execute("UPDATE annotations SET start=?, end=?, quote='' WHERE comment='Fine'",
                   (length + 50, length + 60))
        db.commit()
    finally:
        db.close()
    plan = plan_merge(hod, copy)
    assert [(i.kind, i.reason) for i in plan.ignored] == [
        ("annotation", "its passage is not in this set's copy of the script")]
    merge_file(hod, copy)
    assert hod.annotations(ONE, hod.find_marker("Ms A").id) == []
    out = hod.export_to(tmp_path / "again.markset")   # still a set others can open
    from rubric.store.verify import check_set_file
    assert check_set_file(out) == "13 History mock"
