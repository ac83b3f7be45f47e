"""What the practice owes its vendors and what it paid them: A/P aging by vendor, the bills due soon and overdue
(the Huddle's lines), the month-end report's section on bills, and the paid-bills file for the accountant.

A bill is open while it is entered or approved and not paid in full; its open balance is its amount less its
payments. Aging counts calendar days past the DUE date: due today or later is current, 1 day past is 1–30, 30 is
still 1–30, 31 is 31–60, 90 is 61–90, 91 and more is 90+. Paid and void bills are never open.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from officemgr.models.finance import BudgetCategory
from officemgr.models.inventory import Vendor
from officemgr.models.payables import Bill, BillPayment, BillStatus
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError
from officemgr.services.csv_out import Cell, csv_text, dollars
from officemgr.services.format import money, plural
from officemgr.services.report_section import ReportSection

BUCKETS = ("Current", "1–30", "31–60", "61–90", "90+")
OPEN = (BillStatus.entered, BillStatus.approved)
DUE_SOON_DAYS = 7
FIRST_FEW = 3  # bills named with a due-soon or overdue count
MAX_EXPORT_DAYS = 3 * 366  # the paid-bills file covers at most three years


@dataclass(frozen=True)
class AgingRow:
    vendor_id: int | None  # None: the totals row
    vendor: str
    buckets: tuple[int, int, int, int, int]  # open cents: current, 1–30, 31–60, 61–90, 90+
    bills: int

    @property
    def total(self) -> int:
        return sum(self.buckets)


@dataclass(frozen=True)
class ApAging:
    today: date
    rows: list[AgingRow]  # by vendor name
    totals: AgingRow


@dataclass(frozen=True)
class DueBill:
    bill_id: int
    vendor: str
    invoice_number: str
    due_date: date
    open_cents: int


@dataclass(frozen=True)
class BillsDue:
    """Open bills in a due-date range: how many, their open total, and the most urgent few (soonest due first)."""

    count: int
    open_cents: int
    first: list[DueBill]


def _open_balance() -> ColumnElement[int]:
    return col(Bill.amount_cents) - col(Bill.paid_cents)


def _is_open() -> ColumnElement[bool]:
    return col(Bill.status).in_(OPEN) & (col(Bill.amount_cents) > col(Bill.paid_cents))


def _between(on_or_after: date | None, before: date | None) -> ColumnElement[bool]:
    """Due on or after one day and before another (None: no bound on that side)."""
    due = col(Bill.due_date)
    if on_or_after is None:
        assert before is not None
        return due < before
    return due >= on_or_after if before is None else (due >= on_or_after) & (due < before)


def ap_aging(session: Session, *, today: date, actor: str) -> ApAging:
    """Open balances by vendor and bucket (one query grouped by vendor, then their names), vendors by name, with a
    totals row."""
    require(actor, Area.finance, write=False, what="seeing bills to pay")
    # A sum per bucket, grouped by vendor only: PostgreSQL cannot match a GROUP BY on an expression with bound dates.
    after = [today, today - timedelta(days=30), today - timedelta(days=60), today - timedelta(days=90), None]
    before: list[date | None] = [None, *after[:4]]
    sums = [func.sum(case((_between(low, high), _open_balance()), else_=0))
            for low, high in zip(after, before, strict=True)]
    found = session.execute(sa_select(col(Bill.vendor_id), func.count(), *sums)
                            .where(_is_open()).group_by(col(Bill.vendor_id))).all()
    names = dict(session.exec(select(col(Vendor.id), col(Vendor.name))
                              .where(col(Vendor.id).in_([row[0] for row in found]))).all())
    by_vendor = {int(row[0]): (names.get(row[0], "?"), [int(c or 0) for c in row[2:]], int(row[1])) for row in found}
    rows = sorted((AgingRow(vid, name, _five(amounts), bills) for vid, (name, amounts, bills) in by_vendor.items()),
                  key=lambda r: (r.vendor.lower(), r.vendor_id or 0))
    totals = [sum(r.buckets[i] for r in rows) for i in range(5)]
    return ApAging(today, rows, AgingRow(None, "Total", _five(totals), sum(r.bills for r in rows)))


def _five(amounts: Sequence[int]) -> tuple[int, int, int, int, int]:
    return amounts[0], amounts[1], amounts[2], amounts[3], amounts[4]


def aging_text(aging: ApAging) -> str:
    """The aging as a plain text table (the CLI's report)."""
    header = ("Vendor", *BUCKETS, "Total")
    lines = [(r.vendor, *(money(c) for c in r.buckets), money(r.total)) for r in [*aging.rows, aging.totals]]
    width = [max(len(str(row[i])) for row in [header, *lines]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(width[0]) if i == 0 else c.rjust(width[i]) for i, c in enumerate(cells)).rstrip()

    out = [f"A/P aging on {aging.today:%m/%d/%Y} (days past the due date)", "", line(header),
           line(["-" * w for w in width])]
    out.extend(line(row) for row in lines[:-1])
    if aging.rows:
        out.append(line(["-" * w for w in width]))
    else:
        out.append("No open bills.")
    out.append(line(lines[-1]))
    return "\n".join(out) + "\n"


def _first(session: Session, where: ColumnElement[bool], limit: int) -> list[DueBill]:
    """The open bills `where` holds for, soonest due first."""
    found = session.exec(select(Bill, col(Vendor.name)).join(Vendor, col(Vendor.id) == Bill.vendor_id)
                         .where(_is_open(), where).order_by(col(Bill.due_date), col(Bill.id)).limit(limit)).all()
    return [DueBill(b.id or 0, name, b.invoice_number, b.due_date, b.open_cents) for b, name in found]


def _bills_due(session: Session, where: ColumnElement[bool], limit: int) -> BillsDue:
    count, cents = session.exec(select(func.count(), func.sum(_open_balance())).where(_is_open(), where)).one()
    if not count:
        return BillsDue(0, 0, [])
    return BillsDue(int(count), int(cents or 0), _first(session, where, limit))


def due_soon(session: Session, *, today: date, actor: str, days: int = DUE_SOON_DAYS,
             limit: int = FIRST_FEW) -> BillsDue:
    """Open bills due today or in the next `days` days."""
    require(actor, Area.finance, write=False, what="seeing bills to pay")
    return _bills_due(session, (col(Bill.due_date) >= today) & (col(Bill.due_date) <= today + timedelta(days=days)),
                      limit)


def overdue(session: Session, *, today: date, actor: str, limit: int = FIRST_FEW) -> BillsDue:
    """Open bills whose due date has passed (the oldest due first)."""
    require(actor, Area.finance, write=False, what="seeing bills to pay")
    return _bills_due(session, col(Bill.due_date) < today, limit)


def due_and_overdue(session: Session, *, today: date, actor: str,
                    days: int = DUE_SOON_DAYS) -> tuple[BillsDue, BillsDue]:
    """(overdue, due soon) as the Huddle shows them, each naming its most urgent bill: one grouped query for both
    counts, then one row for each that has any."""
    require(actor, Area.finance, write=False, what="seeing bills to pay")
    late = col(Bill.due_date) < today
    soon = (col(Bill.due_date) >= today) & (col(Bill.due_date) <= today + timedelta(days=days))
    sums = [func.sum(case((when, value), else_=0)) for when in (late, soon) for value in (1, _open_balance())]
    found = session.execute(sa_select(*sums).where(_is_open(), col(Bill.due_date) <= today + timedelta(days=days))
                            ).one()
    late_count, late_cents, soon_count, soon_cents = (int(value or 0) for value in found)
    return (BillsDue(late_count, late_cents, _first(session, late, 1) if late_count else []),
            BillsDue(soon_count, soon_cents, _first(session, soon, 1) if soon_count else []))


def month_report_section(session: Session, month_first: date, *, actor: str) -> ReportSection:
    """Bills paid in the month (payments by category) and what was owed at the month's end (of which overdue).

    Owed at the end is as it stood then: bills dated in or before the month, not void, less the payments made by
    the month's last day (a bill paid later still counts as owed)."""
    require(actor, Area.finance, write=False, what="seeing bills to pay")
    first = month_first.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    paid = session.exec(
        select(col(Bill.category), func.count(func.distinct(col(BillPayment.bill_id))),
               func.sum(col(BillPayment.amount_cents)))
        .join(Bill, col(Bill.id) == BillPayment.bill_id)
        .where(col(BillPayment.paid_on) >= first, col(BillPayment.paid_on) <= last)
        .group_by(col(Bill.category))).all()
    by_category = {BudgetCategory(c): (int(n), int(cents or 0)) for c, n, cents in paid}
    rows: list[tuple[str, ...]] = [(f"Paid: {c.label}", str(by_category[c][0]), money(by_category[c][1]))
                                   for c in BudgetCategory if c in by_category]
    rows.append(("Paid in the month", str(sum(n for n, _ in by_category.values())),
                 money(sum(cents for _, cents in by_category.values()))))
    paid_by_end = (select(col(BillPayment.bill_id), func.sum(col(BillPayment.amount_cents)).label("cents"))
                   .where(col(BillPayment.paid_on) <= last).group_by(col(BillPayment.bill_id)).subquery())
    owed = col(Bill.amount_cents) - func.coalesce(paid_by_end.c.cents, 0)
    late = case((col(Bill.due_date) < last, owed), else_=0)
    counted, owed_cents, late_cents, late_bills = session.exec(
        select(func.count(), func.sum(owed), func.sum(late), func.sum(case((col(Bill.due_date) < last, 1), else_=0)))
        .select_from(Bill).join(paid_by_end, paid_by_end.c.bill_id == Bill.id, isouter=True)
        .where(col(Bill.status) != BillStatus.void, col(Bill.invoice_date) <= last, owed > 0)).one()
    rows.append((f"Owed on {last:%m/%d/%Y}", str(counted or 0), money(int(owed_cents or 0))))
    rows.append(("  of which past due", str(int(late_bills or 0)), money(int(late_cents or 0))))
    return ReportSection(f"Bills paid and owed, {first:%B %Y}", ("", "Bills", "Amount"), tuple(rows),
                         "Paid: the payments recorded in the month, by the bill's budget category. Owed: bills "
                         "dated by the month's end less what was paid by then; void bills are left out.")


PAID_HEADER = ("paid_on", "vendor", "invoice_number", "invoice_date", "category", "amount_paid", "method",
               "reference", "bill_total")


def paid_bills_csv(session: Session, first: date, last: date, *, actor: str) -> str:
    """The accountant's file: one row per payment made `first`..`last` (see paid_bills_export)."""
    return paid_bills_export(session, first, last, actor=actor)[0]


def paid_bills_export(session: Session, first: date, last: date, *, actor: str) -> tuple[str, int]:
    """One row per payment made `first`..`last`, oldest first, and how many rows; text cells a spreadsheet could
    run as a formula are written as text (services.csv_out)."""
    require(actor, Area.finance, write=False, what="exporting paid bills")
    if last < first:
        raise ServiceError(f"the last day ({last:%m/%d/%Y}) is before the first ({first:%m/%d/%Y})")
    if (last - first).days > MAX_EXPORT_DAYS:
        raise ServiceError("export at most three years of payments at a time")
    found = session.exec(
        select(BillPayment, Bill, col(Vendor.name)).join(Bill, col(Bill.id) == BillPayment.bill_id)
        .join(Vendor, col(Vendor.id) == Bill.vendor_id)
        .where(col(BillPayment.paid_on) >= first, col(BillPayment.paid_on) <= last)
        .order_by(col(BillPayment.paid_on), col(BillPayment.id))).all()
    rows: list[list[Cell]] = [
        [p.paid_on.isoformat(), name, b.invoice_number, b.invoice_date.isoformat(), b.category.label,
         dollars(p.amount_cents), p.method.label, p.reference, dollars(b.amount_cents)]
        for p, b, name in found]
    return csv_text(PAID_HEADER, rows), len(rows)


def due_line(due: BillsDue, what: str) -> str:
    """"3 bills overdue, $1,234.00" (the A/P aging screen's line)."""
    return f"{plural(due.count, 'bill')} {what}, {money(due.open_cents)}"

