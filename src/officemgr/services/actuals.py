"""What the practice actually spent per budget category and month, against its operating budget (services.budget).

Actuals come from three places, each grouped in SQL by category and month:

- Bills to pay (models.payables.Bill): the bill's amount in its category, in the month of its invoice date; a
  void bill is left out. Of a bill that pays a purchase order only what it costs beyond its received lines at the
  order's prices counts here (a higher price, freight or tax, units billed but not received; less for a
  discount): the receipts below count the rest, and counting the whole bill too would count the supplies twice.
- Supplies received on purchase orders: each receipt (a stock movement carrying its order and its day) times the
  order line's unit cost, in the month it came in, in the budget category of the item's category
  (services.purchasing.BUDGET_CATEGORY). A partly received order counts what came in, when it came in.
- Payroll: the hours worked (services.payroll.worked_minutes_by_day: punches, else shifts) and the hours of
  approved paid leave (the kinds of the paid_time_off_kinds setting, spread over business days as payroll does)
  times the hourly rate where one is entered (overtime is counted at the plain rate); a salaried person's
  salary / 12 for each month they were employed (hired on or before its last day, ended on or after its first).
  People who worked but have no pay rate are left out and counted in a note. Days after `today` are not counted
  (a scheduled shift is not yet worked).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import extract, func
from sqlmodel import Session, col, select

from officemgr.models import (
    Item,
    ItemCategory,
    MovementKind,
    PurchaseOrderLine,
    StockMovement,
    TimeOff,
    TimeOffStatus,
)
from officemgr.models.finance import BudgetCategory
from officemgr.models.payables import Bill, BillLine, BillStatus
from officemgr.models.people import PaySetting, PayType, Staff
from officemgr.services import settings
from officemgr.services.access import Area, require
from officemgr.services.budget import year_amounts
from officemgr.services.calendar import practice_calendar
from officemgr.services.format import money, plural
from officemgr.services.payroll import leave_hours_between, worked_minutes_by_day
from officemgr.services.purchasing import BUDGET_CATEGORY
from officemgr.services.report_section import ReportSection

Months = tuple[int, ...]  # twelve amounts in cents, January first


@dataclass(frozen=True)
class YearActuals:
    year: int
    months: dict[BudgetCategory, Months]  # only categories with some spending
    notes: tuple[str, ...]  # what is left out (people without a pay rate)


@dataclass(frozen=True)
class Figures:
    budget_cents: int
    actual_cents: int

    @property
    def variance_cents(self) -> int:
        """Budget − actual: negative is over budget."""
        return self.budget_cents - self.actual_cents

    @property
    def percent(self) -> float | None:
        """The variance as a percentage of the budget; None with no budget."""
        return None if self.budget_cents == 0 else 100 * self.variance_cents / self.budget_cents


@dataclass(frozen=True)
class CategoryLine:
    category: BudgetCategory
    month: Figures
    ytd: Figures  # January through the month


@dataclass(frozen=True)
class BudgetVsActual:
    year: int
    month: int
    lines: list[CategoryLine]  # every category, in the list's order
    month_total: Figures
    ytd_total: Figures
    notes: tuple[str, ...]


def _add(found: dict[BudgetCategory, list[int]], category: BudgetCategory, month: int, cents: int) -> None:
    found.setdefault(category, [0] * 12)[month - 1] += cents


def _bills(session: Session, year: int, last: date, found: dict[BudgetCategory, list[int]]) -> None:
    month = extract("month", col(Bill.invoice_date))
    rows = session.exec(
        select(Bill.category, month, func.sum(col(Bill.amount_cents)))
        .where(col(Bill.invoice_date) >= date(year, 1, 1), col(Bill.invoice_date) <= last,
               col(Bill.status) != BillStatus.void, col(Bill.purchase_order_id).is_(None))
        .group_by(col(Bill.category), month)
    ).all()
    for category, number, total in rows:
        _add(found, BudgetCategory(category), int(number), int(total or 0))


def _order_bill_differences(session: Session, year: int, last: date, found: dict[BudgetCategory, list[int]]) -> None:
    """A purchase order's bill less what its lines received are worth at the order's prices (see the module's
    note), in the bill's category and invoice month. A year's order bills are few (one per delivery)."""
    bills = session.exec(
        select(Bill).where(col(Bill.invoice_date) >= date(year, 1, 1), col(Bill.invoice_date) <= last,
               col(Bill.status) != BillStatus.void, col(Bill.purchase_order_id).is_not(None))).all()
    if not bills:
        return
    billed: dict[int, list[tuple[int | None, int]]] = {}
    for bill_id, item_id, quantity in session.exec(
            select(BillLine.bill_id, BillLine.item_id, BillLine.quantity)
            .where(col(BillLine.bill_id).in_([b.id for b in bills]))):
        billed.setdefault(bill_id, []).append((item_id, quantity))
    ordered: dict[int, dict[int, tuple[int, int]]] = {}  # order -> item -> (received, unit cost)
    for order_id, item_id, got, cost in session.exec(
            select(PurchaseOrderLine.order_id, PurchaseOrderLine.item_id, PurchaseOrderLine.received,
                   PurchaseOrderLine.unit_cost_cents)
            .where(col(PurchaseOrderLine.order_id).in_({b.purchase_order_id for b in bills}))):
        ordered.setdefault(order_id, {})[item_id] = (got, cost)
    for bill in bills:
        lines = ordered.get(bill.purchase_order_id or 0, {})
        if bill.id in billed:
            worth = sum(min(quantity, lines[item][0]) * lines[item][1]
                        for item, quantity in billed[bill.id] if item is not None and item in lines)
        else:
            worth = sum(got * cost for got, cost in lines.values())
        if bill.amount_cents != worth:
            _add(found, bill.category, bill.invoice_date.month, bill.amount_cents - worth)


def _receipts(session: Session, year: int, last: date, found: dict[BudgetCategory, list[int]]) -> None:
    # An order holds an item on one line; the subquery keeps a join from counting a receipt twice if not.
    cost = (select(col(PurchaseOrderLine.order_id).label("order_id"), col(PurchaseOrderLine.item_id).label("item_id"),
                   func.max(col(PurchaseOrderLine.unit_cost_cents)).label("unit_cost"))
            .group_by(col(PurchaseOrderLine.order_id), col(PurchaseOrderLine.item_id)).subquery())
    month = extract("month", col(StockMovement.at))
    start = datetime(year, 1, 1)
    rows = session.exec(
        select(Item.category, month, func.sum(col(StockMovement.quantity) * cost.c.unit_cost))
        .join(cost, (cost.c.order_id == StockMovement.order_id) & (cost.c.item_id == StockMovement.item_id))
        .join(Item, col(Item.id) == StockMovement.item_id)
        .where(StockMovement.kind == MovementKind.receive, col(StockMovement.at) >= start,
               col(StockMovement.at) < datetime.combine(last + timedelta(days=1), time.min))
        .group_by(col(Item.category), month)
    ).all()
    for category, number, total in rows:
        _add(found, BUDGET_CATEGORY[ItemCategory(category)], int(number), int(total or 0))


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _employed_in(person: Staff, first: date, last: date) -> bool:
    return ((person.hire_date is None or person.hire_date <= last)
            and (person.end_date is None or person.end_date >= first))


def _payroll(session: Session, year: int, last: date, found: dict[BudgetCategory, list[int]]) -> list[str]:
    """Pay per month into `found`; the notes of what is left out."""
    people = session.exec(select(Staff, PaySetting).join(PaySetting, col(PaySetting.staff_id) == Staff.id,
                                                          isouter=True)).all()
    ids = [person.id for person, _ in people if person.id is not None]
    worked = worked_minutes_by_day(session, ids, date(year, 1, 1), last)
    paid_kinds = {str(kind).strip().casefold() for kind in settings.get(session, "paid_time_off_kinds")}
    leave: dict[int, list[TimeOff]] = {}
    for absence in session.exec(select(TimeOff).where(
            TimeOff.status == TimeOffStatus.approved, col(TimeOff.start_date) <= last,
            col(TimeOff.end_date) >= date(year, 1, 1))):
        if absence.kind.strip().casefold() in paid_kinds:
            leave.setdefault(absence.staff_id, []).append(absence)
    open_days = practice_calendar(session)
    unpaid = 0
    for person, pay in people:
        minutes = worked.get(person.id or 0, {})
        salary = pay.salary_cents if pay is not None else None
        rate = pay.hourly_rate_cents if pay is not None else None
        if salary and (person.pay_type == PayType.salaried or not rate):
            for month in range(1, last.month + 1):
                first = date(year, month, 1)
                if _employed_in(person, first, date(year, month, calendar.monthrange(year, month)[1])):
                    _add(found, BudgetCategory.payroll, month, _half_up(Decimal(salary) / 12))
        elif rate:
            per_month = [Decimal(0)] * 12
            for day, count in minutes.items():
                per_month[day.month - 1] += Decimal(count) * rate / 60
            for absence in leave.get(person.id or 0, []):
                for month in range(absence.start_date.month if absence.start_date.year == year else 1,
                                   last.month + 1):
                    first = date(year, month, 1)
                    end = min(last, date(year, month, calendar.monthrange(year, month)[1]))
                    hours = leave_hours_between(absence, first, end, open_days)
                    per_month[month - 1] += Decimal(repr(hours)) * rate
            for month, cents in enumerate(per_month, start=1):
                if cents:
                    _add(found, BudgetCategory.payroll, month, _half_up(cents))
        elif any(minutes.values()):
            unpaid += 1
    if not unpaid:
        return []
    verb = "has" if unpaid == 1 else "have"
    return [f"{plural(unpaid, 'person', 'people')} {verb} no pay rate: their hours are not in payroll actuals"]


def _actuals(session: Session, year: int, through: date) -> YearActuals:
    found: dict[BudgetCategory, list[int]] = {}
    _bills(session, year, through, found)
    _order_bill_differences(session, year, through, found)
    _receipts(session, year, through, found)
    notes = _payroll(session, year, through, found)
    return YearActuals(year, {c: tuple(found[c]) for c in BudgetCategory if c in found}, tuple(notes))


def _through(year: int, today: date | None) -> date:
    """The last day counted: the year's end, or `today` within it."""
    end = date(year, 12, 31)
    return end if today is None or today > end else today


def actuals_year(session: Session, year: int, *, actor: str, today: date | None = None) -> YearActuals:
    """What was spent per category and month of `year` (this module's docstring), up to `today` if given."""
    require(actor, Area.finance, write=False, what="seeing actual spending")
    if today is not None and today < date(year, 1, 1):
        return YearActuals(year, {}, ())
    return _actuals(session, year, _through(year, today))


def budget_vs_actual(session: Session, year: int, month: int, *, actor: str,
                     today: date | None = None) -> BudgetVsActual:
    """Budget, actual and variance per category for `month` and for the year to date through it, with totals."""
    require(actor, Area.finance, write=False, what="seeing budget against actual")
    actual = actuals_year(session, year, actor=actor, today=today)
    planned = year_amounts(session, year)
    lines = []
    for category in BudgetCategory:
        plan = planned.get(category, (0,) * 12)
        spent = actual.months.get(category, (0,) * 12)
        lines.append(CategoryLine(category, Figures(plan[month - 1], spent[month - 1]),
                                  Figures(sum(plan[:month]), sum(spent[:month]))))
    return BudgetVsActual(
        year, month, lines,
        Figures(sum(x.month.budget_cents for x in lines), sum(x.month.actual_cents for x in lines)),
        Figures(sum(x.ytd.budget_cents for x in lines), sum(x.ytd.actual_cents for x in lines)),
        actual.notes)


def percent_text(figures: Figures) -> str:
    """'12.5% under', '3.0% over', 'on budget', or '' with no budget."""
    percent = figures.percent
    if percent is None:
        return ""
    if figures.variance_cents == 0:
        return "on budget"
    return f"{abs(percent):.1f}% {'under' if percent > 0 else 'over'}"


SECTION_COLUMNS = ("Category", "Budget", "Actual", "Variance", "Variance %", "YTD budget", "YTD actual",
                   "YTD variance")


def month_report_section(session: Session, month_first: date, *, actor: str) -> ReportSection:
    """Budget against actual for the month-end report: each category with a budget or spending, and the total."""
    report = budget_vs_actual(session, month_first.year, month_first.month, actor=actor)

    def cells(label: str, line_month: Figures, line_ytd: Figures) -> tuple[str, ...]:
        return (label, money(line_month.budget_cents), money(line_month.actual_cents),
                money(line_month.variance_cents), percent_text(line_month), money(line_ytd.budget_cents),
                money(line_ytd.actual_cents), money(line_ytd.variance_cents))

    rows = [cells(x.category.label, x.month, x.ytd) for x in report.lines
            if x.month.budget_cents or x.month.actual_cents or x.ytd.budget_cents or x.ytd.actual_cents]
    rows.append(cells("Total", report.month_total, report.ytd_total))
    note = ("Actuals: bills by category (a bill paying a purchase order counts as its received supplies), "
            "supplies received on orders, and payroll hours times pay rates. Variance is budget − actual: "
            "negative is over budget.")
    return ReportSection(f"Budget vs actual, {month_first:%B %Y}", SECTION_COLUMNS, tuple(rows),
                         " ".join([note, *report.notes]))
