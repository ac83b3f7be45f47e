"""Shifts, copy-last-week, time off decisions and coverage gaps (including a provider booked while off)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date, time, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select
from textual.widgets import DataTable, Input, Select

from factories import (
    NOW,
    TODAY,
    VALID_NPIS,
    at,
    audit_events,
    make_appointment,
    make_provider,
    make_shift,
    make_staff,
    make_time_off,
)
from officemgr.models import Role, Shift, ShiftCreate, TimeOff, TimeOffCreate, TimeOffStatus
from officemgr.services import coverage, roster
from officemgr.services.common import ServiceError, StaleEdit
from officemgr.store import read_session
from officemgr.tui.app import make_app
from ui_support import SIZE, settle

ACTOR = "manager"
TUESDAY = TODAY + timedelta(days=1)


def shift(person, *, day=TODAY, start="08:00", end="17:00", lunch=60) -> ShiftCreate:
    return ShiftCreate(staff_id=person.id, day=day, start_time=start, end_time=end, break_minutes=lunch)


def test_shift_input_rules():
    with pytest.raises(ValidationError, match="end after it starts"):
        ShiftCreate(staff_id=1, day=TODAY, start_time="17:00", end_time="08:00")
    with pytest.raises(ValidationError, match="break must be shorter"):
        ShiftCreate(staff_id=1, day=TODAY, start_time="08:00", end_time="09:00", break_minutes=60)
    assert ShiftCreate(staff_id=1, day=TODAY, start_time="7:30 am", end_time="4 PM").end == at(16)


def test_add_shift_refuses_overlaps_and_days_off_and_audits(session):
    ma = make_staff(session, first_name="Ruth", last_name="Bailey", role=Role.ma)
    added = roster.add_shift(session, shift(ma), now=NOW, actor=ACTOR)
    assert (added.start, added.end, added.worked_minutes) == (at(8), at(17), 8 * 60)
    with pytest.raises(ServiceError, match="Ruth Bailey already works 08:00–17:00 that day"):
        roster.add_shift(session, shift(ma, start="16:00", end="18:00", lunch=0), now=NOW, actor=ACTOR)
    make_time_off(session, ma, start_date=TUESDAY)
    with pytest.raises(ServiceError, match=r"is off that day \(PTO\)"):
        roster.add_shift(session, shift(ma, day=TUESDAY), now=NOW, actor=ACTOR)
    assert [e.action for e, _ in audit_events(session, "shift")] == ["create"]


def test_update_and_delete_shift(session):
    ma = make_staff(session, role=Role.ma)
    added = roster.add_shift(session, shift(ma), now=NOW, actor=ACTOR)
    moved = roster.update_shift(session, added.id, shift(ma, start="09:00", end="13:00", lunch=0), now=NOW,
                                actor=ACTOR, expected_version=1)
    assert (moved.id, moved.start, moved.end, moved.version) == (added.id, at(9), at(13), 2)
    assert (moved.break_minutes, moved.worked_minutes) == (0, 240)
    with pytest.raises(StaleEdit):
        roster.update_shift(session, added.id, shift(ma), now=NOW, actor=ACTOR, expected_version=1)
    with pytest.raises(StaleEdit):  # someone else edited it since this copy was read
        roster.delete_shift(session, added.id, now=NOW, actor=ACTOR, expected_version=1)
    roster.delete_shift(session, added.id, now=NOW, actor=ACTOR, expected_version=2)
    assert session.exec(select(Shift)).all() == []
    assert [e.action for e, _ in audit_events(session, "shift")] == ["create", "update", "delete"]


def test_copy_last_week_skips_people_already_scheduled_or_off(session):
    a = make_staff(session, first_name="Ann", last_name="A", role=Role.ma)
    b = make_staff(session, first_name="Bob", last_name="B", role=Role.ma)
    c = make_staff(session, first_name="Cy", last_name="C", role=Role.front_desk)
    last_monday = TODAY - timedelta(days=7)
    for person in (a, b, c):
        make_shift(session, person, start=at(8, day=last_monday), end=at(17, day=last_monday), break_minutes=60)
    make_shift(session, b, start=at(10), end=at(14))  # b already works this Monday
    make_time_off(session, c)  # c is off this Monday
    assert roster.copy_last_week(session, TODAY, now=NOW, actor=ACTOR) == 1
    copied = session.exec(select(Shift).where(Shift.staff_id == a.id, Shift.start >= at(0))).one()
    assert (copied.start, copied.end, copied.break_minutes) == (at(8), at(17), 60)
    assert roster.copy_last_week(session, TODAY, now=NOW, actor=ACTOR) == 0


def test_week_grid_shows_shifts_time_off_and_worked_hours(session):
    ma = make_staff(session, first_name="Ruth", last_name="Bailey", role=Role.ma)
    make_shift(session, ma, start=at(8), end=at(17), break_minutes=60)
    make_time_off(session, ma, start_date=TUESDAY, end_date=TUESDAY + timedelta(days=1))
    [row] = roster.week_grid(session, TODAY)
    assert [len(d.shifts) for d in row.days] == [1, 0, 0, 0, 0, 0, 0]
    assert [d.off is not None for d in row.days] == [False, True, True, False, False, False, False]
    assert row.hours == 8
    [cell] = row.days[0].shifts
    stored = session.exec(select(Shift)).one()
    assert cell == roster.ShiftRow(stored.id, 1, ma.id, at(8), at(17), 60, 480)
    off = row.days[1].off
    assert (off.staff_id, off.kind, off.start_date, off.end_date, off.status) == (
        ma.id, "PTO", TUESDAY, TUESDAY + timedelta(days=1), TimeOffStatus.approved)
    with pytest.raises(FrozenInstanceError):  # a read row, not a live one: nothing to change by accident
        cell.break_minutes = 0


def test_time_off_kinds_are_the_practice_setting(session):
    assert roster.time_off_kinds(session) == ["PTO", "Sick", "Unpaid", "Bereavement", "Jury duty", "FMLA"]


def test_time_off_request_counts_weekday_hours_and_is_decided_once(session):
    ma = make_staff(session, role=Role.ma)
    friday = TODAY + timedelta(days=4)
    off = roster.request_time_off(session, TimeOffCreate(staff_id=ma.id, kind="PTO", start_date=friday,
                                                         end_date=friday + timedelta(days=3)), now=NOW, actor=ACTOR)
    assert (off.hours, off.status) == (16, TimeOffStatus.requested)  # Friday and Monday; the weekend is free
    decided = roster.decide_time_off(session, off.id, True, now=NOW, actor="boss", expected_version=1)
    assert (decided.id, decided.status, decided.decided_by, decided.decided_on) == (
        off.id, TimeOffStatus.approved, "boss", TODAY)
    assert session.get(TimeOff, off.id).status is TimeOffStatus.approved
    with pytest.raises(ServiceError, match="already approved"):
        roster.decide_time_off(session, off.id, True, now=NOW, actor="boss", expected_version=2)
    assert [e.action for e, _ in audit_events(session, "time_off")] == ["request", "approved"]


def test_time_off_refuses_unknown_kinds_and_backwards_dates(session):
    ma = make_staff(session, role=Role.ma)
    with pytest.raises(ServiceError, match="choose one of: PTO, Sick"):
        roster.request_time_off(session, TimeOffCreate(staff_id=ma.id, kind="Vacation!", start_date=TODAY,
                                                       end_date=TODAY), now=NOW, actor=ACTOR)
    with pytest.raises(ValidationError, match="last day cannot be before the first"):
        TimeOffCreate(staff_id=ma.id, kind="PTO", start_date=TUESDAY, end_date=TODAY)


def test_time_off_list_puts_requests_first(session):
    ma = make_staff(session, role=Role.ma)
    make_time_off(session, ma, start_date=TODAY + timedelta(days=3))
    make_time_off(session, ma, start_date=TODAY + timedelta(days=9), status=TimeOffStatus.requested)
    make_time_off(session, ma, start_date=TODAY - timedelta(days=30))  # over: left out
    rows = roster.time_off_list(session, TODAY)
    assert [(r.status, r.start_date) for r in rows] == [
        (TimeOffStatus.requested, TODAY + timedelta(days=9)), (TimeOffStatus.approved, TODAY + timedelta(days=3))]


@pytest.fixture
def office(session):
    doc = make_provider(session, first_name="Grace", last_name="Hopper", npi=VALID_NPIS[0])
    desk = make_staff(session, first_name="Dee", last_name="Desk", role=Role.front_desk)
    ma = make_staff(session, first_name="Ma", last_name="One", role=Role.ma)
    for person in (doc, desk, ma):
        make_shift(session, person, start=at(8), end=at(17), break_minutes=60)
    return {"doc": doc, "desk": desk, "ma": ma}


def test_full_coverage_has_no_gaps(session, office):
    day = coverage.coverage_day(session, TODAY)
    assert (day.open_hours, day.gaps, day.conflicts) == ((time(8), time(17)), [], [])


def test_an_ma_out_leaves_a_gap_every_hour(session, office):
    make_time_off(session, office["ma"])
    day = coverage.coverage_day(session, TODAY)
    assert [str(g) for g in day.gaps][:2] == ["08:00 MA or nurse: 0 of 1", "09:00 MA or nurse: 0 of 1"]
    assert coverage.gap_ranges(day) == ["08:00–17:00 MA or nurse: 0 of 1"]


def test_a_short_front_desk_shift_leaves_the_afternoon_uncovered(session, office):
    desk_shift = session.exec(select(Shift).where(Shift.staff_id == office["desk"].id)).one()
    desk_shift.end = at(13)
    session.commit()
    assert coverage.gap_ranges(coverage.coverage_day(session, TODAY)) == ["13:00–17:00 Front desk: 0 of 1"]


def test_a_second_provider_needs_a_second_ma(session, office):
    other = make_provider(session, first_name="Charles", last_name="Babbage", npi=VALID_NPIS[1])
    make_shift(session, other, start=at(8), end=at(12))
    assert coverage.gap_ranges(coverage.coverage_day(session, TODAY)) == ["08:00–12:00 MA or nurse: 1 of 2"]


def test_a_provider_booked_while_off_or_off_shift_is_a_conflict(session, office):
    make_appointment(session, provider=office["doc"], start=at(9))
    other = make_provider(session, first_name="Charles", last_name="Babbage", npi=VALID_NPIS[1])
    make_appointment(session, provider=other, start=at(10))
    assert [str(c) for c in coverage.coverage_day(session, TODAY).conflicts] == [
        "Charles Babbage has 1 appointments but no shift"]
    make_time_off(session, office["doc"])
    conflicts = [str(c) for c in coverage.coverage_day(session, TODAY).conflicts]
    assert "Grace Hopper is off (PTO) with 1 appointments" in conflicts
    late = make_appointment(session, provider=other, start=at(16))
    make_shift(session, other, start=at(8), end=at(12))
    assert f"Charles Babbage has 1 appointments outside their shift (first at {late.start:%H:%M})" in \
        [str(c) for c in coverage.coverage_day(session, TODAY).conflicts]


def test_no_provider_working_means_no_opening_hours(session):
    make_staff(session, role=Role.front_desk)
    assert coverage.coverage_day(session, TODAY + timedelta(days=5)).open_hours is None


async def test_staff_tab_adds_a_shift_and_approves_time_off(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        shifts_before = len(session.exec(select(Shift)).all())
        waiting = session.exec(select(TimeOff).where(TimeOff.status == TimeOffStatus.requested)).first()
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "v")
        await settle(pilot)
        grid = app.query_one("#roster", DataTable)
        grid.cursor_coordinate = (0, 6)  # first person, Saturday: nobody works
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-start_time", Input).value = "9:00 AM"
        form.query_one("#f-end_time", Input).value = "8:00 AM"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        form.query_one("#f-end_time", Input).value = "1:00 PM"
        form.query_one("#f-break_minutes", Input).value = "0"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
        assert "09:00–13:00" in str(grid.get_cell_at((0, 6)))
        await pilot.press("v")
        await settle(pilot)
        table = app.query_one("#roster", DataTable)
        table.move_cursor(row=table.get_row_index(str(waiting.id)))
        await pilot.press("y")
        await settle(pilot)
    with read_session(demo_engine) as session:
        assert len(session.exec(select(Shift)).all()) == shifts_before + 1
        saturday = session.exec(select(Shift).where(Shift.start == at(9, day=TODAY + timedelta(days=5)))).one()
        assert saturday.end == at(13, day=TODAY + timedelta(days=5))
        assert session.get(TimeOff, waiting.id).status is TimeOffStatus.approved


async def test_time_off_form_refuses_backwards_dates(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        before = len(session.exec(select(TimeOff)).all())
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-kind", Select).value = "Sick"
        form.query_one("#f-start_date", Input).value = "12/03/2026"
        form.query_one("#f-end_date", Input).value = "12/01/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "before the first" in str(form.query_one("#form-error").render())
    with read_session(demo_engine) as session:
        assert len(session.exec(select(TimeOff)).all()) == before


def test_monday_of():
    assert roster.monday_of(date(2026, 11, 29)) == date(2026, 11, 23)
