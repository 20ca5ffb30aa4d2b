"""Where marking sets live: the app's local data folder (never a network or synced folder)."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import platformdirs

SET_SUFFIX = ".markset"
APP_NAME = "EssayMarker"


def data_dir() -> Path:
    """The app's data folder; ``ESSAY_MARKER_HOME`` overrides it (tests, portable installs)."""
    override = os.environ.get("ESSAY_MARKER_HOME")
    base = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    return base


def sets_dir() -> Path:
    folder = data_dir() / "sets"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def backups_dir() -> Path:
    folder = data_dir() / "backups"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


def safe_file_stem(name: str) -> str:
    """A file-name-safe stem for a set name typed by a user."""
    stem = _UNSAFE.sub("-", name).strip(" .-") or "Marking set"
    return stem[:80]


def unique_path(folder: Path, stem: str, suffix: str = SET_SUFFIX) -> Path:
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({number}){suffix}"
        number += 1
    return candidate


def stored_name(path: Path) -> str | None:
    """The name a set was given (its ``meta`` row), or None when it cannot be read."""
    try:
        db = sqlite3.connect(str(path), isolation_level=None)
        try:
            db.execute("PRAGMA trusted_schema=OFF")
            row = db.execute("SELECT value FROM meta WHERE key='name'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return row[0] if row and isinstance(row[0], str) else None


def resolve_set(name_or_path: str | os.PathLike[str]) -> Path:
    """A set given as its stored name (exactly, as typed for ``new``) or as the path of a
    ``.markset`` file. A name shared by several sets is an error listing them; a folder
    of the same name in the current directory never shadows a set."""
    from rubric.errors import SetError

    text = os.fspath(name_or_path)
    path = Path(text).expanduser()
    looks_like_path = text.endswith(SET_SUFFIX) or os.sep in text or (
        os.altsep is not None and os.altsep in text)
    if looks_like_path and path.is_file():
        return path
    by_name = [p for p in set_files() if stored_name(p) == text]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        listed = "; ".join(str(p) for p in sorted(by_name))
        raise SetError(f"{text}: several sets have this name; give the file instead ({listed})")
    if path.is_file():
        return path
    if looks_like_path:
        raise SetError(f"{path.name}: no such marking set")
    raise SetError(f"{text}: no marking set has this name (see 'essay-marker sets')")


def set_files() -> list[Path]:
    """Every marking set in the data folder, most recently changed first."""
    files = [p for p in sets_dir().glob(f"*{SET_SUFFIX}") if p.is_file()]
    return sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)
