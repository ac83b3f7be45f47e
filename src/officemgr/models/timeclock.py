"""Punches at the time clock, fixes to missed punches, approved timesheets, and PTO and sick-leave plans."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field


class PunchSource(str, enum.Enum):
    desk = "desk"  # the signed-in user at the front-desk PC
    kiosk = "kiosk"  # name and PIN at the kiosk screen
    fix = "fix"  # entered by a fix the manager approved


class Punch(Versioned, table=True):
    """One stretch of work: clocked in, and out (None while still in, or when the out punch was missed)."""

    __table_args__ = (Index("ix_punch_staff_in", "staff_id", "clock_in"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    clock_in: NaiveDatetime = Field(index=True)
    clock_out: NaiveDatetime | None = None
    source: PunchSource = enum_field(PunchSource, default=PunchSource.desk)


class FixStatus(str, enum.Enum):
    pending = "pending"
    approved = "approved"
    denied = "denied"


class PunchFix(Versioned, table=True):
    """A missed or wrong punch put right: asked for with a reason, applied only when the manager approves."""

    __tablename__ = "punch_fix"
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    punch_id: int | None = Field(default=None, foreign_key="punch.id")  # None: a stretch with no punch at all
    clock_in: NaiveDatetime
    clock_out: NaiveDatetime
    reason: str = Field(max_length=300)
    requested_by: str = Field(max_length=60)
    requested_on: date
    status: FixStatus = enum_field(FixStatus, default=FixStatus.pending, index=True)
    decided_by: str = Field(default="", max_length=60)
    decided_on: date | None = None


class Timesheet(SQLModel, table=True):
    """A pay period's hours for one person, approved by the manager: what the timesheet export and payroll use."""

    __table_args__ = (UniqueConstraint("staff_id", "period_start"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    period_start: date = Field(index=True)
    period_end: date
    worked_minutes: int = Field(ge=0)
    from_punches: bool  # False: the hours came from scheduled shifts (no punches that period)
    approved_by: str = Field(max_length=60)
    approved_at: NaiveDatetime


class LeaveKind(str, enum.Enum):
    pto = "pto"
    sick = "sick"

    @property
    def label(self) -> str:
        return "PTO" if self is LeaveKind.pto else "Sick leave"


class AccrualMethod(str, enum.Enum):
    per_period = "per_period"  # a fixed number of hours each pay period
    per_hour = "per_hour"  # hours per hours worked (sick leave: 1 per 30)


class LeavePlan(Versioned, table=True):
    """How a kind of leave accrues: for one person (staff_id), else for a role, else for everyone (both empty)."""

    __tablename__ = "leave_plan"
    __table_args__ = (UniqueConstraint("kind", "staff_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: LeaveKind = enum_field(LeaveKind)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    role: str = Field(default="", max_length=20)
    method: AccrualMethod = enum_field(AccrualMethod)
    hours: float = Field(gt=0, le=200)  # accrued per pay period, or per `per_hours_worked` hours worked
    per_hours_worked: float | None = Field(default=None, gt=0, le=2080)
    carry_over_cap: float | None = Field(default=None, ge=0, le=2080)  # None: all unused hours carry over
    reset_month: int = Field(default=1, ge=1, le=12)
    reset_day: int = Field(default=1, ge=1, le=31)


class LeaveAdjustment(SQLModel, table=True):
    """Hours added to or taken from a balance by hand (an opening balance, a correction), with the reason."""

    __tablename__ = "leave_adjustment"
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    kind: LeaveKind = enum_field(LeaveKind)
    adjusted_on: date
    hours: float
    reason: str = Field(max_length=300)
    actor: str = Field(max_length=60)

