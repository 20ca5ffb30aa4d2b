"""Starting the app: arguments, the QApplication, the main window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(n) for n in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text}: give the size as WIDTHxHEIGHT, "
                                         "e.g. 1280x720") from None
    if not (320 <= width <= 8000 and 240 <= height <= 8000):
        raise argparse.ArgumentTypeError(f"{text}: a size from 320x240 to 8000x8000")
    return width, height


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
    parser.add_argument("--screenshot-start", metavar="FILE.png",
                        help="render the start page (the sets in the data folder) to a PNG "
                             "and exit")
    parser.add_argument("--screenshot-size", metavar="WxH", type=_size, default=(1440, 900),
                        help="the window size of a screenshot, in logical pixels (default "
                             "1440x900; QT_SCALE_FACTOR=2 renders it at twice the pixels)")
    # for the start-up benchmark: quit once the first frame is painted, or once the first
    # script is laid out too
    parser.add_argument("--quit-after-show", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quit-after-ready", action="store_true", help=argparse.SUPPRESS)
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

    from gui.application import EssayMarkerApplication

    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = EssayMarkerApplication([argv0])
    app.setApplicationName("Essay Marker")
    app.setOrganizationName("EssayMarker")
    app.setApplicationDisplayName("Essay Marker")
    # the taskbar icon: Wayland and most X11 docks match the window to essay-marker.desktop
    app.setDesktopFileName("essay-marker")
    from gui.icons import app_icon

    app.setWindowIcon(app_icon())
    return app


#: The core modules the first frame needs, imported before Qt: once PySide6 is loaded, its
#: import hook reads the source of every module imported after it (measured here: ~40 ms for
#: these when they came after Qt, nothing when they come first).
CORE_FIRST = ("rubric.store", "rubric.store.library", "rubric.store.summary", "rubric.demo",
              "rubric.importing.model")


def run(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    rendering = bool(args.screenshot or args.screenshot_start)
    if rendering:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import importlib

    for name in CORE_FIRST:
        importlib.import_module(name)
    app = make_application()
    from gui.errors import install_exception_hook, show_error
    from gui.main_window import MainWindow
    from rubric.errors import EssayMarkerError

    install_exception_hook()
    window = MainWindow()
    open_files_from_the_system(app, window)
    # a rendering or a timing waits for no one
    window.ask_marker_on_first_open = not (rendering or args.quit_after_show
                                           or args.quit_after_ready)
    # the first frame is painted before the first script is laid out
    window.defer_first_script = not rendering
    try:
        if args.target:
            window.open_set(resolve_target(args.target))
        elif args.demo or args.screenshot:
            window.open_demo()
    except EssayMarkerError as exc:
        show_error(window, "Cannot open the marking set", str(exc))
    if args.screenshot_start:
        return take_start_screenshot(window, Path(args.screenshot_start),
                                     args.screenshot_size)
    if args.screenshot:
        return take_screenshot(window, Path(args.screenshot), args.screenshot_size)
    if args.quit_after_show or args.quit_after_ready:   # watching from before the first frame
        quit_after_first_frame(app, window, wait_for_script=args.quit_after_ready)
    window.show()
    return app.exec()


def open_files_from_the_system(app, window):
    """Open a set the system hands over (macOS sends a FileOpen event when a .markset is
    double-clicked in Finder or dropped on the Dock icon; elsewhere it comes as argv).
    The application announces it (:class:`gui.application.EssayMarkerApplication`); the
    connection made is returned."""
    from gui.errors import show_error
    from rubric.errors import EssayMarkerError

    def open_path(path: str) -> None:
        try:
            window.open_set(resolve_target(path))
        except EssayMarkerError as exc:
            show_error(window, "Cannot open the marking set", str(exc))

    return app.file_open_requested.connect(open_path)


def quit_after_first_frame(app, window, wait_for_script: bool = False) -> None:
    """Quit once the window has painted its first frame (for the start-up benchmark); with
    ``wait_for_script``, once the first script of an open set has been laid out too."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    def ready() -> bool:
        return not wait_for_script or window.marking_set is None or \
            window.current_script is not None

    def quit_when_ready() -> None:
        if ready():
            app.quit()
        else:
            QTimer.singleShot(0, quit_when_ready)

    class FirstPaint(QObject):
        """Sees the first paint of any widget in the window: the frame is being drawn, and
        the zero timer runs once it is done."""

        def eventFilter(self, watched, event) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget) and \
                    watched.window() is window:
                app.removeEventFilter(self)
                QTimer.singleShot(0, quit_when_ready)
            return False

    watcher = FirstPaint(window)
    app.installEventFilter(watcher)


def take_screenshot(window, path: Path, size: tuple[int, int] = (1440, 900)) -> int:
    """Show a script that has annotations beside its rubric, render, save, exit."""
    window.save_layout_on_close = False   # a rendering, not a session to remember
    window.resize(*size)
    ms = window.marking_set
    if ms is not None:
        annotated = [a.script_id for a in ms.annotations(marker=ms.current_marker.id)]
        if annotated:
            window.select_script(annotated[0])
            first = ms.annotations(annotated[0], ms.current_marker.id)[0]
            window._select_annotation(first.id, scroll=False)
    return _render(window, path)


def take_start_screenshot(window, path: Path, size: tuple[int, int] = (1440, 900)) -> int:
    """Render the start page as it is now (the sets in the data folder), save, exit."""
    window.save_layout_on_close = False
    if window.marking_set is not None:
        window.close_set()
    window.resize(*size)
    window.start_page  # noqa: B018 - built and shown
    return _render(window, path)


def _render(window, path: Path) -> int:
    from PySide6.QtWidgets import QApplication

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
