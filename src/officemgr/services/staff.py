"""Who works when, who is off, and credentials that are about to lapse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from officemgr.models import (
    Credential,
    CredentialKind,
    ProviderHours,
    Role,
    Shift,
    Staff,
    StaffCreate,
    TimeOff,
    TimeOffStatus,
)
from officemgr.models.people import PROVIDER_ROLES, PayType
from officemgr.services.availability import default_template
from officemgr.services.common import ServiceError, apply_update, created_fields, record
from officemgr.services.credentials import lapsed_required

WARN_DAYS = (90, 60, 30)


@dataclass(frozen=True)
class RosterRow:
    staff_id: int
    version: int
    name: str
    role: Role
    is_provider: bool
    shift: str
    off: str
    alert: str

    @property
    def working(self) -> bool:
        return bool(self.shift) and not self.off


@dataclass(frozen=True)
class CredentialRow:
    credential_id: int
    staff_id: int
    staff_name: str
    kind: CredentialKind
    number: str
    expires: date
    days_left: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def warning(self) -> str:
        """"expired", or the 30/60/90-day band the expiry falls in."""
        if self.expired:
            return "expired"
        band = next((d for d in sorted(WARN_DAYS) if self.days_left <= d), None)
        return f"within {band} days" if band else f"in {self.days_left} days"


@dataclass(frozen=True)
class StaffRecord:
    """A staff member as read: every field the staff form edits, and the version an edit is made against."""

    id: int
    version: int
    first_name: str
    last_name: str
    role: Role
    is_provider: bool
    npi: str | None
    phone: str
    email: str
    hire_date: date | None
    active: bool
    exempt: bool
    pay_type: PayType
    pto_hours_per_year: int

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @classmethod
    def of(cls, person: Staff) -> StaffRecord:
        assert person.id is not None, "a staff member read or flushed has an id"
        return cls(person.id, person.version, person.first_name, person.last_name, person.role, person.is_provider,
                   person.npi, person.phone, person.email, person.hire_date, person.active, person.exempt,
                   person.pay_type, person.pto_hours_per_year)


def active_staff(session: Session) -> list[StaffRecord]:
    query = select(Staff).where(Staff.active).order_by(col(Staff.last_name), col(Staff.first_name))
    return [StaffRecord.of(p) for p in session.exec(query)]


def staff_record(session: Session, staff_id: int) -> StaffRecord | None:
    """One staff member, active or not; None when they are no longer on file."""
    person = session.get(Staff, staff_id)
    return StaffRecord.of(person) if person is not None else None


def staff_options(session: Session) -> list[tuple[str, int]]:
    """(label, id) of every active staff member, for a form's "who" field."""
    return [(f"{p.name} ({p.role.label})", p.id) for p in active_staff(session)]


def credentials_expiring(session: Session, today: date, within_days: int = 90) -> list[CredentialRow]:
    """Credentials of active staff that expired or expire within `within_days`, soonest first."""
    expires = col(Credential.expires)
    rows = session.exec(
        select(Credential, Staff)
        .join(Staff, col(Staff.id) == Credential.staff_id)
        .where(Staff.active, expires.is_not(None), expires <= today + timedelta(days=within_days))
        .order_by(expires)
    ).all()
    found = []
    for c, s in rows:
        assert c.id is not None and s.id is not None and c.expires is not None, "the query keeps only these"
        found.append(CredentialRow(c.id, s.id, s.name, c.kind, c.number, c.expires, (c.expires - today).days))
    return found


def time_off_on(session: Session, day: date) -> dict[int, TimeOff]:
    """Approved time off covering `day`, by staff id."""
    rows = session.exec(
        select(TimeOff).where(
            TimeOff.status == TimeOffStatus.approved, TimeOff.start_date <= day, TimeOff.end_date >= day
        )
    ).all()
    return {t.staff_id: t for t in rows}


def roster_day(session: Session, day: date) -> list[RosterRow]:
    """Every active staff member with their shift and time off on `day`; `alert` names lapsed required credentials."""
    start = datetime.combine(day, time.min)
    shifts: dict[int, list[Shift]] = {}
    for shift in session.exec(
        select(Shift).where(Shift.start >= start, Shift.start < start + timedelta(days=1)).order_by(col(Shift.start))
    ):
        shifts.setdefault(shift.staff_id, []).append(shift)
    off = time_off_on(session, day)
    expired = lapsed_required(session, day)
    rows = []
    for person in active_staff(session):
        hours = ", ".join(f"{s.start:%H:%M}–{s.end:%H:%M}" for s in shifts.get(person.id, []))
        leave = off.get(person.id)
        alert = f"{', '.join(expired[person.id])} expired" if person.id in expired else ""
        rows.append(
            RosterRow(person.id, person.version, person.name, person.role, person.is_provider, hours,
                      leave.kind if leave else "", alert)
        )
    rows.sort(key=lambda r: (not r.is_provider, r.role.value, r.name))
    return rows


def add_staff(session: Session, data: StaffCreate, *, now: datetime, actor: str) -> StaffRecord:
    """A physician or NP/PA with an NPI sees patients unless the input says otherwise (is_provider given)."""
    values = data.model_dump()
    if "is_provider" not in data.model_fields_set and data.role in PROVIDER_ROLES and data.npi:
        values["is_provider"] = True
    person = Staff.model_validate(values)
    session.add(person)
    session.flush()
    assert person.id is not None, "the flush gives the new row its id"
    if person.is_provider:
        _give_default_hours(session, person.id)
    record(session, actor=actor, entity="staff", entity_id=person.id, action="create",
           changes=created_fields(person), now=now)
    session.commit()
    return StaffRecord.of(person)


def _give_default_hours(session: Session, provider_id: int) -> None:
    """A new provider can be booked at once, on the practice's usual hours (editable afterwards)."""
    hours, blocks = default_template(provider_id)
    session.add_all([*hours, *blocks])


def update_staff(
    session: Session, staff_id: int, data: StaffCreate, *, now: datetime, actor: str, expected_version: int | None
) -> StaffRecord:
    """Change only the fields `data` was given: a field left out (exempt status, PTO allowance) keeps its value."""
    person = session.get(Staff, staff_id)
    if person is None:
        raise ServiceError("that staff member no longer exists — reload")
    changes = apply_update(person, data.model_dump(exclude_unset=True), expected_version=expected_version)
    if person.is_provider and not person.npi:
        raise ServiceError("a provider needs an NPI")
    has_hours = session.exec(select(ProviderHours).where(ProviderHours.provider_id == staff_id)).first()
    if person.is_provider and not has_hours:
        _give_default_hours(session, staff_id)
    if changes:
        record(session, actor=actor, entity="staff", entity_id=staff_id, action="update", changes=changes, now=now)
    session.commit()
    return StaffRecord.of(person)
