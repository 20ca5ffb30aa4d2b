"""Every test runs with its own data folder and offscreen Qt, never touching real settings."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def qapp_cls():
    """pytest-qt's application is the app's own class, as in the app."""
    from gui.application import EssayMarkerApplication

    return EssayMarkerApplication


@pytest.fixture(autouse=True)
def fresh_data_dir(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("essay-marker-home")
    monkeypatch.setenv("ESSAY_MARKER_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    return home
