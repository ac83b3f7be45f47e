"""Shifts, time off and credentials."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import Index
from sqlmodel import Field

from officemgr.models.base import Versioned, enum_field


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


class Credential(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    kind: CredentialKind = enum_field(CredentialKind)
    number: str = Field(default="", max_length=40)
    state: str = Field(default="", max_length=2)
    expires: date | None = Field(default=None, index=True)
