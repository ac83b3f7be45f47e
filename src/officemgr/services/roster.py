"""Shifts (who works when) and time off (request, approve, deny), week by week."""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from officemgr.models import (
    Appointment,
    ApptStatus,
    Patient,
    Shift,
    ShiftCreate,
    Staff,
    TimeOff,
    TimeOffCreate,
    TimeOffStatus,
)
from officemgr.services import leave, settings
from officemgr.services.access import Area, require
from officemgr.services.calendar import StrandedBooking, practice_calendar
from officemgr.services.common import ServiceError, StaleEdit, apply_update, create, created_fields, record
from officemgr.services.credentials import lapsed_required
from officemgr.services.format import plural
from officemgr.services.staff import active_staff


@dataclass(frozen=True)
class ShiftRow:
    """A shift as read: who, when, the unpaid break, and the version an edit is made against."""

    id: int
    version: int
    staff_id: int
    start: datetime
    end: datetime
    break_minutes: int
    worked_minutes: int

    @classmethod
    def of(cls, shift: Shift) -> ShiftRow:
        assert shift.id is not None, "a shift read or flushed has an id"
        return cls(shift.id, shift.version, shift.staff_id, shift.start, shift.end, shift.break_minutes,
                   shift.worked_minutes)


@dataclass(frozen=True)
class TimeOffRecord:
    """A time-off request or absence as read."""

    id: int
    version: int
    staff_id: int
    kind: str
    start_date: date
    end_date: date
    hours: float
    status: TimeOffStatus
    note: str
    decided_by: str
    decided_on: date | None

    @classmethod
    def of(cls, off: TimeOff) -> TimeOffRecord:
        assert off.id is not None, "time off read or flushed has an id"
        return cls(off.id, off.version, off.staff_id, off.kind, off.start_date, off.end_date, off.hours, off.status,
                   off.note, off.decided_by, off.decided_on)


@dataclass(frozen=True)
class DayCell:
    day: date
    shifts: list[ShiftRow] = field(default_factory=list)
    off: TimeOffRecord | None = None

    @property
    def hours(self) -> float:
        return sum(s.worked_minutes for s in self.shifts) / 60


@dataclass(frozen=True)
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
    """Every active staff member's shifts and approved time off for the seven days from `monday` (someone whose last
    day was before `monday` is gone)."""
    first = datetime.combine(monday, time.min)
    shifts = [ShiftRow.of(s) for s in session.exec(
        select(Shift).where(Shift.start >= first, Shift.start < first + timedelta(days=7)).order_by(col(Shift.start)))]
    offs = [TimeOffRecord.of(t) for t in session.exec(select(TimeOff).where(
        TimeOff.status == TimeOffStatus.approved, TimeOff.start_date <= monday + timedelta(days=6),
        TimeOff.end_date >= monday))]
    lapsed = lapsed_required(session, monday)
    rows = []
    for person in active_staff(session, monday):
        days = []
        for n in range(7):
            day = monday + timedelta(days=n)
            mine = [s for s in shifts if s.staff_id == person.id and s.start.date() == day]
            # The last absence covering the day wins, as the grid has always shown it.
            off = next((o for o in reversed(offs) if o.staff_id == person.id and o.start_date <= day <= o.end_date),
                       None)
            days.append(DayCell(day, mine, off))
        rows.append(StaffWeek(person.id, person.name, person.role.label, person.is_provider, days,
                              lapsed.get(person.id, [])))
    rows.sort(key=lambda r: (not r.is_provider, r.role_label, r.name))
    return rows


def _check_shift(session: Session, data: ShiftCreate, ignore_id: int | None) -> None:
    person = session.get(Staff, data.staff_id)
    if person is None or not person.active:
        raise ServiceError("choose an active staff member")
    if person.end_date is not None and data.day > person.end_date:
        raise ServiceError(f"{person.name}'s last day is {person.end_date:%m/%d/%Y}: no shifts after it")
    overlap = session.exec(select(Shift).where(Shift.staff_id == data.staff_id, Shift.start < data.end,
                                               Shift.end > data.start, col(Shift.id) != (ignore_id or -1))).first()
    if overlap:
        raise ServiceError(f"{person.name} already works {overlap.start:%H:%M}–{overlap.end:%H:%M} that day")
    off = session.exec(select(TimeOff).where(TimeOff.staff_id == data.staff_id,
                                             TimeOff.status == TimeOffStatus.approved,
                                             TimeOff.start_date <= data.day, TimeOff.end_date >= data.day)).first()
    if off:
        raise ServiceError(f"{person.name} is off that day ({off.kind}); change the time off first")


def add_shift(session: Session, data: ShiftCreate, *, now: datetime, actor: str) -> ShiftRow:
    _check_shift(session, data, None)
    shift = Shift(staff_id=data.staff_id, start=data.start, end=data.end, break_minutes=data.break_minutes)
    create(session, shift, entity="shift", actor=actor, now=now)
    return ShiftRow.of(shift)


def update_shift(session: Session, shift_id: int, data: ShiftCreate, *, now: datetime, actor: str,
                 expected_version: int | None) -> ShiftRow:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise ServiceError("that shift no longer exists — reload")
    if expected_version is not None and shift.version != expected_version:
        raise StaleEdit()
    _check_shift(session, data, shift_id)
    changes = apply_update(shift, {"staff_id": data.staff_id, "start": data.start, "end": data.end,
                                   "break_minutes": data.break_minutes},
                           expected_version=expected_version)
    record(session, actor=actor, entity="shift", entity_id=shift_id, action="update", changes=changes, now=now)
    session.commit()
    return ShiftRow.of(shift)


def delete_shift(
    session: Session, shift_id: int, *, now: datetime, actor: str, expected_version: int | None = None
) -> None:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise ServiceError("that shift no longer exists — reload")
    if expected_version is not None and shift.version != expected_version:
        raise StaleEdit()
    record(session, actor=actor, entity="shift", entity_id=shift_id, action="delete",
           changes=created_fields(shift), now=now)
    session.delete(shift)
    session.commit()


def copy_last_week(session: Session, monday: date, *, now: datetime, actor: str) -> int:
    """Repeat last week's shifts in this week, for people with nothing yet that day, not off and not past their last
    day; returns how many.

    A day the practice (or that provider) is closed this week but was open last week (a holiday, a closure) gets
    none: a weekend shift worked last week is still repeated on this week's weekend.
    """
    calendar = practice_calendar(session)
    grid = week_grid(session, monday)
    before = {row.staff_id: row for row in week_grid(session, monday - timedelta(days=7))}
    last_days = {p.id: p.end_date for p in active_staff(session, monday)}
    added = 0
    for row in grid:
        last_day = last_days.get(row.staff_id)
        for n, cell in enumerate(row.days):
            if cell.shifts or cell.off or row.staff_id not in before or (last_day and cell.day > last_day):
                continue
            last_week = cell.day - timedelta(days=7)
            if (not calendar.provider_works(row.staff_id, cell.day)
                    and calendar.provider_works(row.staff_id, last_week)):
                continue
            for old in before[row.staff_id].days[n].shifts:
                shift = Shift(staff_id=row.staff_id, start=old.start + timedelta(days=7),
                              end=old.end + timedelta(days=7), break_minutes=old.break_minutes)
                session.add(shift)
                session.flush()
                assert shift.id is not None, "the flush gives the new row its id"
                record(session, actor=actor, entity="shift", entity_id=shift.id, action="create",
                       changes={**created_fields(shift), "copied_from": old.id}, now=now)
                added += 1
    session.commit()
    return added


def time_off_kinds(session: Session) -> list[str]:
    """The kinds of time off the practice uses (setting `time_off_kinds`): what a request may ask for."""
    return [str(kind) for kind in settings.get(session, "time_off_kinds")]


OVER_BALANCE_REFUSAL = "nothing was saved. Ask for less, or choose to save it as unpaid"


class OverBalance(str, enum.Enum):
    """What to do with time off asked for beyond the balance it draws on: refuse it (nothing saved), or save the
    whole request flagged unpaid (it then draws nothing; one request keeps one approval and one payroll line —
    the person may instead ask for what is left, then for the rest as unpaid)."""

    refuse = "refuse"
    unpaid = "unpaid"


def request_time_off(session: Session, data: TimeOffCreate, *, now: datetime, actor: str,
                     over_balance: OverBalance = OverBalance.refuse) -> TimeOffRecord:
    """Ask for time off. A request of a kind that draws on a balance (PTO, sick leave) is weighed against what
    is left on its first day less the requests still waiting; over it, `over_balance` says what happens."""
    kinds = time_off_kinds(session)
    if data.kind not in kinds:
        raise ServiceError(f"choose one of: {', '.join(kinds)}")
    person = session.get(Staff, data.staff_id)
    if person is None or not person.active:
        raise ServiceError("choose an active staff member")
    if person.end_date is not None and data.end_date > person.end_date:
        raise ServiceError(f"{person.name}'s last day is {person.end_date:%m/%d/%Y}: time off cannot run past it")
    # A day the practice is closed (weekend, holiday, its own closure) costs no time off.
    hours = leave.request_hours(practice_calendar(session), data.start_date, data.end_date, data.hours)
    unpaid = False
    kind = leave.drawing_kind(data.kind, settings.get(session, "pto_kinds"))
    if kind is not None:
        balance = leave.ledger_of(session, person, kind, data.start_date).balance
        if hours > balance.left_if_approved + 0.005:
            if over_balance != OverBalance.unpaid:  # anything but an explicit unpaid refuses
                said = f"{balance.line()}; this request: {hours:.1f} h" if leave.may_see(actor, data.staff_id) \
                    else leave.over_text(kind, hours)  # the balance is only theirs and payroll's to see
                raise ServiceError(f"{said} — {OVER_BALANCE_REFUSAL}")
            unpaid = True
    off = TimeOff(staff_id=data.staff_id, kind=data.kind, start_date=data.start_date, end_date=data.end_date,
                  hours=hours, note=data.note, unpaid=unpaid)
    session.add(off)
    session.flush()
    assert off.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="time_off", entity_id=off.id, action="request",
           changes=created_fields(off), now=now)
    session.commit()
    return TimeOffRecord.of(off)


# A booking still to be seen: a checked-out visit already happened, time off or not.
_TO_SEE = (ApptStatus.booked, ApptStatus.arrived, ApptStatus.in_room)


def _hour(moment: datetime) -> str:
    return f"{moment.hour}" if moment.minute == 0 else f"{moment.hour}:{moment.minute:02d}"


@dataclass(frozen=True)
class ApprovalEffects:
    """What approving a time-off request does besides: the shifts in its days it removes (so payroll never pays a
    day both as worked and as time off) and, for a provider, the bookings it leaves without them."""

    off_id: int
    name: str
    shifts: tuple[ShiftRow, ...]
    stranded: tuple[StrandedBooking, ...]

    @property
    def shift_ids(self) -> frozenset[int]:
        return frozenset(s.id for s in self.shifts)

    def question(self) -> str:
        """'approve and remove 2 shifts (Mon 8-17, Tue 8-17)?', with the booked patients to call when any."""
        if self.shifts:
            spans = ", ".join(f"{s.start:%a} {_hour(s.start)}-{_hour(s.end)}" for s in self.shifts)
            text = f"approve and remove {plural(len(self.shifts), 'shift')} ({spans})?"
        else:
            text = "approve?"
        if self.stranded:
            text += (f" {self.name} has {plural(len(self.stranded), 'booked patient')} in that time: "
                     "the list to call and reschedule follows")
        return text


def _overlapped_shifts(session: Session, off: TimeOff) -> list[Shift]:
    first = datetime.combine(off.start_date, time.min)
    after = datetime.combine(off.end_date + timedelta(days=1), time.min)
    return list(session.exec(select(Shift).where(Shift.staff_id == off.staff_id, col(Shift.start) >= first,
                                                 col(Shift.start) < after).order_by(col(Shift.start))))


def _stranded(session: Session, off: TimeOff) -> list[StrandedBooking]:
    first = datetime.combine(off.start_date, time.min)
    after = datetime.combine(off.end_date + timedelta(days=1), time.min)
    query = (select(Appointment, Patient, Staff)
             .join(Patient, col(Patient.id) == col(Appointment.patient_id))
             .join(Staff, col(Staff.id) == col(Appointment.provider_id))
             .where(col(Appointment.provider_id) == off.staff_id, col(Appointment.start) >= first,
                    col(Appointment.start) < after, col(Appointment.status).in_(_TO_SEE))
             .order_by(col(Appointment.start), col(Appointment.id)))
    result = []
    for appt, patient, provider in session.exec(query).all():
        assert appt.id is not None, "rows read have ids"
        result.append(StrandedBooking(appt.id, appt.start, patient.name, patient.phone, provider.name))
    return result


def approval_effects(session: Session, off_id: int) -> ApprovalEffects:
    """What approving request `off_id` would remove and strand, to say before it is approved."""
    off = session.get(TimeOff, off_id)
    if off is None:
        raise ServiceError("that request no longer exists — reload")
    person = session.get(Staff, off.staff_id)
    assert person is not None, "time off belongs to a staff member"
    shifts = tuple(ShiftRow.of(s) for s in _overlapped_shifts(session, off))
    stranded = tuple(_stranded(session, off)) if person.is_provider else ()
    return ApprovalEffects(off_id, person.name, shifts, stranded)


def decide_time_off(session: Session, off_id: int, approve: bool, *, now: datetime, actor: str,
                    expected_version: int | None, expected_shifts: Collection[int] | None = None,
                    over_balance: OverBalance = OverBalance.refuse) -> TimeOffRecord:
    """Approve or deny a request. Approval removes the person's shifts on its days (each audited); with
    `expected_shifts` (the ids the user was told of) it refuses when those shifts changed meanwhile. Approval
    weighs the request against what is left now (other approvals since it was asked): over it, it is refused, or
    with `over_balance` unpaid approved flagged unpaid. Anyone may ask for time off; deciding is the staff
    records' role (the manager)."""
    require(actor, Area.staff, what="approving or denying time off")
    off = session.get(TimeOff, off_id)
    if off is None:
        raise ServiceError("that request no longer exists — reload")
    status = TimeOffStatus.approved if approve else TimeOffStatus.denied
    if off.status is status:
        raise ServiceError(f"this request is already {status.value}")
    overlapped = _overlapped_shifts(session, off) if approve else []
    if expected_shifts is not None and {s.id for s in overlapped} != set(expected_shifts):
        raise ServiceError("the shifts in that time changed meanwhile — press y again to see which it removes")
    values: dict[str, object] = {"status": status, "decided_by": actor, "decided_on": now.date()}
    check = leave.approval_check(session, off_id, actor=actor) if approve else None
    if check is not None and check.over:
        if over_balance != OverBalance.unpaid:
            raise ServiceError(f"{check.text()} — it was not approved; approve it as unpaid or leave it waiting")
        values["unpaid"] = True
    changes = apply_update(off, values, expected_version=expected_version)
    record(session, actor=actor, entity="time_off", entity_id=off_id, action=status.value, changes=changes,
           now=now)
    for shift in overlapped:
        assert shift.id is not None, "rows read have ids"
        record(session, actor=actor, entity="shift", entity_id=shift.id, action="delete",
               changes={**created_fields(shift), "removed_for_time_off": off_id}, now=now)
        session.delete(shift)
    session.commit()
    return TimeOffRecord.of(off)


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
        select(TimeOff, Staff).join(Staff, col(Staff.id) == TimeOff.staff_id)
        .where((TimeOff.status == TimeOffStatus.requested) | (TimeOff.end_date >= today))
        .order_by(col(TimeOff.start_date))
    ).all()
    result = []
    for t, s in rows:
        assert t.id is not None and s.id is not None, "rows read have ids"
        result.append(TimeOffRow(t.id, t.version, s.id, s.name, t.kind, t.start_date, t.end_date, t.hours, t.status,
                                 t.note, t.decided_by))
    result.sort(key=lambda r: (r.status is not TimeOffStatus.requested, r.start_date))
    return result
