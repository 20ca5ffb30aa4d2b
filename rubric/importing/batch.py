"""Importing many files: expand folders, read each file, never stop on a bad one."""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rubric.errors import ImportFailure, UnsupportedFile
from rubric.importing.model import ImportOptions, ScriptDraft
from rubric.record import factory, record

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from rubric.importing.parallel import Readers

#: Folders that hold copies or metadata, never scripts.
_SKIP_DIRS = {"__MACOSX", "$RECYCLE.BIN", "System Volume Information"}


@record
class ImportResult:
    """The outcome for one file of a batch.

    Exactly one of: ``draft`` set (imported); ``skipped`` True (not a supported format;
    ``error`` says why, for display); ``error`` set and ``skipped`` False (a failure)."""

    path: Path
    draft: ScriptDraft | None = None
    error: str | None = None
    skipped: bool = False
    #: The SHA-256 of the draft's source bytes when the reader already worked it out (a
    #: worker process does, so that the process storing the scripts need not); else None.
    source_hash: str | None = factory(lambda: None, compare=False)

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


def _walk(folder: Path) -> Iterator[tuple[Path, str | None]]:
    """The files under ``folder`` (see :func:`iter_candidate_files`), each with its key for
    telling files apart (what ``resolve()`` gives, worked out once for the folder: a file
    that is no symbolic link resolves to the resolved folder and its name), or None."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: _natural_key(e.name))
    except OSError:
        return
    subfolders = []
    real_folder: str | None = None
    for entry in entries:
        if _is_lock_or_hidden(entry.name):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in _SKIP_DIRS:
                    subfolders.append(Path(entry.path))
            elif entry.is_file():
                key = None
                if not entry.is_symlink():
                    if real_folder is None:
                        real_folder = os.path.realpath(folder)
                    key = os.path.normcase(os.path.join(real_folder, entry.name))
                yield Path(entry.path), key
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
        found = _walk(path) if path.is_dir() else iter([(path, None)])
        for file, key in found:
            if file.name.startswith("~$"):
                continue
            if key is None:
                try:
                    key = os.path.normcase(str(file.resolve()))
                except OSError:
                    key = str(file)
            if key in seen:
                continue
            seen.add(key)
            yield file


def import_batch(paths: Iterable[str | Path], options: ImportOptions = ImportOptions(),  # noqa: B008
                 *, parallel: bool | Readers = False) -> Iterator[ImportResult]:
    """Yield one :class:`ImportResult` per candidate file, in order, as each is read (so a
    caller can show progress and stop early). A bad file never stops the batch.

    ``parallel``: True reads the files in worker processes where that is safe and worth
    it, or give the :class:`~rubric.importing.parallel.Readers` started for it (see
    :mod:`rubric.importing.parallel`): the same results in the same order; stopping early
    stops the workers."""
    files = iter_candidate_files(paths)
    if parallel:
        from rubric.importing.parallel import read_files

        yield from read_files(files, options, readers=None if parallel is True else parallel)
        return
    yield from read_in_order(files, options)


def read_in_order(files: Iterable[Path], options: ImportOptions) -> Iterator[ImportResult]:
    """:func:`read_result` of each file, in order, in this process: PDF and RTF files read
    ahead on threads (:class:`ReadAhead`), the others when their turn comes."""
    ahead = ReadAhead(options)
    pending: deque[tuple[Path, Future | None]] = deque()
    try:
        for path in files:
            pending.append((path, ahead.submit(path) if ahead.wanted(path) else None))
            # the head is read here when it is not read ahead, or once enough is queued
            while pending and (pending[0][1] is None or len(pending) > ahead.depth):
                yield _take(pending, options)
        while pending:
            yield _take(pending, options)
    finally:
        ahead.close()


def _take(pending: deque, options: ImportOptions) -> ImportResult:
    path, future = pending.popleft()
    return read_result(path, options) if future is None else future.result()


#: What is read in the sandboxed children (see :mod:`rubric.importing.sandbox`): by name,
#: which is all a read-ahead needs (a PDF named otherwise is read in turn, as before).
SANDBOXED_SUFFIXES = frozenset({".pdf", ".rtf"})


class ReadAhead:
    """Reads a batch's PDF and RTF files ahead of the one being stored, on threads (one a
    sandboxed child, so one a core), so that the children parse the next files while this
    process rebuilds and stores the last: without it, each child sat idle while this
    process worked, and this process while a child worked. The threads spend their time
    waiting for a child (the GIL is free then). The results are exactly those of
    :func:`read_result`, taken in the batch's order; :meth:`close` (when the batch ends or
    is abandoned) drops what was not started. No thread is started for a batch without
    such files, or with a single core."""

    def __init__(self, options: ImportOptions) -> None:
        from rubric.importing.sandbox import POOL_SIZE

        self.options = options
        self.threads = POOL_SIZE
        self.depth = 2 * POOL_SIZE  # files queued ahead of the one being stored
        self._executor: ThreadPoolExecutor | None = None

    def wanted(self, path: Path) -> bool:
        return self.threads >= 2 and path.suffix.lower() in SANDBOXED_SUFFIXES

    def submit(self, path: Path) -> Future:
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor  # (16 ms to import: on first use)

            self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="import-ahead")
        return self._executor.submit(read_result, path, self.options)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


def read_result(path: Path, options: ImportOptions, with_hash: bool = False) -> ImportResult:
    """The :class:`ImportResult` of one file (never raises for a bad file); ``with_hash``:
    with its :attr:`~ImportResult.source_hash` worked out."""
    # imported here: a process whose batch is read by workers never loads the readers
    from rubric.importing.reader import inspect_file

    try:
        draft = inspect_file(path, options)
    except UnsupportedFile as exc:
        return ImportResult(path, None, str(exc), True)
    except ImportFailure as exc:
        return ImportResult(path, None, str(exc), False)
    except Exception as exc:  # noqa: BLE001 - inspect_file should not raise others; belt and braces
        return ImportResult(path, None, f"{path.name}: could not read the file ({type(exc).__name__})", False)
    return ImportResult(path, draft, None, False, draft.source_hash if with_hash else None)
