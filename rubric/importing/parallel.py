"""Reading a batch's files in worker processes while the caller stores what was read.

On a machine with two or more cores a class set is read by worker processes (one a core,
at most :data:`MAX_WORKERS`), and the process that asked (the CLI's ``import``) only
stores: it never waits for one file's parsing before saving the one before. The results
are exactly those of :func:`rubric.importing.batch.read_result` one file after the
other: the same values, in the same order, a bad file failing alone with its one-line
reason.

When: only where a worker can be a ``fork`` of this process (Linux), when this process
runs a single thread (a fork copies only the thread that calls it: a lock held by another
thread, the GUI's or a library's, would never be released in the copy), and for a batch
of at least :data:`MIN_FILES` files. Elsewhere (Windows and macOS, where a worker would
have to start a new interpreter and load the importer again, which costs more than a
class set's parsing saves; the GUI process; a short batch) the files are read here, one
after the other, as before.

:class:`Readers` can be started before the batch begins: the CLI starts them first, and
they load the importer (lxml, the Word reader, the analysis' patterns) while it opens the
set; this process then never loads the readers at all unless it has a file to read itself.

What a worker does not do: files that sniff as PDF or RTF come back to be read here (their
parsers run in the sandboxed children of :mod:`rubric.importing.sandbox`, which belong to
this process). A worker that dies (a crash in a parser library, the system out of memory)
costs the file it was reading, which fails with a one-line reason; the files queued on it
go to the other workers or, if none is left, are read here. Workers ignore Ctrl+C (this
process handles it), write to no file (their standard input and output are the null
device), and stop when the batch ends, is abandoned (the caller stops iterating) or fails,
or when this process dies (their pipe from it closes): none outlives the import.
"""

from __future__ import annotations

import os
import struct
from collections import deque
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path

from rubric.forked import (
    become_quiet_child,
    can_fork,
    cores,
    flush_output,
    kill_and_reap,
    receive,
    send,
)
from rubric.importing.batch import ImportResult, ReadAhead, read_in_order, read_result
from rubric.importing.model import ImportOptions

#: The most worker processes a batch uses (this process must keep up storing).
MAX_WORKERS = 4
#: Batches shorter than this are read in this process (starting workers costs more than
#: it saves).
MIN_FILES = 4
#: Files handed to one worker before it has answered: enough that it never waits for
#: work while this process saves a group of files (and SQLite copies its log into the
#: database now and then).
_DEPTH = 16
#: Files read ahead of the one the caller is storing, at most, and their bytes at most
#: (whatever the bytes, every worker may hold one file).
_WINDOW = 64
_WINDOW_BYTES = 64 * 1024 * 1024
#: Room in each result pipe, so that a worker can hand over a few results while this
#: process is saving (best effort: the default is 64 KB).
_PIPE_BYTES = 1024 * 1024


def available_workers() -> int:
    """How many worker processes a batch may use here and now: 0 when files must be read
    in this process (see the module's docstring)."""
    if not can_fork():
        return 0
    return min(cores(), MAX_WORKERS)


def read_files(files: Iterator[Path], options: ImportOptions, workers: int | None = None,
               readers: Readers | None = None) -> Iterator[ImportResult]:
    """:func:`read_result` of each of ``files``, in order, read by ``readers`` (workers
    started before, see :meth:`Readers.start`), else by up to ``workers`` worker processes
    started now (default and at most: :func:`available_workers`; 0 reads them here).
    Stopping the iteration stops the workers."""
    own = readers is None
    if own:
        allowed = available_workers()
        workers = allowed if workers is None else min(workers, allowed)
        first = list(islice(files, MIN_FILES)) if workers > 0 else []
        files = chain(first, files)
        if len(first) == MIN_FILES:
            readers = Readers(workers)
    try:
        if readers is None or not readers.workers:
            yield from read_in_order(files, options)
            return
        yield from readers.results(files, options)
    finally:
        if own and readers is not None:
            readers.close()


def _crashed(path: Path) -> ImportResult:
    return ImportResult(path, None, f"{path.name}: could not read the file (the reader stopped "
                                    "unexpectedly; the file may be damaged)", False)


def _load_readers() -> None:
    """What every worker needs to read a Word, OpenDocument or text file, loaded as soon
    as it starts (while the asking process may still be opening the set)."""
    import encodings.cp437  # noqa: F401 - zip member names
    import hashlib  # noqa: F401 - the hash of every file's bytes (loading OpenSSL takes a while)

    from rubric.importing import docx, odt, reader  # noqa: F401
    from rubric.importing.safety import _parser

    _parser()


class _Worker:
    __slots__ = ("pid", "tasks", "results", "queued")

    def __init__(self, pid: int, tasks: int, results: int):
        self.pid = pid
        self.tasks = tasks  # this process writes (index, path) here
        self.results = results  # and reads (index, ImportResult | None) from here
        self.queued: deque[tuple[int, Path]] = deque()  # sent, not answered yet


class Readers:
    """Forked worker processes that read script files: each has a pipe for its files and
    one for its results (None for a result: read that file in the asking process).

    ``Readers(count)`` forks them at once (call it only when :func:`available_workers`
    allows, or use :meth:`start`): they load the importer while the caller goes on (the
    CLI opens the set meanwhile). Close them when done (or use ``with``)."""

    def __init__(self, count: int):
        flush_output()  # nothing buffered is written twice
        self.workers: list[_Worker] = []
        self.options: ImportOptions | None = None
        try:
            for _ in range(count):
                self.workers.append(self._start())
        except BaseException:
            self.close()
            raise

    @classmethod
    def start(cls, paths) -> Readers | None:
        """Workers for importing ``paths`` (files and folders), started now, or None where
        they are not used (see the module's docstring: one core, not Linux, more than one
        thread, fewer than :data:`MIN_FILES` files)."""
        from rubric.importing.batch import iter_candidate_files

        workers = available_workers()
        if not workers or len(list(islice(iter_candidate_files(paths), MIN_FILES))) < MIN_FILES:
            return None
        return cls(workers)

    def __enter__(self) -> Readers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> _Worker:
        tasks_read, tasks_write = os.pipe()
        results_read, results_write = os.pipe()
        try:
            import fcntl

            fcntl.fcntl(results_write, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        except (ImportError, AttributeError, OSError):
            pass
        mine = [tasks_write, results_read] + [fd for w in self.workers for fd in (w.tasks, w.results)]
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            code = 1
            try:
                for fd in mine:  # only the asking process may hold the other ends
                    os.close(fd)
                _serve(tasks_read, results_write)
                code = 0
            finally:
                os._exit(code)
        os.close(tasks_read)
        os.close(results_write)
        return _Worker(pid, tasks_write, results_read)

    def results(self, files: Iterator[Path], options: ImportOptions) -> Iterator[ImportResult]:
        """:func:`read_result` of each of ``files``, in order (see :func:`read_files`). The
        files a worker hands back (PDF and RTF) are read ahead here, on threads, as soon as
        they come back (:class:`~rubric.importing.batch.ReadAhead`)."""
        ahead = ReadAhead(options)
        try:
            yield from self._results(files, options, ahead)
        finally:
            ahead.close()

    def _results(self, files: Iterator[Path], options: ImportOptions, ahead: ReadAhead) -> Iterator[ImportResult]:
        import select

        if options != self.options:
            for worker in list(self.workers):
                try:
                    send(worker.tasks, options)
                except OSError:
                    self._lost(worker, deque(), {})
            self.options = options

        held: dict[int, tuple[Path, int]] = {}  # read ahead, not yet yielded: (path, size)
        done: dict[int, ImportResult | None] = {}
        reading: dict = {}  # index -> the Future of a file handed back, read ahead here
        retry: deque[tuple[int, Path]] = deque()  # queued on a worker that died
        numbered = enumerate(files)
        exhausted = False
        next_index = 0
        held_bytes = 0

        def take() -> tuple[int, Path] | None:
            nonlocal exhausted, held_bytes
            if retry:
                return retry.popleft()
            if exhausted:
                return None
            item = next(numbered, None)
            if item is None:
                exhausted = True
                return None
            index, path = item
            try:
                size = os.stat(path).st_size
            except (OSError, ValueError):
                size = 0
            held[index] = (path, size)
            held_bytes += size
            return item

        def room() -> bool:
            return bool(retry) or (len(held) < _WINDOW and (
                held_bytes <= _WINDOW_BYTES or len(held) < len(self.workers)))

        while True:
            # hand out work: each worker up to _DEPTH files, the batch up to the window
            while self.workers and room():
                worker = min(self.workers, key=lambda w: len(w.queued))
                if len(worker.queued) >= _DEPTH:
                    break
                item = take()
                if item is None:
                    break
                try:
                    send(worker.tasks, item)
                except OSError:
                    retry.appendleft(item)
                    self._lost(worker, retry, done)
                    continue
                worker.queued.append(item)
            if not self.workers:  # none left: what is left is read here
                for index, _path in retry:
                    done.setdefault(index, None)
                retry.clear()
                while (item := take()) is not None:
                    done[item[0]] = None
            if next_index in done:
                result = done.pop(next_index)
                path, size = held.pop(next_index)
                held_bytes -= size
                next_index += 1
                if result is None:
                    future = reading.pop(next_index - 1, None)
                    result = future.result() if future is not None else read_result(path, options)
                yield result
                continue
            busy = {w.results: w for w in self.workers if w.queued}
            if not busy:  # nothing read ahead and nothing more to read
                return
            poller = select.poll()
            for fd in busy:
                poller.register(fd, select.POLLIN)
            for fd, _event in poller.poll():
                worker = busy[fd]
                try:
                    index, result = receive(fd)
                except (EOFError, OSError, struct.error):
                    self._lost(worker, retry, done)
                    continue
                except Exception:  # noqa: BLE001 - an answer that cannot be unpickled: read it here
                    index, result = worker.queued[0][0], None
                sent, sent_path = worker.queued.popleft()
                done[sent] = result if index == sent else None
                if done[sent] is None and ahead.wanted(sent_path):
                    reading[sent] = ahead.submit(sent_path)

    def _lost(self, worker: _Worker, retry: deque, done: dict) -> None:
        """A worker died: the file it was reading fails; the files queued after it go to
        the other workers."""
        self.workers.remove(worker)
        self._stop(worker, kill=True)
        if worker.queued:
            index, path = worker.queued.popleft()
            done[index] = _crashed(path)
            retry.extendleft(reversed(worker.queued))
            worker.queued.clear()

    def close(self) -> None:
        """Stop every worker: one that has read all it was given when its pipe closes, the
        others at once (what they are reading is not needed any more)."""
        workers, self.workers = self.workers, []
        for worker in workers:
            self._stop(worker, kill=bool(worker.queued) or self.options is None)

    @staticmethod
    def _stop(worker: _Worker, kill: bool) -> None:
        for fd in (worker.tasks, worker.results):
            try:
                os.close(fd)
            except OSError:
                pass
        kill_and_reap(worker.pid, kill)


def _serve(tasks: int, results: int) -> None:
    """A worker: load the readers, then read files as they come, with the options that
    came last, until the pipe from the asking process closes."""
    become_quiet_child(tasks, results)  # Ctrl+C, the terminal and the set's lock are the asking process's
    try:
        _load_readers()
    except Exception:  # noqa: BLE001 - then reading each file says what is missing, as here
        pass
    options = ImportOptions()
    while True:
        try:
            task = receive(tasks)
        except (EOFError, OSError, struct.error):
            return
        if isinstance(task, ImportOptions):
            options = task
            continue
        index, path = task
        result = read_here(path, options)
        try:
            send(results, (index, result))
        except OSError:
            return
        except Exception:  # noqa: BLE001 - a result that cannot be pickled: read it there
            send(results, (index, None))


def read_here(path: Path, options: ImportOptions) -> ImportResult | None:
    """What a worker makes of one file: its result (with the hash of its bytes), or None
    when the asking process must read it (a PDF or RTF file: their parsers run in
    sandboxed children of the asking process)."""
    from rubric.importing.reader import SUPPORTED_SUFFIXES
    from rubric.importing.safety import sniff

    suffix = path.suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        try:
            with open(path, "rb", buffering=0) as handle:
                head = handle.read(1024)
        except OSError:
            head = b""
        if sniff(head, suffix) in ("pdf", "rtf"):
            return None
    return read_result(path, options, with_hash=True)
