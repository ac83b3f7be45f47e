"""`officemgr [run]` opens the app (the default when no command is given); `officemgr demo` fills a database
with the demo practice."""

from __future__ import annotations

import argparse
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from officemgr.cli.options import (
    BAD_USAGE,
    DONE,
    SubParsers,
    add_command,
    database_key,
    fail,
    open_database,
    say,
    sqlite_file,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from officemgr.demo import DemoSummary


def register(subparsers: SubParsers) -> None:
    add_command(subparsers, "run", "open the app (the default)").set_defaults(handler=run)
    demo = add_command(subparsers, "demo", "fill a new database with demo data")
    demo.add_argument("--scale", choices=("small", "large"), default="small")
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(handler=fill_demo)


def run(args: argparse.Namespace) -> int:
    from officemgr import dbfile
    from officemgr.tui.app import make_app

    key = database_key(args)  # asked on the terminal before the app takes it over
    notes: list[str] = []  # what the open repaired (a foreign WAL set aside), said in the app: stderr is hidden

    def open_engine() -> Engine:
        # In the app's worker, after its first frame: SQLAlchemy, the migrations check and the backup take a second.
        from officemgr import backups

        engine = open_database(args, notify=notes.append)
        database = sqlite_file(args)
        if database is not None:
            # The first open of each day keeps a copy: the practice's only record must survive a bad day.
            backups.daily_backup(database, now=datetime.now(), key=key)
        return engine

    database = sqlite_file(args)
    if database is not None and not dbfile.looks_openable(database, key=key):
        open_engine()  # refused: raises StoreError with the whole explanation, before the app paints anything
    app = make_app(today=args.today, secure=True, open_engine=open_engine, live=True, preload=True,
                   skip_closed_demo_day=not args.today_given)
    app.opening_notes = notes
    app.run()
    if app.boot_error is not None:
        return fail(app.boot_error, BAD_USAGE)  # as every command's StoreError
    return DONE


def fill_demo(args: argparse.Namespace) -> int:
    from officemgr import demo, store

    today: date = args.today
    database = sqlite_file(args)
    try:
        if database is not None and not os.path.lexists(database):
            summary = _demo_into_new_file(args, database)
            where = str(database)
        else:
            engine = open_database(args)
            try:
                summary = demo.fill(engine, today=today, seed=args.seed, scale=args.scale)
            finally:
                engine.dispose()
            where = store.describe(engine.url)
    except ValueError as exc:
        return fail(str(exc))
    counts = ", ".join(f"{n:,} {_noun(name, n)}" for name, n in summary.as_dict().items())
    say(f"Demo practice for {today:%Y-%m-%d} (seed {args.seed}, {args.scale}) written to {where}:")
    print(counts)
    return DONE


def _noun(name: str, n: int) -> str:
    """A summary field as words, singular for one ("1 payment plan"; the field names are regular plurals)."""
    words = name.replace("_", " ")
    return words.removesuffix("s") if n == 1 and words.endswith("s") and not words.endswith("ses") else words


def _demo_into_new_file(args: argparse.Namespace, database: Path) -> DemoSummary:
    """Build the demo practice under a temporary name beside `database` and move it in only once complete: a run
    that fails or is killed midway leaves no database that looks like a real practice (ValueError says why)."""
    from officemgr import backups, dbfile, demo, outfiles, store

    if not database.parent.is_dir():
        raise ValueError(f"the folder {database.parent} does not exist; create it or choose another path")
    key = database_key(args)
    try:
        with backups.building(database) as temp:
            engine = store.open_database(path=temp, key=key, fresh=True)
            try:
                summary = demo.fill(engine, today=args.today, seed=args.seed, scale=args.scale)
            finally:
                engine.dispose()
            # One self-contained file (its WAL folded in) before it takes the database's name.
            conn = dbfile.connect(temp, key=key)
            try:
                conn.execute("PRAGMA journal_mode=DELETE")
            finally:
                conn.close()
            outfiles.publish(temp, database)
    except outfiles.OutputRefused as exc:
        raise ValueError(f"{exc}; no demo practice was written") from None
    return summary
