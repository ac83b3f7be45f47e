"""Recurring bills (issue 24, part 3): one bill per period on the day of the month (clamped to short months),
made a week ahead, from the start to the end, never twice for a period."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, select

from factories import NOW, audit_events, make_ap_bill, make_vendor
from officemgr.models import UserRole
from officemgr.models.finance import BudgetCategory, MonthClose
from officemgr.models.inventory import Vendor
from officemgr.models.payables import Bill, BillStatus, Frequency, RecurringBill
from officemgr.services import recurring_bills as rb
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError, StaleEdit

MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")


def recurring(vendor_id: int, **more: Any) -> rb.RecurringIn:
    values: dict[str, Any] = {"vendor_id": vendor_id, "description": "Rent", "category": BudgetCategory.rent,
                              "amount_cents": 450_000, "frequency": Frequency.monthly, "day_of_month": 1,
                              "start": date(2026, 1, 1)}
    values.update(more)
    return rb.RecurringIn.model_validate(values)


def add(session: Session, **more: Any) -> int:
    vendor = make_vendor(session, name=more.pop("vendor_name", "Main Street Properties"),
                         terms=more.pop("terms", "net 10"))
    assert vendor.id is not None
    return rb.add_recurring(session, recurring(vendor.id, **more), now=NOW, actor=MANAGER)


def bills(session: Session) -> list[Bill]:
    return list(session.exec(select(Bill).order_by(col(Bill.invoice_date), col(Bill.id))))


def test_monthly_on_the_31st_is_dated_on_each_months_last_day(session: Session) -> None:
    add(session, day_of_month=31, start=date(2027, 1, 1))
    made = rb.generate_due(session, today=date(2027, 4, 22), now=NOW, actor=MANAGER)  # Apr 30: 8 days on
    assert [m.invoice_date for m in made.made] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]
    assert [(b.period, b.invoice_number) for b in bills(session)] == [
        (date(2027, 1, 1), "RENT 2027-01"), (date(2027, 2, 1), "RENT 2027-02"), (date(2027, 3, 1), "RENT 2027-03")]


def test_a_leap_year_february_gets_the_29th_when_generated(session: Session) -> None:
    add(session, day_of_month=31, start=date(2028, 1, 31))
    made = rb.generate_due(session, today=date(2028, 3, 23), now=NOW, actor=MANAGER)  # Mar 31: 8 days on
    assert [m.invoice_date for m in made.made] == [date(2028, 1, 31), date(2028, 2, 29)]


def test_the_day_is_clamped_to_each_months_last_day() -> None:
    assert rb.invoice_day(date(2028, 2, 1), 31) == date(2028, 2, 29)
    assert rb.invoice_day(date(2028, 2, 1), 29) == date(2028, 2, 29)
    assert rb.invoice_day(date(2027, 2, 1), 29) == date(2027, 2, 28)
    assert rb.invoice_day(date(2028, 4, 1), 31) == date(2028, 4, 30)
    row = RecurringBill(vendor_id=1, description="Rent", category=BudgetCategory.rent, amount_cents=1,
                        day_of_month=31, start=date(2028, 1, 31))
    assert rb.periods(row, through=date(2028, 3, 30)) == [date(2028, 1, 1), date(2028, 2, 1)]


def test_the_bill_is_due_by_the_vendors_terms_entered_and_audited(session: Session) -> None:
    recurring_id = add(session, start=date(2026, 11, 1))
    made = rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    [bill] = bills(session)
    assert (bill.invoice_date, bill.due_date, bill.status, bill.amount_cents, bill.category, bill.recurring_id) == (
        date(2026, 11, 1), date(2026, 11, 11), BillStatus.entered, 450_000, BudgetCategory.rent, recurring_id)
    assert (bill.invoice_key, bill.entered_by) == ("RENT202611", "Pat Boss")
    assert made.made[0].bill_id == bill.id
    [(event, changes)] = audit_events(session, "bill")
    assert (event.action, event.entity_id, changes["invoice_number"]) == ("generate", bill.id, "RENT 2026-11")


def test_a_vendor_without_terms_is_due_on_the_invoice_date(session: Session) -> None:
    add(session, start=date(2026, 11, 1), terms="")
    rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    assert bills(session)[0].due_date == date(2026, 11, 1)


def test_unreadable_vendor_terms_make_no_bill_and_say_why(session: Session) -> None:
    add(session, start=date(2026, 11, 1), terms="whenever")
    made = rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    assert made.made == [] and bills(session) == []
    assert "terms cannot be read" in made.notes[0]


def test_the_window_is_today_plus_seven_days(session: Session) -> None:
    add(session, day_of_month=1, start=date(2026, 11, 1))
    first = rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    assert [m.invoice_date for m in first.made] == [date(2026, 11, 1)]  # Dec 1 is 8 days away
    assert rb.waiting(session, date(2026, 11, 24), actor=MANAGER) == 1  # 7 days away: in
    later = rb.generate_due(session, today=date(2026, 11, 24), now=NOW, actor=MANAGER)
    assert [m.invoice_date for m in later.made] == [date(2026, 12, 1)]


def test_december_to_january_crosses_the_year(session: Session) -> None:
    add(session, day_of_month=15, start=date(2026, 12, 15))
    made = rb.generate_due(session, today=date(2027, 1, 8), now=NOW, actor=MANAGER)
    assert [(m.invoice_date, m.invoice_number) for m in made.made] == [
        (date(2026, 12, 15), "RENT 2026-12"), (date(2027, 1, 15), "RENT 2027-01")]


def test_quarterly_counts_from_the_start_month(session: Session) -> None:
    add(session, frequency=Frequency.quarterly, day_of_month=10, start=date(2026, 2, 10))
    made = rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    assert [m.invoice_date for m in made.made] == [date(2026, 2, 10), date(2026, 5, 10), date(2026, 8, 10),
                                                   date(2026, 11, 10)]


def test_yearly_and_a_start_after_the_day_skips_that_month(session: Session) -> None:
    add(session, frequency=Frequency.yearly, day_of_month=1, start=date(2024, 3, 5))
    made = rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    # March 1, 2024 is before the start: the first bill is a year on.
    assert [m.invoice_date for m in made.made] == [date(2025, 3, 1), date(2026, 3, 1)]


def test_the_end_date_is_the_last_invoice_date_made(session: Session) -> None:
    add(session, day_of_month=1, start=date(2026, 8, 1), end=date(2026, 10, 1))
    made = rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    assert [m.invoice_date for m in made.made] == [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]
    assert rb.waiting(session, date(2027, 5, 1), actor=MANAGER) == 0


def test_generating_twice_makes_nothing_more(session: Session) -> None:
    add(session, start=date(2026, 9, 1))
    assert len(rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER).made) == 3
    again = rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    assert (again.made, again.notes, len(bills(session))) == ([], [], 3)
    assert rb.waiting(session, date(2026, 11, 23), actor=MANAGER) == 0


def test_a_start_years_back_makes_at_most_36_bills_a_run_and_says_so(session: Session) -> None:
    add(session, start=date(2022, 11, 1))
    first = rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    assert (len(first.made), first.made[0].invoice_date, first.made[-1].invoice_date) == (
        36, date(2022, 11, 1), date(2025, 10, 1))
    assert first.notes == ["Rent (Main Street Properties): 49 periods are due; the first 36 were made, generate "
                             "again for the rest"]
    assert rb.waiting(session, date(2026, 11, 23), actor=MANAGER) == 13
    second = rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    assert (len(second.made), second.notes) == (13, [])


def test_a_voided_periods_bill_is_not_made_again(session: Session) -> None:
    add(session, start=date(2026, 11, 1))
    rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    [bill] = bills(session)
    bill.status = BillStatus.void
    session.add(bill)
    session.commit()
    assert rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER).made == []
    assert len(bills(session)) == 1


def test_an_invoice_number_already_used_gets_a_suffix(session: Session) -> None:
    recurring_id = add(session, start=date(2026, 11, 1))
    vendor_id = session.get_one(RecurringBill, recurring_id).vendor_id
    make_ap_bill(session, session.get_one(Vendor, vendor_id), due=date(2026, 11, 30), number="rent 2026-11")
    made = rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    assert made.made[0].invoice_number == "RENT 2026-11 #2"


def test_a_closed_month_is_not_generated_into_and_is_said(session: Session) -> None:
    add(session, start=date(2026, 10, 1))
    session.add(MonthClose(month=date(2026, 10, 1), closed_at=datetime(2026, 11, 5, 9), closed_by="Pat Boss"))
    session.commit()
    assert rb.waiting(session, date(2026, 11, 23), actor=MANAGER) == 1
    made = rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    assert [m.invoice_date for m in made.made] == [date(2026, 11, 1)]
    assert made.notes == ["Rent 10/01/2026 not made: October 2026 is closed (reopen it, or enter the bill by hand "
                          "dated in an open month)"]


def test_edit_and_end_are_audited_and_end_stops_generation(session: Session) -> None:
    recurring_id = add(session, start=date(2026, 10, 1))
    vendor_id = session.get_one(RecurringBill, recurring_id).vendor_id
    rb.edit_recurring(session, recurring_id, recurring(vendor_id, amount_cents=475_000, start=date(2026, 10, 1)),
                      now=NOW, actor=MANAGER, expected_version=1)
    with pytest.raises(StaleEdit):
        rb.edit_recurring(session, recurring_id, recurring(vendor_id), now=NOW, actor=MANAGER, expected_version=1)
    rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="already made"):
        rb.end_recurring(session, recurring_id, date(2026, 10, 31), now=NOW, actor=MANAGER, expected_version=2)
    rb.end_recurring(session, recurring_id, date(2026, 11, 30), now=NOW, actor=MANAGER, expected_version=2)
    assert rb.waiting(session, date(2027, 3, 1), actor=MANAGER) == 0
    [row] = rb.recurring_list(session, actor=MANAGER)
    assert (row.amount_cents, row.end, row.last_period, row.ended(date(2026, 12, 1))) == (
        475_000, date(2026, 11, 30), date(2026, 11, 1), True)
    actions = [(e.action, json.dumps(c, sort_keys=True)) for e, c in audit_events(session, "recurring_bill")]
    assert [a for a, _ in actions] == ["create", "update", "end"]
    assert '"amount_cents": [450000, 475000]' in actions[1][1]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("day_of_month", 32, "1 to 31"), ("day_of_month", 0, "1 to 31"), ("amount_cents", 0, "more than"),
    ("description", "  ", "what the bill is for"), ("end", date(2025, 12, 31), "before the start")])
def test_bad_input_is_refused_in_words(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        recurring(1, **{field: value})


@pytest.mark.parametrize("role", [UserRole.front_desk, UserRole.biller, UserRole.clinical, UserRole.auditor])
def test_only_the_manager_adds_or_generates(session: Session, role: UserRole) -> None:
    vendor = make_vendor(session)
    assert vendor.id is not None
    other = Actor("someone", {role}, name="Some One", workstation="desk")
    with pytest.raises(NotAllowed):
        rb.add_recurring(session, recurring(vendor.id), now=NOW, actor=other)
    with pytest.raises(NotAllowed):
        rb.generate_due(session, today=date(2026, 11, 23), now=NOW, actor=other)
    assert session.exec(select(RecurringBill)).all() == []


def edit(session: Session, recurring_id: int, **more: Any) -> None:
    row = session.get_one(RecurringBill, recurring_id)
    values = {"frequency": row.frequency, "day_of_month": row.day_of_month, "start": row.start, "end": row.end,
              "amount_cents": row.amount_cents, **more}
    rb.edit_recurring(session, recurring_id, recurring(row.vendor_id, **values), now=NOW, actor=MANAGER,
                      expected_version=row.version)


def periods_made(session: Session) -> list[date]:
    return [b.period for b in bills(session) if b.period is not None]


@pytest.mark.parametrize(("frequency", "start", "moved", "message"), [
    (Frequency.quarterly, date(2026, 1, 1), date(2026, 2, 1), "start in January or April or July or October"),
    (Frequency.quarterly, date(2026, 1, 1), date(2025, 12, 1), "from January: a start in December"),
    (Frequency.yearly, date(2026, 1, 1), date(2026, 12, 1), "start in January;"),
    (Frequency.yearly, date(2025, 12, 1), date(2026, 1, 1), "from December: a start in January")])
def test_a_start_moved_out_of_step_after_bills_are_made_is_refused(
        session: Session, frequency: Frequency, start: date, moved: date, message: str) -> None:
    recurring_id = add(session, frequency=frequency, start=start)
    rb.generate_due(session, today=date(2026, 5, 1), now=NOW, actor=MANAGER)
    before = periods_made(session)
    with pytest.raises(ServiceError, match=message) as refused:
        edit(session, recurring_id, start=moved)
    assert "end this recurring bill and add a new one" in str(refused.value)
    session.rollback()
    assert session.get_one(RecurringBill, recurring_id).start == start
    rb.generate_due(session, today=date(2026, 5, 1), now=NOW, actor=MANAGER)
    assert periods_made(session) == before


def test_the_reviewed_case_quarterly_moved_to_february_bills_no_quarter_twice(session: Session) -> None:
    recurring_id = add(session, frequency=Frequency.quarterly, start=date(2026, 1, 1))
    rb.generate_due(session, today=date(2026, 4, 1), now=NOW, actor=MANAGER)
    assert periods_made(session) == [date(2026, 1, 1), date(2026, 4, 1)]
    with pytest.raises(ServiceError, match="bill some months twice"):
        edit(session, recurring_id, start=date(2026, 2, 1))
    session.rollback()
    made = rb.generate_due(session, today=date(2026, 5, 1), now=NOW, actor=MANAGER)
    assert made.made == [] and periods_made(session) == [date(2026, 1, 1), date(2026, 4, 1)]


@pytest.mark.parametrize(("frequency", "start", "moved", "next_period"), [
    (Frequency.quarterly, date(2026, 1, 1), date(2025, 10, 1), date(2025, 10, 1)),  # a quarter earlier: in step
    (Frequency.quarterly, date(2026, 1, 1), date(2026, 4, 15), None),  # later in step: nothing new
    (Frequency.yearly, date(2025, 3, 1), date(2024, 3, 1), date(2024, 3, 1))])  # a year earlier: in step
def test_a_start_moved_by_whole_periods_is_allowed(session: Session, frequency: Frequency, start: date,
                                                   moved: date, next_period: date | None) -> None:
    recurring_id = add(session, frequency=frequency, start=start)
    rb.generate_due(session, today=date(2026, 5, 1), now=NOW, actor=MANAGER)
    before = periods_made(session)
    edit(session, recurring_id, start=moved)
    made = rb.generate_due(session, today=date(2026, 5, 1), now=NOW, actor=MANAGER)
    assert [m.invoice_date.replace(day=1) for m in made.made] == ([next_period] if next_period else [])
    assert sorted(periods_made(session)) == sorted(before + [m.invoice_date.replace(day=1) for m in made.made])


def test_monthly_stays_free_to_move_its_start(session: Session) -> None:
    recurring_id = add(session, start=date(2026, 1, 1))
    rb.generate_due(session, today=date(2026, 2, 1), now=NOW, actor=MANAGER)  # 01/01 and 02/01
    edit(session, recurring_id, start=date(2025, 12, 1))  # a month earlier: December is made, nothing twice
    made = rb.generate_due(session, today=date(2026, 2, 1), now=NOW, actor=MANAGER)
    assert [m.invoice_date for m in made.made] == [date(2025, 12, 1)]
    edit(session, recurring_id, start=date(2026, 2, 17), day_of_month=31)
    made = rb.generate_due(session, today=date(2026, 3, 24), now=NOW, actor=MANAGER)  # Mar 31: 7 days on
    assert [m.invoice_date for m in made.made] == [date(2026, 3, 31)]
    assert periods_made(session) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


@pytest.mark.parametrize(("was", "now_every"), [(Frequency.quarterly, Frequency.monthly),
                                                (Frequency.monthly, Frequency.quarterly),
                                                (Frequency.yearly, Frequency.quarterly)])
def test_the_frequency_cannot_change_once_a_bill_is_made(session: Session, was: Frequency,
                                                         now_every: Frequency) -> None:
    recurring_id = add(session, frequency=was, start=date(2026, 1, 1))
    rb.generate_due(session, today=date(2026, 1, 1), now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="the frequency cannot change; to change it, end this"):
        edit(session, recurring_id, frequency=now_every)


def test_before_any_bill_or_with_only_void_bills_the_periods_may_move(session: Session) -> None:
    recurring_id = add(session, frequency=Frequency.quarterly, start=date(2026, 1, 1))
    edit(session, recurring_id, start=date(2026, 2, 1))  # nothing made yet
    rb.generate_due(session, today=date(2026, 2, 1), now=NOW, actor=MANAGER)
    [bill] = bills(session)
    bill.status = BillStatus.void
    session.add(bill)
    session.commit()
    edit(session, recurring_id, frequency=Frequency.monthly, start=date(2026, 3, 1))
    made = rb.generate_due(session, today=date(2026, 4, 1), now=NOW, actor=MANAGER)
    assert [m.invoice_date for m in made.made] == [date(2026, 3, 1), date(2026, 4, 1)]


def test_an_edit_cannot_end_before_a_bill_already_made(session: Session) -> None:
    recurring_id = add(session, frequency=Frequency.quarterly, start=date(2026, 1, 1))
    rb.generate_due(session, today=date(2026, 5, 1), now=NOW, actor=MANAGER)  # 01/01 and 04/01
    with pytest.raises(ServiceError, match="a bill dated 04/01/2026 was already made: .*void that bill first"):
        edit(session, recurring_id, end=date(2026, 3, 31))
    session.rollback()
    assert session.get_one(RecurringBill, recurring_id).end is None
    edit(session, recurring_id, end=date(2026, 4, 1))  # the day of the last bill: allowed
    assert session.get_one(RecurringBill, recurring_id).end == date(2026, 4, 1)


@pytest.mark.parametrize("how", ["edit", "end"])
def test_a_void_last_bill_lets_the_end_come_before_it(session: Session, how: str) -> None:
    recurring_id = add(session, start=date(2026, 1, 31), day_of_month=31)
    rb.generate_due(session, today=date(2026, 2, 28), now=NOW, actor=MANAGER)  # 01/31 and 02/28
    refusal = "a bill dated 02/28/2026 was already made"

    def end_on(day: date) -> None:
        if how == "edit":
            edit(session, recurring_id, end=day)
        else:
            rb.end_recurring(session, recurring_id, day, now=NOW, actor=MANAGER,
                             expected_version=session.get_one(RecurringBill, recurring_id).version)

    with pytest.raises(ServiceError, match=refusal):
        end_on(date(2026, 2, 27))
    session.rollback()
    last = bills(session)[-1]
    last.status = BillStatus.void
    session.add(last)
    session.commit()
    end_on(date(2026, 2, 27))
    assert session.get_one(RecurringBill, recurring_id).end == date(2026, 2, 27)
