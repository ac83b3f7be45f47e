"""Inventory files from the command line: `import items`, `export inventory`, `export count-sheet`."""

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
    count,
    fail,
    import_from,
    kinds,
)

if TYPE_CHECKING:
    from sqlmodel import Session

COUNT_SHEET_FORMATS = {".md": "markdown", ".markdown": "markdown", ".csv": "csv"}


def register(subparsers: SubParsers) -> None:
    items = add_command(kinds(subparsers, "import"), "items",
                        "add or update supply items from a .csv file (all or nothing)")
    items.add_argument("file", metavar="FILE.csv",
                       help="header row; columns name, category, unit, par, reorder_point, vendor, sku, unit_cost, "
                            "location, tracks_lots, quantity")
    items.set_defaults(handler=import_items)
    exports = kinds(subparsers, "export")
    stock = add_command(exports, "inventory", "stock on hand as CSV: one row per lot (imports again as items)")
    stock.add_argument("file", metavar="FILE.csv", help="the CSV file to write")
    add_force(stock)
    stock.set_defaults(handler=export_inventory)
    sheet = add_command(exports, "count-sheet", "the monthly count sheet to print (.md) or fill in (.csv)")
    sheet.add_argument("file", metavar="FILE.md|FILE.csv", help="the format follows the extension")
    add_force(sheet)
    sheet.set_defaults(handler=export_count_sheet)


def import_items(args: argparse.Namespace) -> int:
    from officemgr.services import inventory_io
    from officemgr.services.access import Area
    from officemgr.services.csv_files import echo

    today: date = args.today
    result, code = import_from(args, lambda session, path, now, actor: inventory_io.import_items(
        session, path, today=today, now=now, actor=actor), what="importing items", writes=Area.inventory)
    if result is None:
        return code
    parts = [f"{result.created} new", f"{result.updated} updated"]
    if result.unchanged:
        parts.append(f"{result.unchanged} unchanged")
    if result.vendors_created:
        parts.append(count(result.vendors_created, "new vendor"))
    print(f"Imported {count(result.items, 'item')} from {echo(Path(args.file).name)} ({', '.join(parts)}).")
    for note in result.notes:
        print(f"  note: {note}")
    return DONE


def export_inventory(args: argparse.Namespace) -> int:
    from officemgr.services import inventory_export
    from officemgr.services.access import Area

    today: date = args.today
    if Path(args.file).suffix.lower() != ".csv":
        return fail(f"export inventory writes a .csv file, not '{shown(Path(args.file).suffix or 'no extension')}' "
                    "(see officemgr --help)", BAD_USAGE)

    def build(session: Session, _actor: str) -> tuple[str, int, str]:
        text, rows, items = inventory_export.inventory_csv(session, today)
        return text, rows, f"Inventory on {today:%m/%d/%Y}: {count(items, 'item')} in {count(rows, 'row')}"

    return write_export(args, "inventory", build, reads=Area.inventory)


def export_count_sheet(args: argparse.Namespace) -> int:
    from officemgr.services import inventory_export, movements
    from officemgr.services.access import Area

    today: date = args.today
    suffix = Path(args.file).suffix.lower()
    kind = COUNT_SHEET_FORMATS.get(suffix)
    if kind is None:
        return fail(f"export count-sheet writes .md (to print) or .csv, not '{shown(suffix or 'no extension')}' "
                    "(see officemgr --help)", BAD_USAGE)

    def build(session: Session, _actor: str) -> tuple[str, int, str]:
        lines = movements.count_sheet(session)
        text = (inventory_export.count_sheet_markdown(lines, today) if kind == "markdown"
                else inventory_export.count_sheet_csv(lines))
        places = len({line.location for line in lines})
        where = f"{places} location" + ("" if places == 1 else "s")
        return text, len(lines), f"Count sheet for {today:%m/%d/%Y}: {len(lines)} lines in {where}"

    return write_export(args, "count-sheet", build, reads=Area.inventory)
