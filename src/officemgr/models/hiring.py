"""Job openings and applicants: kept apart from staff records (an applicant is not staff until hired), and purged
after the retention period the practice sets."""

from __future__ import annotations

import enum
from datetime import date

from sqlmodel import Field

from officemgr.models.base import Versioned, enum_field
from officemgr.models.people import Role


class ApplicantStage(str, enum.Enum):
    applied = "applied"
    phone_screen = "phone_screen"
    interview = "interview"
    references = "references"
    offer = "offer"
    hired = "hired"
    declined = "declined"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def closed(self) -> bool:
        return self in (ApplicantStage.hired, ApplicantStage.declined, ApplicantStage.withdrawn)


class JobOpening(Versioned, table=True):
    __tablename__ = "job_opening"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=80)
    role: Role = enum_field(Role)
    hours_per_week: int = Field(default=40, ge=1, le=80)
    posted_on: date
    closed_on: date | None = None
    note: str = Field(default="", max_length=500)


class Applicant(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    opening_id: int = Field(foreign_key="job_opening.id", index=True)
    first_name: str = Field(max_length=60)
    last_name: str = Field(max_length=60)
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=120)
    stage: ApplicantStage = enum_field(ApplicantStage, default=ApplicantStage.applied, index=True)
    applied_on: date
    # When the applicant was hired, declined or withdrew: the retention period counts from this day.
    closed_on: date | None = Field(default=None, index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")  # the staff record made on hiring

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ApplicantNote(Versioned, table=True):
    """A dated note at one stage (a phone screen, an interview, a reference called), with who did it."""

    __tablename__ = "applicant_note"
    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    stage: ApplicantStage = enum_field(ApplicantStage)
    noted_on: date
    interviewer: str = Field(default="", max_length=60)
    note: str = Field(default="", max_length=2000)
