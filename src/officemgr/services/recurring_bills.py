"""Recurring bills: rent, service contracts, software, billed every month, quarter or year for the same amount.

Each recurring bill makes one Bill per period, dated on its day of the month (29–31 mean the month's last day in a
shorter month: a bill on the 31st is dated Feb 28, or Feb 29 in a leap year). Quarterly and yearly periods count
from the month of `start`. A period's bill is made once its invoice date is at most GENERATE_AHEAD_DAYS days away
(next week's rent is on the bills list early), and only for invoice dates on or after `start` and on or before
`end`. Generation never makes a second bill for a period, even after the first was voided (Bill's unique
recurring_id + period).

A bill made is matched to its period by the period's month only, so the periods must not move once a bill is made:
an edit that changes the frequency, or moves a quarterly or yearly start out of step with the months already
counted (January to February for a quarterly bill; January to April keeps the same quarters), is refused while
the recurring bill has a bill that is not void (end it and add a new one). Refusing, rather than generation
skipping periods that overlap one already billed, keeps the rule visible where the change is made: a skipped
period would leave a silent gap in the bills, and bills store no frequency to tell later what a period covered.
A start moved within the cycle, a new amount, day or description are free. An end (edit or end) before a bill
already made that is not void is refused too: void that bill first.

The bill made waits for approval like any other (status entered): the amount may have changed (a rent increase)
and someone should look before it is paid.

Generation writes, so it runs only when asked: a key on the recurring bills screen and `officemgr bills generate`;
the Huddle lists how many are waiting (`waiting`, a read).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ValidationInfo, field_validator
from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import payment_terms
from officemgr.models.finance import BudgetCategory, MonthClose
from officemgr.models.inventory import Vendor
from officemgr.models.payables import Bill, BillStatus, Frequency, RecurringBill
from officemgr.models.validation import strip_text
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, apply_update, created_fields, record

GENERATE_AHEAD_DAYS = 7
MAX_AMOUNT_CENTS = 100_000_000  # $1,000,000: far beyond any practice's rent; a typo of extra zeros is refused
# Periods one run makes for one recurring bill at most: a start years back would otherwise make a flood of bills.
MAX_PERIODS_PER_RUN = 36


class RecurringIn(BaseModel):
    """A recurring bill as the form or a script gives it."""

    vendor_id: int
    description: str
    category: BudgetCategory
    amount_cents: int
    frequency: Frequency = Frequency.monthly
    day_of_month: int = 1
    start: date
    end: date | None = None

    _strip = field_validator("description", mode="before")(strip_text)

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        if not value:
            raise ValueError("say what the bill is for (Rent, Phone service…)")
        if len(value) > 120:
            raise ValueError("at most 120 characters")
        return value

    @field_validator("amount_cents")
    @classmethod
    def _amount(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("the amount must be more than $0.00")
        if value > MAX_AMOUNT_CENTS:
            raise ValueError("the amount must be at most $1,000,000.00")
        return value

    @field_validator("day_of_month")
    @classmethod
    def _day(cls, value: int) -> int:
        if not 1 <= value <= 31:
            raise ValueError("the day of the month must be 1 to 31 (29–31: the last day in shorter months)")
        return value

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start")
        if value is not None and isinstance(start, date) and value < start:
            raise ValueError("the end cannot be before the start")
        return value


@dataclass(frozen=True)
class RecurringRow:
    id: int
    vendor_id: int
    vendor: str
    description: str
    category: BudgetCategory
    amount_cents: int
    frequency: Frequency
    day_of_month: int
    start: date
    end: date | None
    active: bool
    last_period: date | None  # the latest period a bill was made for
    version: int

    def ended(self, today: date) -> bool:
        return not self.active or (self.end is not None and self.end < today)


@dataclass(frozen=True)
class Made:
    """A bill generation made."""

    bill_id: int
    recurring_id: int
    vendor: str
    invoice_number: str
    invoice_date: date
    due_date: date
    amount_cents: int


@dataclass(frozen=True)
class Generated:
    made: list[Made]
    notes: list[str]  # what was not made, and why ("Rent 10/01/2026 not made: October 2026 is closed")


def invoice_day(period: date, day_of_month: int) -> date:
    """The invoice date in `period`'s month: `day_of_month`, or the month's last day when the month is shorter."""
    last = calendar.monthrange(period.year, period.month)[1]
    return period.replace(day=min(day_of_month, last))


def periods(rb: RecurringBill | RecurringIn, *, through: date) -> list[date]:
    """The periods (each month's first day) whose invoice date is within start..end and on or before `through`."""
    first = rb.start.replace(day=1)
    found: list[date] = []
    step = 0
    while True:
        period = first + relativedelta(months=step * rb.frequency.months)
        day = invoice_day(period, rb.day_of_month)
        if day > through or (rb.end is not None and day > rb.end):
            return found
        if day >= rb.start:
            found.append(period)
        step += 1


def _vendor(session: Session, vendor_id: int) -> Vendor:
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise ServiceError("that vendor no longer exists — reload")
    return vendor


def add_recurring(session: Session, data: RecurringIn, *, now: datetime, actor: str) -> int:
    """Add a recurring bill (the manager's); bills are made for it when generation next runs."""
    require(actor, Area.finance, what="adding a recurring bill")
    _vendor(session, data.vendor_id)
    row = RecurringBill(**data.model_dump())
    session.add(row)
    session.flush()
    assert row.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="recurring_bill", entity_id=row.id, action="create",
           changes=created_fields(row), now=now)
    session.commit()
    return row.id


def edit_recurring(session: Session, recurring_id: int, data: RecurringIn, *, now: datetime, actor: str,
                   expected_version: int) -> None:
    """Change a recurring bill; bills already made keep what they were made with (change those one by one). A start
    moved earlier makes the earlier periods' bills at the next generation. Once a bill is made the periods may not
    move, and the end may not fall before it (see the module's note)."""
    require(actor, Area.finance, what="changing a recurring bill")
    row = session.get(RecurringBill, recurring_id)
    if row is None:
        raise ServiceError("that recurring bill no longer exists — reload")
    _vendor(session, data.vendor_id)
    latest = _latest_made(session, recurring_id)
    if latest is not None:
        _check_alignment(row, data)
        if data.end is not None:
            _check_end(data.end, latest)
    changes = apply_update(row, data.model_dump(), expected_version=expected_version)
    if changes:
        record(session, actor=actor, entity="recurring_bill", entity_id=recurring_id, action="update",
               changes=changes, now=now)
    session.commit()


def _latest_made(session: Session, recurring_id: int) -> date | None:
    """The invoice date of the recurring bill's latest bill that is not void (a void one bills nothing)."""
    return session.exec(select(col(Bill.invoice_date)).where(Bill.recurring_id == recurring_id,
                                                             Bill.status != BillStatus.void)
                        .order_by(col(Bill.invoice_date).desc()).limit(1)).first()


_EVERY = {Frequency.monthly: "month", Frequency.quarterly: "quarter", Frequency.yearly: "year"}


def _check_alignment(row: RecurringBill, data: RecurringIn) -> None:
    """Refuse an edit that would count the periods differently from the bills already made (each is matched by
    its period's month only, so moved periods would bill the same months twice)."""
    again = "; to change it, end this recurring bill and add a new one"
    if data.frequency != row.frequency:
        raise ServiceError(f"bills were already made every {_EVERY[row.frequency]}: the frequency cannot change"
                           + again)
    months = row.frequency.months
    moved = (data.start.year - row.start.year) * 12 + data.start.month - row.start.month
    if moved % months:
        in_step = sorted({(row.start.month - 1 + k * months) % 12 for k in range(12 // months)})
        allowed = " or ".join(calendar.month_name[m + 1] for m in in_step)
        raise ServiceError(f"bills were already made every {_EVERY[row.frequency]} from {row.start:%B}: a start "
                           f"in {data.start:%B} would bill some months twice — start in {allowed}" + again)


def _check_end(end: date, latest: date) -> None:
    if end < latest:
        raise ServiceError(f"a bill dated {latest:%m/%d/%Y} was already made: end on or after that day, or void "
                           "that bill first")


def end_recurring(session: Session, recurring_id: int, end: date, *, now: datetime, actor: str,
                  expected_version: int) -> None:
    """End a recurring bill on `end` (a lease's last month): no bill is made for an invoice date after it.
    Refused before its start, and before a bill already made that is not void (void that bill first)."""
    require(actor, Area.finance, what="ending a recurring bill")
    row = session.get(RecurringBill, recurring_id)
    if row is None:
        raise ServiceError("that recurring bill no longer exists — reload")
    if end < row.start:
        raise ServiceError(f"the end cannot be before the start ({row.start:%m/%d/%Y})")
    latest = _latest_made(session, recurring_id)
    if latest is not None:
        _check_end(end, latest)
    changes = apply_update(row, {"end": end}, expected_version=expected_version)
    if changes:
        record(session, actor=actor, entity="recurring_bill", entity_id=recurring_id, action="end",
               changes=changes, now=now)
    session.commit()


def recurring_list(session: Session, *, actor: str) -> list[RecurringRow]:
    """Every recurring bill (a practice has a handful), by vendor and description, with its latest period made."""
    require(actor, Area.finance, write=False, what="seeing recurring bills")
    rows = session.exec(select(RecurringBill, Vendor).join(Vendor, col(Vendor.id) == RecurringBill.vendor_id)
                        .order_by(col(Vendor.name), col(RecurringBill.description), col(RecurringBill.id))).all()
    latest = _latest_periods(session, [rb.id for rb, _ in rows if rb.id is not None])
    return [RecurringRow(rb.id or 0, rb.vendor_id, vendor.name, rb.description, rb.category, rb.amount_cents,
                         rb.frequency, rb.day_of_month, rb.start, rb.end, rb.active, latest.get(rb.id or 0),
                         rb.version)
            for rb, vendor in rows]


def _latest_periods(session: Session, ids: list[int]) -> dict[int, date]:
    if not ids:
        return {}
    found = session.exec(select(col(Bill.recurring_id), func.max(col(Bill.period)))
                         .where(col(Bill.recurring_id).in_(ids)).group_by(col(Bill.recurring_id))).all()
    return {rid: period for rid, period in found if rid is not None and period is not None}


@dataclass(frozen=True)
class _Due:
    rb: RecurringBill
    vendor: Vendor
    missing: list[date]  # periods still to make
    closed: list[date]  # periods still to make whose invoice date is in a closed month (not made)


def _due(session: Session, today: date) -> list[_Due]:
    """Each active recurring bill with the periods it still needs a bill for, through today + the window."""
    through = today + timedelta(days=GENERATE_AHEAD_DAYS)
    rows = session.exec(select(RecurringBill, Vendor).join(Vendor, col(Vendor.id) == RecurringBill.vendor_id)
                        .where(col(RecurringBill.active), col(RecurringBill.start) <= through)
                        .order_by(col(RecurringBill.id))).all()
    if not rows:
        return []
    ids = [rb.id for rb, _ in rows if rb.id is not None]
    # Only periods from the earliest start on can matter: bounded by the recurring bills' own history.
    earliest = min(rb.start for rb, _ in rows).replace(day=1)
    made: dict[int, set[date]] = {}
    for rid, period in session.exec(select(col(Bill.recurring_id), col(Bill.period)).where(
            col(Bill.recurring_id).in_(ids), col(Bill.period) >= earliest)):
        if rid is not None and period is not None:
            made.setdefault(rid, set()).add(period)
    closed = set(session.exec(select(col(MonthClose.month)).where(col(MonthClose.month) >= earliest,
                                                             col(MonthClose.reopened_at).is_(None))))
    found = []
    for rb, vendor in rows:
        assert rb.id is not None
        missing = [p for p in periods(rb, through=through) if p not in made.get(rb.id, set())]
        if missing:
            found.append(_Due(rb, vendor, [p for p in missing if p not in closed], [p for p in missing if p in closed]))
    return found


def waiting(session: Session, today: date, *, actor: str) -> int:
    """How many bills generation would make now (a read: the Huddle's line)."""
    require(actor, Area.finance, write=False, what="seeing recurring bills")
    return sum(len(due.missing) for due in _due(session, today))


def _invoice_number(session: Session, vendor_id: int, description: str, period: date) -> tuple[str, str]:
    """"RENT 2026-11" from the description and period, with " #2", " #3"… when the vendor already has that
    invoice number (another recurring bill of the same name, or a bill entered by hand)."""
    base = f"{' '.join(description.upper().split())[:28]} {period:%Y-%m}"
    number = base
    for n in range(2, 100):
        key = payment_terms.invoice_key(number)
        taken = session.exec(select(col(Bill.id)).where(Bill.vendor_id == vendor_id, Bill.invoice_key == key)).first()
        if taken is None:
            return number, key
        number = f"{base} #{n}"
    raise ServiceError(f"vendor already has 99 invoices numbered like {base}; enter this bill by hand")


def generate_due(session: Session, *, today: date, now: datetime, actor: str) -> Generated:
    """Make the bills every active recurring bill is due (see the module's note), each audited; all or nothing.

    A period whose invoice date falls in a closed month is not made and said (the manager reopens the month, or
    enters the bill by hand dated in an open month); nor is a bill of a vendor whose terms cannot be read (fix the
    vendor's terms). Neither counts as waiting on the Huddle.
    """
    require(actor, Area.finance, what="generating recurring bills")
    made: list[Made] = []
    notes: list[str] = []
    by = str(getattr(actor, "name", "") or actor)[:60]
    for due in _due(session, today):
        rb, vendor, missing = due.rb, due.vendor, due.missing
        assert rb.id is not None and vendor.id is not None
        notes.extend(f"{rb.description} {invoice_day(p, rb.day_of_month):%m/%d/%Y} not made: {p:%B %Y} is closed "
                     "(reopen it, or enter the bill by hand dated in an open month)" for p in due.closed)
        if not missing:
            continue
        try:
            terms = payment_terms.parse_terms(vendor.terms) if vendor.terms.strip() else payment_terms.Terms(days=0)
        except payment_terms.BadTerms as exc:
            notes.append(f"{rb.description} ({vendor.name}) not made: the vendor's terms cannot be read: {exc}")
            continue
        if len(missing) > MAX_PERIODS_PER_RUN:
            notes.append(f"{rb.description} ({vendor.name}): {len(missing)} periods are due; the first "
                           f"{MAX_PERIODS_PER_RUN} were made, generate again for the rest")
            missing = missing[:MAX_PERIODS_PER_RUN]
        for period in missing:
            day = invoice_day(period, rb.day_of_month)
            number, key = _invoice_number(session, vendor.id, rb.description, period)
            bill = Bill(vendor_id=vendor.id, invoice_number=number, invoice_key=key, invoice_date=day,
                        due_date=terms.due_date(day), amount_cents=rb.amount_cents, category=rb.category,
                        status=BillStatus.entered, recurring_id=rb.id, period=period,
                        description=rb.description, entered_at=now, entered_by=by)
            session.add(bill)
            session.flush()
            assert bill.id is not None, "the flush gives the new row its id"
            record(session, actor=actor, entity="bill", entity_id=bill.id, action="generate",
                   changes=created_fields(bill), now=now)
            made.append(Made(bill.id, rb.id, vendor.name, number, day, bill.due_date, bill.amount_cents))
    session.commit()
    return Generated(made, notes)
