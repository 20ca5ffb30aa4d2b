"""Help › About shows the one version number and the libraries' licences."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from gui.main_window import MainWindow
from gui.settings import Settings
from rubric import __version__
from rubric.licences import bundled_licences


def test_about_shows_version_and_every_bundled_licence(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda parent, title, text:
                                                           shown.append((title, text))))
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    win.act_about.trigger()
    (title, text), = shown
    assert title == "About Essay Marker"
    assert f"Essay Marker {__version__}" in text
    rows = bundled_licences()
    assert rows
    for name, version, licence in rows:
        assert f"<td>{name}</td><td>{version}</td>" in text
        assert licence.replace("&", "&amp;") in text
