from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    VALID_NPIS,
    at,
    audit_events,
    make_appointment,
    make_appointment_type,
    make_patient,
    make_provider,
    make_staff,
)
from officemgr.models import Appointment, AppointmentCreate, ApptStatus, Role
from officemgr.services import schedule
from officemgr.services.common import ServiceError, StaleEdit

SATURDAY = date(2026, 11, 28)


def booking(patient, provider, kind, *, day=TODAY, start_time="09:00", minutes=15, **kw) -> AppointmentCreate:
    return AppointmentCreate(patient_id=patient.id, provider_id=provider.id, type_id=kind.id, day=day,
                             start_time=start_time, minutes=minutes, **kw)


@pytest.fixture
def clinic(session):
    """Two providers, two patients, a 15- and a 30-minute visit type."""
    return {
        "hopper": make_provider(session, first_name="Grace", last_name="Hopper", npi=VALID_NPIS[0]),
        "babbage": make_provider(session, first_name="Charles", last_name="Babbage", npi=VALID_NPIS[1]),
        "ada": make_patient(session, first_name="Ada", last_name="Lovelace"),
        "alan": make_patient(session, first_name="Alan", last_name="Turing", dob=date(1962, 6, 23),
                             phone="(555) 987-6543"),
        "short": make_appointment_type(session, name="Follow-up", minutes=15),
        "long": make_appointment_type(session, name="Physical", minutes=30),
    }


# --- day_schedule -------------------------------------------------------------------------------------


def test_day_schedule_groups_per_provider_in_name_order(session, clinic):
    c = clinic
    a1 = make_appointment(session, patient=c["ada"], provider=c["hopper"], appt_type=c["short"], start=at(10))
    a2 = make_appointment(session, patient=c["alan"], provider=c["hopper"], appt_type=c["long"], start=at(9))
    b1 = make_appointment(session, patient=c["alan"], provider=c["babbage"], appt_type=c["short"], start=at(14))
    # another day does not show
    make_appointment(session, patient=c["ada"], provider=c["babbage"], appt_type=c["short"],
                     start=at(9, day=TODAY + timedelta(days=1)))

    day = schedule.day_schedule(session, TODAY)

    assert day.day == TODAY
    assert [p.provider_name for p in day.providers] == ["Charles Babbage", "Grace Hopper"]
    babbage, hopper = day.providers
    assert [a.id for a in babbage.appointments] == [b1.id]
    assert [a.id for a in hopper.appointments] == [a2.id, a1.id]  # by start time
    first = hopper.appointments[0]
    assert (first.patient_name, first.patient_initials, first.type_name) == ("Turing, Alan", "AT", "Physical")
    assert (first.start, first.end, first.status) == (at(9), at(9, 30), ApptStatus.booked)
    assert hopper.booked == 2 and hopper.double_books == 0
    # 08:00-17:00 minus lunch is 32 fifteen-minute slots; 45 minutes booked leaves 29
    assert hopper.capacity == 32
    assert hopper.open_slots == 29
    assert [r.id for r in day.rows] == [a2.id, a1.id, b1.id]


def test_day_schedule_lists_a_provider_with_no_appointments_and_no_capacity_on_weekends(session, clinic):
    day = schedule.day_schedule(session, TODAY)
    assert [(p.provider_name, p.appointments, p.open_slots) for p in day.providers] == [
        ("Charles Babbage", [], 32),
        ("Grace Hopper", [], 32),
    ]
    assert all(p.capacity == 0 and p.open_slots == 0 for p in schedule.day_schedule(session, SATURDAY).providers)


def test_day_schedule_flags_the_later_of_two_overlapping_appointments(session, clinic):
    c = clinic
    first = make_appointment(session, patient=c["ada"], provider=c["hopper"], appt_type=c["long"], start=at(9))
    second = make_appointment(session, patient=c["alan"], provider=c["hopper"], appt_type=c["short"],
                              start=at(9, 15))
    # same time, other provider: not a double-book
    other = make_appointment(session, patient=c["alan"], provider=c["babbage"], appt_type=c["short"], start=at(9))
    # back to back: not a double-book
    after = make_appointment(session, patient=c["ada"], provider=c["hopper"], appt_type=c["short"], start=at(9, 30))

    day = schedule.day_schedule(session, TODAY)
    flags = {a.id: a.double_booked for p in day.providers for a in p.appointments}

    assert flags == {first.id: False, second.id: True, other.id: False, after.id: False}
    hopper = next(p for p in day.providers if p.provider_id == c["hopper"].id)
    assert hopper.double_books == 1


@pytest.mark.parametrize("status", [ApptStatus.cancelled, ApptStatus.no_show])
def test_cancelled_and_no_show_appointments_do_not_count_as_overlaps(session, clinic, status):
    c = clinic
    gone = make_appointment(session, patient=c["ada"], provider=c["hopper"], appt_type=c["long"], start=at(9),
                            status=status)
    later = make_appointment(session, patient=c["alan"], provider=c["hopper"], appt_type=c["short"], start=at(9, 15))
    same = make_appointment(session, patient=c["alan"], provider=c["hopper"], appt_type=c["long"], start=at(9),
                            status=status)
    # inside an active visit: the inactive one is not flagged either
    inside = make_appointment(session, patient=c["ada"], provider=c["hopper"], appt_type=c["short"], start=at(9, 20),
                              status=status)

    hopper = next(p for p in schedule.day_schedule(session, TODAY).providers if p.provider_id == c["hopper"].id)

    assert {a.id: a.double_booked for a in hopper.appointments} == {
        gone.id: False, later.id: False, same.id: False, inside.id: False}
    assert hopper.booked == 1 and hopper.double_books == 0
    assert hopper.no_shows == (3 if status is ApptStatus.no_show else 0)


# --- search_patients ----------------------------------------------------------------------------------


@pytest.fixture
def patients(session):
    return {
        "ada": make_patient(session, first_name="Ada", last_name="Lovelace", dob=date(1980, 5, 17),
                            phone="(555) 123-4567"),
        "alan": make_patient(session, first_name="Alan", last_name="Turing", dob=date(1962, 6, 23),
                             phone="(555) 987-6543"),
        "love": make_patient(session, first_name="Bob", last_name="Loveday", dob=date(1975, 1, 2),
                             phone="(212) 555-0000"),
    }


def _ids(choices):
    return [c.id for c in choices]


def test_search_patients_by_name_prefix(session, patients):
    p = patients
    assert _ids(schedule.search_patients(session, "love")) == [p["love"].id, p["ada"].id]  # Loveday < Lovelace
    assert _ids(schedule.search_patients(session, "LOVEL")) == [p["ada"].id]
    assert _ids(schedule.search_patients(session, "al")) == [p["alan"].id]  # first-name prefix
    assert _ids(schedule.search_patients(session, "Lovelace, Ada")) == [p["ada"].id]
    assert _ids(schedule.search_patients(session, "ovelace")) == []  # prefix, not substring
    assert schedule.search_patients(session, "   ") == []


def test_search_patients_by_date_of_birth_in_both_formats(session, patients):
    assert _ids(schedule.search_patients(session, "1980-05-17")) == [patients["ada"].id]
    assert _ids(schedule.search_patients(session, "05/17/1980")) == [patients["ada"].id]
    assert _ids(schedule.search_patients(session, "06/23/1962")) == [patients["alan"].id]
    assert schedule.search_patients(session, "01/01/1990") == []


def test_search_patients_by_phone_digits(session, patients):
    p = patients
    assert _ids(schedule.search_patients(session, "5551234567")) == [p["ada"].id]
    assert _ids(schedule.search_patients(session, "(555) 987-6543")) == [p["alan"].id]
    assert _ids(schedule.search_patients(session, "987-65")) == [p["alan"].id]
    assert _ids(schedule.search_patients(session, "555")) == [p["love"].id, p["ada"].id, p["alan"].id]
    assert schedule.search_patients(session, "4444") == []


def test_search_patients_label_and_limit(session, patients):
    [choice] = schedule.search_patients(session, "ada")
    assert choice.label == "Lovelace, Ada  05/17/1980  (555) 123-4567"
    assert len(schedule.search_patients(session, "555", limit=2)) == 2


# --- conflicts ----------------------------------------------------------------------------------------


def test_a_free_weekday_slot_has_no_conflicts(session, clinic):
    c = clinic
    assert schedule.conflicts(session, booking(c["ada"], c["hopper"], c["short"], start_time="09:00")) == []
    # the edges of the day and of lunch are fine
    assert schedule.conflicts(session, booking(c["ada"], c["hopper"], c["short"], start_time="08:00")) == []
    assert schedule.conflicts(session, booking(c["ada"], c["hopper"], c["short"], start_time="11:45")) == []
    assert schedule.conflicts(session, booking(c["ada"], c["hopper"], c["short"], start_time="13:00")) == []
    assert schedule.conflicts(session, booking(c["ada"], c["hopper"], c["short"], start_time="4:45 PM")) == []


def test_conflict_on_a_weekend(session, clinic):
    c = clinic
    data = booking(c["ada"], c["hopper"], c["short"], day=SATURDAY)
    assert schedule.conflicts(session, data) == ["the practice is closed on Saturdays (Sat 11/28/2026)"]


@pytest.mark.parametrize(("start_time", "minutes"), [("07:45", 15), ("16:45", 30), ("17:00", 15), ("23:00", 60)])
def test_conflict_outside_office_hours(session, clinic, start_time, minutes):
    c = clinic
    data = booking(c["ada"], c["hopper"], c["short"], start_time=start_time, minutes=minutes)
    assert schedule.conflicts(session, data) == ["outside Grace Hopper's hours (08:00–17:00)"]


@pytest.mark.parametrize(("start_time", "minutes"), [("11:45", 30), ("12:00", 15), ("12:45", 30)])
def test_conflict_during_lunch(session, clinic, start_time, minutes):
    c = clinic
    data = booking(c["ada"], c["hopper"], c["short"], start_time=start_time, minutes=minutes)
    assert schedule.conflicts(session, data) == ["during Lunch (12:00–13:00)"]


def test_conflict_overlap_with_the_same_provider(session, clinic):
    c = clinic
    make_appointment(session, patient=c["alan"], provider=c["hopper"], appt_type=c["long"], start=at(9))
    overlapping = booking(c["ada"], c["hopper"], c["short"], start_time="09:15")
    assert schedule.conflicts(session, overlapping) == [
        "overlaps Turing, Alan at 09:00 with the same provider (double-book)"
    ]
    # another provider at the same time, or right after, is fine
    assert schedule.conflicts(session, booking(c["ada"], c["babbage"], c["short"], start_time="09:15")) == []
    assert schedule.conflicts(session, booking(c["ada"], c["hopper"], c["short"], start_time="09:30")) == []


def test_a_long_visit_that_began_hours_earlier_still_conflicts(session, clinic):
    c = clinic
    make_appointment(session, patient=c["alan"], provider=c["hopper"], appt_type=c["long"], start=at(8),
                     minutes=480)
    late = booking(c["ada"], c["hopper"], c["short"], start_time="15:30")
    assert schedule.conflicts(session, late) == ["overlaps Turing, Alan at 08:00 with the same provider (double-book)"]
    # the day before, ending at midnight, does not reach into the next morning
    make_appointment(session, patient=c["alan"], provider=c["babbage"], appt_type=c["long"],
                     start=at(16, day=TODAY - timedelta(days=1)), minutes=480)
    assert schedule.conflicts(session, booking(c["ada"], c["babbage"], c["short"], start_time="09:00")) == []


def test_booking_choices_offer_active_providers_by_name_and_types_by_length(session, clinic):
    make_staff(session, first_name="Gone", last_name="Away", role=Role.physician, is_provider=True, active=False)
    make_staff(session, first_name="Mary", last_name="Able")  # not a provider
    choices = schedule.booking_choices(session)
    assert [(p.id, p.label) for p in choices.providers] == [
        (clinic["babbage"].id, "Charles Babbage"), (clinic["hopper"].id, "Grace Hopper")]
    assert [(t.id, t.label, t.minutes) for t in choices.types] == [
        (clinic["short"].id, "Follow-up (15 min)", 15), (clinic["long"].id, "Physical (30 min)", 30)]


@pytest.mark.parametrize("status", [ApptStatus.cancelled, ApptStatus.no_show])
def test_cancelled_or_no_show_appointments_leave_the_slot_free(session, clinic, status):
    c = clinic
    make_appointment(session, patient=c["alan"], provider=c["hopper"], appt_type=c["long"], start=at(9),
                     status=status)
    assert schedule.conflicts(session, booking(c["ada"], c["hopper"], c["short"], start_time="09:00")) == []
    assert schedule.conflicts(session, booking(c["alan"], c["babbage"], c["short"], start_time="10:00")) == []


def test_conflict_same_patient_twice_that_day(session, clinic):
    c = clinic
    make_appointment(session, patient=c["ada"], provider=c["babbage"], appt_type=c["short"], start=at(14, 30))
    data = booking(c["ada"], c["hopper"], c["short"], start_time="09:00")
    assert schedule.conflicts(session, data) == ["this patient is already booked at 14:30 that day"]
    # the next day is fine
    assert schedule.conflicts(session, booking(c["ada"], c["hopper"], c["short"], day=TODAY + timedelta(days=1))) == []


def test_conflicts_ignore_the_appointment_being_edited(session, clinic):
    c = clinic
    appt = make_appointment(session, patient=c["ada"], provider=c["hopper"], appt_type=c["short"], start=at(9))
    moved = booking(c["ada"], c["hopper"], c["short"], start_time="09:00", minutes=30)
    assert len(schedule.conflicts(session, moved)) == 2
    assert schedule.conflicts(session, moved, ignore_id=appt.id) == []


def test_conflicts_list_every_problem(session, clinic):
    c = clinic
    make_appointment(session, patient=c["ada"], provider=c["hopper"], appt_type=c["long"], start=at(11, 45))
    data = booking(c["ada"], c["hopper"], c["short"], start_time="12:00")
    assert schedule.conflicts(session, data) == [
        "during Lunch (12:00–13:00)",
        "overlaps Lovelace, Ada at 11:45 with the same provider (double-book)",
        "this patient is already booked at 11:45 that day",
    ]


# --- book ---------------------------------------------------------------------------------------------


def test_book_writes_the_appointment_and_an_audit_event(session, clinic):
    c = clinic
    data = booking(c["ada"], c["hopper"], c["long"], start_time="2:15 PM", minutes=30, reason=" cough ")

    appt = schedule.book(session, data, now=NOW, actor=ACTOR)

    stored = session.exec(select(Appointment)).one()
    assert stored.id == appt.id
    assert (stored.patient_id, stored.provider_id, stored.type_id) == (c["ada"].id, c["hopper"].id, c["long"].id)
    assert (stored.start, stored.end) == (at(14, 15), at(14, 45))
    assert (stored.status, stored.reason, stored.version) == (ApptStatus.booked, "cough", 1)
    [(event, changes)] = audit_events(session)
    assert (event.actor, event.entity, event.entity_id, event.action, event.at) == (
        ACTOR, "appointment", appt.id, "create", NOW)
    assert changes["patient_id"] == c["ada"].id
    assert changes["provider_id"] == c["hopper"].id
    assert changes["start"] == "2026-11-23T14:15:00"
    assert changes["end"] == "2026-11-23T14:45:00"
    assert changes["status"] == "booked"
    assert changes["reason"] == "cough"
    assert "id" not in changes and "version" not in changes


def test_book_refuses_a_conflict_unless_confirmed(session, clinic):
    c = clinic
    existing = make_appointment(session, patient=c["alan"], provider=c["hopper"], appt_type=c["short"], start=at(9))
    data = booking(c["ada"], c["hopper"], c["short"], start_time="09:00")

    with pytest.raises(ServiceError, match=r"overlaps Turing, Alan at 09:00 with the same provider \(double-book\)"):
        schedule.book(session, data, now=NOW, actor=ACTOR)
    session.rollback()
    assert [a.id for a in session.exec(select(Appointment))] == [existing.id]
    assert audit_events(session) == []

    appt = schedule.book(session, data, now=NOW, actor=ACTOR, confirmed=True)

    assert {a.id for a in session.exec(select(Appointment))} == {existing.id, appt.id}
    assert [e.entity_id for e, _ in audit_events(session)] == [appt.id]
    hopper = next(p for p in schedule.day_schedule(session, TODAY).providers if p.provider_id == c["hopper"].id)
    assert [a.double_booked for a in hopper.appointments] == [False, True]


def test_book_joins_several_problems_in_one_message(session, clinic):
    c = clinic
    make_appointment(session, patient=c["alan"], provider=c["hopper"], appt_type=c["short"], start=at(13))
    data = booking(c["ada"], c["hopper"], c["short"], start_time="12:45", minutes=30)
    with pytest.raises(ServiceError) as refused:
        schedule.book(session, data, now=NOW, actor=ACTOR)
    assert str(refused.value) == (
        "during Lunch (12:00–13:00); overlaps Turing, Alan at 13:00 with the same provider (double-book)"
    )


@pytest.mark.parametrize("missing", ["patient", "provider", "appointment type"])
def test_book_refuses_a_missing_patient_provider_or_type(session, clinic, missing):
    c = clinic
    data = booking(c["ada"], c["hopper"], c["short"])
    field = {"patient": "patient_id", "provider": "provider_id", "appointment type": "type_id"}[missing]
    data = data.model_copy(update={field: 9999})
    with pytest.raises(ServiceError, match=f"choose a {missing}"):
        schedule.book(session, data, now=NOW, actor=ACTOR, confirmed=True)
    assert session.exec(select(Appointment)).all() == []


def test_book_refuses_a_staff_member_who_is_not_an_active_provider(session, clinic):
    """day_schedule only shows active providers, so an appointment with anyone else would vanish."""
    c = clinic
    assistant = make_staff(session, first_name="Mary", last_name="Jones", role=Role.ma)
    retired = make_provider(session, first_name="Old", last_name="Doc", active=False)
    for person in (assistant, retired):
        data = booking(c["ada"], person, c["short"], start_time="10:00")
        with pytest.raises(ServiceError, match="choose a provider"):
            schedule.book(session, data, now=NOW, actor=ACTOR, confirmed=True)
        session.rollback()
    assert session.exec(select(Appointment)).all() == []


# --- set_status ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (ApptStatus.booked, ApptStatus.arrived),
        (ApptStatus.booked, ApptStatus.cancelled),
        (ApptStatus.booked, ApptStatus.no_show),
        (ApptStatus.arrived, ApptStatus.in_room),
        (ApptStatus.arrived, ApptStatus.booked),
        (ApptStatus.in_room, ApptStatus.checked_out),
        (ApptStatus.checked_out, ApptStatus.in_room),
        (ApptStatus.cancelled, ApptStatus.booked),
        (ApptStatus.no_show, ApptStatus.booked),
    ],
)
def test_set_status_allowed_transitions(session, start, end):
    appt = make_appointment(session, status=start)
    later = datetime(2026, 11, 23, 9, 5)

    result = schedule.set_status(session, appt.id, end, now=later, actor="front", expected_version=1)

    assert result.status is end
    stored = session.get(Appointment, appt.id)
    session.refresh(stored)
    assert (stored.status, stored.version) == (end, 2)
    [(event, changes)] = audit_events(session)
    assert (event.actor, event.entity, event.entity_id, event.action, event.at) == (
        "front", "appointment", appt.id, "status", later)
    assert changes == {"status": [start.value, end.value]}


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (ApptStatus.booked, ApptStatus.checked_out, "an appointment that is booked cannot become checked out"),
        (ApptStatus.booked, ApptStatus.in_room, "an appointment that is booked cannot become in room"),
        (ApptStatus.checked_out, ApptStatus.cancelled, "an appointment that is checked out cannot become cancelled"),
        (ApptStatus.cancelled, ApptStatus.arrived, "an appointment that is cancelled cannot become arrived"),
        (ApptStatus.no_show, ApptStatus.checked_out, "an appointment that is no show cannot become checked out"),
        (ApptStatus.booked, ApptStatus.booked, "an appointment that is booked cannot become booked"),
    ],
)
def test_set_status_refused_transitions(session, start, end, message):
    appt = make_appointment(session, status=start)
    with pytest.raises(ServiceError) as refused:
        schedule.set_status(session, appt.id, end, now=NOW, actor=ACTOR, expected_version=1)
    assert str(refused.value) == message
    session.rollback()
    stored = session.get(Appointment, appt.id)
    assert (stored.status, stored.version) == (start, 1)
    assert audit_events(session) == []


def test_set_status_refuses_a_stale_version(session):
    appt = make_appointment(session)
    schedule.set_status(session, appt.id, ApptStatus.arrived, now=NOW, actor=ACTOR, expected_version=1)

    with pytest.raises(StaleEdit, match="changed by someone else"):
        schedule.set_status(session, appt.id, ApptStatus.in_room, now=NOW, actor=ACTOR, expected_version=1)
    session.rollback()

    stored = session.get(Appointment, appt.id)
    assert (stored.status, stored.version) == (ApptStatus.arrived, 2)
    assert len(audit_events(session)) == 1


def test_set_status_on_a_missing_appointment(session):
    with pytest.raises(ServiceError, match="no longer exists"):
        schedule.set_status(session, 4242, ApptStatus.arrived, now=NOW, actor=ACTOR, expected_version=None)


def test_advance_follows_the_happy_path():
    assert schedule.ADVANCE == {
        ApptStatus.booked: ApptStatus.arrived,
        ApptStatus.arrived: ApptStatus.in_room,
        ApptStatus.in_room: ApptStatus.checked_out,
    }
    assert all(after in schedule.NEXT_STATUS[before] for before, after in schedule.ADVANCE.items())


# --- read models for the appointment window and the booking forms ---------------------------------------


def test_appointment_detail_is_a_frozen_read_of_the_visit_and_its_history(session, clinic):
    c = clinic
    booked = schedule.book(session, booking(c["alan"], c["hopper"], c["long"], minutes=30, reason="cough"), now=NOW,
                           actor=ACTOR)
    assert (booked.version, booked.status, booked.double_booked, booked.series_id) == (1, ApptStatus.booked, False,
                                                                                        None)
    arrived = schedule.set_status(session, booked.id, ApptStatus.arrived, now=at(8, 50), actor="desk",
                                  expected_version=1)
    schedule.set_status(session, booked.id, ApptStatus.in_room, now=at(9, 2), actor="desk",
                        expected_version=arrived.version)

    detail = schedule.appointment_detail(session, booked.id)

    assert detail is not None
    assert (detail.patient_name, detail.phone, detail.dob, detail.provider_name, detail.type_name) == (
        "Turing, Alan", "(555) 987-6543", date(1962, 6, 23), "Grace Hopper", "Physical")
    assert (detail.start, detail.end, detail.status, detail.reason) == (at(9), at(9, 30), ApptStatus.in_room, "cough")
    assert [(e.kind.value, e.actor, e.from_status, e.to_status, e.at) for e in detail.events] == [
        ("create", ACTOR, "", "booked", NOW), ("status", "desk", "booked", "arrived", at(8, 50)),
        ("status", "desk", "arrived", "in_room", at(9, 2))]
    assert schedule.waiting_minutes(detail.events) == 12
    with pytest.raises(AttributeError):
        detail.status = ApptStatus.booked  # type: ignore[misc]
    assert schedule.appointment_day(session, booked.id) == TODAY
    assert schedule.appointment_detail(session, 999) is None and schedule.appointment_day(session, 999) is None


def test_provider_choices_are_the_active_providers_by_name(session, clinic):
    make_staff(session, first_name="Front", last_name="Desk", role=Role.front_desk)
    assert [(p.id, p.label) for p in schedule.provider_choices(session)] == [
        (clinic["babbage"].id, "Charles Babbage"), (clinic["hopper"].id, "Grace Hopper")]
