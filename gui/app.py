"""Starting the app: arguments, the QApplication, the main window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="essay-marker", add_help=False)
    parser.add_argument("target", nargs="?", help="a marking set name, .markset file")
    parser.add_argument("--screenshot", metavar="FILE.png")
    return parser.parse_args(list(argv))


def run(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Essay Marker")
    window = QMainWindow()
    window.setWindowTitle("Essay Marker")
    window.setCentralWidget(QLabel("Essay Marker"))
    window.resize(1200, 800)
    window.show()
    if args.screenshot:
        app.processEvents()
        window.grab().save(args.screenshot)
        return 0
    return app.exec()
