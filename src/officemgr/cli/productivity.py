"""Provider productivity from the command line: `officemgr import rvu FILE [--year 2026]` (the CMS physician fee
schedule RVU file, or the practice's code,modifier,work_rvu list; all or nothing) and `officemgr report productivity
--month 2026-11` (a text table per provider)."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from officemgr.cli.budget import year_arg
from officemgr.cli.month import month_arg
from officemgr.cli.options import (
    DONE,
    SubParsers,
    acting_user,
    add_command,
    count,
    database_missing,
    fail,
    import_from,
    kinds,
    open_database,
    say,
)

if TYPE_CHECKING:
    from sqlmodel import Session


def register(subparsers: SubParsers) -> None:
    rvu = add_command(kinds(subparsers, "import"), "rvu",
                      "work RVUs from the CMS physician fee schedule RVU file (.csv), replacing that year's")
    rvu.add_argument("file", metavar="FILE.csv",
                     help="CMS's PPRRVU .csv as released, or a file with the header code,modifier,work_rvu")
    rvu.add_argument("--year", type=year_arg, metavar="YYYY",
                     help="the fee schedule's year (default: the year in the file's title, else today's year)")
    rvu.set_defaults(handler=import_rvu)
    report = add_command(kinds(subparsers, "report"), "productivity",
                         "visits, new patients, slot use, charges, collections and work RVUs per provider")
    report.add_argument("--month", type=month_arg, metavar="YYYY-MM", help="the month (default: this month)")
    report.set_defaults(handler=report_productivity)


def import_rvu(args: argparse.Namespace) -> int:
    from officemgr.services import rvu_import
    from officemgr.services.access import Area
    from officemgr.services.csv_files import echo

    today: date = args.today
    given: int | None = args.year

    def work(session: Session, path: Path, now: datetime, actor: str) -> rvu_import.RvuImportResult:
        text = rvu_import.read_rvu_file(path)
        year = given or rvu_import.title_year(text) or today.year
        return rvu_import.import_rvu(session, text, year=year, now=now, actor=actor)

    result, code = import_from(args, work, what="importing work RVUs", writes=Area.finance)
    if result is None:
        return code
    skipped = f"; {count(result.skipped, 'row')} without a work RVU (NA or blank) skipped" if result.skipped else ""
    replaced = f", replacing {result.replaced:,}" if result.replaced else ""
    say(f"Imported {result.rates:,} work RVU rates for {result.year} from {echo(Path(args.file).name)}"
        f"{replaced}{skipped}.")
    return DONE


def report_productivity(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.services import productivity
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    first: date = args.month or args.today.replace(day=1)
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "the productivity report", reads=(Area.finance,))
        with store.read_session(engine) as session:
            result = productivity.productivity(session, productivity.period_of(productivity.Span.month, first),
                                               actor=actor)
    except ServiceError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    say(f"Provider productivity, {result.period.label}")
    say("")
    for line in text_table(productivity.COLUMNS, [productivity.row_cells(r) for r in (*result.providers,
                                                                                     result.total)]):
        say(line)
    note = productivity.notes(result)
    if note:
        say("")
        say(f"Note: {note}.")
    return DONE


def text_table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Columns padded to their widest cell: the first left, the figures right; a rule under the header and above
    the last (total) row."""
    widths = [max(len(cells[i]) for cells in (columns, *rows)) for i in range(len(columns))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                         for i, (cell, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [line(r) for r in rows]
    return [line(columns), rule, *body[:-1], rule, *body[-1:]]
