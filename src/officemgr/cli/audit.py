"""`report audit`: the audit trail of a period as CSV, one row per changed field.

Running the report is itself logged (entity "report", action "audit").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from officemgr.cli.exports import add_force, refused, save, shown, taken, to_stdout
from officemgr.cli.options import (
    DONE,
    SubParsers,
    acting_user,
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
    audit.add_argument("--out", metavar="FILE.csv", help="write the CSV here instead of standard output")
    add_force(audit)
    audit.set_defaults(handler=report_audit)


def report_audit(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from officemgr import store
    from officemgr.outfiles import OutputRefused
    from officemgr.services import audit
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    try:
        audit.check_period(args.first, args.last)
    except ServiceError as exc:
        return fail(str(exc))
    out = Path(args.out) if args.out else None
    # Both checked before opening, so a refusal neither creates a database nor overwrites anything.
    code = taken(args, [out] if out is not None else [])
    if code is not None:
        return code
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "the audit report", reads=(Area.audit,))
        with store.write_session(engine) as session:
            rows = audit.audit_rows(session, args.first, args.last, actor=actor, entity=args.entity,
                                    person=args.actor)
            data = _csv(rows).encode("utf-8")
            if out is None:
                to_stdout(data)
            else:
                save(args, out, data)
            details = {"file": str(out) if out else "stdout", "rows": len(rows), "from": args.first,
                       "to": args.last, "entity": args.entity, "actor": args.actor}
            audit.record_export(session, what="audit", actor=actor, now=now_on(args.today),
                                details=details, report=True)
    except OutputRefused as exc:
        return refused(exc)
    except ServiceError as exc:
        return fail(str(exc))
    except DBAPIError as exc:
        return fail(f"the database could not be read ({exc.orig})")
    finally:
        engine.dispose()
    where = shown(out) if out else "standard output"
    # The CSV owns standard output when it goes there; the summary goes to stderr then.
    print(f"Audit {args.first.isoformat()} to {args.last.isoformat()}: {count(len(rows), 'row')} written to {where}.",
          file=sys.stderr if out is None else sys.stdout)
    return DONE


def _csv(rows: list[AuditFieldRow]) -> str:
    from officemgr.services.csv_out import csv_text, stored_value

    # Old and new values may be notes: their line breaks are kept (a quoted CSV cell holds them).
    return csv_text(COLUMNS, ([row.at.isoformat(sep=" "), row.actor, row.entity, row.entity_id, row.action,
                               row.field, stored_value(row.old), stored_value(row.new)] for row in rows),
                    free_text=True)
