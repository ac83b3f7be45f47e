"""A/P aging, bills due soon and overdue, the month-end section and the paid-bills file (issue 24, part 3)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlmodel import Session

from factories import make_ap_bill, make_vendor, pay_ap_bill
from officemgr.models import UserRole
from officemgr.models.finance import BudgetCategory
from officemgr.models.payables import BillStatus
from officemgr.services import payables_report as ap
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError

TODAY = date(2026, 11, 23)
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
BILLER = Actor("bea", {UserRole.biller}, name="Bea Biller", workstation="office")


def days_past(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.mark.parametrize(("past", "bucket"), [
    (-5, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (400, 4)])
def test_each_bucket_edge(session: Session, past: int, bucket: int) -> None:
    vendor = make_vendor(session, name="Acme Medical")
    make_ap_bill(session, vendor, due=days_past(past), amount_cents=12_345)
    aging = ap.ap_aging(session, today=TODAY, actor=MANAGER)
    [row] = aging.rows
    expected = [0] * 5
    expected[bucket] = 12_345
    assert (row.vendor, list(row.buckets), row.total, row.bills) == ("Acme Medical", expected, 12_345, 1)
    assert aging.totals.buckets == row.buckets


def test_partial_payments_age_the_open_balance_and_paid_void_are_left_out(session: Session) -> None:
    acme = make_vendor(session, name="Acme Medical")
    zed = make_vendor(session, name="Zed Software")
    partly = make_ap_bill(session, acme, due=days_past(10), amount_cents=10_000, status=BillStatus.approved)
    pay_ap_bill(session, partly, 2_500)
    paid = make_ap_bill(session, acme, due=days_past(45), amount_cents=7_000, status=BillStatus.approved)
    pay_ap_bill(session, paid, 7_000)
    make_ap_bill(session, acme, due=days_past(45), amount_cents=9_000, status=BillStatus.void)
    make_ap_bill(session, zed, due=TODAY + timedelta(days=3), amount_cents=4_000)
    make_ap_bill(session, zed, due=days_past(95), amount_cents=1_000)
    aging = ap.ap_aging(session, today=TODAY, actor=BILLER)
    assert [(r.vendor, r.buckets, r.bills) for r in aging.rows] == [
        ("Acme Medical", (0, 7_500, 0, 0, 0), 1), ("Zed Software", (4_000, 0, 0, 0, 1_000), 2)]
    assert (aging.totals.buckets, aging.totals.total) == ((4_000, 7_500, 0, 0, 1_000), 12_500)
    text = ap.aging_text(aging)
    assert "Acme Medical" in text and "$125.00" in text and "$75.00" in text


def test_no_open_bills_says_so(session: Session) -> None:
    aging = ap.ap_aging(session, today=TODAY, actor=MANAGER)
    assert (aging.rows, aging.totals.total) == ([], 0)
    assert "No open bills." in ap.aging_text(aging)


def test_due_soon_is_today_through_seven_days_and_overdue_is_before_today(session: Session) -> None:
    vendor = make_vendor(session, name="Acme Medical")
    make_ap_bill(session, vendor, due=TODAY, amount_cents=1_000, number="A1")
    make_ap_bill(session, vendor, due=TODAY + timedelta(days=7), amount_cents=2_000, number="A2")
    make_ap_bill(session, vendor, due=TODAY + timedelta(days=8), amount_cents=4_000, number="A3")
    make_ap_bill(session, vendor, due=TODAY - timedelta(days=1), amount_cents=8_000, number="A4")
    make_ap_bill(session, vendor, due=TODAY - timedelta(days=40), amount_cents=16_000, number="A5")
    soon = ap.due_soon(session, today=TODAY, actor=MANAGER)
    late = ap.overdue(session, today=TODAY, actor=MANAGER)
    assert (soon.count, soon.open_cents, [b.invoice_number for b in soon.first]) == (2, 3_000, ["A1", "A2"])
    assert (late.count, late.open_cents, [b.invoice_number for b in late.first]) == (2, 24_000, ["A5", "A4"])
    assert ap.overdue(session, today=TODAY, actor=MANAGER, limit=1).first[0].invoice_number == "A5"


def test_the_front_desk_may_not_see_bills(session: Session) -> None:
    desk = Actor("fay", {UserRole.front_desk}, name="Fay Desk", workstation="desk")
    with pytest.raises(NotAllowed):
        ap.ap_aging(session, today=TODAY, actor=desk)
    with pytest.raises(NotAllowed):
        ap.paid_bills_csv(session, TODAY, TODAY, actor=desk)


def test_the_month_section_has_payments_by_category_and_what_was_owed_at_the_end(session: Session) -> None:
    vendor = make_vendor(session, name="Acme Medical")
    rent = make_ap_bill(session, vendor, due=date(2026, 10, 5), amount_cents=300_000, category=BudgetCategory.rent,
                        invoice_date=date(2026, 10, 1))
    pay_ap_bill(session, rent, 300_000, paid_on=date(2026, 10, 31))  # the last day: in October
    supplies = make_ap_bill(session, vendor, due=date(2026, 10, 30), amount_cents=50_000,
                            invoice_date=date(2026, 10, 1))
    pay_ap_bill(session, supplies, 20_000, paid_on=date(2026, 10, 1))
    pay_ap_bill(session, supplies, 30_000, paid_on=date(2026, 11, 1))  # November: owed at October's end
    make_ap_bill(session, vendor, due=date(2026, 11, 30), amount_cents=7_000, invoice_date=date(2026, 10, 31))
    make_ap_bill(session, vendor, due=date(2026, 12, 1), amount_cents=9_000, invoice_date=date(2026, 11, 1))
    make_ap_bill(session, vendor, due=date(2026, 10, 20), amount_cents=9_900, invoice_date=date(2026, 10, 1),
                 status=BillStatus.void)
    section = ap.month_report_section(session, date(2026, 10, 1), actor=BILLER)
    assert section.title == "Bills paid and owed, October 2026"
    assert section.rows == (
        ("Paid: Rent", "1", "$3,000.00"), ("Paid: Supplies", "1", "$200.00"),
        ("Paid in the month", "2", "$3,200.00"),
        ("Owed on 10/31/2026", "2", "$370.00"), ("  of which past due", "1", "$300.00"))
    assert all(len(row) == len(section.columns) for row in section.rows)


def test_the_paid_bills_file_has_a_row_per_payment_in_the_range_with_formulas_as_text(session: Session) -> None:
    vendor = make_vendor(session, name="=HYPERLINK(\"http://x\")")
    bill = make_ap_bill(session, vendor, due=date(2026, 11, 10), amount_cents=10_000, number="+INV-7",
                        invoice_date=date(2026, 10, 11))
    pay_ap_bill(session, bill, 4_000, paid_on=date(2026, 10, 31), reference="1001")
    pay_ap_bill(session, bill, 5_000, paid_on=date(2026, 11, 1), method="ach", reference="@conf")
    pay_ap_bill(session, bill, 1_000, paid_on=date(2026, 12, 1), method="card")
    text, rows = ap.paid_bills_export(session, date(2026, 11, 1), date(2026, 11, 30), actor=MANAGER)
    read = list(csv.reader(io.StringIO(text)))
    assert rows == 1
    assert read == [list(ap.PAID_HEADER), ["2026-11-01", "'=HYPERLINK(\"http://x\")", "'+INV-7", "2026-10-11",
                                           "Supplies", "50.00", "ACH / bank transfer", "'@conf", "100.00"]]
    assert text.endswith("\r\n")
    assert len(list(csv.reader(io.StringIO(ap.paid_bills_csv(session, date(2026, 10, 31), date(2026, 12, 1),
                                                            actor=MANAGER))))) == 4


def test_a_range_backwards_is_refused(session: Session) -> None:
    with pytest.raises(ServiceError, match="before the first"):
        ap.paid_bills_csv(session, TODAY, TODAY - timedelta(days=1), actor=MANAGER)
