"""The practice calendar: the one place that says whether a day is a business day.

Closed: the weekdays the practice does not open (a setting, Mon–Fri open by default), US federal holidays with their
observed days (from the `holidays` package; the setting `open_on_holidays` names any the practice works, e.g.
"Columbus Day"), and the practice's own closures. A half day is open (it closes early). A provider's own closure
closes that day for that provider only.

Payer deadlines use `federal_calendar()`: weekends and federal holidays only, as CMS counts them, so a practice's own
closure never moves a payer's deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from sqlmodel import Session, col, select

from officemgr.models import Appointment, Closure, ClosureCreate, Patient, Staff
from officemgr.services import settings
from officemgr.services.availability import ACTIVE
from officemgr.services.common import ServiceError, create, forget, per_transaction, record

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# How far a search for an open day goes before it gives up: a year of closures is a setting gone wrong.
_SEARCH_DAYS = 366


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> Mapping[date, str]:
    """The year's US federal holidays and their observed days ("Independence Day (observed)" on Fri 7/3/2026)."""
    return dict(holidays.country_holidays("US", years=year).items())


def _base_name(name: str) -> str:
    return name.removesuffix(" (observed)")


@dataclass(frozen=True)
class ClosedDay:
    day: date
    reason: str
    closes_at: time | None = None  # a half day: open until then
    provider_id: int | None = None
    closure_id: int | None = None  # None for a weekend or holiday (not the practice's own row)


@dataclass(frozen=True)
class PracticeCalendar:
    open_weekdays: frozenset[int] = frozenset(range(5))
    open_on_holidays: frozenset[str] = frozenset()
    closures: Mapping[date, ClosedDay] = field(default_factory=dict)  # the whole practice, full or half days
    provider_closures: Mapping[tuple[int, date], ClosedDay] = field(default_factory=dict)

    def holiday(self, day: date) -> str | None:
        """The federal holiday the practice is closed for on `day`, if any."""
        name = federal_holidays(day.year).get(day)
        if name is None or _base_name(name) in self.open_on_holidays:
            return None
        return name

    def closed_reason(self, day: date, provider_id: int | None = None) -> str | None:
        """Why the practice (or `provider_id`) does not work on `day`, or None when it does (a half day works)."""
        if day.weekday() not in self.open_weekdays:
            return f"closed on {WEEKDAY_NAMES[day.weekday()]}s"
        name = self.holiday(day)
        if name is not None:
            return name
        closure = self.closures.get(day)
        if closure is not None and closure.closes_at is None:
            return closure.reason
        if provider_id is not None:
            own = self.provider_closures.get((provider_id, day))
            if own is not None:
                return own.reason
        return None

    def is_business_day(self, day: date) -> bool:
        return self.closed_reason(day) is None

    def closes_early(self, day: date) -> time | None:
        """The closing time of a half day, or None."""
        closure = self.closures.get(day)
        return closure.closes_at if closure is not None else None

    def next_business_day(self, day: date) -> date:
        """`day` itself when open, else the first open day after it."""
        for n in range(_SEARCH_DAYS):
            candidate = day + timedelta(days=n)
            if self.is_business_day(candidate):
                return candidate
        raise ServiceError(f"the practice calendar has no open day in the year from {day:%m/%d/%Y}: "
                           "check the open weekdays setting and the closures")

    def previous_business_day(self, day: date) -> date:
        """The last open day before `day`."""
        for n in range(1, _SEARCH_DAYS + 1):
            candidate = day - timedelta(days=n)
            if self.is_business_day(candidate):
                return candidate
        raise ServiceError(f"the practice calendar has no open day in the year before {day:%m/%d/%Y}: "
                           "check the open weekdays setting and the closures")

    def add_business_days(self, day: date, count: int) -> date:
        """The `count`th open day after `day` (`day` itself does not count; 0 gives `day`)."""
        current = day
        for _ in range(count):
            current = self.next_business_day(current + timedelta(days=1))
        return current

    def business_days(self, first: date, last: date) -> list[date]:
        return [first + timedelta(days=n) for n in range((last - first).days + 1)
                if self.is_business_day(first + timedelta(days=n))]

    def provider_works(self, provider_id: int, day: date) -> bool:
        return self.closed_reason(day, provider_id) is None


@lru_cache(maxsize=1)
def federal_calendar() -> PracticeCalendar:
    """Weekends and every federal holiday: how CMS moves a deadline that falls on a day it is closed."""
    return PracticeCalendar()


def _closed_day(row: Closure) -> ClosedDay:
    return ClosedDay(row.day, row.reason, row.closes_at, row.provider_id, row.id)


def practice_calendar(session: Session) -> PracticeCalendar:
    """The calendar as the practice has set it: its open weekdays, the holidays it works, every closure."""
    return per_transaction(session, "calendar", lambda: _read_calendar(session))


def _read_calendar(session: Session) -> PracticeCalendar:
    rows = session.exec(select(Closure)).all()
    return PracticeCalendar(
        open_weekdays=frozenset(settings.get(session, "open_weekdays")),
        open_on_holidays=frozenset(settings.get(session, "open_on_holidays")),
        closures={row.day: _closed_day(row) for row in rows if row.provider_id is None},
        provider_closures={(row.provider_id, row.day): _closed_day(row) for row in rows
                           if row.provider_id is not None},
    )


@dataclass(frozen=True)
class ClosureRow:
    closure_id: int
    day: date
    provider: str  # "" for the whole practice
    closes_at: time | None
    reason: str


def closures(session: Session, first: date, last: date) -> list[ClosureRow]:
    """The practice's own closures from `first` to `last`, by day."""
    query = (select(Closure, Staff).join(Staff, col(Staff.id) == col(Closure.provider_id), isouter=True)
             .where(col(Closure.day) >= first, col(Closure.day) <= last).order_by(col(Closure.day), col(Closure.id)))
    return [ClosureRow(row.id or 0, row.day, staff.name if staff is not None else "", row.closes_at, row.reason)
            for row, staff in session.exec(query).all()]


@dataclass(frozen=True)
class StrandedBooking:
    appointment_id: int
    start: datetime
    patient: str
    phone: str
    provider: str


def stranded_bookings(session: Session, closure: ClosureCreate) -> list[StrandedBooking]:
    """The active bookings a closure would leave without a provider: to call and reschedule."""
    start = datetime.combine(closure.day, closure.closes_at or time.min)
    end = datetime.combine(closure.day + timedelta(days=1), time.min)
    query = (select(Appointment, Patient, Staff)
             .join(Patient, col(Patient.id) == col(Appointment.patient_id))
             .join(Staff, col(Staff.id) == col(Appointment.provider_id))
             .where(col(Appointment.start) >= start, col(Appointment.start) < end,
                    col(Appointment.status).in_(list(ACTIVE)))
             .order_by(col(Appointment.start), col(Appointment.id)))
    if closure.provider_id is not None:
        query = query.where(col(Appointment.provider_id) == closure.provider_id)
    return [StrandedBooking(appt.id or 0, appt.start, patient.name, patient.phone, staff.name)
            for appt, patient, staff in session.exec(query).all()]


def add_closure(session: Session, closure: ClosureCreate, *, now: datetime, actor: str) -> int:
    """Close the practice (or one provider) for a day or from a time: one per day and provider. Bookings it strands
    stay booked; `stranded_bookings` lists them for the reschedule calls."""
    same = select(Closure).where(col(Closure.day) == closure.day)
    same = same.where(col(Closure.provider_id).is_(None) if closure.provider_id is None
                      else col(Closure.provider_id) == closure.provider_id)
    if session.exec(same).first() is not None:
        raise ServiceError(f"{closure.day:%m/%d/%Y} already has a closure for "
                           f"{'the practice' if closure.provider_id is None else 'that provider'}: "
                           "remove it first to change it")
    if closure.provider_id is not None:
        provider = session.get(Staff, closure.provider_id)
        if provider is None or not provider.is_provider:
            raise ServiceError("a provider closure names a provider; choose one from the list")
    row = Closure(**closure.model_dump(), at=now, actor=actor)
    forget(session)
    create(session, row, entity="practice_closure", actor=actor, now=now)
    assert row.id is not None
    return row.id


def remove_closure(session: Session, closure_id: int, *, now: datetime, actor: str) -> None:
    row = session.get(Closure, closure_id)
    if row is None:
        raise ServiceError("that closure was removed meanwhile — reload")
    record(session, actor=actor, entity="practice_closure", entity_id=closure_id, action="delete",
           changes={"day": row.day, "reason": row.reason, "provider_id": row.provider_id,
                    "closes_at": row.closes_at}, now=now)
    forget(session)
    session.delete(row)
    session.commit()


@dataclass(frozen=True)
class CalendarLine:
    """One dated line of the calendar screen: a federal holiday or one of the practice's closures."""

    day: date
    what: str
    kind: str  # "federal holiday", "worked holiday", "closed", "half day to 12:00", "provider out: Name"
    closure_id: int | None = None


def overview(session: Session, today: date, *, days: int = 365) -> list[CalendarLine]:
    """The practice's closures from 30 days back and the federal holidays of the coming `days`, by day."""
    cal = practice_calendar(session)
    first, last = today - timedelta(days=30), today + timedelta(days=days)
    lines: list[CalendarLine] = []
    for row in closures(session, first, last):
        if row.provider:
            kind = f"provider out: {row.provider}"
        elif row.closes_at is not None:
            kind = f"half day to {row.closes_at:%H:%M}"
        else:
            kind = "closed"
        lines.append(CalendarLine(row.day, row.reason, kind, row.closure_id))
    for year in range(today.year, last.year + 1):
        for day, name in federal_holidays(year).items():
            if today <= day <= last and day.weekday() in cal.open_weekdays:
                worked = _base_name(name) in cal.open_on_holidays
                lines.append(CalendarLine(day, name, "worked holiday" if worked else "federal holiday"))
    return sorted(lines, key=lambda line: (line.day, line.closure_id or 0))


def provider_choices(session: Session) -> list[tuple[str, int]]:
    """(name, id) of the active providers, for a provider's own closure."""
    query = select(Staff).where(col(Staff.is_provider), col(Staff.active)).order_by(col(Staff.last_name),
                                                                                   col(Staff.first_name))
    return [(person.name, person.id) for person in session.exec(query).all() if person.id is not None]
