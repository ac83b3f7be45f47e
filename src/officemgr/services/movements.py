"""Stock in and out: receive into lots, use first-expiring first (FEFO), waste with a reason, count.

Every change is a signed StockMovement row beside the lot's new quantity, in one transaction with its
audit event. On hand never goes below zero: a draw larger than the stock is refused, naming what there is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import Item, MovementKind, ReceiveCreate, StockLot, StockMovement, UseCreate
from officemgr.services.common import ServiceError, StaleEdit, record


@dataclass(frozen=True)
class LotStock:
    lot_id: int
    version: int
    lot_number: str
    expires: date | None
    quantity: int
    manufacturer: str
    received_on: date | None

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today


@dataclass(frozen=True)
class LotRecord:
    """A lot as stored after stock came into it."""

    id: int
    version: int
    item_id: int
    lot_number: str | None  # None: the single stock of an item without lots
    expires: date | None
    quantity: int
    received_on: date | None
    manufacturer: str

    @classmethod
    def of(cls, lot: StockLot) -> LotRecord:
        assert lot.id is not None  # flushed
        return cls(lot.id, lot.version, lot.item_id, lot.lot_number, lot.expires, lot.quantity, lot.received_on,
                   lot.manufacturer)


@dataclass(frozen=True)
class MovementRow:
    at: datetime
    kind: MovementKind
    quantity: int
    lot_number: str
    reason: str
    actor: str


def _item(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None or not item.active:
        raise ServiceError("that item no longer exists — reload")
    return item


def _id(row: Item | StockLot) -> int:
    assert row.id is not None  # read from the database or flushed
    return row.id


def lots(session: Session, item_id: int, *, with_empty: bool = False) -> list[LotStock]:
    """An item's lots, first-expiring first (lots with no expiry last)."""
    query = select(StockLot).where(StockLot.item_id == item_id)
    if not with_empty:
        query = query.where(col(StockLot.quantity) > 0)
    rows = sorted(session.exec(query).all(), key=lambda lot: (lot.expires or date.max, _id(lot)))
    return [LotStock(_id(lot), lot.version, lot.lot_number or "", lot.expires, lot.quantity, lot.manufacturer,
                     lot.received_on) for lot in rows]


def history(session: Session, item_id: int, *, limit: int = 50) -> list[MovementRow]:
    """The item's latest movements, newest first (a window: an item's history grows without end)."""
    rows = session.exec(
        select(StockMovement, StockLot.lot_number)
        .outerjoin(StockLot, col(StockLot.id) == StockMovement.lot_id)
        .where(StockMovement.item_id == item_id)
        .order_by(col(StockMovement.at).desc(), col(StockMovement.id).desc())
        .limit(limit)
    ).all()
    return [MovementRow(m.at, m.kind, m.quantity, number or "", m.reason, m.actor) for m, number in rows]


def _move(session: Session, item: Item, lot: StockLot, kind: MovementKind, quantity: int, *, reason: str,
          now: datetime, actor: str, order_id: int | None = None) -> None:
    lot.quantity += quantity
    lot.version += 1
    session.add(lot)
    session.add(StockMovement(item_id=_id(item), lot_id=lot.id, kind=kind, quantity=quantity, at=now, reason=reason,
                              actor=actor, order_id=order_id))


def receive_into(session: Session, item: Item, data: ReceiveCreate, *, today: date, now: datetime, actor: str,
                 order_id: int | None = None) -> StockLot:
    """Add stock to the item's lot (new or existing) without committing: receiving an order calls it per line."""
    if item.tracks_lots:
        if not data.lot_number:
            raise ServiceError(f"{item.name} is tracked by lot: enter the lot number from the package")
        if data.expires is None:
            raise ServiceError(f"{item.name} is tracked by lot: enter the expiry date from the package")
        if data.expires < today:
            raise ServiceError(f"lot {data.lot_number} expired on {data.expires:%m/%d/%Y}: do not receive it, "
                               "return it to the vendor")
        # Lot numbers are printed in capitals; "ab123" typed in lower case is the same lot.
        lot = session.exec(select(StockLot).where(StockLot.item_id == item.id,
                                                  func.upper(col(StockLot.lot_number)) == data.lot_number.upper())
                           ).first()
        if lot is not None and lot.expires != data.expires:
            raise ServiceError(f"lot {data.lot_number} is already on hand with expiry {lot.expires:%m/%d/%Y}; "
                               "check the expiry on the package")
        if lot is None:
            lot = StockLot(item_id=_id(item), lot_number=data.lot_number, expires=data.expires, quantity=0,
                           manufacturer=data.manufacturer)
    else:
        # The item's one unnamed lot; a named lot left from when the item tracked lots is not it (it may be expired).
        lot = session.exec(select(StockLot).where(StockLot.item_id == item.id, col(StockLot.lot_number).is_(None))
                           .order_by(col(StockLot.id))).first() or StockLot(item_id=_id(item), quantity=0)
    lot.received_on = today
    session.add(lot)
    session.flush()
    _move(session, item, lot, MovementKind.receive, data.quantity, reason=data.reason or "Received", now=now,
          actor=actor, order_id=order_id)
    return lot


def receive(session: Session, item_id: int, data: ReceiveCreate, *, today: date, now: datetime,
            actor: str) -> LotRecord:
    item = _item(session, item_id)
    lot = receive_into(session, item, data, today=today, now=now, actor=actor)
    record(session, actor=actor, entity="item", entity_id=_id(item), action="receive",
           changes={"lot": lot.lot_number, "quantity": data.quantity, "expires": data.expires}, now=now)
    session.commit()
    return LotRecord.of(lot)


def take(session: Session, item_id: int, data: UseCreate, *, today: date, now: datetime,
         actor: str) -> list[tuple[str, int]]:
    """Use or waste stock; returns (lot number, quantity taken) per lot drawn from.

    Use draws from unexpired lots, first-expiring first, or from the chosen lot. Waste may take expired lots
    (that is how they leave the shelf) and starts with them.
    """
    item = _item(session, item_id)
    candidates = list(session.exec(select(StockLot).where(StockLot.item_id == item.id,
                                                          col(StockLot.quantity) > 0)).all())
    if data.lot_id is not None:
        candidates = [lot for lot in candidates if lot.id == data.lot_id]
        if not candidates:
            raise ServiceError("that lot has nothing left — reload")
        lot = candidates[0]
        if not data.waste and lot.expires is not None and lot.expires < today:
            raise ServiceError(f"lot {lot.lot_number} expired on {lot.expires:%m/%d/%Y}: do not use it; "
                               "record it as waste instead")
    elif not data.waste:
        candidates = [lot for lot in candidates if lot.expires is None or lot.expires >= today]
    candidates = sorted(candidates, key=lambda lot: (lot.expires or date.max, _id(lot)))
    available = sum(lot.quantity for lot in candidates)
    if data.quantity > available:
        number = candidates[0].lot_number if data.lot_id is not None else None
        where = f" in lot {number}" if number else ""
        usable = "" if data.waste or data.lot_id is not None else " usable"
        raise ServiceError(f"only {available}{usable} on hand{where} (unit: {item.unit}); nothing was recorded")
    kind = MovementKind.waste if data.waste else MovementKind.use
    reason = data.reason or ("Wasted" if data.waste else "Clinic use")
    wanted, taken = data.quantity, []
    for lot in candidates:
        if wanted == 0:
            break
        amount = min(wanted, lot.quantity)
        _move(session, item, lot, kind, -amount, reason=reason, now=now, actor=actor)
        taken.append((lot.lot_number or "", amount))
        wanted -= amount
    record(session, actor=actor, entity="item", entity_id=_id(item), action=kind.value,
           changes={"quantity": data.quantity, "lots": [f"{n or '-'}: {q}" for n, q in taken], "reason": reason},
           now=now)
    session.commit()
    return taken


def count(session: Session, lot_id: int, counted: int, *, expected_version: int | None, now: datetime,
          actor: str) -> int:
    """A physical count sets the lot's quantity; the difference is kept as an adjustment. Returns it."""
    if counted < 0:
        raise ServiceError("a count cannot be negative")
    lot = session.get(StockLot, lot_id)
    if lot is None:
        raise ServiceError("that lot no longer exists — reload")
    if expected_version is not None and lot.version != expected_version:
        raise StaleEdit()
    item = _item(session, lot.item_id)
    difference = counted - lot.quantity
    _move(session, item, lot, MovementKind.adjust, difference, reason=f"Count: {counted} (was {lot.quantity})",
          now=now, actor=actor)
    record(session, actor=actor, entity="item", entity_id=_id(item), action="count",
           changes={"lot": lot.lot_number, "counted": counted, "difference": difference}, now=now)
    session.commit()
    return difference


@dataclass(frozen=True)
class CountLine:
    """One line of the count sheet: a lot (or the single stock of an item without lots) and what should be there."""

    location: str
    category: str
    item_id: int
    item_name: str
    unit: str
    lot_id: int
    lot_version: int
    lot_number: str
    expires: date | None
    expected: int


def count_sheet(session: Session) -> list[CountLine]:
    """Everything to count, in walking order: by location, then category, item and first-expiring lot.

    Lot-tracked items list their lots with stock; items without lots list their one stock row even when empty
    (an empty shelf is worth a look).
    """
    rows = session.exec(
        select(Item, StockLot)
        .join(StockLot, col(StockLot.item_id) == Item.id)
        .where(Item.active, (col(StockLot.quantity) > 0) | ~col(Item.tracks_lots))
    ).all()
    rows = sorted(rows, key=lambda r: (r[0].location.lower() or "~", r[0].category.value, r[0].name.lower(),
                                       r[1].expires or date.max, _id(r[1])))
    return [CountLine(item.location, item.category.value, _id(item), item.name, item.unit, _id(lot), lot.version,
                      lot.lot_number or "", lot.expires, lot.quantity) for item, lot in rows]
