"""The practice's operating budget, work RVUs per procedure code, and the month-end close.

The budget covers this year and last (every year of history at the large scale): payroll from the staff's pay
settings, rent and the contracts from the recurring bills, and the supplies categories from what the demo's
purchase orders cost over the past year, so budget against actual shows most lines under and a few over. The
month before last is closed with its whole checklist; last month is open with half of it ticked.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from officemgr.demo._db import DEMO_CALENDAR, _end_of_month, _insert, _next_id, _working_time
from officemgr.demo._types import DEMO_NOW, Person, Row, Scale
from officemgr.demo.payables import (
    CLEANING_CONTRACT,
    EHR_SUBSCRIPTION,
    ITEM_BUDGET,
    MALPRACTICE,
    MARKETING_RANGE,
    RENT,
    SERVICE_CONTRACT,
    UTILITIES_BASE_CENTS,
)
from officemgr.models import Item, ItemCategory, OrderStatus, PurchaseOrder, PurchaseOrderLine, Role
from officemgr.models.base import table_of
from officemgr.models.finance import BudgetAmount, BudgetCategory, ClaimPosting, CloseTask, MonthClose, RvuRate
from officemgr.models.ledger import LedgerEntry
from officemgr.models.people import PaySetting

# CMS physician fee schedule work RVUs of every code the demo's claims bill ("" modifier). Lab tests, the vaccine
# product and the nebulizer treatment carry no physician work.
WORK_RVU = {
    "99203": 1.60, "99204": 2.60, "99212": 0.70, "99213": 1.30, "99214": 1.92, "99215": 2.80,
    "99391": 1.37, "99392": 1.50, "99393": 1.50, "99394": 1.70, "99395": 1.75, "99396": 1.90, "99397": 2.00,
    "G0439": 1.50, "90686": 0.00, "90471": 0.17, "36415": 0.00, "81002": 0.00, "87880": 0.00, "87804": 0.00,
    "93000": 0.17, "94640": 0.00, "96372": 0.17,
}
# Vaccine spend follows the flu season: the budget puts more of it in September to November (the twelve average 1).
VACCINE_SEASON = {1: 1.0, 2: 1.0, 3: 0.9, 4: 0.6, 5: 0.6, 6: 0.8, 7: 1.2, 8: 0.8, 9: 1.3, 10: 1.4, 11: 1.3, 12: 1.1}
BUDGET_HEADROOM = 1.10  # the supplies categories are budgeted a tenth above last year's average spend
YEARLY_GROWTH = 0.03  # each earlier year's budget is this much smaller
HOURS_PER_MONTH = 2080 / 12
CLOSE_KEYS = ("deposits", "payments", "statements", "ar_review", "bills", "payroll")
CLOSE_NOTES = {"deposits": "Bank statement matched; one card batch landed the next business day",
               "ar_review": "Called on the claims past 90 days; two appeals sent"}
OPEN_MONTH_TICKED = 3
CLOSE_BUSINESS_DAYS = 5


def _add_finance(conn: Connection, rng: random.Random, staff: list[Person], plan: Scale, today: date) -> None:
    years = range(today.year - max(2, plan.closed_claim_days // 365) + 1, today.year + 1)
    _add_budget(conn, staff, years, today)
    first_rvu = _next_id(conn, RvuRate)
    _insert(conn, RvuRate, [{"id": first_rvu + n, "year": year, "code": code, "modifier": "", "work_rvu": rvu}
                            for n, (year, (code, rvu)) in enumerate((y, c) for y in years for c in WORK_RVU.items())])
    _add_close(conn, rng, staff, today)


def _add_budget(conn: Connection, staff: list[Person], years: range, today: date) -> None:
    monthly, quarterly = _monthly_budget(conn, staff, today)
    rows: list[Row] = []
    first = _next_id(conn, BudgetAmount)
    for year in years:
        shrink = (1 - YEARLY_GROWTH) ** (today.year - year)
        for month in range(1, 13):
            for category in BudgetCategory:
                # Quarterly bills (the premium, the service contract) come in January, April, July and October.
                due = monthly[category] * _season(category, month) + quarterly[category] * (month % 3 == 1)
                cents = _dollars(due * shrink)
                rows.append({"id": first + len(rows), "year": year, "month": month, "category": category.value,
                             "amount_cents": cents, "version": 1})
    _insert(conn, BudgetAmount, rows)


def _monthly_budget(conn: Connection, staff: list[Person],
                    today: date) -> tuple[dict[BudgetCategory, float], dict[BudgetCategory, float]]:
    """This year's amounts in cents per category: each month's (before the season), and each quarter's."""
    providers = sum(1 for p in staff if p.is_provider)
    pay = table_of(PaySetting)
    salaries, hourly = conn.execute(select(func.coalesce(func.sum(pay.c.salary_cents), 0),
                                           func.coalesce(func.sum(pay.c.hourly_rate_cents), 0))).one()
    budget = {category: 0.0 for category in BudgetCategory}
    quarterly = {category: 0.0 for category in BudgetCategory}
    budget[BudgetCategory.payroll] = salaries / 12 + hourly * HOURS_PER_MONTH
    budget[BudgetCategory.rent] = RENT.amount(providers)
    budget[BudgetCategory.software] = EHR_SUBSCRIPTION.amount(providers) + 5_000  # and a few small subscriptions
    quarterly[BudgetCategory.insurance] = MALPRACTICE.amount(providers)
    quarterly[BudgetCategory.equipment] = SERVICE_CONTRACT.amount(providers)
    budget[BudgetCategory.marketing] = sum(MARKETING_RANGE) / 2
    budget[BudgetCategory.other] = CLEANING_CONTRACT.amount(providers) + UTILITIES_BASE_CENTS * BUDGET_HEADROOM
    for category, cents in _supplies_spend(conn, today).items():
        budget[category] += cents / 12 * BUDGET_HEADROOM
    return budget, quarterly


def _supplies_spend(conn: Connection, today: date) -> dict[BudgetCategory, int]:
    """What the received purchase orders of the past year cost, per budget category."""
    orders, lines, items = table_of(PurchaseOrder), table_of(PurchaseOrderLine), table_of(Item)
    spent = {category: 0 for category in set(ITEM_BUDGET.values())}
    query = (select(items.c.category, func.sum(lines.c.received * lines.c.unit_cost_cents))
             .join(lines, lines.c.item_id == items.c.id).join(orders, orders.c.id == lines.c.order_id)
             .where(orders.c.status == OrderStatus.received.value,
                    orders.c.received_on > today - relativedelta(years=1))
             .group_by(items.c.category))
    for category, cents in conn.execute(query):
        spent[ITEM_BUDGET[ItemCategory(category)]] += int(cents or 0)
    return spent


def _season(category: BudgetCategory, month: int) -> float:
    return VACCINE_SEASON[month] if category is BudgetCategory.vaccines else 1.0


def _dollars(cents: float) -> int:
    """Rounded up to the next $50: budgets are planned in round figures."""
    return math.ceil(cents / 5_000) * 5_000


def _add_close(conn: Connection, rng: random.Random, staff: list[Person], today: date) -> None:
    """The last month closed on the fifth business day of the next one, its six steps done. Before this month's
    fifth business day has passed, that is the month before last, and last month is open with three steps ticked."""
    manager = next((p.name for p in staff if p.role is Role.manager), staff[0].name)
    this_month = today.replace(day=1)
    last_month = this_month - relativedelta(months=1)
    closing = last_month if _close_days(this_month)[-1] < today else last_month - relativedelta(months=1)
    close_days = _close_days(closing + relativedelta(months=1))
    closed_at = _working_time(rng, close_days[-1], 15 * 60, 17 * 60)
    conn.execute(table_of(MonthClose).insert(), [{
        "month": closing, "closed_at": closed_at, "closed_by": manager,
        "insurance_ar_cents": _balance(conn, ClaimPosting, _end_of_month(closing)),
        "patient_ar_cents": _balance(conn, LedgerEntry, _end_of_month(closing)),
        "reopened_at": None, "reopened_by": "", "reopen_reason": "", "version": 1}])
    tasks: list[Row] = []
    for key, day in zip(CLOSE_KEYS, [d for d in close_days for _ in (0, 1)], strict=False):
        tasks.append({"month": closing, "key": key, "note": CLOSE_NOTES.get(key, ""), "done_by": manager,
                      "done_at": min(_working_time(rng, day, 9 * 60, 15 * 60), closed_at)})
    if closing < last_month:
        # This month's business days so far (today's before the demo's "now"), the last one repeated when few.
        now = datetime.combine(today, DEMO_NOW)
        days = DEMO_CALENDAR.business_days(this_month, today) or [today]
        for n, key in enumerate(CLOSE_KEYS[:OPEN_MONTH_TICKED]):
            done = min(_working_time(rng, days[min(n, len(days) - 1)], 9 * 60, 15 * 60), now - timedelta(minutes=30))
            tasks.append({"month": last_month, "key": key, "note": "", "done_by": manager, "done_at": done})
    first = _next_id(conn, CloseTask)
    _insert(conn, CloseTask, [{**task, "id": first + n} for n, task in enumerate(tasks)])


def _close_days(month: date) -> list[date]:
    """A month's first five business days: the close of the month before is done in them."""
    return DEMO_CALENDAR.business_days(month, _end_of_month(month))[:CLOSE_BUSINESS_DAYS]


def _balance(conn: Connection, model: type[ClaimPosting] | type[LedgerEntry], last: date) -> int:
    """A/R as it stood at the end of `last`: every dated posting up to it."""
    table = table_of(model)
    return int(conn.execute(select(func.coalesce(func.sum(table.c.amount_cents), 0))
                            .where(table.c.day <= last)).scalar_one())
