"""Billing files from the command line: `import era`, `import fees`, `import claims`, `export queue`."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from officemgr.cli.exports import add_force, shown, write_export
from officemgr.cli.options import (
    BAD_USAGE,
    DONE,
    SubParsers,
    add_command,
    fail,
    import_from,
    kinds,
)

if TYPE_CHECKING:
    from sqlmodel import Session

MAX_SHOWN = 10  # unmatched payments, problems: more than this are counted, not listed
MAX_WARNINGS = 3


def register(subparsers: SubParsers) -> None:
    imports = kinds(subparsers, "import")
    era = add_command(imports, "era", "post the payments of an X12 835 remittance file (all or nothing; "
                                      "the same file twice posts nothing)")
    era.add_argument("file", metavar="FILE.835", help="the 835 file from the payer or clearinghouse")
    era.set_defaults(handler=import_era)
    fees = add_command(imports, "fees", "replace a payer's fee schedule from a .csv file (all or nothing)")
    fees.add_argument("payer", metavar="PAYER", help="the payer's name (any case) or id")
    fees.add_argument("file", metavar="FILE.csv", help="header row; columns code, modifier (optional), allowed")
    fees.set_defaults(handler=import_fees)
    claims = add_command(imports, "claims", "add or update claims from the billing system's .csv export "
                                            "(all or nothing)")
    claims.add_argument("file", metavar="FILE.csv", help="the billing system's claims export")
    claims.set_defaults(handler=import_claims)
    queue = add_command(kinds(subparsers, "export"), "queue",
                        "the claims follow-up work queue as CSV, in working order")
    queue.add_argument("file", metavar="FILE.csv", help="the CSV file to write")
    add_force(queue)
    queue.set_defaults(handler=export_queue)


def import_era(args: argparse.Namespace) -> int:
    from officemgr.services import era
    from officemgr.services.access import Area
    from officemgr.services.format import money, plural

    today: date = args.today
    result, code = import_from(args, lambda session, path, now, actor: era.post_file(
        session, path, today=today, now=now, actor=actor),
        what="importing billing files", writes=Area.billing, needs_database=True)
    if result is None:
        return code
    source = ", ".join(part for part in (result.payer_name, f"check {result.check_number}" if result.check_number
                                         else "", money(result.check_cents)) if part)
    parts = [f"{money(result.paid_cents + result.reversed_cents)} paid"]
    if result.reversals:
        parts.append(f"{result.reversals} reversed ({money(result.reversed_cents)} taken back)")
    for number, noun in ((result.denied, "denied"), (result.underpaid, "underpaid"),
                         (len(result.unmatched) - result.held, "unmatched"), (result.held, "held for review"),
                         (result.skipped_claims, "already posted")):
        if number:
            parts.append(f"{number} {noun}")
    not_posted = result.claims - result.posted - len(result.unmatched) - result.skipped_claims
    if not_posted:
        parts.append(f"{not_posted} not posted")
    print(f"Posted {result.posted} of {plural(result.claims, 'claim payment')} from {result.file_name} ({source}): "
          f"{', '.join(parts)}.")
    for plb in result.provider_adjustments[:MAX_SHOWN]:
        print(f"  provider adjustment: {plb.as_text()} (kept with the check)")
    for skipped in result.skipped[:MAX_SHOWN]:
        print(f"  skipped: {skipped}")
    for item in result.unmatched[:MAX_SHOWN]:
        print(f"  unmatched: {item.claim_number or '(no claim number)'} {money(item.paid_cents)}: {item.reason} "
              "(kept with the remittance)")
    if len(result.unmatched) > MAX_SHOWN:
        print(f"  ... and {len(result.unmatched) - MAX_SHOWN} more unmatched")
    for problem in result.problems[:MAX_SHOWN]:
        print(f"  problem: {problem}")
    if len(result.problems) > MAX_SHOWN:
        print(f"  ... and {len(result.problems) - MAX_SHOWN} more problems")
    if result.warnings:
        shown = "; ".join(result.warnings[:MAX_WARNINGS])
        more = f" (and {len(result.warnings) - MAX_WARNINGS} more)" if len(result.warnings) > MAX_WARNINGS else ""
        print(f"  note: the 835 check found {plural(len(result.warnings), 'problem')} that do not affect posting: "
              f"{shown}{more}")
    return DONE


def import_fees(args: argparse.Namespace) -> int:
    from officemgr.services import fees
    from officemgr.services.access import Area
    from officemgr.services.csv_files import echo
    from officemgr.services.format import plural

    result, code = import_from(args, lambda session, path, now, actor: fees.import_fees(
        session, args.payer, path, now=now, actor=actor),
        what="importing billing files", writes=Area.billing, needs_database=True)
    if result is None:
        return code
    replaced = f" (replacing the {plural(result.replaced, 'fee')} it had)" if result.replaced else ""
    print(f"Imported the fee schedule of {result.payer} from {echo(Path(args.file).name)}: "
          f"{plural(result.codes, 'code')}{replaced}.")
    return DONE


def import_claims(args: argparse.Namespace) -> int:
    from officemgr.services import claims_io
    from officemgr.services.access import Area
    from officemgr.services.csv_files import echo
    from officemgr.services.format import plural

    today: date = args.today
    result, code = import_from(args, lambda session, path, now, actor: claims_io.import_claims(
        session, path, today=today, now=now, actor=actor),
        what="importing billing files", writes=Area.billing)
    if result is None:
        return code
    parts = [f"{result.created} new", f"{result.updated} updated"]
    if result.unchanged:
        parts.append(f"{result.unchanged} unchanged")
    if result.patients_created:
        parts.append(plural(result.patients_created, "new patient"))
    if result.payers_created:
        parts.append(plural(result.payers_created, "new payer"))
    total = result.created + result.updated + result.unchanged
    print(f"Imported {plural(total, 'claim')} from {echo(Path(args.file).name)} ({', '.join(parts)}).")
    if result.new_payers:
        print(f"  note: {', '.join(result.new_payers)} "
              f"{'is a new payer' if len(result.new_payers) == 1 else 'are new payers'} "
              "with a 365-day timely-filing limit: check it in the app")
    return DONE


def export_queue(args: argparse.Namespace) -> int:
    from officemgr.services.access import Area
    from officemgr.services.format import plural

    today: date = args.today
    if Path(args.file).suffix.lower() != ".csv":
        return fail(f"export queue writes a .csv file, not '{shown(Path(args.file).suffix or 'no extension')}' "
                    "(see officemgr --help)", BAD_USAGE)

    def build(session: Session, actor: str) -> tuple[str, int, str]:
        from officemgr.services import claims_io

        text, rows = claims_io.queue_csv(session, today, actor=actor)
        return text, rows, f"Work queue for {today:%m/%d/%Y}: {plural(rows, 'claim')}"

    return write_export(args, "queue", build, reads=Area.billing)
