"""Who works when, who is off, and credentials that are about to lapse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from officemgr.models import (
    Appointment,
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
from officemgr.models.lifecycle import ChecklistKind
from officemgr.models.people import PROVIDER_ROLES, PayType, employed_on
from officemgr.models.validation import strip_text
from officemgr.services.access import Area, require
from officemgr.services.availability import ACTIVE, default_template
from officemgr.services.checklists import add_checklist
from officemgr.services.common import ServiceError, apply_update, created_fields, record
from officemgr.services.credentials import lapsed_required

WARN_DAYS = (90, 60, 30)
# How far back an end date may be entered (a leaving recorded late), in days.
END_DATE_PAST_DAYS = 90


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
    end_date: date | None = None
    end_reason: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def works_on(self, day: date) -> bool:
        """Still employed on `day`: no end date, or `day` is the last day or before it."""
        return self.end_date is None or day <= self.end_date

    @classmethod
    def of(cls, person: Staff) -> StaffRecord:
        assert person.id is not None, "a staff member read or flushed has an id"
        return cls(person.id, person.version, person.first_name, person.last_name, person.role, person.is_provider,
                   person.npi, person.phone, person.email, person.hire_date, person.active, person.exempt,
                   person.pay_type, person.pto_hours_per_year, person.end_date, person.end_reason)


def active_staff(session: Session, on: date | None = None) -> list[StaffRecord]:
    """Active staff; given `on`, only those still employed that day (no end date, or not yet past it)."""
    query = select(Staff).where(Staff.active)
    if on is not None:
        query = query.where(employed_on(on))
    return [StaffRecord.of(p) for p in session.exec(query.order_by(col(Staff.last_name), col(Staff.first_name)))]


def staff_record(session: Session, staff_id: int) -> StaffRecord | None:
    """One staff member, active or not; None when they are no longer on file."""
    person = session.get(Staff, staff_id)
    return StaffRecord.of(person) if person is not None else None


def staff_options(session: Session, on: date | None = None) -> list[tuple[str, int]]:
    """(label, id) of every active staff member (given `on`, still employed that day), for a form's "who" field."""
    return [(f"{p.name} ({p.role.label})", p.id) for p in active_staff(session, on)]


def credentials_expiring(session: Session, today: date, within_days: int = 90) -> list[CredentialRow]:
    """Credentials of active staff still employed today that expired or expire within `within_days`, soonest
    first (no nagging about someone who has left)."""
    expires = col(Credential.expires)
    rows = session.exec(
        select(Credential, Staff)
        .join(Staff, col(Staff.id) == Credential.staff_id)
        .where(Staff.active, employed_on(today), expires.is_not(None), expires <= today + timedelta(days=within_days))
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
    """Every active staff member still employed on `day` with their shift and time off that day; `alert` names lapsed
    required credentials."""
    start = datetime.combine(day, time.min)
    shifts: dict[int, list[Shift]] = {}
    for shift in session.exec(
        select(Shift).where(Shift.start >= start, Shift.start < start + timedelta(days=1)).order_by(col(Shift.start))
    ):
        shifts.setdefault(shift.staff_id, []).append(shift)
    off = time_off_on(session, day)
    expired = lapsed_required(session, day)
    rows = []
    for person in active_staff(session, day):
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


@dataclass(frozen=True)
class Ended:
    staff_id: int
    end_date: date
    tasks: int  # leaving tasks started


def _listed(lines: list[str], limit: int = 5) -> str:
    more = f" and {len(lines) - limit} more" if len(lines) > limit else ""
    return "; ".join(lines[:limit]) + more


def _shifts_after(session: Session, staff_id: int, end_date: date) -> list[Shift]:
    after = datetime.combine(end_date + timedelta(days=1), time.min)
    return list(session.exec(select(Shift).where(Shift.staff_id == staff_id, Shift.start >= after)
                             .order_by(col(Shift.start))))


def _visits_after(session: Session, staff_id: int, end_date: date) -> list[str]:
    """A provider's active appointments after `end_date`, as lines to read."""
    after = datetime.combine(end_date + timedelta(days=1), time.min)
    return [f"{a.start:%a %m/%d %H:%M}" for a in session.exec(
        select(Appointment).where(Appointment.provider_id == staff_id, Appointment.start >= after,
                                  col(Appointment.status).in_(ACTIVE)).order_by(col(Appointment.start)))]


def end_employment(session: Session, staff_id: int, end_date: date, reason: str, *, now: datetime,
                   actor: str, remove_shifts: bool = False) -> Ended:
    """Record `end_date` as the person's last day and why, and start their leaving checklist from it.

    Refused (nothing saved) without a reason, for a date more than 90 days back, for someone already ended, and while
    they have appointments after that day (patients to call and move: listed), or shifts after it unless
    `remove_shifts` says to delete those (each audited). Their history stays; from the day after they drop out of
    the roster, coverage, booking and the credential reminders."""
    require(actor, Area.staff, what="ending someone's employment")
    person = session.get(Staff, staff_id)
    if person is None:
        raise ServiceError("that staff member no longer exists — reload")
    why = strip_text(reason)
    if not why:
        raise ServiceError("say why they are leaving (resigned, retired, let go, end of contract…)")
    if len(why) > 120:
        raise ServiceError("the reason is at most 120 characters")
    earliest = now.date() - timedelta(days=END_DATE_PAST_DAYS)
    if end_date < earliest:
        raise ServiceError(f"the last day cannot be more than {END_DATE_PAST_DAYS} days ago "
                           f"(before {earliest:%m/%d/%Y})")
    if person.hire_date is not None and end_date < person.hire_date:
        raise ServiceError(f"the last day cannot be before the hire date ({person.hire_date:%m/%d/%Y})")
    if person.end_date is not None:
        raise ServiceError(f"{person.name}'s last day is already recorded ({person.end_date:%m/%d/%Y})")
    shifts = _shifts_after(session, staff_id, end_date)
    visits = _visits_after(session, staff_id, end_date)
    if (shifts and not remove_shifts) or visits:
        said = []
        if shifts and not remove_shifts:
            lines = [f"{s.start:%a %m/%d} {s.start:%H:%M}–{s.end:%H:%M}" for s in shifts]
            said.append(f"{len(lines)} shift{'s' if len(lines) != 1 else ''} ({_listed(lines)})")
        if visits:
            said.append(f"{len(visits)} appointment{'s' if len(visits) != 1 else ''} ({_listed(visits)})")
        todo = "move the appointments to another provider first" if visits else "remove the shifts first"
        raise ServiceError(f"{person.name} still has {' and '.join(said)} after {end_date:%m/%d/%Y}: {todo}"
                           + (", or say to remove the shifts" if shifts and not remove_shifts else ""))
    for shift in shifts:
        assert shift.id is not None, "a shift read has an id"
        record(session, actor=actor, entity="shift", entity_id=shift.id, action="delete",
               changes={**created_fields(shift), "why": "after the last day"}, now=now)
        session.delete(shift)
    changes = apply_update(person, {"end_date": end_date, "end_reason": why}, expected_version=None)
    record(session, actor=actor, entity="staff", entity_id=staff_id, action="end", changes=changes, now=now)
    count = add_checklist(session, staff_id, ChecklistKind.leaving, end_date, now=now, actor=actor)
    session.commit()
    return Ended(staff_id, end_date, count)
