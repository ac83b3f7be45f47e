"""Recurring compliance duties: when each is next due (RRULE + last completion), and completing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Protocol

from dateutil.rrule import rrule, rruleset, rrulestr
from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import (
    CompletionCreate,
    ComplianceCategory,
    ComplianceCompletion,
    ComplianceTask,
    TaskCreate,
)
from officemgr.services.common import ServiceError, apply_update, create, created_fields, record

UPCOMING_DAYS = (7, 30)


@lru_cache(maxsize=256)
def _rule(text: str, anchor: date) -> rrule | rruleset:
    return rrulestr(text, dtstart=datetime.combine(anchor, time.min))


@lru_cache(maxsize=1024)
def next_due(rrule_text: str, anchor: date, last_due: date | None) -> date | None:
    """The first occurrence after the last completed one (or the first occurrence at all).

    Cached: dateutil walks every occurrence from the anchor (years of a daily duty), and the huddle and the
    Compliance tab ask the same questions on every load."""
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
    is_policy: bool = False
    owner: str = ""
    version: int = 1

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
        .group_by(col(ComplianceCompletion.task_id))
        .subquery()
    )
    rows = session.exec(
        select(ComplianceTask, last.c.last_due, last.c.last_done)
        .outerjoin(last, last.c.task_id == ComplianceTask.id)
        .where(ComplianceTask.active)
    ).all()
    result = []
    for task, last_due, last_done in rows:
        assert task.id is not None
        due = next_due(task.rrule, task.anchor, last_due)
        result.append(
            TaskRow(task.id, task.title, task.category, task.evidence, task.owner_role, due,
                    last_done.date() if last_done else None, (due - today).days if due else None,
                    task.is_policy, task.owner, task.version)
        )
    result.sort(key=lambda r: (r.due is None, r.due or date.max, r.title))
    return result


def due_or_overdue(session: Session, today: date) -> list[TaskRow]:
    return [row for row in task_status(session, today) if row.days is not None and row.days <= 0]


@dataclass(frozen=True)
class CompletionRow:
    """One entry of a task's history (entries are never edited: a correction is a new entry)."""

    id: int
    task_id: int
    due_date: date
    done_at: datetime
    done_by: str
    evidence: str
    reading: str
    corrects_id: int | None


def _completion_row(done: ComplianceCompletion) -> CompletionRow:
    assert done.id is not None
    return CompletionRow(done.id, done.task_id, done.due_date, done.done_at, done.done_by, done.evidence,
                         done.reading, done.corrects_id)


def complete(session: Session, data: CompletionCreate, *, now: datetime, actor: str) -> CompletionRow:
    """Record that a task's due occurrence was done, with evidence; late completions stay marked late."""
    task = session.get(ComplianceTask, data.task_id)
    if task is None or not task.active or task.id is None:
        raise ServiceError("that task is retired or no longer exists — reload")
    if task.evidence and not (data.evidence or data.reading):
        raise ServiceError(f"evidence is required: {task.evidence}")
    done = ComplianceCompletion(
        task_id=task.id, due_date=data.due_date, done_at=now, done_by=data.done_by,
        evidence=data.evidence, reading=data.reading,
    )
    create(session, done, entity="compliance_completion", actor=actor, now=now)
    return _completion_row(done)


def history(session: Session, task_id: int, limit: int = 20) -> list[CompletionRow]:
    """A task's entries, newest first."""
    return [_completion_row(c) for c in session.exec(
        select(ComplianceCompletion).where(ComplianceCompletion.task_id == task_id)
        .order_by(col(ComplianceCompletion.done_at).desc()).limit(limit)
    )]


def last_entry(session: Session, task_id: int) -> CompletionRow | None:
    """The entry recorded last for a task (the one a correction replaces), or None before any."""
    found = session.exec(select(ComplianceCompletion).where(ComplianceCompletion.task_id == task_id)
                         .order_by(col(ComplianceCompletion.id).desc())).first()
    return _completion_row(found) if found is not None else None


class _Done(Protocol):
    @property
    def done_at(self) -> datetime: ...
    @property
    def due_date(self) -> date: ...


def is_late(completion: _Done) -> bool:
    return completion.done_at.date() > completion.due_date


def validate_rrule(text: str, anchor: date) -> str:
    """The RRULE body as stored, or ServiceError saying what is wrong with it."""
    body = text.strip().removeprefix("RRULE:")
    if "DTSTART" in body.upper():
        raise ServiceError("leave DTSTART out of the rule; the first due date is given separately")
    try:
        rule = rrulestr(body, dtstart=datetime.combine(anchor, time.min))
    except (ValueError, TypeError) as exc:
        raise ServiceError(f"the repeat rule is not valid ({exc}); e.g. FREQ=YEARLY or FREQ=WEEKLY;BYDAY=MO") from None
    if rule.after(datetime.combine(anchor, time.min), inc=True) is None:
        raise ServiceError("the repeat rule never falls due from that first date on")
    return body


def add_task(session: Session, data: TaskCreate, *, now: datetime, actor: str) -> ComplianceTask:
    """A new duty or policy; its RRULE must parse and fall due at least once."""
    rule = validate_rrule(data.rrule, data.anchor)
    if session.exec(select(ComplianceTask).where(func.lower(ComplianceTask.title) == data.title.lower())).first():
        raise ServiceError(f"there is already an item called {data.title} (retired items keep their title)")
    task = ComplianceTask(**{**data.model_dump(), "rrule": rule})
    create(session, task, entity="compliance_task", actor=actor, now=now)
    return task


def retire_task(session: Session, task_id: int, *, now: datetime, actor: str, expected_version: int | None
                ) -> None:
    """Stop a duty from falling due; its completions stay for the record."""
    task = session.get(ComplianceTask, task_id)
    if task is None or task.id is None:
        raise ServiceError("that item no longer exists — reload")
    if not task.active:
        raise ServiceError("that item is already retired")
    changes = apply_update(task, {"active": False}, expected_version=expected_version)
    record(session, actor=actor, entity="compliance_task", entity_id=task.id, action="retire", changes=changes,
           now=now)
    session.commit()


def correct(session: Session, completion_id: int, data: CompletionCreate, *, now: datetime, actor: str
            ) -> CompletionRow:
    """A completion is never edited or deleted: a correction is a new entry that points at the old one."""
    old = session.get(ComplianceCompletion, completion_id)
    if old is None:
        raise ServiceError("that entry no longer exists — reload")
    if data.task_id != old.task_id:
        raise ServiceError("a correction belongs to the same item as the entry it corrects")
    fixed = ComplianceCompletion(task_id=old.task_id, due_date=data.due_date, done_at=now, done_by=data.done_by,
                                 evidence=data.evidence, reading=data.reading, corrects_id=old.id)
    session.add(fixed)
    session.flush()
    assert fixed.id is not None
    record(session, actor=actor, entity="compliance_completion", entity_id=fixed.id, action="correct",
           changes={**created_fields(fixed), "corrects": old.id}, now=now)
    session.commit()
    return _completion_row(fixed)


@dataclass(frozen=True)
class DueOn:
    task_id: int
    title: str
    due: date
    done: bool
    late: bool


def month_due(session: Session, first: date, last: date, today: date) -> dict[date, list[DueOn]]:
    """What falls due on each day from `first` to `last` (every RRULE occurrence), and whether it was done."""
    tasks = session.exec(select(ComplianceTask).where(ComplianceTask.active)).all()
    done = {(c.task_id, c.due_date): c for c in session.exec(
        select(ComplianceCompletion).where(ComplianceCompletion.due_date >= first,
                                           ComplianceCompletion.due_date <= last))}
    days: dict[date, list[DueOn]] = {}
    for task in tasks:
        assert task.id is not None
        rule = _rule(task.rrule, task.anchor)
        for when in rule.between(datetime.combine(first, time.min), datetime.combine(last, time.max), inc=True):
            completion = done.get((task.id, when.date()))
            days.setdefault(when.date(), []).append(DueOn(
                task.id, task.title, when.date(), completion is not None,
                completion is not None and is_late(completion)))
    for items in days.values():
        items.sort(key=lambda d: d.title)
    return days
