"""Consistent snapshots of a marking set (SQLite's backup API) and rolling automatic backups."""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
import time
from datetime import datetime
from pathlib import Path

from rubric.record import record
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
        if getattr(exc, "sqlite_errorcode", None) == 13:  # SQLITE_FULL
            raise ExportError(target, "the disk is full") from None
        raise ExportError(target, f"could not copy the set ({exc})") from None
    return target


def backup_folder(set_path: Path) -> Path:
    """Each set's backups in a folder of their own (named from the set and its location)."""
    try:  # CPython's own SHA-1, the same digest: loading OpenSSL's hashes costs ~4 ms
        from _sha1 import sha1
    except ImportError:
        from hashlib import sha1

    tag = sha1(str(set_path.resolve()).encode("utf-8")).hexdigest()[:8]
    folder = backups_dir() / f"{set_path.stem}-{tag}"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def list_backups(set_path: Path) -> list[Path]:
    """This set's backups, newest first."""
    return sorted(backup_folder(set_path).glob(f"*{SET_SUFFIX}"), reverse=True)


@record
class BackupInfo:
    path: Path
    taken_at: datetime
    size: int
    reason: str  # "" for a rolling backup, else e.g. "before-restore", "before-upgrade-v1"

    def to_json(self) -> dict[str, object]:
        return {"path": str(self.path), "taken_at": self.taken_at.isoformat(timespec="seconds"),
                "size": self.size, "reason": self.reason}


_STAMP = re.compile(r"^(\d{8}-\d{6}-\d{6})(?:-(.+))?$")


def backup_info(path: Path) -> BackupInfo | None:
    match = _STAMP.match(path.name[: -len(SET_SUFFIX)])
    if not match:
        return None
    try:
        # by hand, not strptime: its first use imports _strptime and locale (~5 ms of
        # every CLI call)
        stamp = match.group(1)
        taken = datetime(int(stamp[0:4]), int(stamp[4:6]), int(stamp[6:8]), int(stamp[9:11]),
                         int(stamp[11:13]), int(stamp[13:15]), int(stamp[16:22]))
        size = path.stat().st_size
    except (ValueError, OSError):
        return None
    return BackupInfo(path, taken, size, match.group(2) or "")


def backups_of(set_path: Path) -> list[BackupInfo]:
    """This set's backups with when they were taken, newest first."""
    found = (backup_info(p) for p in list_backups(set_path))
    return [info for info in found if info is not None]


def newest_backup_age(set_path: Path, now: datetime | None = None) -> float | None:
    """Seconds since the newest backup of the set, or None when it has none."""
    infos = backups_of(set_path)
    if not infos:
        return None
    return ((now or datetime.now()) - infos[0].taken_at).total_seconds()


def to_remove(infos: list[BackupInfo], now: datetime, keep: int = 10, days: int = 14) -> list[BackupInfo]:
    """The retention rule: keep the ``keep`` newest rolling backups, plus the newest one of
    each of the last ``days`` days; backups taken for a reason (before an upgrade or a
    restore) are kept for ``days`` days whatever their number."""
    rolling = sorted((i for i in infos if not i.reason), key=lambda i: i.taken_at, reverse=True)
    kept = {i.path for i in rolling[:keep]}
    seen_days: set[object] = set()
    for info in rolling:
        day = info.taken_at.date()
        if (now - info.taken_at).days < days and day not in seen_days:
            seen_days.add(day)
            kept.add(info.path)
    special = [i for i in infos if i.reason]
    return [i for i in rolling if i.path not in kept] + [
        i for i in special if (now - i.taken_at).days >= days and not i.reason.startswith("before-upgrade")
    ]


def remove_orphans(folder: Path, older_than: float = 3600.0) -> None:
    """Temporary files of a backup or export that a crash left behind."""
    cutoff = time.time() - older_than
    for pattern in (".*.tmp", ".incoming-*.tmp", ".*.tmp-wal", ".*.tmp-shm", ".*.tmp-journal"):
        for path in folder.glob(pattern):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass


def backup_set(db: sqlite3.Connection, set_path: Path, keep: int = 10,
               reason: str | None = None) -> Path:
    """Snapshot the set into its backup folder, then apply the retention rule
    (:func:`to_remove`) and remove orphaned temporary files."""
    now = datetime.now()
    stamp = now.strftime("%Y%m%d-%H%M%S-%f")
    suffix = f"-{reason}" if reason else ""
    folder = backup_folder(set_path)
    target = folder / f"{stamp}{suffix}{SET_SUFFIX}"
    snapshot(db, target)
    for old in to_remove(backups_of(set_path), now, keep=keep):
        old.path.unlink(missing_ok=True)
    remove_orphans(folder)
    return target
