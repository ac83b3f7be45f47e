"""The front desk's lists: reminder calls for the next business day, recalls due, the waitlist, insurance to
verify today, and the no-show rates that say how much the reminders matter.

Reads return plain dataclasses; every write validates, changes one row in one transaction with its audit
event, bumps the row's version, and commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, case, exists, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from officemgr.models import (
    Appointment,
    AppointmentCreate,
    AppointmentType,
    ApptStatus,
    Patient,
    Recall,
    RecallStatus,
    ReminderOutcome,
    Staff,
    WaitlistEntry,
    WaitlistStatus,
)
from officemgr.models.schedule import RecallCreate, WaitlistCreate
from officemgr.services import schedule
from officemgr.services.availability import ACTIVE
from officemgr.services.calendar import PracticeCalendar, practice_calendar
from officemgr.services.common import ServiceError, StaleEdit, apply_update, create, record
from officemgr.services.schedule import SavedAppt

# Settings (rules of thumb, not law): how far ahead a recall counts as due, how far back no-shows are counted,
# and the length assumed for a waitlist entry that names no appointment type.
RECALL_DUE_WITHIN_DAYS = 30
NO_SHOW_WINDOW_DAYS = 90
WAITLIST_DEFAULT_MINUTES = 15
NO_PHONE = "no phone"


# ------------------------------------------------------------------------------------------ read models


@dataclass(frozen=True)
class Saved:
    """A row just added: its id, and the version the next write to it expects."""

    id: int
    version: int


@dataclass(frozen=True)
class DeskAppt:
    """An appointment as the front desk calls about it (reminders, insurance verification)."""

    id: int
    version: int
    start: datetime
    end: datetime
    patient_id: int
    patient_name: str
    phone: str
    provider_id: int
    provider_name: str
    type_name: str
    status: ApptStatus
    reminder: ReminderOutcome | None
    reminder_at: datetime | None
    verified_on: date | None
    verified_by: str

    @property
    def phone_label(self) -> str:
        return self.phone or NO_PHONE


@dataclass(frozen=True)
class ReminderList:
    day: date
    rows: list[DeskAppt]

    @property
    def called(self) -> int:
        return sum(1 for r in self.rows if r.reminder is not None)


@dataclass(frozen=True)
class RecallRow:
    id: int
    version: int
    patient_id: int
    patient_name: str
    phone: str
    provider_name: str
    type_name: str
    reason: str
    due: date
    status: RecallStatus
    note: str

    @property
    def phone_label(self) -> str:
        return self.phone or NO_PHONE


@dataclass(frozen=True)
class WaitlistRow:
    id: int
    version: int
    patient_id: int
    patient_name: str
    phone: str
    provider_id: int | None
    provider_name: str  # "" = any provider
    type_id: int | None
    type_name: str  # "" = any type
    minutes: int  # the type's length, or WAITLIST_DEFAULT_MINUTES
    added_on: date
    status: WaitlistStatus
    note: str

    @property
    def phone_label(self) -> str:
        return self.phone or NO_PHONE


@dataclass(frozen=True)
class RateRow:
    """No-shows for one provider or one appointment type (or everyone: id None)."""

    id: int | None
    label: str
    no_shows: int
    kept: int
    cancelled: int

    @property
    def due(self) -> int:
        """Appointments the patient was expected at: kept (checked out) or missed (no-show)."""
        return self.kept + self.no_shows

    @property
    def percent(self) -> float | None:
        return None if self.due == 0 else round(100 * self.no_shows / self.due, 1)

    @property
    def percent_label(self) -> str:
        return "—" if self.percent is None else f"{self.percent:.0f}%"


@dataclass(frozen=True)
class NoShowReport:
    first: date
    last: date
    overall: RateRow
    by_provider: list[RateRow]
    by_type: list[RateRow]


# ---------------------------------------------------------------------------------------------- helpers


def next_business_day(today: date, cal: PracticeCalendar | None = None) -> date:
    """The first day after `today` the practice calendar has open: Friday rolls over to Monday, and past a holiday
    or closure. Without a calendar, weekends and federal holidays are closed."""
    return (cal or PracticeCalendar()).next_business_day(today + timedelta(days=1))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _desk_appts(session: Session, day: date, statuses: tuple[ApptStatus, ...], *,
                unverified_only: bool = False) -> list[DeskAppt]:
    query = (
        select(Appointment, Patient, Staff, AppointmentType)
        .join(Patient, col(Patient.id) == Appointment.patient_id)
        .join(Staff, col(Staff.id) == Appointment.provider_id)
        .join(AppointmentType, col(AppointmentType.id) == Appointment.type_id)
        .where(Appointment.start >= _midnight(day), Appointment.start < _midnight(day + timedelta(days=1)),
               col(Appointment.status).in_(statuses))
        .order_by(col(Appointment.start), col(Staff.last_name), col(Staff.first_name), col(Appointment.id))
    )
    if unverified_only:
        query = query.where(col(Appointment.verified_on).is_(None))
    rows = []
    for a, p, s, t in session.exec(query):
        assert a.id is not None
        rows.append(DeskAppt(
            id=a.id, version=a.version, start=a.start, end=a.end, patient_id=a.patient_id, patient_name=p.name,
            phone=p.phone, provider_id=a.provider_id, provider_name=s.name, type_name=t.name, status=a.status,
            reminder=a.reminder, reminder_at=a.reminder_at, verified_on=a.verified_on, verified_by=a.verified_by,
        ))
    return rows


def _appointment(session: Session, appt_id: int, expected_version: int | None) -> Appointment:
    appt = session.get(Appointment, appt_id)
    if appt is None:
        raise ServiceError("that appointment no longer exists — reload")
    if expected_version is not None and appt.version != expected_version:
        raise StaleEdit()
    return appt


def _check_refs(session: Session, patient_id: int, provider_id: int | None, type_id: int | None) -> None:
    if session.get(Patient, patient_id) is None:
        raise ServiceError("choose a patient")
    if provider_id is not None:
        provider = session.get(Staff, provider_id)
        if provider is None or not (provider.is_provider and provider.active):
            raise ServiceError("choose a provider (an active staff member who sees patients), or none for any")
    if type_id is not None and session.get(AppointmentType, type_id) is None:
        raise ServiceError("choose an appointment type, or none for any")


# -------------------------------------------------------------------------------------------- reminders


def reminder_list(session: Session, today: date) -> ReminderList:
    """Booked appointments on the next business day after `today`, with each reminder call's outcome so far."""
    day = next_business_day(today, practice_calendar(session))
    return ReminderList(day, _desk_appts(session, day, (ApptStatus.booked,)))


def mark_reminder(
    session: Session, appt_id: int, outcome: ReminderOutcome, *, now: datetime, actor: str,
    expected_version: int | None,
) -> None:
    """Record how the reminder call went (reached, left a message, wrong number), timed `now`."""
    try:
        outcome = ReminderOutcome(outcome)
    except ValueError:
        raise ServiceError(f"'{outcome}' is not a reminder outcome") from None
    appt = _appointment(session, appt_id, expected_version)
    if appt.status is not ApptStatus.booked:
        raise ServiceError(f"only a booked appointment gets a reminder call (this one is {appt.status.label})")
    changes = apply_update(appt, {"reminder": outcome, "reminder_at": now}, expected_version=expected_version)
    record(session, actor=actor, entity="appointment", entity_id=appt_id, action="reminder", changes=changes,
           now=now)
    session.commit()


# ---------------------------------------------------------------------------------------------- recalls


def recalls_due(session: Session, today: date, *, within_days: int = RECALL_DUE_WITHIN_DAYS) -> list[RecallRow]:
    """Open recalls due by `today + within_days` whose patient has no active appointment from today on.

    A patient who is already booked needs no call, whatever the recall says; overdue ones come first.
    """
    booked = exists().where(
        col(Appointment.patient_id) == col(Recall.patient_id),
        col(Appointment.start) >= _midnight(today),
        col(Appointment.status).in_(ACTIVE),
    )
    query = (
        select(Recall, Patient, Staff, AppointmentType)
        .join(Patient, col(Patient.id) == Recall.patient_id)
        .outerjoin(Staff, col(Staff.id) == Recall.provider_id)
        .outerjoin(AppointmentType, col(AppointmentType.id) == Recall.type_id)
        .where(Recall.status == RecallStatus.open, Recall.due <= today + timedelta(days=within_days), ~booked)
        .order_by(col(Recall.due), col(Patient.last_name), col(Patient.first_name), col(Recall.id))
    )
    rows = []
    for r, p, s, t in session.exec(query):
        assert r.id is not None
        rows.append(RecallRow(
            id=r.id, version=r.version, patient_id=r.patient_id, patient_name=p.name, phone=p.phone,
            provider_name=s.name if s else "", type_name=t.name if t else "", reason=r.reason, due=r.due,
            status=r.status, note=r.note,
        ))
    return rows


_UNITS = {
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
    "m": "months", "mo": "months", "mos": "months", "month": "months", "months": "months",
    "y": "years", "yr": "years", "yrs": "years", "year": "years", "years": "years",
}
_INTERVAL = re.compile(r"(?:in\s+)?(?:(\d+)\s*|(an?)\s+)([a-z]+)")
INTERVAL_HELP = "a return interval looks like '6 weeks', '3 months' or '1 year'"


def _interval(text: str) -> tuple[int, str]:
    match = _INTERVAL.fullmatch((text or "").strip().lower())
    if not match or match.group(3) not in _UNITS:
        raise ServiceError(f"'{(text or '').strip()}' is not understood: {INTERVAL_HELP}")
    number = int(match.group(1)) if match.group(1) else 1  # "a year"
    unit = _UNITS[match.group(3)]
    if number == 0:
        raise ServiceError("a return interval must be at least 1 day")
    if number > {"days": 5 * 366, "weeks": 5 * 53, "months": 60, "years": 5}[unit]:
        raise ServiceError("a return interval is at most 5 years")
    return number, unit


def _delta(number: int, unit: str) -> relativedelta:
    return {"days": relativedelta(days=number), "weeks": relativedelta(weeks=number),
            "months": relativedelta(months=number), "years": relativedelta(years=number)}[unit]


def parse_interval(text: str) -> relativedelta:
    """'12 months', '6 weeks', '1 yr', '10d', 'a year' as a relativedelta; ServiceError when it is not one."""
    number, unit = _interval(text)
    return _delta(number, unit)


def recall_from_interval(
    patient_id: int, interval: str, today: date, *, reason: str = "", provider_id: int | None = None,
    type_id: int | None = None, note: str = "",
) -> RecallCreate:
    """The recall a return interval given at checkout ("back in 12 months") stands for: due `today` + interval.

    Months and years keep the day of the month where it exists (Jan 31 + 1 month = Feb 28). A bad interval is
    refused with a ServiceError saying what one looks like.
    """
    number, unit = _interval(interval)
    words = f"{number} {unit[:-1] if number == 1 else unit}"
    return RecallCreate(
        patient_id=patient_id, provider_id=provider_id, type_id=type_id,
        reason=reason.strip() or f"Return visit in {words}",
        due=today + _delta(number, unit), note=note, today=today,
    )


def add_recall(session: Session, data: RecallCreate, *, now: datetime, actor: str) -> Saved:
    """Add an open recall (the schema has already refused an empty reason and a due date in the past)."""
    data = RecallCreate.model_validate(data.model_dump())
    _check_refs(session, data.patient_id, data.provider_id, data.type_id)
    recall = Recall(patient_id=data.patient_id, provider_id=data.provider_id, type_id=data.type_id,
                    reason=data.reason, due=data.due, note=data.note, created_on=data.today,
                    status=RecallStatus.open)
    create(session, recall, entity="recall", actor=actor, now=now)
    assert recall.id is not None
    return Saved(recall.id, recall.version)


def set_recall_status(
    session: Session, recall_id: int, status: RecallStatus, *, now: datetime, actor: str,
    expected_version: int | None, note: str | None = None,
) -> None:
    """Mark a recall contacted, booked or declined (or open again); a note, when given, replaces the old one."""
    status = RecallStatus(status)
    recall = session.get(Recall, recall_id)
    if recall is None:
        raise ServiceError("that recall no longer exists — reload")
    if expected_version is not None and recall.version != expected_version:
        raise StaleEdit()
    if recall.status is status:
        raise ServiceError(f"this recall is already {status.value}")
    values: dict[str, object] = {"status": status}
    if note is not None:
        values["note"] = note.strip()[:200]
    changes = apply_update(recall, values, expected_version=expected_version)
    record(session, actor=actor, entity="recall", entity_id=recall_id, action="status", changes=changes, now=now)
    session.commit()


# --------------------------------------------------------------------------------------------- waitlist


WaitlistQuery = Select[WaitlistEntry, Patient, Staff, AppointmentType]


def _waitlist_query() -> WaitlistQuery:
    return (
        select(WaitlistEntry, Patient, Staff, AppointmentType)
        .join(Patient, col(Patient.id) == WaitlistEntry.patient_id)
        .outerjoin(Staff, col(Staff.id) == WaitlistEntry.provider_id)
        .outerjoin(AppointmentType, col(AppointmentType.id) == WaitlistEntry.type_id)
        .order_by(col(WaitlistEntry.added_on), col(WaitlistEntry.id))
    )


def _waitlist_rows(session: Session, query: WaitlistQuery) -> list[WaitlistRow]:
    rows = []
    # Staff and the type are outer joins: None when the entry asks for any provider or any type.
    for w, p, s, t in session.exec(query):
        assert w.id is not None
        rows.append(WaitlistRow(
            id=w.id, version=w.version, patient_id=w.patient_id, patient_name=p.name, phone=p.phone,
            provider_id=w.provider_id, provider_name=s.name if s else "", type_id=w.type_id,
            type_name=t.name if t else "", minutes=t.minutes if t else WAITLIST_DEFAULT_MINUTES,
            added_on=w.added_on, status=w.status, note=w.note,
        ))
    return rows


def waitlist(session: Session, *, include_offered: bool = False) -> list[WaitlistRow]:
    """Waiting entries, oldest first (with `include_offered`, also those offered a slot and not yet answered)."""
    statuses = [WaitlistStatus.waiting] + ([WaitlistStatus.offered] if include_offered else [])
    return _waitlist_rows(session, _waitlist_query().where(col(WaitlistEntry.status).in_(statuses)))


def waitlist_matches(session: Session, *, provider_id: int, start: datetime, end: datetime) -> list[WaitlistRow]:
    """Waiting entries that could take a freed slot, oldest first.

    An entry fits when it asks for this provider or any provider, and its type's length (or
    WAITLIST_DEFAULT_MINUTES without a type) fits between `start` and `end`. Patients already booked that day
    are left out: the booking would be refused as a same-day double booking anyway.
    """
    minutes = int((end - start).total_seconds() // 60)
    day = _midnight(start.date())
    booked_that_day = exists().where(
        col(Appointment.patient_id) == col(WaitlistEntry.patient_id),
        col(Appointment.start) >= day,
        col(Appointment.start) < day + timedelta(days=1),
        col(Appointment.status).in_(ACTIVE),
    )
    query = _waitlist_query().where(
        WaitlistEntry.status == WaitlistStatus.waiting,
        (col(WaitlistEntry.provider_id).is_(None)) | (WaitlistEntry.provider_id == provider_id),
        func.coalesce(AppointmentType.minutes, WAITLIST_DEFAULT_MINUTES) <= minutes,
        ~booked_that_day,
    )
    return _waitlist_rows(session, query)


def add_to_waitlist(session: Session, data: WaitlistCreate, *, now: datetime, actor: str) -> Saved:
    """Put a patient on the waitlist (once: a patient already waiting or offered a slot is refused)."""
    data = WaitlistCreate.model_validate(data.model_dump())
    _check_refs(session, data.patient_id, data.provider_id, data.type_id)
    already = session.exec(
        select(WaitlistEntry).where(
            WaitlistEntry.patient_id == data.patient_id,
            col(WaitlistEntry.status).in_((WaitlistStatus.waiting, WaitlistStatus.offered)),
        )
    ).first()
    if already is not None:
        raise ServiceError(f"this patient is already on the waitlist (since {already.added_on:%m/%d/%Y})")
    entry = WaitlistEntry(patient_id=data.patient_id, provider_id=data.provider_id, type_id=data.type_id,
                          note=data.note, added_on=now.date(), status=WaitlistStatus.waiting)
    create(session, entry, entity="waitlist_entry", actor=actor, now=now)
    assert entry.id is not None
    return Saved(entry.id, entry.version)


def set_waitlist_status(
    session: Session, entry_id: int, status: WaitlistStatus, *, now: datetime, actor: str,
    expected_version: int | None,
) -> None:
    """Mark a waitlist entry offered, booked or removed (or waiting again)."""
    status = WaitlistStatus(status)
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None:
        raise ServiceError("that waitlist entry no longer exists — reload")
    if expected_version is not None and entry.version != expected_version:
        raise StaleEdit()
    if entry.status is status:
        raise ServiceError(f"this waitlist entry is already {status.value}")
    changes = apply_update(entry, {"status": status}, expected_version=expected_version)
    record(session, actor=actor, entity="waitlist_entry", entity_id=entry_id, action="status", changes=changes,
           now=now)
    session.commit()


def book_from_waitlist(
    session: Session, entry_id: int, data: AppointmentCreate, *, now: datetime, actor: str,
    expected_version: int | None, confirmed: bool = False,
) -> SavedAppt:
    """Book the waitlisted patient (conflicts refused unless confirmed, as any booking), then mark the entry
    booked: an entry is booked only by a booking that saved."""
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None:
        raise ServiceError("that waitlist entry no longer exists — reload")
    if expected_version is not None and entry.version != expected_version:
        raise StaleEdit()
    if entry.status not in (WaitlistStatus.waiting, WaitlistStatus.offered):
        raise ServiceError(f"this waitlist entry is already {entry.status.value}")
    if data.patient_id != entry.patient_id:
        raise ServiceError("the waitlist entry is for another patient: choose that patient, or close this form "
                           "and book with a on the Schedule")
    saved = schedule.book(session, data, now=now, actor=actor, confirmed=confirmed)
    changes = apply_update(entry, {"status": WaitlistStatus.booked}, expected_version=None)
    record(session, actor=actor, entity="waitlist_entry", entity_id=entry_id, action="status", changes=changes,
           now=now)
    session.commit()
    return saved


# ---------------------------------------------------------------------------------- insurance verification


def unverified_today(session: Session, today: date) -> list[DeskAppt]:
    """Today's active appointments whose insurance has not been verified, in time order."""
    return _desk_appts(session, today, ACTIVE, unverified_only=True)


def mark_verified(
    session: Session, appt_id: int, *, by: str, on: date, now: datetime, actor: str, expected_version: int | None,
) -> None:
    """Record that the patient's insurance was verified for this appointment, by whom and on which day."""
    by = (by or "").strip()
    if not by:
        raise ServiceError("say who verified the insurance")
    if len(by) > 60:
        raise ServiceError("who verified it: at most 60 characters")
    if on > now.date():
        raise ServiceError("the verification date cannot be in the future")
    appt = _appointment(session, appt_id, expected_version)
    if appt.status not in ACTIVE:
        raise ServiceError(f"this appointment is {appt.status.label}: there is nothing to verify")
    changes = apply_update(appt, {"verified_on": on, "verified_by": by}, expected_version=expected_version)
    record(session, actor=actor, entity="appointment", entity_id=appt_id, action="verify", changes=changes, now=now)
    session.commit()


# ------------------------------------------------------------------------------------------ no-show rates


def no_show_rates(session: Session, today: date, *, days: int = NO_SHOW_WINDOW_DAYS) -> NoShowReport:
    """No-show rate per provider and per appointment type over the `days` days before `today`.

    rate = no-shows ÷ (checked out + no-shows): the appointments the patient was still expected at.
    Cancelled appointments are left out of both counts: the patient told us ahead of time, so the slot was
    released (and may have been refilled); counting them would dilute the rate, or mix late cancellations up
    with people who simply did not come. Past appointments still "booked", "arrived" or "in room" were never
    closed out and say nothing either way, so they are left out too. Cancellations are reported beside it.
    """
    first = today - timedelta(days=days)
    counted = (ApptStatus.checked_out, ApptStatus.no_show, ApptStatus.cancelled)

    def grouped(column: Any) -> list[tuple[int, int, int, int]]:
        """(key, no-shows, kept, cancelled) for each value of `column`."""
        rows = session.exec(
            select(
                column,
                func.sum(case((col(Appointment.status) == ApptStatus.no_show, 1), else_=0)),
                func.sum(case((col(Appointment.status) == ApptStatus.checked_out, 1), else_=0)),
                func.sum(case((col(Appointment.status) == ApptStatus.cancelled, 1), else_=0)),
            )
            .where(and_(col(Appointment.start) >= _midnight(first), col(Appointment.start) < _midnight(today)),
                   col(Appointment.status).in_(counted))
            .group_by(column)
        ).all()
        return [(key, int(n), int(k), int(c)) for key, n, k, c in rows]

    provider_names = {s.id: s.name for s in session.exec(select(Staff).where(Staff.is_provider))}
    type_names = {t.id: t.name for t in session.exec(select(AppointmentType))}
    by_provider = sorted(
        (RateRow(pid, provider_names.get(pid, f"#{pid}"), n, k, c)
         for pid, n, k, c in grouped(Appointment.provider_id)),
        key=lambda r: r.label,
    )
    by_type = sorted(
        (RateRow(tid, type_names.get(tid, f"#{tid}"), n, k, c) for tid, n, k, c in grouped(Appointment.type_id)),
        key=lambda r: r.label,
    )
    overall = RateRow(None, "All", sum(r.no_shows for r in by_provider), sum(r.kept for r in by_provider),
                      sum(r.cancelled for r in by_provider))
    return NoShowReport(first, today - timedelta(days=1), overall, by_provider, by_type)
