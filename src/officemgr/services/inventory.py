"""Stock on hand by item, what to reorder, and lots that are about to expire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from officemgr.models import Item, ItemCategory, ItemCreate, StockLot, Vendor
from officemgr.services.common import ServiceError, apply_update, created_fields, record


@dataclass(frozen=True)
class StockRow:
    item_id: int
    version: int
    name: str
    category: ItemCategory
    unit: str
    on_hand: int
    reorder_point: int
    par: int
    vendor: str
    next_expiry: date | None

    @property
    def low(self) -> bool:
        return self.on_hand <= self.reorder_point

    @property
    def suggested_order(self) -> int:
        return max(0, self.par - self.on_hand) if self.low else 0


@dataclass(frozen=True)
class LotRow:
    lot_id: int
    item_id: int
    item_name: str
    lot_number: str
    expires: date
    quantity: int
    days_left: int


def stock(session: Session, today: date) -> list[StockRow]:
    """Every active item with its quantity on hand (sum of its lots) and earliest expiry still in stock."""
    on_hand = func.coalesce(func.sum(StockLot.quantity), 0)
    next_expiry = func.min(StockLot.expires).filter(StockLot.quantity > 0)
    rows = session.exec(
        select(Item, on_hand, next_expiry, Vendor.name)
        .outerjoin(StockLot, StockLot.item_id == Item.id)
        .outerjoin(Vendor, Vendor.id == Item.vendor_id)
        .where(Item.active)
        .group_by(Item.id, Vendor.name)
        .order_by(Item.category, Item.name)
    ).all()
    return [
        StockRow(item.id, item.version, item.name, item.category, item.unit, int(qty), item.reorder_point,
                 item.par, vendor or "", expiry)
        for item, qty, expiry, vendor in rows
    ]


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
