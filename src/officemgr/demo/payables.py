"""Bills to pay: the vendors' terms, the practice's other vendors, recurring bills, and a year of bills up to today.

Nearly every bill is approved and paid; the few left open tell the A/P story: two overdue, two due within the
week, a few current ones, two bills for received orders that differ from what was ordered and received (left
entered for the three-way match), and a likely duplicate of a paid repair invoice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from officemgr.demo._db import (
    DEMO_CALENDAR,
    _ensure_named,
    _insert,
    _next_id,
    _open_on_or_after,
    _open_on_or_before,
    _working_time,
)
from officemgr.demo._types import DEMO_NOW, DemoSummary, Person, Row, Scale
from officemgr.models import Item, ItemCategory, OrderStatus, PurchaseOrder, PurchaseOrderLine, Role, Vendor
from officemgr.models.base import table_of
from officemgr.models.finance import BudgetCategory
from officemgr.models.payables import Bill, BillLine, BillPayment, BillStatus, Frequency, PayoutMethod, RecurringBill
from officemgr.models.payment_terms import invoice_key, parse_terms
from officemgr.services.format import money

# The supply vendors' terms as they print them (the inventory step made these vendors).
SUPPLY_TERMS = {"Henry Schein": "2/10 net 30", "McKesson": "net 30", "Medline": "net 30", "Sanofi Pasteur": "net 60",
                "Merck": "net 30", "Staples Business": "net 15"}
# Prefix of each supply vendor's invoice numbers.
SUPPLY_PREFIX = {"Henry Schein": "HS", "McKesson": "MCK", "Medline": "ML", "Sanofi Pasteur": "VS", "Merck": "MV",
                 "Staples Business": "SB"}

LANDLORD = "Maple Street Properties LLC"
EHR = "ChartWell EHR"
INSURER = "Buckeye Physicians Mutual"
UTILITIES = "Columbus Public Utilities"
CLEANING = "BrightShine Commercial Cleaning"
MARKETING = "Scioto Marketing Group"
BIOMED = "Midwest Biomedical Services"
# name, phone, email, account number, terms
OTHER_VENDORS = (
    (LANDLORD, "(614) 555-0150", "leasing@maplestreetproperties.example", "LEASE-1200", "due on receipt"),
    (EHR, "(888) 555-0151", "billing@chartwell.example", "CW-30417", "net 15"),
    (INSURER, "(800) 555-0152", "premiums@buckeyemutual.example", "BPM-PL-77120", "net 30"),
    (UTILITIES, "(614) 555-0153", "customercare@cbusutilities.example", "7310-22841", "net 15"),
    (CLEANING, "(614) 555-0154", "office@brightshine.example", "BS-1187", "net 15"),
    (MARKETING, "(614) 555-0155", "accounts@sciotomarketing.example", "SMG-0412", "net 30"),
    (BIOMED, "(800) 555-0156", "service@midwestbiomed.example", "MBS-55310", "net 30"),
)


@dataclass(frozen=True)
class RecurringSpec:
    vendor: str
    description: str
    category: BudgetCategory
    amount_cents: int  # per provider when `per_provider`
    frequency: Frequency
    prefix: str  # invoice numbers: "RENT 2026-11"
    method: PayoutMethod
    per_provider: bool = False

    def amount(self, providers: int) -> int:
        return self.amount_cents * providers if self.per_provider else self.amount_cents


RENT = RecurringSpec(LANDLORD, "Office rent, 1200 Maple St", BudgetCategory.rent, 850_000, Frequency.monthly, "RENT",
                     PayoutMethod.ach)
EHR_SUBSCRIPTION = RecurringSpec(EHR, "EHR and practice management subscription", BudgetCategory.software, 55_000,
                                 Frequency.monthly, "EHR", PayoutMethod.card, per_provider=True)
CLEANING_CONTRACT = RecurringSpec(CLEANING, "Office cleaning, five nights a week", BudgetCategory.other, 120_000,
                                  Frequency.monthly, "CLEAN", PayoutMethod.check)
SERVICE_CONTRACT = RecurringSpec(BIOMED, "Equipment service contract: autoclave, ECG, AED, spirometer",
                                 BudgetCategory.equipment, 135_000, Frequency.quarterly, "SVC", PayoutMethod.check)
MALPRACTICE = RecurringSpec(INSURER, "Professional liability insurance, quarterly premium", BudgetCategory.insurance,
                            310_000, Frequency.quarterly, "PREM", PayoutMethod.check, per_provider=True)
RECURRING = (RENT, EHR_SUBSCRIPTION, CLEANING_CONTRACT, SERVICE_CONTRACT, MALPRACTICE)

# Utilities vary with the season (cooling in summer, heating in winter); marketing with the campaign.
UTILITIES_BASE_CENTS = 95_000
UTILITIES_SEASON = {1: 1.25, 2: 1.2, 6: 1.2, 7: 1.35, 8: 1.35, 12: 1.15}
MARKETING_RANGE = (120_000, 380_000)
# The paid repair invoice and the likely duplicate that came three days later with two digits swapped.
REPAIR = ("INV-4471", "INV-4417", 48_650, "Autoclave door gasket and seal replaced")
ITEM_BUDGET = {ItemCategory.office: BudgetCategory.supplies, ItemCategory.clinical: BudgetCategory.medical_supplies,
               ItemCategory.medication: BudgetCategory.medical_supplies, ItemCategory.vaccine: BudgetCategory.vaccines,
               ItemCategory.equipment: BudgetCategory.equipment}
DUE_SOON_DAYS = 7
LATE_SHARE = 0.06  # bills paid a few days after their due date


@dataclass(eq=False)
class _Bill:
    """A bill being built: its row, its lines, and how it ends up (paid on a day, or left open)."""

    row: Row
    lines: list[Row]
    method: PayoutMethod
    net_days: int
    pay_day: date | None  # None: left open
    approve: bool = True


def _add_payables(conn: Connection, rng: random.Random, staff: list[Person], plan: Scale, today: date,
                  summary: DemoSummary) -> None:
    """Terms on the supply vendors, the practice's other vendors, its recurring bills, and the bills up to today
    (a year of them; five at the large scale) with their lines, approvals and payments."""
    vendors = table_of(Vendor)
    for name, printed in SUPPLY_TERMS.items():
        conn.execute(update(vendors).where(vendors.c.name == name).values(terms=printed))
    rows = [{"name": n, "phone": p, "email": e, "account_number": a, "terms": t} for n, p, e, a, t in OTHER_VENDORS]
    vendor_ids, added = _ensure_named(conn, Vendor, rows)
    summary.vendors += added
    terms = {name: terms for name, terms in conn.execute(select(vendors.c.name, vendors.c.terms))}
    providers = sum(1 for p in staff if p.is_provider)
    years = max(1, plan.closed_claim_days // 365)
    first_month = today.replace(day=1) - relativedelta(months=12 * years - 1)

    first_recurring = _next_id(conn, RecurringBill)
    recurring_rows: list[Row] = [
        {"id": first_recurring + n, "vendor_id": vendor_ids[spec.vendor], "description": spec.description,
         "category": spec.category.value, "amount_cents": spec.amount(providers), "frequency": spec.frequency.value,
         "day_of_month": 1, "start": _first_period(first_month, spec.frequency), "end": None, "active": True,
         "version": 1}
        for n, spec in enumerate(RECURRING)]
    _insert(conn, RecurringBill, recurring_rows)

    bills: list[_Bill] = []
    for spec, recurring in zip(RECURRING, recurring_rows, strict=True):
        period = recurring["start"]
        while period <= today:
            number = f"{spec.prefix} {period:%Y-%m}"
            bills.append(_new_bill(vendor_ids[spec.vendor], terms[spec.vendor], number, period,
                                   recurring["amount_cents"], spec.category, spec.description, spec.method,
                                   recurring_id=recurring["id"], period=period))
            period += relativedelta(months=spec.frequency.months)
    cleaning = [b for b in bills if b.row["vendor_id"] == vendor_ids[CLEANING]]
    utilities, marketing = _variable_bills(rng, vendor_ids, terms, today, 12 * years)
    bills += utilities + marketing
    repair, duplicate = _repair_and_duplicate(vendor_ids[BIOMED], terms[BIOMED], today)
    bills += [repair, duplicate]
    order_bills, differing = _order_bills(conn, rng, terms)
    bills += order_bills

    # The story's open bills; every other one is paid (or, when not due within the week, may still be open).
    due_soon = [utilities[0], marketing[0]]
    overdue = [max((b for b in cleaning if b.row["due_date"] < today), key=lambda b: b.row["due_date"])]
    overdue += sorted((b for b in order_bills if b not in differing and today - timedelta(days=45)
                       <= b.row["due_date"] < today), key=lambda b: b.row["due_date"])[-1:]
    for bill in due_soon + overdue:
        bill.pay_day = None
    marketing[0].approve = False
    for bill in differing + [duplicate]:
        bill.pay_day, bill.approve = None, False
    held = due_soon + overdue + differing + [duplicate]
    for bill in bills:
        if bill not in held:
            _settle(rng, bill, today)
    _write(conn, rng, staff, bills, today)


def _first_period(first_month: date, frequency: Frequency) -> date:
    """The first period on or after `first_month`: a quarterly bill comes on calendar quarters."""
    period = first_month
    while (period.month - 1) % frequency.months:
        period += relativedelta(months=1)
    return period


def _new_bill(vendor_id: int, terms: str, number: str, invoice_date: date, amount_cents: int,
              category: BudgetCategory, description: str, method: PayoutMethod, *, recurring_id: int | None = None,
              period: date | None = None, order_id: int | None = None, lines: list[Row] | None = None) -> _Bill:
    parsed = parse_terms(terms)
    due = parsed.due_date(invoice_date)
    # Paid a couple of days before it is due (on the last discount day when the vendor gives one).
    pay_day = parsed.discount_until(invoice_date) or due - timedelta(days=2)
    row = {"vendor_id": vendor_id, "invoice_number": number, "invoice_key": invoice_key(number),
           "invoice_date": invoice_date, "due_date": due, "amount_cents": amount_cents, "paid_cents": 0,
           "category": category.value, "status": BillStatus.entered.value, "purchase_order_id": order_id,
           "recurring_id": recurring_id, "period": period, "description": description, "note": "",
           "approved_at": None, "approved_by": "", "match_note": "", "paid_on": None, "version": 1}
    return _Bill(row, lines or [], method, parsed.days, pay_day)


def _variable_bills(rng: random.Random, vendor_ids: dict[str, int], terms: dict[str, str], today: date,
                    months: int) -> tuple[list[_Bill], list[_Bill]]:
    """Monthly utilities and marketing bills, newest first; the newest of each falls due within the week."""
    utilities, marketing = [], []
    newest_utility = today + timedelta(days=3) - timedelta(days=parse_terms(terms[UTILITIES]).days)
    newest_marketing = today + timedelta(days=6) - timedelta(days=parse_terms(terms[MARKETING]).days)
    for back in range(months):
        day = newest_utility - relativedelta(months=back)
        amount = round(UTILITIES_BASE_CENTS * UTILITIES_SEASON.get(day.month, 1.0) * rng.uniform(0.9, 1.1))
        utilities.append(_new_bill(vendor_ids[UTILITIES], terms[UTILITIES], f"7310-22841-{day:%y%m}", day, amount,
                                   BudgetCategory.other, f"Electric, gas and water, {day:%B %Y}", PayoutMethod.ach))
        day = newest_marketing - relativedelta(months=back)
        amount = rng.randrange(*MARKETING_RANGE, 2_500)
        marketing.append(_new_bill(vendor_ids[MARKETING], terms[MARKETING], f"SMG-{2000 + months - back}", day,
                                   amount, BudgetCategory.marketing,
                                   f"Online ads and patient newsletter, {day:%B %Y}", PayoutMethod.check))
    return utilities, marketing


def _repair_and_duplicate(vendor_id: int, terms: str, today: date) -> tuple[_Bill, _Bill]:
    paid_number, twin_number, amount, description = REPAIR
    day = today - timedelta(days=19)
    paid = _new_bill(vendor_id, terms, paid_number, day, amount, BudgetCategory.equipment, description,
                     PayoutMethod.check)
    paid.pay_day = _open_on_or_before(today - timedelta(days=5))
    twin = _new_bill(vendor_id, terms, twin_number, day + timedelta(days=3), amount, BudgetCategory.equipment,
                     description, PayoutMethod.check)
    twin.row["match_note"] = f"Possible duplicate of {paid_number} ({money(amount)}, {day:%m/%d/%Y}, paid)"
    return paid, twin


def _order_bills(conn: Connection, rng: random.Random, terms: dict[str, str]) -> tuple[list[_Bill], list[_Bill]]:
    """A bill per received purchase order, its lines copied from what came; the two newest orders on net 30 or
    longer are billed with a difference from the order (a price, a quantity) for the three-way match."""
    orders, lines, items, vendors = (table_of(PurchaseOrder), table_of(PurchaseOrderLine), table_of(Item),
                                     table_of(Vendor))
    received = conn.execute(
        select(orders.c.id, orders.c.vendor_id, orders.c.received_on, vendors.c.name)
        .join(vendors, vendors.c.id == orders.c.vendor_id)
        .where(orders.c.status == OrderStatus.received.value)
        .order_by(orders.c.received_on, orders.c.id)).all()
    by_order: dict[int, list[Row]] = {}
    for got in conn.execute(select(lines.c.order_id, lines.c.item_id, lines.c.received, lines.c.unit_cost_cents,
                                   items.c.name, items.c.category)
                            .join(items, items.c.id == lines.c.item_id).order_by(lines.c.id)):
        by_order.setdefault(got.order_id, []).append(
            {"item_id": got.item_id, "description": got.name, "quantity": got.received,
             "unit_cost_cents": got.unit_cost_cents, "category": got.category})
    bills = []
    for order in received:
        bill_lines = [line for line in by_order.get(order.id, []) if line["quantity"] > 0]
        if not bill_lines or order.received_on is None:
            continue
        spent: dict[BudgetCategory, int] = {}
        for line in bill_lines:
            category = ITEM_BUDGET[ItemCategory(line["category"])]
            spent[category] = spent.get(category, 0) + line["quantity"] * line["unit_cost_cents"]
        number = f"{SUPPLY_PREFIX[order.name]}-{100_000 + order.id * 13 + rng.randrange(13)}"
        bills.append(_new_bill(order.vendor_id, terms[order.name], number, order.received_on, sum(spent.values()),
                               max(spent, key=lambda c: spent[c]), f"Purchase order {order.id}", PayoutMethod.check,
                               order_id=order.id, lines=[{k: v for k, v in line.items() if k != "category"}
                                                         for line in bill_lines]))
    differing = sorted((b for b in bills if b.net_days >= 30),
                       key=lambda b: (b.row["invoice_date"], b.row["purchase_order_id"]))[-2:]
    if len(differing) == 2:
        _bill_a_higher_price(differing[0])
        _bill_more_than_received(differing[1])
    return bills, differing


def _bill_a_higher_price(bill: _Bill) -> None:
    line = bill.lines[0]
    ordered = line["unit_cost_cents"]
    line["unit_cost_cents"] = ordered + max(50, round(ordered * 0.08))
    bill.row["amount_cents"] += line["quantity"] * (line["unit_cost_cents"] - ordered)
    bill.row["match_note"] = (f"{line['description']}: billed at {money(line['unit_cost_cents'])}, "
                              f"ordered at {money(ordered)}")


def _bill_more_than_received(bill: _Bill) -> None:
    line = bill.lines[0]
    extra = max(1, line["quantity"] // 5)
    bill.row["match_note"] = (f"{line['description']}: billed {line['quantity'] + extra}, "
                              f"{line['quantity']} received")
    line["quantity"] += extra
    bill.row["amount_cents"] += extra * line["unit_cost_cents"]


def _settle(rng: random.Random, bill: _Bill, today: date) -> None:
    """When a bill not held open gets paid: on a day the practice is open, after its invoice and before today, now
    and then a few days late. One due within the week is paid ahead (only the story's two stay open); a later one
    may wait."""
    assert bill.pay_day is not None
    if rng.random() < LATE_SHARE:
        bill.pay_day = bill.row["due_date"] + timedelta(days=rng.randint(2, 10))
    last_open = DEMO_CALENDAR.previous_business_day(today)
    invoiced = bill.row["invoice_date"]
    day = max(_open_on_or_before(bill.pay_day), _open_on_or_after(invoiced))
    if day > last_open and bill.row["due_date"] <= today + timedelta(days=DUE_SOON_DAYS):
        day = last_open
    bill.pay_day = day if invoiced <= day <= last_open else None


def _write(conn: Connection, rng: random.Random, staff: list[Person], bills: list[_Bill], today: date) -> None:
    """Number the bills by invoice date, then write them with their lines, approvals and payments."""
    manager = next((p.name for p in staff if p.role is Role.manager), staff[0].name)
    clerks = [p.name for p in staff if p.role in (Role.biller, Role.manager)] or [manager]
    now = datetime.combine(today, DEMO_NOW)
    last_open = DEMO_CALENDAR.previous_business_day(today)
    bills.sort(key=lambda b: (b.row["invoice_date"], b.row["vendor_id"], b.row["invoice_number"]))
    first, first_line = _next_id(conn, Bill), _next_id(conn, BillLine)
    payments: list[Row] = []
    lines: list[Row] = []
    for bill_id, bill in enumerate(bills, start=first):
        row = bill.row
        # Entered a day or two after the invoice came (this morning's invoice this morning), never after its payment.
        entered = max(row["invoice_date"], min(_open_on_or_after(row["invoice_date"] + timedelta(
            days=rng.randint(0, 2))), bill.pay_day or last_open, last_open))
        approved = min(_open_on_or_after(entered + timedelta(days=1)), bill.pay_day or last_open, last_open)
        row.update(id=bill_id, entered_by=rng.choice(clerks),
                   entered_at=min(_working_time(rng, entered, 8 * 60 + 30, 10 * 60 + 30), now - timedelta(minutes=5)))
        if bill.approve and approved >= entered:
            row.update(status=BillStatus.approved.value, approved_by=manager,
                       approved_at=_working_time(rng, approved, 10 * 60 + 45, 12 * 60))
        if bill.pay_day is not None and row["approved_at"] is not None:
            row.update(status=BillStatus.paid.value, paid_cents=row["amount_cents"], paid_on=bill.pay_day)
            payments.append({"bill_id": bill_id, "paid_on": bill.pay_day, "amount_cents": row["amount_cents"],
                             "method": bill.method.value, "reference": "",
                             "at": _working_time(rng, bill.pay_day, 13 * 60, 16 * 60), "actor": manager})
        lines += [{**line, "id": first_line + len(lines) + n, "bill_id": bill_id} for n, line in enumerate(bill.lines)]
    _number_payments(payments)
    _insert(conn, Bill, [b.row for b in bills])
    _insert(conn, BillLine, lines)
    first_payment = _next_id(conn, BillPayment)
    _insert(conn, BillPayment, [{**p, "id": first_payment + n} for n, p in enumerate(payments)])


def _number_payments(payments: list[Row]) -> None:
    """Checks numbered in the order they were written; transfers and card charges get a confirmation."""
    payments.sort(key=lambda p: (p["at"], p["bill_id"]))
    check = 1001
    for payment in payments:
        if payment["method"] == PayoutMethod.check.value:
            payment["reference"] = str(check)
            check += 1
        elif payment["method"] == PayoutMethod.ach.value:
            payment["reference"] = f"ACH {payment['paid_on']:%Y%m%d}-{payment['bill_id']:05d}"
        else:
            payment["reference"] = f"Visa x4821 {payment['paid_on']:%m%d}"

