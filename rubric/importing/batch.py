"""Importing many files: expand folders, read each file, never stop on a bad one."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rubric.errors import ImportFailure, UnsupportedFile
from rubric.importing.model import ImportOptions, ScriptDraft
from rubric.importing.reader import inspect_file

#: Folders that hold copies or metadata, never scripts.
_SKIP_DIRS = {"__MACOSX", "$RECYCLE.BIN", "System Volume Information"}


@dataclass(frozen=True)
class ImportResult:
    """The outcome for one file of a batch.

    Exactly one of: ``draft`` set (imported); ``skipped`` True (not a supported format;
    ``error`` says why, for display); ``error`` set and ``skipped`` False (a failure)."""

    path: Path
    draft: ScriptDraft | None = None
    error: str | None = None
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.draft is not None

    @property
    def failed(self) -> bool:
        return self.error is not None and not self.skipped


def _natural_key(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name))


def _is_lock_or_hidden(name: str) -> bool:
    return name.startswith((".", "~$"))


def _walk(folder: Path) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: _natural_key(e.name))
    except OSError:
        return
    subfolders = []
    for entry in entries:
        if _is_lock_or_hidden(entry.name):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in _SKIP_DIRS:
                    subfolders.append(Path(entry.path))
            elif entry.is_file():
                yield Path(entry.path)
        except OSError:
            continue
    for sub in subfolders:
        yield from _walk(sub)


def iter_candidate_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files to import: each folder expanded recursively (natural sort order, files of a
    folder before its subfolders), hidden files and folders and Office lock files
    (``~$…``) left out. A path given explicitly is yielded as it is (so a missing file is
    reported by the import), except an Office lock file. Each file once."""
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        found = _walk(path) if path.is_dir() else iter([path])
        for file in found:
            if file.name.startswith("~$"):
                continue
            try:
                key = os.path.normcase(str(file.resolve()))
            except OSError:
                key = str(file)
            if key in seen:
                continue
            seen.add(key)
            yield file


def import_batch(paths: Iterable[str | Path], options: ImportOptions = ImportOptions()) -> Iterator[ImportResult]:  # noqa: B008
    """Yield one :class:`ImportResult` per candidate file, as each is read (so a caller can
    show progress and stop early). A bad file never stops the batch."""
    for path in iter_candidate_files(paths):
        try:
            draft = inspect_file(path, options)
        except UnsupportedFile as exc:
            yield ImportResult(path, None, str(exc), True)
        except ImportFailure as exc:
            yield ImportResult(path, None, str(exc), False)
        except Exception as exc:  # noqa: BLE001 - inspect_file should not raise others; belt and braces
            yield ImportResult(path, None, f"{path.name}: could not read the file ({type(exc).__name__})", False)
        else:
            yield ImportResult(path, draft, None, False)
