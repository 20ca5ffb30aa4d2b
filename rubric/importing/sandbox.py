"""Run :mod:`rubric.importing._pdf_child` on untrusted bytes with time and memory limits.

The children are long-lived: a small pool (one per processor core, started when first
needed) that serves file after file, so a batch of PDFs pays for starting Python and
PDFium once per child instead of once per file. Each child sets its own memory limit when
it starts and renews its CPU limit for every file; the parent keeps the wall-clock limit.
A child that runs over its time is killed, and the one file it was reading gets a clean
error while the rest of the batch goes on with a fresh child (started with the same
limits). A child that crashes, runs out of memory, or has grown large, is replaced the
same way. The pool is safe to use from several threads at once (the GUI imports in a
worker pool); children are stopped when the program exits, and a child whose parent died
stops when its stdin closes.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from rubric.errors import ImportFailure
from rubric.forked import PACKAGE_ROOT, child_environment
from rubric.importing.model import ImportOptions

#: The command that starts the child. A frozen build (PyInstaller), where
#: ``sys.executable`` is the app itself, must set this to a command whose entry point
#: calls ``rubric.importing._pdf_child.main()`` — e.g. ``[sys.executable, "--import-child"]``
#: (``main`` skips leading ``--`` options). The pool appends ``serve MEMORY_MB CPU_SECONDS``.
CHILD_COMMAND: list[str] | None = None

#: How many children may run at once (one per core the process may use).
POOL_SIZE = max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)))

#: The longest answer read from a child (a 500-page PDF's text is a few megabytes).
MAX_ANSWER = 256 * 1024 * 1024



def _cpu_seconds(options: ImportOptions) -> int:
    return max(1, int(options.time_limit) + 1)


def _command(memory_mb: int, cpu_seconds: int) -> list[str]:
    base = CHILD_COMMAND or [sys.executable, "-m", "rubric.importing._pdf_child"]
    return [*base, "serve", str(int(memory_mb)), str(cpu_seconds)]


class _Child:
    """One running child process and the key (command, memory limit) it was started with."""

    def __init__(self, key: tuple, command: list[str]) -> None:
        self.key = key
        self.served = 0
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=child_environment(),
            cwd=PACKAGE_ROOT,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def exchange(self, header: bytes, data: bytes, timeout: float) -> bytes:
        """Send one request and return the answer line (b"" when the child ended without
        answering). Raises ``subprocess.TimeoutExpired`` (after killing the child) when no
        answer comes within ``timeout`` seconds."""
        answer: list[bytes] = []

        def talk() -> None:
            try:
                self.process.stdin.write(header)
                self.process.stdin.write(data)
                self.process.stdin.flush()
            except (OSError, ValueError):
                pass  # the child ended or stopped reading: whatever it wrote is still read
            try:
                answer.append(self.process.stdout.readline(MAX_ANSWER))
            except (OSError, ValueError):
                answer.append(b"")

        thread = threading.Thread(target=talk, name="pdf-child-io", daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            self.kill()
            thread.join(2)
            raise subprocess.TimeoutExpired(self.process.args, timeout)
        self.served += 1
        return answer[0] if answer else b""

    def returncode(self) -> int | None:
        try:
            return self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.process.returncode

    def kill(self) -> None:
        try:
            self.process.kill()
        except OSError:
            pass
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except (OSError, ValueError):
                pass

    def close(self) -> None:
        """Ask an idle child to stop (it exits when its stdin closes)."""
        try:
            self.process.stdin.close()
        except (OSError, ValueError):
            pass
        try:
            self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass
        self.kill()


class _Pool:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._idle: list[_Child] = []
        self._busy: set[_Child] = set()
        self._starting = 0

    def acquire(self, memory_mb: int, cpu_seconds: int) -> _Child:
        command = _command(memory_mb, cpu_seconds)
        key = (tuple(command[:-1]),)  # the CPU limit is renewed for every file
        stale: list[_Child] = []
        try:
            with self._condition:
                while True:
                    for child in reversed(self._idle):
                        if child.key == key:
                            self._idle.remove(child)
                            if child.alive():
                                self._busy.add(child)
                                return child
                            stale.append(child)
                            break
                    else:
                        if len(self._idle) + len(self._busy) + self._starting < POOL_SIZE:
                            self._starting += 1
                            break
                        if self._idle:  # a child of another kind is idle: make room
                            stale.append(self._idle.pop(0))
                            continue
                        self._condition.wait()
        finally:
            for child in stale:
                child.close()
        try:
            child = _Child(key, command)
        except BaseException:
            with self._condition:
                self._starting -= 1
                self._condition.notify()
            raise
        with self._condition:
            self._starting -= 1
            self._busy.add(child)
        return child

    def release(self, child: _Child, reusable: bool) -> None:
        with self._condition:
            self._busy.discard(child)
            keep = reusable and child.alive()
            if keep:
                self._idle.append(child)
            self._condition.notify()
        if not keep:
            child.kill()

    def shutdown(self) -> None:
        with self._condition:
            idle, busy = self._idle, list(self._busy)
            self._idle = []
        for child in idle:
            child.close()
        for child in busy:
            child.kill()


_POOL = _Pool()


def shutdown() -> None:
    """Stop every child (they are started again when needed)."""
    _POOL.shutdown()


atexit.register(shutdown)


def _exchange(path: Path, data: bytes, mode: str, options: ImportOptions, what: str) -> tuple[dict | None, int | None]:
    """One request to a child from the pool, retried once on a fresh child when a reused
    one ended without answering (it may have retired just then). Returns the answer (None
    when there was none) and the child's exit status."""
    cpu = _cpu_seconds(options)
    header = json.dumps({"mode": mode, "size": len(data), "cpu": cpu}).encode("ascii") + b"\n"
    for attempt in range(2):
        try:
            child = _POOL.acquire(options.memory_limit_mb, cpu)
        except OSError as exc:
            raise ImportFailure(path, f"could not start the {what} reader ({exc.strerror or type(exc).__name__})") from None
        reusable = False
        try:
            reused = child.served > 0
            try:
                line = child.exchange(header, data, options.time_limit)
            except subprocess.TimeoutExpired:
                raise ImportFailure(
                    path, f"took too long to read (over {options.time_limit:g} s); the {what} may be damaged"
                ) from None
            if not line:
                status = child.returncode()
                if reused and attempt == 0:
                    continue
                return None, status
            try:
                result = json.loads(line.decode("utf-8", "surrogatepass"))
                if not isinstance(result, dict):
                    raise ValueError
            except (UnicodeDecodeError, ValueError):
                return None, child.returncode()
            reusable = not result.pop("retire", False)
            return result, None
        finally:
            _POOL.release(child, reusable)
    return None, None


def run_child(path: Path, data: bytes, mode: str, options: ImportOptions, what: str) -> dict:
    """Parse ``data`` in a child; returns its JSON result (``ok`` true) or raises
    :class:`ImportFailure`. ``what`` names the format in messages ("PDF", "RTF file")."""
    result, status = _exchange(path, data, mode, options, what)
    if result is None:
        if status is not None and (status < 0 or status in (137, 139, 152)):
            reason = f"the {what} reader stopped (out of memory or time); the {what} may be damaged"
        else:
            reason = f"the {what} reader failed; the {what} may be damaged"
        raise ImportFailure(path, reason)
    if result.get("ok"):
        return result
    error = result.get("error")
    detail = str(result.get("detail") or "").strip()
    if error == "encrypted":
        raise ImportFailure(path, f"the {what} is password-protected")
    if error == "encrypted-unsupported":
        raise ImportFailure(
            path, f"the {what} is encrypted (password-protected or locked against copying) and cannot be read"
        )
    if error == "memory":
        raise ImportFailure(
            path, f"needed more than {options.memory_limit_mb} MB of memory to read; the {what} may be damaged"
        )
    suffix = f" ({detail[:100]})" if detail else ""
    raise ImportFailure(path, f"the {what} is damaged and could not be read{suffix}")
