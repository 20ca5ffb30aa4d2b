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

A process with threads (the app, whose exports run off the window's thread) cannot fork,
but may start a new Python for work that is long enough to pay for one (``spawn=True``,
on two cores or more): the function and its arguments go to the child through its
standard input, pickled (the function by its module and name, so the child imports it),
and the outcome comes back the same way. A child costs starting Python and importing the
function's module (about a tenth of a second here), which is why the caller says when the
work is worth it. It falls back exactly as a fork does: when it cannot start, dies or
fails, the work is done here when its result is asked for.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

_HEADER = struct.Struct("<Q")

#: The command that starts a child for :class:`Background` work in a new Python. A frozen
#: build (PyInstaller), where ``sys.executable`` is the app itself, sets it to a command
#: whose entry point calls :func:`serve_one` (``[sys.executable, "--background-child"]``).
CHILD_COMMAND: list[str] | None = None

#: Where the ``rubric`` package lies: the children's ``PYTHONPATH`` and working folder.
PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])


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


def can_spawn() -> bool:
    """Whether long work may go to a new Python beside this process: when it would not
    wait for a core (two cores or more)."""
    return cores() >= 2


def child_environment() -> dict[str, str]:
    """The environment of a child Python of this package's (a background child, a PDF or
    RTF reader): this one's, with the package importable, UTF-8 pipes and no start-up
    script of the user's."""
    env = dict(os.environ)
    existing = env.get("PYTHONPATH")
    env["PYTHONPATH"] = PACKAGE_ROOT + (os.pathsep + existing if existing else "")
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("PYTHONSTARTUP", None)
    return env


def flush_output() -> None:
    """Write out what this process has buffered, so that no copy writes it a second time."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass


def become_quiet_child(*keep: int) -> None:
    """In a fork: leave Ctrl+C to the parent, read and write nothing of its terminal, let
    go of every file the parent had open but the pipes in ``keep`` (see
    :func:`release_inherited`), and keep shared what the fork copied (the collector never
    walks it)."""
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
    release_inherited(set(keep))
    gc.freeze()


def release_inherited(keep: set[int]) -> None:
    """Point every file descriptor above 2 but ``keep`` at the null device. A fork shares
    its parent's open files, and with them the set's lock (``flock`` belongs to the open
    file, not to the process): a copy still running when its parent is killed would keep
    the set locked after the parent died. The numbers stay taken (by the null device) so
    that nothing the copy opens later can be closed by a Python object of the parent's
    that the copy frees."""
    try:
        numbers = [int(name) for name in os.listdir("/proc/self/fd")]
    except (OSError, ValueError):
        return   # not Linux: forks are not used there
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    for fd in numbers:
        if fd > 2 and fd != null and fd not in keep:
            try:
                os.dup2(null, fd)
            except OSError:
                pass   # closed meanwhile (the listing's own descriptor)
    os.close(null)


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


def receive_from(stream: IO[bytes]) -> Any:
    """The next value from a pipe's file object (as :func:`receive`, for any platform)."""
    (size,) = _HEADER.unpack(read_all(stream, _HEADER.size))
    return pickle.loads(read_all(stream, size))


def read_all(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) < size:
        raise EOFError
    return data


def framed(value: Any) -> bytes:
    """``value`` pickled, after its length: what :func:`receive_from` reads."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(payload)) + payload


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
    :func:`can_fork` allows; else, when ``spawn`` is true and :func:`can_spawn` allows, by
    a new Python (``function`` then named by its module and name, and ``args`` pickled);
    else here when :meth:`result` is called. ``function`` and ``args`` must need nothing
    that cannot be shared with another process (an open database, a lock, a thread); its
    result must pickle.

    Use as a context manager, or call :meth:`close`: leaving without asking for the result
    kills the copy or the child."""

    def __init__(self, function: Callable[..., Any], *args: Any, spawn: bool = False):
        self._function = function
        self._args = args
        self._pid: int | None = None
        self._pipe: int | None = None
        self._child: Any = None   # a subprocess.Popen, when spawned
        self._feeder: Any = None  # the thread that writes the work to the child
        self._owner = os.getpid()   # a copy of this object in another process owns nothing
        self.forked = False   # whether a copy is (or was) computing it
        self.spawned = False  # whether a new Python is (or was) computing it
        if can_fork():
            self._fork()
        elif spawn and can_spawn():
            self._spawn()

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
                become_quiet_child(write_end)
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

    def _spawn(self) -> None:
        import subprocess
        import threading

        try:
            work = framed((self._function, self._args))
        except Exception:  # noqa: BLE001 - a function or arguments that cannot be pickled
            return
        try:
            child = subprocess.Popen(
                CHILD_COMMAND or [sys.executable, "-m", "rubric.forked"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env=child_environment(), cwd=PACKAGE_ROOT,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
        except OSError:   # no process left, or no Python to start: computed here instead
            return

        def feed() -> None:   # the work may be larger than a pipe holds: written aside
            try:
                child.stdin.write(work)
                child.stdin.close()
            except (OSError, ValueError):
                pass   # the child ended or was killed: its result is missing, and made here

        self._feeder = threading.Thread(target=feed, name="background-feed", daemon=True)
        self._feeder.start()
        self._child, self.spawned = child, True

    def running(self) -> bool:
        """Whether a copy or a child is computing it and has not sent its result yet."""
        if self._child is not None:
            return self._child.poll() is None
        if self._pipe is None:
            return False
        import select

        readable, _, _ = select.select([self._pipe], [], [], 0)
        return not readable

    def result(self) -> Any:
        """The function's result (waiting for the copy or the child); when that failed or
        died, the function is called here, so its exception, if any, is raised here."""
        if self._pipe is not None or self._child is not None:
            try:
                if self._child is not None:
                    outcome, value = receive_from(self._child.stdout)
                else:
                    outcome, value = receive(self._pipe)
            except (EOFError, OSError, ValueError, struct.error, pickle.UnpicklingError,
                    AttributeError, ImportError):
                outcome, value = "failed", None
            self.close()
            if outcome == "done":
                return value
        return self._function(*self._args)

    def close(self) -> None:
        """Forget the copy or the child (killed if it has not finished)."""
        if os.getpid() != self._owner:
            return
        pipe, pid, child, feeder = self._pipe, self._pid, self._child, self._feeder
        self._pipe = self._pid = self._child = self._feeder = None
        if pipe is not None:
            os.close(pipe)
        if pid is not None:
            kill_and_reap(pid)
        if child is not None:
            if child.poll() is None:
                child.kill()
            child.wait()
            for stream in (child.stdin, child.stdout):
                try:
                    stream.close()
                except (OSError, ValueError):
                    pass
        if feeder is not None:
            feeder.join()

    def __del__(self) -> None:   # a copy nobody will ask: never left running
        try:
            self.close()
        except Exception:  # noqa: BLE001 - at interpreter exit, os may be gone
            pass

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve_one() -> int:
    """A background child's side (``python -m rubric.forked``, or the frozen app started
    with ``--background-child``): one piece of work read from standard input, its outcome
    written to standard output, in the framing of :func:`framed`. It ignores Ctrl+C (its
    parent handles it), and whatever the work prints goes nowhere."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sink = os.fdopen(os.dup(1), "wb")
    try:
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass
    try:
        function, args = receive_from(sys.stdin.buffer)
        outcome = ("done", function(*args))
    except BaseException:  # noqa: BLE001 - the parent computes it again, and raises it
        outcome = ("failed", None)
    try:
        answer = framed(outcome)
    except Exception:  # noqa: BLE001 - a result that cannot be pickled
        answer = framed(("failed", None))
    try:
        sink.write(answer)
        sink.close()
    except OSError:   # the parent stopped waiting
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(serve_one())
