"""Command line: `officemgr` runs the app; subcommands do the rest.

Global options (--db, --url, --today) are accepted before or after a subcommand's own arguments.
Exit codes: 0 done, 1 refused (the message says why; nothing changed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from officemgr import cli_audit, cli_backup, cli_bench, cli_billing, cli_copy, cli_huddle, cli_inventory, cli_pin
from officemgr.errors import StoreError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One clear line, never a usage dump: the office manager reads this.
        self.exit(2, f"officemgr: {message} (see officemgr --help)\n")


# Dates near the calendar's ends overflow the date arithmetic every service does (a week on, a year back).
_FIRST_DAY, _LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _in_range(day: date, text: str) -> date:
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise argparse.ArgumentTypeError(f"give a date between {_FIRST_DAY} and {_LAST_DAY}, not '{text}'")
    return day


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--today must be a date like 2026-11-23, not '{text}'") from None
    return _in_range(day, text)


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # In subparsers the defaults are suppressed so a value given before the subcommand survives.
    default = argparse.SUPPRESS if suppress else None
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", metavar="PATH", default=default, help="SQLite database file")
    where.add_argument("--url", metavar="URL", default=default, help="SQLAlchemy URL (or OFFICEMGR_URL)")
    parser.add_argument("--today", metavar="YYYY-MM-DD", type=_day, default=default,
                        help="the date the app treats as today (default: the real date)")
    parser.add_argument("--encrypt", action="store_true", default=argparse.SUPPRESS if suppress else False,
                        help="the SQLite file is encrypted (SQLCipher): ask for its key (or set OFFICEMGR_KEY)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="officemgr", description="The office manager's tool for a small medical practice.")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    run = sub.add_parser("run", help="open the app (the default)")
    _global_options(run, suppress=True)
    demo = sub.add_parser("demo", help="fill a new database with demo data")
    _global_options(demo, suppress=True)
    demo.add_argument("--scale", choices=("small", "large"), default="small")
    demo.add_argument("--seed", type=int, default=1)
    _add_import_parser(sub)
    _add_export_parser(sub)
    _add_check_list_parser(sub)
    _add_report_parser(sub)
    cli_huddle.add_parser(sub)
    cli_pin.add_parser(sub)
    cli_backup.add_parsers(sub)
    cli_bench.add_parser(sub)
    cli_copy.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    today = args.today or date.today()
    target = cli_backup.writes_over_database(args)
    if target is not None:
        print(f"officemgr: {target} is the database itself; write to another file (nothing was written)",
              file=sys.stderr)
        return 1
    try:
        if args.command == "bench":
            return cli_bench.run(args)
        if args.command == "demo":
            return _demo(args, today)
        if (args.command, getattr(args, "what", None)) in cli_billing.COMMANDS:
            return cli_billing.run(args, today)
        if args.command == "import" and args.what == "items":
            return cli_inventory.import_items(args, today)
        if args.command == "import":
            return _import_appointments(args, today)
        if args.command == "export" and args.what == "payroll":
            return _export_payroll(args)
        if args.command == "export" and args.what == "inventory":
            return cli_inventory.export_inventory(args, today)
        if args.command == "export" and args.what == "count-sheet":
            return cli_inventory.export_count_sheet(args, today)
        if args.command == "export":
            return _export_ics(args, today)
        if args.command == "check-list":
            return _check_list(args)
        if args.command == "report" and args.what == "audit":
            return cli_audit.run(args, today)
        if args.command == "report":
            return _report_compliance(args, today)
        if args.command == "huddle":
            return cli_huddle.run(args, today)
        if args.command == "set-pin":
            return cli_pin.run(args, today)
        if args.command == "copy":
            return cli_copy.run(args)
        if args.command in cli_backup.COMMANDS:
            return cli_backup.run(args, _sqlite_file(args))
        return _run(args, today)
    except StoreError as exc:
        print(f"officemgr: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # A file named on the command line that the system refuses (name too long, no permission, a device...).
        print(f"officemgr: cannot use {exc.filename or 'that file'}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from officemgr import store

    url = args.url or (None if args.db else os.environ.get("OFFICEMGR_URL"))
    return store.open_database(path=args.db, url=url, key=database_key(args))


def database_key(args: argparse.Namespace) -> str | None:
    """The SQLCipher key: OFFICEMGR_KEY, or asked once (with --encrypt); None for a plain database."""
    if not hasattr(args, "key"):
        key = os.environ.get("OFFICEMGR_KEY")
        if key is None and args.encrypt:
            key = getpass.getpass("Database key: ")
        if key is not None and not key.strip():
            raise StoreError("the database key is empty; type the key the database was encrypted with")
        args.key = key
    return args.key


def _sqlite_file(args: argparse.Namespace) -> Path | None:
    """The SQLite file the options name, or None when they name a server database."""
    from officemgr import dbfile

    url = args.url or (None if args.db else os.environ.get("OFFICEMGR_URL"))
    if url is None:
        return Path(args.db) if args.db else dbfile.default_path()
    return Path(url.split("///", 1)[1]) if url.startswith("sqlite:///") and len(url) > len("sqlite:///") else None


def _run(args: argparse.Namespace, today: date) -> int:
    from officemgr import dbfile
    from officemgr.tui.app import make_app

    key = database_key(args)  # asked on the terminal before the app takes it over

    def open_engine():  # type: ignore[no-untyped-def]
        # In the app's worker, after its first frame: SQLAlchemy, the migrations check and the backup take a second.
        from officemgr import backups

        engine = _open(args)
        database = _sqlite_file(args)
        if database is not None:
            # The first open of each day keeps a copy: the practice's only record must survive a bad day.
            backups.daily_backup(database, now=datetime.now(), key=key)
        return engine

    database = _sqlite_file(args)
    if database is not None and not dbfile.looks_openable(database, key=key):
        open_engine()  # refused: raises StoreError with the whole explanation, before the app paints anything
    app = make_app(today=today, actor=getpass.getuser(), secure=True, open_engine=open_engine, live=True)
    app.run()
    if app.boot_error is not None:
        print(f"officemgr: {app.boot_error}", file=sys.stderr)
        return 2  # as every command's StoreError
    return 0


def _demo(args: argparse.Namespace, today: date) -> int:
    from officemgr import demo, store

    engine = _open(args)
    try:
        summary = demo.fill(engine, today=today, seed=args.seed, scale=args.scale)
    except ValueError as exc:
        print(f"officemgr: {exc}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in summary.as_dict().items())
    where = store.describe(engine.url)
    print(f"Demo practice for {today:%Y-%m-%d} (seed {args.seed}, {args.scale}) written to {where}:")
    print(counts)
    return 0



# --- import / export (issue 3: schedule interop) ------------------------------------------------------


def _date_arg(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date looks like 2026-11-23, not '{text}'") from None
    return _in_range(day, text)


def _add_import_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    imp = sub.add_parser("import", help="import records from a file (all or nothing)")
    _global_options(imp, suppress=True)
    what = imp.add_subparsers(dest="what", parser_class=_Parser, required=True, metavar="WHAT")
    appts = what.add_parser("appointments", help="book appointments from a .csv or .ics file")
    _global_options(appts, suppress=True)
    appts.add_argument("file", metavar="FILE", help="a .csv (header row) or .ics file")
    cli_inventory.add_import_parsers(what)
    cli_billing.add_import_parsers(what)


def _add_export_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    exp = sub.add_parser("export", help="export records to a file")
    _global_options(exp, suppress=True)
    what = exp.add_subparsers(dest="what", parser_class=_Parser, required=True, metavar="WHAT")
    ics = what.add_parser("ics", help="a provider's appointments as an iCalendar file (patients by initials)")
    _global_options(ics, suppress=True)
    ics.add_argument("--provider", required=True, metavar="NAME_OR_NPI", help='"First Last" or the NPI')
    span = ics.add_mutually_exclusive_group()
    span.add_argument("--day", metavar="YYYY-MM-DD", type=_date_arg, help="that day (default: today)")
    span.add_argument("--week", metavar="YYYY-MM-DD", type=_date_arg, help="the week (Monday-Sunday) holding it")
    ics.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    _add_payroll_parser(what)
    cli_inventory.add_export_parsers(what)
    cli_billing.add_export_parsers(what)


def _import_appointments(args: argparse.Namespace, today: date) -> int:
    from pathlib import Path

    from sqlalchemy.exc import DBAPIError

    from officemgr import store
    from officemgr.services import interop
    from officemgr.services.common import ServiceError

    path = Path(args.file)
    # Checked before opening the database, so a mistyped name does not create an empty database.
    if not path.is_file():
        print(f"officemgr: there is no file {path}", file=sys.stderr)
        return 1
    engine = _open(args)
    now = datetime.combine(today, datetime.now().time().replace(microsecond=0))
    try:
        with store.write_session(engine) as session:
            result = interop.import_appointments(session, path, now=now, actor=getpass.getuser())
    except ServiceError as exc:
        print(f"officemgr: {exc}", file=sys.stderr)
        return 1
    except DBAPIError as exc:
        print(f"officemgr: the database refused the import ({exc.orig}); nothing was imported", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    skipped = f", {_count(result.skipped, 'cancelled event')} skipped" if result.skipped else ""
    print(f"Imported {_count(result.booked, 'appointment')} from {path.name} "
          f"({_count(result.patients_created, 'new patient')}{skipped}).")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _export_ics(args: argparse.Namespace, today: date) -> int:
    from officemgr import store
    from officemgr.services import interop
    from officemgr.services.common import ServiceError

    first_day, days = _export_span(args, today)
    engine = _open(args)
    try:
        with store.read_session(engine) as session:
            provider = interop.find_provider(session, args.provider)
            data = interop.export_ics(session, provider_id=provider.id, first_day=first_day, days=days)
    except ServiceError as exc:
        print(f"officemgr: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if args.out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return cli_audit.log_export(args, today, "ics", _ics_details(args, provider.name, first_day, days, data))
    try:
        with open(args.out, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        print(f"officemgr: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"Exported {_count(data.count(b'BEGIN:VEVENT'), 'appointment')} of {provider.name} to {args.out}.")
    return cli_audit.log_export(args, today, "ics", _ics_details(args, provider.name, first_day, days, data))


def _ics_details(args: argparse.Namespace, provider: str, first_day: date, days: int, data: bytes) -> dict[str, object]:
    return {"file": args.out or "stdout", "rows": data.count(b"BEGIN:VEVENT"), "provider": provider,
            "from": first_day, "days": days}


def _export_span(args: argparse.Namespace, today: date) -> tuple[date, int]:
    """The first day and the number of days: --week is Monday to Sunday, else one day (default today)."""
    if args.week is not None:
        return args.week - timedelta(days=args.week.weekday()), 7
    return (args.day or today), 1


# --- export payroll (issue 4: payroll preparation) ----------------------------------------------------


def _add_payroll_parser(what: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    pay = what.add_parser("payroll", help="hours per person for one pay period, as CSV for the payroll service")
    _global_options(pay, suppress=True)
    pay.add_argument("--period", required=True, metavar="YYYY-MM-DD", type=_date_arg,
                     help="the first day of the pay period")
    pay.add_argument("--out", metavar="FILE", help="write here instead of standard output")


def _export_payroll(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.services import payroll
    from officemgr.services.common import ServiceError

    engine = _open(args)
    try:
        with store.read_session(engine) as session:
            period = payroll.period_starting(session, args.period)
            rows = payroll.payroll(session, period)
    except ServiceError as exc:
        print(f"officemgr: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    data = payroll.payroll_csv(rows, period).encode("utf-8")
    where = "standard output"
    if args.out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        try:
            with open(args.out, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            print(f"officemgr: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
            return 1
        where = args.out
    # The CSV owns standard output; the summary goes to stderr then, else to stdout.
    report = sys.stderr if args.out is None else sys.stdout
    paid = sum(r.total_paid_hours for r in rows)
    overtime = sum(r.overtime_hours for r in rows)
    people = "1 person" if len(rows) == 1 else f"{len(rows)} people"
    print(f"Payroll {period}: {people}, "
          f"{paid:,.2f} paid hours ({overtime:,.2f} overtime) written to {where}.", file=report)
    for row in rows:
        for note in row.notes:
            print(f"  check {row.last_name}, {row.first_name}: {note}", file=report)
    return cli_audit.log_export(args, args.today or date.today(), "payroll",
                                {"file": args.out or "stdout", "rows": len(rows), "period": str(period)})


# --- check-list / report compliance (issue 5: compliance) ---------------------------------------------


def _add_check_list_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    check = sub.add_parser("check-list", help="validate a compliance checklist file (no database needed)")
    _global_options(check, suppress=True)
    check.add_argument("--validate", action="store_true", help="check every line and report each problem")
    check.add_argument("file", nargs="?", metavar="FILE",
                       help="the checklist CSV (default: the one shipped with officemgr)")


def _check_list(args: argparse.Namespace) -> int:
    """Validate the checklist file; it never opens a database."""
    from officemgr.checklist import ChecklistError, checklist_path, load_checklist

    if not args.validate:
        print("officemgr: check-list needs --validate: officemgr check-list --validate [FILE] "
              "(see officemgr --help)", file=sys.stderr)
        return 2
    path = args.file or checklist_path()
    try:
        rows = load_checklist(path)
    except ChecklistError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"officemgr: {_count(count, 'problem')} in {path}; nothing was loaded", file=sys.stderr)
        return 1
    print(f"{path}: {_count(len(rows), 'item')}, all valid")
    return 0


def add_period(parser: argparse.ArgumentParser) -> None:
    """--from and --to, the first and last day of a report's period (args.first, args.last)."""
    parser.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD", type=_date_arg,
                        help="the first day of the period")
    parser.add_argument("--to", dest="last", required=True, metavar="YYYY-MM-DD", type=_date_arg,
                        help="the last day of the period")


def _add_report_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    rep = sub.add_parser("report", help="write a report for a period")
    _global_options(rep, suppress=True)
    what = rep.add_subparsers(dest="what", parser_class=_Parser, required=True, metavar="WHAT")
    comp = what.add_parser("compliance", help="checklist occurrences and their completions, staff training, "
                                               "concerns and missing temperature readings, as Markdown")
    _global_options(comp, suppress=True)
    add_period(comp)
    comp.add_argument("--out", metavar="FILE.md", help="write the Markdown here instead of standard output")
    comp.add_argument("--csv", metavar="FILE.csv", help="also write one row per occurrence as CSV")
    cli_audit.add_parser(what)


def _report_compliance(args: argparse.Namespace, today: date) -> int:
    from pathlib import Path

    from officemgr import store
    from officemgr.services import compliance_report
    from officemgr.services.common import ServiceError

    try:
        compliance_report.check_period(args.first, args.last)
    except ServiceError as exc:
        print(f"officemgr: {exc}", file=sys.stderr)
        return 1
    # Checked before opening, so a mistyped name does not create an empty database to report on.
    if args.db and not Path(args.db).is_file():
        print(f"officemgr: there is no database {args.db}", file=sys.stderr)
        return 1
    engine = _open(args)
    try:
        with store.read_session(engine) as session:
            report = compliance_report.compliance_report(session, args.first, args.last, today)
    except ServiceError as exc:
        print(f"officemgr: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    markdown = compliance_report.to_markdown(report).encode("utf-8")
    outputs = [(args.csv, compliance_report.to_csv(report).encode("utf-8"))] if args.csv else []
    if args.out:
        outputs.insert(0, (args.out, markdown))
    for where, data in outputs:
        try:
            with open(where, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            print(f"officemgr: cannot write {where}: {exc.strerror}", file=sys.stderr)
            return 1
    if args.out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(markdown)
        sys.stdout.buffer.flush()
    # The Markdown owns standard output when it goes there; the summary goes to stderr then.
    written = " and ".join(where for where, _ in outputs) or "standard output"
    print(f"Compliance {args.first.isoformat()} to {args.last.isoformat()}: {report.summary.line}; "
          f"written to {written}.", file=sys.stderr if args.out is None else sys.stdout)
    return cli_audit.log_export(args, today, "compliance", {"file": written if outputs else "stdout",
                                "rows": len(report.lines), "from": args.first, "to": args.last}, report=True)


if __name__ == "__main__":
    raise SystemExit(main())
