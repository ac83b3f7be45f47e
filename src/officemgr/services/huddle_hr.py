"""The staff lifecycle's lines on the Huddle's staffing section: corrective-action follow-ups (the manager's
alone, naming no details), and what hiring, checklists, the time clock, evaluations and policies have due."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from officemgr.services import checklists, corrective, hiring
from officemgr.services.access import Area, may
from officemgr.services.huddle_items import HuddleItem


def staffing_items(session: Session, today: date, actor: str) -> list[HuddleItem]:
    items: list[HuddleItem] = []
    if may(actor, Area.staff):
        items.extend(_corrective_follow_ups(session, today, actor))
        items.extend(_checklist_tasks(session, today, actor))
    if may(actor, Area.hiring):
        items.extend(_stale_applicants(session, today, actor))
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
