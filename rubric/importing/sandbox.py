"""Run :mod:`rubric.importing._pdf_child` on untrusted bytes with time and memory limits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rubric.errors import ImportFailure
from rubric.importing.model import ImportOptions

#: The command that starts the child. A frozen build (PyInstaller), where
#: ``sys.executable`` is the app itself, must set this to a command whose entry point
#: calls ``rubric.importing._pdf_child.main()`` — e.g. ``[sys.executable, "--import-child"]``.
CHILD_COMMAND: list[str] | None = None

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def _command(mode: str, options: ImportOptions) -> list[str]:
    cpu = max(1, int(options.time_limit) + 1)
    base = CHILD_COMMAND or [sys.executable, "-m", "rubric.importing._pdf_child"]
    return [*base, mode, str(int(options.memory_limit_mb)), str(cpu)]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    existing = env.get("PYTHONPATH")
    env["PYTHONPATH"] = _PACKAGE_ROOT + (os.pathsep + existing if existing else "")
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("PYTHONSTARTUP", None)
    return env


def run_child(path: Path, data: bytes, mode: str, options: ImportOptions, what: str) -> dict:
    """Parse ``data`` in the child; returns its JSON result (``ok`` true) or raises
    :class:`ImportFailure`. ``what`` names the format in messages ("PDF", "RTF file")."""
    try:
        completed = subprocess.run(
            _command(mode, options),
            input=data,
            capture_output=True,
            timeout=options.time_limit,
            env=_environment(),
            cwd=_PACKAGE_ROOT,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ImportFailure(
            path, f"took too long to read (over {options.time_limit:g} s); the {what} may be damaged"
        ) from None
    except OSError as exc:
        raise ImportFailure(path, f"could not start the {what} reader ({exc.strerror or type(exc).__name__})") from None
    try:
        result = json.loads(completed.stdout.decode("utf-8"))
        if not isinstance(result, dict):
            raise ValueError
    except (UnicodeDecodeError, ValueError):
        if completed.returncode < 0 or completed.returncode in (137, 139, 152):
            reason = f"the {what} reader stopped (out of memory or time); the {what} may be damaged"
        else:
            reason = f"the {what} reader failed; the {what} may be damaged"
        raise ImportFailure(path, reason) from None
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
