"""Creating sets in the data folder and bringing in set files shared from elsewhere."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from rubric import RESOURCES
from rubric.errors import SetError
from rubric.scheme import Scheme
from rubric.store.locations import SET_SUFFIX, safe_file_stem, sets_dir, unique_path
from rubric.store.markingset import MarkingSet


def bundled_bank() -> list[dict]:
    """The comment bank every new set starts with (``resources/banks/history.json``)."""
    import json
    from importlib import resources  # here, as json and shutil: opening a set needs none

    source = resources.files(RESOURCES).joinpath("banks", "history.json")
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return list(data.get("comments", []))


def new_set(name: str, scheme: Scheme, folder: Path | None = None,
            with_bank: bool = True) -> Path:
    """Create a set named ``name`` in the data folder (or ``folder``); returns its path."""
    if not name.strip():
        raise SetError("a marking set needs a name")
    path = unique_path(folder or sets_dir(), safe_file_stem(name))
    with MarkingSet.create(path, name.strip(), scheme) as marking_set:
        if with_bank:
            from rubric.bank_file import starting_bank  # the department's default, if any

            comments = [c for c in starting_bank()
                        if c.get("criterion") is None or scheme.criterion(c["criterion"])]
            if comments:
                marking_set.add_bank_comments(comments)
    return path


def _copy_bytes(source: Path, target: Path) -> None:
    import shutil

    with open(source, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)
        dst.flush()
        os.fsync(dst.fileno())


def import_set_file(source: str | Path) -> Path:
    """Bring a ``.markset`` file from elsewhere (a USB stick, an email) into the data
    folder, so the live database never sits on a network or synced folder; returns the
    new set's path.

    The file is untrusted: its bytes (and those of a ``-wal`` file beside it, which holds
    changes not yet written into it) are copied with ordinary file I/O into a private
    temporary file in the sets folder; the source is never opened as a database. The copy
    is checked (:func:`rubric.store.verify.check_set_file`) and moved in only when it
    passes; a refused file leaves nothing behind."""
    from rubric.store.verify import check_set_file

    source = Path(source)
    if not source.is_file():
        raise SetError(f"{source.name}: no such file")
    folder = sets_dir()
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    leftovers = [tmp, *(tmp.with_name(tmp.name + s) for s in ("-wal", "-shm", "-journal"))]
    target: Path | None = None
    try:
        try:
            _copy_bytes(source, tmp)
            wal = source.with_name(source.name + "-wal")
            if wal.is_file():
                _copy_bytes(wal, tmp.with_name(tmp.name + "-wal"))
        except OSError as exc:
            raise SetError(f"{source.name}: cannot read the file ({exc.strerror or exc})") from None
        name = check_set_file(tmp, shown_name=source.name)
        _settle(tmp, source.name)
        target = unique_path(folder, safe_file_stem(name or source.stem), SET_SUFFIX)
        os.replace(tmp, target)
        # Opening migrates an older set (after a backup) and proves it is usable.
        MarkingSet.open(target).close()
        return target
    except BaseException:
        if target is not None:
            for path in (target, *(target.with_name(target.name + s) for s in ("-wal", "-shm"))):
                path.unlink(missing_ok=True)
        raise
    finally:
        for path in leftovers:
            path.unlink(missing_ok=True)


def _settle(path: Path, shown_name: str) -> None:
    """Fold a copied write-ahead log into the checked copy and make it one self-contained
    file (rollback journal), so moving it moves everything."""
    from rubric.store.verify import connect_untrusted

    try:
        db = connect_untrusted(path)
        try:
            db.execute("PRAGMA journal_mode=DELETE")
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise SetError(f"{shown_name}: cannot read the marking set ({exc})") from None


def find_backup(set_path: Path, which: str) -> Path:
    """A backup of the set named as listed by ``backups``: its number (1 = newest), its
    file name, or its path."""
    from rubric.store import backups

    infos = backups.backups_of(set_path)
    if which.isdigit() and 1 <= int(which) <= len(infos):
        return infos[int(which) - 1].path
    for info in infos:
        if which in (info.path.name, str(info.path)):
            return info.path
    candidate = Path(which).expanduser()
    if candidate.is_file():
        return candidate
    raise SetError(f"{set_path.stem}: no backup {which!r} (see 'essay-marker backups')")


def restore_backup(set_path: Path, backup: Path) -> Path:
    """Replace the set with ``backup``, keeping the current state as a backup first
    (reason ``before-restore``); returns that backup's path. The set must not be open
    anywhere else; the backup is checked like any set file before it is used."""
    from rubric.store import backups
    from rubric.store.lock import SetLock
    from rubric.store.verify import check_set_file

    lock = SetLock(set_path)
    lock.acquire()
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=set_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            _copy_bytes(backup, tmp)
        except OSError as exc:
            raise SetError(f"{backup.name}: cannot read the backup ({exc.strerror or exc})") from None
        check_set_file(tmp, shown_name=backup.name)
        _settle(tmp, backup.name)
        db = sqlite3.connect(set_path, isolation_level=None)
        try:
            db.execute("PRAGMA trusted_schema=OFF")
            kept = backups.backup_set(db, set_path, reason="before-restore")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
        os.replace(tmp, set_path)
        for suffix in ("-wal", "-shm"):
            set_path.with_name(set_path.name + suffix).unlink(missing_ok=True)
    finally:
        tmp.unlink(missing_ok=True)
        lock.release()
    MarkingSet.open(set_path).close()  # migrates an older backup and proves it opens
    return kept


def is_in_sets_folder(path: Path) -> bool:
    return Path(os.path.realpath(path)).parent == Path(os.path.realpath(sets_dir()))


def check_external_set(path: Path) -> None:
    """Check a set file outside the data folder before it is opened where it is: its bytes
    are copied to a private temporary file and checked there (:func:`check_set_file`);
    raises :class:`SetError` when it must be refused."""
    from rubric.store.verify import check_set_file

    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=sets_dir())
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            _copy_bytes(path, tmp)
            wal = path.with_name(path.name + "-wal")
            if wal.is_file():
                _copy_bytes(wal, tmp.with_name(tmp.name + "-wal"))
        except OSError as exc:
            raise SetError(f"{path.name}: cannot read the file ({exc.strerror or exc})") from None
        check_set_file(tmp, shown_name=path.name)
    finally:
        for leftover in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


def open_for_app(name_or_path: str | os.PathLike[str]) -> Path:
    """The storage policy of the app: a set in the data folder opens where it is; a
    ``.markset`` from anywhere else is checked and copied in (:func:`import_set_file`),
    so a live database never sits on a network or synced folder."""
    from rubric.store.locations import resolve_set

    path = resolve_set(name_or_path)
    return path if is_in_sets_folder(path) else import_set_file(path)


def open_for_command(name_or_path: str | os.PathLike[str]) -> tuple[Path, str | None]:
    """The storage policy of the command line: a set in the data folder opens where it
    is; a file elsewhere is checked like any set from a colleague, then edited in place
    (so a script can keep naming the same file), with a note saying so."""
    from rubric.store.locations import resolve_set

    path = resolve_set(name_or_path)
    if is_in_sets_folder(path):
        return path, None
    check_external_set(path)
    return path, (f"note: editing {path} in place, outside your sets folder "
                  "('essay-marker open-set' copies it in)")


def check_export_target(marking_set: MarkingSet, target: Path, force: bool = False) -> Path:
    """Where ``export-set`` may write: never over the set itself, a live set in the sets
    folder or a set open anywhere, nor over any existing file without ``force``."""
    from rubric.store.lock import is_locked

    if target.is_dir():
        target = target / f"{safe_file_stem(marking_set.name)}{SET_SUFFIX}"
    real = Path(os.path.realpath(target))
    if real == Path(os.path.realpath(marking_set.path)):
        raise SetError(f"{target.name}: that is the set itself; choose another file")
    if target.exists() or target.is_symlink():
        if is_in_sets_folder(real) and real.suffix == SET_SUFFIX:
            raise SetError(f"{target.name}: that is a live set in your sets folder; "
                           "it is never overwritten (choose another file)")
        if is_locked(real):
            raise SetError(f"{target.name}: that set is open in a window; it is never overwritten")
        if not force:
            raise SetError(f"{target.name}: the file exists; use --force to replace it")
    elif is_in_sets_folder(real):
        raise SetError(f"{target.name}: write shared copies outside your sets folder")
    return target
