"""One place for failures: plain-words message boxes, and an exception hook that logs an
unexpected error (no student names: only the error type and the code location) and shows it
with a "Copy details" button. The user's work is already saved, so nothing is lost."""

from __future__ import annotations

import functools
import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from rubric.errors import EssayMarkerError
from rubric.store import data_dir

log = logging.getLogger("essay_marker")


class _LogFileOnFirstRecord(logging.Handler):
    """Opens the rotating log file when the first record arrives: most sessions log
    nothing, and ``logging.handlers`` with its file costs start-up time."""

    def __init__(self) -> None:
        super().__init__()
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None:
            from logging.handlers import RotatingFileHandler

            folder = data_dir() / "logs"
            folder.mkdir(parents=True, exist_ok=True)
            self._file = RotatingFileHandler(folder / "essay-marker.log", maxBytes=1_000_000,
                                             backupCount=3, encoding="utf-8")
            self._file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        self._file.handle(record)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def setup_logging() -> None:
    if log.handlers:
        return
    log.addHandler(_LogFileOnFirstRecord())
    log.setLevel(logging.INFO)


def _code_locations(tb: TracebackType | None) -> str:
    """The traceback as file:line function lines, without the exception's message (which may
    quote a student's text or name)."""
    frames = traceback.extract_tb(tb)
    return "\n".join(f"  {f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in frames)


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    """A clear message box for an expected failure (bad file, mark out of range...)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok,
                      parent)
    box.setObjectName("error_box")
    box.open() if _testing_non_blocking() else box.exec()


def _testing_non_blocking() -> bool:
    app = QApplication.instance()
    return bool(app and app.property("essay_marker_non_blocking_dialogs"))


def report_exception(exc_type, exc: BaseException, tb: TracebackType | None) -> None:
    if isinstance(exc, EssayMarkerError):
        show_error(QApplication.activeWindow(), "Essay Marker", str(exc))
        return
    details = f"{exc_type.__name__}\n{_code_locations(tb)}"
    log.error("unexpected error: %s", details)
    box = QMessageBox(QMessageBox.Icon.Critical, "Something went wrong",
                      "Essay Marker hit an unexpected problem. Your marking is already saved; "
                      "you can carry on.\n\nIf it happens again, copy the details and send them "
                      "to whoever supports the app (they contain no student names).",
                      QMessageBox.StandardButton.Ok, QApplication.activeWindow())
    box.setObjectName("unexpected_error_box")
    box.setDetailedText(details)
    copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
    copy.clicked.disconnect()
    copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
    box.open() if _testing_non_blocking() else box.exec()


_logged_model_errors: set[tuple[str, str, str, str]] = set()


def _where(args: tuple) -> str:
    """The column (or header section, or source row) a model call was about."""
    if not args:
        return ""
    first = args[0]
    column = getattr(first, "column", None)
    if callable(column):
        try:
            return f"column {column()}"
        except Exception:  # noqa: BLE001 - only for the log line
            return ""
    return f"section or row {first}" if isinstance(first, int) else ""


def log_model_error(model: object, method: str, args: tuple, exc: BaseException) -> None:
    """Log an exception a Qt model (or a view reading the set) swallowed, once per class,
    method, column and exception type: only those and the code line (never the exception's
    message or a value, which may be a student's text)."""
    where = _where(args)
    key = (type(model).__name__, method, where, type(exc).__name__)
    if key in _logged_model_errors:
        return
    _logged_model_errors.add(key)
    frames = traceback.extract_tb(exc.__traceback__)
    place = f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else "?"
    log.warning("view data: %s.%s(%s) raised %s at %s; shown as empty", key[0], method,
                where, key[3], place)


def never_raises(fallback: Any = None) -> Callable:
    """Decorate a Qt model's ``data()``, ``headerData()``, ``flags()`` (or a proxy's
    ``filterAcceptsRow()``): an unexpected exception is logged once (see
    :func:`log_model_error`) and ``fallback`` is returned instead (called with the model and
    the arguments when it is callable). An exception escaping into Qt from a model method
    leaves PySide with a pending error that breaks every later call and can crash the app;
    a damaged value in a set must never do that."""

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - nothing may escape into Qt
                log_model_error(self, method.__name__, args, exc)
                if callable(fallback):
                    try:
                        return fallback(self, *args)
                    except Exception:  # noqa: BLE001
                        return None
                return fallback

        return wrapper

    return decorate


def install_exception_hook() -> None:
    setup_logging()

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        try:
            report_exception(exc_type, exc, tb)
        except Exception:  # never let the reporter itself kill the app
            sys.__excepthook__(exc_type, exc, tb)

    sys.excepthook = hook
