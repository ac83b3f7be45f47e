"""Inventory out to files: the stock as CSV (it imports again: services.inventory_io) and the monthly count
sheet as Markdown to print or CSV, grouped by location then category with an empty "Counted" column."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlmodel import Session, col, select

from officemgr.models import Item, ItemCategory, StockLot
from officemgr.plaintext import visible
from officemgr.services import audit, inventory
from officemgr.services.csv_out import Cell, csv_text, dollars
from officemgr.services.inventory_io import CATEGORY_LABELS, EXPORT_COLUMNS
from officemgr.services.movements import CountLine


def inventory_rows(session: Session, today: date) -> list[list[Cell]]:
    """The export's rows (without the header): every active item, its lots with stock first-expiring first."""
    items = inventory.stock(session, today)
    skus = dict(session.exec(select(col(Item.id), col(Item.sku)).where(Item.active)).all())
    lots: dict[int, list[StockLot]] = defaultdict(list)
    for lot in session.exec(select(StockLot).join(Item, col(Item.id) == StockLot.item_id)
                            .where(Item.active, StockLot.quantity > 0)):
        lots[lot.item_id].append(lot)
    out: list[list[Cell]] = []
    for row in items:
        stock = sorted(lots.get(row.item_id, []), key=lambda lot: (lot.expires or date.max, lot.id))
        entries = [(lot.lot_number or "", lot.expires, lot.quantity) for lot in stock] or [("", None, 0)]
        for number, expires, quantity in entries:
            out.append([
                row.name, CATEGORY_LABELS[row.category], row.location, row.unit, number,
                expires.isoformat() if expires else "", quantity, dollars(row.unit_cost_cents),
                dollars(quantity * row.unit_cost_cents), row.vendor, skus.get(row.item_id, ""),
                row.reorder_point, row.par, row.on_order, "yes" if row.tracks_lots else "no",
            ])
    return out


def inventory_csv(session: Session, today: date) -> tuple[str, int, int]:
    """The export as CSV text (header EXPORT_COLUMNS, CRLF lines), its number of rows and of items."""
    rows = inventory_rows(session, today)
    return csv_text(EXPORT_COLUMNS, rows), len(rows), len({row[0] for row in rows})


def record_export(session: Session, what: str, *, file: str, rows: int, now: datetime, actor: str) -> None:
    """Log that practice data left the app (entity "export"), and commit."""
    audit.record_export(session, what=what, actor=actor, now=now, details={"file": file, "rows": rows})


# --- count sheet --------------------------------------------------------------------------------------

PAGE_WIDTH = 100  # characters: a printed page in a small monospace font
# Narrowest a column is clipped to (with "…") when a table is wider than the page.
MIN_CLIPPED = 12
COUNTED_WIDTH = 8
NO_LOCATION = "No location set"


def _groups(lines: list[CountLine]) -> list[tuple[str, str, list[CountLine]]]:
    """(location, category label, lines) in the sheet's walking order (count_sheet's order kept)."""
    groups: list[tuple[str, str, list[CountLine]]] = []
    for line in lines:
        location = line.location or NO_LOCATION
        category = CATEGORY_LABELS[ItemCategory(line.category)]
        if not groups or groups[-1][:2] != (location, category):
            groups.append((location, category, []))
        groups[-1][2].append(line)
    return groups


def _expiry(line: CountLine, today: date) -> str:
    if line.expires is None:
        return ""
    return f"{line.expires:%m/%d/%Y}" + (" *" if line.expires < today else "")


def _fit(widths: list[int], shrink: list[int]) -> list[int]:
    """Narrow the `shrink` columns (first one first) until a table line fits PAGE_WIDTH, if it can."""
    widths = list(widths)
    for index in shrink:
        over = sum(widths) + 3 * len(widths) + 1 - PAGE_WIDTH
        if over > 0:
            widths[index] = max(min(MIN_CLIPPED, widths[index]), widths[index] - over)
    return widths


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _shown(text: str) -> str:
    """Stored text as a table cell: control characters spelled out, a pipe (the column rule) made a slash."""
    return visible(text).replace("|", "/")


def _table(lines: list[CountLine], today: date) -> list[str]:
    with_lots = any(line.lot_number or line.expires for line in lines)
    header = ["Item", "Lot", "Expires", "Unit", "Expected", "Counted"] if with_lots else [
        "Item", "Unit", "Expected", "Counted"]
    rows = []
    for line in lines:
        lot = [_shown(line.lot_number), _expiry(line, today)] if with_lots else []
        rows.append([_shown(line.item_name), *lot, _shown(line.unit), f"{line.expected:,}", ""])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    widths[-1] = max(widths[-1], COUNTED_WIDTH)
    unit = len(header) - 3
    widths = _fit(widths, [unit, 0])
    right = {len(header) - 2}  # quantities line up on the right

    def fmt(cells: list[str]) -> str:
        padded = [_clip(c, w).rjust(w) if i in right else _clip(c, w).ljust(w)
                  for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else "-" * (w + 2) for i, w in enumerate(widths)) + "|"
    return [fmt(header), rule, *(fmt(r) for r in rows)]


def count_sheet_markdown(lines: list[CountLine], today: date) -> str:
    """The count sheet to print: a section per location, a table per category, a line to sign."""
    out = [f"# Inventory count sheet, {today:%A %m/%d/%Y}", "",
           "Counted by: ______________________________    Date counted: ______________", "",
           "Write what is on the shelf under Counted; enter each difference as a count in the Inventory tab.", ""]
    if not lines:
        out += ["Nothing to count: no items with stock.", ""]
    expired = False
    location = None
    for place, category, group in _groups(lines):
        if place != location:
            out += [f"## {visible(place)}", ""]
            location = place
        out += [f"### {category[0].upper()}{category[1:]}", "", *_table(group, today), ""]
        expired = expired or any(line.expires is not None and line.expires < today for line in group)
    if expired:
        out += ["\\* expired: do not use; count it, then record it as waste.", ""]
    places = len({line.location for line in lines})
    out += [f"{len(lines)} lines in {places} location{'s' if places != 1 else ''}."]
    return "\n".join(out) + "\n"


COUNT_COLUMNS = ("location", "category", "item", "lot", "expires", "unit", "expected", "counted", "item_id",
                 "lot_id")


def count_sheet_csv(lines: list[CountLine]) -> str:
    """The count sheet as CSV, in the same order, with an empty counted column (ids to match a count back)."""
    return csv_text(COUNT_COLUMNS, ([line.location or NO_LOCATION, CATEGORY_LABELS[ItemCategory(line.category)],
                                     line.item_name, line.lot_number, line.expires.isoformat() if line.expires else "",
                                     line.unit, line.expected, "", line.item_id, line.lot_id] for line in lines))
