"""PTO and sick-leave balances (issue 23, item 4): accrual per pay period and per hour worked, the carry-over cap
at the reset date, hiring mid-year, unpaid time off, the over-balance choice on request and approval, plans and
adjustments (the manager's, audited) and their bad input."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import event
from sqlmodel import Session, select

from factories import NOW, make_shift, make_staff, make_time_off
from officemgr.models import AuditEvent, Role, TimeOff, TimeOffCreate, TimeOffStatus, UserRole
from officemgr.models.timeclock import AccrualMethod, LeaveAdjustment, LeaveKind, Punch
from officemgr.services import leave, payroll, settings
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError
from officemgr.services.leave_edit import AdjustmentInput, PlanInput, add_adjustment, save_plan
from officemgr.services.roster import OverBalance, decide_time_off, request_time_off

MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss")
# The default pay periods: biweekly from Monday 2026-01-05, so 12/22/2025–01/04/2026 straddles January 1.


def plan(session: Session, kind: LeaveKind = LeaveKind.pto, **values: Any) -> None:
    data = {"kind": kind, "method": AccrualMethod.per_period, "hours": 4, **values}
    save_plan(session, PlanInput.model_validate(data), now=NOW, actor=MANAGER)


def adjust(session: Session, staff_id: int, hours: float, on: date, kind: LeaveKind = LeaveKind.pto) -> None:
    add_adjustment(session, AdjustmentInput(staff_id=staff_id, kind=kind, hours=hours, reason="opening"), today=on,
                   now=NOW, actor=MANAGER)


def balance(session: Session, staff_id: int, on: date, kind: LeaveKind = LeaveKind.pto) -> leave.Balance:
    return leave.ledger(session, staff_id, kind, on, actor=MANAGER).balance


def worked(session: Session, person: Any, day: date, hours: float) -> None:
    start = datetime(day.year, day.month, day.day, 7)
    make_shift(session, person, start=start, end=start.replace(hour=7 + int(hours), minute=int(hours % 1 * 60)),
               break_minutes=0)


# --- per pay period -------------------------------------------------------------------------------------


def test_a_period_straddling_the_reset_counts_in_the_year_holding_its_last_day(session: Session) -> None:
    person = make_staff(session, hire_date=date(2025, 12, 22))
    assert person.id is not None
    plan(session)
    assert balance(session, person.id, date(2025, 12, 31)).accrued == 0
    assert balance(session, person.id, date(2026, 1, 3)).accrued == 0
    jan4 = balance(session, person.id, date(2026, 1, 4))
    assert (jan4.year_start, jan4.carried, jan4.accrued, jan4.left) == (date(2026, 1, 1), 0, 4, 4)
    # 12/22–01/04 and 01/05–01/18 by 01/18
    assert balance(session, person.id, date(2026, 1, 18)).accrued == 8


def test_hired_mid_period_earns_its_share_and_nothing_before(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 12))  # 7 of the 14 days of 01/05–01/18
    assert person.id is not None
    plan(session, hours=3.08)
    assert balance(session, person.id, date(2026, 1, 18)).accrued == 1.54
    assert balance(session, person.id, date(2026, 2, 1)).accrued == 1.54 + 3.08


def test_nothing_accrues_after_the_end_date(session: Session) -> None:
    person = make_staff(session, hire_date=date(2025, 1, 1), end_date=date(2026, 1, 11))
    assert person.id is not None
    plan(session)
    # 12/22–01/04 whole (4) and 7 of 01/05–01/18 (2); nothing after
    assert balance(session, person.id, date(2026, 3, 1)).accrued == 6


def test_a_plan_for_the_person_beats_their_role_which_beats_everyone(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 5), role=Role.ma)
    other = make_staff(session, hire_date=date(2026, 1, 5), role=Role.front_desk)
    assert person.id is not None and other.id is not None
    plan(session, hours=1)
    plan(session, hours=2, role=Role.ma)
    on = date(2026, 1, 18)
    assert (balance(session, person.id, on).accrued, balance(session, other.id, on).accrued) == (2, 1)
    plan(session, hours=5, staff_id=person.id)
    assert balance(session, person.id, on).accrued == 5
    assert balance(session, person.id, on).plan.applies_to == "this person"


# --- per hour worked ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("shifts", "earned"), [((10, 10, 10), 1.0), ((10, 10, 9.5), 0.98), ((), 0.0)])
def test_sick_leave_is_one_hour_per_30_worked_to_two_decimals(session: Session, shifts: tuple[float, ...],
                                                                earned: float) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 5))
    assert person.id is not None
    for offset, length in enumerate(shifts):
        worked(session, person, date(2026, 1, 5 + offset), length)
    sick = balance(session, person.id, date(2026, 1, 18), LeaveKind.sick)
    assert (sick.accrued, sick.plan.applies_to) == (earned, "the default")


def test_worked_hours_count_up_to_the_day_and_never_before_the_hire_date(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 6))
    assert person.id is not None
    for day in (5, 6, 7):
        worked(session, person, date(2026, 1, day), 10)  # 01/05 is before the hire date
    plan(session, LeaveKind.sick, method=AccrualMethod.per_hour, hours=1, per_hours_worked=10)
    assert balance(session, person.id, date(2026, 1, 6), LeaveKind.sick).accrued == 1
    assert balance(session, person.id, date(2026, 1, 7), LeaveKind.sick).accrued == 2


def test_worked_hours_after_the_end_date_earn_nothing(session: Session) -> None:
    person = make_staff(session, hire_date=date(2025, 6, 1), end_date=date(2026, 1, 6))
    assert person.id is not None
    for day in (5, 6, 7):
        worked(session, person, date(2026, 1, day), 10)  # 01/07 is after the end date
    plan(session, LeaveKind.sick, method=AccrualMethod.per_hour, hours=1, per_hours_worked=10)
    assert balance(session, person.id, date(2026, 1, 31), LeaveKind.sick).accrued == 2


def test_semimonthly_periods_accrue_on_the_15th_and_the_months_last_day(session: Session) -> None:
    settings.put(session, "pay_period", {"kind": "semimonthly"}, now=NOW, actor="tests")
    person = make_staff(session, hire_date=date(2028, 2, 1))
    assert person.id is not None
    plan(session, hours=5)
    assert [line.day for line in leave.ledger(session, person.id, LeaveKind.pto, date(2028, 2, 29),
                                              actor=MANAGER).lines] == [date(2028, 2, 15), date(2028, 2, 29)]
    assert balance(session, person.id, date(2028, 2, 28)).accrued == 5


# --- carry-over at the reset ----------------------------------------------------------------------------


@pytest.mark.parametrize(("closing", "cap", "carried"), [
    (50, 40, 40), (40, 40, 40), (30, 40, 30), (50, 0, 0), (50, None, 50), (-8, 40, -8),
])
def test_the_cap_applies_at_the_reset(session: Session, closing: float, cap: float | None, carried: float) -> None:
    person = make_staff(session, hire_date=date(2025, 3, 1))
    assert person.id is not None
    plan(session, LeaveKind.sick, method=AccrualMethod.per_hour, hours=1, per_hours_worked=30, carry_over_cap=cap,
         reset_month=7, reset_day=1)
    adjust(session, person.id, closing, date(2026, 6, 30), LeaveKind.sick)
    assert balance(session, person.id, date(2026, 6, 30), LeaveKind.sick).left == closing
    after = balance(session, person.id, date(2026, 7, 1), LeaveKind.sick)
    assert (after.year_start, after.carried, after.left) == (date(2026, 7, 1), carried, carried)


def test_the_cap_applies_at_each_reset_year_by_year(session: Session) -> None:
    person = make_staff(session, hire_date=date(2024, 1, 1))
    assert person.id is not None
    plan(session, carry_over_cap=10, hours=1)
    # 2024 earns 26 or 27 periods' hours, capped at 10; 2025 the same again, capped at 10 again
    assert balance(session, person.id, date(2026, 1, 1)).carried == 10
    assert balance(session, person.id, date(2025, 1, 1)).carried == 10


def test_a_reset_on_december_31_starts_the_year_that_day() -> None:
    assert leave.leave_year(date(2026, 12, 30), 12, 31) == leave.Period(date(2025, 12, 31), date(2026, 12, 30))
    assert leave.leave_year(date(2026, 12, 31), 12, 31) == leave.Period(date(2026, 12, 31), date(2027, 12, 30))


def test_a_stored_february_29_reset_is_february_28_in_common_years() -> None:
    assert leave.leave_year(date(2027, 3, 1), 2, 29).start == date(2027, 2, 28)
    assert leave.leave_year(date(2028, 3, 1), 2, 29) == leave.Period(date(2028, 2, 29), date(2029, 2, 27))


# --- the yearly allowance without a plan ----------------------------------------------------------------


def test_without_a_plan_pto_is_the_yearly_allowance_from_the_hire_date_without_carry_over(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 6, 15), pto_hours_per_year=80)
    assert person.id is not None
    assert balance(session, person.id, date(2026, 6, 14)).left == 0
    assert balance(session, person.id, date(2026, 6, 15)).accrued == 80
    make_time_off(session, person, start_date=date(2026, 7, 6), end_date=date(2026, 7, 7))  # 16 h approved
    make_time_off(session, person, start_date=date(2026, 8, 3), status=TimeOffStatus.requested, hours=8)
    summer = balance(session, person.id, date(2026, 6, 20))
    assert (summer.used, summer.requested, summer.left, summer.left_if_approved) == (16, 8, 64, 56)
    assert balance(session, person.id, date(2027, 1, 1)).left == 80  # nothing carried: a fresh allowance


def test_the_yearly_allowance_counts_approved_as_used_and_requested_as_pending_year_by_year(session: Session) -> None:
    # Ported from payroll's PTO balance, which this replaces: no hire date, so from the first absence's year.
    ma = make_staff(session, pto_hours_per_year=80)
    assert ma.id is not None
    make_time_off(session, ma, start_date=date(2026, 3, 2), end_date=date(2026, 3, 4))  # 24 h
    make_time_off(session, ma, start_date=date(2026, 7, 6), hours=4)
    # Thu 12/31 and Mon 1/4: 8 h in each year (New Year's Day and the weekend cost none).
    make_time_off(session, ma, start_date=date(2026, 12, 31), end_date=date(2027, 1, 4))
    make_time_off(session, ma, start_date=date(2026, 12, 21), end_date=date(2026, 12, 22),
                  status=TimeOffStatus.requested)
    make_time_off(session, ma, start_date=date(2026, 8, 3), status=TimeOffStatus.denied)
    make_time_off(session, ma, start_date=date(2026, 5, 4), kind="Sick")  # not a PTO kind
    this_year = balance(session, ma.id, date(2026, 6, 30))
    assert (this_year.accrued, this_year.used, this_year.requested, this_year.left, this_year.left_if_approved) == (
        80, 36, 16, 44, 28)
    next_year = balance(session, ma.id, date(2027, 6, 30))
    assert (next_year.carried, next_year.used, next_year.left) == (0, 8, 72)
    with pytest.raises(ServiceError, match="no longer on file"):
        balance(session, 999, date(2026, 6, 30))


def test_unpaid_and_other_kinds_do_not_draw_on_the_balance(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 1))
    assert person.id is not None
    make_time_off(session, person, start_date=date(2026, 3, 2), end_date=date(2026, 3, 3), unpaid=True)
    make_time_off(session, person, start_date=date(2026, 3, 9), kind="Jury duty")
    make_time_off(session, person, start_date=date(2026, 3, 10), kind="Sick", hours=4)
    on = date(2026, 3, 31)
    assert balance(session, person.id, on).used == 0
    assert balance(session, person.id, on, LeaveKind.sick).used == 4


# --- requests and approval ------------------------------------------------------------------------------


def request(session: Session, staff_id: int, first: date, last: date, choice: OverBalance = OverBalance.refuse,
            kind: str = "PTO") -> int:
    data = TimeOffCreate(staff_id=staff_id, kind=kind, start_date=first, end_date=last)
    return request_time_off(session, data, now=NOW, actor=MANAGER, over_balance=choice).id


def test_a_request_over_the_balance_is_refused_or_saved_unpaid_by_choice(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 1), pto_hours_per_year=24)
    assert person.id is not None
    request(session, person.id, date(2026, 12, 14), date(2026, 12, 14))  # 8 h of 24: fine
    with pytest.raises(ServiceError,
                       match=r"PTO left on 12/15: 24.0 h \(8.0 h more requested\); this request: 24.0 h — nothing"):
        request(session, person.id, date(2026, 12, 15), date(2026, 12, 17))
    assert len(session.exec(select(TimeOff)).all()) == 1
    exactly = request(session, person.id, date(2026, 12, 15), date(2026, 12, 16))  # 16 h: exactly what is left
    over = request(session, person.id, date(2026, 12, 17), date(2026, 12, 17), OverBalance.unpaid)
    unpaid = {off.id: off.unpaid for off in session.exec(select(TimeOff))}
    assert (unpaid[exactly], unpaid[over]) == (False, True)


def test_approval_weighs_the_request_against_what_is_left_now(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 1), pto_hours_per_year=24)
    assert person.id is not None
    first = request(session, person.id, date(2026, 12, 14), date(2026, 12, 15))
    second = request(session, person.id, date(2026, 12, 21), date(2026, 12, 21))
    check = leave.approval_check(session, first)
    assert check is not None and (check.left, check.after, check.over) == (24, 8, False)
    decide_time_off(session, first, True, now=NOW, actor=MANAGER, expected_version=None)
    # another approval since: a further 16 h is now over what is left
    adjust(session, person.id, -4, date(2026, 11, 23))
    with pytest.raises(ServiceError, match="PTO left: 4.0 h; this request: 8.0 h — it was not approved"):
        decide_time_off(session, second, True, now=NOW, actor=MANAGER, expected_version=None)
    waiting = session.get(TimeOff, second)
    assert waiting is not None and waiting.status is TimeOffStatus.requested
    decide_time_off(session, second, True, now=NOW, actor=MANAGER, expected_version=None,
                    over_balance=OverBalance.unpaid)
    row = session.get(TimeOff, second)
    assert row is not None and (row.status, row.unpaid) == (TimeOffStatus.approved, True)
    assert balance(session, person.id, date(2026, 12, 31)).left == 4


def test_a_request_without_hours_counts_8_per_open_day_at_approval(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 1), pto_hours_per_year=16)
    assert person.id is not None
    # Wed 11/25 to Fri 11/27/2026 with Thanksgiving closed: 16 h, though the row records none
    off = make_time_off(session, person, start_date=date(2026, 11, 25), end_date=date(2026, 11, 27),
                        status=TimeOffStatus.requested, hours=0)
    assert off.id is not None
    check = leave.approval_check(session, off.id)
    assert check is not None and (check.left, check.asked, check.over) == (16, 16, False)
    adjust(session, person.id, -0.5, date(2026, 11, 23))
    check = leave.approval_check(session, off.id)
    assert check is not None and (check.left, check.asked, check.over) == (15.5, 16, True)


# --- plans and adjustments: the manager's, audited, with clear refusals ---------------------------------


def test_the_over_balance_choice_refuses_unless_unpaid_is_named(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 1), pto_hours_per_year=8)
    assert person.id is not None
    data = TimeOffCreate(staff_id=person.id, kind="PTO", start_date=date(2026, 12, 14), end_date=date(2026, 12, 15))
    for choice in ("refuse", "", "yes"):
        with pytest.raises(ServiceError, match="nothing was saved"):
            request_time_off(session, data, now=NOW, actor=MANAGER, over_balance=choice)  # type: ignore[arg-type]
    assert session.exec(select(TimeOff)).all() == []


def test_adjustments_are_the_managers_and_audited(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 1))
    assert person.id is not None
    desk = Actor("fd", {UserRole.front_desk}, staff_id=person.id)
    with pytest.raises(NotAllowed):
        add_adjustment(session, AdjustmentInput(staff_id=person.id, kind=LeaveKind.pto, hours=8, reason="gift"),
                       today=date(2026, 3, 1), now=NOW, actor=desk)
    with pytest.raises(NotAllowed):
        save_plan(session, PlanInput(kind=LeaveKind.pto, method=AccrualMethod.per_period, hours=1), now=NOW,
                  actor=desk)
    adjust(session, person.id, 12.5, date(2026, 3, 1))
    row = session.exec(select(LeaveAdjustment)).one()
    assert (row.hours, row.reason, row.actor) == (12.5, "opening", "Pat Boss")
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "leave_adjustment")).one()
    assert (event.entity_id, json.loads(event.changes)["hours"]) == (row.id, 12.5)
    # a person sees their own balance, not anyone else's
    assert leave.balances_of(session, person.id, date(2026, 3, 1), actor=desk)[0].adjusted == 12.5
    other = make_staff(session)
    with pytest.raises(NotAllowed):
        leave.balances_of(session, other.id or 0, date(2026, 3, 1), actor=desk)


def test_saving_a_plan_again_changes_it_and_is_audited(session: Session) -> None:
    plan(session, hours=2)
    plan(session, hours=3)
    events = session.exec(select(AuditEvent).where(AuditEvent.entity == "leave_plan")).all()
    assert [e.action for e in events] == ["create", "update"]
    assert json.loads(events[1].changes)["hours"] == [2.0, 3.0]


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"hours": 0}, "hours", "more than 0"),
    ({"hours": 200.5}, "hours", "at most 200"),
    ({"hours": "lots"}, "hours", ""),
    ({"method": AccrualMethod.per_hour}, "per_hours_worked", "say how many hours worked"),
    ({"method": AccrualMethod.per_hour, "per_hours_worked": 0}, "per_hours_worked", "more than 0"),
    ({"carry_over_cap": -1}, "carry_over_cap", "0 (use it or lose it)"),
    ({"reset_month": 13}, "reset_month", "1 to 12"),
    ({"reset_month": 4, "reset_day": 31}, "reset_day", "April has days 1 to 30"),
    ({"reset_month": 2, "reset_day": 29}, "reset_day", "February 28 or March 1"),
    ({"reset_month": 1, "reset_day": 0}, "reset_day", "January has days 1 to 31"),
    ({"staff_id": 1, "role": Role.ma}, "", "a person or for a role"),
])
def test_bad_plan_input_is_refused_clearly(values: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PlanInput.model_validate({"kind": LeaveKind.pto, "method": AccrualMethod.per_period, "hours": 4, **values})
    [error] = caught.value.errors()
    assert (error["loc"][0] if error["loc"] else "") == field
    assert message in error["msg"]


def test_boundaries_of_a_plan_are_accepted() -> None:
    accepted = PlanInput(kind=LeaveKind.sick, method=AccrualMethod.per_hour, hours=200, per_hours_worked=2080,
                         carry_over_cap=0, reset_month=2, reset_day=28)
    assert (accepted.hours, accepted.carry_over_cap, accepted.reset_day) == (200, 0, 28)
    # a per-period plan drops a stray hours-worked figure
    assert PlanInput(kind=LeaveKind.pto, method=AccrualMethod.per_period, hours=1,
                     per_hours_worked=30).per_hours_worked is None


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"hours": 0}, "hours", "not 0"),
    ({"hours": 2080.5}, "hours", "at most 2,080"),
    ({"reason": "  "}, "reason", "say why"),
    ({"reason": "x" * 301}, "reason", "at most 300"),
])
def test_bad_adjustment_input_is_refused_clearly(values: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        AdjustmentInput.model_validate({"staff_id": 1, "kind": LeaveKind.pto, "hours": 8, "reason": "opening",
                                        **values})
    [error] = caught.value.errors()
    assert error["loc"][0] == field and message in error["msg"]


# --- who sees a balance in a refusal ------------------------------------------------------------------------


def test_an_over_balance_refusal_gives_the_balance_only_to_whoever_may_see_it(session: Session) -> None:
    colleague = make_staff(session, hire_date=date(2026, 1, 1), pto_hours_per_year=120)
    clerk = make_staff(session, first_name="Fay", hire_date=date(2026, 1, 1), pto_hours_per_year=40)
    assert colleague.id is not None and clerk.id is not None
    desk = Actor("fd", {UserRole.front_desk}, staff_id=clerk.id)
    asked = {"kind": "PTO", "start_date": date(2026, 12, 1), "end_date": date(2026, 12, 1), "hours": 999}
    with pytest.raises(ServiceError) as refused:
        request_time_off(session, TimeOffCreate(staff_id=colleague.id, **asked), now=NOW, actor=desk)
    assert str(refused.value) == "this request: 999.0 h is more PTO than is left — nothing was saved. Ask for " \
                                 "less, or choose to save it as unpaid"
    # their own, and the manager (a payroll reader), see the hours left
    with pytest.raises(ServiceError, match=r"^PTO left on 12/01: 40\.0 h; this request: 999\.0 h — nothing"):
        request_time_off(session, TimeOffCreate(staff_id=clerk.id, **asked), now=NOW, actor=desk)
    with pytest.raises(ServiceError, match=r"^PTO left on 12/01: 120\.0 h; this request: 999\.0 h — nothing"):
        request_time_off(session, TimeOffCreate(staff_id=colleague.id, **asked), now=NOW, actor=MANAGER)
    assert session.exec(select(TimeOff)).all() == []


def test_the_approval_check_gives_the_balance_only_to_whoever_may_see_it(session: Session) -> None:
    colleague = make_staff(session, hire_date=date(2026, 1, 1), pto_hours_per_year=120)
    clerk = make_staff(session, first_name="Fay", hire_date=date(2026, 1, 1))
    assert colleague.id is not None and clerk.id is not None
    off = make_time_off(session, colleague, kind="PTO", start_date=date(2026, 12, 1), end_date=date(2026, 12, 1),
                        hours=999, status=TimeOffStatus.requested)
    assert off.id is not None
    desk = Actor("fd", {UserRole.front_desk}, staff_id=clerk.id)
    hidden = leave.approval_check(session, off.id, actor=desk)
    assert hidden is not None and hidden.over
    assert hidden.text() == "this request: 999.0 h is more PTO than is left"
    shown = leave.approval_check(session, off.id, actor=MANAGER)
    assert shown is not None and shown.text() == "PTO left: 120.0 h; this request: 999.0 h"
    with pytest.raises(ServiceError, match=r"^PTO left: 120\.0 h; this request: 999\.0 h — it was not approved"):
        decide_time_off(session, off.id, True, now=NOW, actor=MANAGER, expected_version=off.version)


# --- sick leave per hour worked: the hours payroll pays ---------------------------------------------------


def punch(session: Session, person: Any, start: datetime, end: datetime | None) -> None:
    session.add(Punch(staff_id=person.id, clock_in=start, clock_out=end))
    session.commit()


def test_sick_leave_counts_the_punched_hours_payroll_pays_not_the_shifts(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 5))
    assert person.id is not None
    for day in range(5, 10):  # 8 h shifts Monday to Friday, each punched 10 h: 50 h paid
        worked(session, person, date(2026, 1, day), 8)
        punch(session, person, datetime(2026, 1, day, 7), datetime(2026, 1, day, 17))
    sick = balance(session, person.id, date(2026, 1, 18), LeaveKind.sick)
    assert sick.accrued == 1.67  # 50 / 30, not 40 / 30 = 1.33
    row = next(r for r in payroll_rows(session, date(2026, 1, 5)) if r.staff_id == person.id)
    assert row.worked_hours == 50


def test_a_shift_not_worked_on_a_day_with_punches_earns_nothing(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 5))
    assert person.id is not None
    plan(session, LeaveKind.sick, method=AccrualMethod.per_hour, hours=1, per_hours_worked=1)
    make_shift(session, person, start=datetime(2026, 1, 5, 7), end=datetime(2026, 1, 5, 11), break_minutes=0)
    make_shift(session, person, start=datetime(2026, 1, 5, 13), end=datetime(2026, 1, 5, 17), break_minutes=0)
    punch(session, person, datetime(2026, 1, 5, 7), datetime(2026, 1, 5, 11))  # the afternoon shift not worked
    worked(session, person, date(2026, 1, 6), 3)  # a day with no punch: its shift counts, as payroll pays it
    make_shift(session, person, start=datetime(2026, 1, 7, 7), end=datetime(2026, 1, 7, 11), break_minutes=0)
    punch(session, person, datetime(2026, 1, 7, 7), None)  # no out time: 0 h until a fix, as payroll pays it
    assert balance(session, person.id, date(2026, 1, 18), LeaveKind.sick).accrued == 4 + 3
    assert next(r for r in payroll_rows(session, date(2026, 1, 5)) if r.staff_id == person.id).worked_hours == 7


def test_a_colleagues_punches_do_not_touch_a_persons_sick_leave(session: Session) -> None:
    person = make_staff(session, hire_date=date(2026, 1, 5))
    other = make_staff(session, first_name="Fay", hire_date=date(2026, 1, 5))
    assert person.id is not None
    plan(session, LeaveKind.sick, method=AccrualMethod.per_hour, hours=1, per_hours_worked=1)
    worked(session, person, date(2026, 1, 5), 8)
    punch(session, other, datetime(2026, 1, 5, 7), datetime(2026, 1, 5, 9))
    assert balance(session, person.id, date(2026, 1, 18), LeaveKind.sick).accrued == 8


def payroll_rows(session: Session, start: date) -> list[Any]:
    return payroll.payroll(session, payroll.period_holding(session, start), actor=MANAGER)


# --- what a balance reads ----------------------------------------------------------------------------------


def count_queries(session: Session, work: Any) -> int:
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(args[2])

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return len(seen)


def test_the_forms_balances_take_the_same_few_queries_for_two_people_or_ten(session: Session) -> None:
    people = [make_staff(session, first_name=f"P{n}", hire_date=date(2025, 1, 6)) for n in range(10)]
    for person in people:
        for day in (5, 6, 7):
            worked(session, person, date(2026, 1, day), 8)
        make_time_off(session, person, kind="PTO", start_date=date(2026, 2, 2), end_date=date(2026, 2, 2))
    ids = [p.id for p in people if p.id is not None]
    on = date(2026, 3, 2)
    leave.request_balances(session, ids[:1], on, actor=MANAGER)  # rows saved above are read back once
    two = count_queries(session, lambda: leave.request_balances(session, ids[:2], on, actor=MANAGER))
    ten = count_queries(session, lambda: leave.request_balances(session, ids, on, actor=MANAGER))
    assert two == ten <= 12
    found = leave.request_balances(session, ids, on, actor=MANAGER).balances
    for staff_id in ids:  # the same as each one's own balance read
        assert found[(staff_id, LeaveKind.pto)] == balance(session, staff_id, on)
        assert found[(staff_id, LeaveKind.sick)] == balance(session, staff_id, on, LeaveKind.sick)
        assert found[(staff_id, LeaveKind.sick)].accrued == 0.8


def test_carry_over_stays_right_for_someone_hired_years_ago(session: Session) -> None:
    person = make_staff(session, hire_date=date(2019, 7, 1))
    assert person.id is not None
    plan(session, hours=4, carry_over_cap=None)
    old = make_time_off(session, person, kind="PTO", start_date=date(2019, 12, 2), end_date=date(2019, 12, 2),
                        status=TimeOffStatus.approved)
    assert old.id is not None
    on = date(2026, 1, 4)
    now = balance(session, person.id, on)
    # Every period from 07/2019 accrued 4 h (7/1/2019 falls inside 06/24–07/07/2019: 7 of 14 days) less the 8 h
    # taken in 2019, all carried year to year.
    ledger = leave.ledger(session, person.id, LeaveKind.pto, date(2025, 12, 31), actor=MANAGER).balance
    assert now.carried == ledger.left
    assert now.accrued == 4  # 12/22/2025–01/04/2026 ends in the new year
    assert now.left == round(ledger.left + 4, 2)


def test_the_form_shows_no_balance_to_someone_who_may_see_none_of_them(session: Session) -> None:
    colleague = make_staff(session, hire_date=date(2026, 1, 1))
    assert colleague.id is not None
    desk = Actor("fd", {UserRole.front_desk})  # a front-desk login tied to no staff record
    found = leave.request_balances(session, [colleague.id], date(2026, 3, 2), actor=desk)
    assert found.balances == {}
    assert found.line(colleague.id, "PTO", 8) == "PTO balance: the manager's to see; this request: 8.0 h"
