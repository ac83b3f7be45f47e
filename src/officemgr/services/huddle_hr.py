"""The staff lifecycle's lines on the Huddle's staffing section: corrective-action follow-ups (the manager's
alone, naming no details), and what hiring, checklists, the time clock, evaluations and policies have due."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from officemgr.services import checklists, corrective, hiring, policies, timeclock
from officemgr.services.access import Actor, Area, may
from officemgr.services.calendar import practice_calendar
from officemgr.services.huddle_items import HuddleItem


def staffing_items(session: Session, today: date, actor: str) -> list[HuddleItem]:
    items: list[HuddleItem] = []
    if may(actor, Area.staff):
        items.extend(_corrective_follow_ups(session, today, actor))
        items.extend(_checklist_tasks(session, today, actor))
        items.extend(_time_clock(session, today, actor))
    if may(actor, Area.hiring):
        items.extend(_stale_applicants(session, today, actor))
    items.extend(_policy_signatures(session, today, actor))
    return items


def _corrective_follow_ups(session: Session, today: date, actor: str) -> list[HuddleItem]:
    return [
        HuddleItem(f"Follow-up: {f.kind.label.lower()} for {f.staff_name}, due {f.due:%m/%d}",
                   "corrective action follow-up " + ("due today" if f.due == today else "overdue"), "staff",
                   f.staff_id, urgent=f.due < today, key=f"corrective:{f.action_id}")
        for f in corrective.follow_ups_due(session, today, actor=actor)
    ]


def _stale_applicants(session: Session, today: date, actor: str) -> list[HuddleItem]:
    return [
        HuddleItem(f"Applicant {a.name}: {a.stage.label.lower()} stage {a.days_in_stage} days",
                   f"no move in more than {hiring.STALE_STAGE_DAYS} days", "staff", None,
                   key=f"applicant:{a.id}")
        for a in hiring.stale_applicants(session, today, actor=actor)
    ]


def _checklist_tasks(session: Session, today: date, actor: str) -> list[HuddleItem]:
    """Open onboarding and leaving tasks due today or overdue, one line each ("Onboarding: I-9 for Ana Ruiz")."""
    return [
        HuddleItem(f"{t.kind.label}: {t.what.split(' (')[0]} for {t.staff_name}, due {t.due:%m/%d}",
                   f"{t.kind.value} task " + ("due today" if t.due == today else "overdue"), "staff", t.staff_id,
                   urgent=t.due < today, key=f"task:{t.task_id}")
        for t in checklists.tasks_due(session, today, actor=actor)
    ]


def _policy_signatures(session: Session, today: date, actor: str) -> list[HuddleItem]:
    """The manager: each policy version with signatures due within a week or overdue (how many, the soonest due).
    Anyone else signed in: their own unsigned policies."""
    if may(actor, Area.staff):
        soon = today + timedelta(days=policies.HUDDLE_DAYS)
        by_version: dict[int, list[policies.Owed]] = {}
        for owed in policies.unsigned(session, today):
            if owed.due <= soon:
                by_version.setdefault(owed.version_id, []).append(owed)
        return [HuddleItem(f"{o[0].name}: {len(o)} to sign, due {o[0].due:%m/%d}",
                           "policy signatures " + ("overdue" if o[0].due < today else "due soon"), "compliance",
                           o[0].task_id, urgent=o[0].due < today, key=f"policy:{version_id}")
                for version_id, o in by_version.items()]
    if isinstance(actor, Actor) and actor.staff_id is not None and may(actor, Area.self_service):
        return [HuddleItem(f"Sign: {o.name} by {o.due:%m/%d}", "your policy signature (ctrl+p: Sign a policy)",
                           "staff", o.staff_id, urgent=o.due < today, key=f"policy:{o.version_id}:{o.staff_id}")
                for o in policies.my_policies(session, today, actor=actor)]
    return []


def _time_clock(session: Session, today: date, actor: str) -> list[HuddleItem]:
    """The last business day's late arrivals and missed punches, and punch fixes waiting for the manager."""
    day = practice_calendar(session).previous_business_day(today)
    items: list[HuddleItem] = []
    checks = [check for check in timeclock.day_checks(session, day, day, now=datetime.combine(today, time.min),
                                                      actor=actor) if check.missed or check.late_minutes]
    names = timeclock.staff_names(session, {check.staff_id for check in checks})
    for check in checks:
        name = names.get(check.staff_id, f"staff #{check.staff_id}")
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
