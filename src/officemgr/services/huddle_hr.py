"""The staff lifecycle's lines on the Huddle's staffing section: corrective-action follow-ups (the manager's
alone, naming no details), and what hiring, checklists, the time clock, evaluations and policies have due."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import Session

from officemgr.services import corrective, timeclock
from officemgr.services.access import Area, may
from officemgr.services.calendar import practice_calendar
from officemgr.services.huddle_items import HuddleItem


def staffing_items(session: Session, today: date, actor: str) -> list[HuddleItem]:
    items: list[HuddleItem] = []
    if may(actor, Area.staff):
        items.extend(_corrective_follow_ups(session, today, actor))
        items.extend(_time_clock(session, today, actor))
    return items


def _corrective_follow_ups(session: Session, today: date, actor: str) -> list[HuddleItem]:
    return [
        HuddleItem(f"Follow-up: {f.kind.label.lower()} for {f.staff_name}, due {f.due:%m/%d}",
                   "corrective action follow-up " + ("due today" if f.due == today else "overdue"), "staff",
                   f.staff_id, urgent=f.due < today, key=f"corrective:{f.action_id}")
        for f in corrective.follow_ups_due(session, today, actor=actor)
    ]


def _time_clock(session: Session, today: date, actor: str) -> list[HuddleItem]:
    """The last business day's late arrivals and missed punches, and punch fixes waiting for the manager."""
    day = practice_calendar(session).previous_business_day(today)
    items: list[HuddleItem] = []
    for check in timeclock.day_checks(session, day, day, now=datetime.combine(today, time.min), actor=actor):
        name = timeclock.staff_name(session, check.staff_id)
        key = f"punch:{check.staff_id}:{day.isoformat()}"
        if check.missed:
            items.append(HuddleItem(f"Missed punch: {name} on {day:%m/%d}", "a punch to fix (Staff, T)", "staff",
                                    check.staff_id, urgent=True, key=key))
        elif check.late_minutes:
            items.append(HuddleItem(f"Late: {name} in {check.late_minutes} min after the shift on {day:%m/%d}",
                                    "late arrival", "staff", check.staff_id, key=key))
    items.extend(
        HuddleItem(f"Punch fix to approve: {f.name}, {f.clock_in:%m/%d %H:%M}-{f.clock_out:%H:%M}",
                   "punch fix waiting for the manager (Staff, T, y)", "staff", f.staff_id, key=f"fix:{f.id}")
        for f in timeclock.fixes(session, actor=actor))
    return items
