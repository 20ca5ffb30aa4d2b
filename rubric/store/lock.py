"""An exclusive lock on a marking set, so a second window or process cannot open it.

The lock is an OS file lock on ``<set>.lock``: the OS drops it when the process dies,
so a crash never leaves a set locked. The file is removed when the set is closed (so no
``.lock`` litters a USB stick beside a set opened in place); a process that opened the
file just before it was removed finds, once it holds the lock, that the path no longer
names the file it locked, and tries again with a new one.
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
        for _ in range(20):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            if not _try_lock(fd):
                os.close(fd)
                break
            if _names(self.path, fd):
                self._fd = fd
                return
            # the holder removed the file between our open and our lock: the lock we hold
            # is on a file nobody else will ever open; try again with the path's new file
            _unlock(fd)
            os.close(fd)
        raise SetLockedError(
            f"{self.path.name[:-5]}: this set is open in another window "
            "(close it there first)"
        )

    def release(self) -> None:
        if self._fd is None:
            return
        if os.name != "nt":  # removed while still held (see the module docstring)
            try:
                if _names(self.path, self._fd):
                    os.unlink(self.path)
            except OSError:
                pass  # a read-only folder: the file stays, which is harmless
        _unlock(self._fd)
        os.close(self._fd)
        self._fd = None


def _names(path: Path, fd: int) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    if os.name == "nt":  # an open file cannot be removed there: it always does
        return True
    try:
        here, there = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


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
