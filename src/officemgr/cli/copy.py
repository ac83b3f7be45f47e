"""`officemgr copy --from URL --to URL`: the whole practice, every row and the audit log, into a new, empty database.

Typically once, when a practice moves from one PC's file to the shared server:
`officemgr copy --from office.db --to postgresql+psycopg://user@server/office`. Each side is a SQLAlchemy URL or a
file path (a SQLite file); --encrypt / OFFICEMGR_KEY is the key of a side that is a SQLite file.
Exit codes: 0 copied and counts verified, 1 refused (nothing kept on the target), 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from officemgr.cli.options import BAD_USAGE, DONE, SubParsers, acting_user, add_command, database_key, fail, say

if TYPE_CHECKING:  # imported when used: the app's start does not wait for SQLAlchemy
    from sqlalchemy.engine import URL, Engine

    from officemgr.transfer import CopyResult

# Names a PostgreSQL client resolves to this computer: the same server, however the URL spells it.
_LOCAL = {"", "localhost", "127.0.0.1", "::1"}


class _Usage(ValueError):
    pass


def register(subparsers: SubParsers) -> None:
    copy = add_command(subparsers, "copy", "copy the whole practice (every row and the audit log) into a new, "
                                           "empty database, e.g. from this PC's file to the server")
    copy.add_argument("--from", dest="source", required=True, metavar="URL|FILE",
                      help="the database to copy: a file path or a URL (it is only read)")
    copy.add_argument("--to", dest="target", required=True, metavar="URL|FILE",
                      help="a new, empty database: a file path, or a server database created for it "
                           "(postgresql+psycopg://user@server/dbname)")
    copy.set_defaults(handler=copy_practice)


def copy_practice(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from officemgr import store, transfer
    from officemgr.errors import StoreError
    from officemgr.services.access import Area

    if args.db or args.url:
        return fail("copy names its two databases with --from and --to, not --db or --url", BAD_USAGE)
    try:
        source, target = _url(args.source, "--from"), _url(args.target, "--to")
    except _Usage as exc:
        return fail(str(exc), BAD_USAGE)
    if _same(source, target):
        return fail(f"--from and --to both name {store.describe(source)}; copy into a new, empty database")
    # Checked before opening, so a mistyped name does not create an empty database to copy from.
    if _is_file(source) and not Path(source.database or "").is_file():
        return fail(f"there is no database {source.database}; nothing was copied")
    try:
        key = database_key(args)
        src = _open(source, key)
    except StoreError as exc:
        return fail(str(exc))
    try:
        dst = _open(target, key)
    except StoreError as exc:
        src.dispose()
        return fail(str(exc))
    started = time.monotonic()
    try:
        # Signed in on the practice being copied: its users are the ones the copy carries over.
        actor = acting_user(args, src, "copying the practice", reads=(Area.audit,), writes=(Area.settings,))
        result = transfer.copy_database(src, dst, actor=actor, now=datetime.now(),
                                        origin=store.describe(source))
    except transfer.TransferError as exc:
        return fail(str(exc))
    except DBAPIError as exc:
        cause = str(exc.orig).strip().splitlines()
        return fail(f"the copy did not go through ({cause[0] if cause else type(exc.orig).__name__}); "
                    f"nothing was kept on {store.describe(target)}")
    finally:
        src.dispose()
        dst.dispose()
    _summary(result, source, target, time.monotonic() - started)
    return DONE


def _url(text: str, option: str) -> URL:
    """The database an option names: a URL, or else a path to a SQLite file."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from officemgr import store

    if "://" not in text:
        return make_url(store.sqlite_url(text))
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        # Not echoed: a mistyped URL may hold a password.
        raise _Usage(f"{option} is neither a database URL (postgresql+psycopg://user@server/dbname) "
                     "nor a file path") from None
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise _Usage(f"{option} names no file: write sqlite:///office.db, or just the file's path")
    return url


def _is_file(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _same(a: URL, b: URL) -> bool:
    if _is_file(a) or _is_file(b):
        return _is_file(a) and _is_file(b) and os.path.realpath(a.database or "") == os.path.realpath(b.database or "")
    host_a, host_b = ((u.host or "").lower() for u in (a, b))
    same_host = host_a == host_b or {host_a, host_b} <= _LOCAL
    return same_host and (a.port or 5432) == (b.port or 5432) and a.database == b.database


def _open(url: URL, key: str | None) -> Engine:
    from officemgr import store

    # The key is a SQLite file's; a server refuses one (its data is protected by the server's own encryption).
    return store.open_database(url=url.render_as_string(hide_password=False), key=key if _is_file(url) else None)


def _summary(result: CopyResult, source: URL, target: URL, seconds: float) -> None:
    from officemgr import store

    filled = sorted((name, n) for name, n in result.rows.items() if n)
    say(f"Copied {store.describe(source)} to {store.describe(target)} in {seconds:.1f} s:")
    width = max((len(name) for name, _ in filled), default=0)
    for name, n in filled:
        print(f"  {name.replace('_', ' '):<{width}} {n:>10,}")
    tables = "1 table" if len(filled) == 1 else f"{len(filled)} tables"
    print(f"{result.total:,} rows in {tables}; counts verified.")
