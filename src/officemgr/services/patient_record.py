"""Everything the desk sees on one patient's record: details, insurance, balance and ledger, visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from officemgr.models import Appointment, AppointmentType, Patient, Staff
from officemgr.services import insurance, ledger
from officemgr.services.access import Area, may
from officemgr.services.common import ServiceError
from officemgr.services.insurance import PlanRow
from officemgr.services.ledger import EntryRow

VISITS_SHOWN = 5


@dataclass(frozen=True)
class VisitRow:
    id: int
    start: datetime
    what: str  # "Follow-up with Grace Hopper"
    status: str


@dataclass(frozen=True)
class PatientRecord:
    id: int
    version: int
    name: str
    preferred_name: str
    account: str
    dob: date
    phones: str
    email: str
    address: str
    guarantor: str
    emergency: str
    note: str
    plans: list[PlanRow]
    coverage_warning: str | None
    balance_cents: int | None  # None (and no entries): not the reader's to see (no desk-money role)
    entries: list[EntryRow]
    upcoming: list[VisitRow]
    past: list[VisitRow]


def _visits(session: Session, patient_id: int, now: datetime, *, upcoming: bool) -> list[VisitRow]:
    when = col(Appointment.start) >= now if upcoming else col(Appointment.start) < now
    order = col(Appointment.start) if upcoming else col(Appointment.start).desc()
    rows = session.exec(select(Appointment, AppointmentType.name, Staff.first_name, Staff.last_name)
                        .join(AppointmentType, col(AppointmentType.id) == Appointment.type_id)
                        .join(Staff, col(Staff.id) == Appointment.provider_id)
                        .where(Appointment.patient_id == patient_id, when).order_by(order).limit(VISITS_SHOWN))
    found = []
    for appt, kind, first, last in rows:
        assert appt.id is not None
        found.append(VisitRow(appt.id, appt.start, f"{kind} with {first} {last}", appt.status.value.replace("_", " ")))
    return found


def patient_record(session: Session, patient_id: int, *, today: date, now: datetime, actor: str) -> PatientRecord:
    p = session.get(Patient, patient_id)
    if p is None:
        raise ServiceError("that patient is no longer on file; reload")
    money = may(actor, Area.desk_money, write=False)  # a clinical user sees the patient, not their account
    address = ", ".join(part for part in (p.address, p.city, f"{p.state} {p.zip_code}".strip()) if part)
    phones = " · ".join(f"{label} {number}" for label, number in (("home", p.phone), ("mobile", p.mobile)) if number)
    guarantor = " · ".join(x for x in (p.guarantor_name, p.guarantor_relation, p.guarantor_phone) if x)
    emergency = " · ".join(x for x in (p.emergency_name, p.emergency_relation, p.emergency_phone) if x)
    return PatientRecord(
        patient_id, p.version, p.name, p.preferred_name, p.account or f"{patient_id:06d}", p.dob, phones, p.email,
        address, guarantor, emergency, p.note, insurance.plans(session, patient_id),
        insurance.warning(session, patient_id, today), ledger.balance(session, patient_id) if money else None,
        ledger.entries(session, patient_id, limit=50) if money else [],
        _visits(session, patient_id, now, upcoming=True), _visits(session, patient_id, now, upcoming=False))
