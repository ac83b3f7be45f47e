"""Onboarding and leaving checklists, evaluation forms, staff meetings and policy sign-offs."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field


class ChecklistKind(str, enum.Enum):
    onboarding = "onboarding"
    leaving = "leaving"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ChecklistTemplateItem(Versioned, table=True):
    """One task of a role's onboarding or leaving checklist, due a number of days (or business days) from the
    start or end date; role "" applies to every role."""

    __tablename__ = "checklist_template_item"
    id: int | None = Field(default=None, primary_key=True)
    kind: ChecklistKind = enum_field(ChecklistKind)
    role: str = Field(default="", max_length=20)
    what: str = Field(max_length=120)
    owner: str = Field(default="manager", max_length=60)  # who does it: a role's label, or "employee"
    due_days: int = Field(default=0, ge=-60, le=365)
    business_days: bool = False
    position: int = 0


class StaffTask(Versioned, table=True):
    """A checklist task for one person, copied from the template when their start (or end) was set."""

    __tablename__ = "staff_task"
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    kind: ChecklistKind = enum_field(ChecklistKind)
    what: str = Field(max_length=120)
    owner: str = Field(default="manager", max_length=60)
    due: date = Field(index=True)
    done_on: date | None = None
    done_by: str = Field(default="", max_length=60)
    note: str = Field(default="", max_length=500)
    position: int = 0


class EvaluationTemplate(Versioned, table=True):
    """The competencies a role is rated on, one per line; role "" is the template for roles without their own."""

    __tablename__ = "evaluation_template"
    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(default="", max_length=20, unique=True)
    competencies: str = Field(max_length=2000)


class EvaluationRating(SQLModel, table=True):
    __tablename__ = "evaluation_rating"
    __table_args__ = (UniqueConstraint("evaluation_id", "competency"),)
    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    competency: str = Field(max_length=120)
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=500)


class EvaluationGoal(Versioned, table=True):
    __tablename__ = "evaluation_goal"
    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    goal: str = Field(max_length=300)
    due: date | None = None
    done_on: date | None = None


class StaffMeeting(Versioned, table=True):
    """A staff meeting beyond the daily huddle: agenda before, minutes after; its actions are huddle actions."""

    __tablename__ = "staff_meeting"
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    title: str = Field(max_length=120)
    agenda: str = Field(default="", max_length=4000)
    minutes: str = Field(default="", max_length=8000)
    finished_at: NaiveDatetime | None = None
    actor: str = Field(default="", max_length=60)


class MeetingAttendee(SQLModel, table=True):
    __tablename__ = "meeting_attendee"
    __table_args__ = (UniqueConstraint("meeting_id", "staff_id"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="staff_meeting.id", index=True)
    staff_id: int = Field(foreign_key="staff.id")


class PolicyVersion(Versioned, table=True):
    """One version of a policy in the compliance register: everyone whose role it applies to signs it."""

    __tablename__ = "policy_version"
    __table_args__ = (UniqueConstraint("task_id", "label"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="compliance_task.id", index=True)
    label: str = Field(max_length=20)  # "v3", "2026-12"
    effective: date
    summary: str = Field(default="", max_length=1000)
    document: str = Field(default="", max_length=4000)  # a file path, or the text itself
    roles: str = Field(default="", max_length=200)  # comma-separated staff Role values; "" = every role
    created_on: date
    created_by: str = Field(default="", max_length=60)


class PolicySignature(SQLModel, table=True):
    __tablename__ = "policy_signature"
    __table_args__ = (UniqueConstraint("version_id", "staff_id"),)
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="policy_version.id", index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    signed_on: date
    recorded_by: str = Field(default="", max_length=60)
