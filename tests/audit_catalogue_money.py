"""The audit catalogue's calls for the practice's own money (issue 24): bills, recurring bills, the month-end close,
work RVUs and the budget. Called from test_audit_completeness.catalogue, under its AuditGuard."""

from __future__ import annotations

from pathlib import Path

from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from factories import NOW, TODAY, make_item, make_order, make_vendor
from officemgr.models import OrderStatus
from officemgr.models.finance import BudgetCategory
from officemgr.models.payables import Frequency, PayoutMethod
from officemgr.services import bills, budget, month_close, month_report, recurring_bills, rvu_import

A = "tester"


def money_catalogue(session: Session, folder: Path) -> None:
    supplier = make_vendor(session, name="Bill Supply")
    gauze = make_item(session, name="Gauze pads", unit_cost_cents=400)
    received = make_order(session, supplier, [(gauze, 5, 5)], status=OrderStatus.received)
    bills.set_vendor_terms(session, supplier.id, "net 15", expected_version=supplier.version, now=NOW, actor=A)
    owed = bills.enter_bill(session, bills.BillCreate(
        vendor_id=supplier.id, invoice_number="B-1", invoice_date=TODAY, amount_cents=2_000,
        purchase_order_id=received.id), today=TODAY, now=NOW, actor=A)
    bills.update_bill(session, owed, bills.BillCreate(
        vendor_id=supplier.id, invoice_number="B-1", invoice_date=TODAY, amount_cents=2_000,
        purchase_order_id=received.id, lines=[bills.BillLineIn(item_id=gauze.id, quantity=5, unit_cost_cents=400)]),
        expected_version=1, today=TODAY, now=NOW, actor=A)
    bills.approve_bill(session, owed, now=NOW, actor=A)
    bills.pay_bill(session, owed, bills.BillPaymentCreate(paid_on=TODAY, method=PayoutMethod.check, reference="501"),
                   today=TODAY, now=NOW, actor=A)
    voided = bills.enter_bill(session, bills.BillCreate(vendor_id=supplier.id, invoice_number="B-2",
                                                        invoice_date=TODAY, amount_cents=100),
                              today=TODAY, now=NOW, actor=A)
    bills.void_bill(session, voided, "sent twice", now=NOW, actor=A)

    rent = recurring_bills.add_recurring(session, recurring_bills.RecurringIn(
        vendor_id=supplier.id, description="Rent", category=BudgetCategory.rent, amount_cents=850_000,
        frequency=Frequency.monthly, day_of_month=1, start=TODAY.replace(day=1)), now=NOW, actor=A)
    recurring_bills.edit_recurring(session, rent, recurring_bills.RecurringIn(
        vendor_id=supplier.id, description="Office rent", category=BudgetCategory.rent, amount_cents=850_000,
        frequency=Frequency.monthly, day_of_month=1, start=TODAY.replace(day=1)), now=NOW, actor=A,
        expected_version=1)
    recurring_bills.generate_due(session, today=TODAY, now=NOW, actor=A)
    recurring_bills.end_recurring(session, rent, TODAY + relativedelta(months=6), now=NOW, actor=A,
                                  expected_version=2)

    last_month = TODAY.replace(day=1) - relativedelta(months=1)
    month_close.tick(session, last_month, "deposits", today=TODAY, now=NOW, actor=A)
    month_close.untick(session, last_month, "deposits", today=TODAY, now=NOW, actor=A)
    month_close.close_month(session, last_month, today=TODAY, now=NOW, actor=A, force=True)
    month_close.reopen_month(session, last_month, "late EOB", now=NOW, actor=A)
    month_report.save_report(session, last_month, folder / "month.md", "md", today=TODAY, now=NOW, actor=A)

    rvu_import.import_rvu(session, "code,modifier,work_rvu\n99213,,1.30\n", year=TODAY.year,
                          now=NOW, actor=A)

    budget.set_amount(session, 2026, 1, BudgetCategory.rent, 450_000, now=NOW, actor=A)
    budget.set_row(session, 2026, BudgetCategory.software, [10_000] * 12, now=NOW, actor=A)
    budget.copy_year(session, 2026, 2027, 3, now=NOW, actor=A)
    budget.export_budget_file(session, 2027, folder / "budget.csv", now=NOW, actor=A)
    budget.import_budget_csv(session, folder / "budget.csv", 2028, now=NOW, actor=A)
