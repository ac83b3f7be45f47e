"""Recurring compliance duties: when each is next due (RRULE + last completion), and completing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol

from dateutil.relativedelta import relativedelta
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
from officemgr.services import temperature
from officemgr.services.calendar import PracticeCalendar, practice_calendar
from officemgr.services.common import ServiceError, apply_update, create, created_fields, record

UPCOMING_DAYS = (7, 30)
# The checklist's fridge/freezer duty ("Vaccine fridge/freezer temperature log") is done by logging readings in the
# temperature log, never by a completion entry: the log is its one source of truth, so the two cannot disagree.
TEMPERATURE_LOG = "temperature log"
# How far back the temperature duty looks for its last fully logged day, and ahead for its next due day.
_LOG_LOOK_BACK_DAYS = 31
_LOG_LOOK_AHEAD_DAYS = 31


def is_temperature_log(title: str) -> bool:
    return TEMPERATURE_LOG in title.casefold()


# Rule parts a plain "every N months/years from the first due date" may have besides FREQ.
_PLAIN_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"}
# How far `next_due` looks ahead before saying a rule has no further dates (a rule every 10 years still shows).
_LOOK_AHEAD_DAYS = 11 * 366


def _parts(text: str) -> dict[str, str]:
    return {key.strip().upper(): value.strip().upper() for key, _, value in
            (part.partition("=") for part in text.strip().removeprefix("RRULE:").split(";") if part.strip())}


@lru_cache(maxsize=256)
def _rule(text: str, anchor: date) -> rrule | rruleset:
    return rrulestr(text, dtstart=datetime.combine(anchor, time.min))


def _month_end_steps(parts: dict[str, str], anchor: date) -> int | None:
    """Months between occurrences for a plain monthly or yearly rule whose first due date is on the 29th–31st
    (dateutil skips the months without that day); None for any other rule."""
    if anchor.day < 29 or not set(parts) <= _PLAIN_PARTS or parts.get("FREQ") not in ("MONTHLY", "YEARLY"):
        return None
    interval = int(parts.get("INTERVAL", "1"))
    return interval * (12 if parts["FREQ"] == "YEARLY" else 1)


@lru_cache(maxsize=1024)
def _raw_dates(rrule_text: str, anchor: date, first: date, last: date) -> tuple[date, ...]:
    """The rule's due dates from `first` to `last`, both included, before the practice calendar. A plain rule
    anchored on the 29th–31st falls due every period, on the month's last day when the day does not exist
    (anchored Jan 31: Feb 28, Mar 31, Apr 30; a yearly Feb 29: Feb 28 in other years).

    Cached: dateutil walks every occurrence from the anchor (years of a daily duty), and the huddle and the
    Compliance tab ask the same questions on every load."""
    parts = _parts(rrule_text)
    months = _month_end_steps(parts, anchor)
    if months is None:
        rule = _rule(rrule_text, anchor)
        found = rule.between(datetime.combine(first, time.min), datetime.combine(last, time.max), inc=True)
        return tuple(when.date() for when in found)
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    until_day = _until(parts["UNTIL"]) if "UNTIL" in parts else None
    dates: list[date] = []
    n = 0
    while count is None or n < count:
        due = anchor + relativedelta(months=months * n)  # from the anchor each time: Jan 31 -> Mar 31, not 28
        if due > last or (until_day is not None and due > until_day):
            break
        if due >= first:
            dates.append(due)
        n += 1
    return tuple(dates)


def _until(text: str) -> date:
    return datetime.strptime(text[:8], "%Y%m%d").date()


def due_dates(rrule_text: str, anchor: date, first: date, last: date, calendar: PracticeCalendar | None = None
              ) -> list[date]:
    """Every due date of a duty from `first` to `last`. With the practice calendar, a duty done on workdays follows
    it: a daily duty is not due on a day the practice is closed, and a weekly one on a closed day is due the next
    business day. Monthly and yearly dates are deadlines and stay as the rule gives them."""
    freq = _parts(rrule_text).get("FREQ")
    if calendar is None or freq not in ("DAILY", "WEEKLY"):
        return list(_raw_dates(rrule_text, anchor, first, last))
    if freq == "DAILY":
        return [day for day in _raw_dates(rrule_text, anchor, first, last) if calendar.is_business_day(day)]
    # A weekly date moved past `last` is dropped; one from the week before `first` may move into the period.
    moved = (calendar.next_business_day(day) for day in _raw_dates(rrule_text, anchor, first - timedelta(days=7),
                                                                   last))
    return sorted({day for day in moved if first <= day <= last})


def next_due(rrule_text: str, anchor: date, last_due: date | None, calendar: PracticeCalendar | None = None
             ) -> date | None:
    """The first due date after the last completed one (or the first due date at all); None when the rule has no
    further dates within eleven years."""
    start = anchor if last_due is None else max(anchor, last_due + timedelta(days=1))
    window = 400
    while window <= _LOOK_AHEAD_DAYS * 2:
        found = due_dates(rrule_text, anchor, start, start + timedelta(days=window), calendar)
        if found:
            return found[0]
        window *= 2
    return None


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
    calendar = practice_calendar(session)
    logging = bool(temperature.units(session))
    result = []
    for task, last_due, last_done in rows:
        assert task.id is not None
        if logging and is_temperature_log(task.title):
            due, done_on = _temperature_duty(session, task.anchor, today)
        else:
            due = next_due(task.rrule, task.anchor, last_due, calendar)
            done_on = last_done.date() if last_done else None
        result.append(
            TaskRow(task.id, task.title, task.category, task.evidence, task.owner_role, due, done_on,
                    (due - today).days if due else None, task.is_policy, task.owner, task.version)
        )
    result.sort(key=lambda r: (r.due is None, r.due or date.max, r.title))
    return result


def _temperature_duty(session: Session, anchor: date, today: date) -> tuple[date | None, date | None]:
    """(next due, last done) of the temperature-log duty, read from the log: due on the first day a reading was
    due after the last day every unit was read; a day without its readings is a missed duty."""
    first = max(anchor, today - timedelta(days=_LOG_LOOK_BACK_DAYS))
    days = temperature.log_days(session, first, today + timedelta(days=_LOG_LOOK_AHEAD_DAYS))
    done = [d for d in days if d.done]
    last = done[-1].day if done else None
    due = next((d.day for d in days if not d.done and (last is None or d.day > last)), None)
    return due, last


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
    if is_temperature_log(task.title):
        raise ServiceError("this duty is done by logging each fridge's and freezer's reading in the Temperature "
                           "log: a day's readings complete that day, so the checklist and the log agree")
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
    except (ValueError, TypeError):
        raise ServiceError(f"the repeat rule '{body}' could not be read: choose one from Repeats, or write one "
                           "like FREQ=MONTHLY, FREQ=YEARLY;INTERVAL=2 or FREQ=WEEKLY;BYDAY=MO") from None
    _refuse_skipping(_parts(body))
    if rule.after(datetime.combine(anchor, time.min), inc=True) is None:
        raise ServiceError("the repeat rule never falls due from that first date on")
    return body


def _refuse_skipping(parts: dict[str, str]) -> None:
    """A day of the month some months lack would skip those months: refused, with the form that does not."""
    days = [day for day in parts.get("BYMONTHDAY", "").split(",") if day.strip().lstrip("+").isdigit()]
    late = sorted({int(day) for day in days if int(day) >= 29})
    if late:
        raise ServiceError(f"BYMONTHDAY={late[0]} would skip the months without a {_ordinal(late[0])}: leave "
                           "BYMONTHDAY out and give that first due date (it is then due every period, on the "
                           "month's last day when the day does not exist), or use BYMONTHDAY=-1 for the last day "
                           "of every month")


def _ordinal(day: int) -> str:
    return f"{day}{'st' if day % 10 == 1 else 'th'}"


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
    """What falls due on each day from `first` to `last` (`due_dates` of every task), and whether it was done."""
    tasks = session.exec(select(ComplianceTask).where(ComplianceTask.active)).all()
    done = {(c.task_id, c.due_date): c for c in session.exec(
        select(ComplianceCompletion).where(ComplianceCompletion.due_date >= first,
                                           ComplianceCompletion.due_date <= last))}
    calendar = practice_calendar(session)
    logging = bool(temperature.units(session))
    days: dict[date, list[DueOn]] = {}
    for task in tasks:
        assert task.id is not None
        if logging and is_temperature_log(task.title):
            for log_day in temperature.log_days(session, max(first, task.anchor), last):
                days.setdefault(log_day.day, []).append(DueOn(task.id, task.title, log_day.day, log_day.done, False))
            continue
        for due in due_dates(task.rrule, task.anchor, first, last, calendar):
            completion = done.get((task.id, due))
            days.setdefault(due, []).append(DueOn(
                task.id, task.title, due, completion is not None, completion is not None and is_late(completion)))
    for items in days.values():
        items.sort(key=lambda d: d.title)
    return days
