"""Stock on hand by item (usable, expired, on order, daily use), what to reorder, and lots that expire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import (
    OPEN_ORDER_STATUSES,
    Item,
    ItemCategory,
    ItemCreate,
    MovementKind,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLot,
    StockMovement,
    Vendor,
)
from officemgr.services.common import ServiceError, apply_update, created_fields, record

USE_WINDOW_DAYS = 90  # average daily use is taken over this many days before today


@dataclass(frozen=True)
class StockRow:
    item_id: int
    version: int
    name: str
    category: ItemCategory
    unit: str
    on_hand: int  # usable: lots not past their expiry
    expired: int  # still on the shelf but past expiry: to be wasted, never used
    reorder_point: int
    par: int
    on_order: int  # ordered from the vendor and not yet received
    in_draft: bool  # already on a draft purchase order
    daily_use: float  # average over the last USE_WINDOW_DAYS days (fewer for an item stocked more recently)
    vendor_id: int | None
    vendor: str
    location: str
    unit_cost_cents: int
    tracks_lots: bool
    next_expiry: date | None
    sku: str = ""

    @property
    def low(self) -> bool:
        # Par 0 means the item is not kept at a level (bought when needed), so it is never "low".
        return self.par > 0 and self.on_hand <= self.reorder_point

    @property
    def suggested_order(self) -> int:
        """What brings the item back to par, less what is already on its way."""
        return max(0, self.par - self.on_hand - self.on_order) if self.low else 0

    @property
    def days_left(self) -> float | None:
        return self.on_hand / self.daily_use if self.daily_use > 0 else None


@dataclass(frozen=True)
class VendorRow:
    vendor_id: int
    name: str


@dataclass(frozen=True)
class ItemRecord:
    """An item as stored: its settings, not its stock."""

    id: int
    version: int
    name: str
    category: ItemCategory
    unit: str
    par: int
    reorder_point: int
    vendor_id: int | None
    sku: str
    unit_cost_cents: int
    tracks_lots: bool
    location: str
    active: bool

    @classmethod
    def of(cls, item: Item) -> ItemRecord:
        assert item.id is not None  # read or flushed
        return cls(item.id, item.version, item.name, item.category, item.unit, item.par, item.reorder_point,
                   item.vendor_id, item.sku, item.unit_cost_cents, item.tracks_lots, item.location, item.active)


@dataclass(frozen=True)
class LotRow:
    lot_id: int
    item_id: int
    item_name: str
    lot_number: str
    expires: date
    quantity: int
    days_left: int


def stock(session: Session, today: date, *, item_ids: list[int] | None = None) -> list[StockRow]:
    """Every active item with what is usable, expired, on order and used lately (three grouped queries)."""
    usable = col(StockLot.expires).is_(None) | (col(StockLot.expires) >= today)
    on_hand = func.coalesce(func.sum(StockLot.quantity).filter(usable), 0)
    expired = func.coalesce(func.sum(StockLot.quantity).filter(~usable), 0)
    next_expiry = func.min(StockLot.expires).filter(col(StockLot.quantity) > 0, usable)
    query = (
        select(Item, on_hand, expired, next_expiry)
        .outerjoin(StockLot, col(StockLot.item_id) == Item.id)
        .where(Item.active)
        .group_by(col(Item.id))
        .order_by(col(Item.category), col(Item.name))
    )
    if item_ids is not None:
        query = query.where(col(Item.id).in_(item_ids))
    rows = session.exec(query).all()
    names = vendor_names(session)
    used = _used_since(session, today - timedelta(days=USE_WINDOW_DAYS), today)
    ordered, drafted = _on_order(session)
    stocked = []
    for item, qty, old, expiry in rows:
        assert item.id is not None  # read from the database
        stocked.append(StockRow(
            item.id, item.version, item.name, item.category, item.unit, int(qty), int(old), item.reorder_point,
            item.par, ordered.get(item.id, 0), item.id in drafted, used.get(item.id, 0.0), item.vendor_id,
            names.get(item.vendor_id, "") if item.vendor_id is not None else "", item.location, item.unit_cost_cents,
            item.tracks_lots, expiry, item.sku))
    return stocked


def vendor_names(session: Session) -> dict[int, str]:
    """Every vendor's name by id (a practice buys from a handful)."""
    return {vendor_id: name for vendor_id, name in session.exec(select(col(Vendor.id), Vendor.name)).all()
            if vendor_id is not None}


def _used_since(session: Session, start: date, today: date) -> dict[int, float]:
    """Average units used per day from `start` (or the item's first movement, if later) to the end of yesterday.

    Waste is not use. An item first stocked ten days ago is averaged over ten days, not the whole window.
    """
    window_start, day_start = datetime.combine(start, time()), datetime.combine(today, time())
    used = session.exec(
        select(StockMovement.item_id, func.sum(-col(StockMovement.quantity)))
        .where(StockMovement.kind == MovementKind.use, col(StockMovement.at) >= window_start,
               col(StockMovement.at) < day_start)
        .group_by(col(StockMovement.item_id))
    ).all()
    if not used:
        return {}
    first = dict(session.exec(
        select(StockMovement.item_id, func.min(StockMovement.at))
        .where(col(StockMovement.item_id).in_([item_id for item_id, _ in used]))
        .group_by(col(StockMovement.item_id))
    ).all())
    averages = {}
    for item_id, total in used:
        began = max(first[item_id], window_start)
        days = max(1, (today - began.date()).days)
        averages[item_id] = int(total or 0) / days
    return averages


def _on_order(session: Session) -> tuple[dict[int, int], set[int]]:
    """Quantities still expected per item on placed orders, and the items sitting on a draft order."""
    rows = session.exec(
        select(PurchaseOrderLine.item_id, PurchaseOrder.status,
               func.sum(col(PurchaseOrderLine.quantity) - col(PurchaseOrderLine.received)))
        .join(PurchaseOrder, col(PurchaseOrder.id) == PurchaseOrderLine.order_id)
        .where(col(PurchaseOrder.status).in_([OrderStatus.draft, *OPEN_ORDER_STATUSES]))
        .group_by(col(PurchaseOrderLine.item_id), col(PurchaseOrder.status))
    ).all()
    ordered: dict[int, int] = {}
    drafted: set[int] = set()
    for item_id, status, remaining in rows:
        if status == OrderStatus.draft:
            drafted.add(item_id)
        else:
            ordered[item_id] = ordered.get(item_id, 0) + int(remaining or 0)
    return ordered, drafted


def below_reorder_point(session: Session, today: date) -> list[StockRow]:
    return [row for row in stock(session, today) if row.low]


def lots_expiring(session: Session, today: date, within_days: int = 90) -> list[LotRow]:
    """Lots still on hand that expired or expire within `within_days`, soonest first."""
    rows = session.exec(
        select(StockLot, Item.name)
        .join(Item, col(Item.id) == StockLot.item_id)
        .where(Item.active, col(StockLot.quantity) > 0, col(StockLot.expires).is_not(None),
               col(StockLot.expires) <= today + timedelta(days=within_days))
        .order_by(col(StockLot.expires))
    ).all()
    expiring = []
    for lot, name in rows:
        assert lot.id is not None and lot.expires is not None  # read from the database; the query wants an expiry
        expiring.append(LotRow(lot.id, lot.item_id, name, lot.lot_number or "", lot.expires, lot.quantity,
                               (lot.expires - today).days))
    return expiring


def vendors(session: Session) -> list[VendorRow]:
    """Every vendor by name (the item form's choices)."""
    rows = session.exec(select(col(Vendor.id), Vendor.name).order_by(col(Vendor.name))).all()
    return [VendorRow(vendor_id, name) for vendor_id, name in rows if vendor_id is not None]


def item(session: Session, item_id: int) -> ItemRecord | None:
    """An item's settings as stored (what its edit form starts from); None when it is gone."""
    found = session.get(Item, item_id)
    return None if found is None else ItemRecord.of(found)


def add_item(session: Session, data: ItemCreate, *, now: datetime, actor: str) -> ItemRecord:
    item = insert_item(session, data, now=now, actor=actor)
    session.commit()
    return ItemRecord.of(item)


def insert_item(session: Session, data: ItemCreate, *, now: datetime, actor: str) -> Item:
    """add_item without the commit, for callers that write many items in one transaction (the CSV import)."""
    if session.exec(select(Item).where(func.lower(Item.name) == data.name.lower())).first():
        raise ServiceError(f"there is already an item called {data.name}")
    item = Item.model_validate(data.model_dump())
    session.add(item)
    session.flush()
    assert item.id is not None  # the flush gives it one
    if not item.tracks_lots:
        # Items without lots keep their quantity in one unnamed lot, so on hand is always a sum of lots.
        session.add(StockLot(item_id=item.id, quantity=0))
    record(session, actor=actor, entity="item", entity_id=item.id, action="create",
           changes=created_fields(item), now=now)
    return item


def update_item(
    session: Session, item_id: int, data: ItemCreate, *, now: datetime, actor: str, expected_version: int | None
) -> ItemRecord:
    item = session.get(Item, item_id)
    if item is None:
        raise ServiceError("that item no longer exists — reload")
    changes = change_item(session, item, data, now=now, actor=actor, expected_version=expected_version)
    if changes:
        session.commit()
    return ItemRecord.of(item)


def change_item(session: Session, item: Item, data: ItemCreate, *, now: datetime, actor: str,
                expected_version: int | None) -> dict[str, Any]:
    """Apply `data` to `item` and audit what changed, without committing; returns the changes."""
    assert item.id is not None  # read from the database
    clash = session.exec(
        select(Item).where(func.lower(Item.name) == data.name.lower(), col(Item.id) != item.id)
    ).first()
    if clash:
        raise ServiceError(f"there is already an item called {data.name}")
    if data.tracks_lots != item.tracks_lots:
        stocked = session.exec(select(func.sum(StockLot.quantity)).where(StockLot.item_id == item.id)).one()
        if stocked:
            # Its stock is in lots of the other kind; switching would strand them.
            raise ServiceError(f"{item.name} has stock; count it down to 0 before changing whether it tracks lots")
    changes = apply_update(item, data.model_dump(), expected_version=expected_version)
    if changes:
        record(session, actor=actor, entity="item", entity_id=item.id, action="update", changes=changes, now=now)
    return changes
