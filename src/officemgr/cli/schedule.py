"""The schedule's files (issue 3: schedule interop): `import appointments` from .csv or .ics, `export ics` of a
provider's day or week."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

from officemgr.cli.exports import add_force, log_export, refused, save, shown, taken, to_stdout
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
    open_database,
)


def register(subparsers: SubParsers) -> None:
    appts = add_command(kinds(subparsers, "import"), "appointments", "book appointments from a .csv or .ics file")
    appts.add_argument("file", metavar="FILE", help="a .csv (header row) or .ics file")
    appts.set_defaults(handler=import_appointments)
    ics = add_command(kinds(subparsers, "export"), "ics",
                      "a provider's appointments as an iCalendar file (patients by initials)")
    ics.add_argument("--provider", required=True, metavar="NAME_OR_NPI", help='"First Last" or the NPI')
    span = ics.add_mutually_exclusive_group()
    span.add_argument("--day", metavar="YYYY-MM-DD", type=date_arg, help="that day (default: today)")
    span.add_argument("--week", metavar="YYYY-MM-DD", type=date_arg, help="the week (Monday-Sunday) holding it")
    ics.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    add_force(ics)
    ics.set_defaults(handler=export_ics)


def import_appointments(args: argparse.Namespace) -> int:
    from officemgr.services import interop
    from officemgr.services.access import Area
    from officemgr.services.csv_files import echo

    result, code = import_from(args, lambda session, path, now, actor: interop.import_appointments(
        session, path, now=now, actor=actor), what="importing appointments", writes=Area.schedule)
    if result is None:
        return code
    skipped = f", {count(result.skipped, 'cancelled event')} skipped" if result.skipped else ""
    print(f"Imported {count(result.booked, 'appointment')} from {echo(Path(args.file).name)} "
          f"({count(result.patients_created, 'new patient')}{skipped}).")
    return DONE


def export_ics(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.outfiles import OutputRefused
    from officemgr.plaintext import visible
    from officemgr.services import interop
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    first_day, days = _span(args)
    code = taken(args, [Path(args.out)] if args.out else [])
    if code is not None:
        return code
    # An export never creates a database: a mistyped --db is refused instead of exporting an empty practice.
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "exporting a calendar", reads=(Area.schedule,))
        with store.read_session(engine) as session:
            provider = interop.find_provider(session, args.provider)
            assert provider.id is not None  # a provider found in the database has its id
            data = interop.export_ics(session, provider_id=provider.id, first_day=first_day, days=days,
                                      actor=actor)
    except ServiceError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    details = {"file": args.out or "stdout", "rows": data.count(b"BEGIN:VEVENT"), "provider": provider.name,
               "from": first_day, "days": days}
    if args.out is None:
        to_stdout(data)
        return log_export(args, "ics", details)
    try:
        save(args, Path(args.out), data)
    except OutputRefused as exc:
        return refused(exc)
    print(f"Exported {count(data.count(b'BEGIN:VEVENT'), 'appointment')} of {visible(provider.name)} "
          f"to {shown(args.out)}.")
    return log_export(args, "ics", details)


def _span(args: argparse.Namespace) -> tuple[date, int]:
    """The first day and the number of days: --week is Monday to Sunday, else one day (default today)."""
    if args.week is not None:
        week: date = args.week
        return week - timedelta(days=week.weekday()), 7
    return (args.day or args.today), 1
