"""Stock on hand by item (usable, expired, on order, daily use), what to reorder, and lots that expire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

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
    daily_use: float  # average over the last USE_WINDOW_DAYS days
    vendor_id: int | None
    vendor: str
    location: str
    unit_cost_cents: int
    tracks_lots: bool
    next_expiry: date | None

    @property
    def low(self) -> bool:
        return self.on_hand <= self.reorder_point

    @property
    def suggested_order(self) -> int:
        """What brings the item back to par, less what is already on its way."""
        return max(0, self.par - self.on_hand - self.on_order) if self.low else 0

    @property
    def days_left(self) -> float | None:
        return self.on_hand / self.daily_use if self.daily_use > 0 else None


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
    usable = StockLot.expires.is_(None) | (StockLot.expires >= today)  # type: ignore[union-attr]
    on_hand = func.coalesce(func.sum(StockLot.quantity).filter(usable), 0)
    expired = func.coalesce(func.sum(StockLot.quantity).filter(~usable), 0)
    next_expiry = func.min(StockLot.expires).filter(StockLot.quantity > 0, usable)
    query = (
        select(Item, on_hand, expired, next_expiry, Vendor.name)
        .outerjoin(StockLot, StockLot.item_id == Item.id)
        .outerjoin(Vendor, Vendor.id == Item.vendor_id)
        .where(Item.active)
        .group_by(Item.id, Vendor.name)
        .order_by(Item.category, Item.name)
    )
    if item_ids is not None:
        query = query.where(Item.id.in_(item_ids))  # type: ignore[union-attr]
    rows = session.exec(query).all()
    used = _used_since(session, today - timedelta(days=USE_WINDOW_DAYS), today)
    ordered, drafted = _on_order(session)
    return [
        StockRow(item.id, item.version, item.name, item.category, item.unit, int(qty), int(old), item.reorder_point,
                 item.par, ordered.get(item.id, 0), item.id in drafted, used.get(item.id, 0) / USE_WINDOW_DAYS,
                 item.vendor_id, vendor or "", item.location, item.unit_cost_cents, item.tracks_lots, expiry)
        for item, qty, old, expiry, vendor in rows
    ]


def _used_since(session: Session, start: date, today: date) -> dict[int, int]:
    """Units used per item from `start` up to the end of yesterday (waste is not use)."""
    rows = session.exec(
        select(StockMovement.item_id, func.sum(-StockMovement.quantity))
        .where(StockMovement.kind == MovementKind.use,
               StockMovement.at >= datetime.combine(start, time()),
               StockMovement.at < datetime.combine(today, time()))
        .group_by(StockMovement.item_id)
    ).all()
    return {item_id: int(total or 0) for item_id, total in rows}


def _on_order(session: Session) -> tuple[dict[int, int], set[int]]:
    """Quantities still expected per item on placed orders, and the items sitting on a draft order."""
    rows = session.exec(
        select(PurchaseOrderLine.item_id, PurchaseOrder.status,
               func.sum(PurchaseOrderLine.quantity - PurchaseOrderLine.received))
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(PurchaseOrder.status.in_([OrderStatus.draft, *OPEN_ORDER_STATUSES]))  # type: ignore[attr-defined]
        .group_by(PurchaseOrderLine.item_id, PurchaseOrder.status)
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
        select(StockLot, Item)
        .join(Item, Item.id == StockLot.item_id)
        .where(Item.active, StockLot.quantity > 0, StockLot.expires.is_not(None),  # type: ignore[union-attr]
               StockLot.expires <= today + timedelta(days=within_days))
        .order_by(StockLot.expires)
    ).all()
    return [
        LotRow(lot.id, item.id, item.name, lot.lot_number or "", lot.expires, lot.quantity,
               (lot.expires - today).days)
        for lot, item in rows
    ]


def vendors(session: Session) -> list[Vendor]:
    return list(session.exec(select(Vendor).order_by(Vendor.name)))


def add_item(session: Session, data: ItemCreate, *, now: datetime, actor: str) -> Item:
    if session.exec(select(Item).where(func.lower(Item.name) == data.name.lower())).first():
        raise ServiceError(f"there is already an item called {data.name}")
    item = Item.model_validate(data.model_dump())
    session.add(item)
    session.flush()
    if not item.tracks_lots:
        # Items without lots keep their quantity in one unnamed lot, so on hand is always a sum of lots.
        session.add(StockLot(item_id=item.id, quantity=0))
    record(session, actor=actor, entity="item", entity_id=item.id, action="create",
           changes=created_fields(item), now=now)
    session.commit()
    return item


def update_item(
    session: Session, item_id: int, data: ItemCreate, *, now: datetime, actor: str, expected_version: int | None
) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise ServiceError("that item no longer exists — reload")
    clash = session.exec(
        select(Item).where(func.lower(Item.name) == data.name.lower(), Item.id != item_id)
    ).first()
    if clash:
        raise ServiceError(f"there is already an item called {data.name}")
    changes = apply_update(item, data.model_dump(), expected_version=expected_version)
    if changes:
        record(session, actor=actor, entity="item", entity_id=item.id, action="update", changes=changes, now=now)
    session.commit()
    return item
