"""Recurring compliance duties and their completions (never deleted; corrected by a new entry)."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import NaiveDatetime, field_validator
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field
from officemgr.models.validation import require_text, strip_text


class ComplianceCategory(str, enum.Enum):
    hipaa = "hipaa"
    osha = "osha"
    clia = "clia"
    cdc = "cdc"
    safety = "safety"
    hr = "hr"

    @property
    def label(self) -> str:
        return self.value.upper() if len(self.value) <= 5 else self.value.title()


class ComplianceTask(Versioned, table=True):
    __tablename__ = "compliance_task"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120, unique=True)
    category: ComplianceCategory = enum_field(ComplianceCategory)
    rrule: str = Field(max_length=200)
    # The first due date the RRULE counts from.
    anchor: date
    evidence: str = Field(default="", max_length=200)
    owner_role: str = Field(default="manager", max_length=20)
    active: bool = True


class ComplianceCompletion(SQLModel, table=True):
    __tablename__ = "compliance_completion"
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="compliance_task.id", index=True)
    due_date: date
    done_at: NaiveDatetime
    done_by: str = Field(max_length=60)
    evidence: str = Field(default="", max_length=500)
    reading: str = Field(default="", max_length=40)
    corrects_id: int | None = Field(default=None, foreign_key="compliance_completion.id")


class CompletionCreate(SQLModel):
    task_id: int
    due_date: date
    done_by: str
    evidence: str = ""
    reading: str = ""

    _by = field_validator("done_by")(require_text)
    _text = field_validator("evidence", "reading")(strip_text)
