"""Front-desk lists: reminder calls, recalls, waitlist, insurance verification, no-show rates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from factories import (
    TODAY,
    at,
    audit_events,
    make_appointment,
    make_appointment_type,
    make_patient,
    make_provider,
    make_staff,
)
from officemgr.models import (
    Appointment,
    ApptStatus,
    Recall,
    RecallStatus,
    ReminderOutcome,
    WaitlistEntry,
    WaitlistStatus,
)
from officemgr.models.schedule import RecallCreate, WaitlistCreate
from officemgr.services import frontdesk
from officemgr.services.common import ServiceError, StaleEdit
from officemgr.services.frontdesk import next_business_day

NOW = datetime(2026, 11, 23, 9, 15)
FRIDAY = date(2026, 11, 27)


# ------------------------------------------------------------------------------------ next business day


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 24)),  # Monday → Tuesday
        (date(2026, 11, 25), date(2026, 11, 27)),  # Wednesday → Friday, past Thanksgiving
        (date(2026, 11, 26), date(2026, 11, 27)),  # Thursday → Friday
        (FRIDAY, date(2026, 11, 30)),  # Friday → Monday
        (date(2026, 11, 28), date(2026, 11, 30)),  # Saturday → Monday
        (date(2026, 11, 29), date(2026, 11, 30)),  # Sunday → Monday
        (date(2026, 12, 31), date(2027, 1, 4)),  # across the year, past New Year's Day (a Friday)
    ],
)
def test_next_business_day(today: date, expected: date) -> None:
    assert next_business_day(today) == expected


# -------------------------------------------------------------------------------------------- reminders


def test_reminder_list_on_friday_is_mondays_booked_appointments(session: Session) -> None:
    provider = make_provider(session)
    kind = make_appointment_type(session, name="Follow-up")
    ada = make_patient(session, first_name="Ada", last_name="Byron")
    nophone = make_patient(session, first_name="Bo", last_name="Quiet", phone="")
    saturday, monday = date(2026, 11, 28), date(2026, 11, 30)
    make_appointment(session, patient=ada, provider=provider, appt_type=kind, start=at(9, day=saturday))
    late = make_appointment(session, patient=ada, provider=provider, appt_type=kind, start=at(14, day=monday))
    early = make_appointment(session, patient=nophone, provider=provider, appt_type=kind, start=at(8, day=monday))
    make_appointment(session, patient=ada, provider=provider, appt_type=kind, start=at(10, day=monday),
                     status=ApptStatus.cancelled)

    calls = frontdesk.reminder_list(session, FRIDAY)

    assert calls.day == monday
    assert [r.id for r in calls.rows] == [early.id, late.id]
    first = calls.rows[0]
    assert (first.patient_name, first.phone_label, first.provider_name, first.type_name) == (
        "Quiet, Bo", "no phone", "Grace Hopper", "Follow-up")
    assert calls.rows[1].phone_label == "(555) 123-4567"
    assert first.reminder is None and calls.called == 0


def test_mark_reminder_saves_outcome_time_audit_and_version(session: Session) -> None:
    appt = make_appointment(session, start=at(9, day=TODAY + timedelta(days=1)))

    frontdesk.mark_reminder(session, appt.id, ReminderOutcome.left_message, now=NOW, actor="kim",
                            expected_version=1)

    session.refresh(appt)
    assert (appt.reminder, appt.reminder_at, appt.version) == (ReminderOutcome.left_message, NOW, 2)
    row = frontdesk.reminder_list(session, TODAY).rows[0]
    assert row.reminder is ReminderOutcome.left_message and row.version == 2
    event, changes = audit_events(session, "appointment")[-1]
    assert (event.actor, event.entity_id, event.action) == ("kim", appt.id, "reminder")
    assert changes["reminder"] == [None, "left_message"]


def test_mark_reminder_refuses_a_stale_version_and_changes_nothing(session: Session) -> None:
    appt = make_appointment(session)
    frontdesk.mark_reminder(session, appt.id, ReminderOutcome.reached, now=NOW, actor="kim", expected_version=1)
    with pytest.raises(StaleEdit):
        frontdesk.mark_reminder(session, appt.id, ReminderOutcome.wrong_number, now=NOW, actor="lee",
                                expected_version=1)
    session.rollback()
    assert session.get(Appointment, appt.id).reminder is ReminderOutcome.reached
    assert len(audit_events(session, "appointment")) == 1


def test_mark_reminder_refuses_a_cancelled_appointment(session: Session) -> None:
    appt = make_appointment(session, status=ApptStatus.cancelled)
    with pytest.raises(ServiceError, match="only a booked appointment"):
        frontdesk.mark_reminder(session, appt.id, ReminderOutcome.reached, now=NOW, actor="kim",
                                expected_version=None)
    with pytest.raises(ServiceError, match="not a reminder outcome"):
        frontdesk.mark_reminder(session, appt.id, "emailed", now=NOW, actor="kim",  # type: ignore[arg-type]
                                expected_version=None)


# ---------------------------------------------------------------------------------------------- recalls


def _recall(session: Session, patient_id: int, due: date, status: RecallStatus = RecallStatus.open) -> Recall:
    recall = Recall(patient_id=patient_id, reason="Annual physical", due=due, status=status,
                    created_on=TODAY - timedelta(days=300))
    session.add(recall)
    session.commit()
    return recall


def test_recalls_due_within_30_days_without_a_future_booking(session: Session) -> None:
    provider = make_provider(session)
    kind = make_appointment_type(session)
    overdue = _recall(session, make_patient(session, last_name="Overdue").id, TODAY - timedelta(days=20))
    edge = _recall(session, make_patient(session, last_name="Edge").id, TODAY + timedelta(days=30))
    _recall(session, make_patient(session, last_name="Later").id, TODAY + timedelta(days=31))
    _recall(session, make_patient(session, last_name="Called").id, TODAY, RecallStatus.contacted)
    booked = make_patient(session, last_name="Booked")
    _recall(session, booked.id, TODAY - timedelta(days=3))
    make_appointment(session, patient=booked, provider=provider, appt_type=kind, start=at(9, day=TODAY + timedelta(60)))
    # A past visit, or a future one that was cancelled, does not take the recall off the list.
    was_seen = make_patient(session, last_name="Seen")
    seen = _recall(session, was_seen.id, TODAY + timedelta(days=5))
    make_appointment(session, patient=was_seen, provider=provider, appt_type=kind,
                     start=at(9, day=TODAY - timedelta(days=7)), status=ApptStatus.checked_out)
    make_appointment(session, patient=was_seen, provider=provider, appt_type=kind,
                     start=at(9, day=TODAY + timedelta(days=7)), status=ApptStatus.cancelled)

    due = frontdesk.recalls_due(session, TODAY)

    assert [r.id for r in due] == [overdue.id, seen.id, edge.id]
    assert due[0].patient_name == "Overdue, Ada" and due[0].provider_name == "" and due[0].type_name == ""


def test_a_booking_today_counts_as_a_future_appointment(session: Session) -> None:
    patient = make_patient(session)
    _recall(session, patient.id, TODAY)
    make_appointment(session, patient=patient, start=at(8))
    assert frontdesk.recalls_due(session, TODAY) == []


@pytest.mark.parametrize(
    ("text", "due", "reason"),
    [
        ("12 months", date(2027, 11, 23), "Return visit in 12 months"),
        ("6 weeks", date(2027, 1, 4), "Return visit in 6 weeks"),
        ("1 year", date(2027, 11, 23), "Return visit in 1 year"),
        (" 3 MO ", date(2027, 2, 23), "Return visit in 3 months"),
        ("10d", date(2026, 12, 3), "Return visit in 10 days"),
        ("in 2 wks", date(2026, 12, 7), "Return visit in 2 weeks"),
        ("a year", date(2027, 11, 23), "Return visit in 1 year"),
    ],
)
def test_recall_from_interval(text: str, due: date, reason: str) -> None:
    data = frontdesk.recall_from_interval(7, text, TODAY)
    assert (data.patient_id, data.due, data.reason, data.today) == (7, due, reason, TODAY)


def test_recall_from_interval_keeps_month_ends_in_the_month() -> None:
    assert frontdesk.recall_from_interval(1, "1 month", date(2027, 1, 31)).due == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("soon", "not understood"),
        ("12", "not understood"),
        ("6 fortnights", "not understood"),
        ("-3 months", "not understood"),
        ("ayear", "not understood"),
        ("1.5 years", "not understood"),
        ("", "not understood"),
        ("0 days", "at least 1 day"),
        ("61 months", "at most 5 years"),
    ],
)
def test_recall_from_interval_refuses_bad_input(text: str, message: str) -> None:
    with pytest.raises(ServiceError, match=message):
        frontdesk.recall_from_interval(1, text, TODAY)


def test_recall_schema_refuses_empty_reason_and_past_due() -> None:
    with pytest.raises(ValidationError, match="required"):
        RecallCreate(patient_id=1, reason="  ", due=TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="cannot be in the past"):
        RecallCreate(patient_id=1, reason="Physical", due=TODAY - timedelta(days=1), today=TODAY)
    assert RecallCreate(patient_id=1, reason=" Physical ", due=TODAY, today=TODAY).reason == "Physical"


def test_add_recall_from_checkout_interval_is_audited(session: Session) -> None:
    patient = make_patient(session)
    provider = make_provider(session)
    data = frontdesk.recall_from_interval(patient.id, "6 weeks", TODAY, provider_id=provider.id)

    recall = frontdesk.add_recall(session, data, now=NOW, actor="kim")

    stored = session.get(Recall, recall.id)
    assert (stored.status, stored.due, stored.created_on, stored.provider_id) == (
        RecallStatus.open, date(2027, 1, 4), TODAY, provider.id)
    event, changes = audit_events(session, "recall")[-1]
    assert (event.action, event.actor, event.entity_id) == ("create", "kim", recall.id)
    assert changes["reason"] == "Return visit in 6 weeks" and changes["due"] == "2027-01-04"


def test_add_recall_refuses_unknown_references(session: Session) -> None:
    patient = make_patient(session)
    clerk = make_staff(session)
    with pytest.raises(ServiceError, match="choose a patient"):
        frontdesk.add_recall(session, RecallCreate(patient_id=999, reason="x", due=TODAY, today=TODAY),
                             now=NOW, actor="kim")
    with pytest.raises(ServiceError, match="choose a provider"):
        frontdesk.add_recall(session, RecallCreate(patient_id=patient.id, provider_id=clerk.id, reason="x",
                                                   due=TODAY, today=TODAY), now=NOW, actor="kim")
    session.rollback()
    assert audit_events(session, "recall") == []


def test_set_recall_status_takes_it_off_the_list(session: Session) -> None:
    recall = _recall(session, make_patient(session).id, TODAY)

    frontdesk.set_recall_status(session, recall.id, RecallStatus.contacted, now=NOW, actor="kim",
                                expected_version=1, note="Left voicemail")

    session.refresh(recall)
    assert (recall.status, recall.note, recall.version) == (RecallStatus.contacted, "Left voicemail", 2)
    assert frontdesk.recalls_due(session, TODAY) == []
    event, changes = audit_events(session, "recall")[-1]
    assert event.action == "status" and changes["status"] == ["open", "contacted"]
    with pytest.raises(StaleEdit):
        frontdesk.set_recall_status(session, recall.id, RecallStatus.declined, now=NOW, actor="kim",
                                    expected_version=1)
    with pytest.raises(ServiceError, match="already contacted"):
        frontdesk.set_recall_status(session, recall.id, RecallStatus.contacted, now=NOW, actor="kim",
                                    expected_version=2)


# --------------------------------------------------------------------------------------------- waitlist


def _wait(session: Session, patient_id: int, *, provider_id: int | None = None, type_id: int | None = None,
          added_on: date = TODAY, status: WaitlistStatus = WaitlistStatus.waiting) -> WaitlistEntry:
    entry = WaitlistEntry(patient_id=patient_id, provider_id=provider_id, type_id=type_id, added_on=added_on,
                          status=status)
    session.add(entry)
    session.commit()
    return entry


def test_waitlist_matches_by_provider_and_length_oldest_first(session: Session) -> None:
    hopper = make_provider(session)
    other = make_provider(session, first_name="Alan", last_name="Turing", npi="1558598797")
    short = make_appointment_type(session, name="Short", minutes=15)
    long = make_appointment_type(session, name="Long", minutes=40)
    p = [make_patient(session, last_name=f"P{i}") for i in range(7)]
    any_old = _wait(session, p[0].id, type_id=short.id, added_on=TODAY - timedelta(days=30))
    hopper_new = _wait(session, p[1].id, provider_id=hopper.id, type_id=short.id, added_on=TODAY - timedelta(days=2))
    no_type = _wait(session, p[2].id, provider_id=hopper.id, added_on=TODAY - timedelta(days=10))
    _wait(session, p[3].id, provider_id=other.id, type_id=short.id)  # another provider
    too_long = _wait(session, p[4].id, type_id=long.id, added_on=TODAY - timedelta(days=40))
    _wait(session, p[5].id, type_id=short.id, status=WaitlistStatus.offered)  # not waiting any more
    busy = _wait(session, p[6].id, added_on=TODAY - timedelta(days=50))
    make_appointment(session, patient=p[6], provider=other, appt_type=short, start=at(15))  # booked that day

    slot = dict(provider_id=hopper.id, start=at(10), end=at(10, 20))
    matches = frontdesk.waitlist_matches(session, **slot)

    assert [m.id for m in matches] == [any_old.id, no_type.id, hopper_new.id]
    assert matches[1].minutes == frontdesk.WAITLIST_DEFAULT_MINUTES and matches[1].type_name == ""
    wide = frontdesk.waitlist_matches(session, provider_id=hopper.id, start=at(14), end=at(14, 45))
    assert [m.id for m in wide] == [too_long.id, any_old.id, no_type.id, hopper_new.id]
    tomorrow = frontdesk.waitlist_matches(session, provider_id=hopper.id, start=at(10, day=TODAY + timedelta(1)),
                                          end=at(10, 15, day=TODAY + timedelta(1)))
    assert busy.id in [m.id for m in tomorrow]


def test_waitlist_lists_waiting_oldest_first(session: Session) -> None:
    a, b, c = (make_patient(session, last_name=n) for n in "ABC")
    newer = _wait(session, a.id, added_on=TODAY - timedelta(days=1))
    older = _wait(session, b.id, added_on=TODAY - timedelta(days=9))
    offered = _wait(session, c.id, added_on=TODAY - timedelta(days=5), status=WaitlistStatus.offered)
    assert [r.id for r in frontdesk.waitlist(session)] == [older.id, newer.id]
    assert [r.id for r in frontdesk.waitlist(session, include_offered=True)] == [older.id, offered.id, newer.id]


def test_add_to_waitlist_once_per_patient(session: Session) -> None:
    patient = make_patient(session)
    entry = frontdesk.add_to_waitlist(session, WaitlistCreate(patient_id=patient.id, note="  mornings "),
                                      now=NOW, actor="kim")
    stored = session.get(WaitlistEntry, entry.id)
    assert (stored.status, stored.added_on, stored.note, entry.version) == (WaitlistStatus.waiting, TODAY,
                                                                             "mornings", 1)
    assert audit_events(session, "waitlist_entry")[-1][0].action == "create"
    with pytest.raises(ServiceError, match="already on the waitlist"):
        frontdesk.add_to_waitlist(session, WaitlistCreate(patient_id=patient.id), now=NOW, actor="kim")


def test_set_waitlist_status(session: Session) -> None:
    entry = _wait(session, make_patient(session).id)
    frontdesk.set_waitlist_status(session, entry.id, WaitlistStatus.offered, now=NOW, actor="kim",
                                  expected_version=1)
    session.refresh(entry)
    assert (entry.status, entry.version) == (WaitlistStatus.offered, 2)
    assert audit_events(session, "waitlist_entry")[-1][1] == {"status": ["waiting", "offered"]}
    with pytest.raises(StaleEdit):
        frontdesk.set_waitlist_status(session, entry.id, WaitlistStatus.removed, now=NOW, actor="kim",
                                      expected_version=1)
    with pytest.raises(ServiceError, match="no longer exists"):
        frontdesk.set_waitlist_status(session, 999, WaitlistStatus.removed, now=NOW, actor="kim",
                                      expected_version=None)


# ---------------------------------------------------------------------------------- insurance verification


def test_unverified_today_and_mark_verified(session: Session) -> None:
    provider = make_provider(session)
    kind = make_appointment_type(session)
    pats = [make_patient(session, last_name=f"V{i}") for i in range(5)]
    late = make_appointment(session, patient=pats[0], provider=provider, appt_type=kind, start=at(15))
    early = make_appointment(session, patient=pats[1], provider=provider, appt_type=kind, start=at(8),
                             status=ApptStatus.arrived)
    make_appointment(session, patient=pats[2], provider=provider, appt_type=kind, start=at(9),
                     verified_on=TODAY - timedelta(days=1), verified_by="Kim")
    make_appointment(session, patient=pats[3], provider=provider, appt_type=kind, start=at(10),
                     status=ApptStatus.cancelled)
    make_appointment(session, patient=pats[4], provider=provider, appt_type=kind, start=at(9, day=TODAY + timedelta(1)))

    assert [r.id for r in frontdesk.unverified_today(session, TODAY)] == [early.id, late.id]

    frontdesk.mark_verified(session, late.id, by="Kim Lee", on=TODAY, now=NOW, actor="kim", expected_version=1)

    session.refresh(late)
    assert (late.verified_on, late.verified_by, late.version) == (TODAY, "Kim Lee", 2)
    assert [r.id for r in frontdesk.unverified_today(session, TODAY)] == [early.id]
    event, changes = audit_events(session, "appointment")[-1]
    assert event.action == "verify" and changes == {"verified_by": ["", "Kim Lee"], "verified_on": [None, "2026-11-23"]}
    with pytest.raises(StaleEdit):
        frontdesk.mark_verified(session, late.id, by="Kim", on=TODAY, now=NOW, actor="kim", expected_version=1)


def test_mark_verified_refuses_bad_input(session: Session) -> None:
    appt = make_appointment(session)
    cancelled = make_appointment(session, start=at(11), status=ApptStatus.cancelled)
    with pytest.raises(ServiceError, match="who verified"):
        frontdesk.mark_verified(session, appt.id, by="  ", on=TODAY, now=NOW, actor="kim", expected_version=None)
    with pytest.raises(ServiceError, match="future"):
        frontdesk.mark_verified(session, appt.id, by="Kim", on=TODAY + timedelta(1), now=NOW, actor="kim",
                                expected_version=None)
    with pytest.raises(ServiceError, match="nothing to verify"):
        frontdesk.mark_verified(session, cancelled.id, by="Kim", on=TODAY, now=NOW, actor="kim",
                                expected_version=None)
    session.rollback()
    assert session.get(Appointment, appt.id).verified_on is None
    assert audit_events(session, "appointment") == []


# ------------------------------------------------------------------------------------------ no-show rates


def test_no_show_rates_exclude_cancelled_and_outside_the_window(session: Session) -> None:
    hopper = make_provider(session)
    turing = make_provider(session, first_name="Alan", last_name="Turing", npi="1558598797")
    follow = make_appointment_type(session, name="Follow-up")
    physical = make_appointment_type(session, name="Physical", minutes=40)
    patient = make_patient(session)

    def visit(provider, kind, days_ago: int, status: ApptStatus) -> None:  # type: ignore[no-untyped-def]
        make_appointment(session, patient=patient, provider=provider, appt_type=kind,
                         start=at(9, day=TODAY - timedelta(days=days_ago)), status=status)

    # Hopper: 1 no-show of 4 due (+ 2 cancelled, which must not count either way).
    for days_ago, status in ((1, ApptStatus.no_show), (2, ApptStatus.checked_out), (3, ApptStatus.checked_out),
                             (90, ApptStatus.checked_out), (4, ApptStatus.cancelled), (5, ApptStatus.cancelled)):
        visit(hopper, follow, days_ago, status)
    # Turing: 2 no-shows of 3 due; one never closed out (still booked) is ignored.
    for days_ago, status in ((6, ApptStatus.no_show), (7, ApptStatus.no_show), (8, ApptStatus.checked_out),
                             (9, ApptStatus.booked)):
        visit(turing, physical, days_ago, status)
    # Outside the window: 91 days ago, and today itself.
    visit(hopper, follow, 91, ApptStatus.no_show)
    visit(hopper, follow, 0, ApptStatus.no_show)

    report = frontdesk.no_show_rates(session, TODAY)

    assert (report.first, report.last) == (TODAY - timedelta(days=90), TODAY - timedelta(days=1))
    rows = {r.label: r for r in report.by_provider}
    assert (rows["Grace Hopper"].no_shows, rows["Grace Hopper"].due, rows["Grace Hopper"].cancelled) == (1, 4, 2)
    assert rows["Grace Hopper"].percent == 25.0 and rows["Grace Hopper"].percent_label == "25%"
    assert (rows["Alan Turing"].no_shows, rows["Alan Turing"].due, rows["Alan Turing"].percent) == (2, 3, 66.7)
    assert [r.label for r in report.by_provider] == ["Alan Turing", "Grace Hopper"]
    types = {r.label: (r.no_shows, r.due) for r in report.by_type}
    assert types == {"Follow-up": (1, 4), "Physical": (2, 3)}
    assert (report.overall.no_shows, report.overall.due, report.overall.percent) == (3, 7, 42.9)


def test_no_show_rate_without_due_appointments_is_unknown(session: Session) -> None:
    make_appointment(session, start=at(9, day=TODAY - timedelta(days=3)), status=ApptStatus.cancelled)
    report = frontdesk.no_show_rates(session, TODAY)
    assert report.by_provider[0].percent is None and report.by_provider[0].percent_label == "—"
    assert report.overall.due == 0
