"""Actuals against the operating budget (issue 24, part 4): bills, supplies received, payroll; month and YTD."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session

from factories import NOW, make_item, make_order, make_shift, make_staff, make_time_off, make_vendor, plan_budget
from officemgr.models import ItemCategory, MovementKind, OrderStatus, StockMovement, TimeOffStatus, UserRole, Vendor
from officemgr.models.finance import BudgetCategory
from officemgr.models.payables import Bill, BillStatus
from officemgr.models.people import PaySetting, PayType
from officemgr.models.timeclock import Punch
from officemgr.services import actuals
from officemgr.services.access import Actor, NotAllowed

MANAGER = Actor("pat", {UserRole.manager})
BILLER = Actor("bo", {UserRole.biller})


def bill(session: Session, vendor: Vendor, cents: int, on: date, category: BudgetCategory = BudgetCategory.rent,
         **more: object) -> Bill:
    row = Bill(vendor_id=vendor.id, invoice_number=f"{on}-{cents}", invoice_key=f"{on}{cents}", invoice_date=on,
               due_date=on, amount_cents=cents, category=category, entered_at=NOW, entered_by="pat", **more)
    session.add(row)
    session.commit()
    return row


def received(session: Session, order_id: int, item_id: int, quantity: int, at: datetime) -> None:
    session.add(StockMovement(item_id=item_id, kind=MovementKind.receive, quantity=quantity, at=at,
                              order_id=order_id))
    session.commit()


def months_of(session: Session, year: int, category: BudgetCategory, today: date | None = None) -> tuple[int, ...]:
    return actuals.actuals_year(session, year, actor=MANAGER, today=today).months.get(category, (0,) * 12)


def test_bills_count_in_their_invoice_month_except_void_and_what_an_order_received(session: Session) -> None:
    vendor = make_vendor(session)
    order = make_order(session, vendor, [], status=OrderStatus.received)
    bill(session, vendor, 450_000, date(2026, 1, 31))
    bill(session, vendor, 450_000, date(2026, 2, 1))
    bill(session, vendor, 100, date(2026, 2, 28), status=BillStatus.paid)
    bill(session, vendor, 999, date(2026, 2, 10), status=BillStatus.void)
    bill(session, vendor, 777, date(2026, 2, 11), category=BudgetCategory.medical_supplies,
         purchase_order_id=order.id)
    bill(session, vendor, 5, date(2025, 12, 31))
    bill(session, vendor, 6, date(2027, 1, 1))
    bill(session, vendor, 1_500, date(2026, 12, 31), category=BudgetCategory.software)
    assert months_of(session, 2026, BudgetCategory.rent) == (450_000, 450_100) + (0,) * 10
    assert months_of(session, 2026, BudgetCategory.software) == (0,) * 11 + (1_500,)
    # Its order received nothing: the whole bill is spend beyond the receipts, in the bill's category and month.
    assert months_of(session, 2026, BudgetCategory.medical_supplies) == (0, 777) + (0,) * 10


def test_an_order_bill_counts_only_its_price_difference_freight_and_units_not_received(session: Session) -> None:
    from officemgr.models.payables import BillLine

    vendor = make_vendor(session)
    gloves = make_item(session, name="Gloves", unit_cost_cents=1_000)  # clinical: medical supplies
    order = make_order(session, vendor, [(gloves, 10, 10)], status=OrderStatus.received)
    received(session, order.id, gloves.id, 10, datetime(2026, 10, 28, 9))
    # Billed 11 boxes at $10.50 (10 came) plus $8.00 freight: $115.50 + $8.00 = $123.50 against $100.00 received.
    owed = bill(session, vendor, 12_350, date(2026, 11, 2), category=BudgetCategory.medical_supplies,
                purchase_order_id=order.id)
    session.add(BillLine(bill_id=owed.id, item_id=gloves.id, quantity=11, unit_cost_cents=1_050))
    session.add(BillLine(bill_id=owed.id, description="Freight", quantity=1, unit_cost_cents=800))
    session.commit()
    assert months_of(session, 2026, BudgetCategory.medical_supplies) == (0,) * 9 + (10_000, 2_350, 0)
    # A discount the other way: billed $95.00 for what was worth $100.00 at the order's price.
    owed.amount_cents = 9_500
    session.add(owed)
    session.commit()
    assert months_of(session, 2026, BudgetCategory.medical_supplies) == (0,) * 9 + (10_000, -500, 0)


def test_supplies_received_count_in_the_month_they_came_in_by_mapped_category(session: Session) -> None:
    vendor = make_vendor(session)
    gloves = make_item(session, name="Gloves", unit_cost_cents=1_000)  # clinical
    pills = make_item(session, name="Ibuprofen", category=ItemCategory.medication, unit_cost_cents=50)
    paper = make_item(session, name="Paper", category=ItemCategory.office, unit_cost_cents=300)
    flu = make_item(session, name="Flu", category=ItemCategory.vaccine, unit_cost_cents=2_000)
    order = make_order(session, vendor, [(gloves, 10), (pills, 100), (paper, 5), (flu, 10)],
                       status=OrderStatus.partly_received)
    received(session, order.id, gloves.id, 4, datetime(2026, 11, 30, 23, 59))
    received(session, order.id, gloves.id, 6, datetime(2026, 12, 1, 0, 0))  # the rest, the next month
    received(session, order.id, pills.id, 100, datetime(2026, 11, 2, 9))
    received(session, order.id, paper.id, 5, datetime(2026, 11, 2, 9))
    received(session, order.id, flu.id, 3, datetime(2026, 12, 31, 17))  # partly received: what came
    received(session, order.id, flu.id, 7, datetime(2027, 1, 1, 8))
    session.add(StockMovement(item_id=gloves.id, kind=MovementKind.receive, quantity=50, at=NOW))  # no order
    session.commit()
    assert months_of(session, 2026, BudgetCategory.medical_supplies) == (0,) * 10 + (4_000 + 5_000, 6_000)
    assert months_of(session, 2026, BudgetCategory.supplies) == (0,) * 10 + (1_500, 0)
    assert months_of(session, 2026, BudgetCategory.vaccines) == (0,) * 11 + (6_000,)
    assert months_of(session, 2027, BudgetCategory.vaccines)[0] == 14_000


def test_payroll_is_hours_times_rate_and_people_without_a_rate_are_counted(session: Session) -> None:
    hourly = make_staff(session, first_name="Ann")
    session.add(PaySetting(staff_id=hourly.id, hourly_rate_cents=2_001))
    no_rate = make_staff(session, first_name="Bea")
    session.add(PaySetting(staff_id=no_rate.id))
    no_setting = make_staff(session, first_name="Cy")
    idle = make_staff(session, first_name="Dee")  # no rate, never worked: not in the note
    session.commit()
    # A shift with a break, and a day whose punches replace its shift.
    make_shift(session, hourly, start=datetime(2026, 1, 31, 8), end=datetime(2026, 1, 31, 17), break_minutes=60)
    make_shift(session, hourly, start=datetime(2026, 2, 2, 8), end=datetime(2026, 2, 2, 17))
    session.add(Punch(staff_id=hourly.id, clock_in=datetime(2026, 2, 2, 8), clock_out=datetime(2026, 2, 2, 8, 1)))
    make_shift(session, no_rate, start=datetime(2026, 2, 3, 8), end=datetime(2026, 2, 3, 12))
    make_shift(session, no_setting, start=datetime(2026, 2, 3, 8), end=datetime(2026, 2, 3, 12))
    session.commit()
    assert idle.id is not None
    result = actuals.actuals_year(session, 2026, actor=MANAGER)
    pay = result.months[BudgetCategory.payroll]
    assert pay[0] == 8 * 2_001  # 8 hours
    assert pay[1] == 33  # one minute at $20.01 an hour is 33.35 cents: to the nearest cent
    assert result.notes == ("2 people have no pay rate: their hours are not in payroll actuals",)


def test_approved_paid_leave_counts_at_the_hourly_rate_in_the_months_it_covers(session: Session) -> None:
    person = make_staff(session)
    session.add(PaySetting(staff_id=person.id, hourly_rate_cents=1_000))
    session.commit()
    # Fri 01/30/2026 to Mon 02/02/2026: two business days, 8 hours each, one in each month.
    make_time_off(session, person, start_date=date(2026, 1, 30), end_date=date(2026, 2, 2))
    make_time_off(session, person, start_date=date(2026, 3, 3), hours=4)  # four hours asked for
    make_time_off(session, person, start_date=date(2026, 3, 4), status=TimeOffStatus.requested)
    make_time_off(session, person, start_date=date(2026, 3, 5), kind="Unpaid")
    # Wed 12/31/2025 to Fri 01/02/2026: New Year's Day is closed, so 2026 has Jan 2 only.
    make_time_off(session, person, start_date=date(2025, 12, 31), end_date=date(2026, 1, 2))
    pay = months_of(session, 2026, BudgetCategory.payroll)
    assert pay[:3] == (8_000 + 8_000, 8_000, 4_000)
    assert months_of(session, 2026, BudgetCategory.payroll, today=date(2026, 1, 29))[0] == 8_000


def test_scheduled_shifts_after_today_are_not_counted(session: Session) -> None:
    person = make_staff(session)
    session.add(PaySetting(staff_id=person.id, hourly_rate_cents=1_000))
    session.commit()
    make_shift(session, person, start=datetime(2026, 11, 23, 8), end=datetime(2026, 11, 23, 10))
    make_shift(session, person, start=datetime(2026, 11, 24, 8), end=datetime(2026, 11, 24, 10))
    assert months_of(session, 2026, BudgetCategory.payroll, today=date(2026, 11, 23))[10] == 2_000
    assert months_of(session, 2026, BudgetCategory.payroll)[10] == 4_000
    assert actuals.actuals_year(session, 2027, actor=MANAGER, today=date(2026, 11, 23)).months == {}


def test_salary_is_a_twelfth_for_each_month_employed(session: Session) -> None:
    person = make_staff(session, pay_type=PayType.salaried, hire_date=date(2026, 3, 31), end_date=date(2026, 6, 1))
    session.add(PaySetting(staff_id=person.id, salary_cents=6_000_001))
    session.commit()
    make_shift(session, person, start=datetime(2026, 4, 1, 8), end=datetime(2026, 4, 1, 17))  # hours don't add
    pay = months_of(session, 2026, BudgetCategory.payroll)
    assert pay == (0, 0, 500_000, 500_000, 500_000, 500_000) + (0,) * 6  # 500,000.08 -> 500,000
    assert months_of(session, 2026, BudgetCategory.payroll, today=date(2026, 4, 30)) == (0, 0, 500_000, 500_000) + (
        0,) * 8


def test_budget_vs_actual_for_a_month_and_the_year_to_date(session: Session) -> None:
    vendor = make_vendor(session)
    plan_budget(session, 2026, {"rent": 450_000, "marketing": 10_000})
    bill(session, vendor, 450_000, date(2026, 1, 1))
    bill(session, vendor, 500_000, date(2026, 2, 28))
    bill(session, vendor, 1, date(2026, 3, 1))  # after February: not in its YTD
    bill(session, vendor, 20_000, date(2026, 2, 1), category=BudgetCategory.other)
    report = actuals.budget_vs_actual(session, 2026, 2, actor=BILLER)
    rent = next(x for x in report.lines if x.category is BudgetCategory.rent)
    assert (rent.month.budget_cents, rent.month.actual_cents, rent.month.variance_cents) == (
        450_000, 500_000, -50_000)
    assert rent.month.percent == pytest.approx(-11.111, abs=0.001)
    assert actuals.percent_text(rent.month) == "11.1% over"
    assert (rent.ytd.budget_cents, rent.ytd.actual_cents) == (900_000, 950_000)
    other = next(x for x in report.lines if x.category is BudgetCategory.other)
    assert (other.month.percent, actuals.percent_text(other.month)) == (None, "")
    marketing = next(x for x in report.lines if x.category is BudgetCategory.marketing)
    assert actuals.percent_text(marketing.month) == "100.0% under"
    assert (report.month_total.budget_cents, report.month_total.actual_cents) == (460_000, 520_000)
    assert (report.ytd_total.budget_cents, report.ytd_total.actual_cents) == (920_000, 970_000)


def test_december_year_to_date_is_the_whole_year_and_january_starts_again(session: Session) -> None:
    vendor = make_vendor(session)
    plan_budget(session, 2026, {"rent": 100})
    plan_budget(session, 2027, {"rent": 7})
    bill(session, vendor, 100, date(2026, 12, 31))
    bill(session, vendor, 50, date(2027, 1, 1))
    december = actuals.budget_vs_actual(session, 2026, 12, actor=MANAGER)
    assert (december.ytd_total.budget_cents, december.ytd_total.actual_cents) == (1_200, 100)
    january = actuals.budget_vs_actual(session, 2027, 1, actor=MANAGER)
    assert (january.ytd_total.budget_cents, january.ytd_total.actual_cents) == (7, 50)
    assert (january.month_total.variance_cents, actuals.percent_text(january.month_total)) == (-43, "614.3% over")


def test_the_month_report_section_lists_categories_in_use_and_a_total(session: Session) -> None:
    vendor = make_vendor(session)
    plan_budget(session, 2026, {"rent": 450_000})
    bill(session, vendor, 450_000, date(2026, 10, 5))
    make_staff(session)  # no rate, no hours: no note
    section = actuals.month_report_section(session, date(2026, 10, 1), actor=MANAGER)
    assert section.title == "Budget vs actual, October 2026"
    assert section.columns == actuals.SECTION_COLUMNS
    assert section.rows == (
        ("Rent", "$4,500.00", "$4,500.00", "$0.00", "on budget", "$45,000.00", "$4,500.00", "$40,500.00"),
        ("Total", "$4,500.00", "$4,500.00", "$0.00", "on budget", "$45,000.00", "$4,500.00", "$40,500.00"),
    )
    assert "no pay rate" not in section.note


def test_only_finance_readers_see_actuals(session: Session) -> None:
    with pytest.raises(NotAllowed):
        actuals.budget_vs_actual(session, 2026, 1, actor=Actor("fd", {UserRole.front_desk}))
