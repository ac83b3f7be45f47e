"""`report audit`: the audit trail of a period as CSV, one row per changed field; and logging of CLI exports.

cli.py builds the parser and dispatches here; exit codes as everywhere: 0 done, 1 refused (the message says
why; nothing changed), 2 bad usage. Running the report is itself logged (entity "report", action "audit").
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import sys
from datetime import date
from pathlib import Path
from typing import Any

from officemgr.cli_common import fail, now_on

COLUMNS = ("at", "actor", "entity", "entity_id", "action", "field", "old", "new")


def add_parser(what: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from officemgr.cli import _global_options, add_period

    audit = what.add_parser("audit", help="who changed what and when, one CSV row per changed field")
    _global_options(audit, suppress=True)
    add_period(audit)
    audit.add_argument("--entity", metavar="KIND", help="only this kind of record (e.g. claim, item, export)")
    audit.add_argument("--actor", metavar="NAME", help="only changes by this person")
    audit.add_argument("--out", metavar="FILE.csv", help="write the CSV here (a new file) instead of standard output")




def run(args: argparse.Namespace, today: date) -> int:
    from sqlalchemy.exc import DBAPIError

    from officemgr import store
    from officemgr.cli import _count, _open
    from officemgr.services import audit
    from officemgr.services.common import ServiceError

    try:
        audit.check_period(args.first, args.last)
    except ServiceError as exc:
        return fail(str(exc))
    out = Path(args.out) if args.out else None
    # Both checked before opening, so a refusal neither creates a database nor overwrites anything.
    if out is not None and out.exists():
        return fail(f"{out} already exists; choose a new file name (the audit report never overwrites a file)")
    if args.db and not Path(args.db).is_file():
        return fail(f"there is no database {args.db}")
    engine = _open(args)
    try:
        with store.write_session(engine) as session:
            rows = audit.audit_rows(session, args.first, args.last, entity=args.entity, actor=args.actor)
            data = _csv(rows).encode("utf-8")
            if out is None:
                sys.stdout.flush()
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            else:
                try:
                    with open(out, "xb") as handle:  # "x": never overwrite, even one written meanwhile
                        handle.write(data)
                except OSError as exc:
                    return fail(f"cannot write {out}: {exc.strerror}")
            details = {"file": str(out) if out else "stdout", "rows": len(rows), "from": args.first,
                       "to": args.last, "entity": args.entity, "actor": args.actor}
            audit.record_export(session, what="audit", actor=getpass.getuser(), now=now_on(today), details=details,
                                report=True)
    except ServiceError as exc:
        return fail(str(exc))
    except DBAPIError as exc:
        return fail(f"the database could not be read ({exc.orig})")
    finally:
        engine.dispose()
    where = str(out) if out else "standard output"
    # The CSV owns standard output when it goes there; the summary goes to stderr then.
    print(f"Audit {args.first.isoformat()} to {args.last.isoformat()}: {_count(len(rows), 'row')} written to {where}.",
          file=sys.stderr if out is None else sys.stdout)
    return 0


def _csv(rows: list[Any]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.at.isoformat(sep=" "), row.actor, row.entity, row.entity_id, row.action, row.field,
                         row.old, row.new])
    return text.getvalue()


def log_export(args: argparse.Namespace, today: date, what: str, details: dict[str, Any], *,
               report: bool = False) -> int:
    """Log an export or report the CLI has just written (see services.audit.record_export); the exit code."""
    from sqlalchemy.exc import DBAPIError

    from officemgr import store
    from officemgr.cli import _open
    from officemgr.services import audit

    engine = _open(args)
    try:
        with store.write_session(engine) as session:
            audit.record_export(session, what=what, actor=getpass.getuser(), now=now_on(today), details=details,
                                report=report)
    except DBAPIError as exc:
        return fail(f"written, but the database did not log it ({exc.orig})")
    finally:
        engine.dispose()
    return 0
