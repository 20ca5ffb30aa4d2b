"""What a list of sets shows about each one (name, scheme, scripts, how many are marked, when
marking last happened), read cheaply: the file is opened read-only with plain ``sqlite3``
and counted. No ``MarkingSet.open``: no lock is taken, nothing is migrated or backed up, so
listing twenty sets costs a few milliseconds and never disturbs a set open elsewhere.

"Marked" means what the script list calls marked or moderated (the rule in
``MarkingSet.statuses``): completed, or holding a moderator's mark.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class SetSummary:
    path: Path
    name: str
    scheme_title: str
    scripts: int
    marked: int
    #: when a mark, annotation, overall comment or completion last changed (UTC), or None
    last_marked: datetime | None


def _parse_time(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def summarise(path: str | Path) -> SetSummary | None:
    """The summary of the set file at ``path``, or None when it is not a readable set."""
    path = Path(path)
    # A set that no one has open has no -wal file: read it as immutable, which makes SQLite
    # create no -wal or -shm beside it. One open elsewhere may hold recent commits in its
    # WAL: read those read-only through the files its owner keeps.
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True,
                             isolation_level=None)
    except (sqlite3.Error, ValueError, OSError):
        return None
    try:
        db.execute("PRAGMA trusted_schema=OFF")
        db.execute("PRAGMA query_only=ON")
        row = db.execute("SELECT value FROM meta WHERE key='name'").fetchone()
        name = row[0] if row and isinstance(row[0], str) else path.stem
        row = db.execute("SELECT json FROM schemes ORDER BY version DESC LIMIT 1").fetchone()
        scheme_title = ""
        if row and isinstance(row[0], str):
            try:
                title = db.execute("SELECT json_extract(?, '$.title')", (row[0],)).fetchone()[0]
            except sqlite3.Error:   # a build without JSON functions
                import json

                title = json.loads(row[0]).get("title")
            scheme_title = title if isinstance(title, str) else ""
        # sets made before removal existed (format 1) have no removed_at column
        present = "removed_at IS NULL" if "removed_at" in _columns(db, "scripts") else "1"
        scripts, marked = db.execute(
            f"SELECT count(*), coalesce(sum(completed_at IS NOT NULL OR id IN ("
            " SELECT marks.script_id FROM marks JOIN markers ON markers.id=marks.marker_id"
            " WHERE markers.role='moderator' AND marks.mark IS NOT NULL)), 0)"
            f" FROM scripts WHERE {present}").fetchone()
        latest = db.execute(
            "SELECT max(t) FROM (SELECT max(updated_at) AS t FROM marks"
            " UNION ALL SELECT max(updated_at) FROM annotations"
            " UNION ALL SELECT max(updated_at) FROM overall_comments"
            " UNION ALL SELECT max(completed_at) FROM scripts)").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        db.close()
    return SetSummary(path, name, scheme_title, int(scripts), int(marked), _parse_time(latest))
