"""Reorder suggestions grouped by vendor, purchase orders from draft to received, and the supplies budget.

An order goes draft → ordered → partly received → received, or cancelled. Receiving creates lots and
movements (services.movements). A placed order counts against its month's operating budget (services.budget)
of the budget category its items' category maps to (BUDGET_CATEGORY).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from officemgr.models import (
    OPEN_ORDER_STATUSES,
    Item,
    ItemCategory,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    ReceiveCreate,
    Vendor,
)
from officemgr.models.finance import BudgetCategory
from officemgr.services import inventory
from officemgr.services.budget import month_amounts, year_amounts
from officemgr.services.common import ServiceError, StaleEdit, record
from officemgr.services.format import money
from officemgr.services.movements import receive_into


class OverBudget(ServiceError):
    """Placing the order would take a category over its monthly budget; the message says by how much."""


@dataclass(frozen=True)
class SuggestedLine:
    item_id: int
    name: str
    unit: str
    on_hand: int
    on_order: int
    reorder_point: int
    par: int
    quantity: int
    unit_cost_cents: int
    days_left: float | None

    @property
    def cost_cents(self) -> int:
        return self.quantity * self.unit_cost_cents


@dataclass(frozen=True)
class VendorGroup:
    vendor_id: int | None  # None: items with no preferred vendor, which cannot become an order until given one
    vendor: str
    lines: list[SuggestedLine]

    @property
    def total_cents(self) -> int:
        return sum(line.cost_cents for line in self.lines)


@dataclass(frozen=True)
class OrderRow:
    order_id: int
    version: int
    vendor_id: int
    vendor: str
    status: OrderStatus
    created_on: date
    ordered_on: date | None
    received_on: date | None
    lines: int
    total_cents: int
    note: str


@dataclass(frozen=True)
class OrderLineRow:
    line_id: int
    item_id: int
    name: str
    unit: str
    category: ItemCategory
    tracks_lots: bool
    quantity: int
    received: int
    unit_cost_cents: int

    @property
    def remaining(self) -> int:
        return self.quantity - self.received

    @property
    def cost_cents(self) -> int:
        return self.quantity * self.unit_cost_cents


@dataclass(frozen=True)
class OrderDetail:
    order: OrderRow
    vendor_phone: str
    vendor_email: str
    account_number: str
    lines: list[OrderLineRow]


@dataclass(frozen=True)
class LineReceipt:
    line_id: int
    data: ReceiveCreate


# The operating budget's category each supply category is planned in (several may share one).
BUDGET_CATEGORY = {
    ItemCategory.clinical: BudgetCategory.medical_supplies,
    ItemCategory.medication: BudgetCategory.medical_supplies,
    ItemCategory.office: BudgetCategory.supplies,
    ItemCategory.vaccine: BudgetCategory.vaccines,
    ItemCategory.equipment: BudgetCategory.equipment,
}


@dataclass(frozen=True)
class BudgetLine:
    category: BudgetCategory
    budget_cents: int
    spent_cents: int

    @property
    def left_cents(self) -> int:
        return self.budget_cents - self.spent_cents


@dataclass(frozen=True)
class BudgetSummary:
    month: date  # first day of the month
    month_lines: list[BudgetLine]
    year_lines: list[BudgetLine]  # this calendar year, against the year's planned amounts
    planned: bool  # the operating budget plans something for one of these categories this month

    @staticmethod
    def total(lines: list[BudgetLine]) -> BudgetLine | None:
        if not lines:
            return None
        return BudgetLine(lines[0].category, sum(x.budget_cents for x in lines), sum(x.spent_cents for x in lines))


# --- reorder ---------------------------------------------------------------------------------------------


def reorder(session: Session, today: date) -> list[VendorGroup]:
    """Items at or below their reorder point that still need ordering, grouped by vendor (by name; no vendor last).

    Items already on a draft order are left out (the draft is where they are being ordered), and what is on
    a placed order counts towards par.
    """
    groups: dict[int | None, tuple[str, list[SuggestedLine]]] = {}
    for row in inventory.stock(session, today):
        if not row.low or row.in_draft or row.suggested_order == 0:
            continue
        line = SuggestedLine(row.item_id, row.name, row.unit, row.on_hand, row.on_order, row.reorder_point, row.par,
                             row.suggested_order, row.unit_cost_cents, row.days_left)
        groups.setdefault(row.vendor_id, (row.vendor or "No vendor set", []))[1].append(line)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[1][0].lower()))
    return [VendorGroup(vendor_id, name, sorted(lines, key=lambda x: x.name)) for vendor_id, (name, lines) in ordered]


def draft_orders(session: Session, today: date, *, now: datetime, actor: str) -> list[int]:
    """Turn today's suggestions into draft orders, one per vendor (added to the vendor's open draft if any)."""
    order_ids = []
    for group in reorder(session, today):
        if group.vendor_id is None:
            continue
        order = session.exec(select(PurchaseOrder).where(PurchaseOrder.vendor_id == group.vendor_id,
                                                         PurchaseOrder.status == OrderStatus.draft)).first()
        if order is None:
            order = PurchaseOrder(vendor_id=group.vendor_id, created_on=today)
            session.add(order)
            session.flush()
        else:
            order.version += 1
        assert order.id is not None  # read or flushed
        for line in group.lines:
            session.add(PurchaseOrderLine(order_id=order.id, item_id=line.item_id, quantity=line.quantity,
                                          unit_cost_cents=line.unit_cost_cents))
        record(session, actor=actor, entity="purchase_order", entity_id=order.id, action="draft",
               changes={"lines": {line.name: line.quantity for line in group.lines}}, now=now)
        order_ids.append(order.id)
    session.commit()
    return order_ids


# --- orders ----------------------------------------------------------------------------------------------


def _order_rows(session: Session, *conditions: ColumnElement[bool], limit: int | None = None) -> list[OrderRow]:
    query = (
        select(PurchaseOrder, Vendor.name, func.count(col(PurchaseOrderLine.id)),
               func.coalesce(func.sum(col(PurchaseOrderLine.quantity) * col(PurchaseOrderLine.unit_cost_cents)), 0))
        .join(Vendor, col(Vendor.id) == PurchaseOrder.vendor_id)
        .outerjoin(PurchaseOrderLine, col(PurchaseOrderLine.order_id) == PurchaseOrder.id)
        .where(*conditions)
        .group_by(col(PurchaseOrder.id), col(Vendor.name))
        .order_by(col(PurchaseOrder.id).desc())
    )
    if limit is not None:
        query = query.limit(limit)
    rows = []
    for o, vendor, n, total in session.exec(query).all():
        assert o.id is not None  # read from the database
        rows.append(OrderRow(o.id, o.version, o.vendor_id, vendor, o.status, o.created_on, o.ordered_on,
                             o.received_on, int(n), int(total), o.note))
    return rows


def orders(session: Session, *, open_only: bool = True, limit: int = 200) -> list[OrderRow]:
    """Orders newest first: the open ones (draft, ordered, partly received), or the latest `limit` of all."""
    if open_only:
        return _order_rows(session, col(PurchaseOrder.status).in_([OrderStatus.draft, *OPEN_ORDER_STATUSES]))
    return _order_rows(session, limit=limit)


def _order(session: Session, order_id: int, expected_version: int | None = None) -> PurchaseOrder:
    order = session.get(PurchaseOrder, order_id)
    if order is None:
        raise ServiceError("that order no longer exists — reload")
    if expected_version is not None and order.version != expected_version:
        raise StaleEdit()
    return order


def order_detail(session: Session, order_id: int) -> OrderDetail:
    _order(session, order_id)
    [row] = _order_rows(session, col(PurchaseOrder.id) == order_id)
    vendor = session.get(Vendor, row.vendor_id)
    assert vendor is not None
    lines = session.exec(
        select(PurchaseOrderLine, Item)
        .join(Item, col(Item.id) == PurchaseOrderLine.item_id)
        .where(PurchaseOrderLine.order_id == order_id)
        .order_by(col(Item.name))
    ).all()
    rows = []
    for line, item in lines:
        assert line.id is not None  # read from the database
        rows.append(OrderLineRow(line.id, line.item_id, item.name, item.unit, item.category, item.tracks_lots,
                                 line.quantity, line.received, line.unit_cost_cents))
    return OrderDetail(row, vendor.phone, vendor.email, vendor.account_number, rows)


def _draft_of(session: Session, order_id: int) -> PurchaseOrder:
    order = _order(session, order_id)
    if order.status != OrderStatus.draft:
        raise ServiceError(f"this order is {order.status.label}; only a draft can be changed")
    return order


def set_quantity(
    session: Session, line_id: int, quantity: int, *, now: datetime, actor: str, was: int | None = None
) -> None:
    """Change a draft line's quantity; 0 takes the item off the order.

    `was` is the quantity the user saw: if someone else changed the line since, the change is refused.
    """
    if quantity < 0 or quantity > 100_000:
        raise ServiceError("a quantity is a whole number from 0 to 100,000")
    line = session.get(PurchaseOrderLine, line_id)
    if line is None:
        raise ServiceError("that line is no longer on the order — reload")
    if was is not None and line.quantity != was:
        raise StaleEdit()
    order = _draft_of(session, line.order_id)
    old = line.quantity
    if quantity == 0:
        session.delete(line)
    else:
        line.quantity = quantity
        session.add(line)
    order.version += 1
    record(session, actor=actor, entity="purchase_order", entity_id=line.order_id, action="update",
           changes={f"item {line.item_id}": [old, quantity]}, now=now)
    session.commit()


def add_line(session: Session, order_id: int, item_id: int, quantity: int, *, now: datetime, actor: str) -> None:
    """Put an item on a draft (adding to its quantity if it is already there), at the item's current cost."""
    if quantity <= 0 or quantity > 100_000:
        raise ServiceError("a quantity is a whole number from 1 to 100,000")
    order = _draft_of(session, order_id)
    item = session.get(Item, item_id)
    if item is None or not item.active:
        raise ServiceError("that item no longer exists — reload")
    line = session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.order_id == order_id,
                                                        PurchaseOrderLine.item_id == item_id)).first()
    if line is None:
        line = PurchaseOrderLine(order_id=order_id, item_id=item_id, quantity=0, unit_cost_cents=item.unit_cost_cents)
    line.quantity += quantity
    session.add(line)
    order.version += 1
    record(session, actor=actor, entity="purchase_order", entity_id=order_id, action="update",
           changes={f"item {item_id}": line.quantity}, now=now)
    session.commit()


def over_budget(session: Session, order_id: int, today: date) -> list[str]:
    """What placing this draft today would take over the month's budget, one sentence per budget category."""
    detail = order_detail(session, order_id)
    adds: dict[BudgetCategory, int] = {}
    for line in detail.lines:
        category = BUDGET_CATEGORY[line.category]
        adds[category] = adds.get(category, 0) + line.cost_cents
    spent = {line.category: line for line in budget(session, today).month_lines}
    warnings = []
    for category, amount in sorted(adds.items(), key=lambda kv: kv[0].value):
        current = spent.get(category)
        if current is None or current.budget_cents == 0:
            continue
        after = current.spent_cents + amount
        if after > current.budget_cents:
            warnings.append(
                f"{category.label}: {money(current.spent_cents)} of {money(current.budget_cents)} spent in "
                f"{today:%B}; this order adds {money(amount)}, {money(after - current.budget_cents)} over budget")
    return warnings


def place(session: Session, order_id: int, *, today: date, now: datetime, actor: str, expected_version: int | None,
          over_budget_ok: bool = False) -> None:
    """Mark a draft as ordered from the vendor today. Refused with OverBudget unless the caller confirmed."""
    order = _order(session, order_id, expected_version)
    if order.status != OrderStatus.draft:
        raise ServiceError(f"this order is already {order.status.label}")
    if not session.exec(select(PurchaseOrderLine.id).where(PurchaseOrderLine.order_id == order_id)).first():
        raise ServiceError("this order has no lines; add an item or cancel it")
    warnings = over_budget(session, order_id, today)
    if warnings and not over_budget_ok:
        raise OverBudget("; ".join(warnings))
    order.status, order.ordered_on = OrderStatus.ordered, today
    order.version += 1
    record(session, actor=actor, entity="purchase_order", entity_id=order_id, action="place",
           changes={"status": ["draft", "ordered"], "over_budget": warnings}, now=now)
    session.commit()


def receive(session: Session, order_id: int, receipts: list[LineReceipt], *, today: date, now: datetime,
            actor: str) -> OrderStatus:
    """Receive some or all of what is still expected; each line's stock goes into a lot. Returns the new status."""
    order = _order(session, order_id)
    if order.status not in OPEN_ORDER_STATUSES:
        raise ServiceError(f"this order is {order.status.label}; only an ordered one can be received")
    if not receipts:
        raise ServiceError("enter the quantity received for at least one line")
    received: dict[str, int] = {}
    for receipt in receipts:
        line = session.get(PurchaseOrderLine, receipt.line_id)
        if line is None or line.order_id != order_id:
            raise ServiceError("that line is no longer on the order — reload")
        item = session.get(Item, line.item_id)
        assert item is not None
        remaining = line.quantity - line.received
        if receipt.data.quantity > remaining:
            raise ServiceError(f"{item.name}: only {remaining} still expected on this order, not "
                               f"{receipt.data.quantity}; nothing was received")
        data = receipt.data.model_copy(update={"reason": receipt.data.reason or f"Order {order.id}"})
        receive_into(session, item, data, today=today, now=now, actor=actor, order_id=order.id)
        line.received += receipt.data.quantity
        session.add(line)
        received[item.name] = received.get(item.name, 0) + receipt.data.quantity  # a line may come in two lots
    lines = session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.order_id == order_id)).all()
    old = order.status
    if all(line.received >= line.quantity for line in lines):
        order.status, order.received_on = OrderStatus.received, today
    else:
        order.status = OrderStatus.partly_received
    order.version += 1
    record(session, actor=actor, entity="purchase_order", entity_id=order_id, action="receive",
           changes={"status": [old.value, order.status.value], "received": received}, now=now)
    session.commit()
    return order.status


def cancel(session: Session, order_id: int, *, reason: str, now: datetime, actor: str,
           expected_version: int | None) -> None:
    """Cancel what has not arrived; anything already received stays in stock and in the month's spend."""
    reason = reason.strip()
    if not reason:
        raise ServiceError("say why the order is cancelled (backordered, ordered elsewhere…)")
    order = _order(session, order_id, expected_version)
    if order.status not in (OrderStatus.draft, *OPEN_ORDER_STATUSES):
        raise ServiceError(f"this order is already {order.status.label}")
    old = order.status
    order.status, order.note = OrderStatus.cancelled, reason[:200]
    order.version += 1
    record(session, actor=actor, entity="purchase_order", entity_id=order_id, action="cancel",
           changes={"status": [old.value, "cancelled"], "reason": reason}, now=now)
    session.commit()


# --- budget ----------------------------------------------------------------------------------------------


def _spent(session: Session, start: date, end: date) -> dict[BudgetCategory, int]:
    """Spend per budget category of orders placed from `start` to `end` inclusive (a cancelled order: what
    arrived)."""
    counted = case((col(PurchaseOrder.status) == OrderStatus.cancelled, col(PurchaseOrderLine.received)),
                   else_=col(PurchaseOrderLine.quantity))
    rows = session.exec(
        select(Item.category, func.sum(counted * col(PurchaseOrderLine.unit_cost_cents)))
        .join(PurchaseOrder, col(PurchaseOrder.id) == PurchaseOrderLine.order_id)
        .join(Item, col(Item.id) == PurchaseOrderLine.item_id)
        .where(col(PurchaseOrder.ordered_on).between(start, end), PurchaseOrder.status != OrderStatus.draft)
        .group_by(col(Item.category))
    ).all()
    spent: dict[BudgetCategory, int] = {}
    for category, total in rows:
        mapped = BUDGET_CATEGORY[ItemCategory(category)]
        spent[mapped] = spent.get(mapped, 0) + int(total or 0)
    return spent


def budget(session: Session, today: date) -> BudgetSummary:
    """Spend against the operating budget of the supply categories, for today's month and year."""
    month_start = today.replace(day=1)
    month_end = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    month_spent = _spent(session, month_start, month_end - timedelta(days=1))
    year_spent = _spent(session, date(today.year, 1, 1), date(today.year, 12, 31))
    supplies = set(BUDGET_CATEGORY.values())
    monthly = {c: cents for c, cents in month_amounts(session, month_start).items() if c in supplies}
    yearly = {c: sum(months) for c, months in year_amounts(session, today.year).items() if c in supplies}
    categories = [c for c in BudgetCategory if c in monthly or c in year_spent]
    return BudgetSummary(
        month_start,
        [BudgetLine(c, monthly.get(c, 0), month_spent.get(c, 0)) for c in categories],
        [BudgetLine(c, yearly.get(c, 0), year_spent.get(c, 0)) for c in categories],
        any(cents > 0 for cents in monthly.values()),
    )
