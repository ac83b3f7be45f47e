"""Bills to pay (accounts payable): a vendor's invoice entered, matched to the purchase order it pays (what was
ordered and what was received), approved, then paid in one or more payments. The manager writes; the manager,
biller and auditor read (Area.finance). Every write is audited (entity bill / bill_payment).

A vendor's invoice number is entered once: "INV-0012" and "inv 12" are one invoice (payment_terms.invoice_key), and a
void bill still holds its number, so voiding is no way round the check. A bill like another (same vendor and amount,
invoice dates within a week, another number) is let in but flagged, and the approver sees it with the differences.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from officemgr.models import Item, ItemCategory, PurchaseOrder, PurchaseOrderLine, Vendor
from officemgr.models.finance import BudgetCategory
from officemgr.models.payables import Bill, BillLine, BillPayment, BillStatus, PayoutMethod
from officemgr.models.payment_terms import BadTerms, invoice_key, parse_terms
from officemgr.models.purchasing import OrderStatus
from officemgr.models.validation import parse_money, strip_free_text, strip_text, unsafe_text
from officemgr.services import closed_months
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, StaleEdit, apply_update, created_fields, record
from officemgr.services.format import money, plural

DUE_SOON_DAYS = 7
LIKELY_DUPLICATE_DAYS = 7
PAGE = 50
OPEN = (BillStatus.entered, BillStatus.approved)
BILLED_ORDER = (OrderStatus.received, OrderStatus.partly_received)
# Where an order's spending goes in the budget, by the kind of item bought.
ITEM_BUDGET = {ItemCategory.clinical: BudgetCategory.medical_supplies, ItemCategory.office: BudgetCategory.supplies,
               ItemCategory.vaccine: BudgetCategory.vaccines, ItemCategory.medication: BudgetCategory.medical_supplies,
               ItemCategory.equipment: BudgetCategory.equipment}
AMOUNT_HELP = "write an amount like 1,250.00"


def _cents(value: Any) -> Any:
    """Money as typed ("$1,250.00") into cents; anything else is left for the schema to refuse."""
    if isinstance(value, str):
        cents = parse_money(value)
        if cents is None:
            raise ValueError(AMOUNT_HELP)
        return cents
    return value


class BillLineIn(BaseModel):
    """One line as billed: the item (on the order) or a description, how many, and the price each in cents."""

    item_id: int | None = None
    description: str = Field(default="", max_length=120)
    quantity: int = Field(gt=0, le=100_000)
    unit_cost_cents: int = Field(ge=0)

    _text = field_validator("description", mode="before")(strip_text)
    _money = field_validator("unit_cost_cents", mode="before")(_cents)


class BillCreate(BaseModel):
    vendor_id: int
    invoice_number: str
    invoice_date: date
    due_date: date | None = None  # None: the vendor's terms applied to the invoice date
    amount_cents: int
    category: BudgetCategory | None = None  # None: from the order's items, else "other"
    description: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=500)
    purchase_order_id: int | None = None
    lines: list[BillLineIn] | None = None  # None: for an order, its received lines at the ordered price

    _text = field_validator("description", mode="before")(strip_text)
    _note = field_validator("note", mode="before")(strip_free_text)
    _money = field_validator("amount_cents", mode="before")(_cents)

    @field_validator("invoice_number", mode="before")
    @classmethod
    def _number(cls, value: str | None) -> str:
        text = " ".join(str(value or "").split())
        if not text:
            raise ValueError("the vendor's invoice number is needed")
        if (refusal := unsafe_text(text)) is not None:
            raise ValueError(refusal)
        if len(text) > 40:
            raise ValueError("an invoice number is at most 40 characters")
        if not invoice_key(text):
            raise ValueError("an invoice number needs at least one letter or digit")
        return text

    @field_validator("amount_cents")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("the amount must be more than $0.00")
        if value >= 100_000_000_00:
            raise ValueError("the amount must be less than $100,000,000.00")
        return value

    @model_validator(mode="after")
    def _due_after_invoice(self) -> BillCreate:
        if self.due_date is not None and self.due_date < self.invoice_date:
            raise ValueError(f"the due date cannot be before the invoice date ({self.invoice_date:%m/%d/%Y})")
        return self


class BillPaymentCreate(BaseModel):
    paid_on: date
    amount_cents: int | None = None  # None: the bill's open balance
    method: PayoutMethod
    reference: str = Field(default="", max_length=40)  # the check number (required for a check)

    _text = field_validator("reference", mode="before")(strip_text)
    _money = field_validator("amount_cents", mode="before")(_cents)

    @field_validator("amount_cents")
    @classmethod
    def _positive(cls, value: int | None) -> int | None:
        if value is not None and value <= 0:
            raise ValueError("the amount must be more than $0.00")
        return value

    @model_validator(mode="after")
    def _check_number(self) -> BillPaymentCreate:
        if self.method is PayoutMethod.check and not self.reference:
            raise ValueError("a check payment needs the check number")
        return self


@dataclass(frozen=True)
class Difference:
    """One way the bill differs from its order, what was received, or another bill; `text` says it in a sentence."""

    kind: str  # quantity | price | not_billed | not_ordered | total | over_billed | likely_duplicate
    text: str


class BillFilter(str, Enum):
    open = "open"
    due_soon = "due_soon"
    overdue = "overdue"
    paid = "paid"
    all = "all"

    @property
    def label(self) -> str:
        return {"due_soon": f"due in the next {DUE_SOON_DAYS} days"}.get(self.value, self.value)


@dataclass(frozen=True)
class BillRow:
    id: int
    vendor_id: int
    vendor: str
    invoice_number: str
    invoice_date: date
    due_date: date
    amount_cents: int
    open_cents: int
    status: BillStatus
    category: BudgetCategory
    purchase_order_id: int | None
    version: int

    def overdue(self, today: date) -> bool:
        return self.status in OPEN and self.due_date < today

    def due_soon(self, today: date) -> bool:
        return self.status in OPEN and today <= self.due_date <= today + timedelta(days=DUE_SOON_DAYS)


@dataclass(frozen=True)
class BillPage:
    rows: list[BillRow]
    next_key: tuple[date, int] | None  # pass as after_key for the next page; None: this was the last


@dataclass(frozen=True)
class LineRow:
    name: str
    quantity: int
    unit_cost_cents: int


@dataclass(frozen=True)
class PaymentRow:
    id: int
    paid_on: date
    amount_cents: int
    method: PayoutMethod
    reference: str
    actor: str


@dataclass(frozen=True)
class BillDetail:
    bill: BillRow
    description: str
    note: str
    match_note: str
    entered_by: str
    approved_by: str
    paid_on: date | None
    lines: list[LineRow]
    payments: list[PaymentRow]
    differences: list[Difference]


@dataclass(frozen=True)
class OrderChoice:
    """A received (or partly received) order a bill may pay, with what the form prefills from it."""

    id: int
    vendor_id: int
    vendor: str
    received_on: date | None
    received_cents: int
    category: BudgetCategory

    @property
    def label(self) -> str:
        part = "" if self.received_on else " (part received)"
        return f"PO {self.id} {self.vendor[:20]} {money(self.received_cents)}{part}"


# --- reading -----------------------------------------------------------------------------------------------------


def _vendor_name(session: Session, vendor_id: int) -> str:
    vendor = session.get(Vendor, vendor_id)
    return vendor.name if vendor else "(vendor gone)"


def _row(bill: Bill, vendor: str) -> BillRow:
    assert bill.id is not None
    return BillRow(bill.id, bill.vendor_id, vendor, bill.invoice_number, bill.invoice_date, bill.due_date,
                   bill.amount_cents, bill.open_cents, bill.status, bill.category, bill.purchase_order_id,
                   bill.version)


def bills_page(session: Session, which: BillFilter = BillFilter.open, *, vendor_id: int | None = None,
               text: str = "", after_key: tuple[date, int] | None = None, limit: int = PAGE, today: date,
               actor: str) -> BillPage:
    """One page of bills. Open ones (open, due soon, overdue) soonest due first; paid and all newest invoice first.
    `after_key` is the page before's next_key."""
    require(actor, Area.finance, write=False, what="seeing bills to pay")
    newest_first = which in (BillFilter.paid, BillFilter.all)
    sort = col(Bill.invoice_date) if newest_first else col(Bill.due_date)
    query = select(Bill, Vendor.name).join(Vendor, col(Vendor.id) == Bill.vendor_id)
    if which is BillFilter.paid:
        query = query.where(Bill.status == BillStatus.paid)
    elif which is not BillFilter.all:
        query = query.where(col(Bill.status).in_(OPEN))
    if which is BillFilter.due_soon:
        query = query.where(col(Bill.due_date) >= today, col(Bill.due_date) <= today + timedelta(days=DUE_SOON_DAYS))
    elif which is BillFilter.overdue:
        query = query.where(col(Bill.due_date) < today)
    if vendor_id is not None:
        query = query.where(Bill.vendor_id == vendor_id)
    for word in text.lower().split():
        query = query.where(or_(*(func.lower(column).contains(word, autoescape=True) for column in (
            col(Bill.invoice_number), col(Vendor.name), col(Bill.description)))))
    if after_key is not None:
        day, last_id = after_key
        if newest_first:
            query = query.where(or_(sort < day, and_(sort == day, col(Bill.id) < last_id)))
        else:
            query = query.where(or_(sort > day, and_(sort == day, col(Bill.id) > last_id)))
    order = (sort.desc(), col(Bill.id).desc()) if newest_first else (sort, col(Bill.id))
    found = session.exec(query.order_by(*order).limit(limit + 1)).all()
    rows = [_row(bill, name) for bill, name in found[:limit]]
    last = rows[-1] if rows and len(found) > limit else None
    next_key = None if last is None else ((last.invoice_date if newest_first else last.due_date), last.id)
    return BillPage(rows, next_key)


def _bill(session: Session, bill_id: int) -> Bill:
    bill = session.get(Bill, bill_id)
    if bill is None:
        raise ServiceError("that bill no longer exists — reload")
    return bill


def bill_detail(session: Session, bill_id: int, *, today: date, actor: str) -> BillDetail:
    """A bill with its lines, its payments and how it differs from its order (and from bills like it)."""
    require(actor, Area.finance, write=False, what="seeing bills to pay")
    bill = _bill(session, bill_id)
    lines = session.exec(select(BillLine, Item.name).join(Item, col(Item.id) == BillLine.item_id, isouter=True)
                         .where(BillLine.bill_id == bill_id).order_by(col(BillLine.id))).all()
    payments = session.exec(select(BillPayment).where(BillPayment.bill_id == bill_id)
                            .order_by(col(BillPayment.paid_on), col(BillPayment.id))).all()
    return BillDetail(
        _row(bill, _vendor_name(session, bill.vendor_id)), bill.description, bill.note, bill.match_note,
        bill.entered_by, bill.approved_by, bill.paid_on,
        [LineRow(name or line.description, line.quantity, line.unit_cost_cents) for line, name in lines],
        [PaymentRow(p.id or 0, p.paid_on, p.amount_cents, p.method, p.reference, p.actor) for p in payments],
        match_differences(session, bill_id))


@dataclass(frozen=True)
class VendorChoice:
    id: int
    name: str
    terms: str
    version: int


def vendor_choices(session: Session, *, actor: str) -> list[VendorChoice]:
    """Every vendor by name, with its terms: the vendors a bill may be from (a practice has tens, not thousands)."""
    require(actor, Area.finance, write=False, what="seeing bills to pay")
    rows = session.exec(select(Vendor).order_by(col(Vendor.name))).all()
    return [VendorChoice(v.id, v.name, v.terms, v.version) for v in rows if v.id is not None]


def set_vendor_terms(session: Session, vendor_id: int, terms: str, *, expected_version: int, now: datetime,
                     actor: str) -> str:
    """Change a vendor's payment terms (the manager), kept the one way payment_terms writes them; bills entered from
    now on are due by them. Returns the terms as kept."""
    require(actor, Area.finance, what="changing a vendor's terms")
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise ServiceError("that vendor no longer exists — reload")
    try:
        kept = parse_terms(terms).text
    except BadTerms as exc:
        raise ServiceError(str(exc)) from None
    changes = apply_update(vendor, {"terms": kept}, expected_version=expected_version)
    if changes:
        record(session, actor=actor, entity="vendor", entity_id=vendor_id, action="update", changes=changes, now=now)
        session.commit()
    return kept


def order_choices(session: Session, *, actor: str, limit: int = 100, also: int | None = None) -> list[OrderChoice]:
    """The received and partly received orders a bill may pay, newest first (the last `limit`), and order `also`
    (the one a bill being changed pays) wherever it is."""
    require(actor, Area.finance, write=False, what="seeing bills to pay")
    query = select(PurchaseOrder, Vendor.name).join(Vendor, col(Vendor.id) == PurchaseOrder.vendor_id)
    orders = list(session.exec(query.where(col(PurchaseOrder.status).in_(BILLED_ORDER))
                               .order_by(col(PurchaseOrder.id).desc()).limit(limit)).all())
    if also is not None and all(order.id != also for order, _ in orders):
        orders += session.exec(query.where(PurchaseOrder.id == also)).all()
    found = []
    for order, name in orders:
        assert order.id is not None
        lines = _order_lines(session, order.id)
        found.append(OrderChoice(order.id, order.vendor_id, name, order.received_on,
                                 sum(line.received * line.unit_cost_cents for line, _ in lines),
                                 _order_category(lines)))
    return found


def _order_lines(session: Session, order_id: int) -> list[tuple[PurchaseOrderLine, Item]]:
    return [(line, item) for line, item in session.exec(
        select(PurchaseOrderLine, Item).join(Item, col(Item.id) == PurchaseOrderLine.item_id)
        .where(PurchaseOrderLine.order_id == order_id).order_by(col(PurchaseOrderLine.id))).all()]


def _order_category(lines: list[tuple[PurchaseOrderLine, Item]]) -> BudgetCategory:
    """The budget category the most money on the order went to (by what was ordered); "other" for an empty one."""
    spent: dict[BudgetCategory, int] = defaultdict(int)
    for line, item in lines:
        spent[ITEM_BUDGET.get(item.category, BudgetCategory.other)] += line.quantity * line.unit_cost_cents
    if not spent:
        return BudgetCategory.other
    return max(spent.items(), key=lambda pair: (pair[1], -list(BudgetCategory).index(pair[0])))[0]


# --- matching ----------------------------------------------------------------------------------------------------


def _each(cents: int) -> str:
    return f"{money(cents)} each"


def match_differences(session: Session, bill_id: int) -> list[Difference]:
    """How the bill differs from the order it pays: each item billed against what was received (quantity) and
    ordered (price), order lines received but not billed, items billed that are not on the order, the lines'
    total against the bill's amount, and the order billed past what was received (with the order's other bills);
    and, for any bill, a likely duplicate (same vendor and amount, invoice dates within a week)."""
    bill = _bill(session, bill_id)
    found: list[Difference] = []
    if bill.purchase_order_id is not None:
        found.extend(_order_differences(session, bill))
    found.extend(_likely_duplicates(session, bill))
    return found


def _order_differences(session: Session, bill: Bill) -> list[Difference]:
    assert bill.purchase_order_id is not None
    order_lines = _order_lines(session, bill.purchase_order_id)
    ordered: dict[int, tuple[Item, int, int, int]] = {}  # item id: (item, quantity, received, unit cost)
    for line, item in order_lines:
        _, quantity, received, _cost = ordered.get(line.item_id, (item, 0, 0, line.unit_cost_cents))
        ordered[line.item_id] = (item, quantity + line.quantity, received + line.received, line.unit_cost_cents)
    lines = session.exec(select(BillLine).where(BillLine.bill_id == bill.id).order_by(col(BillLine.id))).all()
    found: list[Difference] = []
    billed: dict[int, int] = defaultdict(int)
    for billed_line in lines:
        on_order = ordered.get(billed_line.item_id) if billed_line.item_id is not None else None
        if on_order is None:
            stray = session.get(Item, billed_line.item_id) if billed_line.item_id is not None else None
            name = stray.name if stray else (billed_line.description or "a line")
            found.append(Difference("not_ordered", f"{name}: billed {billed_line.quantity} at "
                                                   f"{_each(billed_line.unit_cost_cents)}, not on the order"))
            continue
        item, _, _, cost = on_order
        billed[item.id or 0] += billed_line.quantity
        if billed_line.unit_cost_cents != cost:
            found.append(Difference("price", f"{item.name}: billed {_each(billed_line.unit_cost_cents)}, ordered at "
                                             f"{money(cost)}"))
    for item_id, (item, _quantity, received, _cost) in ordered.items():
        if item_id not in billed:
            if received:
                found.append(Difference("not_billed", f"{item.name}: on the order, not billed ({received} "
                                                      f"{item.unit} received)"))
        elif billed[item_id] != received:
            found.append(Difference("quantity", f"{item.name}: billed {billed[item_id]} {item.unit}, received "
                                                f"{received}"))
    lines_total = sum(line.quantity * line.unit_cost_cents for line in lines)
    if lines and lines_total != bill.amount_cents:
        found.append(Difference("total", f"billed total {money(bill.amount_cents)} differs from the lines' "
                                         f"{money(lines_total)}"))
    received_value = sum(line.received * line.unit_cost_cents for line, _ in order_lines)
    others = session.exec(select(Bill).where(Bill.purchase_order_id == bill.purchase_order_id, Bill.id != bill.id,
                                             Bill.status != BillStatus.void).order_by(col(Bill.id))).all()
    billed_value = bill.amount_cents + sum(other.amount_cents for other in others)
    if others and billed_value > received_value:
        named = ", ".join(f"invoice {o.invoice_number} ({money(o.amount_cents)})" for o in others[:3])
        found.append(Difference("over_billed", f"the order is already billed by {named}: bills for it come to "
                                               f"{money(billed_value)}, more than the {money(received_value)} "
                                               "received"))
    return found


def _likely_duplicates(session: Session, bill: Bill) -> list[Difference]:
    window = timedelta(days=LIKELY_DUPLICATE_DAYS)
    like = session.exec(select(Bill).where(
        Bill.vendor_id == bill.vendor_id, Bill.amount_cents == bill.amount_cents, Bill.id != bill.id,
        Bill.status != BillStatus.void, col(Bill.invoice_date) >= bill.invoice_date - window,
        col(Bill.invoice_date) <= bill.invoice_date + window).order_by(col(Bill.invoice_date)).limit(3)).all()
    return [Difference("likely_duplicate", f"possibly a duplicate of invoice {other.invoice_number} of "
                                           f"{other.invoice_date:%m/%d/%Y}, also {money(other.amount_cents)} "
                                           f"({other.status.label.lower()})") for other in like]


def _note(differences: list[Difference]) -> str:
    text = "; ".join(d.text for d in differences)
    return text if len(text) <= 500 else text[:499] + "…"


# --- writing -----------------------------------------------------------------------------------------------------


def _same_invoice(session: Session, vendor_id: int, key: str, but: int | None = None) -> None:
    query = select(Bill).where(Bill.vendor_id == vendor_id, Bill.invoice_key == key)
    if but is not None:
        query = query.where(Bill.id != but)
    earlier = session.exec(query).first()
    if earlier is not None:
        raise ServiceError(
            f"invoice {earlier.invoice_number} from {_vendor_name(session, vendor_id)} is already entered: dated "
            f"{earlier.invoice_date:%m/%d/%Y}, {money(earlier.amount_cents)}, {earlier.status.label.lower()}. A "
            "vendor's invoice is entered once — nothing was saved")


def _checked(session: Session, data: BillCreate, *, today: date, but: int | None = None
             ) -> tuple[Vendor, date, BudgetCategory, list[BillLineIn]]:
    """What a new or edited bill must pass before it is written; the due date, category and lines it gets."""
    vendor = session.get(Vendor, data.vendor_id)
    if vendor is None:
        raise ServiceError("that vendor no longer exists — reload")
    if data.invoice_date > today:
        raise ServiceError(f"the invoice date cannot be after today ({today:%m/%d/%Y}) — nothing was saved")
    if data.invoice_date < today - relativedelta(years=1):
        raise ServiceError(f"the invoice date {data.invoice_date:%m/%d/%Y} is more than a year ago: check the date "
                           "(a bill that old is settled with the vendor, not entered here) — nothing was saved")
    _same_invoice(session, vendor.id or 0, invoice_key(data.invoice_number), but)
    due = data.due_date
    if due is None:
        try:
            due = parse_terms(vendor.terms).due_date(data.invoice_date)
        except BadTerms as exc:
            raise ServiceError(f"{vendor.name}'s terms cannot be read ({exc}): type the due date") from None
    category = data.category or BudgetCategory.other
    lines = data.lines or []
    if data.purchase_order_id is not None:
        order = session.get(PurchaseOrder, data.purchase_order_id)
        if order is None:
            raise ServiceError("that purchase order no longer exists — reload")
        if order.vendor_id != vendor.id:
            raise ServiceError(f"purchase order {order.id} is {_vendor_name(session, order.vendor_id)}'s, not "
                               f"{vendor.name}'s — nothing was saved")
        if order.status not in BILLED_ORDER:
            raise ServiceError(f"purchase order {order.id} is {order.status.label}: a bill pays an order once it is "
                               "received (or partly received) — nothing was saved")
        order_lines = _order_lines(session, order.id or 0)
        category = data.category or _order_category(order_lines)
        if data.lines is None:
            lines = [BillLineIn(item_id=line.item_id, quantity=line.received, unit_cost_cents=line.unit_cost_cents)
                     for line, _ in order_lines if line.received]
    elif data.lines:
        raise ServiceError("lines are matched to a purchase order: choose the order, or enter the bill without lines")
    return vendor, due, category, lines


def _write_lines(session: Session, bill_id: int, lines: list[BillLineIn]) -> None:
    for line in lines:
        session.add(BillLine(bill_id=bill_id, item_id=line.item_id, description=line.description,
                             quantity=line.quantity, unit_cost_cents=line.unit_cost_cents))


def _fields(data: BillCreate, due: date, category: BudgetCategory) -> dict[str, Any]:
    return {"vendor_id": data.vendor_id, "invoice_number": data.invoice_number,
            "invoice_key": invoice_key(data.invoice_number), "invoice_date": data.invoice_date, "due_date": due,
            "amount_cents": data.amount_cents, "category": category, "description": data.description,
            "note": data.note, "purchase_order_id": data.purchase_order_id}


def _what(number: str, vendor: str, amount_cents: int) -> str:
    return f"invoice {number} from {vendor} ({money(amount_cents)})"


def enter_bill(session: Session, data: BillCreate, *, today: date, now: datetime, actor: str,
               override_reason: str = "") -> int:
    """Enter a vendor's invoice (the manager): refused for an invoice number already entered for the vendor (a void
    bill too), a date after today or over a year back, an order not this vendor's or not received, and an invoice
    date in a closed month (budget vs actual counts a bill in its invoice month) unless the manager gives
    `override_reason`. A likely duplicate is let in and noted in match_note."""
    require(actor, Area.finance, what="entering a bill")
    vendor, due, category, lines = _checked(session, data, today=today)
    closed_months.guard(session, data.invoice_date, what=_what(data.invoice_number, vendor.name, data.amount_cents),
                        actor=actor, now=now, override_reason=override_reason)
    bill = Bill(**_fields(data, due, category), entered_at=now, entered_by=str(actor)[:60])
    session.add(bill)
    session.flush()
    assert bill.id is not None, "the flush gives the new row its id"
    _write_lines(session, bill.id, lines)
    session.flush()
    bill.match_note = _note(_likely_duplicates(session, bill))
    record(session, actor=actor, entity="bill", entity_id=bill.id, action="create",
           changes={**created_fields(bill), "lines": len(lines)}, now=now)
    session.commit()
    return bill.id


def update_bill(session: Session, bill_id: int, data: BillCreate, *, expected_version: int, today: date,
                now: datetime, actor: str, override_reason: str = "") -> None:
    """Correct an entered bill (the manager); once approved it is not changed (void it and enter it again). Neither
    its invoice date as it was nor as changed may be in a closed month, unless the manager gives `override_reason`."""
    require(actor, Area.finance, what="changing a bill")
    bill = _bill(session, bill_id)
    if bill.version != expected_version:
        raise StaleEdit()
    if bill.status is not BillStatus.entered:
        raise ServiceError(f"invoice {bill.invoice_number} is {bill.status.label.lower()}: only a bill not yet "
                           "approved can be changed (void it and enter it again) — nothing was saved")
    vendor, due, category, lines = _checked(session, data, today=today, but=bill_id)
    was = _what(bill.invoice_number, _vendor_name(session, bill.vendor_id), bill.amount_cents)
    closed_months.guard(session, bill.invoice_date, what=f"a change to {was}", actor=actor, now=now,
                        override_reason=override_reason)
    if closed_months.month_key(data.invoice_date) != closed_months.month_key(bill.invoice_date):
        closed_months.guard(session, data.invoice_date,
                            what=f"{_what(data.invoice_number, vendor.name, data.amount_cents)} as changed",
                            actor=actor, now=now, override_reason=override_reason)
    changes = apply_update(bill, _fields(data, due, category), expected_version=expected_version)
    old_lines = session.exec(select(BillLine).where(BillLine.bill_id == bill_id)).all()
    if data.purchase_order_id is None or data.lines is not None or "purchase_order_id" in changes:
        for line in old_lines:
            session.delete(line)
        session.flush()
        _write_lines(session, bill_id, lines)
        changes["lines"] = [len(old_lines), len(lines)]
    session.flush()
    note = _note(_likely_duplicates(session, bill))
    if note != bill.match_note:
        changes["match_note"] = [bill.match_note, note]
        bill.match_note = note
    if not changes:
        return
    if bill.version == expected_version:
        bill.version += 1
    record(session, actor=actor, entity="bill", entity_id=bill_id, action="update", changes=changes, now=now)
    session.commit()


def approve_bill(session: Session, bill_id: int, *, acknowledge: bool = False, now: datetime, actor: str,
                 expected_version: int | None = None) -> list[Difference]:
    """Approve an entered bill for payment (the manager). With differences from its order (or a likely duplicate)
    it is refused, listing them, unless `acknowledge`: then they are kept in match_note as the approver saw them."""
    require(actor, Area.finance, what="approving a bill")
    bill = _bill(session, bill_id)
    if expected_version is not None and bill.version != expected_version:
        raise StaleEdit()
    if bill.status is not BillStatus.entered:
        raise ServiceError(f"invoice {bill.invoice_number} is already {bill.status.label.lower()}")
    differences = match_differences(session, bill_id)
    if differences and not acknowledge:
        raise ServiceError(f"invoice {bill.invoice_number} differs ({plural(len(differences), 'difference')}): "
                           + "; ".join(d.text for d in differences) + " — check them, then approve again to accept "
                           "them; nothing was changed")
    values: dict[str, Any] = {"status": BillStatus.approved, "approved_at": now, "approved_by": str(actor)[:60],
                              "match_note": _note(differences)}
    changes = apply_update(bill, values, expected_version=None)
    record(session, actor=actor, entity="bill", entity_id=bill_id, action="approve", changes=changes, now=now)
    session.commit()
    return differences


def _check_key(reference: str) -> str:
    return "".join(reference.upper().split()).lstrip("#")


def pay_bill(session: Session, bill_id: int, data: BillPaymentCreate, *, today: date, now: datetime, actor: str,
             override_reason: str = "") -> int:
    """Record a payment of an approved bill (the manager): not dated after today, not more than its open balance,
    never a check number the vendor was already paid with, and never into a closed month unless the manager gives
    `override_reason` (closed_months.guard). Paid in full: the bill is paid, on the day of this payment."""
    require(actor, Area.finance, what="paying a bill")
    bill = _bill(session, bill_id)
    vendor = _vendor_name(session, bill.vendor_id)
    if bill.status is not BillStatus.approved:
        why = {BillStatus.entered: "approve it first", BillStatus.paid: "it is paid in full",
               BillStatus.void: "it is void"}.get(bill.status, "")
        raise ServiceError(f"invoice {bill.invoice_number} cannot take a payment: {why} — nothing was saved")
    if data.paid_on > today:
        raise ServiceError(f"the payment date cannot be after today ({today:%m/%d/%Y}) — nothing was saved")
    if data.paid_on < bill.invoice_date:
        raise ServiceError(f"paid on {data.paid_on:%m/%d/%Y}, before the invoice date {bill.invoice_date:%m/%d/%Y}: "
                           "check the payment date — nothing was saved")
    amount = bill.open_cents if data.amount_cents is None else data.amount_cents
    if amount > bill.open_cents:
        raise ServiceError(f"{money(amount)} is more than the {money(bill.open_cents)} still owed on invoice "
                           f"{bill.invoice_number} — nothing was saved")
    if data.method is PayoutMethod.check:
        # Compared as _check_key writes it ("# 1001" is check 1001), in the query: a vendor's checks grow with history.
        written = func.ltrim(func.upper(func.replace(col(BillPayment.reference), " ", "")), "#")
        same = session.exec(select(BillPayment, Bill.invoice_number)
                            .join(Bill, col(Bill.id) == BillPayment.bill_id)
                            .where(Bill.vendor_id == bill.vendor_id, BillPayment.method == PayoutMethod.check,
                                   written == _check_key(data.reference))).first()
        if same is not None:
            earlier, number = same
            raise ServiceError(f"check {data.reference} to {vendor} was already recorded on "
                               f"{earlier.paid_on:%m/%d/%Y} ({money(earlier.amount_cents)}, invoice {number}): "
                               "check the number — nothing was saved")
    closed_months.guard(session, data.paid_on, what=f"a payment of {money(amount)} to {vendor}", actor=actor,
                        now=now, override_reason=override_reason)
    payment = BillPayment(bill_id=bill_id, paid_on=data.paid_on, amount_cents=amount, method=data.method,
                          reference=data.reference, at=now, actor=str(actor)[:60])
    session.add(payment)
    session.flush()
    assert payment.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="bill_payment", entity_id=payment.id, action="create",
           changes=created_fields(payment), now=now)
    values: dict[str, Any] = {"paid_cents": bill.paid_cents + amount}
    if values["paid_cents"] >= bill.amount_cents:
        values.update(status=BillStatus.paid, paid_on=data.paid_on)
    changes = apply_update(bill, values, expected_version=None)
    record(session, actor=actor, entity="bill", entity_id=bill_id, action="pay", changes=changes, now=now)
    session.commit()
    return payment.id


def void_bill(session: Session, bill_id: int, reason: str, *, now: datetime, actor: str,
              expected_version: int | None = None, override_reason: str = "") -> None:
    """Void an entered or approved bill nothing was paid on, with the reason (kept in its note). Its invoice number
    stays taken: the same invoice is not entered again. A bill dated in a closed month is voided only by the manager
    with `override_reason` (its month's reported spending would drop)."""
    require(actor, Area.finance, what="voiding a bill")
    why = " ".join(reason.split())
    if not why:
        raise ServiceError("say why the bill is void (entered twice, not ours…) — nothing was changed")
    if (refusal := unsafe_text(why)) is not None:
        raise ServiceError(refusal)
    bill = _bill(session, bill_id)
    if expected_version is not None and bill.version != expected_version:
        raise StaleEdit()
    if bill.status not in OPEN:
        raise ServiceError(f"invoice {bill.invoice_number} is {bill.status.label.lower()}: only an unpaid bill is "
                           "voided — nothing was changed")
    if bill.paid_cents:
        raise ServiceError(f"invoice {bill.invoice_number} has {money(bill.paid_cents)} paid on it: it cannot be "
                           "voided — nothing was changed")
    what = _what(bill.invoice_number, _vendor_name(session, bill.vendor_id), bill.amount_cents)
    closed_months.guard(session, bill.invoice_date, what=f"voiding {what}", actor=actor, now=now, redate=False,
                        override_reason=override_reason)
    note = f"{bill.note}\nVoid: {why}".strip()
    changes = apply_update(bill, {"status": BillStatus.void, "note": note[-500:]}, expected_version=None)
    record(session, actor=actor, entity="bill", entity_id=bill_id, action="void",
           changes={**changes, "reason": why[:300]}, now=now)
    session.commit()
