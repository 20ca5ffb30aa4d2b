"""Every user setting, declared once with its default. Stored in an INI file in the app's
data folder (so tests, which point ESSAY_MARKER_HOME elsewhere, never touch real settings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSettings

from rubric.store import data_dir


@dataclass(frozen=True)
class Option:
    key: str
    default: Any
    kind: type


GEOMETRY = Option("window/geometry", b"", bytes)
WINDOW_STATE = Option("window/state", b"", bytes)
MAIN_SPLITTER = Option("window/main_splitter", b"", bytes)
CENTRE_SPLITTER = Option("window/centre_splitter", b"", bytes)
RECENT_SETS = Option("sets/recent", [], list)
LAST_SET = Option("sets/last", "", str)
MARKER_NAME = Option("marker/name", "", str)
MARKER_INITIALS = Option("marker/initials", "", str)
MARKER_ROLE = Option("marker/role", "teacher", str)
NAME_PATTERN = Option("import/name_pattern", "{number}_{surname}_{forename}", str)
SCRIPT_FONT_SIZE = Option("view/script_font_size", 12, int)
MAX_RECENT = 10


class Settings:
    def __init__(self, path: str | None = None):
        self._qsettings = QSettings(path or str(data_dir() / "settings.ini"),
                                    QSettings.Format.IniFormat)

    def get(self, option: Option) -> Any:
        value = self._qsettings.value(option.key, option.default)
        if value is None:
            return option.default
        if option.kind is list:
            if isinstance(value, str):
                return [value] if value else []
            return list(value)
        if option.kind is bytes:
            return bytes(value) if value else b""
        try:
            return option.kind(value)
        except (TypeError, ValueError):
            return option.default

    def set(self, option: Option, value: Any) -> None:
        self._qsettings.setValue(option.key, value)

    def sync(self) -> None:
        self._qsettings.sync()

    def add_recent(self, path: str) -> None:
        recent = [p for p in self.get(RECENT_SETS) if p != path]
        self.set(RECENT_SETS, [path, *recent][:MAX_RECENT])
        self.set(LAST_SET, path)
