"""The day's appointments per provider, booking with conflict checks, and the status flow."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice

from dateutil.rrule import rrulestr
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from officemgr.models import (
    Appointment,
    AppointmentCreate,
    AppointmentEvent,
    AppointmentType,
    ApptStatus,
    EventKind,
    Patient,
    Staff,
)
from officemgr.services import availability, patients
from officemgr.services.availability import ACTIVE, ProviderDayPlan, day_plans
from officemgr.services.common import ServiceError, StaleEdit, apply_update, created_fields, record
from officemgr.services.credentials import lapsed_required
from officemgr.services.patients import age_on

SLOT_MINUTES = 15
# Which status may follow which; anything else is refused.
NEXT_STATUS: dict[ApptStatus, set[ApptStatus]] = {
    ApptStatus.booked: {ApptStatus.arrived, ApptStatus.cancelled, ApptStatus.no_show},
    ApptStatus.arrived: {ApptStatus.in_room, ApptStatus.cancelled, ApptStatus.booked},
    ApptStatus.in_room: {ApptStatus.checked_out, ApptStatus.arrived},
    ApptStatus.checked_out: {ApptStatus.in_room},
    ApptStatus.cancelled: {ApptStatus.booked},
    ApptStatus.no_show: {ApptStatus.booked},
}
# `d` on the Schedule tab advances along the happy path.
ADVANCE = {ApptStatus.booked: ApptStatus.arrived, ApptStatus.arrived: ApptStatus.in_room,
           ApptStatus.in_room: ApptStatus.checked_out}


@dataclass(frozen=True)
class ApptRow:
    id: int
    version: int
    provider_id: int
    start: datetime
    end: datetime
    patient_id: int
    patient_name: str
    patient_initials: str
    patient_age: int  # on the day of the appointment
    type_name: str
    status: ApptStatus
    reason: str
    double_booked: bool

    @property
    def private_name(self) -> str:
        """The patient as privacy mode shows them: "J.S. 47"."""
        return private_name(self.patient_initials, self.patient_age)


@dataclass(frozen=True)
class ProviderDay:
    provider_id: int
    provider_name: str
    appointments: list[ApptRow]
    capacity: int
    plan: ProviderDayPlan | None = None
    # Required credentials that have lapsed: the provider is shown in red.
    lapsed: list[str] = field(default_factory=list)

    @property
    def booked(self) -> int:
        return sum(1 for a in self.appointments if a.status in ACTIVE)

    @property
    def no_shows(self) -> int:
        return sum(1 for a in self.appointments if a.status is ApptStatus.no_show)

    @property
    def double_books(self) -> int:
        return sum(1 for a in self.appointments if a.double_booked)

    @property
    def open_slots(self) -> int:
        booked_minutes = sum(
            (a.end - a.start).seconds // 60 for a in self.appointments if a.status in ACTIVE and not a.double_booked
        )
        return max(0, self.capacity - booked_minutes // SLOT_MINUTES)


@dataclass(frozen=True)
class DaySchedule:
    day: date
    providers: list[ProviderDay] = field(default_factory=list)

    @property
    def rows(self) -> list[ApptRow]:
        return sorted((a for p in self.providers for a in p.appointments), key=lambda a: (a.start, a.provider_id))


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


def initials(first: str, last: str) -> str:
    return f"{first[:1]}{last[:1]}".upper()


def private_name(initials: str, age: int) -> str:
    """Initials with dots, then the age ("J.S. 47"): enough to tell patients apart across the room, not to name."""
    return "".join(f"{letter}." for letter in initials) + f" {age}"


def providers(session: Session) -> list[Staff]:
    return list(
        session.exec(
            select(Staff).where(Staff.is_provider, Staff.active).order_by(col(Staff.last_name), col(Staff.first_name))
        )
    )


def appointment_types(session: Session) -> list[AppointmentType]:
    return list(session.exec(select(AppointmentType).order_by(col(AppointmentType.minutes))))


@dataclass(frozen=True)
class TypeChoice:
    id: int
    name: str
    minutes: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.minutes} min)"


@dataclass(frozen=True)
class BookingChoices:
    """What the booking, move and slot-finder forms offer, read before they open."""

    providers: list[Choice]
    types: list[TypeChoice]


def provider_choices(session: Session) -> list[Choice]:
    """The active providers, by name."""
    choices = []
    for p in providers(session):
        assert p.id is not None
        choices.append(Choice(p.id, p.name))
    return choices


def booking_choices(session: Session) -> BookingChoices:
    types = []
    for t in appointment_types(session):
        assert t.id is not None
        types.append(TypeChoice(t.id, t.name, t.minutes))
    return BookingChoices(provider_choices(session), types)


def _appointments(session: Session, first: date, days: int, provider_id: int | None = None
                  ) -> dict[tuple[int, date], list[ApptRow]]:
    """Appointments from `first` for `days` days, by (provider, day), in start order."""
    start = datetime.combine(first, time.min)
    # Plain columns, not entities: a day of ten providers is hundreds of rows, and building ORM objects for
    # them was most of the Schedule tab's read.
    # Twelve columns: sqlmodel's select() is typed for up to four, so the Select is built and typed here.
    columns: Select[int, int, int, datetime, datetime, ApptStatus, str, int, str, str, date, str] = Select(
        col(Appointment.id), col(Appointment.version), col(Appointment.provider_id), col(Appointment.start),
        col(Appointment.end), col(Appointment.status), col(Appointment.reason), col(Appointment.patient_id),
        col(Patient.first_name), col(Patient.last_name), col(Patient.dob), col(AppointmentType.name))
    query = (
        columns
        .join(Patient, col(Patient.id) == Appointment.patient_id)
        .join(AppointmentType, col(AppointmentType.id) == Appointment.type_id)
        .where(Appointment.start >= start, Appointment.start < start + timedelta(days=days))
        # the same order on every engine
        .order_by(col(Appointment.provider_id), col(Appointment.start), col(Appointment.id))
    )
    if provider_id is not None:
        query = query.where(Appointment.provider_id == provider_id)
    grouped: dict[tuple[int, date], list[ApptRow]] = {}
    for appt_id, version, pid, appt_start, end, status, reason, patient_id, first_name, last_name, dob, kind \
            in session.exec(query):
        grouped.setdefault((pid, appt_start.date()), []).append(
            ApptRow(
                id=appt_id,
                version=version,
                provider_id=pid,
                start=appt_start,
                end=end,
                patient_id=patient_id,
                patient_name=Patient.name_of(first_name, last_name),
                patient_initials=initials(first_name, last_name),
                patient_age=age_on(dob, appt_start.date()),
                type_name=kind,
                status=status,
                reason=reason,
                double_booked=False,
            )
        )
    return grouped


def day_schedule(session: Session, day: date) -> DaySchedule:
    """Every provider's appointments on `day`, with double-books flagged."""
    grouped = _appointments(session, day, 1)
    people = provider_choices(session)
    plans = day_plans(session, day, [p.id for p in people])
    lapsed = lapsed_required(session, day)
    result = []
    for provider in people:
        appts = _flag_double_books(grouped.get((provider.id, day), []))
        plan = plans[provider.id]
        result.append(ProviderDay(provider.id, provider.label, appts, plan.bookable_minutes // SLOT_MINUTES, plan,
                                  lapsed.get(provider.id, [])))
    return DaySchedule(day, result)


def week_schedule(session: Session, provider_id: int, first: date) -> list[ProviderDay]:
    """One provider's seven days from `first`, each with its hours, blocks and appointments."""
    provider = session.get(Staff, provider_id)
    if provider is None:
        raise ServiceError("that provider no longer exists — reload")
    grouped = _appointments(session, first, 7, provider_id)
    cal = availability.read_calendar(session)
    week = []
    for offset in range(7):
        day = first + timedelta(days=offset)
        plan = day_plans(session, day, [provider_id], cal)[provider_id]
        appts = _flag_double_books(grouped.get((provider_id, day), []))
        week.append(ProviderDay(provider_id, provider.name, appts, plan.bookable_minutes // SLOT_MINUTES, plan))
    return week


def _flag_double_books(appts: list[ApptRow]) -> list[ApptRow]:
    """An active appointment that starts before an earlier active one ends is a double-book."""
    flagged, last_end = [], None
    for appt in appts:
        active = appt.status in ACTIVE
        overlaps = active and last_end is not None and appt.start < last_end
        if overlaps:
            appt = ApptRow(**{**appt.__dict__, "double_booked": True})
        if active:
            last_end = max(last_end or appt.end, appt.end)
        flagged.append(appt)
    return flagged


def search_patients(session: Session, text: str, limit: int = 10) -> list[Choice]:
    """Patients matching `text` as patients.search reads it, as the booking form's choices."""
    return [Choice(hit.id, f"{hit.name}  {hit.dob:%m/%d/%Y}  {hit.phone}") for hit in
            patients.search(session, text, limit=limit)]


def conflicts(session: Session, data: AppointmentCreate, *, ignore_id: int | None = None) -> list[str]:
    """Why this booking would be a problem, in words; empty when it is fine."""
    return availability.conflicts(
        session, provider_id=data.provider_id, patient_id=data.patient_id, start=data.start,
        end=data.start + timedelta(minutes=data.minutes), ignore_id=ignore_id,
    )


def _check_refs(session: Session, data: AppointmentCreate) -> None:
    for fk, model, what in ((data.patient_id, Patient, "patient"), (data.type_id, AppointmentType, "appointment type")):
        if session.get(model, fk) is None:
            raise ServiceError(f"choose a {what}")
    provider = session.get(Staff, data.provider_id)
    if provider is None or not (provider.is_provider and provider.active):
        raise ServiceError("choose a provider (an active staff member who sees patients)")
    check_last_day(provider, data.start.date())


def check_last_day(provider: Staff, day: date) -> None:
    """Refuse booking a provider on a day after their last one (their history before it stays bookable), or before
    their first (a hire starting later)."""
    if provider.hire_date is not None and day < provider.hire_date:
        raise ServiceError(f"{provider.name} starts on {provider.hire_date:%m/%d/%Y}: "
                           f"they cannot be booked on {day:%m/%d/%Y}")
    if provider.end_date is not None and day > provider.end_date:
        raise ServiceError(f"{provider.name}'s last day is {provider.end_date:%m/%d/%Y}: "
                           f"they cannot be booked on {day:%m/%d/%Y}")


def _event(session: Session, appt_id: int, kind: EventKind, *, now: datetime, actor: str, from_status: str = "",
           to_status: str = "", from_start: datetime | None = None, to_start: datetime | None = None,
           note: str = "") -> None:
    session.add(AppointmentEvent(appointment_id=appt_id, at=now, actor=actor, kind=kind, from_status=from_status,
                                 to_status=to_status, from_start=from_start, to_start=to_start, note=note))


@dataclass(frozen=True)
class SavedAppt:
    """An appointment as a write left it (its version is the one the next write expects)."""

    id: int
    version: int
    patient_id: int
    provider_id: int
    start: datetime
    end: datetime
    status: ApptStatus
    double_booked: bool
    series_id: int | None
    cancel_reason: str


def _saved(appt: Appointment) -> SavedAppt:
    assert appt.id is not None
    return SavedAppt(appt.id, appt.version, appt.patient_id, appt.provider_id, appt.start, appt.end, appt.status,
                     appt.double_booked, appt.series_id, appt.cancel_reason)


def _add(session: Session, data: AppointmentCreate, start: datetime, problems: list[str], *, now: datetime,
         actor: str, series_id: int | None = None) -> Appointment:
    appt = Appointment(
        patient_id=data.patient_id, provider_id=data.provider_id, type_id=data.type_id, start=start,
        end=start + timedelta(minutes=data.minutes), reason=data.reason, note=data.note,
        double_booked=any("double-book" in p for p in problems), series_id=series_id,
    )
    session.add(appt)
    session.flush()
    assert appt.id is not None
    note = ("booked despite: " + "; ".join(problems))[:200] if problems else ""
    _event(session, appt.id, EventKind.create, now=now, actor=actor, to_status=appt.status.value, to_start=start,
           note=note)
    record(session, actor=actor, entity="appointment", entity_id=appt.id, action="create",
           changes=created_fields(appt), now=now)
    return appt


def _in_the_past(start: datetime, now: datetime) -> list[str]:
    """A booking on a day already gone: right only for entering a visit that happened, so it is confirmed."""
    days = (now.date() - start.date()).days
    if days <= 0:
        return []
    ago = "yesterday" if days == 1 else f"{days} days ago"
    return [f"{start:%a %m/%d/%Y} is in the past ({ago}); book it only to enter a visit that already happened"]


def book(
    session: Session, data: AppointmentCreate, *, now: datetime, actor: str, confirmed: bool = False
) -> SavedAppt:
    """Book an appointment; conflicts are refused unless the user has seen and confirmed them.

    A confirmed overlap is stored as a double-book, and what was overridden is kept in its history.
    """
    _check_refs(session, data)
    problems = _in_the_past(data.start, now) + conflicts(session, data)
    if problems and not confirmed:
        raise ServiceError("; ".join(problems))
    saved = _saved(_add(session, data, data.start, problems, now=now, actor=actor))
    session.commit()
    return saved


def _get(session: Session, appt_id: int, expected_version: int | None) -> Appointment:
    appt = session.get(Appointment, appt_id)
    if appt is None:
        raise ServiceError("that appointment no longer exists — reload")
    if expected_version is not None and appt.version != expected_version:
        raise StaleEdit()
    return appt


def set_status(
    session: Session, appt_id: int, status: ApptStatus, *, now: datetime, actor: str, expected_version: int | None,
    reason: str = "",
) -> SavedAppt:
    """Move an appointment along its status flow; the change is timed in its history."""
    appt = _get(session, appt_id, expected_version)
    if status not in NEXT_STATUS[appt.status]:
        raise ServiceError(f"an appointment that is {appt.status.label} cannot become {status.label}")
    old = appt.status
    values: dict[str, object] = {"status": status}
    if status is ApptStatus.cancelled:
        values["cancel_reason"] = reason.strip()
    changes = apply_update(appt, values, expected_version=expected_version)
    _event(session, appt_id, EventKind.status, now=now, actor=actor, from_status=old.value, to_status=status.value,
           note=reason.strip()[:200])
    record(session, actor=actor, entity="appointment", entity_id=appt_id, action="status", changes=changes, now=now)
    saved = _saved(appt)
    session.commit()
    return saved


@dataclass(frozen=True)
class UndoneAppt(SavedAppt):
    """An appointment after an undo, with what was undone in words."""

    what: str


def _open_changes(events: list[AppointmentEvent]) -> list[AppointmentEvent]:
    """The status changes and moves not taken back yet, oldest first: each undo takes back the latest one."""
    stack: list[AppointmentEvent] = []
    for event in events:
        if event.kind in (EventKind.status, EventKind.move):
            stack.append(event)
        elif event.kind is EventKind.undo and stack:
            stack.pop()
    return stack


def _events(session: Session, appt_id: int) -> list[AppointmentEvent]:
    return list(session.exec(select(AppointmentEvent).where(AppointmentEvent.appointment_id == appt_id)
                             .order_by(col(AppointmentEvent.id))))


def _said(event: AppointmentEvent) -> str:
    if event.kind is EventKind.move:
        assert event.to_start is not None
        return f"moved it to {event.to_start:%a %m/%d %H:%M} at {event.at:%H:%M}"
    return f"made it {ApptStatus(event.to_status).label} at {event.at:%H:%M}"


def undo_last(session: Session, appt_id: int, *, now: datetime, actor: str, expected_version: int | None,
              since: datetime | None = None) -> UndoneAppt:
    """Take back `actor`'s own last status change or move of the appointment (made since `since`, when given);
    refused when someone else has changed it after. The undo itself is kept in the history."""
    appt = _get(session, appt_id, expected_version)
    patient = session.get(Patient, appt.patient_id)
    who = patient.name if patient is not None else "this appointment"
    events = _events(session, appt_id)
    mine = [e for e in _open_changes(events)
            if e.actor == actor and (since is None or e.at >= since)]
    if not mine:
        raise ServiceError(f"nothing to undo on {who}: no change of yours is left to take back")
    last = mine[-1]
    assert last.id is not None
    others = [e for e in events if e.id is not None and e.id > last.id and e.actor != actor]
    if others:
        raise ServiceError(f"nothing was undone: {others[-1].actor} changed {who} after you "
                           f"({_said(others[-1])}); change it by hand if it is still wrong")
    if last.kind is EventKind.status:
        values: dict[str, object] = {"status": ApptStatus(last.from_status)}
        if last.to_status == ApptStatus.cancelled.value:
            values["cancel_reason"] = ""
        note = f"undid {last.from_status} → {last.to_status}"
        what = (f"{who} is {ApptStatus(last.from_status).label} again "
                f"(you had made it {ApptStatus(last.to_status).label} at {last.at:%H:%M})")
    else:
        length = appt.end - appt.start
        assert last.from_start is not None
        values = {"start": last.from_start, "end": last.from_start + length}
        note = f"undid move from {last.from_start:%m/%d %H:%M}"
        what = f"{who} is back at {last.from_start:%a %m/%d %H:%M} (you had moved it at {last.at:%H:%M})"
    before = appt.status
    changes = apply_update(appt, values, expected_version=expected_version)
    _event(session, appt_id, EventKind.undo, now=now, actor=actor, from_status=before.value,
           to_status=appt.status.value, note=note)
    record(session, actor=actor, entity="appointment", entity_id=appt_id, action="undo", changes=changes, now=now)
    undone = UndoneAppt(**_saved(appt).__dict__, what=what)
    session.commit()
    return undone


def undo_mine(session: Session, *, since: datetime, now: datetime, actor: str) -> UndoneAppt:
    """Take back `actor`'s own last status change or move of any appointment since `since` (when they opened
    the app), whichever appointment it was on."""
    touched = session.exec(
        select(AppointmentEvent.appointment_id).where(
            AppointmentEvent.actor == actor, col(AppointmentEvent.at) >= since,
            col(AppointmentEvent.kind).in_([EventKind.status, EventKind.move])).distinct()
    ).all()
    latest: AppointmentEvent | None = None
    for appt_id in touched:
        mine = [e for e in _open_changes(_events(session, appt_id)) if e.actor == actor and e.at >= since]
        if mine and (latest is None or (mine[-1].id or 0) > (latest.id or 0)):
            latest = mine[-1]
    if latest is None:
        raise ServiceError("nothing to undo: you have not changed an appointment since you opened the app "
                           "(or your changes are undone already)")
    return undo_last(session, latest.appointment_id, now=now, actor=actor, expected_version=None, since=since)


def move(
    session: Session, appt_id: int, *, start: datetime, provider_id: int, now: datetime, actor: str,
    expected_version: int | None, confirmed: bool = False,
) -> SavedAppt:
    """Move an appointment to another time (or provider); it keeps its id and its history."""
    appt = _get(session, appt_id, expected_version)
    if appt.status not in (ApptStatus.booked,):
        raise ServiceError(f"only a booked appointment can be moved (this one is {appt.status.label})")
    length = appt.end - appt.start
    provider = session.get(Staff, provider_id)
    if provider is not None:
        check_last_day(provider, start.date())
    problems = availability.conflicts(session, provider_id=provider_id, patient_id=appt.patient_id, start=start,
                                      end=start + length, ignore_id=appt_id)
    if problems and not confirmed:
        raise ServiceError("; ".join(problems))
    old_start = appt.start
    changes = apply_update(appt, {"start": start, "end": start + length, "provider_id": provider_id,
                                  "double_booked": any("double-book" in p for p in problems)},
                           expected_version=expected_version)
    _event(session, appt_id, EventKind.move, now=now, actor=actor, from_start=old_start, to_start=start,
           note=("moved despite: " + "; ".join(problems))[:200] if problems else "")
    record(session, actor=actor, entity="appointment", entity_id=appt_id, action="move", changes=changes, now=now)
    saved = _saved(appt)
    session.commit()
    return saved


@dataclass(frozen=True)
class EventRow:
    """One step of an appointment's history (booked, a status change, a move, an undo)."""

    at: datetime
    actor: str
    kind: EventKind
    from_status: str
    to_status: str
    from_start: datetime | None
    to_start: datetime | None
    note: str


def history(session: Session, appt_id: int) -> list[EventRow]:
    return [
        EventRow(e.at, e.actor, e.kind, e.from_status, e.to_status, e.from_start, e.to_start, e.note)
        for e in session.exec(select(AppointmentEvent).where(AppointmentEvent.appointment_id == appt_id)
                              .order_by(col(AppointmentEvent.id)))
    ]


@dataclass(frozen=True)
class AppointmentDetail:
    """One appointment as its window shows it: who, when, status, and its timed history."""

    id: int
    patient_name: str
    phone: str
    dob: date
    provider_name: str
    type_name: str
    start: datetime
    end: datetime
    status: ApptStatus
    double_booked: bool
    reason: str
    cancel_reason: str
    verified_on: date | None
    verified_by: str
    events: list[EventRow]


def appointment_detail(session: Session, appt_id: int) -> AppointmentDetail | None:
    """The appointment with its patient, provider, type and history; None when it no longer exists."""
    appt = session.get(Appointment, appt_id)
    if appt is None:
        return None
    patient = session.get(Patient, appt.patient_id)
    provider = session.get(Staff, appt.provider_id)
    kind = session.get(AppointmentType, appt.type_id)
    assert patient is not None and provider is not None and kind is not None  # foreign keys
    return AppointmentDetail(
        id=appt_id, patient_name=patient.name, phone=patient.phone, dob=patient.dob, provider_name=provider.name,
        type_name=kind.name, start=appt.start, end=appt.end, status=appt.status, double_booked=appt.double_booked,
        reason=appt.reason, cancel_reason=appt.cancel_reason, verified_on=appt.verified_on,
        verified_by=appt.verified_by, events=history(session, appt_id),
    )


def appointment_row(session: Session, appt_id: int) -> ApptRow | None:
    """The appointment as the day grid has it now (its version included); None when it no longer exists."""
    appt = session.get(Appointment, appt_id)
    if appt is None:
        return None
    day = appt.start.date()
    rows = _flag_double_books(_appointments(session, day, 1, appt.provider_id).get((appt.provider_id, day), []))
    return next((row for row in rows if row.id == appt_id), None)


def appointment_day(session: Session, appt_id: int) -> date | None:
    """The day the appointment is on; None when it no longer exists."""
    start = session.exec(select(Appointment.start).where(Appointment.id == appt_id)).first()
    return start.date() if start is not None else None


def waiting_minutes(events: list[EventRow]) -> int | None:
    """Minutes from arrival to rooming (the wait in the waiting room), when both happened."""
    arrived = next((e.at for e in reversed(events) if e.to_status == ApptStatus.arrived.value), None)
    roomed = next((e.at for e in reversed(events) if e.to_status == ApptStatus.in_room.value), None)
    if arrived is None or roomed is None or roomed < arrived:
        return None
    return int((roomed - arrived).total_seconds() // 60)


MAX_OCCURRENCES = 52
_WORDS = re.compile(r"every\s+(\d+\s+)?(day|week|month)s?\s*,?\s*(\d+)\s+times?", re.IGNORECASE)


def repeat_rule(text: str) -> str:
    """'every 4 weeks, 6 times' (or an RRULE as is) as an RRULE body."""
    text = text.strip()
    words = _WORDS.fullmatch(text)
    if words:
        interval, unit, count = words.group(1), words.group(2).lower(), words.group(3)
        freq = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY"}[unit]
        return f"FREQ={freq};INTERVAL={int(interval or 1)};COUNT={int(count)}"
    return text.removeprefix("RRULE:")


@dataclass(frozen=True)
class Occurrence:
    start: datetime
    problems: list[str]


def plan_series(session: Session, data: AppointmentCreate, rrule_text: str) -> list[Occurrence]:
    """Every occurrence of an RRULE starting at the booking's time, each with its conflicts (nothing saved)."""
    rule_text = repeat_rule(rrule_text)
    try:
        rule = rrulestr(rule_text, dtstart=data.start)
    except (ValueError, TypeError):
        # dateutil's own words ("not enough values to unpack") mean nothing to the person typing the rule.
        raise ServiceError(f"the repeat rule '{rrule_text.strip()}' is not one the app can read: write it as "
                           "'every 4 weeks, 6 times' (day, week or month, and how many times) "
                           "or as an RRULE such as FREQ=WEEKLY;INTERVAL=4;COUNT=6") from None
    if "COUNT=" not in rule_text.upper() and "UNTIL=" not in rule_text.upper():
        raise ServiceError("say how many times (COUNT=6) or until when (UNTIL=20270601) it repeats")
    starts = list(islice(iter(rule), MAX_OCCURRENCES + 1))
    if len(starts) > MAX_OCCURRENCES:
        raise ServiceError(f"at most {MAX_OCCURRENCES} occurrences at once")
    result = []
    for start in starts:
        occurrence = data.model_copy(update={"day": start.date()})
        result.append(Occurrence(start, conflicts(session, occurrence)))
    return result


def book_series(
    session: Session, data: AppointmentCreate, rrule_text: str, *, now: datetime, actor: str, confirmed: bool = False
) -> list[SavedAppt]:
    """Book every occurrence, or nothing: a conflict in any occurrence refuses the whole series unless confirmed."""
    _check_refs(session, data)
    plan = [Occurrence(o.start, _in_the_past(o.start, now) + o.problems)
            for o in plan_series(session, data, rrule_text)]
    provider = session.get(Staff, data.provider_id)
    if provider is not None and plan:
        check_last_day(provider, max(o.start for o in plan).date())
    bad = [o for o in plan if o.problems]
    if bad and not confirmed:
        listed = "; ".join(f"{o.start:%m/%d/%Y %H:%M}: {', '.join(o.problems)}" for o in bad[:5])
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        raise ServiceError(f"{len(bad)} of {len(plan)} occurrences conflict — {listed}{more}")
    booked = []
    series_id: int | None = None
    for occurrence in plan:
        appt = _add(session, data.model_copy(update={"day": occurrence.start.date()}), occurrence.start,
                    occurrence.problems, now=now, actor=actor, series_id=series_id)
        if series_id is None:
            series_id = appt.id
            appt.series_id = series_id
        booked.append(appt)
    saved = [_saved(appt) for appt in booked]
    session.commit()
    return saved
