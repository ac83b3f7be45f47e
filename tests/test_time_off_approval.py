"""Issue 19, workflow 4: approving time off removes the person's shifts on its days after saying which, names a
provider's booked patients to reschedule, and payroll never pays a day both as worked and as time off."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import Session, col, select
from textual.widgets import DataTable, Label, Static

from factories import (
    ACTOR,
    NOW,
    at,
    audit_events,
    make_appointment,
    make_provider,
    make_shift,
    make_staff,
    make_time_off,
)
from officemgr.models import Appointment, ApptStatus, Shift, Staff, TimeOff, TimeOffCreate, TimeOffStatus
from officemgr.models.timeclock import LeaveKind
from officemgr.services import leave, roster
from officemgr.services.common import ServiceError
from officemgr.services.format import plural
from officemgr.services.payroll import PayRow, Period, payroll
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.views.practice_calendar import StrandedScreen
from officemgr.tui.views.staff import StaffView
from ui_support import SIZE, TODAY, settle

APP_NOW = datetime.combine(TODAY, time(10, 30))

D = date.fromisoformat
DEC7 = Period(D("2026-12-07"), D("2026-12-20"))  # a two-week pay period with no holiday in it


def two_weeks(session: Session, person: Staff) -> None:
    """Mon–Fri 08:00–17:00 with the hour's break: 40 h a week."""
    for n in range(14):
        day = DEC7.start + timedelta(days=n)
        if day.weekday() < 5:
            make_shift(session, person, start=at(8, day=day), end=at(17, day=day), break_minutes=60)


def request(session: Session, person: Staff, first: str, last: str, kind: str = "PTO") -> int:
    off = roster.request_time_off(session, TimeOffCreate(staff_id=person.id, kind=kind, start_date=D(first),
                                                         end_date=D(last)), now=NOW, actor=ACTOR)
    return off.id


def test_the_question_names_the_shifts_approval_removes(session):
    ma = make_staff(session)
    two_weeks(session, ma)
    off_id = request(session, ma, "2026-12-14", "2026-12-15")
    effects = roster.approval_effects(session, off_id)
    assert effects.question() == "approve and remove 2 shifts (Mon 8-17, Tue 8-17)?"
    assert effects.stranded == ()


def test_approval_removes_the_shifts_and_payroll_pays_64_regular_and_16_pto(session):
    ma = make_staff(session)
    two_weeks(session, ma)
    assert row(session, ma).regular_hours == 80.0
    off_id = request(session, ma, "2026-12-14", "2026-12-15")
    effects = roster.approval_effects(session, off_id)

    roster.decide_time_off(session, off_id, True, now=NOW, actor=ACTOR, expected_version=1,
                           expected_shifts=effects.shift_ids)

    left = session.exec(select(Shift).where(Shift.staff_id == ma.id)).all()
    assert len(left) == 8 and not {s.start.date() for s in left} & {D("2026-12-14"), D("2026-12-15")}
    pay = row(session, ma)
    assert (pay.regular_hours, pay.pto_hours, pay.total_paid_hours) == (64.0, 16.0, 80.0)
    removed = [(e.entity_id, c["removed_for_time_off"]) for e, c in audit_events(session, "shift")]
    assert sorted(removed) == sorted((s.id, off_id) for s in effects.shifts)


def test_denial_keeps_the_shifts(session):
    ma = make_staff(session)
    two_weeks(session, ma)
    off_id = request(session, ma, "2026-12-14", "2026-12-15")
    roster.decide_time_off(session, off_id, False, now=NOW, actor=ACTOR, expected_version=1)
    assert row(session, ma).regular_hours == 80.0


def test_approval_refuses_when_the_shifts_changed_since_the_question(session):
    ma = make_staff(session)
    off_id = request(session, ma, "2026-12-14", "2026-12-15")
    effects = roster.approval_effects(session, off_id)
    assert effects.question() == "approve?"
    make_shift(session, ma, start=at(8, day=D("2026-12-15")), end=at(12, 30, day=D("2026-12-15")))
    with pytest.raises(ServiceError, match="shifts in that time changed meanwhile"):
        roster.decide_time_off(session, off_id, True, now=NOW, actor=ACTOR, expected_version=1,
                               expected_shifts=effects.shift_ids)
    assert roster.approval_effects(session, off_id).question() == "approve and remove 1 shift (Tue 8-12:30)?"


def test_a_providers_booked_patients_in_the_span_are_listed_to_reschedule(session):
    doctor = make_provider(session)
    make_shift(session, doctor, start=at(8, day=D("2026-12-14")), end=at(17, day=D("2026-12-14")))
    first = make_appointment(session, provider=doctor, start=at(9, day=D("2026-12-14")))
    second = make_appointment(session, provider=doctor, start=at(16, 30, day=D("2026-12-15")))
    make_appointment(session, provider=doctor, start=at(10, day=D("2026-12-14")), status=ApptStatus.cancelled)
    make_appointment(session, provider=doctor, start=at(9, day=D("2026-12-16")))  # the day after: not stranded
    off_id = request(session, doctor, "2026-12-14", "2026-12-15")

    effects = roster.approval_effects(session, off_id)

    assert [b.appointment_id for b in effects.stranded] == [first.id, second.id]
    assert effects.question() == ("approve and remove 1 shift (Mon 8-17)? Grace Hopper has 2 booked patients in "
                                  "that time: the list to call and reschedule follows")


def test_payroll_never_pays_a_day_both_worked_and_on_leave(session):
    # Shifts left in place from before approval removed them: the day is paid as worked, the leave only beyond it.
    ma = make_staff(session)
    two_weeks(session, ma)
    make_time_off(session, ma, start_date=D("2026-12-14"), end_date=D("2026-12-15"))
    make_time_off(session, ma, start_date=D("2026-12-16"), hours=12)  # 12 h of leave against 8 h worked
    pay = row(session, ma)
    assert (pay.regular_hours, pay.pto_hours, pay.total_paid_hours) == (80.0, 4.0, 84.0)
    assert pay.notes == ("worked a shift during approved PTO (2026-12-14, 2026-12-15): paid as worked, leave only "
                         "beyond it", "worked a shift during approved PTO (2026-12-16): paid as worked, leave only "
                         "beyond it")


def test_time_off_over_a_holiday_costs_no_hours_for_the_holiday(session):
    ma = make_staff(session)
    # Wed 11/25 to Fri 11/27/2026: Thanksgiving (Thu) is closed, so 16 h.
    off_id = request(session, ma, "2026-11-25", "2026-11-27")
    roster.decide_time_off(session, off_id, True, now=NOW, actor=ACTOR, expected_version=1)
    assert session.get_one(TimeOff, off_id).hours == 16
    # Christmas Day to New Year's Day (Fri 12/25 .. Fri 1/1/2027): Mon 12/28 to Thu 12/31 only, all in 2026.
    make_time_off(session, ma, start_date=D("2026-12-25"), end_date=D("2027-01-01"))
    assert leave.ledger(session, ma.id, LeaveKind.pto, D("2026-12-31"), actor="tests").balance.used == 16 + 32
    assert leave.ledger(session, ma.id, LeaveKind.pto, D("2027-01-01"), actor="tests").balance.used == 0


def row(session: Session, person: Staff) -> PayRow:
    return next(r for r in payroll(session, DEC7, actor="tests") if r.staff_id == person.id)


# --- the Staff view's y, by keys on the demo ------------------------------------------------------------------


async def test_y_says_which_shifts_it_removes_then_approves_and_opens_the_call_list(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with write_session(demo_engine) as session:
        # The first day from TODAY on when a provider has both a shift and patients booked.
        doctor, day = next((s.staff_id, s.start.date()) for s in session.exec(
            select(Shift).join(Staff, col(Staff.id) == col(Shift.staff_id))
            .where(col(Staff.is_provider), col(Shift.start) >= datetime.combine(TODAY, time.min))
            .order_by(col(Shift.start))) if booked_on(session, s.staff_id, s.start.date()))
        off = roster.request_time_off(session, TimeOffCreate(staff_id=doctor, kind="PTO", start_date=day,
                                                             end_date=day), now=NOW, actor=ACTOR)
        effects = roster.approval_effects(session, off.id)
    assert effects.shifts and effects.stranded
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "v", "v")
        await settle(pilot)
        table = app.query_one("#roster", DataTable)
        keys = [table.coordinate_to_cell_key((n, 0)).row_key.value for n in range(table.row_count)]
        table.move_cursor(row=keys.index(str(off.id)))
        await pilot.press("y")
        await settle(pilot)
        status = str(app.query_one(StaffView).query_one("#status", Static).render())
        assert f"approve and remove {plural(len(effects.shifts), 'shift')} ({effects.shifts[0].start:%a}" in status
        assert f"{len(effects.stranded)} booked patient" in status
        with read_session(demo_engine) as session:
            assert session.get_one(TimeOff, off.id).status is TimeOffStatus.requested
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, StrandedScreen)
        title = str(app.screen.query_one(".form-title", Label).render())
        assert title.endswith(f"is off: {plural(len(effects.stranded), 'booking')} to call and reschedule")
        call_list = app.screen.query_one("#stranded-table", DataTable)
        assert call_list.row_count == len(effects.stranded)
    with read_session(demo_engine) as session:
        assert session.get_one(TimeOff, off.id).status is TimeOffStatus.approved
        assert all(session.get(Shift, s.id) is None for s in effects.shifts)


async def test_another_key_between_leaves_the_request_waiting(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with write_session(demo_engine) as session:
        # Someone here more than a year: the demo's brand-new hire has too little PTO for a day.
        shift = session.exec(select(Shift).join(Staff, col(Staff.id) == Shift.staff_id)
                             .where(col(Shift.start) >= datetime.combine(TODAY, time.min),
                                    col(Staff.hire_date) < TODAY - timedelta(days=366))
                             .order_by(col(Shift.start))).first()
        assert shift is not None
        off = roster.request_time_off(session, TimeOffCreate(staff_id=shift.staff_id, kind="PTO",
                                                             start_date=shift.start.date(),
                                                             end_date=shift.start.date()), now=NOW, actor=ACTOR)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "v", "v")
        await settle(pilot)
        table = app.query_one("#roster", DataTable)
        keys = [table.coordinate_to_cell_key((n, 0)).row_key.value for n in range(table.row_count)]
        table.move_cursor(row=keys.index(str(off.id)))
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("t", "y")
        await settle(pilot)
        assert "Press y again" in str(app.query_one(StaffView).query_one("#status", Static).render())
    with read_session(demo_engine) as session:
        assert session.get_one(TimeOff, off.id).status is TimeOffStatus.requested
        assert session.get(Shift, shift.id) is not None


def booked_on(session: Session, provider_id: int, day: date) -> bool:
    start = datetime.combine(day, time.min)
    return session.exec(select(Appointment).where(
        col(Appointment.provider_id) == provider_id, col(Appointment.start) >= start,
        col(Appointment.start) < start + timedelta(days=1), col(Appointment.status) == ApptStatus.booked)).first() \
        is not None
