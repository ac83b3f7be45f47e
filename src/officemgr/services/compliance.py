"""Recurring compliance duties: when each is next due (RRULE + last completion), and completing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from dateutil.rrule import rrule, rrulestr
from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import (
    CompletionCreate,
    ComplianceCategory,
    ComplianceCompletion,
    ComplianceTask,
)
from officemgr.services.common import ServiceError, created_fields, record

UPCOMING_DAYS = (7, 30)


@lru_cache(maxsize=256)
def _rule(text: str, anchor: date) -> rrule:
    return rrulestr(text, dtstart=datetime.combine(anchor, time.min))  # type: ignore[return-value]


def next_due(rrule_text: str, anchor: date, last_due: date | None) -> date | None:
    """The first occurrence after the last completed one (or the first occurrence at all)."""
    rule = _rule(rrule_text, anchor)
    if last_due is None:
        found = rule.after(datetime.combine(anchor, time.min), inc=True)
    else:
        found = rule.after(datetime.combine(last_due, time.min), inc=False)
    return found.date() if found else None


@dataclass(frozen=True)
class TaskRow:
    task_id: int
    title: str
    category: ComplianceCategory
    evidence: str
    owner_role: str
    due: date | None
    last_done: date | None
    days: int | None  # negative: overdue by that many days

    @property
    def state(self) -> str:
        if self.days is None:
            return "no further dates"
        if self.days < 0:
            return "overdue"
        if self.days == 0:
            return "due today"
        if self.days <= UPCOMING_DAYS[0]:
            return "due this week"
        if self.days <= UPCOMING_DAYS[1]:
            return "due within 30 days"
        return "later"

    @property
    def when(self) -> str:
        if self.days is None:
            return "—"
        if self.days < 0:
            return f"{-self.days} days overdue" if self.days < -1 else "1 day overdue"
        if self.days == 0:
            return "today"
        return f"in {self.days} days" if self.days > 1 else "tomorrow"


def task_status(session: Session, today: date) -> list[TaskRow]:
    """Every active task with its next due date, most urgent first."""
    last = (
        select(ComplianceCompletion.task_id, func.max(ComplianceCompletion.due_date).label("last_due"),
               func.max(ComplianceCompletion.done_at).label("last_done"))
        .group_by(ComplianceCompletion.task_id)
        .subquery()
    )
    rows = session.exec(
        select(ComplianceTask, last.c.last_due, last.c.last_done)
        .outerjoin(last, last.c.task_id == ComplianceTask.id)
        .where(ComplianceTask.active)
    ).all()
    result = []
    for task, last_due, last_done in rows:
        due = next_due(task.rrule, task.anchor, last_due)
        result.append(
            TaskRow(task.id, task.title, task.category, task.evidence, task.owner_role, due,
                    last_done.date() if last_done else None, (due - today).days if due else None)
        )
    result.sort(key=lambda r: (r.due is None, r.due or date.max, r.title))
    return result


def due_or_overdue(session: Session, today: date) -> list[TaskRow]:
    return [row for row in task_status(session, today) if row.days is not None and row.days <= 0]


def complete(session: Session, data: CompletionCreate, *, now: datetime, actor: str) -> ComplianceCompletion:
    """Record that a task's due occurrence was done, with evidence; late completions stay marked late."""
    task = session.get(ComplianceTask, data.task_id)
    if task is None or not task.active:
        raise ServiceError("that task is retired or no longer exists — reload")
    if task.evidence and not (data.evidence or data.reading):
        raise ServiceError(f"evidence is required: {task.evidence}")
    done = ComplianceCompletion(
        task_id=task.id, due_date=data.due_date, done_at=now, done_by=data.done_by,
        evidence=data.evidence, reading=data.reading,
    )
    session.add(done)
    session.flush()
    record(session, actor=actor, entity="compliance_completion", entity_id=done.id, action="create",
           changes=created_fields(done), now=now)
    session.commit()
    return done


def history(session: Session, task_id: int, limit: int = 20) -> list[ComplianceCompletion]:
    return list(session.exec(
        select(ComplianceCompletion).where(ComplianceCompletion.task_id == task_id)
        .order_by(col(ComplianceCompletion.done_at).desc()).limit(limit)
    ))


def is_late(completion: ComplianceCompletion) -> bool:
    return completion.done_at.date() > completion.due_date
