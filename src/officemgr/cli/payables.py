"""Bills to pay on the command line: `officemgr bills generate` (make the recurring bills due, as the recurring
bills screen's g does), `officemgr export bills --from D --to D [--out FILE] [--force]` (the payments made in the
period, for the accountant) and `officemgr report ap-aging` (what is owed, by vendor and days past due).

Each acts as the signed-in person (cli.options.acting_user): generating is the manager's, the other two are for
whoever may see the practice's money.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from officemgr.cli.exports import add_force, log_export, refused, save, shown, taken, to_stdout
from officemgr.cli.options import (
    DONE,
    Parser,
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
    say,
)


def register(subparsers: SubParsers) -> None:
    generate = add_command(_bills(subparsers), "generate",
                           "make the recurring bills (rent, contracts, software) due within the next 7 days")
    generate.set_defaults(handler=generate_bills)
    paid = add_command(kinds(subparsers, "export"), "bills",
                       "the bills paid in a period, one row per payment, as CSV for the accountant")
    add_period(paid)
    paid.add_argument("--out", metavar="FILE.csv", help="write here instead of standard output")
    add_force(paid)
    paid.set_defaults(handler=export_bills)
    aging = add_command(kinds(subparsers, "report"), "ap-aging",
                        "bills owed by vendor: current, 1-30, 31-60, 61-90 and 90+ days past due")
    aging.set_defaults(handler=report_ap_aging)


def _bills(subparsers: SubParsers) -> SubParsers:
    """The `bills` command's kinds (made by whichever module asks first)."""
    parser = subparsers.choices.get("bills")
    if parser is None:
        parser = add_command(subparsers, "bills", "the bills the practice owes its vendors")
        parser.kinds = parser.add_subparsers(dest="what", parser_class=Parser, required=True, metavar="WHAT")
    assert parser.kinds is not None
    return parser.kinds


def generate_bills(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from officemgr import store
    from officemgr.services import recurring_bills
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError, database_refusal
    from officemgr.services.format import money

    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "generating recurring bills", writes=(Area.finance,))
        with store.write_session(engine) as session:
            done = recurring_bills.generate_due(session, today=args.today, now=now_on(args.today), actor=actor)
    except ServiceError as exc:
        return fail(str(exc))
    except SQLAlchemyError as exc:  # another workstation generating the same bills at the same moment, or busy
        return fail(database_refusal(exc))
    finally:
        engine.dispose()
    if done.made:
        say(f"Made {count(len(done.made), 'bill')} for "
            f"{money(sum(m.amount_cents for m in done.made))}, waiting for approval:")
        for m in done.made:
            say(f"  {m.vendor} {m.invoice_number} dated {m.invoice_date:%m/%d/%Y}, due {m.due_date:%m/%d/%Y}: "
                f"{money(m.amount_cents)}")
    else:
        say("No recurring bill is due within the next 7 days.")
    for note in done.notes:
        say(f"  note: {note}")
    return DONE


def export_bills(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.outfiles import OutputRefused
    from officemgr.services import payables_report
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    code = taken(args, [Path(args.out)] if args.out else [])
    if code is not None:
        return code
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "exporting paid bills", reads=(Area.finance,))
        with store.read_session(engine) as session:
            text, rows = payables_report.paid_bills_export(session, args.first, args.last, actor=actor)
    except ServiceError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    details = {"file": args.out or "stdout", "rows": rows, "from": args.first, "to": args.last}
    data = text.encode("utf-8")
    if args.out is None:
        to_stdout(data)
        return log_export(args, "bills", details)
    try:
        save(args, Path(args.out), data)
    except OutputRefused as exc:
        return refused(exc)
    say(f"Exported {count(rows, 'payment')} made {args.first:%m/%d/%Y} to {args.last:%m/%d/%Y} to {shown(args.out)}.")
    return log_export(args, "bills", details)


def report_ap_aging(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.services import payables_report
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "the A/P aging report", reads=(Area.finance,))
        with store.read_session(engine) as session:
            aging = payables_report.ap_aging(session, today=args.today, actor=actor)
    except ServiceError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    for line in payables_report.aging_text(aging).splitlines():
        say(line)
    return DONE
