"""Creating sets in the data folder and bringing in set files shared from elsewhere."""

from __future__ import annotations

import json
import sqlite3
from importlib import resources
from pathlib import Path

from rubric.errors import SetError
from rubric.scheme import Scheme
from rubric.store import backups
from rubric.store.locations import SET_SUFFIX, safe_file_stem, sets_dir, unique_path
from rubric.store.markingset import APPLICATION_ID, MarkingSet, _check_is_marking_set
from rubric.store.schema import SCHEMA_VERSION


def bundled_bank() -> list[dict]:
    """The comment bank every new set starts with (``resources/banks/history.json``)."""
    source = resources.files("resources").joinpath("banks", "history.json")
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return list(data.get("comments", []))


def new_set(name: str, scheme: Scheme, folder: Path | None = None,
            with_bank: bool = True) -> Path:
    """Create a set named ``name`` in the data folder (or ``folder``); returns its path."""
    if not name.strip():
        raise SetError("a marking set needs a name")
    path = unique_path(folder or sets_dir(), safe_file_stem(name))
    with MarkingSet.create(path, name.strip(), scheme) as marking_set:
        if with_bank:
            comments = [c for c in bundled_bank()
                        if c.get("criterion") is None or scheme.criterion(c["criterion"])]
            if comments:
                marking_set.add_bank_comments(comments)
    return path


def import_set_file(source: str | Path) -> Path:
    """Copy a ``.markset`` file from elsewhere (a USB stick, an email) into the data folder,
    so the live database never sits on a network or synced folder; returns the copy's path."""
    source = Path(source)
    if not source.is_file():
        raise SetError(f"{source.name}: no such file")
    _check_is_marking_set(source)
    try:
        db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise SetError(f"{source.name}: this is not a marking set file")
            if version > SCHEMA_VERSION:
                raise SetError(f"{source.name}: made by a newer Essay Marker; update the app")
            name_row = db.execute("SELECT value FROM meta WHERE key='name'").fetchone()
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise SetError(f"{source.name}: the file is damaged (integrity check failed)")
            target = unique_path(sets_dir(), safe_file_stem(name_row[0] if name_row
                                                            else source.stem), SET_SUFFIX)
            backups.snapshot(db, target)
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise SetError(f"{source.name}: cannot read the marking set ({exc})") from None
    # Opening migrates an older set (after a backup) and proves it is usable.
    MarkingSet.open(target).close()
    return target
