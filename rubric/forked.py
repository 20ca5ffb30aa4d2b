"""Work done by a fork of this process while this process goes on, and the pipes between
them.

A long computation that needs no file, no database and no lock (the similarity check of a
class's texts, say) can run in a copy of this process made by ``fork`` while this process
does something else: on a machine with two cores the two happen at once. Python threads
cannot do that here, as both halves are mostly Python and would take turns holding the
interpreter's lock.

When: only where the copy can be a ``fork`` (Linux), the machine has two cores or more, and
this process runs a single thread (every thread, Qt's and libraries' included: a fork
copies only the thread that calls it, and a lock held by another one would never be
released in the copy). Elsewhere, and whenever the copy fails (it could not be made, it
died, its result could not be sent), the work is done here when its result is asked for,
exactly as it would have been without this module: the same result, or the same exception.

The copy ignores Ctrl+C (this process handles it), writes to no file and reads no input
(its standard input and output are the null device), and ends as soon as it has sent its
result; closing a :class:`Background` that is no longer wanted kills it.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
from collections.abc import Callable
from typing import Any

_HEADER = struct.Struct("<Q")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def single_threaded() -> bool:
    """This process runs one thread (every thread, not only Python's: Qt's too)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def can_fork() -> bool:
    """Whether work may go to a fork of this process here and now (see the module's
    docstring)."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork") and cores() >= 2
            and single_threaded())


def flush_output() -> None:
    """Write out what this process has buffered, so that no copy writes it a second time."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass


def become_quiet_child() -> None:
    """In a fork: leave Ctrl+C to the parent, read and write nothing of its terminal, and
    keep shared what the fork copied (the collector never walks it)."""
    import gc
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass
    gc.freeze()


def send(fd: int, value: Any) -> None:
    """Pickle ``value`` into the pipe ``fd``, whole (a length, then the bytes)."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    header = _HEADER.pack(len(payload))
    written = os.writev(fd, [header, payload])
    if written < len(header) + len(payload):  # the pipe took a part: the rest, in turn
        rest = memoryview(header + payload)[written:]
        while rest:
            rest = rest[os.write(fd, rest):]


def receive(fd: int) -> Any:
    """The next value from the pipe ``fd``; EOFError when it closed (or closed mid-value)."""
    (size,) = _HEADER.unpack(read_exactly(fd, _HEADER.size))
    return pickle.loads(read_exactly(fd, size))


def read_exactly(fd: int, size: int) -> bytearray:
    buffer = bytearray(size)
    view = memoryview(buffer)
    done = 0
    while done < size:
        got = os.readv(fd, [view[done:]])
        if got == 0:
            raise EOFError
        done += got
    return buffer


def kill_and_reap(pid: int, kill: bool = True) -> None:
    """End the child ``pid`` (at once when ``kill``) and collect its exit status."""
    import signal

    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


class Background:
    """``function(*args)``, computed by a fork of this process from now on when
    :func:`can_fork` allows, else here when :meth:`result` is called. ``function`` and
    ``args`` must need nothing that cannot be shared with a copy of the process (an open
    database, a lock, a thread); its result must pickle.

    Use as a context manager, or call :meth:`close`: leaving without asking for the result
    kills the copy."""

    def __init__(self, function: Callable[..., Any], *args: Any):
        self._function = function
        self._args = args
        self._pid: int | None = None
        self._pipe: int | None = None
        self._owner = os.getpid()   # a copy of this object in another process owns nothing
        self.forked = False   # whether a copy is (or was) computing it
        if can_fork():
            self._fork()

    def _fork(self) -> None:
        read_end, write_end = os.pipe()
        flush_output()
        try:
            pid = os.fork()
        except OSError:   # no memory or no process left: computed here instead
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # the copy: never returns
            code = 1
            try:
                os.close(read_end)
                become_quiet_child()
                try:
                    outcome = ("done", self._function(*self._args))
                except BaseException:  # noqa: BLE001 - the parent raises it, computing again
                    outcome = ("failed", None)
                try:
                    send(write_end, outcome)
                except Exception:  # noqa: BLE001 - a result that cannot be pickled
                    send(write_end, ("failed", None))
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        self._pid, self._pipe, self.forked = pid, read_end, True

    def running(self) -> bool:
        """Whether a copy is computing it and has not sent its result yet."""
        if self._pipe is None:
            return False
        import select

        readable, _, _ = select.select([self._pipe], [], [], 0)
        return not readable

    def result(self) -> Any:
        """The function's result (waiting for the copy); when the copy failed or died, the
        function is called here, so its exception, if any, is raised here."""
        if self._pipe is not None:
            try:
                outcome, value = receive(self._pipe)
            except (EOFError, OSError, struct.error, pickle.UnpicklingError):
                outcome, value = "failed", None
            self.close()
            if outcome == "done":
                return value
        return self._function(*self._args)

    def close(self) -> None:
        """Forget the copy (killed if it has not finished)."""
        if os.getpid() != self._owner:
            return
        pipe, pid = self._pipe, self._pid
        self._pipe = self._pid = None
        if pipe is not None:
            os.close(pipe)
        if pid is not None:
            kill_and_reap(pid)

    def __del__(self) -> None:   # a copy nobody will ask: never left running
        try:
            self.close()
        except Exception:  # noqa: BLE001 - at interpreter exit, os may be gone
            pass

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
