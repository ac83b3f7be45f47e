"""Who works when, who is off, and credentials that are about to lapse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

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


def active_staff(session: Session) -> list[Staff]:
    return list(session.exec(select(Staff).where(Staff.active).order_by(Staff.last_name, Staff.first_name)))


def credentials_expiring(session: Session, today: date, within_days: int = 90) -> list[CredentialRow]:
    """Credentials of active staff that expired or expire within `within_days`, soonest first."""
    rows = session.exec(
        select(Credential, Staff)
        .join(Staff, Staff.id == Credential.staff_id)
        .where(Staff.active, Credential.expires.is_not(None),  # type: ignore[union-attr]
               Credential.expires <= today + timedelta(days=within_days))
        .order_by(Credential.expires)
    ).all()
    return [
        CredentialRow(c.id, s.id, s.name, c.kind, c.number, c.expires, (c.expires - today).days)
        for c, s in rows
    ]


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
        select(Shift).where(Shift.start >= start, Shift.start < start + timedelta(days=1)).order_by(Shift.start)
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


def add_staff(session: Session, data: StaffCreate, *, now: datetime, actor: str) -> Staff:
    person = Staff.model_validate(data.model_dump())
    session.add(person)
    session.flush()
    if person.is_provider:
        _give_default_hours(session, person.id)
    record(session, actor=actor, entity="staff", entity_id=person.id, action="create",
           changes=created_fields(person), now=now)
    session.commit()
    return person


def _give_default_hours(session: Session, provider_id: int) -> None:
    """A new provider can be booked at once, on the practice's usual hours (editable afterwards)."""
    hours, blocks = default_template(provider_id)
    session.add_all([*hours, *blocks])


def update_staff(
    session: Session, staff_id: int, data: StaffCreate, *, now: datetime, actor: str, expected_version: int | None
) -> Staff:
    person = session.get(Staff, staff_id)
    if person is None:
        raise ServiceError("that staff member no longer exists — reload")
    changes = apply_update(person, data.model_dump(), expected_version=expected_version)
    has_hours = session.exec(select(ProviderHours).where(ProviderHours.provider_id == staff_id)).first()
    if person.is_provider and not has_hours:
        _give_default_hours(session, staff_id)
    if changes:
        record(session, actor=actor, entity="staff", entity_id=person.id, action="update", changes=changes, now=now)
    session.commit()
    return person
