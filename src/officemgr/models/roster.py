"""Shifts, time off, credentials, evaluations and payer enrollment."""

from __future__ import annotations

import enum
from datetime import date, datetime

from pydantic import NaiveDatetime, field_validator, model_validator
from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, _enum_type, enum_field
from officemgr.models.validation import parse_time, require_text, strip_free_text


class TimeOffStatus(str, enum.Enum):
    requested = "requested"
    approved = "approved"
    denied = "denied"


class CredentialKind(str, enum.Enum):
    license = "license"
    dea = "dea"
    board = "board"
    bls = "bls"
    cma = "cma"
    rma = "rma"
    npi = "npi"
    hipaa_training = "hipaa_training"
    bbp_training = "bbp_training"

    @property
    def label(self) -> str:
        return CREDENTIAL_LABELS[self]


CREDENTIAL_LABELS = {
    CredentialKind.license: "State license",
    CredentialKind.dea: "DEA registration",
    CredentialKind.board: "Board certification",
    CredentialKind.bls: "BLS/CPR",
    CredentialKind.cma: "CMA",
    CredentialKind.rma: "RMA",
    CredentialKind.npi: "NPI",
    CredentialKind.hipaa_training: "HIPAA training",
    CredentialKind.bbp_training: "Bloodborne pathogens training",
}


class Shift(Versioned, table=True):
    __table_args__ = (Index("ix_shift_staff_start", "staff_id", "start"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    start: NaiveDatetime = Field(index=True)
    end: NaiveDatetime
    # Unpaid meal break inside the shift: not worked time for payroll or overtime.
    break_minutes: int = Field(default=0, ge=0)

    @property
    def worked_minutes(self) -> int:
        return max(0, int((self.end - self.start).total_seconds()) // 60 - self.break_minutes)


class TimeOff(Versioned, table=True):
    __tablename__ = "time_off"
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    # Kinds are a practice setting (PTO, sick, jury duty...), so they are free text, not an enum.
    kind: str = Field(max_length=30)
    start_date: date = Field(index=True)
    end_date: date
    status: TimeOffStatus = enum_field(TimeOffStatus, default=TimeOffStatus.requested)
    note: str = Field(default="", max_length=300)
    # Paid hours the absence uses (PTO balance, payroll); 8 per day the practice is open unless the request says so.
    hours: float = Field(default=0, ge=0)
    decided_by: str = Field(default="", max_length=60)
    decided_on: date | None = None
    # Taken over the person's balance, by their choice: not paid, and not drawn from the balance.
    unpaid: bool = False


class Credential(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    kind: CredentialKind = enum_field(CredentialKind)
    number: str = Field(default="", max_length=40)
    state: str = Field(default="", max_length=2)
    expires: date | None = Field(default=None, index=True)


class ShiftCreate(SQLModel):
    staff_id: int
    day: date
    start_time: str
    end_time: str
    break_minutes: int = Field(default=0, ge=0, le=240)

    _times = field_validator("start_time", "end_time")(parse_time)

    @model_validator(mode="after")
    def _order(self) -> ShiftCreate:
        if self.end_time <= self.start_time:
            raise ValueError("the shift must end after it starts (overnight shifts are two shifts)")
        if self.break_minutes >= (self.end - self.start).total_seconds() // 60:
            raise ValueError("the break must be shorter than the shift")
        return self

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, datetime.strptime(self.start_time, "%H:%M").time())

    @property
    def end(self) -> datetime:
        return datetime.combine(self.day, datetime.strptime(self.end_time, "%H:%M").time())


class TimeOffCreate(SQLModel):
    staff_id: int
    kind: str = Field(max_length=30)
    start_date: date
    end_date: date
    hours: float | None = Field(default=None, ge=0, le=2000)
    note: str = Field(default="", max_length=300)

    _kind = field_validator("kind")(require_text)
    _note = field_validator("note")(strip_free_text)

    @model_validator(mode="after")
    def _order(self) -> TimeOffCreate:
        if self.end_date < self.start_date:
            raise ValueError("the last day cannot be before the first")
        if (self.end_date - self.start_date).days > 366:
            raise ValueError("time off is requested a year at a time at most")
        return self


class EvaluationKind(str, enum.Enum):
    probation = "probation"
    yearly = "yearly"

    @property
    def label(self) -> str:
        return "90-day review" if self is EvaluationKind.probation else "Yearly evaluation"


class Evaluation(Versioned, table=True):
    """A performance evaluation: the 90-day review of a new hire, then yearly on the hire anniversary; rated on
    the role's competencies, with goals, the employee's comments and the date they signed."""

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    due: date = Field(index=True)
    done_on: date | None = None
    note: str = Field(default="", max_length=500)
    kind: EvaluationKind = Field(default=EvaluationKind.yearly, sa_column=Column(
        _enum_type(EvaluationKind), nullable=False, server_default=EvaluationKind.yearly.value))
    employee_comments: str = Field(default="", max_length=2000, sa_column_kwargs={"server_default": ""})
    signed_on: date | None = None
    reviewer: str = Field(default="", max_length=60, sa_column_kwargs={"server_default": ""})


class PayerEnrollment(Versioned, table=True):
    """A provider credentialed with a payer: effective date, re-credentialing due, CAQH re-attestation."""

    __tablename__ = "payer_enrollment"
    __table_args__ = (UniqueConstraint("provider_id", "payer_id"),)
    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="staff.id", index=True)
    payer_id: int = Field(foreign_key="payer.id")
    effective: date
    recredential_due: date | None = Field(default=None, index=True)
    caqh_attested_on: date | None = None
    note: str = Field(default="", max_length=200)
