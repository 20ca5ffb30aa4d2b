"""packaging/install-linux.sh installs the desktop integration per user, under ~/.local."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "install-linux.sh"
LINUX = ROOT / "packaging" / "linux"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or os.name == "nt",
                                reason="a Linux shell script")


def _fake_tools(folder: Path, log: Path) -> None:
    folder.mkdir()
    for tool in ("update-mime-database", "update-desktop-database", "gtk-update-icon-cache"):
        fake = folder / tool
        fake.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\n', encoding="utf-8")
        fake.chmod(0o755)


def _install(tmp_path, *args):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    log = tmp_path / "tools.log"
    if not (tmp_path / "fakebin").exists():
        _fake_tools(tmp_path / "fakebin", log)
    env = {"HOME": str(home), "PATH": f"{tmp_path / 'fakebin'}:/usr/bin:/bin", "LANG": "C"}
    result = subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return home, log


def test_desktop_entry_and_mime_type_are_valid():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(LINUX / "essay-marker.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"] == "essay-marker %f"
    assert desktop["MimeType"] == "application/x-essay-marker-set;"
    assert desktop["Icon"] == "essay-marker"
    assert desktop["Categories"] == "Education;Office;"
    assert desktop["Type"] == "Application"
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    mime = ET.parse(LINUX / "essay-marker-mime.xml").getroot()
    kind = mime.find("m:mime-type", ns)
    assert kind.get("type") == "application/x-essay-marker-set"
    assert kind.find("m:glob", ns).get("pattern") == "*.markset"
    assert kind.find("m:magic/m:match", ns).get("value") == "SQLite format 3"


def test_install_without_the_app_puts_every_file_under_local_share(tmp_path):
    home, log = _install(tmp_path, "--no-app")
    share = home / ".local" / "share"
    desktop = share / "applications" / "essay-marker.desktop"
    assert "Exec=essay-marker %f" in desktop.read_text(encoding="utf-8")
    assert (share / "mime" / "packages" / "essay-marker-mime.xml").read_bytes() == \
        (LINUX / "essay-marker-mime.xml").read_bytes()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "essay-marker.svg").is_file()
    for size in SIZES:
        png = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "essay-marker.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", size
    calls = log.read_text(encoding="utf-8").splitlines()
    assert f"update-mime-database {share / 'mime'}" in calls
    assert f"update-desktop-database {share / 'applications'}" in calls
    assert not (share / "essay-marker").exists()   # --no-app: no venv, no frozen copy
    assert not (home / ".local" / "bin" / "essay-marker").exists()
    # nothing outside ~/.local
    assert {p.name for p in home.iterdir()} == {".local"}


def test_install_works_without_the_update_tools_and_uninstalls(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    for tool in ("bash", "sed", "cp", "mkdir", "chmod", "rm", "ln", "dirname", "cat"):
        found = shutil.which(tool)
        if found:
            (empty / tool).symlink_to(found)
    env = {"HOME": str(home), "PATH": str(empty), "LANG": "C"}
    run = lambda *a: subprocess.run(["bash", str(SCRIPT), *a], env=env, capture_output=True,  # noqa: E731
                                    text=True, timeout=60)
    result = run("--no-app")
    assert result.returncode == 0, result.stderr
    assert (home / ".local/share/applications/essay-marker.desktop").is_file()
    result = run("--uninstall")
    assert result.returncode == 0, result.stderr
    assert not (home / ".local/share/applications/essay-marker.desktop").exists()
    assert not list((home / ".local/share/icons").rglob("essay-marker.*"))
