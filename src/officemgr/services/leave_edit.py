"""Changing leave: a plan for a person, a role or everyone, and an adjustment by hand (an opening balance, a
correction). Both are the manager's (the payroll area), audited. A plan's reset date must exist in every year:
February 29 is refused (choose February 28 or March 1)."""

from __future__ import annotations

import calendar as monthdays
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from sqlmodel import Session, col, select

from officemgr.models import Role, Staff
from officemgr.models.timeclock import AccrualMethod, LeaveAdjustment, LeaveKind, LeavePlan
from officemgr.models.validation import strip_text
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, apply_update, created_fields, record
from officemgr.services.leave import hours


class PlanInput(BaseModel):
    """A plan for `staff_id`, else for `role`, else (both empty) for everyone."""

    kind: LeaveKind
    staff_id: int | None = None
    role: Role | None = None
    method: AccrualMethod
    hours: float
    per_hours_worked: float | None = Field(default=None, validate_default=True)
    carry_over_cap: float | None = None
    reset_month: int = 1
    reset_day: int = 1

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: float) -> float:
        if not 0 < value <= 200:
            raise ValueError("the hours accrued must be more than 0 and at most 200")
        return value

    @field_validator("per_hours_worked")
    @classmethod
    def _per(cls, value: float | None, info: ValidationInfo) -> float | None:
        if info.data.get("method") is not AccrualMethod.per_hour:
            return None  # only accrual by hours worked uses it
        if value is None:
            raise ValueError("say how many hours worked earn it (30 for 1 hour per 30 worked)")
        if not 0 < value <= 2080:
            raise ValueError("the hours worked must be more than 0 and at most 2,080")
        return value

    @field_validator("carry_over_cap")
    @classmethod
    def _cap(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= 2080:
            raise ValueError("the carry-over cap is 0 (use it or lose it) to 2,080 hours; empty carries all")
        return value

    @field_validator("reset_month")
    @classmethod
    def _month(cls, value: int) -> int:
        if not 1 <= value <= 12:
            raise ValueError("the reset month is 1 to 12")
        return value

    @field_validator("reset_day")
    @classmethod
    def _day(cls, value: int, info: ValidationInfo) -> int:
        month = info.data.get("reset_month")
        if not isinstance(month, int):
            return value
        if month == 2 and value == 29:
            raise ValueError("February 29 is not in every year: choose February 28 or March 1")
        last = monthdays.monthrange(2025, month)[1]
        if not 1 <= value <= last:
            raise ValueError(f"{monthdays.month_name[month]} has days 1 to {last}")
        return value

    @model_validator(mode="after")
    def _one_target(self) -> PlanInput:
        if self.staff_id is not None and self.role is not None:
            raise ValueError("a plan is for a person or for a role, not both")
        return self


class AdjustmentInput(BaseModel):
    staff_id: int
    kind: LeaveKind
    hours: float
    reason: str

    _reason = field_validator("reason", mode="before")(strip_text)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: float) -> float:
        if value == 0 or not -2080 <= value <= 2080:
            raise ValueError("hours to add (or, with a minus sign, to take off): not 0, at most 2,080")
        return hours(value)

    @field_validator("reason")
    @classmethod
    def _why(cls, value: str) -> str:
        if not value:
            raise ValueError("say why (an opening balance, a correction…)")
        if len(value) > 300:
            raise ValueError("at most 300 characters")
        return value


def save_plan(session: Session, data: PlanInput, *, now: datetime, actor: str) -> int:
    """Create or change the plan for the person, role or everyone `data` names (the manager only)."""
    require(actor, Area.payroll, what="changing a leave plan")
    if data.staff_id is not None and session.get(Staff, data.staff_id) is None:
        raise ServiceError("that staff member is no longer on file — reload")
    role = data.role.value if data.role else ""
    query = select(LeavePlan).where(LeavePlan.kind == data.kind, LeavePlan.role == role)
    query = query.where(LeavePlan.staff_id == data.staff_id) if data.staff_id is not None else \
        query.where(col(LeavePlan.staff_id).is_(None))
    row = session.exec(query).first()
    values: dict[str, Any] = {"method": data.method, "hours": data.hours, "per_hours_worked": data.per_hours_worked,
              "carry_over_cap": data.carry_over_cap, "reset_month": data.reset_month, "reset_day": data.reset_day}
    if row is None:
        row = LeavePlan(kind=data.kind, staff_id=data.staff_id, role=role, **values)
        session.add(row)
        session.flush()
        assert row.id is not None, "the flush gives the new row its id"
        record(session, actor=actor, entity="leave_plan", entity_id=row.id, action="create",
               changes=created_fields(row), now=now)
    else:
        assert row.id is not None, "rows read have ids"
        changes = apply_update(row, values, expected_version=None)
        record(session, actor=actor, entity="leave_plan", entity_id=row.id, action="update", changes=changes,
               now=now)
    session.commit()
    return row.id


def add_adjustment(session: Session, data: AdjustmentInput, *, today: date, now: datetime, actor: str) -> int:
    """Add (or take off) hours by hand today, with the reason (the manager only)."""
    require(actor, Area.payroll, what="adjusting a leave balance")
    if session.get(Staff, data.staff_id) is None:
        raise ServiceError("that staff member is no longer on file — reload")
    name = getattr(actor, "name", str(actor))
    row = LeaveAdjustment(staff_id=data.staff_id, kind=data.kind, adjusted_on=today, hours=data.hours,
                          reason=data.reason, actor=name[:60])
    session.add(row)
    session.flush()
    assert row.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="leave_adjustment", entity_id=row.id, action="create",
           changes=created_fields(row), now=now)
    session.commit()
    return row.id
