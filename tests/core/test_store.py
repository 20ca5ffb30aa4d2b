"""The marking-set store: what a teacher relies on when the laptop dies mid-marking."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from rubric.errors import MarkError, NotFoundError, SetError, SetLockedError
from rubric.ids import ScriptId
from rubric.record import replace
from rubric.scheme import Level
from rubric.store import MarkingSet, find_passage
from rubric.store import markingset as markingset_module
from rubric.store.backups import list_backups
from rubric.store.library import import_set_file, new_set


def raw(path):
    """A second, independent connection: sees only what was committed."""
    return sqlite3.connect(path)


def test_new_set_file_is_wal_full_sync_with_foreign_keys_and_version(marking_set):
    db = marking_set._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    other = raw(marking_set.path)
    assert other.execute("PRAGMA user_version").fetchone()[0] >= 1
    assert other.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == \
        str(markingset_module.SCHEMA_VERSION)


def test_script_round_trip_keeps_every_character_and_the_source_bytes(make_draft, marking_set):
    draft = make_draft()
    draft.source_bytes = b"PK\x03\x04 original bytes"
    script_id = marking_set.add_script(draft).created
    script = marking_set.script(script_id)
    assert script.text == draft.text
    assert "regime’s repression — not reform" in script.text
    assert script.candidate == "Jane Smith (1234)"
    assert script.title.startswith("‘Stolypin’s")
    assert script.word_count == draft.word_count
    assert marking_set.source_bytes(script_id) == b"PK\x03\x04 original bytes"
    assert script.source_hash == draft.source_hash


def test_every_change_is_committed_before_the_call_returns(make_draft, marking_set):
    script_id = marking_set.add_script(make_draft()).created
    marking_set.set_mark(script_id, "AO1", 17)
    marking_set.set_comments(script_id, www="Sharp judgement", ebi="Use more precise dates")
    marking_set.annotate_quote(script_id, "loyal peasantry", "Good link to the question", "AO1")
    other = raw(marking_set.path)
    assert other.execute("SELECT level, mark FROM marks").fetchall() == [("Level 4", 17)]
    assert other.execute("SELECT www, ebi FROM overall_comments").fetchall() == [
        ("Sharp judgement", "Use more precise dates")]
    assert other.execute("SELECT quote, comment, criterion FROM annotations").fetchall() == [
        ("loyal peasantry", "Good link to the question", "AO1")]


def test_mark_outside_level_or_maximum_is_refused_with_a_clear_message(make_draft, marking_set):
    script_id = marking_set.add_script(make_draft()).created
    with pytest.raises(MarkError, match=r"AO1: 26 is above the maximum of 25"):
        marking_set.set_mark(script_id, "AO1", 26)
    with pytest.raises(MarkError, match=r"AO1: 14 is outside Level 4 \(16–20\)"):
        marking_set.set_mark(script_id, "AO1", 14, level="Level 4")
    with pytest.raises(MarkError, match=r"AO1: -1 is below 0"):
        marking_set.set_mark(script_id, "AO1", -1)
    with pytest.raises(MarkError, match=r"no criterion 'AO3' in the scheme \(criteria: AO1\)"):
        marking_set.set_mark(script_id, "AO3", 5)
    with pytest.raises(MarkError, match=r"no level 'Level 9'"):
        marking_set.set_level(script_id, "AO1", "Level 9")
    assert marking_set.marks(script_id) == []


def test_level_first_then_mark_within_the_level(make_draft, marking_set):
    script_id = marking_set.add_script(make_draft()).created
    marking_set.set_level(script_id, "AO1", "Level 4")
    mark = marking_set.marks_for(script_id)["AO1"]
    assert (mark.level, mark.mark) == ("Level 4", None)
    assert marking_set.total(script_id) is None
    marking_set.set_mark(script_id, "AO1", 19, level="Level 4")
    assert marking_set.total(script_id) == 19
    # choosing another level drops a mark that no longer fits, keeps one that does
    marking_set.set_level(script_id, "AO1", "Level 5")
    assert marking_set.marks_for(script_id)["AO1"].mark is None
    marking_set.set_level(script_id, "AO1", "Level 0")
    assert marking_set.marks_for(script_id)["AO1"].mark == 0


def test_marks_are_per_marker_and_audit_log_records_old_and_new(make_draft, marking_set):
    script_id = marking_set.add_script(make_draft()).created
    marking_set.use_marker("Ms Patel", role="teacher")
    teacher = marking_set.current_marker
    marking_set.set_mark(script_id, "AO1", 12)
    marking_set.set_mark(script_id, "AO1", 13)
    marking_set.use_marker("Mr Okafor", "KO", role="moderator")
    moderator = marking_set.current_marker
    marking_set.set_mark(script_id, "AO1", 16)
    assert marking_set.total(script_id, teacher.id) == 13
    assert marking_set.total(script_id, moderator.id) == 16
    assert marking_set.status(script_id) == "moderated"
    entries = [e for e in marking_set.audit_log(script_id) if e.action == "set mark"]
    assert entries[-1].old is None and entries[-1].new["mark"] == 12
    assert entries[-2].old["mark"] == 12 and entries[-2].new["mark"] == 13
    assert entries[0].marker_id == moderator.id
    assert {m.initials for m in marking_set.markers()} >= {"MP", "KO"}


def test_status_moves_from_unmarked_to_marked(make_draft, marking_set):
    script_id = marking_set.add_script(make_draft()).created
    assert marking_set.status(script_id) == "unmarked"
    marking_set.set_comments(script_id, www="Clear line of argument")
    assert marking_set.status(script_id) == "in progress"
    marking_set.set_complete(script_id)
    assert marking_set.status(script_id) == "marked"


def test_annotations_anchor_to_passages_and_can_be_edited_and_deleted(make_draft, marking_set):
    script_id = marking_set.add_script(make_draft()).created
    text = marking_set.script(script_id).text
    start = text.index("repression")
    changes = marking_set.add_annotation(script_id, start, start + len("repression"),
                                         "Which repression? Name it", "AO1")
    annotation = marking_set.annotation(changes.created)
    assert annotation.quote == "repression"
    marking_set.update_annotation(annotation.id, comment="Precise example needed")
    marking_set.update_annotation(annotation.id, criterion=None)
    edited = marking_set.annotation(annotation.id)
    assert (edited.comment, edited.criterion) == ("Precise example needed", None)
    marking_set.delete_annotation(annotation.id)
    with pytest.raises(NotFoundError):
        marking_set.annotation(annotation.id)
    # undo restores it under the same id
    marking_set.add_annotation(script_id, start, start + 10, "back", annotation_id=annotation.id)
    assert marking_set.annotation(annotation.id).comment == "back"
    with pytest.raises(MarkError, match="outside the script"):
        marking_set.add_annotation(script_id, 5, len(text) + 5, "too far")


def test_find_passage_ignores_line_breaks_and_spacing():
    text = "The Duma was\nweak  and divided."
    assert find_passage(text, "was weak and divided") == (9, len(text) - 1)
    assert find_passage(text, "not there") is None


def test_editing_the_scheme_keeps_marks_and_flags_those_that_no_longer_fit(make_draft, marking_set):
    first = marking_set.add_script(make_draft("Amy Lee", "1", seed="a")).created
    second = marking_set.add_script(make_draft("Ben Ray", "2", seed="b")).created
    marking_set.set_mark(first, "AO1", 17)
    marking_set.set_mark(second, "AO1", 22)
    scheme = marking_set.scheme
    ao1 = scheme.criteria[0]
    # narrow Level 4 to 16–18 and widen Level 5 to 19–25
    levels = list(ao1.levels)
    levels[-2] = replace(levels[-2], max_mark=18)
    levels[-1] = replace(levels[-1], min_mark=19)
    edited = replace(scheme, criteria=(replace(ao1, levels=tuple(levels)),))
    assert marking_set.conflicts_with(edited) == []
    levels[-2] = replace(levels[-2], max_mark=16)
    levels[-1] = replace(levels[-1], min_mark=17)
    edited = replace(scheme, criteria=(replace(ao1, levels=tuple(levels)),))
    conflicts = marking_set.conflicts_with(edited)
    assert [c.mark.script_id for c in conflicts] == [first]
    assert "17 is now outside Level 4 (16)" in conflicts[0].reason
    changes = marking_set.update_scheme(edited)
    assert changes.scheme and first in changes.scripts
    assert marking_set.scheme_version == 2
    kept = marking_set.marks_for(first)["AO1"]
    assert (kept.level, kept.mark, kept.needs_review) == ("Level 4", 17, True)
    assert not marking_set.marks_for(second)["AO1"].needs_review
    # re-marking clears the flag
    marking_set.set_mark(first, "AO1", 17)
    assert not marking_set.marks_for(first)["AO1"].needs_review
    assert marking_set.marks_needing_review() == []


def test_an_invalid_scheme_is_never_stored(marking_set):
    ao1 = marking_set.scheme.criteria[0]
    broken = replace(marking_set.scheme, criteria=(
        replace(ao1, levels=ao1.levels[:-1] + (Level("Level 5", 20, 25, "x"),)),))
    with pytest.raises(Exception, match="overlaps"):
        marking_set.update_scheme(broken)
    assert marking_set.scheme_version == 1


def test_a_second_opener_is_told_the_set_is_open_elsewhere(marking_set):
    with pytest.raises(SetLockedError, match="open in another window"):
        MarkingSet.open(marking_set.path)
    code = (
        "import sys\n"
        "from rubric.store import MarkingSet\n"
        "from rubric.errors import SetLockedError\n"
        "try:\n"
        f"    MarkingSet.open({str(marking_set.path)!r})\n"
        "except SetLockedError as e:\n"
        "    print(e); sys.exit(3)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 3, result.stderr
    assert "open in another window" in result.stdout
    marking_set.close()
    MarkingSet.open(marking_set.path).close()  # free again once closed


def test_closing_a_set_leaves_no_lock_file_beside_it(marking_set):
    """A set opened in place (on a USB stick) gets no ``.lock`` litter: the lock file goes
    when the set is closed, and a crashed opener's stale one is reused and then removed."""
    lock_file = marking_set.path.with_name(marking_set.path.name + ".lock")
    assert lock_file.exists()
    marking_set.close()
    assert not lock_file.exists()
    lock_file.write_bytes(b"")  # left by a process that was killed
    with MarkingSet.open(marking_set.path) as reopened:
        assert reopened.path == marking_set.path
    assert not lock_file.exists()
    assert sorted(p.name for p in marking_set.path.parent.iterdir()
                  if p.name.startswith(marking_set.path.name)) == [marking_set.path.name]


def test_a_lock_file_removed_by_its_holder_is_never_shared(tmp_path):
    """Two openers racing the holder's close: the one that opened the old lock file just
    before it was removed must not think it holds the set while another locks the new one."""
    import os

    from rubric.store.lock import SetLock

    set_path = tmp_path / "13B.markset"
    set_path.write_bytes(b"")
    holder = SetLock(set_path)
    holder.acquire()
    late = os.open(holder.path, os.O_RDWR)  # opened just before the holder closes
    holder.release()
    assert not holder.path.exists()
    first = SetLock(set_path)
    first.acquire()  # locks the path's new file
    try:
        import fcntl
        fcntl.flock(late, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the old file: free, but unnamed
        assert os.fstat(late).st_ino != os.stat(first.path).st_ino
        with pytest.raises(SetLockedError):
            SetLock(set_path).acquire()
    finally:
        os.close(late)
        first.release()


def test_not_a_marking_set_gives_a_clear_error(tmp_path):
    junk = tmp_path / "notes.markset"
    junk.write_bytes(b"hello, this is not a database")
    with pytest.raises(SetError, match="notes.markset: this is not a marking set"):
        MarkingSet.open(junk)
    other = tmp_path / "other.markset"
    db = sqlite3.connect(other)
    db.execute("PRAGMA application_id=1234")
    db.execute("CREATE TABLE t(x)")
    db.commit()
    db.close()
    with pytest.raises(SetError, match="another program"):
        MarkingSet.open(other)


def test_sets_live_in_the_data_folder_and_shared_files_are_copied_in(make_draft, fresh_data_dir, tmp_path,
                                                                    essay_scheme):
    path = new_set("13B Russia", essay_scheme)
    assert path.parent == fresh_data_dir / "sets"
    with MarkingSet.open(path) as ms:
        script_id = ms.add_script(make_draft()).created
        ms.set_mark(script_id, "AO1", 18)
        shared = ms.export_to(tmp_path / "usb" / "for-moderator.markset")
    # the snapshot is one self-contained file (no -wal needed)
    assert not (tmp_path / "usb" / "for-moderator.markset-wal").exists()
    copy = import_set_file(shared)
    assert copy.parent == fresh_data_dir / "sets" and copy != path
    with MarkingSet.open(copy) as ms:
        assert ms.total(ms.script_ids()[0]) == 18
        assert ms.name == "13B Russia"
    with pytest.raises(SetError, match="not a marking set"):
        bogus = tmp_path / "bogus.markset"
        bogus.write_text("nope")
        import_set_file(bogus)


def test_new_sets_start_with_the_bundled_comment_bank(essay_scheme):
    with MarkingSet.open(new_set("Bank", essay_scheme)) as ms:
        bank = ms.bank()
        assert len(bank) >= 20
        assert {c.kind for c in bank} >= {"www", "ebi", "annotation"}
        changes = ms.add_bank_comment("Link every paragraph to ‘validity’", "ebi", "AO1")
        assert ms.bank()[-1].id == changes.created


def test_rolling_backups_keep_the_newest_n(marking_set, monkeypatch):
    marking_set.backup_keep = 3
    for _ in range(5):
        marking_set.backup_now()
    backups = list_backups(marking_set.path)
    assert len(backups) == 3
    restored = sqlite3.connect(backups[0])
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_opening_an_older_set_backs_it_up_then_migrates(make_draft, tmp_path, essay_scheme, monkeypatch):
    path = tmp_path / "old.markset"
    with MarkingSet.create(path, "Old", essay_scheme) as ms:
        script_id = ms.add_script(make_draft()).created
        ms.set_mark(script_id, "AO1", 9)

    def add_notes_column(db):
        db.execute("ALTER TABLE scripts ADD COLUMN notes TEXT NOT NULL DEFAULT ''")

    current = markingset_module.SCHEMA_VERSION
    monkeypatch.setattr(markingset_module, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(markingset_module.MIGRATIONS, current, add_notes_column)
    with MarkingSet.open(path) as ms:
        assert ms._db.execute("PRAGMA user_version").fetchone()[0] == current + 1
        assert ms.total(script_id) == 9
        columns = [r[1] for r in ms._db.execute("PRAGMA table_info(scripts)")]
        assert "notes" in columns
    before = [p for p in list_backups(path) if f"before-upgrade-v{current}" in p.name]
    assert len(before) == 1
    old = sqlite3.connect(before[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == current


def _make_v2_set(path, scheme, make_draft, scripts: int = 3) -> None:
    """A set as format 2 wrote it: the migrations up to 2, then rows (no import indexes)."""
    from rubric.store.schema import MIGRATIONS

    db = sqlite3.connect(path, isolation_level=None)
    for step in range(2):
        MIGRATIONS[step](db)
    db.execute("PRAGMA user_version=2")
    db.execute(f"PRAGMA application_id={markingset_module.APPLICATION_ID}")
    db.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                   [("name", "Format 2 set"), ("schema_version", "2")])
    db.execute("INSERT INTO schemes(version, json, created_at) VALUES (1, ?, 'then')",
               (scheme.to_json(),))
    for n in range(scripts):
        draft = make_draft(f"Student {n}", str(100 + n), seed=f"v2-{n}")
        db.execute(
            "INSERT INTO scripts(position, candidate_name, candidate_number, file_name, format,"
            " source_hash, paragraphs, word_count, coursework_word_count, warnings, imported_at)"
            " VALUES (?, ?, ?, ?, 'docx', ?, ?, ?, ?, '[]', 'then')",
            (n + 1, draft.candidate_name, draft.candidate_number, draft.path.name,
             f"hash-{n}", '[["body", "A short answer."]]', 3, 3))
        db.execute("INSERT INTO script_sources(script_id, bytes) VALUES (?, x'00')", (n + 1,))
    db.close()


def _indexes(path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")}
    finally:
        db.close()


def test_a_format_2_set_opens_gets_the_import_indexes_and_still_passes_the_check(
        tmp_path, essay_scheme, make_draft):
    from rubric.store.schema import SCHEMA_VERSION
    from rubric.store.verify import check_set_file

    path = tmp_path / "v2.markset"
    _make_v2_set(path, essay_scheme, make_draft)
    assert "scripts_by_hash" not in _indexes(path)
    assert check_set_file(path) == "Format 2 set"  # a colleague's format-2 file is accepted
    with MarkingSet.open(path) as ms:
        assert ms._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 3
        assert [s.candidate_name for s in ms.scripts()] == ["Student 0", "Student 1", "Student 2"]
        assert ms.script_with_hash("hash-1") == 2
        plan = " ".join(str(r) for r in ms._db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM scripts WHERE source_hash=? AND removed_at IS NULL",
            ("hash-1",)))
        assert "scripts_by_hash" in plan
        plan = " ".join(str(r) for r in ms._db.execute(
            "EXPLAIN QUERY PLAN SELECT COALESCE(MAX(position), 0) + 1 FROM scripts"))
        assert "scripts_by_position" in plan
        added = ms.add_script(make_draft("New Student", "200", seed="v3")).created
        assert ms.summary(added).position == 4
    assert {"scripts_by_hash", "scripts_by_position"} <= _indexes(path)
    assert any("before-upgrade-v2" in p.name for p in list_backups(path))
    assert check_set_file(path) == "Format 2 set"  # the migrated file is one of ours
    # a format-3 file without its index is not one Essay Marker made
    db = sqlite3.connect(path)
    db.execute("DROP INDEX scripts_by_position")
    db.commit()
    db.close()
    with pytest.raises(SetError, match="scripts_by_position"):
        check_set_file(path)


def test_a_set_from_a_newer_app_is_refused(tmp_path, essay_scheme):
    path = tmp_path / "future.markset"
    MarkingSet.create(path, "Future", essay_scheme).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.commit()
    db.close()
    with pytest.raises(SetError, match="newer Essay Marker"):
        MarkingSet.open(path)


def test_backups_are_taken_before_the_first_change_and_spaced_in_time(tmp_path, essay_scheme,
                                                                     make_draft):
    path = tmp_path / "b.markset"
    MarkingSet.create(path, "B", essay_scheme).close()
    created = len(list_backups(path))
    MarkingSet.open(path).close()          # only looking: no new backup
    assert len(list_backups(path)) == created
    with MarkingSet.open(path) as ms:
        ms.backup_every_seconds = 0        # as if the last backup were old
        ms.add_script(make_draft())
        first = list_backups(path)
        assert len(first) == created + 1    # the state before this session's changes
        assert sqlite3.connect(first[0]).execute("SELECT COUNT(*) FROM scripts").fetchone() == (0,)
    # the next session, straight after: a recent backup exists, so no whole-set copy
    # on opening nor on closing (a CLI call per mark must not copy the set twice)
    for number in range(3):
        with MarkingSet.open(path) as ms:
            ms.add_script(make_draft(number=f"20{number}", seed=f"Seed{number}"))
    assert len(list_backups(path)) <= created + 2


def test_a_failed_backup_never_stops_a_mark(tmp_path, essay_scheme, make_draft, monkeypatch):
    from rubric.safe_write import ExportError
    from rubric.store import backups

    path = tmp_path / "full.markset"
    MarkingSet.create(path, "Full disk", essay_scheme).close()

    def disk_full(db, set_path, keep=10, reason=None):
        raise ExportError(set_path, "the disk is full")

    monkeypatch.setattr(backups, "backup_set", disk_full)
    with MarkingSet.open(path) as ms:
        ms.backup_every_seconds = 0
        ms.add_script(make_draft())
        ms.set_mark(ScriptId(1), "AO1", 18, "Level 4")       # committed, not an error
        assert ms.backup_problem == "the backup could not be written: the disk is full"
    with MarkingSet.open(path) as ms:
        assert ms.total(ScriptId(1)) == 18


def test_backup_retention_keeps_ten_newest_and_one_a_day(tmp_path):
    from datetime import datetime, timedelta

    from rubric.store.backups import BackupInfo, to_remove

    now = datetime(2026, 12, 1, 22, 0)
    infos = [BackupInfo(tmp_path / f"{i}.markset", now - timedelta(hours=6 * i), 1, "")
             for i in range(80)]  # four a day for 20 days
    infos.append(BackupInfo(tmp_path / "up.markset", now - timedelta(days=30), 1, "before-upgrade-v1"))
    removed = {i.path for i in to_remove(infos, now)}
    kept = [i for i in infos if i.path not in removed]
    assert all(i.path not in removed for i in infos[:10])            # the newest ten
    days = {i.taken_at.date() for i in kept if (now - i.taken_at).days < 14}
    assert len(days) == 14                                           # one for each of 14 days
    assert not any((now - i.taken_at).days >= 14 for i in kept if not i.reason)
    assert tmp_path / "up.markset" not in removed                    # before an upgrade: kept
    assert len(kept) <= 10 + 14 + 1


def test_typing_a_comment_is_one_audit_entry_per_pause(marking_set, make_draft):
    marking_set.add_script(make_draft())
    before = len(marking_set.audit_log(ScriptId(1)))
    text = ""
    for char in "Sustained, well-judged argument about the Duma." * 12:
        text += char
        marking_set.set_comments(ScriptId(1), www=text)
    entries = marking_set.audit_log(ScriptId(1))
    assert len(entries) == before + 1
    assert entries[0].new == {"www": text} and entries[0].old == {"www": ""}
    marking_set.typing_pause_seconds = -1                            # a pause in typing
    marking_set.set_comments(ScriptId(1), www=text + " Next.")
    assert len(marking_set.audit_log(ScriptId(1))) == before + 2


def test_whitespace_for_trim_is_what_str_strip_takes_away():
    from rubric.store.markingset import _WHITESPACE

    assert _WHITESPACE == "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def test_an_opener_whose_lock_file_vanished_before_it_locked_tries_again(tmp_path, monkeypatch):
    import os

    from rubric.store import lock as lock_module

    set_path = tmp_path / "13B.markset"
    set_path.write_bytes(b"")
    real_try_lock = lock_module._try_lock
    calls = []

    def holder_closes_first(fd):
        calls.append(fd)
        if len(calls) == 1:  # the holder released and removed the file after our open
            os.unlink(set_path.with_name("13B.markset.lock"))
        return real_try_lock(fd)

    monkeypatch.setattr(lock_module, "_try_lock", holder_closes_first)
    opener = lock_module.SetLock(set_path)
    opener.acquire()
    try:
        assert len(calls) == 2  # the first lock was on an unnamed file: it tried again
        assert os.fstat(opener._fd).st_ino == os.stat(opener.path).st_ino
    finally:
        opener.release()
    assert not opener.path.exists()
