"""The operating budget from the command line: `import budget FILE --year 2027` (all or nothing) and
`export budget --year 2027 [--out FILE.csv] [--force]` (standard output without --out)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from officemgr.cli.exports import add_force, refused, save, shown, taken, to_stdout
from officemgr.cli.options import (
    BAD_USAGE,
    DONE,
    SubParsers,
    acting_user,
    add_command,
    count,
    database_missing,
    fail,
    import_from,
    kinds,
    now_on,
    open_database,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100  # services.budget's range, repeated: the CLI loads no service to parse


def year_arg(text: str) -> int:
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"a year from {FIRST_YEAR} to {LAST_YEAR}, not '{text}'")
    return int(text)


def register(subparsers: SubParsers) -> None:
    imported = add_command(kinds(subparsers, "import"), "budget",
                           "plan a year's operating budget from a .csv file (all or nothing)")
    imported.add_argument("file", metavar="FILE.csv",
                          help="header row; columns category, jan..dec, total (total may be empty)")
    imported.add_argument("--year", required=True, type=year_arg, metavar="YYYY", help="the budget's year")
    imported.set_defaults(handler=import_budget)
    exported = add_command(kinds(subparsers, "export"), "budget",
                           "a year's operating budget as CSV (category, jan..dec, total)")
    exported.add_argument("--year", required=True, type=year_arg, metavar="YYYY", help="the budget's year")
    exported.add_argument("--out", metavar="FILE.csv", help="write the CSV here instead of standard output")
    add_force(exported)
    exported.set_defaults(handler=export_budget)


def import_budget(args: argparse.Namespace) -> int:
    from officemgr.services import budget
    from officemgr.services.access import Area
    from officemgr.services.csv_files import echo

    year: int = args.year
    changed, code = import_from(args, lambda session, path, now, actor: budget.import_budget_csv(
        session, path, year, now=now, actor=actor), what="importing a budget", writes=Area.finance)
    if changed is None:
        return code
    print(f"Budget {year} imported from {echo(Path(args.file).name)}: {count(changed, 'amount')} changed.")
    return DONE


def export_budget(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from officemgr import store
    from officemgr.outfiles import OutputRefused
    from officemgr.services import audit, budget
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() != ".csv":
        return fail(f"export budget writes a .csv file, not '{shown(out.suffix or 'no extension')}' "
                    "(see officemgr --help)", BAD_USAGE)
    # Checked before opening, so a refusal neither creates a database nor overwrites anything.
    code = taken(args, [out] if out is not None else [])
    if code is not None:
        return code
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "exporting the budget", reads=(Area.finance,))
        with store.write_session(engine) as session:
            data = budget.budget_csv(session, args.year, actor=actor).encode("utf-8")
            if out is None:
                to_stdout(data)
            else:
                save(args, out, data)
            audit.record_export(session, what="budget", actor=actor, now=now_on(args.today),
                                details={"file": str(out) if out else "stdout", "year": args.year})
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
    print(f"Budget {args.year} written to {where}.", file=sys.stderr if out is None else sys.stdout)
    return DONE
