"""`export payroll` (issue 4: payroll preparation): hours per person for one pay period, as CSV for the payroll
service; `export timesheet` (issue 23): the period's approved timesheets, refused until every one is approved."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from officemgr.cli.exports import add_force, log_export, refused, save, shown, taken, to_stdout
from officemgr.cli.options import (
    SubParsers,
    acting_user,
    add_command,
    database_missing,
    date_arg,
    fail,
    kinds,
    open_database,
)


def register(subparsers: SubParsers) -> None:
    pay = add_command(kinds(subparsers, "export"), "payroll",
                      "hours per person for one pay period, as CSV for the payroll service")
    pay.add_argument("--period", required=True, metavar="YYYY-MM-DD", type=date_arg,
                     help="the first day of the pay period")
    pay.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    add_force(pay)
    pay.set_defaults(handler=export_payroll)
    sheet = add_command(kinds(subparsers, "export"), "timesheet",
                        "the approved timesheets of one pay period, as CSV (refused until all are approved)")
    sheet.add_argument("--period", required=True, metavar="YYYY-MM-DD", type=date_arg,
                       help="the first day of the pay period")
    sheet.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    add_force(sheet)
    sheet.set_defaults(handler=export_timesheet)


def export_payroll(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.outfiles import OutputRefused
    from officemgr.plaintext import visible
    from officemgr.services import payroll
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    code = taken(args, [Path(args.out)] if args.out else [])
    if code is not None:
        return code
    # An export never creates a database: a mistyped --db is refused instead of exporting an empty practice.
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "exporting payroll", reads=(Area.payroll,))
        with store.read_session(engine) as session:
            period = payroll.period_starting(session, args.period, actor=actor)
            rows = payroll.payroll(session, period, actor=actor)
    except ServiceError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    data = payroll.payroll_csv(rows, period, actor=actor).encode("utf-8")
    where = "standard output"
    if args.out is None:
        to_stdout(data)
    else:
        try:
            save(args, Path(args.out), data)
        except OutputRefused as exc:
            return refused(exc)
        where = shown(args.out)
    # The CSV owns standard output; the summary goes to stderr then, else to stdout.
    report = sys.stderr if args.out is None else sys.stdout
    paid = sum(r.total_paid_hours for r in rows)
    overtime = sum(r.overtime_hours for r in rows)
    people = "1 person" if len(rows) == 1 else f"{len(rows)} people"
    print(f"Payroll {period}: {people}, "
          f"{paid:,.2f} paid hours ({overtime:,.2f} overtime) written to {where}.", file=report)
    for row in rows:
        for note in row.notes:
            print(visible(f"  check {row.last_name}, {row.first_name}: {note}"), file=report)
    # Payroll still goes out without them (a practice may not use the time clock), but says whose hours are unchecked.
    waiting = [r.name for r in rows if r.worked_minutes and not r.approved_by]
    if waiting:
        print(visible(f"  timesheets not yet approved (hours as recorded): {', '.join(waiting)}"), file=report)
    return log_export(args, "payroll", {"file": args.out or "stdout", "rows": len(rows), "period": str(period)})


def export_timesheet(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.outfiles import OutputRefused
    from officemgr.services import payroll, timesheets
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    code = taken(args, [Path(args.out)] if args.out else [])
    if code is not None:
        return code
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "exporting timesheets", reads=(Area.payroll,))
        with store.read_session(engine) as session:
            period = payroll.period_starting(session, args.period, actor=actor)
            text, count = timesheets.timesheet_csv(session, period, actor=actor)
    except ServiceError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    where = "standard output"
    if args.out is None:
        to_stdout(text.encode("utf-8"))
    else:
        try:
            save(args, Path(args.out), text.encode("utf-8"))
        except OutputRefused as exc:
            return refused(exc)
        where = shown(args.out)
    report = sys.stderr if args.out is None else sys.stdout
    people = "1 person" if count == 1 else f"{count} people"
    print(f"Timesheets {period}: {people}, all approved, written to {where}.", file=report)
    return log_export(args, "timesheet", {"file": args.out or "stdout", "rows": count, "period": str(period)})
