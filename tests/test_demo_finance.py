"""The demo's practice money (issue 24): bills to pay with their story, the budget, work RVUs and the closed month."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from officemgr import store
from officemgr.demo import fill
from officemgr.demo._db import DEMO_CALENDAR
from officemgr.models import ClaimLine, PurchaseOrderLine, Staff, Vendor
from officemgr.models.base import table_of
from officemgr.models.finance import BudgetAmount, BudgetCategory, CloseTask, MonthClose, RvuRate
from officemgr.models.ledger import LedgerEntry
from officemgr.models.payables import Bill, BillLine, BillPayment, BillStatus, RecurringBill
from officemgr.models.payment_terms import invoice_key, parse_terms

TODAY = date(2026, 11, 23)
OPEN = (BillStatus.entered.value, BillStatus.approved.value)


def filled(today: date = TODAY, seed: int = 1) -> Engine:
    engine = store.create_engine_for("sqlite://")
    SQLModel.metadata.create_all(engine)
    fill(engine, today=today, seed=seed)
    return engine


@pytest.fixture(scope="module")
def demo() -> Engine:
    return filled()


def rows(engine: Engine, model: type[SQLModel]) -> list[Any]:
    table = table_of(model)
    with engine.connect() as conn:
        return list(conn.execute(select(table).order_by(*table.primary_key.columns)))


def vendors(engine: Engine) -> dict[int, Any]:
    return {v.id: v for v in rows(engine, Vendor)}


# ------------------------------------------------------------------------------------------------ bills


def test_two_bills_are_overdue_and_two_due_within_the_week(demo: Engine) -> None:
    open_bills = [b for b in rows(demo, Bill) if b.status in OPEN]
    overdue = [b for b in open_bills if b.due_date < TODAY]
    due_soon = [b for b in open_bills if TODAY <= b.due_date <= TODAY + timedelta(days=7)]
    assert len(overdue) == 2 and all(b.status == BillStatus.approved.value for b in overdue)
    assert len(due_soon) == 2
    # A few current ones besides: open and due after the week.
    assert len([b for b in open_bills if b.due_date > TODAY + timedelta(days=7)]) >= 3


def test_the_likely_duplicate_is_entered_beside_the_paid_invoice(demo: Engine) -> None:
    by_number = {b.invoice_number: b for b in rows(demo, Bill)}
    paid, twin = by_number["INV-4471"], by_number["INV-4417"]
    assert paid.status == BillStatus.paid.value and twin.status == BillStatus.entered.value
    assert (twin.vendor_id, twin.amount_cents) == (paid.vendor_id, paid.amount_cents)
    assert twin.invoice_date - paid.invoice_date == timedelta(days=3)
    assert twin.invoice_key != paid.invoice_key
    assert twin.match_note == f"Possible duplicate of INV-4471 ($486.50, {paid.invoice_date:%m/%d/%Y}, paid)"
    assert twin.approved_at is None and twin.paid_cents == 0


def test_two_order_bills_differ_from_what_was_ordered_and_received(demo: Engine) -> None:
    ordered = {(line.order_id, line.item_id): line for line in rows(demo, PurchaseOrderLine)}
    lines = defaultdict(list)
    for line in rows(demo, BillLine):
        lines[line.bill_id].append(line)
    price, quantity = [], []
    for bill in rows(demo, Bill):
        if bill.purchase_order_id is None:
            continue
        assert bill.amount_cents == sum(line.quantity * line.unit_cost_cents for line in lines[bill.id])
        for line in lines[bill.id]:
            order_line = ordered[(bill.purchase_order_id, line.item_id)]
            if line.unit_cost_cents != order_line.unit_cost_cents:
                price.append(bill)
            if line.quantity != order_line.received:
                quantity.append(bill)
    assert len(price) == 1 and len(quantity) == 1 and price[0].id != quantity[0].id
    assert [b.status for b in price + quantity] == [BillStatus.entered.value] * 2
    assert "billed at" in price[0].match_note and "received" in quantity[0].match_note
    billed = next(line for line in lines[quantity[0].id]
                  if line.quantity > ordered[(quantity[0].purchase_order_id, line.item_id)].received)
    assert billed.quantity > ordered[(quantity[0].purchase_order_id, billed.item_id)].received


def test_paid_cents_is_the_sum_of_the_payments_for_every_bill(demo: Engine) -> None:
    paid: dict[int, list[Any]] = defaultdict(list)
    for payment in rows(demo, BillPayment):
        paid[payment.bill_id].append(payment)
    bills = rows(demo, Bill)
    assert len([b for b in bills if b.status == BillStatus.paid.value]) > 0.9 * len(bills)
    for bill in bills:
        assert bill.paid_cents == sum(p.amount_cents for p in paid[bill.id]), bill.invoice_number
        if bill.status == BillStatus.paid.value:
            assert bill.paid_cents == bill.amount_cents and bill.approved_by
            assert bill.paid_on == max(p.paid_on for p in paid[bill.id])
            assert bill.invoice_date <= bill.paid_on < TODAY and DEMO_CALENDAR.is_business_day(bill.paid_on)
            assert bill.entered_at <= bill.approved_at <= min(p.at for p in paid[bill.id])
        else:
            assert bill.paid_on is None and not paid[bill.id]


def test_payments_are_mostly_on_time_checks_numbered_rent_by_transfer(demo: Engine) -> None:
    bills = {b.id: b for b in rows(demo, Bill)}
    payments = rows(demo, BillPayment)
    late = [p for p in payments if p.paid_on > bills[p.bill_id].due_date]
    assert 0 < len(late) < 0.1 * len(payments)
    checks = [p.reference for p in payments if p.method == "check"]
    assert len(checks) == len(set(checks)) and all(ref.isdigit() for ref in checks)
    rent = [p for p in payments if bills[p.bill_id].invoice_number.startswith("RENT ")]
    assert rent and all(p.method == "ach" and p.reference for p in rent)


def test_every_bill_keys_its_number_and_is_due_by_its_vendors_terms(demo: Engine) -> None:
    terms = {v.id: v.terms for v in rows(demo, Vendor)}
    for bill in rows(demo, Bill):
        assert bill.invoice_key == invoice_key(bill.invoice_number)
        assert bill.due_date == parse_terms(terms[bill.vendor_id]).due_date(bill.invoice_date)
        assert bill.invoice_date <= TODAY
    assert {"2/10 net 30", "net 30", "net 15", "due on receipt"} <= set(terms.values())


def test_recurring_bills_are_made_each_period_for_a_year(demo: Engine) -> None:
    names = {v.id: v.name for v in rows(demo, Vendor)}
    recurring = {r.id: r for r in rows(demo, RecurringBill)}
    assert {(names[r.vendor_id], r.frequency, r.amount_cents) for r in recurring.values()} >= {
        ("Maple Street Properties LLC", "monthly", 850_000), ("Midwest Biomedical Services", "quarterly", 135_000)}
    periods = defaultdict(list)
    for bill in rows(demo, Bill):
        if bill.recurring_id is not None:
            periods[bill.recurring_id].append(bill)
            assert bill.amount_cents == recurring[bill.recurring_id].amount_cents
            assert bill.invoice_date == bill.period and bill.invoice_number.endswith(f" {bill.period:%Y-%m}")
    rent = next(r.id for r in recurring.values() if r.category == "rent")
    assert [b.period for b in periods[rent]] == [date(2025, 12, 1)] + [date(2026, m, 1) for m in range(1, 12)]
    assert periods[rent][-1].invoice_number == "RENT 2026-11"
    service = next(r.id for r in recurring.values() if r.frequency == "quarterly" and r.category == "equipment")
    assert [b.period for b in periods[service]] == [date(2026, m, 1) for m in (1, 4, 7, 10)]


# ----------------------------------------------------------------------------------------------- budget


def test_the_budget_covers_both_years_and_every_category(demo: Engine) -> None:
    budget = {(b.year, b.month, b.category): b.amount_cents for b in rows(demo, BudgetAmount)}
    assert set(budget) == {(y, m, c.value) for y in (2025, 2026) for m in range(1, 13) for c in BudgetCategory}
    year = {c.value: sum(budget[(2026, m, c.value)] for m in range(1, 13)) for c in BudgetCategory}
    assert max(year, key=lambda c: year[c]) == "payroll"
    assert all(budget[(2026, m, "rent")] == 850_000 for m in range(1, 13))
    assert min(budget[(2026, m, "vaccines")] for m in (9, 10, 11)) > max(budget[(2026, m, "vaccines")]
                                                                            for m in (4, 5))
    assert all(budget[(2025, m, c)] <= budget[(2026, m, c)] for (_, m, c) in budget)
    assert sum(budget[(2025, m, "payroll")] for m in range(1, 13)) < year["payroll"]


def test_supplies_spend_is_near_its_budget_some_months_over(demo: Engine) -> None:
    budget = {(b.month, b.category): b.amount_cents for b in rows(demo, BudgetAmount) if b.year == 2026}
    spent: dict[tuple[int, str], int] = defaultdict(int)
    for bill in rows(demo, Bill):
        if bill.invoice_date.year == 2026 and bill.status != BillStatus.void.value:
            spent[(bill.invoice_date.month, bill.category)] += bill.amount_cents
    supplies = ("supplies", "medical_supplies", "vaccines")
    over = [(m, c) for m in range(1, 12) for c in supplies if spent[(m, c)] > budget[(m, c)]]
    assert 0 < len(over) < 0.5 * 11 * len(supplies)
    for category in supplies:
        ratio = sum(spent[(m, category)] for m in range(1, 12)) / sum(budget[(m, category)] for m in range(1, 12))
        assert 0.6 < ratio < 1.1, category


# --------------------------------------------------------------------------------------- RVUs and close


def test_every_code_the_claims_bill_has_work_rvus_for_both_years(demo: Engine) -> None:
    codes = {line.code for line in rows(demo, ClaimLine)}
    rates = {(r.year, r.code): r.work_rvu for r in rows(demo, RvuRate)}
    assert {(year, code) for year in (2025, 2026) for code in codes} <= set(rates)
    assert (rates[(2026, "99213")], rates[(2026, "99214")], rates[(2026, "36415")]) == (1.30, 1.92, 0.0)


def test_october_is_closed_with_its_whole_checklist(demo: Engine) -> None:
    manager = next(f"{s.first_name} {s.last_name}" for s in rows(demo, Staff) if s.role == "manager")
    (closed,) = rows(demo, MonthClose)
    assert closed.month == date(2026, 10, 1) and closed.closed_by == manager and closed.reopened_at is None
    assert closed.closed_at.date() == DEMO_CALENDAR.business_days(date(2026, 11, 1), date(2026, 11, 30))[4]
    assert closed.patient_ar_cents == sum(e.amount_cents for e in rows(demo, LedgerEntry)
                                          if e.day <= date(2026, 10, 31))
    tasks = rows(demo, CloseTask)
    assert {t.key for t in tasks} == {"deposits", "payments", "statements", "ar_review", "bills", "payroll"}
    assert all(t.month == closed.month and t.done_at <= closed.closed_at for t in tasks)
    assert sum(1 for t in tasks if t.note) == 2


@pytest.mark.parametrize(("today", "closed", "open_month"), [
    (date(2026, 11, 6), date(2026, 9, 1), date(2026, 10, 1)),  # November's fifth business day: October not closed yet
    (date(2027, 1, 4), date(2026, 11, 1), date(2026, 12, 1)),  # the first business day of a new year
])
def test_until_the_fifth_business_day_last_month_is_open_with_half_its_checklist(today: date, closed: date,
                                                                                  open_month: date) -> None:
    engine = filled(today=today)
    assert [c.month for c in rows(engine, MonthClose)] == [closed]
    ticked = [t for t in rows(engine, CloseTask) if t.month == open_month]
    assert sorted(t.key for t in ticked) == ["deposits", "payments", "statements"]
    assert all(today.replace(day=1) <= t.done_at.date() <= today for t in ticked)
    assert {b.year for b in rows(engine, BudgetAmount)} == {today.year - 1, today.year}


def test_the_same_seed_gives_the_same_money(demo: Engine) -> None:
    again = filled()
    for model in (Vendor, RecurringBill, Bill, BillLine, BillPayment, BudgetAmount, RvuRate, MonthClose, CloseTask):
        assert rows(demo, model) == rows(again, model), model.__name__


def test_the_roll_forward_balances_for_every_month_of_the_demo_year(demo: Engine) -> None:
    """Each month's opening + charges − payments − adjustments ± transfers = closing, on both A/Rs, and what the
    claims moved to patients reached their ledgers the same month (the journal dates the share on the ledger's day);
    October's A/R matches what its close recorded."""
    from dateutil.relativedelta import relativedelta
    from sqlmodel import Session

    from officemgr.services.ar_rollforward import roll_forward

    month = date(2025, 11, 1)
    with Session(demo) as session:
        while month <= date(2026, 11, 1):  # November: a share held for a secondary plan, said apart
            result = roll_forward(session, month, actor="tests")
            assert result.balances, (month, result.notes)
            month += relativedelta(months=1)
        october = roll_forward(session, date(2026, 10, 1), actor="tests")
        assert october.insurance.recorded_closing_cents == october.insurance.closing_cents > 0
        assert october.patient.recorded_closing_cents == october.patient.closing_cents
