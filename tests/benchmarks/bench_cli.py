"""CLI ``mark`` as a whole process (``essay-marker mark SET 1 --mark N``) on 30- and
300-script sets, beside ``python -c pass`` started the same way, in the same run; and
``python -X importtime`` of the same command, to show what it imports and what that costs.

Aim: at most 3x ``python -c pass`` at any set size (the process, its imports, opening the
set, one mark saved with a full sync, the reply). Runs are interleaved so that the
machine's noise falls on all alike; medians.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rubric.store import MarkingSet
from rubric.store.backups import list_backups

from .bench_gui import realistic_set
from .conftest import report

RUNS = 15
COUNTS = (30, 300)
HEAVY = ("PySide6", "shiboken6", "openpyxl", "docx", "lxml", "pypdf", "pypdfium2", "numpy",
         "scipy")


def cli_env(bytecode: Path | None) -> dict[str, str]:
    """With ``bytecode``, compiled modules are cached there as an installed app's are (this
    machine sets PYTHONDONTWRITEBYTECODE, so every start compiles the app's modules again);
    without, as they are here."""
    env = dict(os.environ)
    if bytecode is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=120)
    return time.perf_counter() - start


def mark_command(path: Path, mark: int) -> list[str]:
    exe = str(Path(sys.executable).with_name("essay-marker"))
    return [exe, "mark", str(path), "1", "--mark", str(mark)]


def imports_of(command_args: list[str], env: dict[str, str]) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) for each module the command imports."""
    code = ("import sys; from gui.launcher import main; "
            f"sys.exit(main({command_args!r}))")
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, total, name = line[len("import time:"):].split("|")
        rows.append((int(own), int(total), name.rstrip()))
    return rows


def test_cli_mark_beside_python_pass(tmp_path):
    paths = {count: realistic_set(count) for count in COUNTS}
    warm_up = realistic_set(3)
    for label, bytecode in (("bytecode cached, as installed", tmp_path / "pycache"),
                            ("PYTHONDONTWRITEBYTECODE=1, as on this machine (bytecode only where dev.sh compiled it)", None)):
        env = cli_env(bytecode)
        run(mark_command(warm_up, 5), env)   # fills the bytecode cache (when there is one)
        floor_command = [sys.executable, "-c", "pass"]
        due = {}
        for count, path in paths.items():   # with no recent backup, a mark takes one first
            for backup in list_backups(path):
                backup.unlink()
            due[count] = run(mark_command(path, 7), env)
        run(floor_command, env)
        times: dict[str, list[float]] = {"pass": [], **{str(c): [] for c in COUNTS}}
        for n in range(RUNS):
            times["pass"].append(run(floor_command, env))
            for count, path in paths.items():
                times[str(count)].append(run(mark_command(path, 10 + n % 10), env))
        floor = statistics.median(times["pass"])
        values = {"python_-c_pass": f"{floor * 1000:.0f} ms"}
        for count in COUNTS:
            ours = statistics.median(times[str(count)])
            values[f"mark_{count}_scripts"] = (f"{ours * 1000:.0f} ms ({ours / floor:.2f}x; "
                                               "aim <= 3x)")
            values[f"mark_{count}_when_a_backup_is_due"] = (
                f"{due[count] * 1000:.0f} ms (once in {MarkingSet.backup_every_seconds // 60}"
                " minutes)")
        report(f"CLI mark as a process, {label} (median of {RUNS})", **values)

    env = cli_env(tmp_path / "pycache")
    rows = imports_of(["mark", str(paths[300]), "1", "--mark", "12"], env)
    names = {name.strip() for _own, _total, name in rows}
    heavy = sorted(n for n in names if n.split(".")[0] in HEAVY)
    top = sorted(rows, key=lambda row: -row[0])[:8]
    report("python -X importtime of `essay-marker mark` (bytecode cached)",
           modules=str(len(rows)),
           all_imports=f"{sum(own for own, _t, _n in rows) / 1000:.1f} ms",
           heavy_packages=", ".join(heavy) or "none (no Qt, openpyxl, docx, lxml, PDF)",
           **{name.strip(): f"{own / 1000:.1f} ms self, {total / 1000:.1f} ms with its own"
              for own, total, name in top})
    assert not heavy, heavy
