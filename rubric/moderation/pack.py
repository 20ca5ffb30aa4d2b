"""A moderation pack: a copy of a marked set holding only the sampled scripts, with their
Word feedback and a markbook beside it.

The pack starts as a consistent snapshot of the whole set (SQLite's backup API, so it keeps
every row's identity and the set's own, and the moderator's marks can be merged back).
Then, in that private copy and in one transaction, every row of every other script is
deleted — the scripts themselves, their files, marks, comments, annotations and audit
entries, and any other table's rows that name a script — with ``secure_delete`` on and a
``VACUUM`` after, so no other student's essay survives in the file's free pages. The copy is
checked as any set from elsewhere is (:func:`rubric.store.verify.check_set_file`) before it
replaces the target, atomically.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rubric.errors import SetError
from rubric.safe_write import ExportError, describe_os_error


@dataclass
class SamplePack:
    """The files a pack is made of (the set file first)."""

    pack: Path
    feedback: list[Path] = field(default_factory=list)
    markbook: Path | None = None
    failed: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [self.pack, *self.feedback, *([self.markbook] if self.markbook else [])]


def feedback_folder(pack: Path) -> Path:
    return pack.with_name(f"{pack.stem} feedback")


def markbook_path(pack: Path) -> Path:
    return pack.with_name(f"{pack.stem} markbook.xlsx")


def _script_columns(db: sqlite3.Connection) -> dict[str, list[str]]:
    """Every table's columns that name a script: a foreign key to ``scripts`` or a column
    called ``script_id`` (the audit log's has no foreign key)."""
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    found: dict[str, list[str]] = {}
    for table in tables:
        if table == "scripts":
            continue
        columns = {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}
        named = {c for c in columns if c == "script_id"}
        named |= {row[3] for row in db.execute(f'PRAGMA foreign_key_list("{table}")')
                  if row[2] == "scripts"}
        if named:
            found[table] = sorted(named)
    return found


def keep_only(path: Path, script_ids: Sequence[int]) -> None:
    """Delete from the set file at ``path`` (a private copy) every script but
    ``script_ids`` and every row that names another script, in one transaction; then
    reclaim the space. Raises :class:`SetError` (leaving the copy unusable) if a sampled
    script is missing or a row would be left pointing nowhere."""
    db = sqlite3.connect(str(path), isolation_level=None)
    try:
        db.execute("PRAGMA trusted_schema=OFF")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA secure_delete=ON")
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TEMP TABLE keep_scripts(id INTEGER PRIMARY KEY)")
            db.executemany("INSERT OR IGNORE INTO temp.keep_scripts(id) VALUES (?)",
                           [(int(i),) for i in script_ids])
            wanted = db.execute("SELECT count(*) FROM temp.keep_scripts").fetchone()[0]
            present = db.execute(
                "SELECT count(*) FROM scripts WHERE removed_at IS NULL AND id IN"
                " (SELECT id FROM temp.keep_scripts)").fetchone()[0]
            if present != wanted:
                raise SetError(f"{wanted - present} of the sampled scripts are not in the set")
            for table, columns in _script_columns(db).items():
                clause = " OR ".join(
                    f'("{c}" IS NOT NULL AND "{c}" NOT IN (SELECT id FROM temp.keep_scripts))'
                    for c in columns)
                db.execute(f'DELETE FROM "{table}" WHERE {clause}')
            db.execute("DELETE FROM scripts WHERE id NOT IN (SELECT id FROM temp.keep_scripts)")
            if db.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise SetError("the sample would leave rows pointing to scripts it lacks")
            db.execute("DROP TABLE temp.keep_scripts")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("VACUUM")
    finally:
        db.close()


def write_sample_pack(marking_set, script_ids: Sequence[int], target: str | Path, *,
                      force: bool = False, marker=None, word_options=None) -> SamplePack:
    """Write the pack for ``script_ids`` at ``target`` (a ``.markset``), with each sampled
    script's Word feedback in ``<pack> feedback/`` and the pack's markbook as
    ``<pack> markbook.xlsx`` beside it. ``marker`` (an id) is whose marks the feedback and
    markbook show (None: each script's teacher). The set file is written last and
    atomically; an existing pack (and the feedback in its folder) is replaced only with
    ``force`` (never a live set)."""
    from rubric.export import WordOptions, export_feedback_folder, export_markbook
    from rubric.store import MarkingSet
    from rubric.store.library import check_export_target
    from rubric.store.verify import check_set_file

    if not script_ids:
        raise SetError("the sample is empty: there is nothing to put in a pack")
    target = check_export_target(marking_set, Path(target), force=force)
    old_feedback = sorted(feedback_folder(target).glob("*.docx"))
    if old_feedback and not force:
        raise SetError(f"{feedback_folder(target).name}: the folder already holds feedback "
                       "files; use --force to replace them")
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".sample-pack-", dir=folder))
    except OSError as exc:
        raise ExportError(target, describe_os_error(exc)) from None
    result = SamplePack(target)
    try:
        copy = work / target.name
        marking_set.export_to(copy)
        keep_only(copy, script_ids)
        check_set_file(copy, target.name)
        # The Word files and the markbook come from a scratch copy of the pack itself, so
        # they show exactly what the pack holds (opening a set writes beside it: WAL, lock).
        scratch = work / f"scratch-{target.name}"
        shutil.copyfile(copy, scratch)
        options = word_options or WordOptions(processes=1)
        if marker is not None:
            from rubric.record import replace

            options = replace(options, marker=marker)
        with MarkingSet.open(scratch) as pack:
            report = export_feedback_folder(pack, feedback_folder(target), options)
            result.feedback = list(report.written)
            # the pack's own folder: feedback of scripts no longer sampled must not linger
            for stale in set(old_feedback) - set(result.feedback):
                stale.unlink(missing_ok=True)
            result.failed += list(report.failed)
            book = markbook_path(target)
            export_markbook(pack, book, marker)
            result.markbook = book
        try:
            with open(copy, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(copy, target)
        except OSError as exc:
            raise ExportError(target, describe_os_error(exc)) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result
