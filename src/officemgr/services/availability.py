"""When a provider can be booked: weekly hours, blocks, dated exceptions and approved time off.

Conflicts are explained in words; the slot finder walks the same rules, so both always agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, col, or_, select

from officemgr.models import (
    Appointment,
    ApptStatus,
    Patient,
    ProviderHours,
    ScheduleBlock,
    Staff,
    TimeOff,
    TimeOffStatus,
)

if TYPE_CHECKING:
    from officemgr.services.calendar import PracticeCalendar

ACTIVE = (ApptStatus.booked, ApptStatus.arrived, ApptStatus.in_room, ApptStatus.checked_out)
WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
SLOT_STEP = 15
PARTS = {"morning": (time(0, 0), time(12, 0)), "afternoon": (time(12, 0), time(23, 59))}
DEFAULT_HOURS = (time(8, 0), time(17, 0))
DEFAULT_LUNCH = (time(12, 0), time(13, 0))
MAX_LENGTH = timedelta(days=1)


@dataclass(frozen=True)
class Block:
    start: datetime
    end: datetime
    reason: str
    closed: bool = False  # the practice or the provider is closed (the practice calendar), not a template block


@dataclass(frozen=True)
class ProviderDayPlan:
    """A provider's day: the hours they work and the blocks inside them (lunch, exceptions, time off)."""

    provider_id: int
    day: date
    hours: tuple[datetime, datetime] | None
    blocks: list[Block]

    @property
    def bookable_minutes(self) -> int:
        if self.hours is None:
            return 0
        total = (self.hours[1] - self.hours[0]).seconds // 60
        # Blocks may overlap (lunch inside a half day's early close): take off their union, once.
        covered_until = self.hours[0]
        for block in sorted(self.blocks, key=lambda b: b.start):
            start, end = max(block.start, covered_until), min(block.end, self.hours[1])
            if end > start:
                total -= (end - start).seconds // 60
                covered_until = end
        return max(0, total)


def default_template(provider_id: int) -> tuple[list[ProviderHours], list[ScheduleBlock]]:
    """Weekdays 08:00–17:00 with lunch 12:00–13:00: what a new provider starts with (editable)."""
    hours = [ProviderHours(provider_id=provider_id, weekday=d, start=DEFAULT_HOURS[0], end=DEFAULT_HOURS[1])
             for d in range(5)]
    lunch = [ScheduleBlock(provider_id=provider_id, weekday=d, start=DEFAULT_LUNCH[0], end=DEFAULT_LUNCH[1],
                           reason="Lunch") for d in range(5)]
    return hours, lunch


def read_calendar(session: Session) -> PracticeCalendar:
    """The practice calendar, imported here at call time: the calendar module imports ACTIVE from this one."""
    from officemgr.services.calendar import practice_calendar

    return practice_calendar(session)


def closed_blocks(cal: PracticeCalendar, day: date, provider_id: int) -> list[Block]:
    """The part of `day` the practice calendar closes for `provider_id`: all of it, or from a half day's close."""
    whole = (datetime.combine(day, time.min), datetime.combine(day, time.max))
    reason = cal.closed_reason(day)
    if reason is not None:
        # "closed on Saturdays" is long for a grid cell, and the column heading names the day already.
        return [Block(*whole, "closed" if reason.startswith("closed on ") else f"closed: {reason}", closed=True)]
    own = cal.provider_closures.get((provider_id, day))
    if own is not None:
        return [Block(*whole, f"out: {own.reason}", closed=True)]
    closes = cal.closes_early(day)
    if closes is not None:
        return [Block(datetime.combine(day, closes), whole[1], f"closed from {closes:%H:%M}", closed=True)]
    return []


def day_plans(session: Session, day: date, provider_ids: list[int] | None = None,
              cal: PracticeCalendar | None = None) -> dict[int, ProviderDayPlan]:
    """Each provider's hours and blocks on `day` (providers with no hours that weekday have hours=None); the
    practice calendar's closures are blocks too, so nothing offers or shows a closed day as open."""
    cal = cal if cal is not None else read_calendar(session)
    hours_q = select(ProviderHours).where(ProviderHours.weekday == day.weekday())
    blocks_q = select(ScheduleBlock).where(or_(ScheduleBlock.weekday == day.weekday(), ScheduleBlock.day == day))
    off_q = select(TimeOff).where(TimeOff.status == TimeOffStatus.approved, TimeOff.start_date <= day,
                                  TimeOff.end_date >= day)
    if provider_ids is not None:
        hours_q = hours_q.where(col(ProviderHours.provider_id).in_(provider_ids))
        blocks_q = blocks_q.where(col(ScheduleBlock.provider_id).in_(provider_ids))
        off_q = off_q.where(col(TimeOff.staff_id).in_(provider_ids))
    hours = {h.provider_id: h for h in session.exec(hours_q)}
    blocks: dict[int, list[Block]] = {}
    for b in session.exec(blocks_q):
        blocks.setdefault(b.provider_id, []).append(
            Block(datetime.combine(day, b.start), datetime.combine(day, b.end), b.reason or "blocked"))
    for t in session.exec(off_q):
        # Approved time off blocks the whole day, like any other block.
        blocks.setdefault(t.staff_id, []).append(
            Block(datetime.combine(day, time.min), datetime.combine(day, time.max), f"off ({t.kind})"))
    ids = set(provider_ids) if provider_ids is not None else set(hours) | set(blocks)
    plans = {}
    for pid in ids:
        h = hours.get(pid)
        span = (datetime.combine(day, h.start), datetime.combine(day, h.end)) if h else None
        own = blocks.get(pid, []) + closed_blocks(cal, day, pid)
        plans[pid] = ProviderDayPlan(pid, day, span, sorted(own, key=lambda b: b.start))
    return plans


def conflicts(
    session: Session,
    *,
    provider_id: int,
    patient_id: int,
    start: datetime,
    end: datetime,
    ignore_id: int | None = None,
) -> list[str]:
    """Why a booking from `start` to `end` would be a problem, in words; empty when it is fine."""
    provider = session.get(Staff, provider_id)
    name = provider.name if provider else "the provider"
    cal = read_calendar(session)
    plan = day_plans(session, start.date(), [provider_id], cal)[provider_id]
    problems = plan_problems(cal, plan, name, start, end)
    problems.extend(_overlaps(session, provider_id, start, end, ignore_id))
    problems.extend(_same_day(session, patient_id, start.date(), ignore_id))
    return problems


def plan_problems(cal: PracticeCalendar, plan: ProviderDayPlan, name: str, start: datetime, end: datetime
                  ) -> list[str]:
    """What the calendar and the provider's day say against a booking from `start` to `end` (not other bookings):
    shared by `conflicts` and the appointment import, which reads each day's plans once."""
    day = start.date()
    problems = _closed(cal, name, plan.provider_id, start, end)
    if end.date() != day and end != datetime.combine(day + timedelta(days=1), time.min):
        problems.append("an appointment must end the day it starts")
    # A day closed as a whole has said why already: "does not work on Saturdays" would say it twice.
    whole_day = any(b.closed and b.start.time() == time.min for b in plan.blocks)
    if plan.hours is None and not whole_day:
        problems.append(f"{name} does not work on {WEEKDAYS[day.weekday()]}")
    elif plan.hours is not None and (start < plan.hours[0] or end > plan.hours[1]):
        problems.append(f"outside {name}'s hours ({plan.hours[0]:%H:%M}–{plan.hours[1]:%H:%M})")
    for block in plan.blocks:
        if not block.closed and start < block.end and end > block.start:
            if block.end - block.start >= timedelta(hours=23):
                problems.append(f"{name} is {block.reason} that day")
            else:
                problems.append(f"during {block.reason} ({block.start:%H:%M}–{block.end:%H:%M})")
    return problems


def _closed(cal: PracticeCalendar, name: str, provider_id: int, start: datetime, end: datetime) -> list[str]:
    """A booking on a day the practice calendar closes (for everyone or for this provider), in words."""
    day = start.date()
    reason = cal.closed_reason(day)
    if reason is not None:
        return [f"the practice is {reason} ({day:%a %m/%d/%Y})" if reason.startswith("closed on ")
                else f"the practice is closed on {day:%a %m/%d/%Y} ({reason})"]
    own = cal.provider_closures.get((provider_id, day))
    if own is not None:
        return [f"{name} is out on {day:%a %m/%d/%Y} ({own.reason})"]
    closes = cal.closes_early(day)
    if closes is not None and end > datetime.combine(day, closes):
        return [f"the practice closes at {closes:%H:%M} on {day:%a %m/%d/%Y}"]
    return []


def _overlaps(session: Session, provider_id: int, start: datetime, end: datetime, ignore_id: int | None) -> list[str]:
    rows = session.exec(
        select(Appointment, Patient)
        .join(Patient, col(Patient.id) == Appointment.patient_id)
        .where(
            Appointment.provider_id == provider_id,
            # No appointment lasts a day (a booking fits its day; a move keeps the length), so this lower
            # bound is exact and keeps the index search to one day instead of the provider's whole history.
            Appointment.start > start - MAX_LENGTH,
            Appointment.start < end,
            Appointment.end > start,
            col(Appointment.status).in_(ACTIVE),
            Appointment.id != (ignore_id or -1),
        )
        .order_by(col(Appointment.start))
    ).all()
    return [f"overlaps {p.name} at {a.start:%H:%M} with the same provider (double-book)" for a, p in rows]


def _same_day(session: Session, patient_id: int, day: date, ignore_id: int | None) -> list[str]:
    first = datetime.combine(day, time.min)
    other = session.exec(
        select(Appointment).where(
            Appointment.patient_id == patient_id,
            Appointment.start >= first,
            Appointment.start < first + timedelta(days=1),
            col(Appointment.status).in_(ACTIVE),
            Appointment.id != (ignore_id or -1),
        )
    ).first()
    return [f"this patient is already booked at {other.start:%H:%M} that day"] if other else []


@dataclass(frozen=True)
class Slot:
    provider_id: int
    provider_name: str
    start: datetime
    end: datetime


def open_slots(
    session: Session,
    *,
    minutes: int,
    from_day: date,
    provider_id: int | None = None,
    part: str | None = None,
    limit: int = 10,
    days: int = 60,
    not_before: datetime | None = None,
) -> list[Slot]:
    """The first free slots of `minutes` from `from_day` on, within hours, outside blocks and bookings."""
    query = select(Staff).where(Staff.is_provider, Staff.active)
    if provider_id is not None:
        query = query.where(Staff.id == provider_id)
    providers = session.exec(query.order_by(Staff.last_name, Staff.first_name)).all()
    names: dict[int, str] = {}
    first_days: dict[int, date] = {}
    last_days: dict[int, date] = {}
    for p in providers:
        assert p.id is not None
        names[p.id] = p.name
        if p.hire_date is not None:
            first_days[p.id] = p.hire_date
        if p.end_date is not None:
            last_days[p.id] = p.end_date
    found: list[Slot] = []
    cal = read_calendar(session)
    for offset in range(days):
        day = from_day + timedelta(days=offset)
        # A provider offers nothing after their last day, nor before a start still to come.
        working = [pid for pid in names if (pid not in last_days or day <= last_days[pid])
                   and (pid not in first_days or day >= first_days[pid])]
        if not working and all(day > last for last in last_days.values()) and len(last_days) == len(names):
            break
        if not working:
            continue
        plans = day_plans(session, day, working, cal)
        busy = _busy(session, day, working)
        day_slots = []
        for pid, plan in plans.items():
            for start in _free_starts(plan, busy.get(pid, []), minutes, part, not_before):
                day_slots.append(Slot(pid, names[pid], start, start + timedelta(minutes=minutes)))
        day_slots.sort(key=lambda s: (s.start, s.provider_name))
        found.extend(day_slots[: limit - len(found)])
        if len(found) >= limit:
            break
    return found


def _busy(session: Session, day: date, provider_ids: list[int]) -> dict[int, list[tuple[datetime, datetime]]]:
    first = datetime.combine(day, time.min)
    rows = session.exec(
        select(Appointment.provider_id, Appointment.start, Appointment.end).where(
            col(Appointment.provider_id).in_(provider_ids),
            Appointment.start >= first,
            Appointment.start < first + timedelta(days=1),
            col(Appointment.status).in_(ACTIVE),
        )
    ).all()
    busy: dict[int, list[tuple[datetime, datetime]]] = {}
    for pid, start, end in rows:
        busy.setdefault(pid, []).append((start, end))
    return busy


def _free_starts(plan: ProviderDayPlan, busy: list[tuple[datetime, datetime]], minutes: int, part: str | None,
                 not_before: datetime | None) -> Iterator[datetime]:
    if plan.hours is None:
        return
    taken = busy + [(b.start, b.end) for b in plan.blocks]
    length = timedelta(minutes=minutes)
    start = plan.hours[0]
    while start + length <= plan.hours[1]:
        end = start + length
        in_part = part is None or PARTS[part][0] <= start.time() < PARTS[part][1]
        if in_part and (not_before is None or start >= not_before) and all(
            end <= s or start >= e for s, e in taken
        ):
            yield start
        start += timedelta(minutes=SLOT_STEP)
