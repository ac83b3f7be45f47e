"""`officemgr backup [--to FILE]`: an online copy of the SQLite database (safe while the app runs)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from officemgr.cli import _global_options

    backup = sub.add_parser("backup", help="copy the database into its backups folder (or --to FILE)")
    _global_options(backup, suppress=True)
    backup.add_argument("--to", metavar="FILE", help="write the copy here instead (refused if FILE exists)")


def run(args: argparse.Namespace, database: Path | None) -> int:
    from officemgr import backups

    if database is None:
        print("officemgr: backup copies a SQLite file; for a server database use the server's own backup "
              "(pg_dump for PostgreSQL)", file=sys.stderr)
        return 1
    if not database.is_file():
        print(f"officemgr: there is no database {database}; nothing was copied", file=sys.stderr)
        return 1
    target = Path(args.to) if args.to else None
    if target is not None and target.exists():
        print(f"officemgr: {target} already exists; choose a new file name (nothing was overwritten)", file=sys.stderr)
        return 1
    if target is not None and not target.parent.is_dir():
        print(f"officemgr: there is no folder {target.parent}", file=sys.stderr)
        return 1
    copy = backups.make_backup(database, now=datetime.now(), why="manual", target=target)
    if target is None:
        backups.prune(database)
    print(f"Backed up {database} to {copy}.")
    return 0
