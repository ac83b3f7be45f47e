"""Billing files from the command line: `import era`, `import fees`, `import claims`, `export queue`.

cli.py builds the parser and dispatches here; exit codes as everywhere: 0 done, 1 refused (the message says
why; nothing changed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path

from officemgr.cli_common import fail, now_on

# (command, what) pairs this module handles.
COMMANDS = {("import", "era"), ("import", "fees"), ("import", "claims"), ("export", "queue")}
MAX_SHOWN = 10  # unmatched payments, problems: more than this are counted, not listed
MAX_WARNINGS = 3


def add_import_parsers(what: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from officemgr.cli import _global_options

    era = what.add_parser("era", help="post the payments of an X12 835 remittance file (all or nothing; "
                                      "the same file twice posts nothing)")
    _global_options(era, suppress=True)
    era.add_argument("file", metavar="FILE.835", help="the 835 file from the payer or clearinghouse")
    fees = what.add_parser("fees", help="replace a payer's fee schedule from a .csv file (all or nothing)")
    _global_options(fees, suppress=True)
    fees.add_argument("payer", metavar="PAYER", help="the payer's name (any case) or id")
    fees.add_argument("file", metavar="FILE.csv", help="header row; columns code, modifier (optional), allowed")
    claims = what.add_parser("claims", help="add or update claims from the billing system's .csv export "
                                            "(all or nothing)")
    _global_options(claims, suppress=True)
    claims.add_argument("file", metavar="FILE.csv", help="the billing system's claims export")


def add_export_parsers(what: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from officemgr.cli import _global_options

    queue = what.add_parser("queue", help="the claims follow-up work queue as CSV, in working order")
    _global_options(queue, suppress=True)
    queue.add_argument("file", metavar="FILE.csv", help="the CSV file to write")


def run(args: argparse.Namespace, today: date) -> int:
    handler = {("import", "era"): import_era, ("import", "fees"): import_fees,
               ("import", "claims"): import_claims, ("export", "queue"): export_queue}[(args.command, args.what)]
    return handler(args, today)




def _refusal(exc: Exception) -> int:
    """The refusal's message, then any listed problem the message does not already carry."""
    message = str(exc)
    print(f"officemgr: {message}", file=sys.stderr)
    extra = [p for p in getattr(exc, "problems", []) or [] if p not in message]
    if len(extra) > 1:  # one problem is the message itself, reworded
        for problem in extra[:50]:
            print(f"  {problem}", file=sys.stderr)
        if len(extra) > 50:
            print(f"  ... and {len(extra) - 50} more", file=sys.stderr)
    return 1


def _write(args: argparse.Namespace, today: date, work, *, needs_database: bool):  # type: ignore[no-untyped-def]
    """Run `work(session, path, now, actor)` in a write session; (result, None) or (None, exit code)."""
    from sqlalchemy.exc import DBAPIError

    from officemgr import store
    from officemgr.cli import _open
    from officemgr.services.common import ServiceError

    path = Path(args.file)
    # Checked before opening the database, so a mistyped name does not create an empty database.
    if not path.is_file():
        return None, fail(f"there is no file {path}")
    if needs_database and args.db and not Path(args.db).is_file():
        return None, fail(f"there is no database {args.db}")
    engine = _open(args)
    try:
        with store.write_session(engine) as session:
            return work(session, path, now_on(today), getpass.getuser()), None
    except ServiceError as exc:
        return None, _refusal(exc)
    except DBAPIError as exc:
        return None, fail(f"the database refused the import ({exc.orig}); nothing was imported")
    finally:
        engine.dispose()


def import_era(args: argparse.Namespace, today: date) -> int:
    from officemgr.services import era
    from officemgr.services.format import money, plural

    def work(session, path, now, actor):  # type: ignore[no-untyped-def]
        return era.post_file(session, path, today=today, now=now, actor=actor)

    result, code = _write(args, today, work, needs_database=True)
    if result is None:
        return code  # type: ignore[no-any-return]
    source = ", ".join(part for part in (result.payer_name, f"check {result.check_number}" if result.check_number
                                         else "", money(result.check_cents)) if part)
    parts = [f"{money(result.paid_cents + result.reversed_cents)} paid"]
    if result.reversals:
        parts.append(f"{result.reversals} reversed ({money(result.reversed_cents)} taken back)")
    for count, noun in ((result.denied, "denied"), (result.underpaid, "underpaid"),
                        (len(result.unmatched), "unmatched")):
        if count:
            parts.append(f"{count} {noun}")
    not_posted = result.claims - result.posted - len(result.unmatched)
    if not_posted:
        parts.append(f"{not_posted} not posted")
    print(f"Posted {result.posted} of {plural(result.claims, 'claim payment')} from {result.file_name} ({source}): "
          f"{', '.join(parts)}.")
    for item in result.unmatched[:MAX_SHOWN]:
        print(f"  unmatched: {item.claim_number or '(no claim number)'} {money(item.paid_cents)}: no claim with this "
              "number (kept with the remittance)")
    if len(result.unmatched) > MAX_SHOWN:
        print(f"  ... and {len(result.unmatched) - MAX_SHOWN} more unmatched")
    for problem in result.problems[:MAX_SHOWN]:
        print(f"  problem: {problem}")
    if len(result.problems) > MAX_SHOWN:
        print(f"  ... and {len(result.problems) - MAX_SHOWN} more problems")
    if result.warnings:
        shown = "; ".join(result.warnings[:MAX_WARNINGS])
        more = f" (and {len(result.warnings) - MAX_WARNINGS} more)" if len(result.warnings) > MAX_WARNINGS else ""
        print(f"  note: pyx12 found {plural(len(result.warnings), 'problem')} that do not affect posting: "
              f"{shown}{more}")
    return 0


def import_fees(args: argparse.Namespace, today: date) -> int:
    from officemgr.services import fees
    from officemgr.services.format import plural

    def work(session, path, now, actor):  # type: ignore[no-untyped-def]
        return fees.import_fees(session, args.payer, path, now=now, actor=actor)

    result, code = _write(args, today, work, needs_database=True)
    if result is None:
        return code  # type: ignore[no-any-return]
    replaced = f" (replacing the {plural(result.replaced, 'fee')} it had)" if result.replaced else ""
    print(f"Imported the fee schedule of {result.payer} from {Path(args.file).name}: "
          f"{plural(result.codes, 'code')}{replaced}.")
    return 0


def import_claims(args: argparse.Namespace, today: date) -> int:
    from officemgr.services import claims_io
    from officemgr.services.format import plural

    def work(session, path, now, actor):  # type: ignore[no-untyped-def]
        return claims_io.import_claims(session, path, today=today, now=now, actor=actor)

    result, code = _write(args, today, work, needs_database=False)
    if result is None:
        return code  # type: ignore[no-any-return]
    unchanged = getattr(result, "unchanged", 0)
    parts = [f"{result.created} new", f"{result.updated} updated"]
    if unchanged:
        parts.append(f"{unchanged} unchanged")
    if getattr(result, "patients_created", 0):
        parts.append(plural(result.patients_created, "new patient"))
    if result.payers_created:
        parts.append(plural(result.payers_created, "new payer"))
    total = result.created + result.updated + unchanged
    print(f"Imported {plural(total, 'claim')} from {Path(args.file).name} ({', '.join(parts)}).")
    new_payers = getattr(result, "new_payers", [])
    if new_payers:
        print(f"  note: {', '.join(new_payers)} {'is a new payer' if len(new_payers) == 1 else 'are new payers'} "
              "with a 365-day timely-filing limit: check it in the app")
    return 0


def export_queue(args: argparse.Namespace, today: date) -> int:
    from officemgr.cli_inventory import _export
    from officemgr.services.format import plural

    if Path(args.file).suffix.lower() != ".csv":
        return fail(f"export queue writes a .csv file, not '{Path(args.file).suffix or 'no extension'}' "
                     "(see officemgr --help)", 2)

    def build(session):  # type: ignore[no-untyped-def]
        from officemgr.services import claims_io

        text, rows = claims_io.queue_csv(session, today)
        return text, rows, f"Work queue for {today:%m/%d/%Y}: {plural(rows, 'claim')}"

    return _export(args, today, "queue", build)
