"""A ``.markset`` from a colleague is untrusted input: crafted files are refused with one
line naming the file and the reason, and a refusal leaves nothing in the sets folder."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rubric.errors import SetError
from rubric.ids import ScriptId
from rubric.store import MarkingSet
from rubric.store.library import import_set_file
from rubric.store.locations import set_files, sets_dir
from rubric.store.verify import check_set_file


@pytest.fixture
def shared_set(tmp_path, essay_scheme, make_draft) -> Path:
    """A real set with two scripts, a mark and an annotation, exported as a colleague would."""
    with MarkingSet.create(tmp_path / "live.markset", "13B Russia", essay_scheme) as ms:
        ms.add_script(make_draft("Jane Smith", "1234"))
        ms.add_script(make_draft("Tom Jones", "1235", seed="Witte"))
        ms.set_mark(ScriptId(1), "AO1", 18, "Level 4")
        ms.annotate_quote(ScriptId(1), "land reform", "Good")
        out = tmp_path / "from-colleague" / "13B.markset"
        ms.export_to(out)
    return out


def _tamper(path: Path, *statements: str) -> Path:
    db = sqlite3.connect(path)
    try:
        for sql in statements:
            db.executescript(sql)
        db.commit()
    finally:
        db.close()
    return path


def _refused(path: Path, *words: str) -> str:
    before = sorted(p.name for p in sets_dir().iterdir())
    with pytest.raises(SetError) as info:
        import_set_file(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(path.name + ":")
    for word in words:
        assert word in message
    # nothing is left behind: no broken copy, no temporary file
    assert sorted(p.name for p in sets_dir().iterdir()) == before
    return message


def test_a_clean_shared_set_opens_with_its_marks(shared_set):
    target = import_set_file(shared_set)
    assert target.parent == sets_dir()
    with MarkingSet.open(target) as ms:
        assert ms.total(ScriptId(1)) == 18
        assert len(ms.annotations(ScriptId(1))) == 1
    assert set_files() == [target]


def test_a_trigger_that_rewrites_marks_is_refused(shared_set):
    _tamper(shared_set, "CREATE TRIGGER zero AFTER INSERT ON marks BEGIN "
                        "UPDATE marks SET mark = 0 WHERE id = NEW.id; END;")
    _refused(shared_set, "trigger", "zero")


def test_a_trigger_that_deletes_audit_rows_is_refused(shared_set):
    _tamper(shared_set, "CREATE TRIGGER hush AFTER INSERT ON audit BEGIN "
                        "DELETE FROM audit; END;")
    _refused(shared_set, "trigger")


def test_a_view_with_a_never_ending_query_is_refused_quickly(shared_set):
    _tamper(shared_set, "CREATE VIEW forever AS WITH RECURSIVE n(x) AS "
                        "(SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n;")
    started = time.monotonic()
    _refused(shared_set, "view")
    assert time.monotonic() - started < 10


def test_an_extra_table_or_a_changed_column_is_refused(shared_set, tmp_path):
    extra = shared_set.with_name("extra.markset")
    extra.write_bytes(shared_set.read_bytes())
    _tamper(extra, "CREATE TABLE payload (x TEXT);")
    _refused(extra, "payload")
    _tamper(shared_set, "ALTER TABLE marks ADD COLUMN secret TEXT;")
    _refused(shared_set, "marks")


@pytest.mark.parametrize("statement, words", [
    ("UPDATE marks SET mark = 'eighteen'", ("marks.mark", "text")),
    ("UPDATE scripts SET word_count = 'lots'", ("scripts.word_count",)),
    ("UPDATE scripts SET paragraphs = '[[\"body\", \"unterminated' WHERE id = 1", ("paragraphs", "JSON")),
    ("UPDATE scripts SET paragraphs = '{\"a\": 1}' WHERE id = 2", ("paragraphs", "form")),
    ("UPDATE scripts SET warnings = 'not json'", ("warnings",)),
    ("UPDATE marks SET mark = -100", ("-100", "0–25")),
    ("UPDATE marks SET mark = 99999999999999", ("impossible",)),
    ("UPDATE marks SET criterion = 'ZZZ'", ("ZZZ",)),
    ("UPDATE annotations SET end = 999999", ("annotation",)),
    ("UPDATE schemes SET json = '{\"nonsense\": true}'", ("scheme",)),
    # a level that contradicts its mark would reach the student: "14 out of 20 (Level 99)"
    ("UPDATE marks SET level = 'Level 99'", ("AO1 level 'Level 99'", "no version")),
    ("UPDATE marks SET level = 'Level 1'", ("mark of 18 in Level 1", "does not hold it")),
    # text that is not UTF-8 breaks every later read of it (the script list, exports)
    ("UPDATE scripts SET candidate_name = CAST(X'C328FF41' AS TEXT) WHERE id = 1",
     ("scripts.candidate_name", "UTF-8", "row 1")),
    ("UPDATE annotations SET comment = CAST(X'C328FF41' AS TEXT)", ("annotations.comment", "UTF-8")),
    ("UPDATE markers SET name = CAST(X'EDA080' AS TEXT)", ("markers.name", "UTF-8")),
    ("UPDATE scripts SET title = CAST(X'FF' AS TEXT)", ("scripts.title", "UTF-8")),
    # sizes no class set has: every export would take minutes and gigabytes
    ("UPDATE markers SET name = printf('%.*c', 20000000, 'x')", ("markers.name", "long")),
    ("UPDATE scripts SET candidate_name = printf('%.*c', 5000, 'x')",
     ("scripts.candidate_name", "long")),
    ("UPDATE annotations SET comment = printf('%.*c', 300000, 'x')", ("annotations.comment", "long")),
])
def test_wrong_values_are_refused_before_anything_shows_them(shared_set, statement, words):
    _tamper(shared_set, statement)
    _refused(shared_set, *words)


def test_a_mark_flagged_for_review_after_a_scheme_edit_may_sit_outside_its_level(shared_set):
    """A scheme edit can leave a mark outside its level; the set flags it for review, and
    such a set is a real one: it opens."""
    _tamper(shared_set, "UPDATE marks SET level = 'Level 1', needs_review = 1")
    assert check_set_file(shared_set) == "13B Russia"


def test_a_newer_or_unknown_format_version_is_refused(shared_set):
    _tamper(shared_set, "PRAGMA user_version = 99")
    _refused(shared_set, "newer")


def test_odd_file_names_are_read_as_plain_names(shared_set, tmp_path):
    hashed = shared_set.with_name("13B mock #2.markset")
    hashed.write_bytes(shared_set.read_bytes())
    target = import_set_file(hashed)
    assert target.is_file()
    # nothing stray is created beside the source
    assert sorted(p.name for p in hashed.parent.iterdir()) == ["13B mock #2.markset", "13B.markset"]
    # a name that would be a path inside a URI opens exactly this file
    folder = tmp_path / "odd"
    folder.mkdir()
    (tmp_path / "other.markset").write_bytes(b"not this one")
    tricky = folder / "..%2fother.markset"
    tricky.write_bytes(shared_set.read_bytes())
    with MarkingSet.open(import_set_file(tricky)) as ms:
        assert ms.total(ScriptId(1)) == 18


def test_changes_in_a_wal_file_beside_the_source_come_with_it(tmp_path, essay_scheme, make_draft):
    source = tmp_path / "usb" / "open-elsewhere.markset"
    source.parent.mkdir()
    # a set still open in WAL mode elsewhere: its newest mark is only in the -wal file
    with MarkingSet.create(source, "Open elsewhere", essay_scheme) as ms:
        ms.add_script(make_draft())
    code = (
        "import sqlite3, os, sys; db = sqlite3.connect(sys.argv[1]);"
        "db.execute('PRAGMA wal_autocheckpoint=0');"
        "db.execute(\"INSERT INTO meta(key, value) VALUES ('note', 'from the wal')\"); db.commit();"
        "os._exit(0)"  # leave the WAL in place, as a crash or a copied-while-open file would
    )
    subprocess.run([sys.executable, "-c", code, str(source)], check=True)
    assert source.with_name(source.name + "-wal").stat().st_size > 0
    target = import_set_file(source)
    db = sqlite3.connect(target)
    try:
        assert db.execute("SELECT value FROM meta WHERE key='note'").fetchone() == ("from the wal",)
    finally:
        db.close()


def test_a_crafted_wal_is_checked_like_the_file(tmp_path, essay_scheme, make_draft):
    source = tmp_path / "usb" / "wal-trigger.markset"
    source.parent.mkdir()
    with MarkingSet.create(source, "Crafted", essay_scheme) as ms:
        ms.add_script(make_draft())
    code = (
        "import sqlite3, os, sys; db = sqlite3.connect(sys.argv[1]);"
        "db.execute('PRAGMA wal_autocheckpoint=0');"
        "db.execute('CREATE TRIGGER t AFTER INSERT ON marks BEGIN DELETE FROM marks; END');"
        "db.commit(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(source)], check=True)
    _refused(source, "trigger")


def test_not_a_set_and_random_bytes_are_refused(tmp_path):
    junk = tmp_path / "junk.markset"
    junk.write_bytes(b"\x00" * 5000)
    _refused(junk, "not a marking set")
    other = tmp_path / "other.markset"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    _refused(other)


def test_the_check_runs_with_a_time_limit(shared_set):
    # a big but well-formed file: with no time left, the first long query is cut off
    _tamper(shared_set, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                        "WHERE x < 20000) INSERT INTO bank(kind, text, position) "
                        "SELECT 'general', 'comment ' || x, x FROM n;")
    with pytest.raises(SetError, match="too long"):
        check_set_file(shared_set, seconds=0.0)


def test_the_stored_scheme_json_is_checked(shared_set):
    db = sqlite3.connect(shared_set)
    scheme = json.loads(db.execute("SELECT json FROM schemes").fetchone()[0])
    scheme["criteria"][0]["levels"][1]["min"] = 3  # overlaps Level 0..
    db.execute("UPDATE schemes SET json = ?", (json.dumps(scheme),))
    db.commit()
    db.close()
    _refused(shared_set, "scheme")
