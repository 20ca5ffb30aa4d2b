"""The SQLite schema of a marking set and its ordered migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 4

_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE schemes (
    version INTEGER PRIMARY KEY,
    json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE scripts (
    id INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
    candidate_name TEXT NOT NULL DEFAULT '',
    candidate_number TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    paragraphs TEXT NOT NULL,           -- JSON [[kind, text], ...]
    word_count INTEGER NOT NULL,
    coursework_word_count INTEGER NOT NULL,
    warnings TEXT NOT NULL,             -- JSON [{"code", "message"}, ...] from import
    has_text INTEGER NOT NULL DEFAULT 1,
    page_count INTEGER,
    completed_at TEXT,
    imported_at TEXT NOT NULL
);
CREATE TABLE script_sources (
    script_id INTEGER PRIMARY KEY REFERENCES scripts(id) ON DELETE CASCADE,
    bytes BLOB NOT NULL
);
CREATE TABLE markers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    initials TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('teacher', 'second', 'moderator')),
    UNIQUE (name, role)
);
CREATE TABLE marks (
    id INTEGER PRIMARY KEY,
    script_id INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
    criterion TEXT NOT NULL,
    marker_id INTEGER NOT NULL REFERENCES markers(id),
    level TEXT,
    mark INTEGER,
    needs_review INTEGER NOT NULL DEFAULT 0,
    review_reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (script_id, criterion, marker_id)
);
CREATE TABLE annotations (
    id INTEGER PRIMARY KEY,
    script_id INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
    marker_id INTEGER NOT NULL REFERENCES markers(id),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    quote TEXT NOT NULL,
    comment TEXT NOT NULL,
    criterion TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (start >= 0 AND end > start)
);
CREATE INDEX annotations_by_script ON annotations(script_id, start);
CREATE TABLE overall_comments (
    script_id INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
    marker_id INTEGER NOT NULL REFERENCES markers(id),
    www TEXT NOT NULL DEFAULT '',
    ebi TEXT NOT NULL DEFAULT '',
    general TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (script_id, marker_id)
);
CREATE TABLE bank (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('www', 'ebi', 'general', 'annotation')),
    criterion TEXT,
    level TEXT,
    text TEXT NOT NULL,
    shortcut TEXT,
    position INTEGER NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    marker_id INTEGER,
    action TEXT NOT NULL,
    script_id INTEGER,
    entity_id INTEGER,
    old TEXT,
    new TEXT
);
"""

Migration = Callable[[sqlite3.Connection], None]


def _create_v1(db: sqlite3.Connection) -> None:
    db.executescript(_V1)


def _v1_to_v2(db: sqlite3.Connection) -> None:
    """Corrections after import: a removed script is hidden, not deleted (undo brings it
    back with its marks); the file-name pattern a script's names were read with (so
    importing the file again with a new pattern updates them); annotations whose passage
    is not in a replaced file are flagged ``lost``."""
    db.execute("ALTER TABLE scripts ADD COLUMN removed_at TEXT")
    db.execute("ALTER TABLE scripts ADD COLUMN name_pattern TEXT")
    db.execute("ALTER TABLE annotations ADD COLUMN lost INTEGER NOT NULL DEFAULT 0")


def _v2_to_v3(db: sqlite3.Connection) -> None:
    """Indexes for importing into a large set: each new file looks its bytes up by hash
    (is it already in the set?) and takes the next position; without them both scan every
    script (14 ms a file into a 1,000-script set)."""
    db.execute("CREATE INDEX scripts_by_hash ON scripts(source_hash)")
    db.execute("CREATE INDEX scripts_by_position ON scripts(position)")


#: Tables whose rows travel between markers' copies of a set: each row has a uuid.
UUID_TABLES = ("scripts", "markers", "marks", "annotations", "overall_comments", "bank")

_V4 = """
CREATE TABLE allocations (
    script_id INTEGER PRIMARY KEY REFERENCES scripts(id) ON DELETE CASCADE,
    marker_id INTEGER NOT NULL REFERENCES markers(id)
);
CREATE INDEX allocations_by_marker ON allocations(marker_id);
CREATE TABLE agreed_marks (
    script_id INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
    criterion TEXT NOT NULL,
    level TEXT,
    mark INTEGER NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('first', 'second', 'mean', 'typed')),
    agreed_by INTEGER REFERENCES markers(id),
    agreed_at TEXT NOT NULL,
    uuid TEXT NOT NULL UNIQUE,
    PRIMARY KEY (script_id, criterion)
);
CREATE TABLE definitive_marks (
    script_id INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
    criterion TEXT NOT NULL,
    level TEXT,
    mark INTEGER NOT NULL,
    set_by INTEGER REFERENCES markers(id),
    set_at TEXT NOT NULL,
    uuid TEXT NOT NULL UNIQUE,
    PRIMARY KEY (script_id, criterion)
);
CREATE TABLE merge_ledger (
    id INTEGER PRIMARY KEY,
    file_hash TEXT NOT NULL,
    source_set_uuid TEXT NOT NULL,
    marker_uuid TEXT NOT NULL DEFAULT '',
    merged_at TEXT NOT NULL,
    counts TEXT NOT NULL
);
CREATE INDEX merge_ledger_by_hash ON merge_ledger(file_hash);
CREATE TABLE merge_base (
    lineage TEXT NOT NULL,
    uuid TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (lineage, uuid)
);
CREATE TABLE judgements (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    judge_id INTEGER NOT NULL REFERENCES markers(id),
    winner_id INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
    loser_id INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
    seconds REAL,
    created_at TEXT NOT NULL,
    CHECK (winner_id != loser_id)
);
"""


def _v3_to_v4(db: sqlite3.Connection) -> None:
    """Several markers on one set, and merging their copies: the set's own identity
    (``meta.set_uuid``, kept by every copy), and a uuid on every row that travels between
    copies (backfilled here), so rows are matched by identity, never by autoincrement id;
    the teaching group of a script (allocation by class); blind markers; allocations,
    agreed and definitive marks, the merge ledger and the per-row bases of merges (what a
    copy's row was when last merged, so a later merge tells whose side changed it), and
    comparative judgements."""
    import uuid

    db.execute("ALTER TABLE scripts ADD COLUMN class_group TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE markers ADD COLUMN blind INTEGER NOT NULL DEFAULT 0")
    for table in UUID_TABLES:
        db.execute(f"ALTER TABLE {table} ADD COLUMN uuid TEXT")
        rowids = [r[0] for r in db.execute(f"SELECT rowid FROM {table}")]
        db.executemany(f"UPDATE {table} SET uuid=? WHERE rowid=?",
                       [(uuid.uuid4().hex, rowid) for rowid in rowids])
        db.execute(f"CREATE UNIQUE INDEX {table}_by_uuid ON {table}(uuid)")
    _run_script(db, _V4)
    db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('set_uuid', ?)",
               (uuid.uuid4().hex,))


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated DDL inside the caller's transaction (``executescript`` would
    commit it first)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


#: MIGRATIONS[n] upgrades a set from version n to n + 1 (0 is an empty file).
MIGRATIONS: dict[int, Migration] = {0: _create_v1, 1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}
