"""``pip install .`` gives a working ``essay-marker``: the wheel, built from a copy of the
checkout, installed into a fresh venv outside it, runs the command line (scheme list,
inspect, new, import, export --excel) with nothing read from the checkout.

Offline: the wheel is built without build isolation (the dev venv's setuptools), and the
fresh venv sees the dev venv's already-installed libraries through a ``.pth`` file instead
of downloading them (a ``.pth`` line only adds a folder to ``sys.path``: the dev venv's own
``.pth`` files, such as the editable install of this checkout, are not run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import openpyxl
import pytest

import rubric

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


def _copy_checkout(dest: Path) -> Path:
    ignore = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                    ".pytest_cache", ".ruff_cache", ".import_linter_cache",
                                    "tests", "docs", "out")
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("wheel-install")
    source = _copy_checkout(base / "source")
    wheels = base / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", "--disable-pip-version-check", "-q", "-w", str(wheels), str(source)],
         cwd=base)
    wheel, = wheels.glob("essay_marker-*.whl")
    assert f"-{rubric.__version__}-" in wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    assert "rubric/resources/templates/aqa-history-essay-25.json" in names
    assert "rubric/resources/icons/essay-marker.svg" in names
    assert not any(n.startswith(("resources/", "tests/")) for n in names)

    env_dir = base / "fresh venv"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=base).stdout.strip())
    # the dev venv's libraries (and its pip), seen without downloading anything
    (site / "dev-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n",
                                            encoding="utf-8")
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed",
          "--disable-pip-version-check", "-q", str(wheel)], cwd=base)
    script = env_dir / ("Scripts/essay-marker.exe" if os.name == "nt" else "bin/essay-marker")
    assert script.exists()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["ESSAY_MARKER_HOME"] = str(base / "home")
    env["XDG_CONFIG_HOME"] = str(base / "home" / "config")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return {"base": base, "python": python, "script": script, "env": env, "site": site}


def _cli(installed, *args):
    return _run([str(installed["script"]), *args], cwd=installed["base"], env=installed["env"])


def test_the_installed_app_comes_from_the_venv_not_the_checkout(installed):
    out = _run([str(installed["python"]), "-c",
                "import rubric, gui, rubric.resources as r; print(rubric.__file__); "
                "print(gui.__file__); print(list(r.__path__)[0]); print(rubric.__version__)"],
               cwd=installed["base"], env=installed["env"]).stdout.splitlines()
    for line in out[:3]:
        assert Path(line).resolve().is_relative_to(installed["site"].resolve()), line
        assert not Path(line).resolve().is_relative_to(ROOT)
    assert out[3] == rubric.__version__
    assert _cli(installed, "--version").stdout.strip() == f"essay-marker {rubric.__version__}"


def test_scheme_list_inspect_import_and_export(installed):
    base = installed["base"]
    assert "aqa-history-essay-25" in _cli(installed, "scheme", "list").stdout
    essays = base / "essays"
    essays.mkdir()
    essay = essays / "4031_Walsh_Niamh.txt"
    essay.write_text("How far was the loyalty of the army the main reason the Tsar survived "
                     "1905?\n\nThe army stayed loyal. " * 12, encoding="utf-8")
    inspected = _cli(installed, "inspect", str(essay))
    assert "Walsh" in inspected.stdout or "4031" in inspected.stdout
    _cli(installed, "new", "Wheel test set")
    _cli(installed, "import", "Wheel test set", str(essays))
    marks = base / "marks.xlsx"
    _cli(installed, "export", "Wheel test set", "--excel", str(marks), "--all")
    workbook = openpyxl.load_workbook(marks)
    assert "Marks" in workbook.sheetnames
    cells = [str(c.value) for row in workbook["Marks"].iter_rows() for c in row if c.value]
    assert any("Walsh" in c for c in cells)
    sets = list((base / "home").rglob("*.markset"))
    assert sets, "the set lives in the data folder (ESSAY_MARKER_HOME)"
