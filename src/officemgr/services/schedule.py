"""The day's appointments per provider, booking with conflict checks, and the status flow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, select

from officemgr.models import (
    Appointment,
    AppointmentCreate,
    AppointmentType,
    ApptStatus,
    Patient,
    Staff,
)
from officemgr.services.common import (
    ServiceError,
    StaleEdit,
    apply_update,
    created_fields,
    record,
)

DAY_START = time(8, 0)
DAY_END = time(17, 0)
LUNCH = (time(12, 0), time(13, 0))
SLOT_MINUTES = 15
ACTIVE = (ApptStatus.booked, ApptStatus.arrived, ApptStatus.in_room, ApptStatus.checked_out)

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
    type_name: str
    status: ApptStatus
    reason: str
    double_booked: bool


@dataclass(frozen=True)
class ProviderDay:
    provider_id: int
    provider_name: str
    appointments: list[ApptRow]
    capacity: int

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


def working_minutes() -> int:
    day = (datetime.combine(date.min, DAY_END) - datetime.combine(date.min, DAY_START)).seconds // 60
    lunch = (datetime.combine(date.min, LUNCH[1]) - datetime.combine(date.min, LUNCH[0])).seconds // 60
    return day - lunch


def initials(first: str, last: str) -> str:
    return f"{first[:1]}{last[:1]}".upper()


def providers(session: Session) -> list[Staff]:
    return list(
        session.exec(
            select(Staff).where(Staff.is_provider, Staff.active).order_by(Staff.last_name, Staff.first_name)
        )
    )


def appointment_types(session: Session) -> list[AppointmentType]:
    return list(session.exec(select(AppointmentType).order_by(AppointmentType.minutes)))


def day_schedule(session: Session, day: date) -> DaySchedule:
    """Every provider's appointments on `day`, with double-books flagged."""
    start = datetime.combine(day, time.min)
    rows = session.exec(
        select(Appointment, Patient, AppointmentType)
        .join(Patient, Patient.id == Appointment.patient_id)
        .join(AppointmentType, AppointmentType.id == Appointment.type_id)
        .where(Appointment.start >= start, Appointment.start < start + timedelta(days=1))
        .order_by(Appointment.provider_id, Appointment.start)
    ).all()
    per_provider: dict[int, list[ApptRow]] = {}
    for appt, patient, kind in rows:
        per_provider.setdefault(appt.provider_id, []).append(
            ApptRow(
                id=appt.id,
                version=appt.version,
                provider_id=appt.provider_id,
                start=appt.start,
                end=appt.end,
                patient_id=patient.id,
                patient_name=patient.name,
                patient_initials=initials(patient.first_name, patient.last_name),
                type_name=kind.name,
                status=appt.status,
                reason=appt.reason,
                double_booked=False,
            )
        )
    capacity = working_minutes() // SLOT_MINUTES if day.weekday() < 5 else 0
    result = []
    for provider in providers(session):
        appts = _flag_double_books(per_provider.get(provider.id, []))
        result.append(ProviderDay(provider.id, provider.name, appts, capacity))
    return DaySchedule(day, result)


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
    """Patients whose name, date of birth (YYYY-MM-DD or MM/DD/YYYY) or phone digits match `text`."""
    text = text.strip()
    if not text:
        return []
    query = select(Patient)
    digits = "".join(ch for ch in text if ch.isdigit())
    parsed = _parse_dob(text)
    if parsed:
        query = query.where(Patient.dob == parsed)
    elif digits and len(digits) == len(text.replace("-", "").replace(" ", "").replace("(", "").replace(")", "")):
        phone_digits = Patient.phone
        for ch in "()- ":
            phone_digits = func.replace(phone_digits, ch, "")
        query = query.where(phone_digits.contains(digits, autoescape=True))
    else:
        for word in text.lower().replace(",", " ").split():
            query = query.where(
                or_(func.lower(Patient.last_name).startswith(word, autoescape=True),
                    func.lower(Patient.first_name).startswith(word, autoescape=True))
            )
    patients = session.exec(query.order_by(Patient.last_name, Patient.first_name).limit(limit)).all()
    return [Choice(p.id, f"{p.name}  {p.dob:%m/%d/%Y}  {p.phone}") for p in patients]


def _parse_dob(text: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def conflicts(session: Session, data: AppointmentCreate, *, ignore_id: int | None = None) -> list[str]:
    """Why this booking would be a problem, in words; empty when it is fine."""
    start = data.start
    end = start + timedelta(minutes=data.minutes)
    problems = []
    if data.day.weekday() >= 5:
        problems.append("the office is closed on weekends")
    if start.time() < DAY_START or end.time() > DAY_END or end.date() != data.day:
        problems.append(f"outside office hours ({DAY_START:%H:%M}–{DAY_END:%H:%M})")
    lunch_start, lunch_end = (datetime.combine(data.day, t) for t in LUNCH)
    if start < lunch_end and end > lunch_start:
        problems.append(f"during lunch ({LUNCH[0]:%H:%M}–{LUNCH[1]:%H:%M})")
    overlap = session.exec(
        select(Appointment, Patient)
        .join(Patient, Patient.id == Appointment.patient_id)
        .where(
            Appointment.provider_id == data.provider_id,
            Appointment.start < end,
            Appointment.end > start,
            Appointment.status.in_(ACTIVE),  # type: ignore[attr-defined]
            Appointment.id != (ignore_id or -1),
        )
    ).first()
    if overlap:
        appt, patient = overlap
        problems.append(f"overlaps {patient.name} at {appt.start:%H:%M} with the same provider (double-book)")
    day_start = datetime.combine(data.day, time.min)
    same_day = session.exec(
        select(Appointment).where(
            Appointment.patient_id == data.patient_id,
            Appointment.start >= day_start,
            Appointment.start < day_start + timedelta(days=1),
            Appointment.status.in_(ACTIVE),  # type: ignore[attr-defined]
            Appointment.id != (ignore_id or -1),
        )
    ).first()
    if same_day:
        problems.append(f"this patient is already booked at {same_day.start:%H:%M} that day")
    return problems


def book(
    session: Session, data: AppointmentCreate, *, now: datetime, actor: str, confirmed: bool = False
) -> Appointment:
    """Book an appointment; conflicts are refused unless the user has seen and confirmed them."""
    for fk, model, what in ((data.patient_id, Patient, "patient"), (data.type_id, AppointmentType, "appointment type")):
        if session.get(model, fk) is None:
            raise ServiceError(f"choose a {what}")
    provider = session.get(Staff, data.provider_id)
    if provider is None or not (provider.is_provider and provider.active):
        raise ServiceError("choose a provider (an active staff member who sees patients)")
    problems = conflicts(session, data)
    if problems and not confirmed:
        raise ServiceError("; ".join(problems))
    appt = Appointment(
        patient_id=data.patient_id,
        provider_id=data.provider_id,
        type_id=data.type_id,
        start=data.start,
        end=data.start + timedelta(minutes=data.minutes),
        reason=data.reason,
        note=data.note,
    )
    session.add(appt)
    session.flush()
    record(session, actor=actor, entity="appointment", entity_id=appt.id, action="create",
           changes=created_fields(appt), now=now)
    session.commit()
    return appt


def set_status(
    session: Session, appt_id: int, status: ApptStatus, *, now: datetime, actor: str, expected_version: int | None
) -> Appointment:
    appt = session.get(Appointment, appt_id)
    if appt is None:
        raise ServiceError("that appointment no longer exists — reload")
    if expected_version is not None and appt.version != expected_version:
        raise StaleEdit()
    if status not in NEXT_STATUS[appt.status]:
        raise ServiceError(f"an appointment that is {appt.status.label} cannot become {status.label}")
    changes = apply_update(appt, {"status": status}, expected_version=expected_version)
    record(session, actor=actor, entity="appointment", entity_id=appt.id, action="status", changes=changes, now=now)
    session.commit()
    return appt
