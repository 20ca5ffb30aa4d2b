"""Writing files so that a failure never leaves a half-written file or destroys the old one.

Write to a temporary file in the target folder, flush and fsync, then ``os.replace``.
Errors become :class:`ExportError` with a one-line message naming the file.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from rubric.errors import ExportError

__all__ = ["ExportError", "atomic_output", "describe_os_error", "write_bytes_atomically",
           "write_text_atomically", "write_with"]


def describe_os_error(exc: OSError) -> str:
    """Plain words for the errors teachers meet when saving."""
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ("permission denied (is the file open in Word or Excel, or is the folder "
                "read-only?)")
    if exc.errno == errno.ENOENT:
        return "the folder does not exist"
    if exc.errno == errno.EROFS:
        return "the disk is read-only"
    if exc.errno == errno.EISDIR:
        return "a folder has that name"
    if getattr(exc, "winerror", None) in (32, 33):
        return "the file is open in another program (close it in Word or Excel and try again)"
    return exc.strerror or str(exc)


@contextmanager
def atomic_output(path: str | Path) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it atomically replaces ``path``."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)  # as --word does for its folder
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name.encode()[:100].decode('utf-8', 'ignore')}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(target, describe_os_error(exc)) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # A new file stays private to the user (mkstemp makes it 0600: student data);
        # a file being replaced keeps the permissions someone gave it.
        try:
            if target.exists():
                os.chmod(tmp, target.stat().st_mode & 0o777)
        except OSError:
            pass
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(target, describe_os_error(exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomically(path: str | Path, data: bytes) -> None:
    with atomic_output(path) as handle:
        handle.write(data)


def write_text_atomically(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    write_bytes_atomically(path, text.encode(encoding))


def write_with(path: str | Path, writer: Callable[[BinaryIO], None]) -> None:
    """Call ``writer(file)`` (e.g. ``document.save``) on a temporary file, then replace."""
    with atomic_output(path) as handle:
        writer(handle)
