"""Onboarding and leaving checklists: a template per role (role "" = every role), copied into a person's tasks with
due dates counted from the start date (onboarding) or the end date (leaving).

A template item is due `due_days` after the day it counts from: calendar days, or business days of the practice
calendar (weekends, holidays and closures do not count; day 1 is the first business day after the start, so an I-9
for a Monday start is due Thursday). The default templates are in code and seeded into checklist_template_item the
first time a checklist starts or a template item is added while the table is empty (`seed_defaults`; the demo
calls `ensure_defaults`); after that the manager edits the table. Only those who may change the staff area (the
manager) see or change any of it: the tasks say things about a person's papers. Open tasks due today or overdue are
on the manager's Huddle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import BaseModel, field_validator
from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from officemgr.models.lifecycle import ChecklistKind, ChecklistTemplateItem, StaffTask
from officemgr.models.people import Role, Staff, employed_on
from officemgr.models.validation import strip_free_text, strip_text
from officemgr.services import settings
from officemgr.services.access import Area, require
from officemgr.services.calendar import PracticeCalendar, practice_calendar
from officemgr.services.common import ServiceError, StaleEdit, apply_update, created_fields, record

CLINICAL = (Role.physician, Role.np_pa, Role.ma, Role.nurse)
OTHER = tuple(r for r in Role if r not in CLINICAL)
EMPLOYEE = "employee"
MANAGER = Role.manager.label
PROBATION = -1  # in the defaults below: the setting probation_review_days, read when the defaults are seeded
PROBATION_TASK = "90-day review"  # checked off when the review is recorded as an evaluation

# (kind, roles ("" = every role), what, owner, due days, business days?)
_Default = tuple[ChecklistKind, tuple[str, ...], str, str, int, bool]
_ON, _OFF = ChecklistKind.onboarding, ChecklistKind.leaving
DEFAULTS: tuple[_Default, ...] = (
    (_ON, ("",), "I-9 section 2 (identity and work authorization)", MANAGER, 3, True),
    (_ON, ("",), "W-4 withholding form", EMPLOYEE, 0, False),
    (_ON, ("",), "State new-hire report", MANAGER, 20, False),
    (_ON, tuple(r.value for r in CLINICAL), "License verification (before the start)", MANAGER, 0, False),
    (_ON, tuple(r.value for r in CLINICAL), "HIPAA training (before patient contact)", EMPLOYEE, 0, False),
    (_ON, tuple(r.value for r in OTHER), "HIPAA training", EMPLOYEE, 10, False),
    (_ON, tuple(r.value for r in CLINICAL), "OSHA bloodborne pathogens training (before patient contact)",
     EMPLOYEE, 0, False),
    (_ON, tuple(r.value for r in OTHER), "OSHA bloodborne pathogens training", EMPLOYEE, 10, False),
    (_ON, ("",), "Keys and alarm code", MANAGER, 0, False),
    (_ON, ("",), "System accounts (EHR, e-mail, phones)", MANAGER, 0, False),
    # As long as the policies themselves give (the policy_sign_days setting's default): one deadline, not two.
    (_ON, ("",), "Policy sign-offs", EMPLOYEE, 30, False),
    (_ON, ("",), PROBATION_TASK, MANAGER, PROBATION, False),
    (_OFF, ("",), "System access removed (same day)", MANAGER, 0, False),
    (_OFF, ("",), "Keys and badge returned", MANAGER, 0, False),
    (_OFF, ("",), "Final pay (by the last day; the deadline depends on the state)", MANAGER, 0, False),
    (_OFF, ("",), "COBRA / benefits notice", MANAGER, 14, False),
    (_OFF, ("",), "Exit interview", MANAGER, 0, False),
)


class TemplateItemInput(BaseModel):
    kind: ChecklistKind
    role: str = ""
    what: str
    owner: str = MANAGER
    due_days: int = 0
    business_days: bool = False

    _owner = field_validator("owner", mode="before")(strip_text)

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, value: str | Role | None) -> str:
        text = value.value if isinstance(value, Role) else strip_text(value)
        if text and text not in {r.value for r in Role}:
            raise ValueError("choose a role, or every role")
        return text

    @field_validator("what", mode="before")
    @classmethod
    def _what(cls, value: str | None) -> str:
        text = strip_text(value)
        if not text:
            raise ValueError("say what the task is")
        if len(text) > 120:
            raise ValueError("at most 120 characters")
        return text

    @field_validator("owner")
    @classmethod
    def _owner_length(cls, value: str) -> str:
        if not value:
            return MANAGER
        if len(value) > 60:
            raise ValueError("at most 60 characters")
        return value

    @field_validator("due_days")
    @classmethod
    def _days(cls, value: int) -> int:
        if not -60 <= value <= 365:
            raise ValueError("between -60 (before the date) and 365 days")
        return value


@dataclass(frozen=True)
class TemplateRow:
    id: int
    version: int
    kind: ChecklistKind
    role: str
    what: str
    owner: str
    due_days: int
    business_days: bool
    position: int

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "Every role"

    @property
    def when(self) -> str:
        unit = "bus. day" if self.business_days else "day"
        if self.due_days == 0:
            return "same day"
        return f"{abs(self.due_days)} {unit}{'s' if abs(self.due_days) != 1 else ''}" + (
            " before" if self.due_days < 0 else "")


@dataclass(frozen=True)
class TaskRow:
    id: int
    version: int
    staff_id: int
    kind: ChecklistKind
    what: str
    owner: str
    due: date
    done_on: date | None
    done_by: str
    note: str

    def overdue(self, today: date) -> bool:
        return self.done_on is None and self.due < today


@dataclass(frozen=True)
class TaskDue:
    """An open task due today or overdue, for the Huddle."""

    task_id: int
    staff_id: int
    staff_name: str
    kind: ChecklistKind
    what: str
    due: date


def due_date(calendar: PracticeCalendar, from_day: date, days: int, business: bool) -> date:
    """`days` after `from_day`: calendar days, or business days of `calendar` (day 1 = the first business day after
    `from_day`; a negative count goes back to the business days before it)."""
    if not business:
        return from_day + timedelta(days=days)
    if days >= 0:
        return calendar.add_business_days(from_day, days)
    current = from_day
    for _ in range(-days):
        current = calendar.previous_business_day(current)
    return current


def _template_row(row: ChecklistTemplateItem) -> TemplateRow:
    assert row.id is not None, "a template item read has an id"
    return TemplateRow(row.id, row.version, row.kind, row.role, row.what, row.owner, row.due_days, row.business_days,
                       row.position)


def _task_row(row: StaffTask) -> TaskRow:
    assert row.id is not None, "a task read has an id"
    return TaskRow(row.id, row.version, row.staff_id, row.kind, row.what, row.owner, row.due, row.done_on, row.done_by,
                   row.note)


def seed_defaults(session: Session, *, now: datetime, actor: str) -> int:
    """Write the default templates when the table is empty (the first checklist, or first start); returns how many.

    Flushes without committing: the caller's write commits it with its own."""
    require(actor, Area.staff, what="setting up checklist templates")
    if session.exec(select(func.count()).select_from(ChecklistTemplateItem)).one():
        return 0
    probation = int(settings.get(session, "probation_review_days"))
    added = 0
    for position, (kind, roles, what, owner, days, business) in enumerate(DEFAULTS):
        for role in roles:
            item = ChecklistTemplateItem(kind=kind, role=role, what=what, owner=owner,
                                         due_days=probation if days == PROBATION else days,
                                         business_days=business, position=position)
            session.add(item)
            session.flush()
            assert item.id is not None, "the flush gives the new row its id"
            record(session, actor=actor, entity="checklist_template_item", entity_id=item.id, action="create",
                   changes=created_fields(item), now=now)
            added += 1
    return added


def ensure_defaults(session: Session, *, now: datetime, actor: str) -> int:
    """Seed the default templates if the table is empty, and commit (the app's or the demo's first start)."""
    added = seed_defaults(session, now=now, actor=actor)
    session.commit()
    return added


def template(session: Session, kind: ChecklistKind, role: str | None = None, *, actor: str) -> list[TemplateRow]:
    """The template items of `kind`: of one role (with the every-role items) or, `role` None, all of them."""
    require(actor, Area.staff, what="seeing checklist templates")
    query = select(ChecklistTemplateItem).where(ChecklistTemplateItem.kind == kind)
    if role is not None:
        query = query.where(col(ChecklistTemplateItem.role).in_(["", role]))
    rows = session.exec(query.order_by(col(ChecklistTemplateItem.position), col(ChecklistTemplateItem.id)))
    return [_template_row(r) for r in rows]


def add_template_item(session: Session, data: TemplateItemInput, *, now: datetime, actor: str) -> int:
    """Add an item at the end of its kind's list (the defaults are seeded first, so adding never hides them)."""
    require(actor, Area.staff, what="editing checklist templates")
    seed_defaults(session, now=now, actor=actor)
    last = session.exec(select(func.max(ChecklistTemplateItem.position))
                        .where(ChecklistTemplateItem.kind == data.kind)).one()
    item = ChecklistTemplateItem(**data.model_dump(), position=(last or 0) + 1)
    session.add(item)
    session.flush()
    assert item.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="checklist_template_item", entity_id=item.id, action="create",
           changes=created_fields(item), now=now)
    session.commit()
    return item.id


def update_template_item(session: Session, item_id: int, data: TemplateItemInput, *, now: datetime, actor: str,
                         expected_version: int) -> None:
    """Change an item; tasks already copied from it keep what they were given."""
    require(actor, Area.staff, what="editing checklist templates")
    item = session.get(ChecklistTemplateItem, item_id)
    if item is None:
        raise ServiceError("that checklist item no longer exists — reload")
    changes = apply_update(item, data.model_dump(), expected_version=expected_version)
    if changes:
        record(session, actor=actor, entity="checklist_template_item", entity_id=item_id, action="update",
               changes=changes, now=now)
    session.commit()


def remove_template_item(session: Session, item_id: int, *, now: datetime, actor: str, expected_version: int) -> None:
    require(actor, Area.staff, what="editing checklist templates")
    item = session.get(ChecklistTemplateItem, item_id)
    if item is None:
        raise ServiceError("that checklist item no longer exists — reload")
    if item.version != expected_version:
        raise StaleEdit()
    record(session, actor=actor, entity="checklist_template_item", entity_id=item_id, action="delete",
           changes=created_fields(item), now=now)
    session.delete(item)
    session.commit()


def add_checklist(session: Session, staff_id: int, kind: ChecklistKind, from_day: date, *, now: datetime,
                  actor: str) -> int:
    """start_checklist without its commit: for a write (end of employment, a hire) that commits it with its own."""
    require(actor, Area.staff, what="starting a checklist")
    person = session.get(Staff, staff_id)
    if person is None:
        raise ServiceError("that staff member no longer exists — reload")
    started = session.exec(select(col(StaffTask.due)).where(StaffTask.staff_id == staff_id, StaffTask.kind == kind)
                           .order_by(col(StaffTask.due))).first()
    if started is not None:
        article = "an" if kind is _ON else "a"
        raise ServiceError(f"{person.name} already has {article} {kind.value} checklist (first task due "
                           f"{started:%m/%d/%Y}); it cannot be started twice")
    seed_defaults(session, now=now, actor=actor)
    items = session.exec(select(ChecklistTemplateItem).where(
        ChecklistTemplateItem.kind == kind, col(ChecklistTemplateItem.role).in_(["", person.role.value]))
        .order_by(col(ChecklistTemplateItem.position), col(ChecklistTemplateItem.id))).all()
    if not items:
        raise ServiceError(f"the {kind.value} template for {person.role.label} has no tasks: add some first")
    calendar = practice_calendar(session)
    for position, item in enumerate(items):
        task = StaffTask(staff_id=staff_id, kind=kind, what=item.what, owner=item.owner, position=position,
                         due=due_date(calendar, from_day, item.due_days, item.business_days))
        session.add(task)
        session.flush()
        assert task.id is not None, "the flush gives the new row its id"
        record(session, actor=actor, entity="staff_task", entity_id=task.id, action="create",
               changes=created_fields(task), now=now)
    return len(items)


def start_checklist(session: Session, staff_id: int, kind: ChecklistKind, from_day: date, *, now: datetime,
                    actor: str) -> int:
    """Copy the role's template (its own items and the every-role ones) into `staff_id`'s tasks, due from
    `from_day`; refused when that person already has a checklist of this kind. Returns how many tasks."""
    count = add_checklist(session, staff_id, kind, from_day, now=now, actor=actor)
    session.commit()
    return count


def tasks(session: Session, staff_id: int, *, actor: str) -> list[TaskRow]:
    """`staff_id`'s checklist tasks: onboarding then leaving, each by due date."""
    require(actor, Area.staff, what="seeing checklists")
    rows = session.exec(select(StaffTask).where(StaffTask.staff_id == staff_id).order_by(
        col(StaffTask.kind).desc(), col(StaffTask.due), col(StaffTask.position), col(StaffTask.id)))
    return [_task_row(r) for r in rows]


def _task(session: Session, task_id: int, expected_version: int) -> StaffTask:
    task = session.get(StaffTask, task_id)
    if task is None:
        raise ServiceError("that task no longer exists — reload")
    if task.version != expected_version:
        raise StaleEdit()
    return task


def mark_done(session: Session, task_id: int, done_on: date, note: str = "", *, today: date, now: datetime,
              actor: str, expected_version: int) -> None:
    """Mark a task done on `done_on` (not after today) by the acting user, with an optional note."""
    require(actor, Area.staff, what="checking off checklist tasks")
    task = _task(session, task_id, expected_version)
    if task.done_on is not None:
        raise ServiceError(f"“{task.what}” was already done on {task.done_on:%m/%d/%Y}")
    if done_on > today:
        raise ServiceError(f"the day it was done cannot be after today ({today:%m/%d/%Y})")
    text = strip_free_text(note)
    if len(text) > 500:
        raise ServiceError("a note is at most 500 characters")
    who = getattr(actor, "name", str(actor))[:60]
    changes = apply_update(task, {"done_on": done_on, "done_by": who, "note": text or task.note},
                           expected_version=expected_version)
    record(session, actor=actor, entity="staff_task", entity_id=task_id, action="done", changes=changes, now=now)
    session.commit()


def close_open_task(session: Session, staff_id: int, what: str, done_on: date, note: str, *, now: datetime,
                    actor: str) -> None:
    """Check off `staff_id`'s open task named `what`, if there is one, within the caller's transaction: the thing
    it asks for was done elsewhere (the 90-day review recorded as an evaluation)."""
    task = session.exec(select(StaffTask).where(StaffTask.staff_id == staff_id, StaffTask.what == what,
                                                col(StaffTask.done_on).is_(None))).first()
    if task is None or task.id is None:
        return
    who = getattr(actor, "name", str(actor))[:60]
    changes = apply_update(task, {"done_on": done_on, "done_by": who, "note": note}, expected_version=task.version)
    record(session, actor=actor, entity="staff_task", entity_id=task.id, action="done", changes=changes, now=now)


def undo_done(session: Session, task_id: int, *, now: datetime, actor: str, expected_version: int) -> None:
    """Open a done task again (checked off by mistake); its note stays."""
    require(actor, Area.staff, what="checking off checklist tasks")
    task = _task(session, task_id, expected_version)
    if task.done_on is None:
        raise ServiceError(f"“{task.what}” is not done: nothing to undo")
    changes = apply_update(task, {"done_on": None, "done_by": ""}, expected_version=expected_version)
    record(session, actor=actor, entity="staff_task", entity_id=task_id, action="undo", changes=changes, now=now)
    session.commit()


def tasks_due(session: Session, today: date, *, actor: str) -> list[TaskDue]:
    """Open tasks due today or earlier, soonest first (the manager's)."""
    require(actor, Area.staff, what="seeing checklists")
    rows = session.exec(
        select(StaffTask, Staff).join(Staff, col(Staff.id) == StaffTask.staff_id)
        .where(col(StaffTask.done_on).is_(None), StaffTask.due <= today,
               # Onboarding of someone who has since left is moot; their leaving tasks are what is due.
               or_(col(StaffTask.kind) == ChecklistKind.leaving, employed_on(today)))
        .order_by(col(StaffTask.due), col(StaffTask.staff_id), col(StaffTask.position), col(StaffTask.id)))
    found = []
    for task, person in rows:
        assert task.id is not None
        found.append(TaskDue(task.id, task.staff_id, person.name, task.kind, task.what, task.due))
    return found
