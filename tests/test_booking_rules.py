"""Provider templates, exceptions, time off, the slot finder, moves, undo and recurring series."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlmodel import select

from factories import (
    NOW,
    TODAY,
    VALID_NPIS,
    at,
    audit_events,
    make_appointment,
    make_appointment_type,
    make_patient,
    make_provider,
    make_time_off,
)
from officemgr.models import (
    Appointment,
    AppointmentCreate,
    AppointmentEvent,
    ApptStatus,
    EventKind,
    ProviderHours,
    ScheduleBlock,
)
from officemgr.services import availability, schedule
from officemgr.services.common import ServiceError, StaleEdit

ACTOR = "desk"
TUESDAY = TODAY + timedelta(days=1)


@pytest.fixture
def desk(session):
    return {
        "hopper": make_provider(session, first_name="Grace", last_name="Hopper", npi=VALID_NPIS[0]),
        "babbage": make_provider(session, first_name="Charles", last_name="Babbage", npi=VALID_NPIS[1]),
        "ada": make_patient(session, first_name="Ada", last_name="Lovelace"),
        "alan": make_patient(session, first_name="Alan", last_name="Turing"),
        "visit": make_appointment_type(session, name="Follow-up", minutes=15),
        "physical": make_appointment_type(session, name="Physical", minutes=40),
    }


def booking(d, *, patient="ada", provider="hopper", kind="visit", day=TODAY, start_time="09:00", minutes=None):
    return AppointmentCreate(patient_id=d[patient].id, provider_id=d[provider].id, type_id=d[kind].id, day=day,
                             start_time=start_time, minutes=minutes or d[kind].minutes)


def conflicts_at(session, d, start: datetime, minutes: int = 15, provider="hopper", patient="ada"):
    return availability.conflicts(session, provider_id=d[provider].id, patient_id=d[patient].id, start=start,
                                  end=start + timedelta(minutes=minutes))


# --- templates, exceptions, time off ------------------------------------------------------------------


def test_a_provider_without_hours_that_weekday_cannot_be_booked(session, desk):
    tuesday = session.exec(select(ProviderHours).where(ProviderHours.provider_id == desk["hopper"].id,
                                                       ProviderHours.weekday == 1)).one()
    session.delete(tuesday)
    session.commit()
    assert conflicts_at(session, desk, at(9, day=TUESDAY)) == ["Grace Hopper does not work on Tuesdays"]
    assert conflicts_at(session, desk, at(9, day=TUESDAY), provider="babbage") == []


def test_edited_hours_move_the_edges(session, desk):
    monday = session.exec(select(ProviderHours).where(ProviderHours.provider_id == desk["hopper"].id,
                                                      ProviderHours.weekday == 0)).one()
    monday.start, monday.end = time(7, 0), time(15, 0)
    session.commit()
    assert conflicts_at(session, desk, at(7)) == []
    assert conflicts_at(session, desk, at(15)) == ["outside Grace Hopper's hours (07:00–15:00)"]


def test_a_dated_half_day_exception_blocks_only_that_day(session, desk):
    session.add(ScheduleBlock(provider_id=desk["hopper"].id, day=TUESDAY, start=time(13), end=time(17),
                              reason="Out: afternoon off"))
    session.commit()
    assert conflicts_at(session, desk, at(14, day=TUESDAY)) == ["during Out: afternoon off (13:00–17:00)"]
    assert conflicts_at(session, desk, at(10, day=TUESDAY)) == []
    assert conflicts_at(session, desk, at(14, day=TUESDAY + timedelta(days=7))) == []


def test_approved_time_off_blocks_the_day_but_a_request_does_not(session, desk):
    make_time_off(session, desk["hopper"], kind="PTO", start_date=TUESDAY, end_date=TUESDAY)
    make_time_off(session, desk["babbage"], kind="Sick", start_date=TUESDAY, end_date=TUESDAY,
                  status="requested")
    assert conflicts_at(session, desk, at(9, day=TUESDAY)) == ["Grace Hopper is off (PTO) that day"]
    assert conflicts_at(session, desk, at(9, day=TUESDAY), provider="babbage") == []


def test_capacity_counts_hours_minus_blocks(session, desk):
    session.add(ScheduleBlock(provider_id=desk["hopper"].id, day=TODAY, start=time(8), end=time(10),
                              reason="Meeting"))
    session.commit()
    day = schedule.day_schedule(session, TODAY)
    capacity = {p.provider_name: p.capacity for p in day.providers}
    # 9 hours minus lunch = 32 slots; the 2-hour meeting takes 8 more.
    assert capacity == {"Charles Babbage": 32, "Grace Hopper": 24}


def test_a_new_provider_gets_the_default_template(session):
    from officemgr.models import Role, StaffCreate
    from officemgr.services import staff

    person = staff.add_staff(session, StaffCreate(first_name="Lin", last_name="Wu", role=Role.np_pa,
                                                  is_provider=True, npi=VALID_NPIS[1]), now=NOW, actor=ACTOR)
    hours = session.exec(select(ProviderHours).where(ProviderHours.provider_id == person.id)).all()
    lunch = session.exec(select(ScheduleBlock).where(ScheduleBlock.provider_id == person.id)).all()
    assert sorted(h.weekday for h in hours) == [0, 1, 2, 3, 4]
    assert {(b.start, b.end, b.reason) for b in lunch} == {(time(12), time(13), "Lunch")}


# --- slot finder --------------------------------------------------------------------------------------


def test_open_slots_skip_bookings_lunch_and_day_end(session, desk):
    make_appointment(session, patient=desk["alan"], provider=desk["hopper"], appt_type=desk["physical"],
                     start=at(8))
    slots = availability.open_slots(session, minutes=40, from_day=TODAY, provider_id=desk["hopper"].id, limit=40)
    starts = [s.start for s in slots]
    assert starts[0] == at(8, 45)  # 08:00-08:40 is taken, next quarter hour after it
    assert at(11, 30) not in starts and at(11, 15) in starts  # 11:30 + 40 min runs into lunch
    assert at(12, 30) not in starts and at(13) in starts
    assert at(16, 30) not in starts and at(16, 15) in starts  # must end by 17:00
    assert all(s.provider_name == "Grace Hopper" and s.end - s.start == timedelta(minutes=40) for s in slots)


def test_open_slots_skip_exceptions_and_time_off_and_continue_next_day(session, desk):
    make_time_off(session, desk["babbage"], kind="PTO", start_date=TODAY, end_date=TODAY)
    session.add(ScheduleBlock(provider_id=desk["hopper"].id, day=TODAY, start=time(8), end=time(17),
                              reason="Out: CME"))
    session.commit()
    slots = availability.open_slots(session, minutes=15, from_day=TODAY, limit=3)
    assert [(s.provider_name, s.start) for s in slots] == [
        ("Charles Babbage", at(8, day=TUESDAY)), ("Grace Hopper", at(8, day=TUESDAY)),
        ("Charles Babbage", at(8, 15, day=TUESDAY))]


def test_open_slots_by_part_of_day_and_not_in_the_past(session, desk):
    afternoon = availability.open_slots(session, minutes=15, from_day=TODAY, provider_id=desk["hopper"].id,
                                        part="afternoon", limit=1)
    assert afternoon[0].start == at(13)
    later = availability.open_slots(session, minutes=15, from_day=TODAY, provider_id=desk["hopper"].id,
                                    not_before=at(10, 7), limit=1)
    assert later[0].start == at(10, 15)


def test_open_slots_skip_weekends(session, desk):
    saturday = TODAY + timedelta(days=5)
    slots = availability.open_slots(session, minutes=15, from_day=saturday, limit=1)
    assert slots[0].start.date() == saturday + timedelta(days=2)


# --- booking marks, move, undo ------------------------------------------------------------------------


def test_a_confirmed_overlap_is_stored_as_a_double_book_with_what_was_overridden(session, desk):
    make_appointment(session, patient=desk["alan"], provider=desk["hopper"], appt_type=desk["visit"], start=at(9))
    appt = schedule.book(session, booking(desk), now=NOW, actor=ACTOR, confirmed=True)
    assert appt.double_booked
    [created] = session.exec(select(AppointmentEvent).where(AppointmentEvent.appointment_id == appt.id)).all()
    assert created.kind is EventKind.create and "double-book" in created.note


def test_move_keeps_the_id_records_history_and_checks_conflicts(session, desk):
    appt = schedule.book(session, booking(desk), now=NOW, actor=ACTOR)
    make_appointment(session, patient=desk["alan"], provider=desk["babbage"], appt_type=desk["visit"],
                     start=at(10))
    with pytest.raises(ServiceError, match="overlaps Turing, Alan at 10:00"):
        schedule.move(session, appt.id, start=at(10), provider_id=desk["babbage"].id, now=NOW, actor=ACTOR,
                      expected_version=1)
    moved = schedule.move(session, appt.id, start=at(10, 30), provider_id=desk["babbage"].id, now=NOW,
                          actor=ACTOR, expected_version=1)
    assert (moved.id, moved.start, moved.end, moved.provider_id) == (appt.id, at(10, 30), at(10, 45),
                                                                     desk["babbage"].id)
    kinds = [(e.kind, e.from_start, e.to_start) for e in schedule.history(session, appt.id)]
    assert kinds == [(EventKind.create, None, at(9)), (EventKind.move, at(9), at(10, 30))]
    assert [e.action for e, _ in audit_events(session, "appointment")][-1] == "move"


def test_move_refuses_a_stale_copy_and_a_visit_already_under_way(session, desk):
    appt = schedule.book(session, booking(desk), now=NOW, actor=ACTOR)
    schedule.set_status(session, appt.id, ApptStatus.arrived, now=NOW, actor=ACTOR, expected_version=1)
    with pytest.raises(StaleEdit):
        schedule.move(session, appt.id, start=at(11), provider_id=desk["hopper"].id, now=NOW, actor=ACTOR,
                      expected_version=1)
    with pytest.raises(ServiceError, match="only a booked appointment can be moved"):
        schedule.move(session, appt.id, start=at(11), provider_id=desk["hopper"].id, now=NOW, actor=ACTOR,
                      expected_version=2)


def test_status_changes_are_timed_and_give_the_waiting_time(session, desk):
    appt = schedule.book(session, booking(desk), now=NOW, actor=ACTOR)
    schedule.set_status(session, appt.id, ApptStatus.arrived, now=at(8, 52), actor=ACTOR, expected_version=1)
    schedule.set_status(session, appt.id, ApptStatus.in_room, now=at(9, 9), actor=ACTOR, expected_version=2)
    events = schedule.history(session, appt.id)
    assert [(e.from_status, e.to_status, e.at) for e in events[1:]] == [
        ("booked", "arrived", at(8, 52)), ("arrived", "in_room", at(9, 9))]
    assert schedule.waiting_minutes(events) == 17


def test_cancel_keeps_its_reason_and_undo_restores_it(session, desk):
    appt = schedule.book(session, booking(desk), now=NOW, actor=ACTOR)
    cancelled = schedule.set_status(session, appt.id, ApptStatus.cancelled, now=NOW, actor=ACTOR,
                                    expected_version=1, reason="Patient is sick")
    assert (cancelled.status, cancelled.cancel_reason, cancelled.version) == (ApptStatus.cancelled,
                                                                              "Patient is sick", 2)
    stored = session.get(Appointment, appt.id)
    assert (stored.status, stored.cancel_reason) == (ApptStatus.cancelled, "Patient is sick")
    undone = schedule.undo_last(session, appt.id, now=NOW, actor=ACTOR, expected_version=2)
    assert (undone.status, undone.cancel_reason, undone.version) == (ApptStatus.booked, "", 3)
    session.refresh(stored)
    assert (stored.status, stored.cancel_reason, stored.version) == (ApptStatus.booked, "", 3)
    assert schedule.history(session, appt.id)[-1].kind is EventKind.undo


def test_undo_walks_back_one_change_at_a_time_and_then_refuses(session, desk):
    appt = schedule.book(session, booking(desk), now=NOW, actor=ACTOR)
    schedule.move(session, appt.id, start=at(10), provider_id=desk["hopper"].id, now=NOW, actor=ACTOR,
                  expected_version=1)
    schedule.set_status(session, appt.id, ApptStatus.arrived, now=NOW, actor=ACTOR, expected_version=2)
    undone = schedule.undo_last(session, appt.id, now=NOW, actor=ACTOR, expected_version=3)
    assert (undone.status, undone.start) == (ApptStatus.booked, at(10))
    undone = schedule.undo_last(session, appt.id, now=NOW, actor=ACTOR, expected_version=4)
    assert (undone.start, undone.end) == (at(9), at(9, 15))
    stored = session.get(Appointment, appt.id)
    assert (stored.status, stored.start, stored.end, stored.version) == (ApptStatus.booked, at(9), at(9, 15), 5)
    with pytest.raises(ServiceError, match="nothing to undo"):
        schedule.undo_last(session, appt.id, now=NOW, actor=ACTOR, expected_version=5)


# --- recurring series ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("words", "rule"), [
    ("every 4 weeks, 6 times", "FREQ=WEEKLY;INTERVAL=4;COUNT=6"),
    ("Every week 3 times", "FREQ=WEEKLY;INTERVAL=1;COUNT=3"),
    ("every 2 months, 4 times", "FREQ=MONTHLY;INTERVAL=2;COUNT=4"),
    ("RRULE:FREQ=DAILY;COUNT=2", "FREQ=DAILY;COUNT=2"),
])
def test_repeat_rule_from_words(words, rule):
    assert schedule.repeat_rule(words) == rule


def test_a_series_shows_which_occurrences_conflict_and_saves_nothing(session, desk):
    clash_day = TODAY + timedelta(weeks=8)
    make_appointment(session, patient=desk["alan"], provider=desk["hopper"], appt_type=desk["visit"],
                     start=at(9, day=clash_day))
    plan = schedule.plan_series(session, booking(desk), "every 4 weeks, 6 times")
    assert [o.start.date() for o in plan] == [TODAY + timedelta(weeks=4 * n) for n in range(6)]
    # 01/18/2027 is also Martin Luther King Jr. Day and 02/15/2027 Washington's Birthday: the calendar closes them.
    assert [bool(o.problems) for o in plan] == [False, False, True, True, False, False]
    before = len(session.exec(select(Appointment)).all())
    with pytest.raises(ServiceError, match=r"2 of 6 occurrences conflict — 01/18/2027 09:00: "
                                           r"the practice is closed on Mon 01/18/2027 "
                                           r"\(Martin Luther King Jr. Day\), overlaps Turing.*"
                                           r"02/15/2027 09:00: the practice is closed on Mon 02/15/2027 "
                                           r"\(Washington's Birthday\)"):
        schedule.book_series(session, booking(desk), "every 4 weeks, 6 times", now=NOW, actor=ACTOR)
    assert len(session.exec(select(Appointment)).all()) == before


def test_a_clean_series_is_booked_together(session, desk):
    booked = schedule.book_series(session, booking(desk), "FREQ=WEEKLY;COUNT=3", now=NOW, actor=ACTOR)
    assert [a.start for a in booked] == [at(9, day=TODAY + timedelta(weeks=n)) for n in range(3)]
    assert {a.series_id for a in booked} == {booked[0].id}
    assert len(audit_events(session, "appointment")) == 3


@pytest.mark.parametrize(("rule", "message"), [
    ("FREQ=WEEKLY", "say how many times"),
    ("FREQ=SOMETIMES;COUNT=2", "not one the app can read"),
    ("FREQ=DAILY;COUNT=60", "at most 52"),
])
def test_bad_repeat_rules_are_refused(session, desk, rule, message):
    with pytest.raises(ServiceError, match=message):
        schedule.book_series(session, booking(desk), rule, now=NOW, actor=ACTOR)


def test_week_schedule_has_seven_days_with_their_plans(session, desk):
    make_appointment(session, patient=desk["ada"], provider=desk["hopper"], appt_type=desk["visit"],
                     start=at(9, day=TUESDAY))
    week = schedule.week_schedule(session, desk["hopper"].id, TODAY)
    assert [p.plan.day for p in week] == [TODAY + timedelta(days=n) for n in range(7)]
    assert [len(p.appointments) for p in week] == [0, 1, 0, 0, 0, 0, 0]
    assert [p.capacity for p in week] == [32, 32, 32, 0, 32, 0, 0]  # Thursday is Thanksgiving
    assert week[5].plan.hours is None

