"""The end of someone's employment (issue 23, part 2): the last day and the reason, the leaving checklist started
from it, and the person gone from the roster, coverage, booking and the credential reminders the day after, but
not on the day itself."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from factories import (
    NOW,
    TODAY,
    at,
    audit_events,
    make_appointment,
    make_credential,
    make_provider,
    make_shift,
    make_staff,
)
from officemgr.models import CredentialKind, Role, Shift, ShiftCreate, Staff, TimeOffCreate
from officemgr.models.lifecycle import ChecklistKind, StaffTask
from officemgr.models.schedule import AppointmentCreate
from officemgr.services import availability, coverage, credentials, leave, roster, schedule, staff, staff_duties
from officemgr.services.common import ServiceError

ACTOR = "manager"
LAST = TODAY + timedelta(days=1)  # Tue 11/24/2026
AFTER = LAST + timedelta(days=1)  # Wed 11/25/2026 (the day after is Thanksgiving: not used)


def ended(session: Session, person: Staff, last: date = LAST) -> Staff:
    assert person.id is not None
    staff.end_employment(session, person.id, last, "Moved away", now=NOW, actor=ACTOR)
    session.refresh(person)
    return person


def test_ending_sets_the_last_day_and_reason_audited_and_starts_the_leaving_checklist(session: Session) -> None:
    person = make_staff(session, first_name="Ana", last_name="Ruiz", hire_date=date(2024, 3, 1))
    assert person.id is not None
    result = staff.end_employment(session, person.id, LAST, "  Moved away  ", now=NOW, actor=ACTOR)
    session.refresh(person)
    assert (person.end_date, person.end_reason, person.active) == (LAST, "Moved away", True)
    tasks = session.exec(select(StaffTask).where(StaffTask.staff_id == person.id)
                         .order_by(StaffTask.position)).all()
    assert result.tasks == len(tasks) == 5
    assert {t.kind for t in tasks} == {ChecklistKind.leaving}
    due = {t.what: t.due for t in tasks}
    assert due["System access removed (same day)"] == LAST
    assert due["COBRA / benefits notice"] == LAST + timedelta(days=14)
    [changes] = [c for e, c in audit_events(session, "staff") if e.action == "end"]
    assert changes == {"end_date": [None, LAST.isoformat()], "end_reason": ["", "Moved away"]}
    assert len(audit_events(session, "staff_task")) == 5


@pytest.mark.parametrize("reason", ["", "   ", "x" * 121])
def test_a_reason_is_required_and_short(session: Session, reason: str) -> None:
    person = make_staff(session)
    assert person.id is not None
    with pytest.raises(ServiceError, match="reason|why"):
        staff.end_employment(session, person.id, LAST, reason, now=NOW, actor=ACTOR)
    session.rollback()
    assert session.get(Staff, person.id).end_date is None  # type: ignore[union-attr]
    assert session.exec(select(StaffTask)).all() == []


def test_the_last_day_may_be_90_days_back_not_91(session: Session) -> None:
    late, too_late = make_staff(session, first_name="A"), make_staff(session, first_name="B")
    assert late.id is not None and too_late.id is not None
    staff.end_employment(session, late.id, TODAY - timedelta(days=90), "Resigned", now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match=r"more than 90 days ago \(before 08/25/2026\)"):
        staff.end_employment(session, too_late.id, TODAY - timedelta(days=91), "Resigned", now=NOW, actor=ACTOR)


def test_a_last_day_before_the_hire_date_is_refused(session: Session) -> None:
    person = make_staff(session, hire_date=TODAY)
    assert person.id is not None
    with pytest.raises(ServiceError, match="before the hire date"):
        staff.end_employment(session, person.id, TODAY - timedelta(days=1), "No show", now=NOW, actor=ACTOR)


def test_ending_twice_is_refused(session: Session) -> None:
    person = ended(session, make_staff(session, first_name="Ana", last_name="Ruiz"))
    assert person.id is not None
    with pytest.raises(ServiceError, match=r"Ana Ruiz's last day is already recorded \(11/24/2026\)"):
        staff.end_employment(session, person.id, AFTER, "Again", now=NOW, actor=ACTOR)


def test_shifts_and_appointments_after_the_last_day_are_listed_and_nothing_is_saved(session: Session) -> None:
    doctor = make_provider(session, first_name="Lee", last_name="Park")
    assert doctor.id is not None
    make_shift(session, doctor, start=at(8, day=LAST), end=at(17, day=LAST))  # on the day: fine
    make_shift(session, doctor, start=at(8, day=AFTER), end=at(12, day=AFTER))
    make_appointment(session, provider=doctor, start=at(9, day=AFTER))
    with pytest.raises(ServiceError) as refused:
        staff.end_employment(session, doctor.id, LAST, "Retired", now=NOW, actor=ACTOR)
    assert str(refused.value) == ("Lee Park still has 1 shift (Wed 11/25 08:00–12:00) and 1 appointment "
                                  "(Wed 11/25 09:00) after 11/24/2026: move the appointments to another provider "
                                  "first, or say to remove the shifts")
    session.rollback()
    # Removing the shifts does not remove the appointments: still refused, and the shift is still there.
    with pytest.raises(ServiceError, match=r"^Lee Park still has 1 appointment \(Wed 11/25 09:00\) after "
                                           r"11/24/2026: move the appointments to another provider first$"):
        staff.end_employment(session, doctor.id, LAST, "Retired", now=NOW, actor=ACTOR, remove_shifts=True)
    session.rollback()
    assert session.get(Staff, doctor.id).end_date is None  # type: ignore[union-attr]
    assert session.exec(select(StaffTask)).all() == []
    assert len(session.exec(select(Shift)).all()) == 2


def test_shifts_after_the_last_day_are_removed_when_asked_and_audited(session: Session) -> None:
    person = make_staff(session, first_name="Ana", last_name="Ruiz")
    assert person.id is not None
    kept = make_shift(session, person, start=at(8, day=LAST), end=at(17, day=LAST))
    gone = [make_shift(session, person, start=at(8, day=d), end=at(12, day=d))
            for d in (AFTER, AFTER + timedelta(days=5), AFTER + timedelta(days=40))]
    with pytest.raises(ServiceError, match=r"3 shifts \(Wed 11/25 08:00–12:00; Mon 11/30 08:00–12:00; Mon 01/04 "
                                           r"08:00–12:00\) after 11/24/2026: remove the shifts first, or say to "
                                           r"remove the shifts$"):
        staff.end_employment(session, person.id, LAST, "Moved away", now=NOW, actor=ACTOR)
    session.rollback()
    staff.end_employment(session, person.id, LAST, "Moved away", now=NOW, actor=ACTOR, remove_shifts=True)
    assert [s.id for s in session.exec(select(Shift)).all()] == [kept.id]
    deleted = [(e.entity_id, c["why"]) for e, c in audit_events(session, "shift") if e.action == "delete"]
    assert deleted == [(s.id, "after the last day") for s in gone]


def test_the_roster_and_staff_lists_keep_them_on_the_last_day_only(session: Session) -> None:
    person = ended(session, make_staff(session, first_name="Ana", last_name="Ruiz"))
    make_staff(session, first_name="Bo", last_name="Stays")
    on_last = [r.name for r in staff.roster_day(session, LAST)]
    assert "Ana Ruiz" in on_last and "Bo Stays" in on_last
    assert [r.name for r in staff.roster_day(session, AFTER)] == ["Bo Stays"]
    assert [label for label, _ in staff.staff_options(session, AFTER)] == ["Bo Stays (Medical assistant)"]
    assert len(staff.staff_options(session, LAST)) == 2
    # The week holding the last day still shows them; the week after does not.
    assert {r.name for r in roster.week_grid(session, roster.monday_of(LAST))} == {"Ana Ruiz", "Bo Stays"}
    assert [r.name for r in roster.week_grid(session, roster.monday_of(LAST) + timedelta(days=7))] == ["Bo Stays"]
    assert person.active  # the active flag is a separate thing


def test_no_shift_after_the_last_day(session: Session) -> None:
    person = ended(session, make_staff(session, first_name="Ana", last_name="Ruiz"))
    assert person.id is not None
    roster.add_shift(session, ShiftCreate(staff_id=person.id, day=LAST, start_time="08:00", end_time="12:00"),
                     now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match=r"Ana Ruiz's last day is 11/24/2026: no shifts after it"):
        roster.add_shift(session, ShiftCreate(staff_id=person.id, day=AFTER, start_time="08:00", end_time="12:00"),
                         now=NOW, actor=ACTOR)


def test_copy_last_week_stops_at_the_last_day(session: Session) -> None:
    person = make_staff(session, first_name="Ana", last_name="Ruiz")
    monday = TODAY - timedelta(days=7)
    for n in range(5):
        make_shift(session, person, start=at(8, day=monday + timedelta(days=n)),
                   end=at(16, day=monday + timedelta(days=n)))
    ended(session, person)
    assert roster.copy_last_week(session, TODAY, now=NOW, actor=ACTOR) == 2  # Monday and Tuesday (the last day)
    copied = session.exec(select(Shift).where(Shift.start >= at(0))).all()
    assert sorted(s.start.date() for s in copied) == [TODAY, LAST]


def test_coverage_counts_them_on_the_last_day_not_after(session: Session) -> None:
    doctor = make_provider(session)
    desk = make_staff(session, role=Role.front_desk)
    ma = make_staff(session, first_name="Ana", last_name="Ruiz", end_date=LAST, end_reason="Moved away")
    for day in (LAST, AFTER):
        for person in (doctor, desk, ma):  # a shift left behind after the last day does not count
            make_shift(session, person, start=at(8, day=day), end=at(17, day=day))
    assert coverage.coverage_day(session, LAST).gaps == []
    assert coverage.gap_ranges(coverage.coverage_day(session, AFTER)) == ["08:00–17:00 MA or nurse: 0 of 1"]


def test_a_provider_cannot_be_booked_after_the_last_day(session: Session) -> None:
    doctor = make_provider(session, first_name="Lee", last_name="Park")
    other = make_provider(session, first_name="Kim", last_name="Other", npi="1558598797")
    assert doctor.id is not None and other.id is not None
    ended(session, doctor)
    booked = make_appointment(session, provider=other, start=at(9, day=TODAY))

    def data(day: date, provider_id: int) -> AppointmentCreate:
        return AppointmentCreate(patient_id=booked.patient_id, provider_id=provider_id, type_id=booked.type_id,
                                 day=day, start_time="10:00", minutes=15)

    schedule.book(session, data(LAST, doctor.id), now=NOW, actor=ACTOR)  # the last day itself
    with pytest.raises(ServiceError, match=r"^Lee Park's last day is 11/24/2026: they cannot be booked on 11/25"):
        schedule.book(session, data(AFTER, doctor.id), now=NOW, actor=ACTOR, confirmed=True)
    with pytest.raises(ServiceError, match="Lee Park's last day is 11/24/2026"):
        schedule.move(session, booked.id or 0, start=at(10, day=AFTER), provider_id=doctor.id, now=NOW,
                      actor=ACTOR, expected_version=None, confirmed=True)
    slots = availability.open_slots(session, minutes=15, from_day=LAST, limit=200, days=3)
    assert {(s.provider_name, s.start.date()) for s in slots} >= {("Lee Park", LAST), ("Kim Other", AFTER)}
    assert all(s.start.date() <= LAST for s in slots if s.provider_name == "Lee Park")


def test_a_hire_starting_later_is_bookable_from_their_first_day_only(session: Session) -> None:
    start = TODAY + timedelta(days=7)  # Mon 11/30/2026
    doctor = make_provider(session, first_name="Lee", last_name="Park", hire_date=start)
    other = make_provider(session, first_name="Kim", last_name="Other", npi="1558598797")
    assert doctor.id is not None
    booked = make_appointment(session, provider=other, start=at(9, day=TODAY))
    data = AppointmentCreate(patient_id=booked.patient_id, provider_id=doctor.id, type_id=booked.type_id,
                             day=start - timedelta(days=3), start_time="10:00", minutes=15)
    with pytest.raises(ServiceError, match=r"^Lee Park starts on 11/30/2026: they cannot be booked on 11/27"):
        schedule.book(session, data, now=NOW, actor=ACTOR, confirmed=True)
    schedule.book(session, data.model_copy(update={"day": start}), now=NOW, actor=ACTOR)
    slots = availability.open_slots(session, minutes=15, from_day=TODAY, provider_id=doctor.id, limit=5, days=14)
    assert slots and min(s.start.date() for s in slots) == start


def test_no_credential_reminders_for_someone_who_has_left(session: Session) -> None:
    gone = make_staff(session, first_name="Ana", last_name="Ruiz", end_date=TODAY - timedelta(days=1),
                      end_reason="Resigned")
    last_day_today = make_staff(session, first_name="Bo", last_name="Today", end_date=TODAY, end_reason="Resigned")
    for person in (gone, last_day_today):
        make_credential(session, person, kind=CredentialKind.bls, expires=TODAY + timedelta(days=10))
    assert [c.staff_name for c in staff.credentials_expiring(session, TODAY)] == ["Bo Today"]


def test_no_evaluation_or_training_reminders_for_someone_who_has_left(session: Session) -> None:
    hired = TODAY - timedelta(days=400)  # the yearly evaluation and every training are due
    gone = make_staff(session, first_name="Ana", last_name="Ruiz", hire_date=hired, end_date=TODAY - timedelta(days=1),
                      end_reason="Resigned")
    make_staff(session, first_name="Bo", last_name="Today", hire_date=hired, end_date=TODAY, end_reason="Resigned")
    assert [e.staff_name for e in credentials.evaluations_due(session, TODAY, within_days=None)] == ["Bo Today"]
    assert {t.staff_name for t in staff_duties.training_status(session, TODAY)} == {"Bo Today"}
    assert gone.id not in credentials.lapsed_required(session, TODAY)


def test_time_off_cannot_run_past_the_last_day(session: Session) -> None:
    person = ended(session, make_staff(session, first_name="Ana", last_name="Ruiz", hire_date=date(2020, 1, 6)))
    assert person.id is not None
    roster.request_time_off(session, TimeOffCreate(staff_id=person.id, kind="Unpaid", start_date=TODAY,
                                                   end_date=LAST), now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match=r"Ana Ruiz's last day is 11/24/2026: time off cannot run past it"):
        roster.request_time_off(session, TimeOffCreate(staff_id=person.id, kind="Unpaid", start_date=LAST,
                                                       end_date=AFTER), now=NOW, actor=ACTOR)


def test_history_is_kept(session: Session) -> None:
    doctor = make_provider(session)
    past = make_appointment(session, provider=doctor, start=at(9, day=TODAY - timedelta(days=3)))
    ended(session, doctor, TODAY - timedelta(days=1))
    assert session.get(type(past), past.id) is not None
    assert audit_events(session, "staff")[-1][1]["end_reason"] == ["", "Moved away"]


def test_leave_balances_list_people_still_here_on_the_day(session: Session) -> None:
    make_staff(session, first_name="Ana", last_name="Ruiz", hire_date=date(2020, 1, 6), end_date=TODAY - timedelta(1),
               end_reason="Resigned")
    make_staff(session, first_name="Bo", last_name="Today", hire_date=date(2020, 1, 6), end_date=TODAY,
               end_reason="Resigned")
    assert [r.name for r in leave.balance_list(session, TODAY, actor=ACTOR)] == ["Bo Today"]
