"""The SQLite schema of a marking set and its ordered migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 2

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


#: MIGRATIONS[n] upgrades a set from version n to n + 1 (0 is an empty file).
MIGRATIONS: dict[int, Migration] = {0: _create_v1, 1: _v1_to_v2}
