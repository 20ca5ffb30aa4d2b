"""An exclusive lock on a marking set, so a second window or process cannot open it.

The lock is an OS file lock on ``<set>.lock``: the OS drops it when the process dies,
so a crash never leaves a set locked.
"""

from __future__ import annotations

import os
from pathlib import Path

from rubric.errors import SetLockedError

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class SetLock:
    def __init__(self, set_path: Path):
        # the resolved path: a symlink or a second spelling of the path locks the same file
        set_path = Path(os.path.realpath(set_path))
        self.path = set_path.with_name(set_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            os.close(fd)
            raise SetLockedError(
                f"{self.path.name[:-5]}: this set is open in another window "
                "(close it there first)"
            )
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        _unlock(self._fd)
        os.close(self._fd)
        self._fd = None
        # The lock file stays: unlinking it would let two processes lock different inodes.


def is_locked(set_path: Path) -> bool:
    """The set is open in a window or process now (its lock is held)."""
    lock = SetLock(set_path)
    if not lock.path.exists():
        return False
    try:
        lock.acquire()
    except SetLockedError:
        return True
    except OSError:
        return False
    lock.release()
    return False
