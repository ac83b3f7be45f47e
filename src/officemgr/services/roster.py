"""Shifts (who works when) and time off (request, approve, deny), week by week."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from officemgr.models import Shift, ShiftCreate, Staff, TimeOff, TimeOffCreate, TimeOffStatus
from officemgr.services import settings
from officemgr.services.common import ServiceError, StaleEdit, apply_update, create, created_fields, record
from officemgr.services.credentials import lapsed_required
from officemgr.services.staff import active_staff

HOURS_PER_DAY_OFF = 8


@dataclass
class DayCell:
    day: date
    shifts: list[Shift] = field(default_factory=list)
    off: TimeOff | None = None

    @property
    def hours(self) -> float:
        return sum(s.worked_minutes for s in self.shifts) / 60


@dataclass
class StaffWeek:
    staff_id: int
    name: str
    role_label: str
    is_provider: bool
    days: list[DayCell]
    lapsed: list[str] = field(default_factory=list)

    @property
    def hours(self) -> float:
        return sum(d.hours for d in self.days)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_grid(session: Session, monday: date) -> list[StaffWeek]:
    """Every active staff member's shifts and approved time off for the seven days from `monday`."""
    first = datetime.combine(monday, time.min)
    shifts = session.exec(select(Shift).where(Shift.start >= first, Shift.start < first + timedelta(days=7))
                          .order_by(Shift.start)).all()
    offs = session.exec(select(TimeOff).where(TimeOff.status == TimeOffStatus.approved,
                                              TimeOff.start_date <= monday + timedelta(days=6),
                                              TimeOff.end_date >= monday)).all()
    lapsed = lapsed_required(session, monday)
    rows = []
    for person in active_staff(session):
        days = [DayCell(monday + timedelta(days=n)) for n in range(7)]
        for shift in shifts:
            if shift.staff_id == person.id:
                days[(shift.start.date() - monday).days].shifts.append(shift)
        for off in offs:
            if off.staff_id == person.id:
                for cell in days:
                    if off.start_date <= cell.day <= off.end_date:
                        cell.off = off
        rows.append(StaffWeek(person.id, person.name, person.role.label, person.is_provider, days,
                              lapsed.get(person.id, [])))
    rows.sort(key=lambda r: (not r.is_provider, r.role_label, r.name))
    return rows


def _check_shift(session: Session, data: ShiftCreate, ignore_id: int | None) -> None:
    person = session.get(Staff, data.staff_id)
    if person is None or not person.active:
        raise ServiceError("choose an active staff member")
    overlap = session.exec(select(Shift).where(Shift.staff_id == data.staff_id, Shift.start < data.end,
                                               Shift.end > data.start, col(Shift.id) != (ignore_id or -1))).first()
    if overlap:
        raise ServiceError(f"{person.name} already works {overlap.start:%H:%M}–{overlap.end:%H:%M} that day")
    off = session.exec(select(TimeOff).where(TimeOff.staff_id == data.staff_id,
                                             TimeOff.status == TimeOffStatus.approved,
                                             TimeOff.start_date <= data.day, TimeOff.end_date >= data.day)).first()
    if off:
        raise ServiceError(f"{person.name} is off that day ({off.kind}); change the time off first")


def add_shift(session: Session, data: ShiftCreate, *, now: datetime, actor: str) -> Shift:
    _check_shift(session, data, None)
    shift = Shift(staff_id=data.staff_id, start=data.start, end=data.end, break_minutes=data.break_minutes)
    create(session, shift, entity="shift", actor=actor, now=now)
    return shift


def update_shift(session: Session, shift_id: int, data: ShiftCreate, *, now: datetime, actor: str,
                 expected_version: int | None) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise ServiceError("that shift no longer exists — reload")
    if expected_version is not None and shift.version != expected_version:
        raise StaleEdit()
    _check_shift(session, data, shift_id)
    changes = apply_update(shift, {"staff_id": data.staff_id, "start": data.start, "end": data.end,
                                   "break_minutes": data.break_minutes},
                           expected_version=expected_version)
    record(session, actor=actor, entity="shift", entity_id=shift.id, action="update", changes=changes, now=now)
    session.commit()
    return shift


def delete_shift(
    session: Session, shift_id: int, *, now: datetime, actor: str, expected_version: int | None = None
) -> None:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise ServiceError("that shift no longer exists — reload")
    if expected_version is not None and shift.version != expected_version:
        raise StaleEdit()
    record(session, actor=actor, entity="shift", entity_id=shift.id, action="delete",
           changes=created_fields(shift), now=now)
    session.delete(shift)
    session.commit()


def copy_last_week(session: Session, monday: date, *, now: datetime, actor: str) -> int:
    """Repeat last week's shifts in this week, for people with nothing yet that day and not off; returns how many."""
    grid = week_grid(session, monday)
    before = {row.staff_id: row for row in week_grid(session, monday - timedelta(days=7))}
    added = 0
    for row in grid:
        for n, cell in enumerate(row.days):
            if cell.shifts or cell.off or row.staff_id not in before:
                continue
            for old in before[row.staff_id].days[n].shifts:
                shift = Shift(staff_id=row.staff_id, start=old.start + timedelta(days=7),
                              end=old.end + timedelta(days=7), break_minutes=old.break_minutes)
                session.add(shift)
                session.flush()
                record(session, actor=actor, entity="shift", entity_id=shift.id, action="create",
                       changes={**created_fields(shift), "copied_from": old.id}, now=now)
                added += 1
    session.commit()
    return added


def weekdays_between(first: date, last: date) -> int:
    return sum(1 for n in range((last - first).days + 1) if (first + timedelta(days=n)).weekday() < 5)


def request_time_off(session: Session, data: TimeOffCreate, *, now: datetime, actor: str) -> TimeOff:
    kinds = settings.get(session, "time_off_kinds")
    if data.kind not in kinds:
        raise ServiceError(f"choose one of: {', '.join(kinds)}")
    person = session.get(Staff, data.staff_id)
    if person is None or not person.active:
        raise ServiceError("choose an active staff member")
    hours = data.hours if data.hours is not None else HOURS_PER_DAY_OFF * weekdays_between(data.start_date,
                                                                                           data.end_date)
    off = TimeOff(staff_id=data.staff_id, kind=data.kind, start_date=data.start_date, end_date=data.end_date,
                  hours=hours, note=data.note)
    session.add(off)
    session.flush()
    record(session, actor=actor, entity="time_off", entity_id=off.id, action="request",
           changes=created_fields(off), now=now)
    session.commit()
    return off


def decide_time_off(session: Session, off_id: int, approve: bool, *, now: datetime, actor: str,
                    expected_version: int | None) -> TimeOff:
    off = session.get(TimeOff, off_id)
    if off is None:
        raise ServiceError("that request no longer exists — reload")
    status = TimeOffStatus.approved if approve else TimeOffStatus.denied
    if off.status is status:
        raise ServiceError(f"this request is already {status.value}")
    changes = apply_update(off, {"status": status, "decided_by": actor, "decided_on": now.date()},
                           expected_version=expected_version)
    record(session, actor=actor, entity="time_off", entity_id=off.id, action=status.value, changes=changes,
           now=now)
    session.commit()
    return off


@dataclass(frozen=True)
class TimeOffRow:
    id: int
    version: int
    staff_id: int
    name: str
    kind: str
    start_date: date
    end_date: date
    hours: float
    status: TimeOffStatus
    note: str
    decided_by: str


def time_off_list(session: Session, today: date) -> list[TimeOffRow]:
    """Requests waiting for a decision first, then time off from today on, soonest first."""
    rows = session.exec(
        select(TimeOff, Staff).join(Staff, Staff.id == TimeOff.staff_id)
        .where((TimeOff.status == TimeOffStatus.requested) | (TimeOff.end_date >= today))
        .order_by(TimeOff.start_date)
    ).all()
    result = [TimeOffRow(t.id, t.version, s.id, s.name, t.kind, t.start_date, t.end_date, t.hours, t.status,
                         t.note, t.decided_by) for t, s in rows]
    result.sort(key=lambda r: (r.status is not TimeOffStatus.requested, r.start_date))
    return result
