"""The core never imports Qt or the GUI, so it can run in the CLI and tests without a screen."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import rubric


def test_importing_every_core_module_loads_no_qt():
    modules = [m.name for m in pkgutil.walk_packages(rubric.__path__, "rubric.")
               if not m.name.endswith("__main__")]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'gui'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"core imported: {result.stdout}"
    assert len(modules) >= 10
