"""Recurring compliance duties and their completions (never deleted; corrected by a new entry)."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import NaiveDatetime, field_validator
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field
from officemgr.models.validation import require_text, strip_free_text, strip_text


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
    # A written policy in the register (reviewed on its RRULE, yearly by default) rather than a recurring duty.
    is_policy: bool = False
    # The person answerable for it, when it is one person rather than a role.
    owner: str = Field(default="", max_length=60)


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
    done_by: str = Field(max_length=60)
    evidence: str = Field(default="", max_length=500)
    reading: str = Field(default="", max_length=40)

    _by = field_validator("done_by")(require_text)
    _text = field_validator("reading")(strip_text)
    _evidence = field_validator("evidence")(strip_free_text)


class TaskCreate(SQLModel):
    """A duty or policy added in the app (the checklist file's fields, plus an anchor date)."""

    title: str = Field(max_length=120)
    category: ComplianceCategory
    rrule: str = Field(max_length=200)
    anchor: date
    evidence: str = Field(default="", max_length=200)
    owner_role: str = Field(default="manager", max_length=20)
    owner: str = Field(default="", max_length=60)
    is_policy: bool = False

    _title = field_validator("title", "rrule")(require_text)
    _text = field_validator("owner", "owner_role")(strip_text)
    _evidence = field_validator("evidence")(strip_free_text)


class StorageKind(str, enum.Enum):
    fridge = "fridge"
    freezer = "freezer"


class StorageUnit(Versioned, table=True):
    """A vaccine refrigerator or freezer whose temperature is logged."""

    __tablename__ = "storage_unit"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    kind: StorageKind = enum_field(StorageKind)
    location: str = Field(default="", max_length=60)
    active: bool = True


class TemperatureReading(SQLModel, table=True):
    """One logged reading (append-only): the current temperature and, with a data logger, min/max since last."""

    __tablename__ = "temperature_reading"
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="storage_unit.id", index=True)
    at: NaiveDatetime = Field(index=True)
    reading_c: float
    min_c: float | None = None
    max_c: float | None = None
    initials: str = Field(max_length=10)
    note: str = Field(default="", max_length=200)


class ConcernKind(str, enum.Enum):
    complaint = "complaint"
    incident = "incident"
    near_miss = "near_miss"
    temperature = "temperature"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class ConcernCategory(str, enum.Enum):
    billing = "billing"
    wait_time = "wait_time"
    conduct = "conduct"
    privacy = "privacy"
    safety = "safety"
    vaccine_storage = "vaccine_storage"
    other = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class ConcernStatus(str, enum.Enum):
    open = "open"
    acknowledged = "acknowledged"
    closed = "closed"


class Concern(Versioned, table=True):
    """A complaint, incident, near miss or temperature excursion, worked until closed with a resolution."""

    id: int | None = Field(default=None, primary_key=True)
    kind: ConcernKind = enum_field(ConcernKind)
    category: ConcernCategory = enum_field(ConcernCategory)
    summary: str = Field(max_length=200)
    detail: str = Field(default="", max_length=2000)
    reported_on: date = Field(index=True)
    # When the practice learned of it: the breach-notification and OSHA clocks start here.
    discovered_on: date
    reporter: str = Field(default="", max_length=80)
    owner: str = Field(default="", max_length=60)
    due: date | None = Field(default=None, index=True)
    status: ConcernStatus = enum_field(ConcernStatus, default=ConcernStatus.open)
    possible_breach: bool = False
    work_injury: bool = False
    resolution: str = Field(default="", max_length=2000)
    closed_on: date | None = None
    reading_id: int | None = Field(default=None, foreign_key="temperature_reading.id")
