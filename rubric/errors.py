"""Typed errors of the core. Each carries a one-line message meant for the user."""

from __future__ import annotations

from pathlib import Path


class EssayMarkerError(Exception):
    """Base class: ``str(error)`` is a complete one-line message for the user."""


class SchemeError(EssayMarkerError):
    """A scheme is invalid; ``problems`` lists every located problem."""

    def __init__(self, problems: list[str], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        if len(self.problems) == 1:
            super().__init__(f"{head}{self.problems[0]}")
        else:
            super().__init__(
                f"{head}{len(self.problems)} problems: " + "; ".join(self.problems)
            )


class ImportFailure(EssayMarkerError):
    """A file could not be read as a script. ``reason`` never contains a traceback."""

    def __init__(self, path: str | Path, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


class UnsupportedFile(ImportFailure):
    """The file is not of a format we import (it is skipped, not an error of the batch)."""


class MarkError(EssayMarkerError):
    """A mark does not fit the scheme (outside its level or the criterion's maximum)."""


class SetError(EssayMarkerError):
    """A marking set cannot be opened, created or written."""


class SetLockedError(SetError):
    """The marking set is open in another window or process."""


class NotFoundError(EssayMarkerError):
    """A script, marker, annotation or comment id that the set does not hold."""


class ExportError(EssayMarkerError):
    """A file could not be written; the previous file at that path is untouched."""

    def __init__(self, path: str | Path, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


class PatternError(EssayMarkerError):
    """A file-name pattern uses an unknown field or is malformed."""


class MarkbookError(EssayMarkerError):
    """The file cannot be read as a markbook (nothing was changed)."""

    def __init__(self, path: str | Path, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")
