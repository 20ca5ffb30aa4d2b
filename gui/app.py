"""Starting the app: arguments, the QApplication, the main window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="essay-marker",
        description="Open the app. Subcommands (essay-marker --help) run without a window.")
    parser.add_argument("target", nargs="?",
                        help="a marking set: its name, or a .markset file (copied in if it is "
                             "elsewhere)")
    parser.add_argument("--demo", action="store_true", help="open the bundled demo set")
    parser.add_argument("--screenshot", metavar="FILE.png",
                        help="render the main window with a script and its rubric to a PNG "
                             "and exit (the demo set when no set is given)")
    # for the start-up benchmark: quit as soon as the window has been shown
    parser.add_argument("--quit-after-show", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(list(argv))


def resolve_target(target: str) -> Path:
    """A set name or path; a .markset outside the data folder is copied in first (the
    policy is the core's: :func:`rubric.store.library.open_for_app`)."""
    from rubric.store.library import open_for_app

    return open_for_app(target)


def make_application(argv0: str = "essay-marker"):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication([argv0])
    app.setApplicationName("Essay Marker")
    app.setOrganizationName("EssayMarker")
    app.setApplicationDisplayName("Essay Marker")
    return app


def run(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if args.screenshot:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_application()
    from gui.errors import install_exception_hook, show_error
    from gui.main_window import MainWindow
    from rubric.errors import EssayMarkerError

    install_exception_hook()
    window = MainWindow()
    try:
        if args.target:
            window.open_set(resolve_target(args.target))
        elif args.demo or args.screenshot:
            window.open_demo()
    except EssayMarkerError as exc:
        show_error(window, "Cannot open the marking set", str(exc))
    if args.screenshot:
        return take_screenshot(window, Path(args.screenshot))
    window.show()
    if args.quit_after_show:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, app.quit)
    return app.exec()


def take_screenshot(window, path: Path) -> int:
    """Show a script that has annotations beside its rubric, render, save, exit."""
    from PySide6.QtWidgets import QApplication

    window.save_layout_on_close = False   # a rendering, not a session to remember
    window.resize(1440, 900)
    ms = window.marking_set
    if ms is not None:
        annotated = [a.script_id for a in ms.annotations(marker=ms.current_marker.id)]
        if annotated:
            window.select_script(annotated[0])
            first = ms.annotations(annotated[0], ms.current_marker.id)[0]
            window._select_annotation(first.id, scroll=False)
    window.show()
    for _ in range(5):
        QApplication.processEvents()
    ok = window.grab().save(str(path))
    window.close()
    if not ok:
        print(f"error: could not write {path}", file=sys.stderr)
        return 1
    print(path)
    return 0
