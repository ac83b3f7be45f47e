"""Items from a CSV file (the exports are in services.inventory_export).

Import (`import_items`): a .csv file, UTF-8, a header row naming the columns (any order, any case;
"reorder point" is the same as reorder_point):
    name           required; an item already in the list (same name, any case) is updated, else created
    category       clinical supply (or clinical), office supply (or office), vaccine, medication, equipment
    unit           e.g. "box of 100" ("each" for a new item when empty)
    par            whole number: stock to hold after a delivery
    reorder_point  whole number, at most par
    vendor         the vendor's name; a name not in the list yet creates the vendor
    sku            the vendor's item number
    unit_cost      dollars, e.g. 12.50 or $1,250.00
    location       where it is kept (the count sheet walks the shelves by it)
    tracks_lots    yes/no, true/false, 1/0; empty: yes for vaccines and medications, no otherwise
    quantity       opening stock of a new item without lots, received as "Opening quantity"
For an item already in the list, an empty cell (or a column the file does not have) keeps what it has;
whether it tracks lots cannot change (its stock is kept that way). Quantities never change the stock of an
item already in the list (that is what a count is for), and lots come in with their number and expiry in
the app, so those quantities are only reported back as notes.

The export's other columns (lot, expires, value, on_order) are known and read past, so an export imports
again. The export writes one row per lot, so a name may repeat on rows that each name a lot and carry the
same item fields; any other repeated name is refused.

An import is all or nothing: every row is checked first and any bad row refuses the whole file, naming
each bad line and what is wrong with it. Items and vendors are written with the same audit events as in
the app, in one transaction.

The export (services.inventory_export.inventory_csv) writes one row per lot with stock, and one row for
each item with none, in the columns of EXPORT_COLUMNS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import Item, ItemCategory, ItemCreate, ReceiveCreate, StockLot, Vendor, VendorCreate
from officemgr.services import inventory
from officemgr.services.common import created_fields, record
from officemgr.services.csv_files import (
    Cells,
    FileRefused,
    Layout,
    Row,
    Table,
    amount,
    by_line,
    read_table,
    refusal,
    validate,
    whole,
    yes_no,
)
from officemgr.services.format import plural
from officemgr.services.movements import receive_into

# What an import reads, and the columns the export adds that an import reads past.
ITEM_COLUMNS = ("name", "category", "unit", "par", "reorder_point", "vendor", "sku", "unit_cost", "location",
                "tracks_lots")
IMPORT_COLUMNS = (*ITEM_COLUMNS, "quantity")
STOCK_COLUMNS = ("lot", "expires", "value", "on_order")
EXPORT_COLUMNS = ("name", "category", "location", "unit", "lot", "expires", "quantity", "unit_cost", "value",
                  "vendor", "sku", "reorder_point", "par", "on_order", "tracks_lots")
_ALIASES = {"item": "name", "cost": "unit_cost", "qty": "quantity", "lot_number": "lot"}

CATEGORY_LABELS = {
    ItemCategory.clinical: "clinical supply",
    ItemCategory.office: "office supply",
    ItemCategory.vaccine: "vaccine",
    ItemCategory.medication: "medication",
    ItemCategory.equipment: "equipment",
}
_CATEGORY_WORDS = {
    **{label: category for category, label in CATEGORY_LABELS.items()},
    **{category.value: category for category in ItemCategory},
    "clinical supplies": ItemCategory.clinical, "office supplies": ItemCategory.office,
    "vaccines": ItemCategory.vaccine, "medications": ItemCategory.medication,
}
MAX_QUANTITY = 100_000
MAX_CENTS = 100_000_000  # $1,000,000.00 a unit: anything above is a typo
MAX_NOTES = 10
LAYOUT = Layout("import items", IMPORT_COLUMNS, "items", required=("name",), aliases=_ALIASES,
                read_past=STOCK_COLUMNS)
_WHOLE = whole(MAX_QUANTITY)
_COST = amount(MAX_CENTS, "12.50", " a unit")
# ItemCreate field -> the column it is read from, so a validation message names the column.
_FIELD_COLUMNS = {"vendor_id": "vendor", "unit_cost_cents": "unit_cost"}


@dataclass(frozen=True)
class ImportResult:
    items: int
    created: int
    updated: int
    unchanged: int
    vendors_created: int
    notes: list[str] = field(default_factory=list)


class ImportRefused(FileRefused):
    """An items file not imported; the message lists what is wrong (each bad row as "line N: ...")."""


# --- import: reading ----------------------------------------------------------------------------------


# --- import: checking ---------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A checked item: what to write, and the quantities its rows give."""

    line: int
    data: ItemCreate
    item: Item | None  # None: created by the import
    vendor: str  # the vendor's name as in the file ("" none); resolved to an id when written
    quantities: list[int | None]  # per row (an empty cell is None)

    @property
    def quantity(self) -> int | None:
        given = [q for q in self.quantities if q is not None]
        return sum(given) if given else None


@dataclass
class _Lookup:
    """What the database has, read once per import."""

    items: dict[str, Item]
    vendors: dict[str, Vendor]
    on_hand: dict[int, int]

    @classmethod
    def read(cls, session: Session) -> _Lookup:
        items = {item.name.lower(): item for item in session.exec(select(Item))}
        vendors = {vendor.name.lower(): vendor for vendor in session.exec(select(Vendor))}
        on_hand = session.exec(select(col(StockLot.item_id), func.sum(StockLot.quantity))
                               .group_by(col(StockLot.item_id))).all()
        return cls(items, vendors, {item_id: int(total or 0) for item_id, total in on_hand})


def _check_all(table: Table, lookup: _Lookup) -> list[_Draft]:
    """Every row checked; the drafts to write, or ImportRefused listing each bad line."""
    problems = list(table.problems)
    bad = {line for line, _ in problems}
    first_row: dict[str, Row] = {}
    drafts: dict[str, _Draft] = {}
    for row in table.rows:
        if row.line in bad:
            continue
        key = " ".join(row.cells.get("name", "").split()).lower()
        earlier = first_row.get(key) if key else None
        if earlier is not None:
            clash = _repeat_problem(earlier, row)
            if clash:
                problems.append((row.line, clash))
            else:
                cells = Cells(row)
                quantity = cells.read("quantity", _WHOLE)
                if cells.problems:
                    problems.append((row.line, cells.problems[0]))
                elif key in drafts:
                    drafts[key].quantities.append(quantity)
            continue
        if key:
            first_row[key] = row
        draft, found = _check(Cells(row), lookup)
        if found:
            problems.append((row.line, "; ".join(found)))
        elif draft is not None:
            drafts[key] = draft
    if problems:
        listed = by_line(problems)
        raise ImportRefused(refusal(table.name, listed, len(table.rows)), listed)
    return list(drafts.values())


def _repeat_problem(first: Row, row: Row) -> str | None:
    """None when `row` is another lot of the item on `first` (as the export writes them), else the problem."""
    name = " ".join(row.cells.get("name", "").split())
    if not (first.cells.get("lot") and row.cells.get("lot")):
        return f"duplicate name: {name} is also on line {first.line}"
    differs = [c for c in ITEM_COLUMNS if c != "name" and first.cells.get(c, "") != row.cells.get(c, "")]
    if differs:
        return f"{name} is also on line {first.line} with a different {', '.join(differs)}"
    if first.cells["lot"].lower() == row.cells["lot"].lower():
        return f"duplicate lot: {name} lot {row.cells['lot']} is also on line {first.line}"
    return None


def _check(cells: Cells, lookup: _Lookup) -> tuple[_Draft | None, list[str]]:
    name = " ".join(cells.text("name").split())
    if not cells.required("name"):
        return None, cells.problems
    problems = cells.problems
    item = lookup.items.get(name.lower())
    if item is None and not cells.text("category"):
        problems.append("the category is empty (a new item needs one: clinical supply, office supply, vaccine, "
                        "medication or equipment)")
    category = _category(cells.text("category"), problems)
    par = cells.read("par", _WHOLE)
    reorder_point = cells.read("reorder_point", _WHOLE)
    quantity = cells.read("quantity", _WHOLE)
    cost = cells.read("unit_cost", _COST)
    tracks = cells.read("tracks_lots", yes_no)
    vendor = " ".join(cells.text("vendor").split())
    if vendor:
        problems.extend(validate(VendorCreate, {"name": vendor}, {"name": "vendor"})[1])
    if problems:
        return None, problems
    values = _values(item, name, category, par, reorder_point, cost, tracks, cells.row.cells,
                     lookup.vendors.get(vendor.lower()))
    if values["par"] < values["reorder_point"]:
        if par is None or reorder_point is None:
            return None, [f"par {values['par']} is below the reorder point {values['reorder_point']} "
                          "(with the item's current values)"]
        return None, [f"par {par} is below the reorder point {reorder_point}"]
    if item is not None and values["tracks_lots"] != item.tracks_lots:
        kept = "by lot" if item.tracks_lots else "without lots"
        return None, [f"tracks_lots: {item.name} is kept {kept}; an import cannot change that"]
    data, found = validate(ItemCreate, values, _FIELD_COLUMNS)
    if data is None:
        return None, found
    return _Draft(cells.row.line, data, item, vendor, [quantity]), []


def _values(item: Item | None, name: str, category: ItemCategory | None, par: int | None,
            reorder_point: int | None, cost: int | None, tracks: bool | None, cells: dict[str, str],
            vendor: Vendor | None) -> dict[str, Any]:
    """The item's fields: the file's where it gives them, else the item's (or a new item's defaults)."""
    if item is not None:
        values = {f: getattr(item, f) for f in ItemCreate.model_fields}
    else:
        values = {"unit": "each", "par": 0, "reorder_point": 0, "vendor_id": None, "sku": "",
                  "unit_cost_cents": 0, "location": ""}
        values["tracks_lots"] = category in (ItemCategory.vaccine, ItemCategory.medication)
        if par is None and reorder_point is not None:
            par = reorder_point  # a new item's par is at least its reorder point
    values["name"] = name
    given = {"category": category, "par": par, "reorder_point": reorder_point, "unit_cost_cents": cost,
             "tracks_lots": tracks}
    values.update({k: v for k, v in given.items() if v is not None})
    for column in ("unit", "sku", "location"):
        if cells.get(column):
            values[column] = cells[column]
    if cells.get("vendor"):
        values["vendor_id"] = vendor.id if vendor is not None else None
    return values


def _category(text: str, problems: list[str]) -> ItemCategory | None:
    if not text:
        return None
    found = _CATEGORY_WORDS.get(" ".join(text.lower().split()))
    if found is None:
        problems.append(f"unknown category '{text}' (use clinical supply, office supply, vaccine, medication "
                        "or equipment)")
    return found


# --- import: writing ----------------------------------------------------------------------------------


def import_items(session: Session, path: Path, *, today: date, now: datetime, actor: str) -> ImportResult:
    """Create or update every item in a .csv file (format: this module's docstring), or none of them.

    Raises ImportRefused naming each bad line; then nothing is written.
    """
    table = read_table(Path(path), LAYOUT, ImportRefused)
    try:
        lookup = _Lookup.read(session)
        drafts = _check_all(table, lookup)
        result = _write_all(session, drafts, lookup, today=today, now=now, actor=actor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def _write_all(session: Session, drafts: list[_Draft], lookup: _Lookup, *, today: date, now: datetime,
               actor: str) -> ImportResult:
    new_vendors: dict[str, Vendor] = {}
    created = updated = unchanged = 0
    notes: list[str] = []
    lots_not_imported: list[str] = []
    for draft in drafts:
        data = draft.data
        if draft.vendor:
            key = draft.vendor.lower()
            vendor = lookup.vendors.get(key) or new_vendors.get(key)
            if vendor is None:
                vendor = new_vendors[key] = _create_vendor(session, draft.vendor, now=now, actor=actor)
            data = data.model_copy(update={"vendor_id": vendor.id})
        quantity = draft.quantity
        if draft.item is None:
            item = inventory.insert_item(session, data, now=now, actor=actor)
            created += 1
            if quantity and not item.tracks_lots:
                _opening(session, item, quantity, today=today, now=now, actor=actor)
            elif quantity:
                lots_not_imported.append(item.name)
            continue
        item = draft.item
        if not item.active:
            notes.append(f"{item.name} is retired: updated, but it stays off the lists")
        if inventory.change_item(session, item, data, now=now, actor=actor, expected_version=None):
            updated += 1
        else:
            unchanged += 1
        assert item.id is not None  # read from the database
        stocked = lookup.on_hand.get(item.id, 0)
        if quantity is not None and not item.tracks_lots and quantity != stocked:
            notes.append(f"{item.name}: quantity {quantity:,} in the file, {stocked:,} in stock; stock left as it "
                         "is (count it in the app to change it)")
    session.flush()
    if len(notes) > MAX_NOTES:
        notes[MAX_NOTES:] = [f"... and {len(notes) - MAX_NOTES} more items whose stock differs from the file"]
    if lots_not_imported:
        names = ", ".join(lots_not_imported[:3]) + (f" and {len(lots_not_imported) - 3} more"
                                                    if len(lots_not_imported) > 3 else "")
        notes.append(f"quantities not imported for {plural(len(lots_not_imported), 'lot-tracked item')} ({names}): "
                     "receive their lots with number and expiry in the app")
    return ImportResult(len(drafts), created, updated, unchanged, len(new_vendors), notes)


def _create_vendor(session: Session, name: str, *, now: datetime, actor: str) -> Vendor:
    vendor = Vendor.model_validate(VendorCreate(name=name).model_dump())
    session.add(vendor)
    session.flush()
    assert vendor.id is not None
    record(session, actor=actor, entity="vendor", entity_id=vendor.id, action="create",
           changes=created_fields(vendor), now=now)
    return vendor


def _opening(session: Session, item: Item, quantity: int, *, today: date, now: datetime, actor: str) -> None:
    session.flush()
    data = ReceiveCreate(quantity=quantity, reason="Opening quantity (import)")
    lot = receive_into(session, item, data, today=today, now=now, actor=actor)
    assert item.id is not None
    record(session, actor=actor, entity="item", entity_id=item.id, action="receive",
           changes={"lot": lot.lot_number, "quantity": quantity, "expires": None}, now=now)
