"""Online backups of the SQLite file into a backups folder beside it, with a retention of days and months.

The SQLite backup API copies a consistent snapshot while the app (or another copy of it) keeps writing.
"""

from __future__ import annotations

import fcntl
import glob
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from officemgr import dbfile, outfiles
from officemgr.errors import StoreError

KEEP_DAILY = 14  # the newest backup of each of the last 14 days that have one
KEEP_MONTHLY = 6  # and the newest of each of the last 6 months
_TEMP = ".partial"  # how outfiles names a temporary file
_COMPANIONS = ("-journal", "-wal", "-shm")  # what SQLite may keep beside a file it writes
_NAME = re.compile(r"(?P<stem>.+)-(?P<day>\d{4}-\d{2}-\d{2})-(?P<time>\d{6})-(?P<why>[a-z-]+)\.db$")


def folder_for(database: Path) -> Path:
    return database.parent / "backups"


def make_backup(database: Path, *, now: datetime, why: str, target: Path | None = None, key: str | None = None,
                force: bool = False) -> Path:
    """Copy `database` to `target` (default: the backups folder, named by time and reason); returns the copy.

    An encrypted database is copied with its key, so the copy is encrypted the same way. A `target` the user named is
    written as any file leaving the app is (outfiles): never through a symlink, never over a file without `force`.
    Raises outfiles.OutputRefused when the target cannot be written, a database error when the source cannot be read.
    """
    dbfile.set_aside_foreign_wal(database, key=key)  # the copy must not take in another database's WAL
    if target is None:
        folder = folder_for(database)
        folder.mkdir(mode=0o700, exist_ok=True)
        target = folder / f"{database.stem}-{now:%Y-%m-%d-%H%M%S}-{why}.db"
        sweep(folder, f".{database.stem}-")  # every earlier backup's leftovers, whatever its time and reason
        force = True  # a name of ours: only a copy of the same database, taken the same second, can be there
    with building(target) as temp:
        _copy(database, temp, key=key)
        outfiles.publish(temp, target, force=force)
    return target


def _copy(source_path: Path, temp: Path, *, key: str | None) -> None:
    """A consistent snapshot of `source_path` written into the (empty, private) file `temp`."""
    source = dbfile.connect(source_path, key=key, readonly=True)
    try:
        copy = dbfile.connect(temp, key=key)
        try:
            source.backup(copy)
            # One self-contained file: the copy must not need a -wal file beside it to be whole.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        source.close()


@contextmanager
def building(target: Path) -> Iterator[Path]:
    """A private (0600) temporary file beside `target`, to be published over it; removed with its journal otherwise.

    It is locked (flock) while this process builds it, so a run killed midway leaves a file whose lock died with it,
    and the next run removes that one (`sweep`, first thing here) without touching a copy another process is still
    building.
    """
    sweep(target.parent, f".{target.name}.")
    with outfiles.private_temp(target) as temp:
        try:
            descriptor = _locked(temp)
        except OSError as exc:
            raise outfiles.OutputRefused(f"cannot write {target}: {exc.strerror or exc}; try again") from None
        try:
            yield temp
        finally:
            _remove_companions(temp)
            os.close(descriptor)


def sweep(folder: Path, prefix: str) -> list[Path]:
    """Remove the temporary files (names starting with `prefix`) that runs killed midway left in `folder`."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for temp in folder.glob(f"{glob.escape(prefix)}*{_TEMP}"):
        try:
            descriptor = _locked(temp)
        except OSError:
            continue  # gone meanwhile, a symlink (not ours to touch), or another process is building it
        try:
            _remove_companions(temp)
            temp.unlink(missing_ok=True)
            removed.append(temp)
        finally:
            os.close(descriptor)
    return removed


def _locked(temp: Path) -> int:
    """A descriptor holding the exclusive lock of a temporary file (OSError: a symlink, gone, or locked elsewhere)."""
    descriptor = os.open(temp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        raise
    return descriptor


def _remove_companions(temp: Path) -> None:
    for suffix in _COMPANIONS:
        temp.with_name(temp.name + suffix).unlink(missing_ok=True)


def backups(database: Path) -> list[tuple[datetime, Path]]:
    """This database's backups in its backups folder, newest first."""
    found = []
    folder = folder_for(database)
    if folder.is_dir():
        for path in folder.iterdir():
            match = _NAME.match(path.name)
            if match and match["stem"] == database.stem:
                found.append((datetime.strptime(f"{match['day']}{match['time']}", "%Y-%m-%d%H%M%S"), path))
    return sorted(found, reverse=True)


def prune(database: Path) -> list[Path]:
    """Delete daily backups beyond the newest of each of the last KEEP_DAILY days and KEEP_MONTHLY months.

    Copies made for a reason (manual, before a migration, a restore or encryption) are never pruned: they are
    rare, and each is the only copy of the database as it was before that change.
    """
    keep: set[Path] = set()
    days: set[date] = set()
    months: set[tuple[int, int]] = set()
    daily = [(when, path) for when, path in backups(database) if path.name.endswith("-daily.db")]
    for when, path in daily:
        if when.date() not in days and len(days) < KEEP_DAILY:
            days.add(when.date())
            keep.add(path)
        month = (when.year, when.month)
        if month not in months and len(months) < KEEP_MONTHLY:
            months.add(month)
            keep.add(path)
    removed = [path for _, path in daily if path not in keep]
    for path in removed:
        path.unlink()
    return removed


def daily_backup(database: Path, *, now: datetime, key: str | None = None) -> Path | None:
    """The first open of a day checks the database, backs it up and prunes old backups; later opens do nothing.

    A damaged database is refused here rather than copied over the good backups it would push out.
    """
    if not database.is_file() or any(when.date() == now.date() for when, _ in backups(database)):
        return None
    found = dbfile.check_file(database, key=key, quick=True)
    if not found.ok:
        raise StoreError(f"{database} is damaged ({found.damage()}). "
                         f"It was left untouched; {restore_hint(database, key=key)}")
    path = make_backup(database, now=now, why="daily", key=key)
    prune(database)
    return path


def newest_good(database: Path, *, key: str | None = None, tries: int = 5) -> tuple[datetime, Path] | None:
    """The newest backup that passes a quick integrity check (looking at no more than `tries` of them)."""
    for when, path in backups(database)[:tries]:
        if dbfile.check_file(path, key=key, quick=True).ok:
            return when, path
    return None


def restore_hint(database: Path, *, key: str | None = None) -> str:
    """What to do about a bad database: the command that restores its newest good backup, if there is one.

    Only a backup in the same state is named: with a key, an encrypted one that opens with it; without, a plain one,
    and none at all when the database itself looks encrypted (a plain backup is then from before the encryption,
    and restoring it would lose everything since: the key is what is missing).
    """
    if key is None and dbfile.looks_encrypted(database):
        return ("if it is encrypted, open it with --encrypt (or set OFFICEMGR_KEY) and its key: its backups since "
                "the encryption open only with that key too. If it never was, its backups are in "
                f"{folder_for(database)}.")
    good = newest_good(database, key=key)
    if good is None:
        if key is not None:
            return (f"check the key: it opens no backup in {folder_for(database)} either. With the right key "
                    "(--encrypt or OFFICEMGR_KEY) the database may open as it is.")
        return f"restore a backup (there is no good one in {folder_for(database)})."
    when, path = good
    encrypt = " --encrypt" if key is not None else ""
    return (f"restore the newest good backup, from {when:%Y-%m-%d %H:%M}, with "
            f"officemgr restore {path} --db {database}{encrypt}")


class RestoreRefused(Exception):
    """A backup that will not be restored; the message says why. Nothing was changed."""


def check_restorable(backup: Path, *, known: set[str], key: str | None = None) -> dbfile.FileCheck:
    """Refuse a backup that is damaged, not officemgr's, or from a newer version of the app."""
    if not backup.is_file():
        raise RestoreRefused(f"there is no file {backup}")
    found = dbfile.check_file(backup, key=key)
    if not found.readable:
        hint = " (or the key is wrong)" if key is not None else ""
        raise RestoreRefused(f"{backup} is not a readable database{hint}")
    if not found.ok:
        raise RestoreRefused(f"{backup} is damaged ({found.damage()}); "
                             "choose an older backup")
    if found.revision is None:
        raise RestoreRefused(f"{backup} is not an officemgr database")
    if found.revision not in known:
        raise RestoreRefused(f"{backup} was written by a newer version of officemgr (schema {found.revision}); "
                             "update officemgr first")
    return found


def refuse_mixed(backup: Path, database: Path, *, key: str | None, mixed: bool) -> None:
    """Refuse (unless `mixed`) to replace an encrypted database with a plain backup, or a plain one with an encrypted
    backup: either silently changes how the practice's data is kept. The backup was checked with `key`."""
    if mixed or not database.is_file() or dbfile.empty_file(database):
        return
    if key is None and not dbfile.is_plain_sqlite(database):
        raise RestoreRefused(
            f"{database} is encrypted (or damaged) and {backup} is a plain backup: restoring it would leave the "
            "practice's data unencrypted. To restore one of its encrypted backups, add --encrypt (or set "
            "OFFICEMGR_KEY); to replace it with this plain backup all the same, add --mixed")
    if key is not None and dbfile.is_plain_sqlite(database):
        raise RestoreRefused(
            f"{database} is not encrypted and {backup} is: once restored, the database opens only with --encrypt "
            "and that key. To restore it all the same, add --mixed")


def restore(backup: Path, database: Path, *, now: datetime, key: str | None = None) -> Path | None:
    """Put a checked `backup` (readable with `key`) in place of `database`, moving the current one aside first;
    returns where it went (None when there was no database).

    The copy is built beside the database under a temporary name and moved in whole, so a failed or killed restore
    leaves the database as it was. The replaced database leaves with its -wal and -shm files, so the restored one is
    never opened with another database's journal beside it. Raises RestoreRefused while another program has the
    database open: it would go on writing into the copy kept aside.
    """
    for path in (backup, database):  # both are read directly: neither may take in a WAL that is not its own
        dbfile.set_aside_foreign_wal(path, key=key)
    if database.is_symlink():
        # Replacing the link would leave the file it points at, which the practice goes on using, as it was.
        raise RestoreRefused(f"{database} is a symbolic link; restore into the file it points at, "
                             f"{database.resolve()}")
    with building(database) as temp:
        _copy(backup, temp, key=key)
        _take_sole_access(database, key=key)
        aside = _move_aside(database, now) if _any_part(database) else None
        outfiles.publish(temp, database, force=True)
    return aside


def _take_sole_access(database: Path, *, key: str | None) -> None:
    """No workstation may have the database open while it is replaced (it would go on writing into the copy kept
    aside); a file that cannot be read this way (damaged, or under another key) is moved aside whole."""
    if database.is_file() and dbfile.leave_wal_mode(database, key=key) == "in use":
        raise RestoreRefused(_IN_USE)


_IN_USE = "the database is open in officemgr somewhere; close it on every workstation first"


def _any_part(database: Path) -> bool:
    return any(os.path.lexists(database.with_name(database.name + suffix)) for suffix in ("", "-wal", "-shm"))


def _move_aside(database: Path, now: datetime) -> Path:
    # The -wal, -shm and -journal files move with it, under matching names, so the copy kept aside stays whole.
    aside, _ = dbfile.move_aside(database, label="before-restore", now=now, suffixes=("-wal", "-shm", "-journal", ""))
    return aside
