"""Checking a ``.markset`` from elsewhere before it becomes a set of ours.

A set file from a colleague is untrusted input, like any essay. SQLite runs whatever a
file's schema says (a trigger fires on every insert, a view's query runs when it is
read), so a file is checked as a copy in a private temporary file, never in place:

1. its header says SQLite and its ``application_id`` is ours (or 0, from an old build);
2. ``user_version`` is a format this app knows;
3. the schema in ``sqlite_master`` is exactly the app's own for that version: the same
   tables, columns and indexes, and no trigger, view, virtual table or extra table (the
   expected schema is made by running our own migrations on an empty database, so it can
   never drift from what the app creates);
4. ``integrity_check`` and ``foreign_key_check`` pass;
5. every stored value has the type and range the app relies on: integers are integers,
   JSON has the right shape, marks lie inside the criterion they belong to (in some
   stored version of the scheme), annotation offsets lie inside the script's text.

Every connection runs with ``trusted_schema=OFF``, and every query while checking runs
under a time limit (a progress handler), so a crafted file cannot hang the app. A
refusal is a :class:`SetError` whose message is one line naming the file and the reason.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rubric.errors import SchemeError, SetError
from rubric.importing.model import PARAGRAPH_KINDS
from rubric.scheme import Level, Scheme, scheme_from_json
from rubric.store.markingset import APPLICATION_ID
from rubric.store.schema import MIGRATIONS, SCHEMA_VERSION

#: Wall-clock limit for the whole check; a crafted file never hangs the app.
CHECK_SECONDS = 20.0
_ROLES = ("teacher", "second", "moderator")
_BANK_KINDS = ("www", "ebi", "general", "annotation")
#: Values far beyond anything a class set holds are refused (a crafted file, not a set).
_MAX_INT = 10**9
#: The longest text (in bytes of UTF-8) each column may hold; any other text column holds a
#: name, a number, a label, a date or an identity, and at most ``_SHORT_TEXT``. A 20 MB
#: marker name would make every export take minutes and gigabytes.
_SHORT_TEXT = 4096
_TEXT_LIMITS = {
    ("scripts", "paragraphs"): 64 << 20,   # a 500-page PDF's text, many times over
    ("scripts", "warnings"): 1 << 20,
    ("scripts", "title"): 16 << 10,
    ("schemes", "json"): 4 << 20,
    ("meta", "value"): 1 << 20,
    ("annotations", "quote"): 1 << 20,     # the passage: at most a few paragraphs
    ("annotations", "comment"): 256 << 10,
    ("overall_comments", "www"): 256 << 10,
    ("overall_comments", "ebi"): 256 << 10,
    ("overall_comments", "general"): 256 << 10,
    ("bank", "text"): 256 << 10,
    ("marks", "review_reason"): 64 << 10,
    ("audit", "old"): 64 << 20,
    ("audit", "new"): 64 << 20,
    ("merge_ledger", "counts"): 64 << 10,
}


class _Refused(Exception):
    """Internal: the reason a file is refused (becomes a SetError naming the file)."""


def _normalise_sql(sql: str | None) -> str:
    return re.sub(r"\s+", " ", (sql or "").replace("\n", " ")).strip().lower()


def expected_schema(version: int) -> dict[tuple[str, str], str]:
    """``{(type, name): normalised sql}`` of a set at ``version``, made by our migrations."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute("PRAGMA trusted_schema=OFF")
        for step in range(version):
            MIGRATIONS[step](db)
        return _schema_of(db)
    finally:
        db.close()


def _schema_of(db: sqlite3.Connection) -> dict[tuple[str, str], str]:
    rows = db.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    return {(kind, name): _normalise_sql(sql) for kind, name, sql in rows
            if not name.startswith("sqlite_autoindex_")}


@contextmanager
def _time_limit(db: sqlite3.Connection, seconds: float) -> Iterator[None]:
    deadline = time.monotonic() + seconds
    expired = False

    def check() -> int:
        nonlocal expired
        if time.monotonic() > deadline:
            expired = True
            return 1  # interrupts the running statement
        return 0

    db.set_progress_handler(check, 10_000)
    try:
        yield
    except sqlite3.OperationalError:
        if expired:
            raise _Refused("checking it took too long; the file may be crafted or damaged") from None
        raise
    finally:
        db.set_progress_handler(None, 0)


def connect_untrusted(path: Path) -> sqlite3.Connection:
    """A read-mostly connection for checking: a plain file name (never a URI, so ``#``,
    ``?`` and ``%2f`` in a name mean nothing), ``trusted_schema`` off."""
    db = sqlite3.connect(str(path), isolation_level=None, uri=False)
    db.execute("PRAGMA trusted_schema=OFF")
    db.execute("PRAGMA foreign_keys=OFF")
    return db


def _check_schema(db: sqlite3.Connection, version: int) -> None:
    found = _schema_of(db)
    wanted = expected_schema(version)
    for (kind, name) in sorted(found.keys() - wanted.keys()):
        if kind in ("trigger", "view"):
            raise _Refused(f"it contains a {kind} ({name!r}) that Essay Marker never makes")
        if kind == "table" and "virtual table" in found[(kind, name)]:
            raise _Refused(f"it contains a virtual table ({name!r}) that Essay Marker never makes")
        raise _Refused(f"it contains a {kind} ({name!r}) that Essay Marker never makes")
    for (kind, name) in sorted(wanted.keys() - found.keys()):
        raise _Refused(f"its {kind} {name!r} is missing")
    for key in sorted(wanted):
        if found[key] != wanted[key]:
            raise _Refused(f"its {key[0]} {key[1]!r} is not the one Essay Marker makes")


def _scalar(db: sqlite3.Connection, sql: str, *args: object) -> object:
    row = db.execute(sql, args).fetchone()
    return row[0] if row else None


def _check_types(db: sqlite3.Connection) -> None:
    """Every column holds the storage class its declaration promises."""
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        for _cid, column, declared, notnull, _default, _pk in db.execute(
                f'PRAGMA table_info("{table}")').fetchall():
            storage = {"INTEGER": "integer", "TEXT": "text", "BLOB": "blob"}.get(declared.upper())
            if storage is None:
                continue
            allowed = f"('{storage}')" if notnull else f"('{storage}', 'null')"
            row = db.execute(
                f'SELECT rowid, typeof("{column}") FROM "{table}" '
                f'WHERE typeof("{column}") NOT IN {allowed} LIMIT 1').fetchone()
            if row:
                raise _Refused(f"{table}.{column} holds a {row[1]} value where {storage} belongs "
                               f"(row {row[0]})")
            if storage == "integer":
                bad = db.execute(
                    f'SELECT rowid FROM "{table}" WHERE abs("{column}") > ? LIMIT 1',
                    (_MAX_INT,)).fetchone()
                if bad and column not in ("id",):
                    raise _Refused(f"{table}.{column} holds an impossible number (row {bad[0]})")
            elif storage == "text":
                _check_text(db, table, column)


def _check_text(db: sqlite3.Connection, table: str, column: str) -> None:
    """A text column's values are UTF-8 (anything else breaks every later read of them)
    and no longer than the column's limit."""
    limit = _TEXT_LIMITS.get((table, column), _SHORT_TEXT)
    bad = db.execute(f'SELECT rowid FROM "{table}" WHERE length(CAST("{column}" AS BLOB)) > ? '
                     "LIMIT 1", (limit,)).fetchone()
    if bad:
        raise _Refused(f"{table}.{column} holds an impossibly long text (row {bad[0]}, over "
                       f"{limit:,} bytes)")
    for rowid, raw in db.execute(f'SELECT rowid, CAST("{column}" AS BLOB) FROM "{table}" '
                                 f'WHERE "{column}" IS NOT NULL'):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _Refused(f"{table}.{column} holds text that is not valid UTF-8 "
                           f"(row {rowid})") from None


def _json(text: str, what: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise _Refused(f"{what} is not valid JSON") from None


def _check_schemes(db: sqlite3.Connection) -> dict[int, Scheme]:
    schemes: dict[int, Scheme] = {}
    for version, text in db.execute("SELECT version, json FROM schemes ORDER BY version"):
        try:
            schemes[version] = scheme_from_json(text, source=f"scheme version {version}")
        except SchemeError as exc:
            raise _Refused(f"its scheme (version {version}) is invalid: {exc.problems[0]}") from None
        except (ValueError, TypeError, KeyError, RecursionError):
            raise _Refused(f"its scheme (version {version}) cannot be read") from None
    if not schemes:
        raise _Refused("it holds no scheme")
    return schemes


def _check_scripts(db: sqlite3.Connection) -> dict[int, int]:
    """Checks each script's JSON; returns ``{script id: length of its text}``."""
    lengths: dict[int, int] = {}
    for script_id, paragraphs, warnings, words, coursework, pages in db.execute(
            "SELECT id, paragraphs, warnings, word_count, coursework_word_count, page_count "
            "FROM scripts"):
        where = f"script {script_id}"
        data = _json(paragraphs, f"the paragraphs of {where}")
        if not isinstance(data, list) or not all(
                isinstance(p, list) and len(p) == 2 and p[0] in PARAGRAPH_KINDS
                and isinstance(p[1], str) for p in data):
            raise _Refused(f"the paragraphs of {where} are not in the expected form")
        lengths[script_id] = sum(len(p[1]) for p in data) + max(0, len(data) - 1)
        notes = _json(warnings, f"the warnings of {where}")
        if not isinstance(notes, list) or not all(
                isinstance(w, dict) and isinstance(w.get("code"), str)
                and isinstance(w.get("message"), str) for w in notes):
            raise _Refused(f"the warnings of {where} are not in the expected form")
        if words < 0 or coursework < 0 or (pages is not None and pages < 0):
            raise _Refused(f"{where} has a negative count")
    return lengths


def _levels(schemes: dict[int, Scheme]) -> dict[str, dict[str, list[Level]]]:
    """``{criterion: {level label: that level in each scheme version that has it}}``."""
    levels: dict[str, dict[str, list[Level]]] = {}
    for scheme in schemes.values():
        for criterion in scheme.criteria:
            for level in criterion.levels:
                levels.setdefault(criterion.name, {}).setdefault(level.label, []).append(level)
    return levels


def _check_level(levels: dict[str, dict[str, list[Level]]], script_id: int, criterion: str,
                 level: str | None, mark: int | None, flagged: bool, what: str) -> None:
    """A mark's level is one of its criterion's (in some scheme version), and the mark lies
    in it, unless the set flagged it for review (a scheme edit can leave it outside): a
    student must never read "14 out of 20 (Level 99)" in their feedback."""
    if level is None:
        return
    found = levels.get(criterion, {}).get(level)
    if found is None:
        raise _Refused(f"script {script_id} has {what} {criterion} level {level!r}, a level no "
                       "version of its scheme has")
    if mark is not None and not flagged and not any(lv.contains(mark) for lv in found):
        raise _Refused(f"script {script_id} has {what} {criterion} mark of {mark} in {level} "
                       f"({found[-1].range_text}), which does not hold it")


def _check_marks(db: sqlite3.Connection, schemes: dict[int, Scheme]) -> None:
    maxima = _maxima(schemes)
    levels = _levels(schemes)
    for script_id, criterion, level, mark, flagged in db.execute(
            "SELECT script_id, criterion, level, mark, needs_review FROM marks"):
        if criterion not in maxima:
            raise _Refused(f"script {script_id} has a mark for {criterion!r}, "
                           "a criterion no version of its scheme has")
        if mark is not None and not 0 <= mark <= maxima[criterion]:
            raise _Refused(f"script {script_id} has a mark of {mark} for {criterion}, "
                           f"outside 0–{maxima[criterion]}")
        _check_level(levels, script_id, criterion, level, mark, bool(flagged), "a")


def _check_rows(db: sqlite3.Connection, lengths: dict[int, int]) -> None:
    lost_column = any(r[1] == "lost" for r in db.execute("PRAGMA table_info(annotations)"))
    for annotation_id, script_id, start, end, lost in db.execute(
            "SELECT id, script_id, start, end, " + ("lost" if lost_column else "0")
            + " FROM annotations"):
        length = lengths.get(script_id)
        if lost not in (0, 1):
            raise _Refused(f"annotation {annotation_id} has an impossible 'lost' flag")
        # A lost annotation (its passage is not in a replaced file) keeps its old offsets,
        # which need not lie inside the new text; it is never drawn or exported there.
        if length is None or not 0 <= start < end or (not lost and end > length):
            raise _Refused(f"annotation {annotation_id} points outside its script's text")
    bad = _scalar(db, "SELECT name FROM markers WHERE role NOT IN (?, ?, ?) LIMIT 1", *_ROLES)
    if bad is not None:
        raise _Refused("a marker has a role Essay Marker does not know")
    bad = _scalar(db, "SELECT id FROM bank WHERE kind NOT IN (?, ?, ?, ?) LIMIT 1", *_BANK_KINDS)
    if bad is not None:
        raise _Refused(f"comment bank entry {bad} has a kind Essay Marker does not know")
    name = _scalar(db, "SELECT value FROM meta WHERE key='name'")
    if not isinstance(name, str) or not name.strip() or len(name) > 500:
        raise _Refused("it has no usable set name")


def _maxima(schemes: dict[int, Scheme]) -> dict[str, int]:
    maxima: dict[str, int] = {}
    for scheme in schemes.values():
        for criterion in scheme.criteria:
            maxima[criterion.name] = max(maxima.get(criterion.name, 0), criterion.maximum)
    return maxima


#: What a stored uuid looks like (``uuid4().hex``); anything else is a crafted file.
_UUID_BAD = "({0} IS NULL OR length({0}) != 32 OR {0} GLOB '*[^0-9a-f]*')"


def _check_v4_rows(db: sqlite3.Connection, schemes: dict[int, Scheme]) -> None:
    """Format 4: row identities, markers' blind flags, allocations, agreed and definitive
    marks, the merge ledger and bases, judgements."""
    from rubric.store.schema import UUID_TABLES

    set_uuid = _scalar(db, "SELECT value FROM meta WHERE key='set_uuid'")
    if not isinstance(set_uuid, str) or not re.fullmatch(r"[0-9a-f]{32}", set_uuid):
        raise _Refused("it has no usable set identity (set_uuid)")
    for table in (*UUID_TABLES, "agreed_marks", "definitive_marks", "judgements"):
        bad = _scalar(db, f'SELECT rowid FROM "{table}" WHERE {_UUID_BAD.format("uuid")} LIMIT 1')
        if bad is not None:
            raise _Refused(f"{table} row {bad} has no usable identity (uuid)")
    if _scalar(db, "SELECT id FROM markers WHERE blind NOT IN (0, 1) LIMIT 1") is not None:
        raise _Refused("a marker has an impossible 'blind' flag")
    bad = _scalar(db, "SELECT id FROM scripts WHERE length(class_group) > 100 LIMIT 1")
    if bad is not None:
        raise _Refused(f"script {bad} has an impossibly long class")
    maxima = _maxima(schemes)
    levels = _levels(schemes)
    for table in ("agreed_marks", "definitive_marks"):
        for script_id, criterion, level, mark in db.execute(
                f"SELECT script_id, criterion, level, mark FROM {table}"):
            what = "an agreed" if table == "agreed_marks" else "a definitive"
            if criterion not in maxima:
                raise _Refused(f"script {script_id} has {what} mark for {criterion!r}, "
                               "a criterion no version of its scheme has")
            if not 0 <= mark <= maxima[criterion]:
                raise _Refused(f"script {script_id} has {what} mark of {mark} for "
                               f"{criterion}, outside 0–{maxima[criterion]}")
            # (its level must be one of the scheme's; an agreed mean may sit between two)
            _check_level(levels, script_id, criterion, level, mark, True, what)
    bad = _scalar(db, "SELECT script_id FROM agreed_marks WHERE method NOT IN"
                      " ('first', 'second', 'mean', 'typed') LIMIT 1")
    if bad is not None:
        raise _Refused(f"script {bad} has an agreed mark made by an unknown method")
    for ledger_id, counts in db.execute("SELECT id, counts FROM merge_ledger"):
        if not isinstance(_json(counts, f"merge ledger entry {ledger_id}"), dict):
            raise _Refused(f"merge ledger entry {ledger_id} is not in the expected form")
    bad = _scalar(db, "SELECT id FROM judgements WHERE winner_id = loser_id OR (seconds IS NOT"
                      " NULL AND (typeof(seconds) NOT IN ('real', 'integer') OR seconds < 0"
                      " OR seconds > 1e7)) LIMIT 1")
    if bad is not None:
        raise _Refused(f"judgement {bad} is impossible")


def check_set_file(path: Path, shown_name: str | None = None,
                   seconds: float = CHECK_SECONDS) -> str:
    """Check the (private, temporary) copy at ``path``; returns the set's stored name.
    Raises :class:`SetError` ("<shown_name>: <reason>") when the file must be refused."""
    label = shown_name or path.name
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise SetError(f"{label}: cannot read the file ({exc.strerror})") from None
    if not header.startswith(b"SQLite format 3\x00"):
        raise SetError(f"{label}: this is not a marking set file")
    if len(header) >= 72 and int.from_bytes(header[68:72], "big") not in (0, APPLICATION_ID):
        raise SetError(f"{label}: this is an SQLite file of another program, not a marking set")
    try:
        db = connect_untrusted(path)
    except sqlite3.Error as exc:
        raise SetError(f"{label}: cannot read the marking set ({exc})") from None
    try:
        with _time_limit(db, seconds):
            version = _scalar(db, "PRAGMA user_version")
            if not isinstance(version, int) or version < 1:
                raise _Refused("this is not a marking set file (no format version)")
            if version > SCHEMA_VERSION:
                raise _Refused(f"made by a newer Essay Marker (format {version}); update the app")
            if _scalar(db, "PRAGMA encoding") != "UTF-8":
                raise _Refused("its text is not stored as UTF-8, as Essay Marker stores it")
            _check_schema(db, version)
            if _scalar(db, "PRAGMA integrity_check") != "ok":
                raise _Refused("the file is damaged (integrity check failed)")
            if db.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise _Refused("the file is damaged (rows point to scripts or markers it lacks)")
            _check_types(db)
            schemes = _check_schemes(db)
            lengths = _check_scripts(db)
            _check_marks(db, schemes)
            _check_rows(db, lengths)
            if version >= 4:
                _check_v4_rows(db, schemes)
            return str(_scalar(db, "SELECT value FROM meta WHERE key='name'"))
    except _Refused as refusal:
        raise SetError(f"{label}: refused: {refusal}") from None
    except sqlite3.DatabaseError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SetError(f"{label}: cannot read the marking set ({reason})") from None
    finally:
        db.close()
