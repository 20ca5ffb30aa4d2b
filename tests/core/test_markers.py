"""Several markers on one set: identities, allocation, blind marking (in the reads and in
the exports), agreed marks, definitive marks, and the format-4 migration of older sets."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from collections import Counter

import openpyxl
import pytest

from rubric.cli import main
from rubric.errors import MarkError
from rubric.ids import ScriptId
from rubric.store import MarkingSet
from rubric.store.markers import compare_with_definitive, mean_half_up
from rubric.store.schema import MIGRATIONS, SCHEMA_VERSION, UUID_TABLES

UUID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def ms(marking_set, make_draft):
    for n in range(7):
        marking_set.add_script(make_draft(f"Student {n}", str(100 + n), seed=f"s{n}"))
    return marking_set


def _uuids(ms, table):
    return [r[0] for r in ms._db.execute(f"SELECT uuid FROM {table}")]


def test_every_travelling_row_gets_an_identity_and_the_set_has_one(ms):
    one = ScriptId(1)
    ms.use_marker("Ms Patel")
    ms.set_mark(one, "AO1", 18)
    ms.set_comments(one, www="Clear")
    ms.annotate_quote(one, "land reform", "Precise")
    ms.add_bank_comment("Weigh the factors", "ebi")
    assert UUID.fullmatch(ms.set_uuid)
    for table in UUID_TABLES:
        values = _uuids(ms, table)
        assert values and all(UUID.fullmatch(v) for v in values), table
        assert len(set(values)) == len(values)
    before = _uuids(ms, "marks")
    ms.set_mark(one, "AO1", 19)  # an edit keeps the row's identity
    assert _uuids(ms, "marks") == before


def _v2_set(path, scheme, make_draft):
    db = sqlite3.connect(path, isolation_level=None)
    for step in range(2):
        MIGRATIONS[step](db)
    db.execute("PRAGMA user_version=2")
    db.execute("PRAGMA application_id=1163087179")
    db.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                   [("name", "Old set"), ("schema_version", "2")])
    db.execute("INSERT INTO schemes(version, json, created_at) VALUES (1, ?, 'then')",
               (scheme.to_json(),))
    for n in range(2):
        db.execute(
            "INSERT INTO scripts(position, candidate_name, candidate_number, file_name, format,"
            " source_hash, paragraphs, word_count, coursework_word_count, warnings, imported_at)"
            " VALUES (?, ?, '', 'a.docx', 'docx', ?, '[[\"body\", \"Some text here.\"]]', 3, 3,"
            " '[]', 'then')", (n + 1, f"Old {n}", f"h{n}"))
        db.execute("INSERT INTO script_sources(script_id, bytes) VALUES (?, x'00')", (n + 1,))
    db.execute("INSERT INTO markers(name, initials, role) VALUES ('Teacher', 'T', 'teacher')")
    db.execute("INSERT INTO marks(script_id, criterion, marker_id, level, mark, created_at,"
               " updated_at) VALUES (1, 'AO1', 1, 'Level 4', 17, 'then', 'then')")
    db.execute("INSERT INTO overall_comments(script_id, marker_id, www, updated_at)"
               " VALUES (1, 1, 'Good', 'then')")
    db.execute("INSERT INTO bank(kind, text, position) VALUES ('www', 'Nice', 1)")
    db.close()


def test_a_format_2_set_migrates_to_format_4_with_identities_and_passes_the_check(
        tmp_path, essay_scheme, make_draft):
    from rubric.store.verify import check_set_file

    path = tmp_path / "v2.markset"
    _v2_set(path, essay_scheme, make_draft)
    assert check_set_file(path) == "Old set"
    with MarkingSet.open(path) as ms:
        assert ms._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        assert UUID.fullmatch(ms.set_uuid)
        for table in UUID_TABLES:
            assert all(UUID.fullmatch(v) for v in _uuids(ms, table)), table
        assert ms.total(ScriptId(1)) == 17 and ms.classes() == {1: "", 2: ""}
        assert not ms.is_blind(ms.current_marker.id)
        ms.set_class(ScriptId(1), "13B")
        ms.agree(ScriptId(1), "AO1", "typed", 16)
        ms.add_judgement(ScriptId(1), ScriptId(2), 12.5)
        copy = tmp_path / "shared.markset"
        ms.export_to(copy)
    assert check_set_file(copy) == "Old set"  # format 4 with rows in every new table


def test_crafted_values_in_the_new_tables_are_refused(tmp_path, ms):
    from rubric.errors import SetError
    from rubric.store.verify import check_set_file

    ms.use_marker("Ms Patel")
    ms.set_mark(ScriptId(1), "AO1", 15)
    ms.agree(ScriptId(1), "AO1", "typed", 16)
    good = tmp_path / "good.markset"
    ms.export_to(good)
    assert check_set_file(good)
    for n, sql in enumerate([
            "UPDATE marks SET uuid='x'", "UPDATE scripts SET uuid=NULL WHERE id=1",
            "UPDATE meta SET value='nope' WHERE key='set_uuid'",
            "UPDATE markers SET blind=7",
            "PRAGMA ignore_check_constraints=ON; UPDATE agreed_marks SET method='coin'",
            "UPDATE agreed_marks SET mark=99"]):
        bad = tmp_path / f"bad{n}.markset"
        bad.write_bytes(good.read_bytes())
        db = sqlite3.connect(bad)
        db.executescript(sql)
        db.commit()
        db.close()
        with pytest.raises(SetError) as info:
            check_set_file(bad)
        assert "\n" not in str(info.value) and "refused" in str(info.value), sql


# -- allocation ----------------------------------------------------------------------------


def test_evenly_at_random_spreads_the_remainder_fairly_and_is_seeded(ms):
    a, b, c = (ms.add_marker(n).created for n in ("Ms A", "Mr B", "Dr C"))
    changes = ms.allocate_evenly([a, b, c], seed=7)
    assert changes.script_list and len(changes.scripts) == 7
    sizes = Counter(ms.allocation().values())
    assert sum(sizes.values()) == 7 and max(sizes.values()) - min(sizes.values()) <= 1
    first = ms.allocation()
    assert ms.allocate_evenly([a, b, c], seed=7).nothing  # the same seed, the same deal
    assert ms.allocation() == first
    # over many seeds the extra script goes to each marker, not always the first named
    lucky = Counter()
    for seed in range(30):
        ms.allocate_evenly([a, b, c], seed=seed)
        sizes = Counter(ms.allocation().values())
        assert max(sizes.values()) - min(sizes.values()) <= 1
        lucky[max(sizes, key=sizes.get)] += 1
    assert len(lucky) == 3
    entry = ms.audit_log(limit=1)[0]
    assert entry.action == "allocate" and entry.new["by"] == "random"


def test_by_class_keeps_classes_together_and_each_list_starts_with_its_own(ms):
    groups = ["13A", "13A", "13A", "13B", "13B", "13C", ""]
    for script_id, group in zip(ms.script_ids(), groups, strict=True):
        ms.set_class(script_id, group)
    a, b = ms.add_marker("Ms A").created, ms.add_marker("Mr B").created
    ms.allocate_by_class([a, b])
    allocation = ms.allocation()
    classes = ms.classes()
    for group in ("13A", "13B", "13C"):
        owners = {allocation[s] for s, g in classes.items() if g == group}
        assert len(owners) == 1, group
    assert sorted(Counter(allocation.values()).values()) == [3, 4]
    mine = ms.scripts_for(b)
    own = ms.allocated_to(b)
    assert [s.id for s in mine[:len(own)]] == own and len(mine) == 7
    # by hand, and by a named class
    ms.allocate([ScriptId(7)], a)
    assert ms.allocation()[ScriptId(7)] == a
    ms.allocate_by_class(classes={"13C": a})
    assert ms.allocation()[ScriptId(6)] == a
    ms.allocate([ScriptId(7)], None)
    assert ScriptId(7) not in ms.allocation()


def test_cli_allocates_and_sets_classes(ms, capsys):
    path = str(ms.path)
    ms.close()
    assert main(["edit-script", path, "#1", "--class", "13B", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["class"] == "13B"
    code = main(["allocate", path, "--markers", "Ms A", "Mr B", "--seed", "3", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and sorted(len(v) for v in out["allocation"].values()) == [3, 4]
    assert main(["allocate", path, "--markers", "Ms A", "--scripts", "#2", "#3"]) == 0
    assert "Ms A:" in capsys.readouterr().out


# -- blind marking -------------------------------------------------------------------------


@pytest.fixture
def two_markers(ms):
    one = ScriptId(1)
    teacher = ms.use_marker("Ms Teacher", "MT").created
    ms.set_mark(one, "AO1", 18)
    ms.set_comments(one, www="TEACHER-WWW sustained argument", ebi="TEACHER-EBI")
    ms.annotate_quote(one, "land reform", "TEACHER-NOTE precise")
    ms.set_complete(one)
    moderator = ms.use_marker("Dr Moderator", "DM", "moderator").created
    ms.set_blind(moderator)
    ms.set_mark(one, "AO1", 14)
    ms.set_comments(one, www="MODERATOR-WWW")
    ms.annotate_quote(one, "repression", "MODERATOR-NOTE")
    return ms, teacher, moderator


def test_a_blind_marker_sees_only_their_own_rows(two_markers):
    ms, teacher, moderator = two_markers
    one = ScriptId(1)
    assert ms.is_blind() and ms.hidden_markers() == {teacher}
    assert {m.marker_id for m in ms.marks_visible_to(None, one)} == {moderator}
    assert [a.comment for a in ms.annotations_visible_to(moderator, one)] == ["MODERATOR-NOTE"]
    assert [c.www for c in ms.comments_visible_to(moderator, one)] == ["MODERATOR-WWW"]
    assert not ms.sees_others(moderator)
    # the teacher still sees everyone's
    assert {m.marker_id for m in ms.marks_visible_to(teacher, one)} == {teacher, moderator}
    assert len(ms.comments_visible_to(teacher, one)) == 2  # all markers' comments kept


def _docx_text(path) -> str:
    with zipfile.ZipFile(path) as archive:
        return " ".join(archive.read(n).decode("utf-8", "ignore") for n in archive.namelist()
                        if n.endswith(".xml"))


def _xlsx_text(path) -> str:
    book = openpyxl.load_workbook(path)
    return " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row
                    if c.value is not None)


def test_nothing_hidden_leaks_into_a_blind_markers_exports(two_markers, tmp_path):
    from rubric.export import WordOptions, export_feedback, export_markbook

    ms, teacher, moderator = two_markers
    one = ScriptId(1)
    for marker in (None, moderator):  # the current (blind) marker, or asked for by name
        word = tmp_path / f"feedback-{marker}.docx"
        export_feedback(ms, one, word, WordOptions(marker=marker))
        text = _docx_text(word)
        assert "MODERATOR-WWW" in text and "MODERATOR-NOTE" in text
        assert "TEACHER" not in text
        book = tmp_path / f"markbook-{marker}.xlsx"
        export_markbook(ms, book, marker)
        cells = _xlsx_text(book)
        assert "MODERATOR-WWW" in cells and "TEACHER" not in cells
        assert "Ms Teacher" not in cells  # no row of hers: not her mark, nor her comments
    # once revealed, the teacher's work is there again (asked for by name)
    ms.reveal(moderator)
    word = tmp_path / "teacher.docx"
    export_feedback(ms, one, word, WordOptions(marker=teacher))
    assert "TEACHER-WWW" in _docx_text(word)


def test_reveal_is_audited_and_shows_everything_again(two_markers):
    ms, teacher, moderator = two_markers
    changes = ms.reveal()
    assert changes.marks and changes.annotations and changes.comments
    assert not ms.is_blind(moderator) and ms.hidden_markers() == frozenset()
    entry = ms.audit_log(limit=1)[0]
    assert entry.action == "reveal" and entry.entity_id == moderator
    assert entry.marker_id == moderator and entry.new["marker"] == "Dr Moderator"
    assert ms.reveal().nothing
    assert {m.marker_id for m in ms.marks_visible_to(moderator, ScriptId(1))} == {teacher,
                                                                                  moderator}


def test_cli_blind_hides_other_marks_from_the_markers_own_output(two_markers, capsys):
    ms, _teacher, _moderator = two_markers
    path = str(ms.path)
    ms.close()
    code = main(["mark", path, "#1", "--criterion", "AO1", "--mark", "15",
                 "--marker", "Dr Moderator", "--role", "moderator", "--json"])
    row = json.loads(capsys.readouterr().out)
    assert code == 0 and [m["marker"] for m in row["marks"]] == ["Dr Moderator"]
    assert main(["scripts", path, "--marker", "Dr Moderator", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {m["marker"] for r in rows for m in r["marks"]} == {"Dr Moderator"}
    assert main(["blind", path, "--marker", "Dr Moderator", "--reveal"]) == 0
    assert "revealed" in capsys.readouterr().out


# -- agreed marks --------------------------------------------------------------------------


def test_mean_rounds_half_up():
    assert mean_half_up(17, 18) == 18 and mean_half_up(17, 19) == 18
    assert mean_half_up(0, 1) == 1 and mean_half_up(24, 25) == 25


def test_agreed_marks_by_each_method_are_recorded_with_who_agreed(ms):
    one = ScriptId(1)
    first = ms.use_marker("Ms A").created
    ms.set_mark(one, "AO1", 17)
    ms.set_comments(one, www="FIRST")
    second = ms.use_marker("Mr B", role="second").created
    ms.set_mark(one, "AO1", 20)
    ms.set_comments(one, www="SECOND")
    head = ms.use_marker("Head of History").created
    ms.agree(one, "AO1", "mean")
    [agreed] = ms.agreed_marks(one)
    assert (agreed.mark, agreed.level, agreed.method, agreed.agreed_by) == (
        19, "Level 4", "mean", head)
    entry = ms.audit_log(limit=1)[0]
    assert entry.action == "agree mark" and entry.new["of"] == [17, 20]
    assert entry.new["agreed_by"] == "Head of History"
    ms.agree(one, "AO1", "first")
    assert ms.agreed_marks(one)[0].mark == 17
    ms.agree(one, "AO1", "second")
    assert ms.agreed_marks(one)[0].mark == 20
    changes = ms.agree(one, "AO1", "typed", 21)
    assert changes.marks and ms.agreed_marks(one)[0].level == "Level 5"
    # every marker's own marks and comments are kept
    assert {m.marker_id: m.mark for m in ms.marks(one)} == {first: 17, second: 20}
    assert {c.www for c in ms.all_comments()} == {"FIRST", "SECOND"}
    with pytest.raises(MarkError):
        ms.agree(one, "AO1", "typed")
    with pytest.raises(MarkError):
        ms.agree(ScriptId(2), "AO1", "mean")  # nobody has marked it
    ms.set_blind(head)
    with pytest.raises(MarkError, match="blind"):
        ms.agree(one, "AO1", "mean")


def test_cli_agree_and_definitive(ms, capsys):
    one = ScriptId(1)
    ms.use_marker("Ms A")
    ms.set_mark(one, "AO1", 16)
    ms.use_marker("Mr B", role="second")
    ms.set_mark(one, "AO1", 19)
    path = str(ms.path)
    ms.close()
    code = main(["agree", path, "#1", "--criterion", "ao1", "--method", "mean",
                 "--marker", "Head", "--json"])
    row = json.loads(capsys.readouterr().out)
    assert code == 0 and row["mark"] == 18 and row["agreed_by"] == "Head"
    assert row["first"]["marker"] == "Ms A" and row["second"]["marker"] == "Mr B"
    assert main(["definitive", path, "#1", "--criterion", "AO1", "--mark", "20",
                 "--marker", "Head"]) == 0
    assert "definitive 20 (Level 4)" in capsys.readouterr().out
    assert main(["definitive", path, "--compare", "Ms A", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)["comparison"]
    assert row["difference"] == -4 and row["within"] is False and row["tolerance"] == 3


# -- definitive marks ----------------------------------------------------------------------


def test_definitive_marks_and_the_comparison_within_tolerance(ms, nea_scheme):
    one, two = ScriptId(1), ScriptId(2)
    head = ms.use_marker("Head").created
    ms.set_definitive(one, "AO1", 18)
    ms.set_definitive(two, "AO1", 9, "Level 2")
    [d1, d2] = ms.definitive_marks()
    assert (d1.level, d1.set_by, d2.level) == ("Level 4", head, "Level 2")
    assert ms.audit_log(limit=1)[0].action == "set definitive mark"
    teacher = ms.use_marker("Ms A").created
    ms.set_mark(one, "AO1", 21)
    comparison = ms.definitive_comparison(teacher)
    assert [(c.difference, c.within, c.same_level) for c in comparison] == [
        (3, True, False), (None, None, None)]
    assert comparison[0].tolerance == 3 and comparison[0].level == "Level 5"
    assert not ms.definitive_comparison(teacher, tolerance=2)[0].within
    # the tolerance scales with the criterion's maximum (NEA: AO2 of 10 allows 1)
    class Row:
        def __init__(self, criterion, mark, level=None):
            self.script_id, self.criterion, self.mark, self.level = 1, criterion, mark, level

    result = compare_with_definitive(nea_scheme, [Row("AO1", 15), Row("AO2", 6)],
                                     [Row("AO1", 17), Row("AO2", 8)])
    assert [(c.tolerance, c.within) for c in result] == [(2, True), (1, False)]
    assert ms.clear_definitive(two, "AO1").marks and len(ms.definitive_marks()) == 1


def test_every_row_any_core_call_writes_has_an_identity(marking_set, make_draft):
    """Every INSERT of a travelling row writes a uuid (a guard for new code)."""
    from tests.core.test_changes import _one_of_each

    marking_set.add_script(make_draft("Jane Smith", "4321"))
    marking_set.add_script(make_draft("Tom Jones", "4322", seed="Witte"))
    for _name, call, _expected in _one_of_each(marking_set, make_draft):
        call()
    marking_set.set_mark(ScriptId(1), "AO1", 12)
    marking_set.annotate_quote(ScriptId(1), "land reform", "Again")
    marking_set.add_bank_comment("One more", "general")
    marking_set.agree(ScriptId(1), "AO1", "typed", 12)
    marking_set.set_definitive(ScriptId(1), "AO1", 13)
    for table in (*UUID_TABLES, "agreed_marks", "definitive_marks", "judgements"):
        rows = marking_set._db.execute(f"SELECT uuid FROM {table}").fetchall()
        assert rows and all(r[0] and UUID.fullmatch(r[0]) for r in rows), table
