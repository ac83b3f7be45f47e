"""Practice data leaving the app from the command line: to standard output or a file, never over the database
itself, and logged in the audit trail (entity "export", or "report" for a report).

A file is written by officemgr.outfiles' rules: 0600 from its first byte, never through a symbolic link, and never
over an existing file unless the command was given --force (checked before any database work)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from officemgr.cli.options import DONE, acting_user, database_missing, fail, now_on, open_database, sqlite_file
from officemgr.outfiles import OutputRefused, refuse_existing, write_private
from officemgr.plaintext import visible

if TYPE_CHECKING:
    from sqlmodel import Session

    from officemgr.services.access import Area

# The commands that write files the user names, and the options that name them.
WRITING_COMMANDS = ("export", "report", "huddle")
OUTPUT_OPTIONS = ("out", "csv", "file")


def add_force(parser: argparse.ArgumentParser) -> None:
    """--force: the one way a writing command replaces a file that is already there."""
    parser.add_argument("--force", action="store_true", help="replace the output file if it already exists")


def shown(path: Path | str) -> str:
    """A file name as it is safe to print (a name can hold an escape character)."""
    return visible(str(path))


def refused(exc: OutputRefused) -> int:
    """An output the outfiles rules refused, as the command's one-line refusal."""
    return fail(str(exc))


def taken(args: argparse.Namespace, paths: list[Path]) -> int | None:
    """Refuse (the exit code) when one of the outputs is already there and --force was not given, else None.

    Called before the database is opened, so a refusal costs nothing and changes nothing."""
    if args.force:
        return None
    try:
        for path in paths:
            refuse_existing(path)
    except OutputRefused as exc:
        return refused(exc)
    return None


def save(args: argparse.Namespace, path: Path, data: bytes) -> None:
    """Write one output file (OutputRefused says why it could not be)."""
    write_private(path, data, force=args.force)


def save_all(args: argparse.Namespace, outputs: list[tuple[Path, bytes]]) -> None:
    """Write every output file or none: when one is refused, those this call wrote are removed again."""
    written: list[Path] = []
    try:
        for path, data in outputs:
            save(args, path, data)
            written.append(path)
    except OutputRefused:
        for path in written:
            path.unlink()
        raise


def to_stdout(data: bytes) -> None:
    """The file's bytes on standard output, after anything already printed there."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def writes_over_database(args: argparse.Namespace) -> str | None:
    """The output file an export, report or huddle sheet was told to write that is the database itself (or its
    journal), or None: writing there would destroy the practice's records."""
    if args.command not in WRITING_COMMANDS:
        return None
    database = sqlite_file(args)
    if database is None:
        return None
    own = {os.path.realpath(f"{database}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")}
    for name in OUTPUT_OPTIONS:
        target: str | None = getattr(args, name, None)
        if target and os.path.realpath(target) in own:
            return target
    return None


def log_export(args: argparse.Namespace, what: str, details: dict[str, Any], *, report: bool = False) -> int:
    """Log an export or report the CLI has just written (see services.audit.record_export); the exit code."""
    from sqlalchemy.exc import DBAPIError

    from officemgr import store
    from officemgr.services import audit

    engine = open_database(args)
    try:
        actor = acting_user(args, engine)  # the person the export was read as, signed in before
        with store.write_session(engine) as session:
            audit.record_export(session, what=what, actor=actor, now=now_on(args.today), details=details,
                                report=report)
    except DBAPIError as exc:
        return fail(f"written, but the database did not log it ({exc.orig})")
    finally:
        engine.dispose()
    return DONE


def write_export(args: argparse.Namespace, what: str, build: Callable[[Session, str], tuple[str, int, str]], *,
                 reads: Area) -> int:
    """Write args.file with the (text, rows, summary) `build` makes in a session as the signed-in person (who must
    be allowed to see the `reads` area), then log the export and commit."""
    from sqlalchemy.exc import DBAPIError

    from officemgr import store
    from officemgr.services import inventory_export
    from officemgr.services.common import ServiceError

    # An export never creates a database: a mistyped --db is refused instead of exporting an empty practice.
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    path = Path(args.file)
    code = taken(args, [path])
    if code is not None:
        return code
    engine = open_database(args)
    written = False
    try:
        actor = acting_user(args, engine, f"exporting {what}", reads=(reads,))
        with store.write_session(engine) as session:
            text, rows, summary = build(session, actor)
            save(args, path, text.encode("utf-8"))
            written = True
            inventory_export.record_export(session, what, file=path.name, rows=rows, now=now_on(args.today),
                                           actor=actor)
    except OutputRefused as exc:
        return refused(exc)
    except ServiceError as exc:
        return fail(str(exc))
    except DBAPIError as exc:
        if written:
            return fail(f"{path} was written, but the database did not log it ({exc.orig})")
        return fail(f"the database could not be read ({exc.orig})")
    finally:
        engine.dispose()
    print(f"{summary} written to {shown(path)}.")
    return DONE
