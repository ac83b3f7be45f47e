"""Issue 19 on the Schedule: the practice calendar in slots and booking, booking into the past, repeat rules in
the user's words, undo of one's own last change, and the stale move that offers a reload."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import select

from factories import NOW, TODAY, VALID_NPIS, at, make_appointment_type, make_patient, make_provider
from officemgr.models import Appointment, AppointmentCreate, ApptStatus, ClosureCreate, EventKind, ProviderHours
from officemgr.services import availability, calendar, frontdesk, schedule, settings
from officemgr.services.common import ServiceError
from officemgr.tui.context import AppContext, Desk
from officemgr.tui.forms.move import MOVE_STALE, MoveDestination
from officemgr.tui.views.schedule_writes import move as move_call

ACTOR = "desk"
THANKSGIVING = date(2026, 11, 26)
WEDNESDAY = date(2026, 11, 25)
FRIDAY = date(2026, 11, 27)


@pytest.fixture
def desk(session):
    return {
        "hopper": make_provider(session, first_name="Grace", last_name="Hopper", npi=VALID_NPIS[0]),
        "babbage": make_provider(session, first_name="Charles", last_name="Babbage", npi=VALID_NPIS[1]),
        "ada": make_patient(session, first_name="Ada", last_name="Lovelace"),
        "alan": make_patient(session, first_name="Alan", last_name="Turing"),
        "visit": make_appointment_type(session, name="Follow-up", minutes=15),
    }


def booking(d, *, patient="ada", provider="hopper", day=TODAY, start_time="09:00", minutes=15):
    return AppointmentCreate(patient_id=d[patient].id, provider_id=d[provider].id, type_id=d["visit"].id, day=day,
                             start_time=start_time, minutes=minutes)


def close(session, day, reason="Water main break", *, provider=None, closes_at=None):
    calendar.add_closure(session, ClosureCreate(day=day, reason=reason, provider_id=provider, closes_at=closes_at),
                         now=NOW, actor=ACTOR)


def slot_days(session, d, from_day, *, provider="hopper", limit=200):
    slots = availability.open_slots(session, minutes=15, from_day=from_day, provider_id=d[provider].id, limit=limit,
                                    days=7)
    return sorted({s.start.date() for s in slots})


# --- the slot finder follows the calendar ---------------------------------------------------------------------


def test_no_slot_on_a_holiday_a_weekend_or_a_closure(session, desk):
    close(session, WEDNESDAY)
    days = slot_days(session, desk, TODAY)
    # Mon 11/23 .. Sun 11/29: Wednesday closed, Thursday Thanksgiving, the weekend closed.
    assert days == [TODAY, TODAY + timedelta(days=1), FRIDAY]


def test_a_providers_closure_closes_only_that_provider(session, desk):
    close(session, FRIDAY, "Conference", provider=desk["hopper"].id)
    assert FRIDAY not in slot_days(session, desk, FRIDAY)
    assert FRIDAY in slot_days(session, desk, FRIDAY, provider="babbage")


def test_a_half_day_offers_nothing_that_ends_after_it_closes(session, desk):
    close(session, TODAY, "Staff training", closes_at=time(12))
    slots = availability.open_slots(session, minutes=15, from_day=TODAY, provider_id=desk["hopper"].id, limit=200,
                                    days=1)
    assert slots and max(s.end for s in slots) == at(12)  # the last slot ends exactly at closing


def test_open_weekdays_setting_opens_a_saturday(session, desk):
    settings.put(session, "open_weekdays", [0, 1, 2, 3, 4, 5], actor=ACTOR, now=NOW)
    session.add(ProviderHours(provider_id=desk["hopper"].id, weekday=5, start=time(9), end=time(12)))
    session.commit()
    assert date(2026, 11, 28) in slot_days(session, desk, TODAY)


# --- booking on a closed day: explained, confirmable, kept in the history -------------------------------------


def test_booking_on_a_holiday_is_a_conflict_in_words(session, desk):
    assert schedule.conflicts(session, booking(desk, day=THANKSGIVING)) == [
        "the practice is closed on Thu 11/26/2026 (Thanksgiving Day)"]
    with pytest.raises(ServiceError, match="closed on Thu 11/26/2026"):
        schedule.book(session, booking(desk, day=THANKSGIVING), now=NOW, actor=ACTOR)
    assert session.exec(select(Appointment)).all() == []


def test_a_confirmed_booking_on_a_closed_day_keeps_why_in_its_history(session, desk):
    close(session, WEDNESDAY)
    saved = schedule.book(session, booking(desk, day=WEDNESDAY), now=NOW, actor=ACTOR, confirmed=True)
    created = schedule.history(session, saved.id)[0]
    assert created.note == "booked despite: the practice is closed on Wed 11/25/2026 (Water main break)"


def test_booking_into_a_providers_closure_names_the_provider(session, desk):
    close(session, FRIDAY, "Conference", provider=desk["hopper"].id)
    assert schedule.conflicts(session, booking(desk, day=FRIDAY)) == ["Grace Hopper is out on Fri 11/27/2026 "
                                                                      "(Conference)"]
    assert schedule.conflicts(session, booking(desk, day=FRIDAY, provider="babbage")) == []


@pytest.mark.parametrize(("start_time", "minutes", "problem"), [
    ("11:45", 15, False),  # ends exactly at closing
    ("11:50", 15, True),
    ("12:00", 15, True),
])
def test_a_half_day_refuses_a_visit_that_ends_after_closing(session, desk, start_time, minutes, problem):
    close(session, TODAY, "Staff training", closes_at=time(12))
    found = schedule.conflicts(session, booking(desk, start_time=start_time, minutes=minutes))
    assert ("the practice closes at 12:00 on Mon 11/23/2026" in found) is problem


def test_the_reminder_list_skips_a_closure(session, desk):
    close(session, TODAY + timedelta(days=1))
    assert frontdesk.reminder_list(session, TODAY).day == WEDNESDAY
    # Across Thanksgiving: Wednesday's reminders are Friday's patients.
    assert frontdesk.reminder_list(session, WEDNESDAY).day == FRIDAY


# --- booking into the past asks first ---------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "asks"), [
    (TODAY - timedelta(days=3), "Fri 11/20/2026 is in the past (3 days ago)"),
    (TODAY - timedelta(days=1), "Sun 11/22/2026 is in the past (yesterday)"),
    (TODAY, None),
])
def test_booking_into_the_past_asks_and_says_why(session, desk, day, asks):
    data = booking(desk, day=day)
    if asks is None:
        assert schedule.book(session, data, now=NOW, actor=ACTOR).id
        return
    with pytest.raises(ServiceError, match=asks.replace("(", r"\(").replace(")", r"\)")):
        schedule.book(session, data, now=NOW, actor=ACTOR)
    saved = schedule.book(session, data, now=NOW, actor=ACTOR, confirmed=True)
    assert "enter a visit that already happened" in schedule.history(session, saved.id)[0].note


def test_booking_across_a_month_end_into_the_past(session, desk):
    first_of_month = datetime(2026, 12, 1, 8, 0)
    with pytest.raises(ServiceError, match="Mon 11/30/2026 is in the past \\(yesterday\\)"):
        schedule.book(session, booking(desk, day=date(2026, 11, 30)), now=first_of_month, actor=ACTOR)


# --- repeat rules in the user's words ----------------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["every 2 weeks", "FREQ=WEEKLY;COUNT", "weekly please", "FREQ=WEEKLY;COUNT=x"])
def test_a_repeat_rule_that_does_not_parse_is_explained_in_words(session, desk, rule):
    with pytest.raises(ServiceError) as refused:
        schedule.book_series(session, booking(desk), rule, now=NOW, actor=ACTOR)
    message = str(refused.value)
    assert message.startswith(f"the repeat rule '{rule}' is not one the app can read")
    assert "every 4 weeks, 6 times" in message
    for python in ("unpack", "invalid literal", "unknown parameter", "expected"):
        assert python not in message


# --- undo: the user's own last change -----------------------------------------------------------------------------


def test_undo_takes_back_my_last_change_not_the_one_under_the_cursor(session, desk):
    mine = schedule.book(session, booking(desk, start_time="09:00"), now=NOW, actor=ACTOR)
    other = schedule.book(session, booking(desk, patient="alan", start_time="10:00"), now=NOW, actor=ACTOR)
    opened = NOW + timedelta(minutes=5)
    schedule.set_status(session, mine.id, ApptStatus.arrived, now=opened + timedelta(minutes=1), actor=ACTOR,
                        expected_version=1)
    # Someone else's check-in, later: not mine to undo.
    schedule.set_status(session, other.id, ApptStatus.arrived, now=opened + timedelta(minutes=2), actor="kim",
                        expected_version=1)
    undone = schedule.undo_mine(session, since=opened, now=opened + timedelta(minutes=3), actor=ACTOR)
    assert undone.id == mine.id and undone.status is ApptStatus.booked
    assert undone.what == "Lovelace, Ada is booked again (you had made it arrived at 08:36)"
    assert session.get(Appointment, other.id).status is ApptStatus.arrived
    with pytest.raises(ServiceError, match="nothing to undo: you have not changed an appointment since you opened"):
        schedule.undo_mine(session, since=opened, now=opened + timedelta(minutes=4), actor=ACTOR)


def test_undo_ignores_my_changes_from_before_the_app_opened(session, desk):
    appt = schedule.book(session, booking(desk), now=NOW, actor=ACTOR)
    schedule.set_status(session, appt.id, ApptStatus.arrived, now=NOW, actor=ACTOR, expected_version=1)
    with pytest.raises(ServiceError, match="nothing to undo"):
        schedule.undo_mine(session, since=NOW + timedelta(hours=2), now=NOW + timedelta(hours=3), actor=ACTOR)


def test_undo_refuses_when_someone_else_changed_it_since(session, desk):
    appt = schedule.book(session, booking(desk), now=NOW, actor=ACTOR)
    schedule.set_status(session, appt.id, ApptStatus.arrived, now=at(8, 40), actor=ACTOR, expected_version=1)
    schedule.set_status(session, appt.id, ApptStatus.in_room, now=at(8, 50), actor="kim", expected_version=2)
    with pytest.raises(ServiceError, match=r"nothing was undone: kim changed Lovelace, Ada after you "
                                           r"\(made it in room at 08:50\)"):
        schedule.undo_mine(session, since=NOW, now=at(9), actor=ACTOR)
    assert session.get(Appointment, appt.id).status is ApptStatus.in_room


def test_undo_of_a_move_says_where_it_went_back_to(session, desk):
    appt = schedule.book(session, booking(desk), now=NOW, actor=ACTOR)
    schedule.move(session, appt.id, start=at(11), provider_id=desk["hopper"].id, now=at(8, 45), actor=ACTOR,
                  expected_version=1)
    undone = schedule.undo_mine(session, since=NOW, now=at(8, 50), actor=ACTOR)
    assert (undone.start, undone.what) == (at(9), "Lovelace, Ada is back at Mon 11/23 09:00 (you had moved it at "
                                                  "08:45)")
    assert schedule.history(session, appt.id)[-1].kind is EventKind.undo


# --- the stale move offers a reload, never an override ------------------------------------------------------------


def test_a_stale_move_offers_a_reload_and_the_reloaded_version_moves(session, desk, engine):
    saved = schedule.book(session, booking(desk), now=NOW, actor=ACTOR)
    schedule.set_status(session, saved.id, ApptStatus.arrived, now=NOW, actor="kim", expected_version=1)
    schedule.set_status(session, saved.id, ApptStatus.booked, now=NOW, actor="kim", expected_version=2)
    ctx = AppContext(engine, TODAY, lambda: NOW, Desk(ACTOR))
    row = schedule.appointment_row(session, saved.id)
    assert row is not None and row.version == 3
    save = move_call(ctx, row)
    stale = MoveDestination(provider_id=desk["hopper"].id, day=TODAY, start_time="11:00", version=1)
    with pytest.raises(ServiceError) as refused:
        save(session, stale)
    assert str(refused.value) == MOVE_STALE
    assert "anyway" not in MOVE_STALE and "ctrl+r to reload" in MOVE_STALE
    # Even "confirmed" (a second ctrl+s) a stale move is not made: only the reload's version moves it.
    with pytest.raises(ServiceError):
        save(session, stale.model_copy(update={"confirmed": True}))
    save(session, stale.model_copy(update={"version": row.version}))
    assert session.get(Appointment, saved.id).start == at(11)


def test_a_move_refused_for_its_status_offers_no_override(session, desk, engine):
    saved = schedule.book(session, booking(desk), now=NOW, actor=ACTOR)
    schedule.set_status(session, saved.id, ApptStatus.arrived, now=NOW, actor=ACTOR, expected_version=1)
    row = schedule.appointment_row(session, saved.id)
    assert row is not None
    save = move_call(AppContext(engine, TODAY, lambda: NOW, Desk(ACTOR)), row)
    with pytest.raises(ServiceError) as refused:
        save(session, MoveDestination(provider_id=desk["hopper"].id, day=TODAY, start_time="11:00",
                                      version=row.version))
    assert "anyway" not in str(refused.value)


def test_bookable_minutes_take_off_overlapping_blocks_once() -> None:
    from officemgr.services.availability import Block, ProviderDayPlan

    day = date(2026, 11, 25)
    at = lambda h, m=0: datetime(2026, 11, 25, h, m)  # noqa: E731
    # 08:00-17:00 with lunch 12-13 inside an early close from 12:00: 4 hours open, not 3.
    plan = ProviderDayPlan(1, day, (at(8), at(17)), [Block(at(12), at(13), "Lunch"),
                                                 Block(at(12), at(17), "Closes early", closed=True)])
    assert plan.bookable_minutes == 240
    # Side by side, partly overlapping, and one starting before the hours.
    plan = ProviderDayPlan(1, day, (at(8), at(17)), [Block(at(7), at(9), "Early"), Block(at(10), at(11, 30), "A"),
                                                 Block(at(11), at(12), "B")])
    assert plan.bookable_minutes == 9 * 60 - 60 - 120
