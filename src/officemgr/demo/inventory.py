"""Vendors, items, and a year of stock replayed per item: lots, use, expiry, reorders as purchase orders, shortages."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Connection

from officemgr.demo._db import (
    DEMO_CALENDAR,
    _at,
    _end_of_month,
    _ensure_named,
    _insert,
    _lot_number,
    _next_id,
    _open,
    _open_on_or_after,
    _open_on_or_before,
    _with_ids,
    _working_time,
)
from officemgr.demo._types import DemoSummary, Person, Row
from officemgr.models import (
    Item,
    ItemCategory,
    MovementKind,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    Role,
    StockLot,
    StockMovement,
    Vendor,
)

# ------------------------------------------------------------------------------------------- inventory

VENDORS = (
    ("Henry Schein", "(800) 555-0141", "orders@henryschein.example", "HS-204881"),
    ("McKesson", "(800) 555-0142", "medsurg@mckesson.example", "MCK-7731902"),
    ("Medline", "(800) 555-0143", "customerservice@medline.example", "ML-5520418"),
    ("Sanofi Pasteur", "(800) 555-0144", "vaccineshoppe@sanofi.example", "VS-0093317"),
    ("Merck", "(800) 555-0145", "merckvaccines@merck.example", "MV-4410276"),
    ("Staples Business", "(800) 555-0146", "business@staples.example", "SB-118230"),
)


@dataclass(frozen=True)
class ItemSpec:
    name: str
    category: ItemCategory
    unit: str
    daily_use: float  # average units used per clinic day
    cost_cents: int
    vendor: str
    location: str
    lead_days: int = 3
    shelf_days: int = 720  # lot-tracked items: typical shelf life of a new lot
    kit_expiry: int | None = None  # emergency kit: a single lot expiring this many days from today
    seasonal: bool = False  # influenza vaccine and tests: used heavily September to February

    @property
    def tracks_lots(self) -> bool:
        return self.category in (ItemCategory.vaccine, ItemCategory.medication)

    @property
    def reorder_point(self) -> int:
        if self.kit_expiry is not None:
            return 1
        # average daily use x lead time + safety stock (three days' use), at least one unit
        return max(1, round(self.daily_use * (self.lead_days + 3) + 0.49))

    @property
    def par(self) -> int:
        if self.kit_expiry is not None:
            return 2
        return self.reorder_point + max(1, round(self.daily_use * 15))


_C, _O, _V, _M, _E = (ItemCategory.clinical, ItemCategory.office, ItemCategory.vaccine,
                      ItemCategory.medication, ItemCategory.equipment)
ITEMS = (
    ItemSpec("Exam table paper 18 in x 225 ft", _C, "roll", 2.0, 850, "Henry Schein", "Supply room"),
    ItemSpec("Nitrile exam gloves, small", _C, "box of 100", 0.6, 899, "Medline", "Supply room"),
    ItemSpec("Nitrile exam gloves, medium", _C, "box of 100", 1.5, 899, "Medline", "Supply room"),
    ItemSpec("Nitrile exam gloves, large", _C, "box of 100", 0.8, 899, "Medline", "Supply room"),
    ItemSpec("Alcohol prep pads", _C, "box of 200", 0.4, 349, "McKesson", "Supply room"),
    ItemSpec("Syringe 3 mL Luer-Lock", _C, "box of 100", 0.15, 1899, "McKesson", "Supply room"),
    ItemSpec("Syringe 1 mL tuberculin", _C, "box of 100", 0.1, 2150, "McKesson", "Supply room"),
    ItemSpec("Needle 25G x 1 in", _C, "box of 100", 0.12, 1250, "McKesson", "Supply room"),
    ItemSpec("Safety needle 23G x 1 in", _C, "box of 100", 0.1, 2395, "Henry Schein", "Supply room"),
    ItemSpec("Specimen cups 4 oz, sterile", _C, "box of 100", 0.12, 2499, "Medline", "Lab"),
    ItemSpec("Urinalysis reagent strips", _C, "bottle of 100", 0.08, 4295, "Henry Schein", "Lab"),
    ItemSpec("Tongue depressors", _C, "box of 500", 0.03, 695, "Medline", "Supply room"),
    ItemSpec("Otoscope specula 4 mm", _C, "bag of 500", 0.05, 2895, "Henry Schein", "Supply room"),
    ItemSpec("Patient exam gowns", _C, "case of 50", 0.2, 3450, "Medline", "Supply room"),
    ItemSpec("Sharps container 2 gal", _C, "each", 0.1, 675, "McKesson", "Supply room"),
    ItemSpec("Adhesive bandages 1 x 3 in", _C, "box of 100", 0.1, 450, "Medline", "Supply room"),
    ItemSpec("Gauze sponges 2 x 2 in", _C, "sleeve of 200", 0.15, 525, "Medline", "Supply room"),
    ItemSpec("Blood collection tubes, lavender top", _C, "box of 100", 0.08, 2850, "Henry Schein", "Lab"),
    ItemSpec("Blood collection tubes, gold top", _C, "box of 100", 0.08, 3150, "Henry Schein", "Lab"),
    ItemSpec("Butterfly needles 23G", _C, "box of 50", 0.05, 3995, "Henry Schein", "Lab"),
    ItemSpec("Rapid strep A tests", _C, "kit of 25", 0.1, 11250, "Henry Schein", "Lab"),
    ItemSpec("Influenza A/B rapid tests", _C, "kit of 25", 0.15, 19500, "Henry Schein", "Lab", seasonal=True),
    ItemSpec("Thermometer probe covers", _C, "box of 200", 0.15, 1295, "McKesson", "Supply room"),
    ItemSpec("Disinfectant wipes (Sani-Cloth)", _C, "canister of 160", 0.5, 1150, "Medline", "Supply room"),
    ItemSpec("Hand sanitizer 12 oz", _C, "bottle", 0.3, 575, "Medline", "Supply room"),
    ItemSpec("Spore test biological indicators", _C, "box of 25", 0.04, 6900, "Henry Schein", "Sterilization"),
    ItemSpec("AED pads, adult", _E, "pair", 0.01, 4995, "Henry Schein", "Crash cart"),
    ItemSpec("AED battery (HeartStart FRx)", _E, "each", 0.0, 22900, "Henry Schein", "Crash cart"),
    ItemSpec("Copy paper, letter", _O, "ream", 0.5, 899, "Staples Business", "Front office"),
    ItemSpec("Printer toner HP 58A", _O, "cartridge", 0.05, 11500, "Staples Business", "Front office"),
    ItemSpec("Specimen labels", _O, "roll", 0.1, 1850, "Staples Business", "Lab"),
    ItemSpec("Influenza vaccine (Fluzone) 0.5 mL PFS", _V, "dose", 4.0, 2150, "Sanofi Pasteur", "Vaccine fridge",
             lead_days=5, seasonal=True),
    ItemSpec("Influenza vaccine (Fluzone High-Dose) PFS", _V, "dose", 2.0, 7350, "Sanofi Pasteur",
             "Vaccine fridge", lead_days=5, seasonal=True),
    ItemSpec("Tdap vaccine (Adacel) 0.5 mL PFS", _V, "dose", 0.4, 5450, "Sanofi Pasteur", "Vaccine fridge",
             lead_days=5, shelf_days=540),
    ItemSpec("MMR vaccine (M-M-R II) SDV", _V, "dose", 0.15, 8990, "Merck", "Vaccine fridge", lead_days=5,
             shelf_days=540),
    ItemSpec("Hepatitis B vaccine (Recombivax HB) adult", _V, "dose", 0.2, 6250, "Merck", "Vaccine fridge",
             lead_days=5, shelf_days=720),
    ItemSpec("Pneumococcal vaccine (Capvaxive) PFS", _V, "dose", 0.2, 28750, "Merck", "Vaccine fridge",
             lead_days=5, shelf_days=540),
    ItemSpec("Zoster vaccine (Shingrix)", _V, "dose", 0.25, 19950, "McKesson", "Vaccine fridge", lead_days=5,
             shelf_days=720),
    ItemSpec("Epinephrine 1 mg/mL, 1 mL vial", _M, "vial", 0.0, 2450, "Henry Schein", "Crash cart",
             kit_expiry=20),
    ItemSpec("Naloxone 4 mg nasal spray", _M, "carton of 2", 0.0, 4495, "McKesson", "Crash cart", kit_expiry=52),
    ItemSpec("Glucagon 1 mg emergency kit", _M, "kit", 0.0, 28500, "McKesson", "Crash cart", kit_expiry=81),
    ItemSpec("Diphenhydramine 50 mg/mL, 1 mL vial", _M, "vial", 0.0, 395, "Henry Schein", "Crash cart",
             kit_expiry=-6),
    ItemSpec("Aspirin 81 mg chewable", _M, "bottle of 36", 0.0, 325, "McKesson", "Crash cart", kit_expiry=210),
    ItemSpec("Albuterol 2.5 mg/3 mL nebulizer solution", _M, "vial", 0.3, 65, "Henry Schein", "Med cabinet",
             shelf_days=540),
    ItemSpec("Ceftriaxone 1 g vial", _M, "vial", 0.1, 350, "Henry Schein", "Med cabinet", shelf_days=720),
    ItemSpec("Ketorolac 30 mg/mL, 1 mL vial", _M, "vial", 0.15, 185, "Henry Schein", "Med cabinet",
             shelf_days=540),
    ItemSpec("Lidocaine 1%, 20 mL vial", _M, "vial", 0.05, 425, "Henry Schein", "Med cabinet", shelf_days=720),
    ItemSpec("Medroxyprogesterone 150 mg/mL PFS", _M, "syringe", 0.15, 3850, "McKesson", "Med cabinet",
             shelf_days=720),
    ItemSpec("Triamcinolone 40 mg/mL (Kenalog-40) 1 mL", _M, "vial", 0.25, 1895, "Henry Schein", "Med cabinet",
             shelf_days=540),
    ItemSpec("Methylprednisolone acetate 40 mg/mL 1 mL", _M, "vial", 0.15, 1150, "Henry Schein", "Med cabinet",
             shelf_days=540),
    ItemSpec("Cyanocobalamin 1000 mcg/mL 1 mL", _M, "vial", 0.2, 175, "McKesson", "Med cabinet", shelf_days=720),
)
# A year of history, so the supplies budget has this month's and this year's spend to show.
INVENTORY_DAYS = 365
# Items whose reorders are backordered at the vendor, so they sit below their reorder point today. The first
# SHORTS_ON_ORDER of them have an order out that has not come (one on an order whose other lines did); for
# the others nothing could be placed (the vendor shows them backordered), so they are there to order.
SHORT_ITEMS = 5
SHORTS_ON_ORDER = 2
SHORT_WINDOW = 21  # days before today in which their reorders are not delivered
# This month's AED check found the battery due for replacement: the spare went in, and two batteries and a set
# of pads were ordered, which takes the equipment budget just over its month (the budget warning shows).
AED_ORDER = {"AED battery (HeartStart FRx)": 2, "AED pads, adult": 1}
AED_BATTERY = "AED battery (HeartStart FRx)"
# Placed on the last workday before today and not here yet: flu vaccine for the flu clinics (on order today).
IN_TRANSIT = ("Influenza vaccine (Fluzone) 0.5 mL PFS", 50)


@dataclass
class _Reorder:
    """One item's reorder: placed on a weekday, delivered whole after the lead time, or not yet (arrives None)."""

    spec: ItemSpec
    item_id: int
    placed: date
    quantity: int
    arrives: date | None
    received: int = 0
    movement: Row | None = None  # the receive movement, given its order id once orders are numbered
    backordered: bool = False


@dataclass
class _Stock:
    """One item's lots while its history is replayed; collects lot rows, movement rows and reorders."""

    spec: ItemSpec
    item_id: int
    lots: list[Row]
    movements: list[Row]
    reorders: list[_Reorder] = field(default_factory=list)

    def on_hand(self, day: date) -> int:
        return sum(lot["quantity"] for lot in self.usable(day))

    def usable(self, day: date) -> list[Row]:
        """Lots with stock that have not expired, first-expiring first (FEFO)."""
        lots = [lot for lot in self.lots if lot["quantity"] > 0 and (lot["expires"] is None or lot["expires"] >= day)]
        return sorted(lots, key=lambda lot: (lot["expires"] or date.max, lot["id"]))

    def move(self, lot: Row, kind: MovementKind, quantity: int, at: datetime, reason: str, actor: str) -> Row:
        lot["quantity"] += quantity
        self.movements.append({"item_id": self.item_id, "lot_id": lot["id"], "kind": kind.value,
                               "quantity": quantity, "at": at, "reason": reason, "actor": actor, "order_id": None})
        return self.movements[-1]


def _add_inventory(conn: Connection, rng: random.Random, staff: list[Person], today: date,
                   summary: DemoSummary) -> None:
    vendor_rows = [{"name": n, "phone": p, "email": e, "account_number": a} for n, p, e, a in VENDORS]
    vendor_ids, summary.vendors = _ensure_named(conn, Vendor, vendor_rows)
    item_rows = [_item_row(rng, spec, vendor_ids) for spec in ITEMS]
    item_ids, summary.items = _ensure_named(conn, Item, item_rows)
    actors = [p.name for p in staff if p.role in (Role.ma, Role.nurse)] or [staff[0].name]
    shorts = rng.sample([s.name for s in ITEMS if not s.tracks_lots and s.daily_use >= 0.1], SHORT_ITEMS)
    next_lot = iter(range(_next_id(conn, StockLot), 10**9))
    lots: list[Row] = []
    movements: list[Row] = []
    reorders: list[_Reorder] = []
    aed_day = aed_check_day(today)
    for spec in ITEMS:
        stock = _Stock(spec, item_ids[spec.name], [], [])
        extra = (aed_day, AED_ORDER[spec.name]) if spec.name in AED_ORDER else None
        _replay_item(rng, stock, next_lot, today, actors, spec.name in shorts, extra)
        lots += stock.lots
        movements += stock.movements
        reorders += stock.reorders
    reorders += _backorders(rng, [s for s in ITEMS if s.name in shorts[:SHORTS_ON_ORDER]], item_ids, reorders,
                            today)
    name, quantity = IN_TRANSIT
    # Placed on the last open day this item was not already reordered (an order lists an item once).
    placed = DEMO_CALENDAR.previous_business_day(today)
    while any(r.item_id == item_ids[name] and r.placed == placed for r in reorders):
        placed = DEMO_CALENDAR.previous_business_day(placed)
    reorders.append(_Reorder(next(s for s in ITEMS if s.name == name), item_ids[name], placed, quantity, None))
    orders, lines = _orders(conn, reorders, vendor_ids, today)
    summary.purchase_orders = _insert(conn, PurchaseOrder, orders)
    summary.purchase_order_lines = _insert(conn, PurchaseOrderLine, lines)
    summary.stock_lots = _insert(conn, StockLot, lots)
    movements.sort(key=lambda m: (m["at"], m["item_id"]))
    summary.stock_movements = _insert(conn, StockMovement, _with_ids(conn, StockMovement, movements))


def _item_row(rng: random.Random, spec: ItemSpec, vendor_ids: dict[str, int]) -> Row:
    return {
        "name": spec.name,
        "category": spec.category.value,
        "unit": spec.unit,
        "par": spec.par,
        "reorder_point": spec.reorder_point,
        "vendor_id": vendor_ids[spec.vendor],
        "sku": str(rng.randint(1_000_000, 9_999_999)),
        "unit_cost_cents": spec.cost_cents,
        "tracks_lots": spec.tracks_lots,
        "location": spec.location,
        "active": True,
    }


def _new_expiry(rng: random.Random, spec: ItemSpec, received: date) -> date:
    if spec.seasonal:  # influenza vaccine expires June 30 at the end of its season
        return date(received.year + (received.month >= 7), 6, 30)
    return _end_of_month(received + timedelta(days=int(spec.shelf_days * rng.uniform(0.6, 1.0))))


def aed_check_day(today: date) -> date:
    """The day of this month's AED check (about nine days ago, kept in this month when it can be)."""
    day = _open_on_or_before(today - timedelta(days=9))
    if day < today.replace(day=1):
        day = _open_on_or_after(today.replace(day=1))
    return min(day, today - timedelta(days=1))


def _replay_item(rng: random.Random, stock: _Stock, next_lot: Iterator[int], today: date, actors: list[str],
                 short: bool, extra: tuple[date, int] | None = None) -> None:
    """Opening count a year ago, then each day: deliveries, expired lots discarded, use, reorders.

    `extra`: a (day, quantity) order placed that day whatever the stock (the AED check's order).
    """
    spec = stock.spec
    start = today - timedelta(days=INVENTORY_DAYS)

    def receive(day: date, quantity: int, reason: str, expires: date | None, morning: bool = False) -> Row:
        # A lot-tracked item gets a lot per delivery; any other item keeps its one unnumbered lot.
        if spec.tracks_lots or not stock.lots:
            stock.lots.append({"id": next(next_lot), "item_id": stock.item_id, "quantity": 0,
                               "lot_number": _lot_number(rng) if spec.tracks_lots else None, "expires": expires})
        lot = stock.lots[-1]
        lot["received_on"] = day
        at = _working_time(rng, day, 8 * 60 + 30, 10 * 60 + 15) if morning else _working_time(rng, day, 9 * 60,
                                                                                                  14 * 60)
        return stock.move(lot, MovementKind.receive, quantity, at, reason, rng.choice(actors))

    opening_expiry = None
    if spec.kit_expiry is not None:
        opening_expiry = today + timedelta(days=spec.kit_expiry)
    elif spec.tracks_lots:
        opening_expiry = _new_expiry(rng, spec, start) if spec.seasonal else _end_of_month(
            today + timedelta(days=rng.randint(45, 400)))
    receive(start, spec.par, "Opening count", opening_expiry)

    pending: _Reorder | None = None
    for offset in range(1, INVENTORY_DAYS):
        day = start + timedelta(days=offset)
        if pending and pending.arrives == day:
            expiry = _new_expiry(rng, spec, day) if spec.tracks_lots else None
            pending.movement = receive(day, pending.quantity, "Delivery", expiry)
            pending.received = pending.quantity
            pending = None
        _discard_expired(stock, day, rng.choice(actors))
        if not _open(day):
            continue
        _use(rng, stock, day, rng.choice(actors))
        backordered = short and day >= today - timedelta(days=SHORT_WINDOW)
        on_hand = stock.on_hand(day)
        ordered = extra is not None and extra[0] == day
        if ordered and spec.name == AED_BATTERY and stock.usable(day):
            stock.move(stock.usable(day)[0], MovementKind.use, -1, _at(day, 9 * 60), "Installed in AED (monthly check)",
                       rng.choice(actors))
        if pending is None and extra is not None and extra[0] == day:
            arrives = _open_on_or_after(day + timedelta(days=spec.lead_days))
            pending = _Reorder(spec, stock.item_id, day, extra[1], arrives if arrives <= today else None)
            stock.reorders.append(pending)
        if pending is None and not backordered and spec.kit_expiry is None and on_hand <= spec.reorder_point:
            quantity = spec.par - on_hand + round(_daily_use(spec, day) * spec.lead_days)
            arrives = _open_on_or_after(day + timedelta(days=spec.lead_days))
            pending = _Reorder(spec, stock.item_id, day, quantity, arrives if arrives <= today else None)
            stock.reorders.append(pending)
    if pending and pending.arrives == today:  # this morning's delivery, before the demo's mid-morning "now"
        expiry = _new_expiry(rng, spec, today) if spec.tracks_lots else None
        pending.movement = receive(today, pending.quantity, "Delivery", expiry, morning=True)
        pending.received = pending.quantity
    if short:
        _draw_below_reorder_point(rng, stock, today, rng.choice(actors))


def _backorders(rng: random.Random, specs: list[ItemSpec], item_ids: dict[str, int], reorders: list[_Reorder],
                today: date) -> list[_Reorder]:
    """Orders out for short items that the vendor has not shipped: the first rides on an order of the same
    vendor whose other lines came (so that order is partly received); the next ones are on their own."""
    window = today - timedelta(days=SHORT_WINDOW)
    added: list[_Reorder] = []
    for index, spec in enumerate(specs):
        # Not a day this vendor already has an order, nor one this item was reordered (an order lists an item once).
        vendor_days = {r.placed for r in reorders + added if r.spec.vendor == spec.vendor or r.spec is spec}
        delivered = sorted(r.placed for r in reorders if r.spec.vendor == spec.vendor and window <= r.placed
                           and r.arrives is not None)
        if index == 0 and delivered:
            day = delivered[-1]
        else:
            day = _open_on_or_after(today - timedelta(days=rng.randint(8, 14)))
            while day in vendor_days and day > window:
                earlier = _open_on_or_after(day - timedelta(days=3))
                # Three days back lands on a closed stretch (a weekend and a Monday holiday): the open day before.
                day = earlier if earlier < day else _open_on_or_before(day - timedelta(days=1))
        added.append(_Reorder(spec, item_ids[spec.name], day, spec.par, None, backordered=True))
    return added


def _orders(conn: Connection, reorders: list[_Reorder], vendor_ids: dict[str, int],
            today: date) -> tuple[list[Row], list[Row]]:
    """One purchase order per vendor and day reorders were placed; its status follows what has arrived."""
    grouped: dict[tuple[date, str], list[_Reorder]] = {}
    for r in sorted(reorders, key=lambda r: (r.placed, r.spec.vendor, r.spec.name)):
        grouped.setdefault((r.placed, r.spec.vendor), []).append(r)
    first = _next_id(conn, PurchaseOrder)
    first_line = _next_id(conn, PurchaseOrderLine)
    orders: list[Row] = []
    lines: list[Row] = []
    for order_id, ((placed, vendor), group) in enumerate(grouped.items(), start=first):
        arrived = [r.arrives for r in group if r.received and r.arrives is not None]
        late = [r for r in group if r.backordered]
        if len(arrived) == len(group):
            status, received_on = OrderStatus.received, max(arrived)
        else:
            status, received_on = (OrderStatus.partly_received if arrived else OrderStatus.ordered), None
        note = ""
        if late:
            names = ", ".join(r.spec.name for r in late)
            note = f"Backordered at {vendor}: {names}; expected {today + timedelta(days=10):%m/%d/%Y}"[:200]
        orders.append({"id": order_id, "vendor_id": vendor_ids[vendor], "status": status.value, "created_on": placed,
                       "ordered_on": placed, "received_on": received_on, "note": note, "version": 1})
        for r in group:
            lines.append({"id": first_line + len(lines), "order_id": order_id, "item_id": r.item_id,
                          "quantity": r.quantity, "received": r.received, "unit_cost_cents": r.spec.cost_cents})
            if r.movement is not None:
                r.movement["order_id"] = order_id
                r.movement["reason"] = f"Order {order_id}"
    return orders, lines


def _daily_use(spec: ItemSpec, day: date) -> float:
    if spec.seasonal and day.month not in (9, 10, 11, 12, 1, 2):
        return spec.daily_use * 0.1
    return spec.daily_use


def _use(rng: random.Random, stock: _Stock, day: date, actor: str) -> None:
    """Draw the day's use first-expiring lot first; int(x + U) has mean x, so fractional rates work."""
    wanted = int(_daily_use(stock.spec, day) * rng.uniform(0.5, 1.5) + rng.random())
    reason = "Administered" if stock.spec.category is ItemCategory.vaccine else "Clinic use"
    at = _at(day, 17 * 60)
    for lot in stock.usable(day):
        if wanted <= 0:
            break
        taken = min(wanted, lot["quantity"])
        stock.move(lot, MovementKind.use, -taken, at, reason, actor)
        wanted -= taken


def _discard_expired(stock: _Stock, day: date, actor: str) -> None:
    if stock.spec.kit_expiry is not None:
        return  # the expired emergency-kit vial stays on the shelf: the huddle should catch it
    for lot in stock.lots:
        if lot["expires"] is not None and lot["expires"] < day and lot["quantity"] > 0:
            stock.move(lot, MovementKind.waste, -lot["quantity"], _at(day, 8 * 60), "Expired; discarded", actor)


def _draw_below_reorder_point(rng: random.Random, stock: _Stock, today: date, actor: str) -> None:
    yesterday = today - timedelta(days=1)
    lot = stock.lots[0]
    target = max(0, stock.spec.reorder_point - 1 - rng.randint(0, stock.spec.reorder_point // 2))
    if lot["quantity"] > target:
        stock.move(lot, MovementKind.use, target - lot["quantity"], _at(yesterday, 17 * 60), "Clinic use", actor)
