"""Patients and the desk's money on the command line: `officemgr import patients FILE.csv` (demographics and the
primary plan, all or none), `officemgr report deposits --day D` (the day's payments by method, the deposit and the
drawer count) and `officemgr statements --out DIR` (the statement run).

Both act as the signed-in person (cli.options.acting_user); the deposit report names receipts and check numbers,
never patients.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from officemgr.cli.options import (
    DONE,
    SubParsers,
    acting_user,
    add_command,
    count,
    database_missing,
    date_arg,
    fail,
    import_from,
    kinds,
    now_on,
    open_database,
    say,
    shown,
)


def register(subparsers: SubParsers) -> None:
    imported = add_command(kinds(subparsers, "import"), "patients",
                           "patients from another system with their primary plan, all or nothing")
    imported.add_argument("file", metavar="FILE.csv")
    imported.set_defaults(handler=import_patients)
    deposits = add_command(kinds(subparsers, "report"), "deposits",
                           "the day's desk payments by method, the bank deposit and the drawer count")
    deposits.add_argument("--day", metavar="YYYY-MM-DD", type=date_arg, help="the day (default: today)")
    deposits.set_defaults(handler=report_deposits)
    run = add_command(subparsers, "statements", "the statement run: a page per patient who owes and a mailing CSV, "
                                                "marked sent")
    run.add_argument("--out", required=True, metavar="DIR", help="an existing folder to write the pages into")
    run.set_defaults(handler=statement_run)


def import_patients(args: argparse.Namespace) -> int:
    from officemgr.services import patients_io
    from officemgr.services.access import Area
    from officemgr.services.csv_files import echo
    from officemgr.services.format import plural

    today: date = args.today
    result, code = import_from(args, lambda session, path, now, actor: patients_io.import_patients(
        session, path, today=today, now=now, actor=actor), what="importing patients", writes=Area.schedule)
    if result is None:
        return code
    say(f"Imported {plural(result.patients, 'patient')} from {echo(Path(args.file).name)} "
        f"({plural(result.plans, 'insurance plan')}).")
    return DONE


def report_deposits(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.services import ledger
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError
    from officemgr.services.deposit_slip import paid_out_lines
    from officemgr.services.format import money

    day: date = args.day or args.today
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        acting_user(args, engine, "the deposit report", reads=(Area.desk_money,))
        with store.read_session(engine) as session:
            takings = ledger.day_takings(session, day)
            drawer = ledger.drawer_count(session, day)
    except ServiceError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    print(f"Desk payments {day:%m/%d/%Y}: {money(takings.total_cents)} in "
          f"{count(len(takings.payments), 'payment')}")
    for method, cents in takings.by_method.items():
        print(f"  {method.value:<6} {money(cents):>12}")
    print(f"Deposit (cash and checks): {money(takings.deposit_cents)}")
    for entry in takings.payments:
        if entry.method is not None and entry.method.value == "check":
            print(f"  check {shown(entry.reference) or '(no number)'}: {money(-entry.amount_cents)}  {entry.receipt}")
    for line in paid_out_lines(takings):
        print(shown(line))
    if drawer is None:
        print("The drawer was not closed that day.")
    else:
        state = "balanced" if drawer.balanced else ", ".join(
            f"{what} {money(abs(cents))} {'over' if cents > 0 else 'short'}"
            for what, cents in (("cash", drawer.cash_over_cents), ("checks", drawer.checks_over_cents)) if cents)
        print(f"Drawer counted: cash {money(drawer.counted_cash_cents)}, checks {money(drawer.counted_checks_cents)}:"
              f" {state}")
    return DONE


def statement_run(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.services import statements
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError
    from officemgr.services.format import money, plural

    folder = Path(args.out)
    if not folder.is_dir():
        return fail(f"{shown(str(folder))} is not a folder; make it first (nothing was sent)")
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "the statement run", writes=(Area.desk_money,))
        with store.write_session(engine) as session:
            run = statements.run_statements(session, folder, today=args.today, actor=actor, now=now_on(args.today))
    except ServiceError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    if not run.count:
        say("No statements are due today (a balance of the minimum or more, insurance done with it, none sent "
            "within the cycle).")
        return DONE
    say(f"{plural(run.count, 'statement')} for {money(run.total_cents)} written to {shown(str(folder))} and "
        f"marked sent; the mailing list is {shown(str(run.mailing_csv))}.")
    return DONE
