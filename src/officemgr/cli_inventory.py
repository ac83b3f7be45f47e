"""Inventory files from the command line: `import items`, `export inventory`, `export count-sheet`.

cli.py builds the parser and dispatches here; exit codes as everywhere: 0 done, 1 refused (the message says
why; nothing changed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import date
from pathlib import Path

from officemgr.cli_common import fail, now_on

COUNT_SHEET_FORMATS = {".md": "markdown", ".markdown": "markdown", ".csv": "csv"}


def add_import_parsers(what: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from officemgr.cli import _global_options

    items = what.add_parser("items", help="add or update supply items from a .csv file (all or nothing)")
    _global_options(items, suppress=True)
    items.add_argument("file", metavar="FILE.csv",
                       help="header row; columns name, category, unit, par, reorder_point, vendor, sku, unit_cost, "
                            "location, tracks_lots, quantity")


def add_export_parsers(what: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from officemgr.cli import _global_options

    stock = what.add_parser("inventory", help="stock on hand as CSV: one row per lot (imports again as items)")
    _global_options(stock, suppress=True)
    stock.add_argument("file", metavar="FILE.csv", help="the CSV file to write")
    sheet = what.add_parser("count-sheet", help="the monthly count sheet to print (.md) or fill in (.csv)")
    _global_options(sheet, suppress=True)
    sheet.add_argument("file", metavar="FILE.md|FILE.csv", help="the format follows the extension")




def import_items(args: argparse.Namespace, today: date) -> int:
    from sqlalchemy.exc import DBAPIError

    from officemgr import store
    from officemgr.cli import _count, _open
    from officemgr.services import inventory_io
    from officemgr.services.common import ServiceError

    path = Path(args.file)
    # Checked before opening the database, so a mistyped name does not create an empty database.
    if not path.is_file():
        return fail(f"there is no file {path}")
    engine = _open(args)
    try:
        with store.write_session(engine) as session:
            result = inventory_io.import_items(session, path, today=today, now=now_on(today), actor=getpass.getuser())
    except ServiceError as exc:
        return fail(str(exc))
    except DBAPIError as exc:
        return fail(f"the database refused the import ({exc.orig}); nothing was imported")
    finally:
        engine.dispose()
    parts = [f"{result.created} new", f"{result.updated} updated"]
    if result.unchanged:
        parts.append(f"{result.unchanged} unchanged")
    if result.vendors_created:
        parts.append(_count(result.vendors_created, "new vendor"))
    print(f"Imported {_count(result.items, 'item')} from {path.name} ({', '.join(parts)}).")
    for note in result.notes:
        print(f"  note: {note}")
    return 0


def _database_exists(args: argparse.Namespace) -> bool:
    # An export never creates a database: a mistyped --db is refused instead of exporting an empty practice.
    return not args.db or Path(args.db).is_file()


def _export(args: argparse.Namespace, today: date, what: str, build) -> int:  # type: ignore[no-untyped-def]
    """Build the file's text in a session, write it, then log the export (entity "export") and commit."""
    from sqlalchemy.exc import DBAPIError

    from officemgr import store
    from officemgr.cli import _open
    from officemgr.services import inventory_export
    from officemgr.services.common import ServiceError

    if not _database_exists(args):
        return fail(f"there is no database {args.db}")
    path = Path(args.file)
    engine = _open(args)
    try:
        with store.write_session(engine) as session:
            text, rows, summary = build(session)
            try:
                path.write_bytes(text.encode("utf-8"))
            except OSError as exc:
                return fail(f"cannot write {path}: {exc.strerror}")
            inventory_export.record_export(session, what, file=path.name, rows=rows, now=now_on(today),
                                       actor=getpass.getuser())
    except ServiceError as exc:
        return fail(str(exc))
    except DBAPIError as exc:
        return fail(f"the database could not be read ({exc.orig})")
    finally:
        engine.dispose()
    print(f"{summary} written to {path}.")
    return 0


def export_inventory(args: argparse.Namespace, today: date) -> int:
    from officemgr.cli import _count
    from officemgr.services import inventory_export

    if Path(args.file).suffix.lower() != ".csv":
        return fail(f"export inventory writes a .csv file, not '{Path(args.file).suffix or 'no extension'}' "
                     "(see officemgr --help)", 2)

    def build(session):  # type: ignore[no-untyped-def]
        text, rows, items = inventory_export.inventory_csv(session, today)
        return text, rows, f"Inventory on {today:%m/%d/%Y}: {_count(items, 'item')} in {_count(rows, 'row')}"

    return _export(args, today, "inventory", build)


def export_count_sheet(args: argparse.Namespace, today: date) -> int:
    from officemgr.services import inventory_export, movements

    suffix = Path(args.file).suffix.lower()
    kind = COUNT_SHEET_FORMATS.get(suffix)
    if kind is None:
        return fail(f"export count-sheet writes .md (to print) or .csv, not '{suffix or 'no extension'}' "
                     "(see officemgr --help)", 2)

    def build(session):  # type: ignore[no-untyped-def]
        lines = movements.count_sheet(session)
        text = (inventory_export.count_sheet_markdown(lines, today) if kind == "markdown"
                else inventory_export.count_sheet_csv(lines))
        places = len({line.location for line in lines})
        where = f"{places} location" + ("" if places == 1 else "s")
        return text, len(lines), f"Count sheet for {today:%m/%d/%Y}: {len(lines)} lines in {where}"

    return _export(args, today, "count-sheet", build)
