"""Where marking sets live: the app's local data folder (never a network or synced folder)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

SET_SUFFIX = ".markset"
APP_NAME = "EssayMarker"


def data_dir() -> Path:
    """The app's data folder; ``ESSAY_MARKER_HOME`` overrides it (tests, portable installs)."""
    override = os.environ.get("ESSAY_MARKER_HOME")
    base = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    base.mkdir(parents=True, exist_ok=True)
    return base


def sets_dir() -> Path:
    folder = data_dir() / "sets"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def backups_dir() -> Path:
    folder = data_dir() / "backups"
    folder.mkdir(parents=True, exist_ok=True)
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


def resolve_set(name_or_path: str | os.PathLike[str]) -> Path:
    """A set given as a path to a ``.markset`` file, or as its name in the data folder."""
    path = Path(name_or_path).expanduser()
    if path.exists():
        return path
    if path.suffix != SET_SUFFIX:
        by_name = sets_dir() / f"{safe_file_stem(str(name_or_path))}{SET_SUFFIX}"
        if by_name.exists():
            return by_name
    return path


def set_files() -> list[Path]:
    """Every marking set in the data folder, most recently changed first."""
    files = [p for p in sets_dir().glob(f"*{SET_SUFFIX}") if p.is_file()]
    return sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)
