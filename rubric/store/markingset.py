"""A marking set: one SQLite file holding the scheme, scripts, markers, marks, annotations,
overall comments, the comment bank and an audit log.

Every mutating method commits before it returns (WAL journal, ``synchronous=FULL``), so
killing the process afterwards loses nothing, and returns a :class:`Changes` object.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rubric import marking
from rubric.errors import MarkError, NotFoundError, SetError
from rubric.ids import AnnotationId, BankCommentId, MarkerId, MarkId, ScriptId, new_row_uuid
from rubric.importing.model import ImportOptions, Paragraph, ScriptDraft, ScriptWarning
from rubric.record import record
from rubric.safe_write import ExportError, describe_os_error
from rubric.scheme import Scheme, scheme_from_json
from rubric.store import backups
from rubric.store.judging import JudgingWork
from rubric.store.lock import SetLock
from rubric.store.markers import MarkerWork
from rubric.store.records import (
    COMMENT_KINDS,
    ROLES,
    Annotation,
    AuditEntry,
    BankComment,
    Changes,
    Mark,
    MarkConflict,
    Marker,
    OverallComment,
    Role,
    Script,
    ScriptSummary,
    Status,
    candidate_label,
    initials_of,
)
from rubric.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    from rubric.importing.parallel import Readers

APPLICATION_ID = 0x45534D4B  # "ESMK": marks the SQLite file as a marking set
_UNKNOWN = object()   # not looked up yet
#: What str.strip() takes away, for SQLite's trim(): every character below U+3001 for
#: which str.isspace() is true (written out: computing it cost ~3 ms of every CLI call;
#: tests/test_store.py checks it against str.isspace)
_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
               "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _initials(name: str) -> str:
    return initials_of(name)


def _uuid() -> str:
    """A new row identity that survives copying the set to another machine."""
    return new_row_uuid()


def _already_in_set(file_name: str, summary: ScriptSummary) -> str:
    """Why a file is skipped when the same file is in the set, naming the script only by
    what the line does not already say (never "a.docx: … (same file as a)")."""
    named = summary.candidate if summary.candidate_name.strip() else ""
    if summary.file_name == file_name:
        return f"already in this set, as {named}" if named else "already in this set"
    same = f"the same file as {summary.file_name}, already in this set"
    return f"{same} as {named}" if named else same


@record
class FileReplacement:
    """What replacing a script's file did to its annotations: ``kept`` in place, ``moved``
    to where their passage now is, ``lost`` (their passage is not in the new text)."""

    script_id: ScriptId
    changes: Changes
    kept: int = 0
    moved: int = 0
    lost: tuple[AnnotationId, ...] = ()

    @property
    def reanchored(self) -> int:
        return self.kept + self.moved

    def line(self) -> str:
        total = self.reanchored + len(self.lost)
        if not total:
            return "file replaced (no annotations to re-anchor)"
        text = f"file replaced: {self.reanchored} of {total} annotations re-anchored"
        if self.lost:
            text += (f"; {len(self.lost)} could not be found in the new text (kept, flagged "
                     "in the annotation list)")
        return text


@record
class ImportOutcome:
    """One file of an import into a set: imported (with its id), skipped, or failed."""

    path: Path
    script_id: ScriptId | None = None
    skipped: bool = False
    error: str | None = None
    candidate: str = ""
    warnings: tuple[str, ...] = ()
    #: The file was already in the set and a new file-name pattern read other names from
    #: it: the script's names were updated (``old_candidate`` → ``candidate``).
    updated: bool = False
    old_candidate: str = ""
    #: What adding the file changed in the set (empty when it was skipped or failed).
    changes: Changes = Changes()

    @property
    def imported(self) -> bool:
        return self.script_id is not None and not self.updated

    def line(self) -> str:
        """One line for the user: ``imported``, ``names updated``, ``skipped: reason`` or
        ``failed: reason``."""
        if self.updated:
            return f"names updated  {self.path.name}: {self.old_candidate} → {self.candidate}"
        if self.imported:
            extra = f" ({'; '.join(self.warnings)})" if self.warnings else ""
            shown = self.candidate or (
                f"no candidate name (shown as “{candidate_label('', '', self.path.name)}”)")
            return f"imported  {self.path.name}: {shown}{extra}"
        if self.skipped:
            return f"skipped   {self.path.name}: {self.reason}"
        return f"failed    {self.path.name}: {self.reason}"

    @property
    def reason(self) -> str:
        """Why the file was skipped or failed, without the file name the line already
        starts with (importers' messages begin "essay.docx: …")."""
        error = self.error or ""
        prefix = f"{self.path.name}: "
        return error[len(prefix):] if error.startswith(prefix) else error


class MarkingSet(MarkerWork, JudgingWork):
    """An open marking set. Use :meth:`create` or :meth:`open`; close it (or use ``with``)."""

    backup_keep = 10
    backup_every_seconds = 10 * 60

    def __init__(self, path: Path, db: sqlite3.Connection, lock: SetLock):
        self.path = path
        self._db = db
        self._lock = lock
        self._scheme: Scheme | None = None
        self._scheme_version = 0
        self._marker: Marker | None = None
        self._last_backup = time.monotonic()
        self._backup_pending = False
        self._changes_since_backup = 0
        self._backup_thread: threading.Thread | None = None
        #: When (time.monotonic()) the newest backup of the set was taken; None when it
        #: has none; _UNKNOWN until the backups folder was read (once a session: the set is
        #: locked to this session, so after that the newest backups are its own).
        self._newest_backup: float | object | None = _UNKNOWN
        #: Why the last backup failed ("the backup could not be written: the disk is
        #: full"), or None. A failed backup never stops a change: callers show this.
        self.backup_problem: str | None = None
        self._closed = False
        self._depth = 0   # nesting of _transaction (savepoints inside an atomic() block)

    # -- opening and closing ------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, name: str, scheme: Scheme) -> MarkingSet:
        """A new, empty set at ``path`` (which must not exist) marked against ``scheme``."""
        path = Path(path)
        if path.exists():
            raise SetError(f"{path.name}: a file with this name already exists")
        scheme.validated()
        path.parent.mkdir(parents=True, exist_ok=True)
        marking_set = cls._connect(path, creating=True)
        try:
            with marking_set._transaction():
                db = marking_set._db
                db.executemany(
                    "INSERT INTO meta(key, value) VALUES (?, ?)",
                    [("name", name), ("created_at", _now())],
                )
                db.execute(
                    "INSERT INTO schemes(version, json, created_at) VALUES (1, ?, ?)",
                    (scheme.to_json(), _now()),
                )
                marking_set._audit("create set", new={"name": name, "scheme": scheme.id})
        except BaseException:
            marking_set.close()
            raise
        marking_set._load_scheme()
        return marking_set

    @classmethod
    def open(cls, path: str | Path) -> MarkingSet:
        """Open an existing set, migrating it (after a backup) if it is older than this app."""
        path = Path(path)
        if not path.is_file():
            raise SetError(f"{path.name}: no such marking set")
        marking_set = cls._connect(path, creating=False)
        try:
            marking_set._load_scheme()
            # The opening backup is taken just before the first change (not here), so
            # opening a set to look at it stays fast.
            marking_set._backup_pending = True
        except BaseException:
            marking_set.close()
            raise
        return marking_set

    @classmethod
    def _connect(cls, path: Path, creating: bool) -> MarkingSet:
        lock = SetLock(path)
        lock.acquire()
        try:
            if not creating:
                _check_is_marking_set(path)
            else:
                # private to the user from the first byte (SQLite gives its -wal and -shm
                # files the same permissions)
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            try:
                # a schema's functions and views never run with this connection's rights
                db.execute("PRAGMA trusted_schema=OFF")
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                db.execute("PRAGMA foreign_keys=ON")
                db.execute("PRAGMA busy_timeout=5000")
                marking_set = cls(path, db, lock)
                marking_set._migrate(creating)
            except sqlite3.DatabaseError as exc:
                db.close()
                raise SetError(f"{path.name}: cannot open the marking set ({exc})") from None
        except BaseException:
            lock.release()
            raise
        return marking_set

    def _migrate(self, creating: bool) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise SetError(
                f"{self.path.name}: made by a newer Essay Marker (format {version}); "
                "update the app to open it"
            )
        if version == SCHEMA_VERSION:
            return
        if version > 0 and not creating:
            backups.backup_set(self._db, self.path, reason=f"before-upgrade-v{version}")
        while version < SCHEMA_VERSION:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                MIGRATIONS[version](self._db)
                if self._db.in_transaction is False:
                    self._db.execute("BEGIN IMMEDIATE")
                version += 1
                self._db.execute(f"PRAGMA user_version={version}")
                self._db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                self._db.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(version),),
                )
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._wait_for_backup()
            if self._changes_since_backup and self._backup_due():  # this session's work
                self._try_backup()
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
        finally:
            self._db.close()
            self._lock.release()

    def __enter__(self) -> MarkingSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._closed

    # -- internals ---------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if self._closed:
            raise SetError(f"{self.path.name}: the set is closed")
        if self._depth:
            # Inside an atomic() block: a savepoint, so a failed step undoes only itself
            # and the whole block commits (or rolls back) once.
            name = f"step{self._depth}"
            self._db.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self._db
            except BaseException:
                self._db.execute(f"ROLLBACK TO {name}")
                self._db.execute(f"RELEASE {name}")
                raise
            else:
                self._db.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        if self._backup_pending:
            # the state before this session's first change, unless a recent backup has it
            self._backup_pending = False
            if self._backup_due():
                self._try_backup()
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")
        finally:
            self._depth = 0
        self._changes_since_backup += 1
        if time.monotonic() - self._last_backup > self.backup_every_seconds:
            self._backup_in_background()

    @contextmanager
    def atomic(self, operation: str | None = None,
               detail: dict[str, Any] | None = None) -> Iterator[MarkingSet]:
        """Make several changes as one: inside ``with marking_set.atomic():`` every change is
        saved when the block ends or, if anything in it raises, none is (the set is left
        exactly as it was, and the error propagates). With ``operation`` ("import
        markbook"), one audit entry (``detail`` as its new value) names the whole block,
        saved with its changes or not at all."""
        marker = self._marker
        try:
            with self._transaction():
                if operation is not None:
                    self._audit(operation, new=detail)
                yield self
        except BaseException:
            self._marker = marker
            if not self._closed:
                self._load_scheme()
            raise

    def _backup_due(self) -> bool:
        """No backup of this set is younger than ``backup_every_seconds`` (so a run of CLI
        calls, or reopening a set, does not copy the whole set each time). The backups
        folder is read at most once a session (a CLI call asks on its first change and
        again on closing)."""
        if self._newest_backup is _UNKNOWN:
            try:
                age = backups.newest_backup_age(self.path)
            except OSError:
                return True
            self._newest_backup = None if age is None else time.monotonic() - age
        newest = self._newest_backup
        return newest is None or time.monotonic() - newest >= self.backup_every_seconds

    def _backup_failed(self, exc: BaseException) -> None:
        reason = exc.reason if isinstance(exc, ExportError) else (
            describe_os_error(exc) if isinstance(exc, OSError) else str(exc))
        self.backup_problem = f"the backup could not be written: {reason}"

    def _try_backup(self, db: sqlite3.Connection | None = None) -> None:
        """Back up now; a failure is remembered in :attr:`backup_problem`, never raised."""
        self._last_backup = time.monotonic()
        self._changes_since_backup = 0
        try:
            backups.backup_set(db or self._db, self.path, keep=self.backup_keep)
        except (ExportError, OSError, sqlite3.Error) as exc:
            self._backup_failed(exc)
        else:
            self.backup_problem = None
            self._newest_backup = self._last_backup

    def _backup_in_background(self) -> None:
        """The periodic backup, copied through a connection of its own in a thread, so it
        is never on the path of a keystroke (WAL lets it read while marking goes on)."""
        if self._backup_thread is not None and self._backup_thread.is_alive():
            return
        self._last_backup = time.monotonic()
        self._changes_since_backup = 0

        def run() -> None:
            try:
                reader = sqlite3.connect(self.path, isolation_level=None)
                try:
                    reader.execute("PRAGMA trusted_schema=OFF")
                    backups.backup_set(reader, self.path, keep=self.backup_keep)
                finally:
                    reader.close()
            except (ExportError, OSError, sqlite3.Error) as exc:
                self._backup_failed(exc)
            else:
                self.backup_problem = None
                self._newest_backup = started

        started = self._last_backup
        self._backup_thread = threading.Thread(target=run, name="set-backup", daemon=True)
        self._backup_thread.start()

    def _wait_for_backup(self) -> None:
        if self._backup_thread is not None:
            self._backup_thread.join()
            self._backup_thread = None

    def _audit(
        self,
        action: str,
        *,
        script_id: int | None = None,
        entity_id: int | None = None,
        old: Any = None,
        new: Any = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO audit(at, marker_id, action, script_id, entity_id, old, new) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                _now(),
                self._marker.id if self._marker else None,
                action,
                script_id,
                entity_id,
                None if old is None else json.dumps(old, ensure_ascii=False),
                None if new is None else json.dumps(new, ensure_ascii=False),
            ),
        )

    #: Comment edits closer together than this are one edit in the audit log (a pause in
    #: typing ends it), so a 600-character comment is one row, not 600.
    typing_pause_seconds = 3.0

    def _audit_typing(self, action: str, script_id: int, old: dict, new: dict) -> None:
        last = self._db.execute(
            "SELECT id, at, marker_id, action, script_id, old, new FROM audit "
            "ORDER BY id DESC LIMIT 1").fetchone()
        marker_id = self._marker.id if self._marker else None
        if last and last[2] == marker_id and last[3] == action and last[4] == script_id:
            try:
                gap = (datetime.now(UTC) - datetime.fromisoformat(last[1])).total_seconds()
                before, after = json.loads(last[5] or "{}"), json.loads(last[6] or "{}")
            except (TypeError, ValueError):
                gap, before, after = None, {}, {}
            if gap is not None and 0 <= gap <= self.typing_pause_seconds:
                for key, value in old.items():
                    before.setdefault(key, value)  # the value before the run of typing
                after.update(new)
                self._db.execute(
                    "UPDATE audit SET at=?, old=?, new=? WHERE id=?",
                    (_now(), json.dumps(before, ensure_ascii=False),
                     json.dumps(after, ensure_ascii=False), last[0]))
                return
        self._audit(action, script_id=script_id, old=old, new=new)

    def _load_scheme(self) -> None:
        row = self._db.execute(
            "SELECT version, json FROM schemes ORDER BY version DESC LIMIT 1"
        ).fetchone()
        if row is None:
            raise SetError(f"{self.path.name}: the set has no scheme")
        self._scheme_version = row[0]
        self._scheme = scheme_from_json(row[1], f"{self.path.name} (scheme v{row[0]})")

    def _require_script(self, script_id: int) -> None:
        row = self._db.execute(
            "SELECT removed_at FROM scripts WHERE id=?", (script_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no script with id {script_id} in this set")
        if row[0] is not None:
            raise NotFoundError(f"script {script_id} was removed from this set")

    def _marker_id(self, marker: MarkerId | None) -> MarkerId:
        if marker is not None:
            return marker
        return self.current_marker.id

    # -- set properties ----------------------------------------------------------------

    @property
    def name(self) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key='name'").fetchone()
        return row[0] if row else self.path.stem

    def rename(self, name: str) -> Changes:
        name = name.strip()
        if not name:
            raise SetError("a marking set needs a name")
        with self._transaction():
            old = self.name
            self._db.execute("UPDATE meta SET value=? WHERE key='name'", (name,))
            self._audit("rename set", old=old, new=name)
        return Changes(script_list=True)

    @property
    def scheme(self) -> Scheme:
        assert self._scheme is not None
        return self._scheme

    @property
    def scheme_version(self) -> int:
        return self._scheme_version

    # -- markers -----------------------------------------------------------------------

    def use_marker(self, name: str, initials: str | None = None, role: str = "teacher") -> Changes:
        """Mark as this marker from now on (created on first use; then ``Changes.created``
        is its id). :attr:`current_marker` is the marker chosen."""
        name = name.strip()
        if not name:
            raise SetError("a marker needs a name")
        if role not in ROLES:
            raise SetError(f"role must be one of {', '.join(ROLES)} (not '{role}')")
        row = self._db.execute(
            "SELECT id, name, initials, role FROM markers WHERE name=? AND role=?", (name, role)
        ).fetchone()
        changes = Changes()
        if row is None:
            with self._transaction():
                cursor = self._db.execute(
                    "INSERT INTO markers(name, initials, role, uuid) VALUES (?, ?, ?, ?)",
                    (name, (initials or _initials(name)).strip(), role, _uuid()),
                )
                row = (cursor.lastrowid, name, initials or _initials(name), role)
                self._audit("add marker", entity_id=row[0], new={"name": name, "role": role})
            changes = Changes(markers=True, created=row[0])
        elif initials and initials != row[2]:
            with self._transaction():
                self._db.execute("UPDATE markers SET initials=? WHERE id=?", (initials, row[0]))
            row = (row[0], row[1], initials, row[3])
            changes = Changes(markers=True)
        previous = self._marker
        self._marker = Marker(MarkerId(row[0]), row[1], row[2], Role(row[3]))
        if previous is None or previous.id != self._marker.id:
            # whose marks, comments and annotations are "mine" has changed
            changes = changes | Changes(markers=True, script_list=True)
        return changes

    @property
    def current_marker(self) -> Marker:
        if self._marker is None:
            markers = self.markers()
            teacher = next((m for m in markers if m.role == "teacher"), None)
            if teacher is not None:
                self._marker = teacher
            else:
                self.use_marker("Teacher", "T", "teacher")
        assert self._marker is not None
        return self._marker

    def markers(self) -> list[Marker]:
        return [
            Marker(MarkerId(r[0]), r[1], r[2], Role(r[3]))
            for r in self._db.execute("SELECT id, name, initials, role FROM markers ORDER BY id")
        ]

    def marker(self, marker_id: MarkerId) -> Marker:
        row = self._db.execute(
            "SELECT id, name, initials, role FROM markers WHERE id=?", (marker_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no marker with id {marker_id} in this set")
        return Marker(MarkerId(row[0]), row[1], row[2], Role(row[3]))

    # -- scripts -----------------------------------------------------------------------

    def add_script(self, draft: ScriptDraft, name_pattern: str | None = None) -> Changes:
        """Add an imported script; ``Changes.created`` is its id. ``name_pattern`` is the
        file-name pattern its names were read with (importing the same file again with
        another pattern updates the names)."""
        return self._add_script(draft, name_pattern, draft.source_hash)

    def _add_script(self, draft: ScriptDraft, name_pattern: str | None, source_hash: str) -> Changes:
        paragraphs = json.dumps([[p.kind, p.text] for p in draft.paragraphs], ensure_ascii=False)
        warnings = json.dumps(
            [w.to_dict() for w in draft.warnings if w.code != "over_word_limit"],
            ensure_ascii=False,
        )
        with self._transaction():
            position = self._db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM scripts")
            position = position.fetchone()[0]
            cursor = self._db.execute(
                "INSERT INTO scripts(position, candidate_name, candidate_number, title, file_name,"
                " format, source_hash, paragraphs, word_count, coursework_word_count, warnings,"
                " has_text, page_count, imported_at, name_pattern, uuid)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    position, draft.candidate_name, draft.candidate_number, draft.title,
                    draft.path.name, draft.format, source_hash, paragraphs,
                    draft.word_count, draft.coursework_word_count, warnings,
                    int(draft.has_text), draft.page_count, _now(), name_pattern, _uuid(),
                ),
            )
            script_id = ScriptId(cursor.lastrowid)
            self._db.execute(
                "INSERT INTO script_sources(script_id, bytes) VALUES (?, ?)",
                (script_id, draft.source_bytes),
            )
            self._audit("import script", script_id=script_id, entity_id=script_id,
                        new={"file": draft.path.name, "words": draft.word_count})
        return Changes(scripts=frozenset({script_id}), script_list=True, created=script_id)

    def script_with_hash(self, source_hash: str) -> ScriptId | None:
        """The script (not removed) whose file has these bytes, if any."""
        row = self._db.execute(
            "SELECT id FROM scripts WHERE source_hash=? AND removed_at IS NULL ORDER BY id",
            (source_hash,),
        ).fetchone()
        return ScriptId(row[0]) if row else None

    def import_files(
        self, paths: Iterable[str | Path], options: ImportOptions | None = None,
        readers: Readers | None = None,
    ) -> Iterator[ImportOutcome]:
        """Import files and folders, yielding one outcome per file (a generator, for progress
        and Cancel: stop iterating to stop importing; what was imported stays).

        Files are read, then saved in small groups (one transaction and one disk sync for
        up to :attr:`import_group_files` files, or as many as were read in
        :attr:`import_group_seconds`). A file's outcome is yielded only once its group is
        saved, so whatever was reported as imported stays imported; killing the process
        loses at most the group being read, none of which was reported. An error saving
        one file keeps the files of its group before it, then propagates.

        Where it is safe and worth it (a big batch, on Linux, from a single-threaded
        process such as the CLI), worker processes read the files while this one saves
        them (:mod:`rubric.importing.parallel`; ``readers``: workers started earlier for
        these paths): the same outcomes, in the same order."""
        from rubric.importing import import_batch

        options = options or ImportOptions(word_limit=self.scheme.word_limit)
        results = import_batch([Path(p) for p in paths], options, parallel=readers or True)
        try:
            while True:
                group = []
                started = time.monotonic()
                for result in results:
                    group.append(result)
                    if (len(group) >= self.import_group_files
                            or time.monotonic() - started >= self.import_group_seconds):
                        break
                if not group:
                    return
                outcomes: list[ImportOutcome] = []
                failure: Exception | None = None
                with self.atomic():
                    for result in group:
                        try:
                            outcomes.append(self.add_import_result(result, options.name_pattern))
                        except Exception as exc:  # noqa: BLE001 - raised once the group is saved
                            failure = exc  # its own savepoint undid this file only
                            break
                yield from outcomes
                if failure is not None:
                    raise failure
        finally:
            results.close()  # stops the workers reading ahead, if any

    #: How many files :meth:`import_files` saves in one transaction, at most, and for how
    #: long it reads files before saving what it has read.
    import_group_files = 16
    import_group_seconds = 0.2

    def add_import_result(self, result, name_pattern: str | None = None) -> ImportOutcome:
        """Add one parsed file (an ``ImportResult`` from ``rubric.importing.import_batch``,
        perhaps parsed on another thread), read with the file-name pattern ``name_pattern``.

        A file already in the set is skipped, unless it was read with another pattern and
        that gives other names: then the script's names are updated (the outcome says
        ``names updated``; a name or number the new reading leaves empty is kept). A file
        read again with the same pattern never overwrites names the teacher corrected."""
        if result.draft is None:
            return ImportOutcome(result.path, skipped=result.skipped, error=result.error)
        draft = result.draft
        # worked out once (by the reader, when it ran in a worker process)
        source_hash = getattr(result, "source_hash", None) or draft.source_hash
        existing = self.script_with_hash(source_hash)
        if existing is not None:
            summary = self.summary(existing)
            stored = self._db.execute(
                "SELECT name_pattern FROM scripts WHERE id=?", (existing,)).fetchone()[0]
            new_name = draft.candidate_name.strip() or summary.candidate_name
            new_number = draft.candidate_number.strip() or summary.candidate_number
            same_pattern = name_pattern is not None and stored == name_pattern
            if not same_pattern and (new_name, new_number) != (
                    summary.candidate_name, summary.candidate_number):
                changes = self.update_candidate(existing, new_name, new_number,
                                                name_pattern=name_pattern)
                return ImportOutcome(
                    result.path, script_id=existing, updated=True, changes=changes,
                    candidate=candidate_label(new_name, new_number, summary.file_name),
                    old_candidate=summary.candidate,
                )
            if not same_pattern and name_pattern is not None:
                # the same names by another pattern: remember it, so that importing with it
                # again leaves later corrections alone
                with self._transaction():
                    self._db.execute("UPDATE scripts SET name_pattern=? WHERE id=?",
                                     (name_pattern, existing))
            return ImportOutcome(
                result.path, skipped=True,
                error=_already_in_set(result.path.name, summary),
            )
        changes = self._add_script(draft, name_pattern, source_hash)
        return ImportOutcome(
            result.path,
            changes=changes,
            script_id=ScriptId(changes.created),
            candidate=result.draft.candidate,
            warnings=tuple(w.message for w in result.draft.warnings),
        )

    _SUMMARY_COLUMNS = (
        "id, position, candidate_name, candidate_number, title, file_name, format, word_count,"
        " coursework_word_count, warnings, has_text, page_count, completed_at"
    )

    def _summary_from_row(self, row: tuple, lost: int = 0) -> ScriptSummary:
        return ScriptSummary(
            id=ScriptId(row[0]), position=row[1], candidate_name=row[2],
            candidate_number=row[3], title=row[4], file_name=row[5], format=row[6],
            word_count=row[7], coursework_word_count=row[8],
            warnings=self._warnings(row[9], row[8], lost), has_text=bool(row[10]),
            page_count=row[11], completed=row[12] is not None,
        )

    def _lost_counts(self, script_id: ScriptId | None = None) -> dict[int, int]:
        """How many annotations of each script lost their passage in a replaced file."""
        sql = "SELECT script_id, COUNT(*) FROM annotations WHERE lost=1"
        params: tuple = ()
        if script_id is not None:
            sql += " AND script_id=?"
            params = (script_id,)
        return dict(self._db.execute(sql + " GROUP BY script_id", params).fetchall())

    def _warnings(self, stored: str, coursework_words: int,
                  lost: int = 0) -> tuple[ScriptWarning, ...]:
        try:
            warnings = [ScriptWarning(str(w["code"]), str(w["message"])) for w in json.loads(stored)]
        except (TypeError, ValueError, KeyError, RecursionError):
            # a damaged row (sets from elsewhere are checked before they come in; a live
            # file can still be damaged): say so rather than fail to list the scripts
            warnings = [ScriptWarning("damaged", "this script's import notes are damaged")]
        if lost:
            warnings.append(ScriptWarning(
                "annotations_lost",
                f"{lost} annotation{'s' if lost != 1 else ''} could not be placed in the new "
                f"version of the file (the passage is not in it): see the annotation list",
            ))
        limit = self.scheme.word_limit
        if limit and coursework_words > limit:
            warnings.append(ScriptWarning(
                "over_word_limit",
                f"{coursework_words:,} words: {coursework_words - limit:,} over the "
                f"{limit:,}-word limit",
            ))
        return tuple(warnings)

    def scripts(self) -> list[ScriptSummary]:
        """Every script, in import order, without text (removed scripts are left out)."""
        rows = self._db.execute(f"SELECT {self._SUMMARY_COLUMNS} FROM scripts"
                                " WHERE removed_at IS NULL ORDER BY position").fetchall()
        lost = self._lost_counts()
        return [self._summary_from_row(r, lost.get(r[0], 0)) for r in rows]

    def script_ids(self) -> list[ScriptId]:
        return [ScriptId(r[0]) for r in self._db.execute(
            "SELECT id FROM scripts WHERE removed_at IS NULL ORDER BY position")]

    def removed_scripts(self) -> list[ScriptSummary]:
        """Scripts removed from the set (kept, with their marks, so removing can be undone)."""
        rows = self._db.execute(f"SELECT {self._SUMMARY_COLUMNS} FROM scripts"
                                " WHERE removed_at IS NOT NULL ORDER BY position").fetchall()
        return [self._summary_from_row(r) for r in rows]

    def _script_row(self, script_id: ScriptId, columns: str) -> tuple:
        row = self._db.execute(
            f"SELECT removed_at, {columns} FROM scripts WHERE id=?", (script_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no script with id {script_id} in this set")
        if row[0] is not None:
            raise NotFoundError(f"script {script_id} was removed from this set")
        return row[1:]

    def summary(self, script_id: ScriptId) -> ScriptSummary:
        row = self._script_row(script_id, self._SUMMARY_COLUMNS)
        return self._summary_from_row(row, self._lost_counts(script_id).get(script_id, 0))

    def titles_and_paragraphs(self, ids: Iterable[ScriptId]) -> dict[ScriptId, tuple[str, tuple[tuple[str, str], ...]]]:
        """Each script's title and its paragraphs as ``(text, kind)`` pairs, in the order of
        ``ids``, in one read (a comparison of the whole set needs no more than this, and
        building every :class:`Script` costs a query each). A removed or unknown id is
        refused as :meth:`script` refuses it."""
        wanted = list(ids)
        rows = {row[0]: row[1:] for row in self._db.execute(
            "SELECT id, removed_at, title, paragraphs FROM scripts")}
        result: dict[ScriptId, tuple[str, tuple[tuple[str, str], ...]]] = {}
        for script_id in wanted:
            row = rows.get(script_id)
            if row is None:
                raise NotFoundError(f"no script with id {script_id} in this set")
            if row[0] is not None:
                raise NotFoundError(f"script {script_id} was removed from this set")
            result[script_id] = (row[1], tuple((text, kind) for kind, text in json.loads(row[2])))
        return result

    def script(self, script_id: ScriptId) -> Script:
        """One script with its paragraphs."""
        row = self._script_row(script_id, f"{self._SUMMARY_COLUMNS}, paragraphs, source_hash")
        summary = self._summary_from_row(row[:13], self._lost_counts(script_id).get(script_id, 0))
        paragraphs = tuple(Paragraph(text, kind) for kind, text in json.loads(row[13]))
        return Script(**summary.__dict__, paragraphs=paragraphs, source_hash=row[14])

    def find_script(self, text: str) -> ScriptId:
        """The script a person means by ``text``: ``#12`` or ``id:12`` is the script with id
        12; ``number:4017`` the one with candidate number 4017; a plain value is an id when
        a script has that id, else a candidate number (compared ignoring case). A plain
        value that is the id of one script and the candidate number of another is refused
        as ambiguous, naming both. Removed scripts are never found."""
        value = " ".join(str(text).split())
        lowered = value.casefold()
        for prefix in ("#", "id:"):
            if lowered.startswith(prefix):
                wanted = value[len(prefix):].strip()
                if not wanted.isdigit():
                    raise NotFoundError(f"“{value}”: a script id is a whole number")
                self._require_script(int(wanted))
                return ScriptId(int(wanted))
        by_number_only = lowered.startswith("number:")
        number = value[len("number:"):].strip() if by_number_only else value
        if not number:
            raise NotFoundError("say which script: its id or its candidate number")
        by_id: ScriptId | None = None
        if not by_number_only and number.isdigit():
            row = self._db.execute("SELECT id FROM scripts WHERE id=? AND removed_at IS NULL",
                                   (int(number),)).fetchone()
            by_id = ScriptId(row[0]) if row else None
        # the candidate numbers alone, not every script's summary, so that a CLI call stays
        # quick in a large set; a number of digits (the usual case) is matched by SQLite
        # (digits have no case: only the spaces around a stored number can differ)
        sql = "SELECT id, candidate_number FROM scripts WHERE removed_at IS NULL"
        params: tuple = ()
        if number.isascii() and number.isdigit():
            sql += " AND trim(candidate_number, ?) = ?"
            params = (_WHITESPACE, number)
        folded = number.casefold()
        numbered = [self.summary(ScriptId(row[0]))
                    for row in self._db.execute(sql + " ORDER BY position", params)
                    if isinstance(row[1], str) and row[1].strip().casefold() == folded]
        others = [s for s in numbered if s.id != by_id]
        if by_id is not None and others:
            shown = self.summary(by_id).candidate
            raise NotFoundError(
                f"“{number}” is ambiguous: script id {number} is {shown}, and candidate "
                f"number {number} is {', '.join(f'{s.candidate} (id {s.id})' for s in others)}; "
                f"say #{number} for the id or number:{number} for the candidate number")
        if by_id is not None:
            return by_id
        if len(numbered) == 1:
            return numbered[0].id
        if numbered:
            raise NotFoundError(
                f"{len(numbered)} scripts have candidate number {number}: "
                + ", ".join(f"{s.candidate_name or s.file_name} (id {s.id})" for s in numbered)
                + f"; say which with #ID, e.g. #{numbered[0].id}")
        if by_number_only or not number.isdigit():
            raise NotFoundError(f"no script with candidate number {number} in this set")
        raise NotFoundError(f"no script with id {number} in this set, and no candidate "
                            f"number {number}")

    def source_bytes(self, script_id: ScriptId) -> bytes:
        row = self._db.execute(
            "SELECT bytes FROM script_sources WHERE script_id=?", (script_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no script with id {script_id} in this set")
        return bytes(row[0])

    def update_candidate(self, script_id: ScriptId, name: str | None = None,
                         number: str | None = None, *,
                         name_pattern: str | None = None) -> Changes:
        """Correct a script's candidate name and/or number (None leaves one as it is; an
        empty name shows the script under its file name). ``name_pattern`` records the
        file-name pattern the new names were read with (a re-import)."""
        summary = self.summary(script_id)
        new_name = summary.candidate_name if name is None else " ".join(name.split())
        new_number = summary.candidate_number if number is None else number.strip()
        for label, value, limit in (("name", new_name, 200), ("number", new_number, 40)):
            if any(ord(c) < 32 or ord(c) == 127 for c in value):
                raise SetError(f"a candidate {label} cannot hold control characters")
            if len(value) > limit:
                raise SetError(f"a candidate {label} is at most {limit} characters")
        if (new_name, new_number) == (summary.candidate_name, summary.candidate_number):
            return Changes()
        with self._transaction():
            self._db.execute(
                "UPDATE scripts SET candidate_name=?, candidate_number=?,"
                " name_pattern=COALESCE(?, name_pattern) WHERE id=?",
                (new_name, new_number, name_pattern, script_id),
            )
            self._audit("edit candidate", script_id=script_id,
                        old=[summary.candidate_name, summary.candidate_number],
                        new=[new_name, new_number])
        return Changes(scripts=frozenset({script_id}), script_list=True)

    def remove_script(self, script_id: ScriptId) -> Changes:
        """Take a script out of the set: it leaves the script list, statuses, exports and
        the markbook. Nothing is deleted: its marks, comments and annotations are kept (and
        stay in the audit log), so :meth:`restore_script` brings it back as it was."""
        summary = self.summary(script_id)
        marks = [{"criterion": m.criterion, "marker": m.marker_id, "level": m.level,
                  "mark": m.mark} for m in self.marks(script_id)]
        with self._transaction():
            self._db.execute("UPDATE scripts SET removed_at=? WHERE id=?", (_now(), script_id))
            self._audit("remove script", script_id=script_id, entity_id=script_id,
                        old={"file": summary.file_name, "candidate": summary.candidate,
                             "marks": marks})
        return Changes(scripts=frozenset({script_id}), script_list=True, status=True)

    def restore_script(self, script_id: ScriptId) -> Changes:
        """Bring back a removed script with its marks, comments and annotations (undo)."""
        row = self._db.execute(
            "SELECT removed_at, file_name FROM scripts WHERE id=?", (script_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no script with id {script_id} in this set")
        if row[0] is None:
            return Changes()
        with self._transaction():
            self._db.execute("UPDATE scripts SET removed_at=NULL WHERE id=?", (script_id,))
            self._audit("restore script", script_id=script_id, entity_id=script_id,
                        new={"file": row[1]})
        return Changes(scripts=frozenset({script_id}), script_list=True, status=True,
                       marks=True, annotations=True, comments=True)

    def replace_script_file(
        self, script_id: ScriptId, draft: ScriptDraft,
        anchors: dict[AnnotationId, tuple[int, int, bool]] | None = None,
    ) -> FileReplacement:
        """Put a new version of a script's file (``draft``, as read by the importer) in place
        of the old one. Marks, comments, completion and the candidate's names are kept (a
        name the script lacks is taken from the new file). Each annotation is re-anchored
        by its quoted passage, at the occurrence nearest its old place (ignoring
        differences in white space and in the form of quotation marks and dashes); one
        whose passage is not in the new text is kept but flagged ``lost``.

        ``anchors`` (``{annotation id: (start, end, lost)}``) places annotations exactly
        instead (undoing a replacement puts the old file back with the old places)."""
        old = self.script(script_id)
        other = self.script_with_hash(draft.source_hash)
        if other is not None and other != script_id:
            raise SetError(f"{draft.path.name}: this file is already in the set as "
                           f"{self.summary(other).candidate}")
        text = draft.text
        now = _now()
        plan = []
        kept = moved = 0
        lost: list[AnnotationId] = []
        for annotation in self.annotations(script_id):
            if anchors is not None and annotation.id in anchors:
                start, end, is_lost = anchors[annotation.id]
                if not is_lost and not (0 <= start < end <= len(text)):
                    raise MarkError(f"annotation {annotation.id}: {start}–{end} is outside "
                                    f"the script (0–{len(text)})")
                quote = annotation.quote if is_lost else text[start:end]
            else:
                span = find_passage_near(text, annotation.quote, annotation.start)
                if span is None:
                    start, end, quote, is_lost = (annotation.start, annotation.end,
                                                  annotation.quote, True)
                else:
                    start, end = span
                    quote, is_lost = text[start:end], False
            if is_lost:
                lost.append(annotation.id)
            elif (start, end) == (annotation.start, annotation.end) and not annotation.lost:
                kept += 1
            else:
                moved += 1
            plan.append((start, end, quote, int(is_lost), now, annotation.id))
        paragraphs = json.dumps([[p.kind, p.text] for p in draft.paragraphs], ensure_ascii=False)
        warnings = json.dumps(
            [w.to_dict() for w in draft.warnings if w.code != "over_word_limit"],
            ensure_ascii=False,
        )
        with self._transaction():
            self._db.execute(
                "UPDATE scripts SET candidate_name=?, candidate_number=?, title=?, file_name=?,"
                " format=?, source_hash=?, paragraphs=?, word_count=?, coursework_word_count=?,"
                " warnings=?, has_text=?, page_count=? WHERE id=?",
                (old.candidate_name or draft.candidate_name,
                 old.candidate_number or draft.candidate_number, draft.title or old.title,
                 draft.path.name, draft.format, draft.source_hash, paragraphs,
                 draft.word_count, draft.coursework_word_count, warnings,
                 int(draft.has_text), draft.page_count, script_id),
            )
            self._db.execute("UPDATE script_sources SET bytes=? WHERE script_id=?",
                             (draft.source_bytes, script_id))
            self._db.executemany(
                "UPDATE annotations SET start=?, end=?, quote=?, lost=?, updated_at=? WHERE id=?",
                plan)
            self._audit("replace file", script_id=script_id, entity_id=script_id,
                        old={"file": old.file_name, "words": old.word_count,
                             "hash": old.source_hash},
                        new={"file": draft.path.name, "words": draft.word_count,
                             "hash": draft.source_hash, "kept": kept, "moved": moved,
                             "lost": len(lost)})
        changes = Changes(scripts=frozenset({script_id}), script_list=True, annotations=True,
                          status=True)
        return FileReplacement(script_id, changes, kept, moved, tuple(lost))

    # -- marks -------------------------------------------------------------------------

    def _criterion(self, name: str):
        criterion = self.scheme.criterion(name)
        if criterion is None:
            known = ", ".join(c.name for c in self.scheme.criteria)
            raise MarkError(f"no criterion '{name}' in the scheme (criteria: {known})")
        return criterion

    def _existing_mark(self, script_id: int, criterion: str, marker_id: int) -> Mark | None:
        row = self._db.execute(
            "SELECT id, script_id, criterion, marker_id, level, mark, needs_review, review_reason,"
            " updated_at FROM marks WHERE script_id=? AND criterion=? AND marker_id=?",
            (script_id, criterion, marker_id),
        ).fetchone()
        return _mark_from_row(row) if row else None

    def check_mark(self, criterion_name: str, mark: int | None, level_label: str | None) -> str:
        """The level label a mark belongs to; raises :class:`MarkError` if it does not fit
        (the rule is :func:`rubric.marking.check_mark`)."""
        return marking.check_mark(self._criterion(criterion_name), mark, level_label)

    def _write_mark(
        self, script_id: ScriptId, criterion: str, marker_id: MarkerId,
        level: str | None, mark: int | None, action: str,
    ) -> Changes:
        old = self._existing_mark(script_id, criterion, marker_id)
        if old is not None and old.level == level and old.mark == mark and not old.needs_review:
            return Changes()
        now = _now()
        with self._transaction():
            self._db.execute(
                "INSERT INTO marks(script_id, criterion, marker_id, level, mark, needs_review,"
                " review_reason, created_at, updated_at, uuid) VALUES (?,?,?,?,?,0,'',?,?,?)"
                " ON CONFLICT(script_id, criterion, marker_id) DO UPDATE SET level=excluded.level,"
                " mark=excluded.mark, needs_review=0, review_reason='',"
                " updated_at=excluded.updated_at",
                (script_id, criterion, marker_id, level, mark, now, now, _uuid()),
            )
            self._audit(
                action, script_id=script_id,
                old=None if old is None else {"criterion": criterion, "level": old.level,
                                              "mark": old.mark},
                new={"criterion": criterion, "level": level, "mark": mark},
            )
        return Changes(scripts=frozenset({script_id}), marks=True, status=True)

    def set_mark(
        self, script_id: ScriptId, criterion: str, mark: int, level: str | None = None,
        marker: MarkerId | None = None,
    ) -> Changes:
        """Record ``mark`` for ``criterion`` (its level is found from the mark if not given)."""
        self._require_script(script_id)
        level_label = self.check_mark(criterion, mark, level)
        return self._write_mark(script_id, criterion, self._marker_id(marker), level_label, mark,
                                "set mark")

    def set_level(
        self, script_id: ScriptId, criterion: str, level: str, marker: MarkerId | None = None
    ) -> Changes:
        """Choose a level. The mark is kept if it fits the level; a single-mark level (such as
        Level 0) sets its mark; otherwise the mark waits to be placed within the level."""
        self._require_script(script_id)
        level = self.check_mark(criterion, None, level)  # "4" and "L4" name "Level 4"
        level_obj = self._criterion(criterion).level(level)
        assert level_obj is not None
        marker_id = self._marker_id(marker)
        old = self._existing_mark(script_id, criterion, marker_id)
        mark = marking.mark_after_level_change(level_obj, None if old is None else old.mark)
        return self._write_mark(script_id, criterion, marker_id, level, mark, "set level")

    def restore_mark(
        self, script_id: ScriptId, criterion: str, level: str | None, mark: int | None,
        marker: MarkerId | None = None,
    ) -> Changes:
        """Put back an earlier state of a mark exactly (used by undo); None, None clears it."""
        self._require_script(script_id)
        if level is None and mark is None:
            return self.clear_mark(script_id, criterion, marker)
        if mark is not None:
            self.check_mark(criterion, mark, level)
        return self._write_mark(script_id, criterion, self._marker_id(marker), level, mark,
                                "restore mark")

    def clear_mark(
        self, script_id: ScriptId, criterion: str, marker: MarkerId | None = None
    ) -> Changes:
        marker_id = self._marker_id(marker)
        old = self._existing_mark(script_id, criterion, marker_id)
        if old is None:
            return Changes()
        with self._transaction():
            self._db.execute("DELETE FROM marks WHERE id=?", (old.id,))
            self._audit("clear mark", script_id=script_id, entity_id=old.id,
                        old={"criterion": criterion, "level": old.level, "mark": old.mark})
        return Changes(scripts=frozenset({script_id}), marks=True, status=True)

    def marks(
        self, script_id: ScriptId | None = None, marker: MarkerId | None = None,
        include_removed: bool = False,
    ) -> list[Mark]:
        """Marks, optionally only of one script and/or one marker (without a script, the
        marks of removed scripts are left out unless ``include_removed``)."""
        sql = ("SELECT id, script_id, criterion, marker_id, level, mark, needs_review,"
               " review_reason, updated_at FROM marks")
        clauses, params = [], []
        if script_id is not None:
            clauses.append("script_id=?")
            params.append(script_id)
        elif not include_removed:
            clauses.append(_PRESENT)
        if marker is not None:
            clauses.append("marker_id=?")
            params.append(marker)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY script_id, marker_id, id"
        return [_mark_from_row(r) for r in self._db.execute(sql, params)]

    def marks_for(self, script_id: ScriptId, marker: MarkerId | None = None) -> dict[str, Mark]:
        """This marker's marks on one script, by criterion name."""
        return {m.criterion: m for m in self.marks(script_id, self._marker_id(marker))}

    def total(self, script_id: ScriptId, marker: MarkerId | None = None) -> int | None:
        """Sum of placed marks of the current scheme's criteria, or None when none is
        placed (the rule is :func:`rubric.marking.total`)."""
        return marking.total(self.scheme, self.marks_for(script_id, marker))

    def marks_needing_review(self) -> list[Mark]:
        return [m for m in self.marks() if m.needs_review]

    # -- status ------------------------------------------------------------------------

    def set_complete(self, script_id: ScriptId, complete: bool = True) -> Changes:
        """Mark a script as finished (or reopen it)."""
        summary = self.summary(script_id)
        if summary.completed == complete:
            return Changes()
        with self._transaction():
            self._db.execute(
                "UPDATE scripts SET completed_at=? WHERE id=?",
                (_now() if complete else None, script_id),
            )
            self._audit("complete" if complete else "reopen", script_id=script_id,
                        old=summary.completed, new=complete)
        return Changes(scripts=frozenset({script_id}), status=True)

    def statuses(self) -> dict[ScriptId, Status]:
        """Status of every script: unmarked, in progress, marked or moderated."""
        result: dict[ScriptId, Status] = {}
        blind, only = self._status_viewer()
        moderated = {r[0] for r in self._db.execute(
            "SELECT DISTINCT marks.script_id FROM marks JOIN markers ON markers.id=marks.marker_id"
            " WHERE markers.role='moderator' AND marks.mark IS NOT NULL"
            + (" AND marks.marker_id=?" if blind else ""), only)}
        mine = " AND marker_id=?" if blind else ""
        touched = {r[0] for r in self._db.execute(
            f"SELECT script_id FROM marks WHERE 1{mine} UNION SELECT script_id FROM annotations"
            f" WHERE 1{mine} UNION SELECT script_id FROM overall_comments"
            f" WHERE (www != '' OR ebi != '' OR general != ''){mine}", only * 3)}
        for script_id, completed in self._db.execute(
                "SELECT id, completed_at FROM scripts WHERE removed_at IS NULL"):
            # a blind marker sees a script as complete only once they have marked it
            done = completed is not None and (not blind or script_id in touched)
            result[ScriptId(script_id)] = _status(
                script_id in moderated, done, script_id in touched)
        return result

    def _status_viewer(self) -> tuple[bool, tuple]:
        """Whether statuses are read for a blind marker (from their own rows only: other
        markers' marks, annotations and comments are hidden from them), and the marker."""
        viewer = self._marker.id if self._marker is not None else None
        if viewer is None or not self.is_blind(viewer):
            return False, ()
        return True, (viewer,)

    def status(self, script_id: ScriptId) -> Status:
        """One script's status, from that script's rows only (indexed: O(1) in the size of
        the set, so a view can refresh the one row an edit changed)."""
        row = self._db.execute(
            "SELECT completed_at FROM scripts WHERE id=? AND removed_at IS NULL",
            (script_id,)).fetchone()
        if row is None:
            self._require_script(script_id)
        blind, only = self._status_viewer()
        one = (script_id, *only)
        mine = " AND marker_id=?" if blind else ""
        moderated = self._db.execute(
            "SELECT 1 FROM marks JOIN markers ON markers.id=marks.marker_id WHERE"
            " marks.script_id=? AND markers.role='moderator' AND marks.mark IS NOT NULL"
            + (" AND marks.marker_id=?" if blind else "") + " LIMIT 1",
            one).fetchone() is not None
        touched = any(self._db.execute(sql, one).fetchone() for sql in (
            f"SELECT 1 FROM marks WHERE script_id=?{mine} LIMIT 1",
            f"SELECT 1 FROM annotations WHERE script_id=?{mine} LIMIT 1",
            "SELECT 1 FROM overall_comments WHERE script_id=? AND"
            f" (www != '' OR ebi != '' OR general != ''){mine} LIMIT 1"))
        done = row[0] is not None and (not blind or touched)
        return _status(moderated, done, touched)

    # -- annotations -------------------------------------------------------------------

    def add_annotation(
        self, script_id: ScriptId, start: int, end: int, comment: str,
        criterion: str | None = None, marker: MarkerId | None = None,
        annotation_id: AnnotationId | None = None, lost_quote: str | None = None,
    ) -> Changes:
        """Anchor ``comment`` to text[start:end] of the script; ``Changes.created`` is its id.
        ``annotation_id`` restores a deleted annotation under its old id (undo);
        ``lost_quote`` restores one whose passage was lost in a replaced file (unanchored)."""
        text = self.script(script_id).text
        if lost_quote is None and not (0 <= start < end <= len(text)):
            raise MarkError(
                f"the passage {start}–{end} is outside the script (0–{len(text)})"
            )
        if lost_quote is not None and not (0 <= start < end):
            raise MarkError(f"the passage {start}–{end} is not a passage")
        if criterion is not None:
            self._criterion(criterion)
        quote = text[start:end] if lost_quote is None else lost_quote
        marker_id = self._marker_id(marker)
        now = _now()
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO annotations(id, script_id, marker_id, start, end, quote, comment,"
                " criterion, created_at, updated_at, lost, uuid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (annotation_id, script_id, marker_id, start, end, quote, comment, criterion,
                 now, now, int(lost_quote is not None), _uuid()),
            )
            new_id = AnnotationId(cursor.lastrowid)
            self._audit("add annotation", script_id=script_id, entity_id=new_id,
                        new={"quote": quote, "comment": comment, "criterion": criterion})
        return Changes(scripts=frozenset({script_id}), annotations=True, status=True,
                       created=new_id)

    def annotate_quote(
        self, script_id: ScriptId, quote: str, comment: str, criterion: str | None = None,
        marker: MarkerId | None = None,
    ) -> Changes:
        """Anchor a comment to the first occurrence of ``quote`` (whitespace-insensitive)."""
        text = self.script(script_id).text
        span = find_passage(text, quote)
        if span is None:
            short = quote if len(quote) <= 60 else quote[:57] + "..."
            raise MarkError(f"the passage “{short}” is not in this script")
        return self.add_annotation(script_id, span[0], span[1], comment, criterion, marker)

    def update_annotation(
        self, annotation_id: AnnotationId, *, comment: str | None = None,
        criterion: str | None | type[...] = ...,
    ) -> Changes:
        """Edit an annotation's comment and/or criterion (``criterion=None`` removes the tag)."""
        old = self.annotation(annotation_id)
        new_comment = old.comment if comment is None else comment
        new_criterion = old.criterion if criterion is ... else criterion
        if new_criterion is not None:
            self._criterion(new_criterion)
        if new_comment == old.comment and new_criterion == old.criterion:
            return Changes()
        with self._transaction():
            self._db.execute(
                "UPDATE annotations SET comment=?, criterion=?, updated_at=? WHERE id=?",
                (new_comment, new_criterion, _now(), annotation_id),
            )
            self._audit("edit annotation", script_id=old.script_id, entity_id=annotation_id,
                        old={"comment": old.comment, "criterion": old.criterion},
                        new={"comment": new_comment, "criterion": new_criterion})
        return Changes(scripts=frozenset({old.script_id}), annotations=True)

    def delete_annotation(self, annotation_id: AnnotationId) -> Changes:
        old = self.annotation(annotation_id)
        with self._transaction():
            self._db.execute("DELETE FROM annotations WHERE id=?", (annotation_id,))
            self._audit("delete annotation", script_id=old.script_id, entity_id=annotation_id,
                        old={"quote": old.quote, "comment": old.comment,
                             "criterion": old.criterion})
        return Changes(scripts=frozenset({old.script_id}), annotations=True, status=True)

    def annotation(self, annotation_id: AnnotationId) -> Annotation:
        row = self._db.execute(
            f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE id=?", (annotation_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no annotation with id {annotation_id} in this set")
        return _annotation_from_row(row)

    def annotations(
        self, script_id: ScriptId | None = None, marker: MarkerId | None = None
    ) -> list[Annotation]:
        """Annotations (lost ones included: check ``Annotation.lost``), optionally of one
        script and/or one marker; without a script, removed scripts' are left out."""
        sql = f"SELECT {_ANNOTATION_COLUMNS} FROM annotations"
        clauses, params = [], []
        if script_id is not None:
            clauses.append("script_id=?")
            params.append(script_id)
        else:
            clauses.append(_PRESENT)
        if marker is not None:
            clauses.append("marker_id=?")
            params.append(marker)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY script_id, start, id"
        return [_annotation_from_row(r) for r in self._db.execute(sql, params)]

    # -- overall comments --------------------------------------------------------------

    def comments(self, script_id: ScriptId, marker: MarkerId | None = None) -> OverallComment:
        marker_id = self._marker_id(marker)
        row = self._db.execute(
            "SELECT www, ebi, general FROM overall_comments WHERE script_id=? AND marker_id=?",
            (script_id, marker_id),
        ).fetchone()
        if row is None:
            return OverallComment(script_id, marker_id)
        return OverallComment(script_id, marker_id, row[0], row[1], row[2])

    def all_comments(self) -> list[OverallComment]:
        return [
            OverallComment(ScriptId(r[0]), MarkerId(r[1]), r[2], r[3], r[4])
            for r in self._db.execute(
                "SELECT script_id, marker_id, www, ebi, general FROM overall_comments"
                f" WHERE {_PRESENT} ORDER BY script_id, marker_id")
        ]

    def set_comments(
        self, script_id: ScriptId, *, www: str | None = None, ebi: str | None = None,
        general: str | None = None, marker: MarkerId | None = None,
    ) -> Changes:
        """Set what went well / even better if / general comment (None leaves one as it is)."""
        self._require_script(script_id)
        old = self.comments(script_id, marker)
        new = OverallComment(
            script_id, old.marker_id,
            old.www if www is None else www,
            old.ebi if ebi is None else ebi,
            old.general if general is None else general,
        )
        if new == old:
            return Changes()
        with self._transaction():
            self._db.execute(
                "INSERT INTO overall_comments(script_id, marker_id, www, ebi, general, updated_at,"
                " uuid) VALUES (?,?,?,?,?,?,?) ON CONFLICT(script_id, marker_id) DO UPDATE SET"
                " www=excluded.www, ebi=excluded.ebi, general=excluded.general,"
                " updated_at=excluded.updated_at",
                (script_id, new.marker_id, new.www, new.ebi, new.general, _now(), _uuid()),
            )
            changed = {k: (getattr(old, k), getattr(new, k))
                       for k in ("www", "ebi", "general") if getattr(old, k) != getattr(new, k)}
            self._audit_typing("edit comments", script_id,
                               {k: v[0] for k, v in changed.items()},
                               {k: v[1] for k, v in changed.items()})
        return Changes(scripts=frozenset({script_id}), comments=True, status=True)

    # -- comment bank ------------------------------------------------------------------

    def bank(self, kind: str | None = None) -> list[BankComment]:
        sql = "SELECT id, kind, criterion, level, text, shortcut, uses FROM bank"
        params: list[Any] = []
        if kind is not None:
            sql += " WHERE kind=?"
            params.append(kind)
        sql += " ORDER BY position, id"
        return [BankComment(BankCommentId(r[0]), r[1], r[2], r[3], r[4], r[5], r[6])
                for r in self._db.execute(sql, params)]

    def add_bank_comment(
        self, text: str, kind: str = "general", criterion: str | None = None,
        level: str | None = None, shortcut: str | None = None,
    ) -> Changes:
        text = text.strip()
        if not text:
            raise SetError("a bank comment needs some text")
        if kind not in COMMENT_KINDS:
            raise SetError(f"kind must be one of {', '.join(COMMENT_KINDS)} (not '{kind}')")
        with self._transaction():
            position = self._db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM bank")
            cursor = self._db.execute(
                "INSERT INTO bank(kind, criterion, level, text, shortcut, position, uuid)"
                " VALUES (?,?,?,?,?,?,?)",
                (kind, criterion, level, text, shortcut or None, position.fetchone()[0],
                 _uuid()),
            )
            self._audit("add bank comment", entity_id=cursor.lastrowid,
                        new={"kind": kind, "text": text})
        return Changes(bank=True, created=cursor.lastrowid)

    def add_bank_comments(self, comments: Iterable[dict[str, Any]]) -> Changes:
        """Add many bank comments in one transaction (a bundled bank or an imported one)."""
        rows = list(comments)
        with self._transaction():
            position = self._db.execute(
                "SELECT COALESCE(MAX(position), 0) FROM bank").fetchone()[0]
            for offset, comment in enumerate(rows, start=1):
                if comment.get("kind") not in COMMENT_KINDS or not str(comment.get("text", "")).strip():
                    raise SetError(f"bank comment {offset}: needs a known kind and some text")
                self._db.execute(
                    "INSERT INTO bank(kind, criterion, level, text, shortcut, position, uuid)"
                    " VALUES (?,?,?,?,?,?,?)",
                    (comment["kind"], comment.get("criterion"), comment.get("level"),
                     comment["text"].strip(), comment.get("shortcut"), position + offset,
                     _uuid()),
                )
            self._audit("add bank comments", new={"count": len(rows)})
        return Changes(bank=True)

    def update_bank_comment(self, comment_id: BankCommentId, text: str) -> Changes:
        with self._transaction():
            old = self._db.execute("SELECT text FROM bank WHERE id=?", (comment_id,)).fetchone()
            if old is None:
                raise NotFoundError(f"no bank comment with id {comment_id}")
            self._db.execute("UPDATE bank SET text=? WHERE id=?", (text.strip(), comment_id))
            self._audit("edit bank comment", entity_id=comment_id, old=old[0], new=text.strip())
        return Changes(bank=True)

    def delete_bank_comment(self, comment_id: BankCommentId) -> Changes:
        with self._transaction():
            old = self._db.execute("SELECT text FROM bank WHERE id=?", (comment_id,)).fetchone()
            if old is None:
                raise NotFoundError(f"no bank comment with id {comment_id}")
            self._db.execute("DELETE FROM bank WHERE id=?", (comment_id,))
            self._audit("delete bank comment", entity_id=comment_id, old=old[0])
        return Changes(bank=True)

    def note_bank_use(self, comment_id: BankCommentId) -> Changes:
        """Count a use (the bank sorts often-used comments first); not worth an audit entry."""
        with self._transaction():
            self._db.execute("UPDATE bank SET uses = uses + 1 WHERE id=?", (comment_id,))
        return Changes(bank=True)

    # -- the scheme --------------------------------------------------------------------

    def conflicts_with(self, scheme: Scheme) -> list[MarkConflict]:
        """Marks that would not fit ``scheme`` (shown before a scheme change is applied)."""
        conflicts = []
        for mark in self.marks():
            reason = _misfit(scheme, mark)
            if reason:
                conflicts.append(MarkConflict(mark, reason))
        return conflicts

    def update_scheme(self, scheme: Scheme) -> Changes:
        """Store ``scheme`` as a new version. Every mark is kept; marks that no longer fit are
        flagged for review (``Mark.needs_review``), and flags that now fit are cleared."""
        scheme.validated()
        if scheme == self.scheme:
            return Changes()
        affected: set[int] = set()
        with self._transaction():
            version = self._scheme_version + 1
            self._db.execute(
                "INSERT INTO schemes(version, json, created_at) VALUES (?, ?, ?)",
                (version, scheme.to_json(), _now()),
            )
            for mark in self.marks(include_removed=True):  # a restored script fits too
                reason = _misfit(scheme, mark)
                if reason or mark.needs_review:
                    affected.add(mark.script_id)
                self._db.execute(
                    "UPDATE marks SET needs_review=?, review_reason=? WHERE id=?",
                    (int(bool(reason)), reason, mark.id),
                )
            self._audit("edit scheme", old={"version": self._scheme_version},
                        new={"version": version, "flagged": len(affected)})
        self._load_scheme()
        return Changes(scripts=frozenset(ScriptId(s) for s in affected), scheme=True,
                       marks=bool(affected), script_list=True)

    def scheme_versions(self) -> list[tuple[int, str]]:
        return list(self._db.execute("SELECT version, created_at FROM schemes ORDER BY version"))

    # -- audit, snapshots --------------------------------------------------------------

    def audit_log(self, script_id: ScriptId | None = None, limit: int = 1000) -> list[AuditEntry]:
        sql = "SELECT id, at, marker_id, action, script_id, entity_id, old, new FROM audit"
        params: list[Any] = []
        if script_id is not None:
            sql += " WHERE script_id=?"
            params.append(script_id)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [
            AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5],
                       None if r[6] is None else json.loads(r[6]),
                       None if r[7] is None else json.loads(r[7]))
            for r in self._db.execute(sql, params)
        ]

    def export_to(self, path: str | Path) -> Path:
        """Write a consistent snapshot of the set to ``path`` (SQLite's backup API), atomically."""
        return backups.snapshot(self._db, Path(path))

    def backup_now(self, reason: str | None = None) -> Path:
        """A backup taken now (raises :class:`ExportError` when it cannot be written)."""
        self._wait_for_backup()
        path = backups.backup_set(self._db, self.path, keep=self.backup_keep, reason=reason)
        self._last_backup = self._newest_backup = time.monotonic()
        self.backup_problem = None
        return path

    def integrity_ok(self) -> bool:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


_ANNOTATION_COLUMNS = ("id, script_id, marker_id, start, end, quote, comment, criterion,"
                       " created_at, lost")
#: Rows that belong to a script still in the set (not removed).
_PRESENT = "script_id IN (SELECT id FROM scripts WHERE removed_at IS NULL)"


def _annotation_from_row(row: tuple) -> Annotation:
    return Annotation(AnnotationId(row[0]), ScriptId(row[1]), MarkerId(row[2]), row[3], row[4],
                      row[5], row[6], row[7], row[8], bool(row[9]))


def _mark_from_row(row: tuple) -> Mark:
    return Mark(MarkId(row[0]), ScriptId(row[1]), row[2], MarkerId(row[3]), row[4], row[5],
                bool(row[6]), row[7], row[8])


def _status(moderated: bool, completed: bool, touched: bool) -> Status:
    if moderated:
        return Status.MODERATED
    if completed:
        return Status.MARKED
    return Status.IN_PROGRESS if touched else Status.UNMARKED


def _misfit(scheme: Scheme, mark: Mark) -> str:
    return marking.misfit(scheme, mark)


def find_passage(text: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` first stands in ``text``: exactly, else ignoring differences in white
    space, else also in quotation marks, apostrophes, hyphens, dashes and ellipses (a
    teacher typing ``Stalin's "revolution from above" - 1928...`` at a terminal finds
    ``Stalin’s “revolution from above” – 1928…`` in a Word script)."""
    quote = quote.strip()
    if not quote:
        return None
    index = text.find(quote)
    if index >= 0:
        return index, index + len(quote)
    for pattern in (r"\s+".join(re.escape(word) for word in quote.split()), _tolerant_pattern(quote)):
        match = re.search(pattern, text)
        if match:
            return match.start(), match.end()
    return None


#: Characters a new version of a file may write differently (curly or straight quotation
#: marks, dashes and hyphens, a no-break space): each matches the others when re-anchoring.
_EQUIVALENT = ("'‘’‛′", "\"“”„″", "-‐‑‒–—―−")
_ELLIPSIS = re.compile(r"\.\.\.|…")


def _tolerant_pattern(quote: str) -> str:
    """``quote`` as a pattern that allows any white space between its words (or none
    around a dash standing alone, as in "above - 1928" for "above—1928"), and any of
    the equivalent quotation marks, dashes and ellipses."""
    words: list[str] = []
    pattern = ""
    dashes = _EQUIVALENT[2]
    previous_dash = False
    for word in quote.split():
        dash = all(char in dashes for char in word)
        if words:
            pattern += r"\s*" if dash or previous_dash else r"\s+"
        previous_dash = dash
        parts = []
        for piece in _ELLIPSIS.split(word):
            chars = []
            for char in piece:
                group = next((g for g in _EQUIVALENT if char in g), None)
                chars.append("[" + re.escape(group) + "]" if group else re.escape(char))
            parts.append("".join(chars))
        words.append(r"(?:\.\.\.|…)".join(parts))
        pattern += words[-1]
    return pattern


def find_passage_near(text: str, quote: str, near: int) -> tuple[int, int] | None:
    """Where ``quote`` stands in ``text``: of its occurrences, the one starting nearest to
    ``near`` (an annotation's old offset). Exact matches first, then ignoring differences
    in white space, then also in quotation marks and dashes; None when it is not there."""
    quote = quote.strip()
    if not quote:
        return None
    for pattern in (re.escape(quote), r"\s+".join(re.escape(w) for w in quote.split()),
                    _tolerant_pattern(quote)):
        spans = [(m.start(), m.end()) for m in re.finditer(pattern, text)]
        if spans:
            return min(spans, key=lambda span: (abs(span[0] - near), span[0]))
    return None


def _check_is_marking_set(path: Path) -> None:
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise SetError(f"{path.name}: cannot read the file ({exc.strerror})") from None
    if not header.startswith(b"SQLite format 3\x00"):
        raise SetError(f"{path.name}: this is not a marking set file")
    if len(header) >= 72 and int.from_bytes(header[68:72], "big") not in (0, APPLICATION_ID):
        raise SetError(f"{path.name}: this is an SQLite file of another program, not a marking set")
