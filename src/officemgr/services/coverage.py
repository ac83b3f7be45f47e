"""Coverage: enough people of each role for every hour the office is open, and providers booked but absent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from officemgr.models import Appointment, Shift, Staff
from officemgr.models.people import employed_on
from officemgr.services import settings
from officemgr.services.availability import ACTIVE, day_plans
from officemgr.services.calendar import PracticeCalendar, practice_calendar
from officemgr.services.staff import StaffRecord, time_off_on


@dataclass(frozen=True)
class Gap:
    hour: time
    label: str
    have: int
    need: int

    def __str__(self) -> str:
        return f"{self.hour:%H:%M} {self.label}: {self.have} of {self.need}"


@dataclass(frozen=True)
class Conflict:
    """A provider holding appointments while off ("off"), with no shift ("no_shift") or outside it."""

    provider_id: int
    kind: str
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class DayCoverage:
    day: date
    open_hours: tuple[time, time] | None
    gaps: list[Gap]
    conflicts: list[Conflict]


def _covers(shifts: list[Shift], start: datetime, end: datetime) -> bool:
    return any(s.start <= start and s.end >= end for s in shifts)


def coverage_day(session: Session, day: date, calendar: PracticeCalendar | None = None) -> DayCoverage:
    """Hour by hour while any provider works: staff on shift per role against the minimum-staffing setting.

    The practice `calendar` (read when not given) decides the day: closed, no gaps are reported; a half day's hours
    end at its closing time; a provider's own closure counts them out, as approved time off does. A provider
    counts as working an hour when on shift for all of it and not out. A provider with appointments that day who
    is out or has no shift covering them is a conflict. Someone past their last day is not counted at all.
    """
    calendar = calendar or practice_calendar(session)
    rules = settings.get(session, "min_staffing")
    people = {r.id: r for r in map(StaffRecord.of, session.exec(select(Staff).where(Staff.active,
                                                                                 employed_on(day))))}
    first = datetime.combine(day, time.min)
    shifts: dict[int, list[Shift]] = {}
    for shift in session.exec(select(Shift).where(Shift.start >= first, Shift.start < first + timedelta(days=1))):
        shifts.setdefault(shift.staff_id, []).append(shift)
    providers = [p for p in people.values() if p.is_provider]
    out = {pid: f"off ({t.kind})" for pid, t in time_off_on(session, day).items()}
    for provider in providers:
        own = calendar.provider_closures.get((provider.id, day))
        if own is not None and provider.id not in out:
            out[provider.id] = f"out ({own.reason})"
    on_duty = {pid: s for pid, s in shifts.items() if pid not in out and pid in people}
    plans = day_plans(session, day, [p.id for p in providers])
    spans = [hours for p in providers if (hours := plans[p.id].hours) and p.id not in out]
    conflicts = _booked_but_absent(session, day, providers, shifts, out)
    if not spans or not calendar.is_business_day(day):
        return DayCoverage(day, None, [], conflicts)
    opens, closes = min(s[0] for s in spans), max(s[1] for s in spans)
    early = calendar.closes_early(day)
    if early is not None:
        closes = min(closes, datetime.combine(day, early))
    gaps = []
    hour = opens
    while hour < closes:
        end = min(hour + timedelta(hours=1), closes)
        working = sum(1 for p in providers if _covers(on_duty.get(p.id, []), hour, end))
        for rule in rules:
            need = int(rule.get("base", 0)) + int(rule.get("per_provider", 0)) * working
            have = sum(1 for pid, s in on_duty.items()
                       if people[pid].role.value in rule["roles"] and _covers(s, hour, end))
            if have < need:
                gaps.append(Gap(hour.time(), rule["label"], have, need))
        hour = end
    return DayCoverage(day, (opens.time(), closes.time()) if opens < closes else None, gaps, conflicts)


def _booked_but_absent(session: Session, day: date, providers: list[StaffRecord], shifts: dict[int, list[Shift]],
                       out: dict[int, str]) -> list[Conflict]:
    first = datetime.combine(day, time.min)
    # Only who and when: whole appointment rows cost more to build than the rest of the day's coverage.
    booked: dict[int, list[tuple[int, datetime, datetime]]] = {}
    for row in session.exec(select(Appointment.provider_id, Appointment.start, Appointment.end).where(
            col(Appointment.provider_id).in_([p.id for p in providers]), Appointment.start >= first,
            Appointment.start < first + timedelta(days=1), col(Appointment.status).in_(ACTIVE))):
        booked.setdefault(row[0], []).append(row)
    problems = []
    for provider in providers:
        mine = booked.get(provider.id, [])
        if not mine:
            continue
        if provider.id in out:
            problems.append(Conflict(provider.id, "off", f"{provider.name} is {out[provider.id]} "
                                                          f"with {len(mine)} appointments"))
        elif not shifts.get(provider.id):
            problems.append(Conflict(provider.id, "no_shift",
                                     f"{provider.name} has {len(mine)} appointments but no shift"))
        else:
            outside = [start for _, start, end in mine if not _covers(shifts[provider.id], start, end)]
            if outside:
                problems.append(Conflict(provider.id, "outside_shift",
                                         f"{provider.name} has {len(outside)} appointments outside their shift "
                                         f"(first at {outside[0]:%H:%M})"))
    return problems


def coverage_week(session: Session, monday: date) -> list[DayCoverage]:
    calendar = practice_calendar(session)
    return [coverage_day(session, monday + timedelta(days=n), calendar) for n in range(7)]


def gap_ranges(day: DayCoverage) -> list[str]:
    """Consecutive hours with the same shortage as one line: '08:00–16:00 MA or nurse: 2 of 3'."""
    lines: list[str] = []
    runs: dict[tuple[str, int, int], tuple[time, time]] = {}
    for gap in day.gaps:
        key = (gap.label, gap.have, gap.need)
        end = (datetime.combine(day.day, gap.hour) + timedelta(hours=1)).time()
        if day.open_hours is not None and day.open_hours[1] > gap.hour:
            end = min(end, day.open_hours[1])  # a half day's last hour ends at its closing time
        if key in runs and runs[key][1] == gap.hour:
            runs[key] = (runs[key][0], end)
        else:
            if key in runs:
                lines.append(_run_line(key, runs[key]))
            runs[key] = (gap.hour, end)
    for key, span in runs.items():
        lines.append(_run_line(key, span))
    return sorted(lines)


def _run_line(key: tuple[str, int, int], span: tuple[time, time]) -> str:
    label, have, need = key
    return f"{span[0]:%H:%M}–{span[1]:%H:%M} {label}: {have} of {need}"
