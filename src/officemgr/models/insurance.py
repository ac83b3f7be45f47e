"""A patient's insurance: the plans that pay first, second and third, and each eligibility check.

A plan covers the days from `effective` through `termination` (either open). Eligibility is verified per plan (a
call or portal check on a day, by someone, with its result); a visit counts as verified when its plan was checked
within the practice's window before the visit (setting `eligibility_valid_days`).
"""

from __future__ import annotations

import enum
from datetime import date

from pydantic import field_validator, model_validator
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field, nullable_enum
from officemgr.models.validation import require_text, strip_free_text, strip_text


class PlanRank(str, enum.Enum):
    primary = "primary"
    secondary = "secondary"
    tertiary = "tertiary"


class Relationship(str, enum.Enum):
    """The patient's relationship to the subscriber (the plan's holder)."""

    self_ = "self"
    spouse = "spouse"
    child = "child"
    other = "other"


class Eligibility(str, enum.Enum):
    active = "active"
    inactive = "inactive"
    not_found = "not_found"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class PlanBase(SQLModel):
    payer_id: int = Field(foreign_key="payer.id", index=True)
    rank: PlanRank = enum_field(PlanRank, default=PlanRank.primary)
    member_id: str = Field(max_length=30)
    group_number: str = Field(default="", max_length=30)
    relationship: Relationship = enum_field(Relationship, default=Relationship.self_)
    subscriber_name: str = Field(default="", max_length=121)  # empty when the patient is the subscriber
    subscriber_dob: date | None = None
    effective: date | None = None
    termination: date | None = None
    copay_cents: int = Field(default=0, ge=0, le=1_000_000)
    deductible_cents: int = Field(default=0, ge=0, le=100_000_000)


class InsurancePlan(PlanBase, Versioned, table=True):
    __tablename__ = "insurance_plan"
    __table_args__ = (Index("ix_insurance_plan_patient_rank", "patient_id", "rank"),)
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    verified_on: date | None = None
    verified_by: str = Field(default="", max_length=60)
    verified_result: Eligibility | None = Field(default=None, sa_column=nullable_enum(Eligibility))
    verified_note: str = Field(default="", max_length=300)

    def covers(self, day: date) -> bool:
        return (self.effective is None or self.effective <= day) and (self.termination is None
                                                                       or day <= self.termination)


class PlanCreate(PlanBase):
    _member = field_validator("member_id")(require_text)
    _texts = field_validator("group_number", "subscriber_name")(strip_text)

    @model_validator(mode="after")
    def _consistent(self) -> PlanCreate:
        if self.effective and self.termination and self.termination < self.effective:
            raise ValueError("termination: the plan ends before it starts; check the dates")
        if self.relationship is not Relationship.self_ and not self.subscriber_name:
            raise ValueError("subscriber_name: give the name of the person who holds the plan")
        return self


class EligibilityCheck(SQLModel):
    result: Eligibility
    by: str = Field(max_length=60)
    note: str = Field(default="", max_length=300)

    _by = field_validator("by")(require_text)
    _note = field_validator("note")(strip_free_text)
