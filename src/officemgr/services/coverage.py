"""Coverage: enough people of each role for every hour the office is open, and providers booked but absent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from officemgr.models import Appointment, Shift, Staff, TimeOff
from officemgr.services import settings
from officemgr.services.availability import ACTIVE, day_plans
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


def coverage_day(session: Session, day: date) -> DayCoverage:
    """Hour by hour while any provider works: staff on shift per role against the minimum-staffing setting.

    A provider counts as working an hour when on shift for all of it and not on approved time off. A provider
    with appointments that day who is off or has no shift covering them is a conflict.
    """
    rules = settings.get(session, "min_staffing")
    people = {r.id: r for r in map(StaffRecord.of, session.exec(select(Staff).where(Staff.active)))}
    first = datetime.combine(day, time.min)
    shifts: dict[int, list[Shift]] = {}
    for shift in session.exec(select(Shift).where(Shift.start >= first, Shift.start < first + timedelta(days=1))):
        shifts.setdefault(shift.staff_id, []).append(shift)
    off = time_off_on(session, day)
    on_duty = {pid: s for pid, s in shifts.items() if pid not in off and pid in people}
    providers = [p for p in people.values() if p.is_provider]
    plans = day_plans(session, day, [p.id for p in providers])
    spans = [hours for p in providers if (hours := plans[p.id].hours) and p.id not in off]
    conflicts = _booked_but_absent(session, day, providers, shifts, off)
    if not spans:
        return DayCoverage(day, None, [], conflicts)
    opens, closes = min(s[0] for s in spans), max(s[1] for s in spans)
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
    return DayCoverage(day, (opens.time(), closes.time()), gaps, conflicts)


def _booked_but_absent(session: Session, day: date, providers: list[StaffRecord], shifts: dict[int, list[Shift]],
                       off: dict[int, TimeOff]) -> list[Conflict]:
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
        if provider.id in off:
            problems.append(Conflict(provider.id, "off", f"{provider.name} is off ({off[provider.id].kind}) "
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
    return [coverage_day(session, monday + timedelta(days=n)) for n in range(7)]


def gap_ranges(day: DayCoverage) -> list[str]:
    """Consecutive hours with the same shortage as one line: '08:00–16:00 MA or nurse: 2 of 3'."""
    lines: list[str] = []
    runs: dict[tuple[str, int, int], tuple[time, time]] = {}
    for gap in day.gaps:
        key = (gap.label, gap.have, gap.need)
        end = (datetime.combine(day.day, gap.hour) + timedelta(hours=1)).time()
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
