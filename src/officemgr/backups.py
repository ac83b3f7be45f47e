"""Online backups of the SQLite file into a backups folder beside it, with a retention of days and months.

The SQLite backup API copies a consistent snapshot while the app (or another copy of it) keeps writing.
"""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import date, datetime
from pathlib import Path

KEEP_DAILY = 14  # the newest backup of each of the last 14 days that have one
KEEP_MONTHLY = 6  # and the newest of each of the last 6 months
_NAME = re.compile(r"(?P<stem>.+)-(?P<day>\d{4}-\d{2}-\d{2})-(?P<time>\d{6})-(?P<why>[a-z-]+)\.db$")


def folder_for(database: Path) -> Path:
    return database.parent / "backups"


def make_backup(database: Path, *, now: datetime, why: str, target: Path | None = None) -> Path:
    """Copy `database` to `target` (default: the backups folder, named by time and reason); returns the copy."""
    if target is None:
        folder = folder_for(database)
        folder.mkdir(mode=0o700, exist_ok=True)
        target = folder / f"{database.stem}-{now:%Y-%m-%d-%H%M%S}-{why}.db"
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
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
    """Delete backups beyond the newest of each of the last KEEP_DAILY days and KEEP_MONTHLY months."""
    keep: set[Path] = set()
    days: set[date] = set()
    months: set[tuple[int, int]] = set()
    for when, path in backups(database):
        if when.date() not in days and len(days) < KEEP_DAILY:
            days.add(when.date())
            keep.add(path)
        month = (when.year, when.month)
        if month not in months and len(months) < KEEP_MONTHLY:
            months.add(month)
            keep.add(path)
    removed = [path for _, path in backups(database) if path not in keep]
    for path in removed:
        path.unlink()
    return removed


def daily_backup(database: Path, *, now: datetime) -> Path | None:
    """The first open of a day backs the database up (and prunes old backups); later opens do nothing."""
    if not database.is_file() or any(when.date() == now.date() for when, _ in backups(database)):
        return None
    path = make_backup(database, now=now, why="daily")
    prune(database)
    return path
