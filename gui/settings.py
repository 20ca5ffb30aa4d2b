"""Every user setting, declared once with its default and its type. Stored in an INI file in
the app's data folder (so tests, which point ESSAY_MARKER_HOME elsewhere, never touch real
settings).

Values are read with their type, as Picard's options do (``QSettings.value(key,
type=...)``): an INI file holds only text, and without ``type=`` the text ``false`` would
come back as a (true) string. A value that cannot be read as its type gives the default.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from rubric.store import data_dir


@dataclass(frozen=True)
class Option:
    """One setting: its key in the INI file, its default, and its type (``str``, ``bool``,
    ``int``, ``list`` of strings or ``bytes``)."""

    key: str
    default: Any
    kind: type

    @property
    def qtype(self) -> type:
        """The type ``QSettings.value`` converts to."""
        return QByteArray if self.kind is bytes else self.kind


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
# The export dialog's choices, as the user last left them
EXPORT_FEEDBACK = Option("export/feedback", True, bool)
EXPORT_FILE_PATTERN = Option("export/file_pattern", "{candidate}_{set}.docx", str)
EXPORT_PACK = Option("export/class_pack", False, bool)
EXPORT_COVER = Option("export/cover_sheets", False, bool)   # unset: on for coursework
EXPORT_EXCEL = Option("export/markbook", True, bool)
EXPORT_CSV = Option("export/csv", False, bool)
EXPORT_SCRIPT = Option("export/include_script", True, bool)
EXPORT_ANNOTATIONS = Option("export/include_annotations", True, bool)
EXPORT_DESCRIPTORS = Option("export/include_descriptors", True, bool)
EXPORT_SCHOOL = Option("export/school", "", str)
EXPORT_UNMARKED = Option("export/include_unmarked", False, bool)
# Comparative judgement: show candidates' names over the two scripts (else "Script A"/"B")
CJ_SHOW_CANDIDATES = Option("judging/show_candidates", False, bool)
MAX_RECENT = 10


class Settings:
    def __init__(self, path: str | None = None):
        self._qsettings = QSettings(path or str(data_dir() / "settings.ini"),
                                    QSettings.Format.IniFormat)

    def get(self, option: Option) -> Any:
        """The stored value as ``option.kind``, or the default when there is none or it
        cannot be read as that type."""
        if not self._qsettings.contains(option.key):
            return copy.copy(option.default)
        if option.kind is int and not _is_int(self._qsettings.value(option.key)):
            return option.default   # type=int would read "abc" as 0
        if option.kind is bool and not _is_bool(self._qsettings.value(option.key)):
            return option.default   # type=bool would read "maybe" as true
        try:
            value = self._qsettings.value(option.key, option.default, type=option.qtype)
        except (TypeError, ValueError, RuntimeError):
            return copy.copy(option.default)
        if value is None:
            return copy.copy(option.default)
        if option.kind is bytes:
            return bytes(value)
        if option.kind is list:
            return [str(item) for item in value if str(item)]
        return value

    def has(self, option: Option) -> bool:
        """Whether a value is stored (else :meth:`get` gives the default)."""
        return self._qsettings.contains(option.key)

    def set(self, option: Option, value: Any) -> None:
        if option.kind is bytes:
            value = QByteArray(bytes(value))   # stored as @ByteArray(...), not a pickle
        elif option.kind is list:
            value = [str(item) for item in value]
        self._qsettings.setValue(option.key, value)

    def sync(self) -> None:
        self._qsettings.sync()

    def add_recent(self, path: str) -> None:
        recent = [p for p in self.get(RECENT_SETS) if p != path]
        self.set(RECENT_SETS, [path, *recent][:MAX_RECENT])
        self.set(LAST_SET, path)


def _is_int(raw: Any) -> bool:
    if isinstance(raw, bool):
        return False
    if isinstance(raw, int):
        return True
    try:
        int(str(raw).strip())
    except ValueError:
        return False
    return True


def _is_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return True
    return str(raw).strip().lower() in ("true", "false", "1", "0")
