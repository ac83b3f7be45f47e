"""Corrective actions: a log per staff member of coaching and verbal, written and final warnings, the manager's
alone. Any other role (the auditor too) is refused both reading and writing it. Each entry has the date, the kind,
the policy involved, what happened, what was agreed and a follow-up date; closing it records when and by whom.
The policy is one of the compliance register's (shown by its title, even once retired) or typed.
An open entry whose follow-up is due today or overdue is on the manager's Huddle, naming the kind and the person
only (services.huddle)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ValidationInfo, field_validator
from sqlmodel import Session, col, select

from officemgr.models.compliance import ComplianceTask
from officemgr.models.people import CorrectiveAction, CorrectiveKind, Staff
from officemgr.models.validation import strip_free_text, strip_text
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, StaleEdit, created_fields, record


class CorrectiveCreate(BaseModel):
    staff_id: int
    happened_on: date
    kind: CorrectiveKind
    policy: str = ""
    # A policy in the compliance register; `policy` is then its title (free text names any other).
    policy_task_id: int | None = None
    detail: str
    resolution: str = ""
    follow_up: date | None = None

    _policy = field_validator("policy", mode="before")(strip_text)
    _free = field_validator("resolution", mode="before")(strip_free_text)

    @field_validator("detail", mode="before")
    @classmethod
    def _detail(cls, value: str | None) -> str:
        text = strip_free_text(value)
        if not text:
            raise ValueError("say what happened")
        return text

    @field_validator("policy")
    @classmethod
    def _policy_length(cls, value: str) -> str:
        if len(value) > 120:
            raise ValueError("a policy name is at most 120 characters")
        return value

    @field_validator("detail", "resolution")
    @classmethod
    def _long_text(cls, value: str) -> str:
        if len(value) > 2000:
            raise ValueError("at most 2,000 characters")
        return value

    @field_validator("follow_up")
    @classmethod
    def _follow_up_after(cls, value: date | None, info: ValidationInfo) -> date | None:
        happened = info.data.get("happened_on")
        if value is not None and isinstance(happened, date) and value < happened:
            raise ValueError("the follow-up cannot be before the date it happened")
        return value


@dataclass(frozen=True)
class CorrectiveRow:
    id: int
    staff_id: int
    happened_on: date
    kind: CorrectiveKind
    policy: str  # the register policy's title when linked (retired since or not), else the text typed
    detail: str
    resolution: str
    follow_up: date | None
    closed_on: date | None
    closed_by: str
    version: int
    policy_task_id: int | None = None


@dataclass(frozen=True)
class FollowUp:
    """A follow-up due: the entry, the kind and the person, nothing of what happened (it shows on the Huddle)."""

    action_id: int
    staff_id: int
    staff_name: str
    kind: CorrectiveKind
    due: date


def _manager_only(actor: str, doing: str) -> None:
    require(actor, Area.staff, what=doing)


def add_corrective(session: Session, data: CorrectiveCreate, *, today: date, now: datetime, actor: str) -> int:
    """Log an entry (the manager only); refused for a date in the future or a person not on file."""
    _manager_only(actor, "recording a corrective action")
    if session.get(Staff, data.staff_id) is None:
        raise ServiceError("that staff member no longer exists — reload")
    if data.happened_on > today:
        raise ServiceError(f"the date it happened cannot be after today ({today:%m/%d/%Y})")
    values = data.model_dump()
    if data.policy_task_id is not None:
        policy = session.get(ComplianceTask, data.policy_task_id)
        if policy is None or not policy.is_policy:
            raise ServiceError("that policy is no longer in the register — reload")
        if not policy.active:
            raise ServiceError(f"'{policy.title}' was retired; choose a policy in effect, or type the name")
        values["policy"] = policy.title
    row = CorrectiveAction(**values)
    session.add(row)
    session.flush()
    assert row.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="corrective_action", entity_id=row.id, action="create",
           changes=created_fields(row), now=now)
    session.commit()
    return row.id


def close_corrective(session: Session, action_id: int, closed_on: date, *, today: date, now: datetime, actor: str,
                     expected_version: int) -> None:
    """Close an entry on `closed_on` (not before it happened, not after today), by the acting manager."""
    _manager_only(actor, "closing a corrective action")
    row = session.get(CorrectiveAction, action_id)
    if row is None:
        raise ServiceError("that corrective action no longer exists — reload")
    if row.version != expected_version:
        raise StaleEdit()
    if row.closed_on is not None:
        raise ServiceError(f"this was already closed on {row.closed_on:%m/%d/%Y}")
    if closed_on > today:
        raise ServiceError(f"the closing date cannot be after today ({today:%m/%d/%Y})")
    if closed_on < row.happened_on:
        raise ServiceError(f"the closing date cannot be before it happened ({row.happened_on:%m/%d/%Y})")
    closer = getattr(actor, "name", str(actor))
    row.closed_on, row.closed_by, row.version = closed_on, closer[:60], row.version + 1
    record(session, actor=actor, entity="corrective_action", entity_id=action_id, action="close",
           changes={"closed_on": [None, closed_on.isoformat()], "closed_by": ["", row.closed_by]}, now=now)
    session.commit()


def corrective_log(session: Session, staff_id: int, *, actor: str) -> list[CorrectiveRow]:
    """`staff_id`'s log, newest first (the manager only)."""
    _manager_only(actor, "seeing corrective actions")
    rows = session.exec(select(CorrectiveAction, ComplianceTask)
                        .join(ComplianceTask, col(ComplianceTask.id) == CorrectiveAction.policy_task_id, isouter=True)
                        .where(CorrectiveAction.staff_id == staff_id)
                        .order_by(col(CorrectiveAction.happened_on).desc(), col(CorrectiveAction.id).desc()))
    return [CorrectiveRow(r.id or 0, r.staff_id, r.happened_on, r.kind, policy.title if policy else r.policy,
                          r.detail, r.resolution, r.follow_up, r.closed_on, r.closed_by, r.version, r.policy_task_id)
            for r, policy in rows]


def follow_ups_due(session: Session, today: date, *, actor: str) -> list[FollowUp]:
    """Open entries whose follow-up is today or earlier, soonest first (the manager only)."""
    _manager_only(actor, "seeing corrective actions")
    rows = session.exec(
        select(CorrectiveAction, Staff).join(Staff, col(Staff.id) == CorrectiveAction.staff_id)
        .where(col(CorrectiveAction.closed_on).is_(None), col(CorrectiveAction.follow_up).is_not(None),
               col(CorrectiveAction.follow_up) <= today)
        .order_by(col(CorrectiveAction.follow_up), col(CorrectiveAction.id))
    )
    found = []
    for action, person in rows:
        assert action.id is not None and action.follow_up is not None
        found.append(FollowUp(action.id, action.staff_id, f"{person.first_name[:1]}. {person.last_name}",
                              action.kind, action.follow_up))
    return found
