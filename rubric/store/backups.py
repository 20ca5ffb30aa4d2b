"""Consistent snapshots of a marking set (SQLite's backup API) and rolling automatic backups."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

from rubric.safe_write import ExportError, describe_os_error
from rubric.store.locations import SET_SUFFIX, backups_dir


def snapshot(db: sqlite3.Connection, target: Path) -> Path:
    """Copy the live database into one self-contained file at ``target``, atomically."""
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise ExportError(target, describe_os_error(exc)) from None
    tmp = Path(tmp_name)
    try:
        copy = sqlite3.connect(tmp)
        try:
            db.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(target, describe_os_error(exc)) from None
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(target, f"could not copy the set ({exc})") from None
    return target


def backup_folder(set_path: Path) -> Path:
    """Each set's backups in a folder of their own (named from the set and its location)."""
    tag = hashlib.sha1(str(set_path.resolve()).encode("utf-8")).hexdigest()[:8]
    folder = backups_dir() / f"{set_path.stem}-{tag}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def list_backups(set_path: Path) -> list[Path]:
    """This set's backups, newest first."""
    return sorted(backup_folder(set_path).glob(f"*{SET_SUFFIX}"), reverse=True)


def backup_set(db: sqlite3.Connection, set_path: Path, keep: int = 10,
               reason: str | None = None) -> Path:
    """Snapshot the set into its backup folder and keep only the ``keep`` newest rolling
    backups (backups made before an upgrade are kept)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    suffix = f"-{reason}" if reason else ""
    target = backup_folder(set_path) / f"{stamp}{suffix}{SET_SUFFIX}"
    snapshot(db, target)
    rolling = [p for p in list_backups(set_path) if "before-upgrade" not in p.name]
    for old in rolling[keep:]:
        old.unlink(missing_ok=True)
    return target
