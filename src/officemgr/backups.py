"""Online backups of the SQLite file into a backups folder beside it, with a retention of days and months.

The SQLite backup API copies a consistent snapshot while the app (or another copy of it) keeps writing.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path

from officemgr import dbfile
from officemgr.errors import StoreError

KEEP_DAILY = 14  # the newest backup of each of the last 14 days that have one
KEEP_MONTHLY = 6  # and the newest of each of the last 6 months
_NAME = re.compile(r"(?P<stem>.+)-(?P<day>\d{4}-\d{2}-\d{2})-(?P<time>\d{6})-(?P<why>[a-z-]+)\.db$")


def folder_for(database: Path) -> Path:
    return database.parent / "backups"


def make_backup(database: Path, *, now: datetime, why: str, target: Path | None = None, key: str | None = None) -> Path:
    """Copy `database` to `target` (default: the backups folder, named by time and reason); returns the copy.

    An encrypted database is copied with its key, so the copy is encrypted the same way.
    """
    if target is None:
        folder = folder_for(database)
        folder.mkdir(mode=0o700, exist_ok=True)
        target = folder / f"{database.stem}-{now:%Y-%m-%d-%H%M%S}-{why}.db"
    partial = target.with_name(target.name + ".partial")
    source = dbfile.connect(database, key=key, readonly=True)
    try:
        copy = dbfile.connect(partial, key=key)
        try:
            source.backup(copy)
            # One self-contained file: the copy must not need a -wal file beside it to be whole.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        source.close()
    os.chmod(partial, 0o600)
    # Renamed only once complete, so a crash mid-copy never leaves a file that looks like a good backup.
    partial.replace(target)
    return target


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
        raise StoreError(f"{database} is damaged ({'; '.join(found.integrity[:2]) or found.error}). "
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
    """What to do about a bad database: the command that restores its newest good backup, if there is one."""
    good = newest_good(database, key=key)
    if good is None:
        return f"restore a backup (there is no good one in {folder_for(database)})."
    when, path = good
    return (f"restore the newest good backup, from {when:%Y-%m-%d %H:%M}, with "
            f"officemgr restore {path} --db {database}")


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
        raise RestoreRefused(f"{backup} is damaged ({'; '.join(found.integrity[:2]) or 'broken links'}); "
                             "choose an older backup")
    if found.revision is None:
        raise RestoreRefused(f"{backup} is not an officemgr database")
    if found.revision not in known:
        raise RestoreRefused(f"{backup} was written by a newer version of officemgr (schema {found.revision}); "
                             "update officemgr first")
    return found


def restore(backup: Path, database: Path, *, now: datetime, key: str | None = None) -> Path | None:
    """Copy a checked `backup` over `database`, keeping the current database aside first; returns where.

    The copy goes through the backup API into the live file, so another open connection sees either the old or
    the restored database, never half of each. A database too damaged to copy is moved aside whole instead.
    """
    aside = None
    if database.exists():
        try:
            aside = make_backup(database, now=now, why="before-restore", key=key)
        except dbfile.database_errors(key):
            aside = _move_aside(database, now)
    if not database.exists():
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    source = dbfile.connect(backup, key=key, readonly=True)
    try:
        target = dbfile.connect(database, key=key)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    return aside


def _move_aside(database: Path, now: datetime) -> Path:
    folder = folder_for(database)
    folder.mkdir(mode=0o700, exist_ok=True)
    aside = folder / f"{database.stem}-{now:%Y-%m-%d-%H%M%S}-damaged.db"
    # The -wal and -shm files move with it, under matching names, so the aside copy stays whole.
    for suffix in ("-wal", "-shm", ""):
        part = database.with_name(database.name + suffix)
        if part.exists():
            part.replace(aside.with_name(aside.name + suffix))
    return aside
