"""The practice's bills on the Huddle (issue 24, part 3): overdue and due-within-a-week lines at their edges,
recurring bills waiting for the manager, none of it for the front desk."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from factories import make_ap_bill, make_vendor, pay_ap_bill
from officemgr.models import UserRole
from officemgr.models.finance import BudgetCategory
from officemgr.models.payables import BillStatus, Frequency, RecurringBill
from officemgr.services import huddle, huddle_money
from officemgr.services.access import Actor

TODAY = date(2026, 11, 23)
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
BILLER = Actor("bea", {UserRole.biller}, name="Bea Biller", workstation="office")
DESK = Actor("fay", {UserRole.front_desk}, name="Fay Desk", workstation="desk")


def texts(session: Session, actor: Actor, today: date = TODAY) -> list[str]:
    return [f"{i.text} | {i.reason}" for i in huddle_money.bill_items(session, today, actor)]


def test_nothing_open_no_lines(session: Session) -> None:
    vendor = make_vendor(session)
    paid = make_ap_bill(session, vendor, due=TODAY - timedelta(days=3), amount_cents=5_000)
    pay_ap_bill(session, paid, 5_000)
    make_ap_bill(session, vendor, due=TODAY - timedelta(days=3), status=BillStatus.void)
    make_ap_bill(session, vendor, due=TODAY + timedelta(days=8))  # beyond the week
    assert texts(session, MANAGER) == []


def test_overdue_and_due_soon_lines_name_the_most_urgent(session: Session) -> None:
    acme = make_vendor(session, name="Acme Medical")
    make_ap_bill(session, acme, due=TODAY - timedelta(days=1), amount_cents=8_000, number="A-2")
    make_ap_bill(session, acme, due=TODAY - timedelta(days=40), amount_cents=16_000, number="A-1")
    make_ap_bill(session, acme, due=TODAY, amount_cents=1_000, number="A-3")
    make_ap_bill(session, acme, due=TODAY + timedelta(days=7), amount_cents=2_000, number="A-4")
    items = huddle_money.bill_items(session, TODAY, BILLER)
    assert [(i.text, i.reason, i.urgent, i.key) for i in items] == [
        ("Bills overdue: 2, $240.00", "oldest Acme Medical A-1 $160.00, was due 10/14", True, "bills:overdue"),
        ("Bills due in the next 7 days: 2, $30.00", "first Acme Medical A-3 $10.00 due today", False,
         "bills:due-soon")]


def test_a_bill_moves_from_due_soon_to_overdue_the_day_after_its_due_date(session: Session) -> None:
    make_ap_bill(session, make_vendor(session, name="Acme Medical"), due=TODAY, amount_cents=1_000, number="A-3")
    assert texts(session, MANAGER, TODAY - timedelta(days=8)) == []
    assert texts(session, MANAGER, TODAY - timedelta(days=7)) == [
        "Bills due in the next 7 days: 1, $10.00 | first Acme Medical A-3 $10.00 due Mon 11/23"]
    assert texts(session, MANAGER, TODAY + timedelta(days=1)) == [
        "Bills overdue: 1, $10.00 | oldest Acme Medical A-3 $10.00, was due 11/23"]


def test_recurring_bills_waiting_are_the_managers_line(session: Session) -> None:
    vendor = make_vendor(session, name="Main Street Properties")
    session.add(RecurringBill(vendor_id=vendor.id or 0, description="Rent", category=BudgetCategory.rent,
                              amount_cents=450_000, frequency=Frequency.monthly, day_of_month=1,
                              start=date(2026, 12, 1)))
    session.commit()
    assert texts(session, MANAGER, date(2026, 11, 23)) == []  # Dec 1 is 8 days away
    assert texts(session, MANAGER, date(2026, 11, 24)) == [
        "Recurring bills: 1 bill to generate | rent, contracts, software: $ then r, then g"]
    assert texts(session, BILLER, date(2026, 11, 24)) == []  # the biller cannot make them


@pytest.mark.parametrize("role", [UserRole.front_desk, UserRole.clinical])
def test_not_shown_to_who_may_not_see_the_practices_money(session: Session, role: UserRole) -> None:
    make_ap_bill(session, make_vendor(session), due=TODAY - timedelta(days=3))
    other = Actor("x", {role}, name="X Y", workstation="desk")
    assert huddle_money.bill_items(session, TODAY, other) == []
    built = huddle.huddle(session, TODAY, actor=other)
    assert not any(i.key.startswith("bills:") for s in built.sections for i in s.items)


def test_the_lines_are_in_the_huddles_billing_section(session: Session) -> None:
    make_ap_bill(session, make_vendor(session), due=TODAY - timedelta(days=3))
    built = huddle.huddle(session, TODAY, actor=MANAGER)
    [billing] = [s for s in built.sections if s.key == "billing"]
    assert [i.key for i in billing.items if i.key.startswith("bills:")] == ["bills:overdue"]
