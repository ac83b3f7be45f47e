"""`report audit`: the audit trail of a period as CSV, one row per changed field.

Running the report is itself logged (entity "report", action "audit").
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from officemgr.cli.exports import to_stdout
from officemgr.cli.options import (
    DONE,
    SubParsers,
    add_command,
    add_period,
    count,
    database_missing,
    fail,
    kinds,
    now_on,
    open_database,
)

if TYPE_CHECKING:
    from officemgr.services.audit import AuditFieldRow

COLUMNS = ("at", "actor", "entity", "entity_id", "action", "field", "old", "new")


def register(subparsers: SubParsers) -> None:
    audit = add_command(kinds(subparsers, "report"), "audit",
                        "who changed what and when, one CSV row per changed field")
    add_period(audit)
    audit.add_argument("--entity", metavar="KIND", help="only this kind of record (e.g. claim, item, export)")
    audit.add_argument("--actor", metavar="NAME", help="only changes by this person")
    audit.add_argument("--out", metavar="FILE.csv", help="write the CSV here (a new file) instead of standard output")
    audit.set_defaults(handler=report_audit)


def report_audit(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from officemgr import store
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
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        with store.write_session(engine) as session:
            rows = audit.audit_rows(session, args.first, args.last, entity=args.entity, actor=args.actor)
            data = _csv(rows).encode("utf-8")
            if out is None:
                to_stdout(data)
            else:
                try:
                    with open(out, "xb") as handle:  # "x": never overwrite, even one written meanwhile
                        handle.write(data)
                except OSError as exc:
                    return fail(f"cannot write {out}: {exc.strerror}")
            details = {"file": str(out) if out else "stdout", "rows": len(rows), "from": args.first,
                       "to": args.last, "entity": args.entity, "actor": args.actor}
            audit.record_export(session, what="audit", actor=getpass.getuser(), now=now_on(args.today),
                                details=details, report=True)
    except ServiceError as exc:
        return fail(str(exc))
    except DBAPIError as exc:
        return fail(f"the database could not be read ({exc.orig})")
    finally:
        engine.dispose()
    where = str(out) if out else "standard output"
    # The CSV owns standard output when it goes there; the summary goes to stderr then.
    print(f"Audit {args.first.isoformat()} to {args.last.isoformat()}: {count(len(rows), 'row')} written to {where}.",
          file=sys.stderr if out is None else sys.stdout)
    return DONE


def _csv(rows: list[AuditFieldRow]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.at.isoformat(sep=" "), row.actor, row.entity, row.entity_id, row.action, row.field,
                         row.old, row.new])
    return text.getvalue()
