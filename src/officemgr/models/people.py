"""Patients and staff."""

from __future__ import annotations

import enum
import re
from datetime import date

from pydantic import field_validator, model_validator
from sqlalchemy import Column, ColumnElement, or_
from sqlmodel import Field, SQLModel, col

from officemgr.models.base import Versioned, _enum_type, enum_field
from officemgr.models.validation import (
    clean_email,
    clean_phone,
    npi_is_valid,
    require_text,
    strip_free_text,
    strip_text,
)


class Role(str, enum.Enum):
    physician = "physician"
    np_pa = "np_pa"
    ma = "ma"
    nurse = "nurse"
    front_desk = "front_desk"
    biller = "biller"
    manager = "manager"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.physician: "Physician",
    Role.np_pa: "NP/PA",
    Role.ma: "Medical assistant",
    Role.nurse: "Nurse",
    Role.front_desk: "Front desk",
    Role.biller: "Biller",
    Role.manager: "Manager",
}


class PayType(str, enum.Enum):
    hourly = "hourly"
    salaried = "salaried"

    @property
    def label(self) -> str:
        return self.value.capitalize()


PROVIDER_ROLES = frozenset({Role.physician, Role.np_pa})


# Columns added after patients existed: rows written without them (bulk inserts, old rows) read as empty.
_EMPTY = {"server_default": ""}


class Sex(str, enum.Enum):
    """Administrative sex as claims carry it (X12 DMG03: F, M, U)."""

    female = "F"
    male = "M"
    unknown = "U"


class ContactBy(str, enum.Enum):
    phone = "phone"
    text = "text"
    email = "email"
    mail = "mail"


class PatientBase(SQLModel):
    first_name: str = Field(max_length=60)
    last_name: str = Field(max_length=60, index=True)
    dob: date
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=500)
    preferred_name: str = Field(default="", max_length=60, sa_column_kwargs=_EMPTY)
    sex: Sex = Field(default=Sex.unknown, sa_column=Column(_enum_type(Sex), nullable=False, server_default="U"))
    address: str = Field(default="", max_length=120, sa_column_kwargs=_EMPTY)  # street and unit
    city: str = Field(default="", max_length=60, sa_column_kwargs=_EMPTY)
    state: str = Field(default="", max_length=2, sa_column_kwargs=_EMPTY)
    zip_code: str = Field(default="", max_length=10, sa_column_kwargs=_EMPTY)
    mobile: str = Field(default="", max_length=20, sa_column_kwargs=_EMPTY)
    contact_by: ContactBy = Field(default=ContactBy.phone, sa_column=Column(
        _enum_type(ContactBy), nullable=False, server_default="phone"))
    emergency_name: str = Field(default="", max_length=121, sa_column_kwargs=_EMPTY)
    emergency_phone: str = Field(default="", max_length=20, sa_column_kwargs=_EMPTY)
    emergency_relation: str = Field(default="", max_length=40, sa_column_kwargs=_EMPTY)
    # The person who pays (a minor's parent or guardian); empty: the patient.
    guarantor_name: str = Field(default="", max_length=121, sa_column_kwargs=_EMPTY)
    guarantor_relation: str = Field(default="", max_length=40, sa_column_kwargs=_EMPTY)
    guarantor_phone: str = Field(default="", max_length=20, sa_column_kwargs=_EMPTY)


class Patient(PatientBase, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # The number on statements and receipts (an imported system's MRN, else the id as six digits); unique.
    account: str | None = Field(default=None, max_length=20, unique=True)
    # Merged into another record: this one is kept (history, the audit trail's undo), hidden from search.
    merged_into: int | None = Field(default=None, foreign_key="patient.id")

    @property
    def name(self) -> str:
        return self.name_of(self.first_name, self.last_name)

    @staticmethod
    def name_of(first_name: str, last_name: str) -> str:
        """How a patient is named everywhere, for reads that select the two columns rather than the row."""
        return f"{last_name}, {first_name}"


class PatientCreate(PatientBase):
    _names = field_validator("first_name", "last_name")(require_text)
    _phone = field_validator("phone", "mobile", "emergency_phone", "guarantor_phone")(clean_phone)
    _text = field_validator("note")(strip_free_text)
    _email = field_validator("email")(clean_email)
    _short = field_validator("preferred_name", "address", "city", "emergency_name", "emergency_relation",
                             "guarantor_name", "guarantor_relation")(strip_text)

    @field_validator("state", mode="before")
    @classmethod
    def _state(cls, value: str | None) -> str:
        state = strip_text(value).upper()
        if state and not re.fullmatch(r"[A-Z]{2}", state):
            raise ValueError("a state is its two-letter code, e.g. OH")
        return state

    @field_validator("zip_code", mode="before")
    @classmethod
    def _zip(cls, value: str | None) -> str:
        text = strip_text(value)
        digits = text.replace("-", "").replace(" ", "")
        if text and not (digits.isdigit() and len(digits) in (5, 9)):
            raise ValueError("a ZIP code is 5 digits, or 9 as 12345-6789")
        return digits if len(digits) == 5 else (f"{digits[:5]}-{digits[5:]}" if digits else "")

    @model_validator(mode="after")
    def _emergency_named(self) -> PatientCreate:
        if self.emergency_phone and not self.emergency_name:
            raise ValueError("emergency_name: give the name of the emergency contact whose phone this is")
        return self


class StaffBase(SQLModel):
    first_name: str = Field(max_length=60)
    last_name: str = Field(max_length=60)
    role: Role = enum_field(Role)
    is_provider: bool = False
    npi: str | None = Field(default=None, max_length=10)
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=120)
    hire_date: date | None = None
    active: bool = True
    # FLSA: exempt (salaried) staff get no overtime; everyone else does over 40 h in a workweek.
    exempt: bool = False
    # A database default too: rows written in bulk (the demo) without the column are paid by the hour.
    pay_type: PayType = Field(default=PayType.hourly, sa_column=Column(
        _enum_type(PayType), nullable=False, server_default=PayType.hourly.value))
    pto_hours_per_year: int = Field(default=80, ge=0, le=1000)


class Staff(StaffBase, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # The last day worked: after it the person drops out of coverage, booking and payroll, and keeps their history.
    end_date: date | None = None
    end_reason: str = Field(default="", max_length=120, sa_column_kwargs=_EMPTY)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def employed_on(day: date) -> ColumnElement[bool]:
    """The where-clause for staff still employed on `day` (their end date, if any, is `day` or later)."""
    return or_(col(Staff.end_date).is_(None), col(Staff.end_date) >= day)


class StaffCreate(StaffBase):
    """Input for adding or editing a staff member; a provider must have a valid NPI."""

    _names = field_validator("first_name", "last_name")(require_text)
    _phone = field_validator("phone")(clean_phone)
    _email = field_validator("email")(clean_email)

    @field_validator("npi", mode="before")
    @classmethod
    def _npi(cls, value: str | None) -> str | None:
        value = strip_text(value)
        if not value:
            return None
        if not npi_is_valid(value):
            raise ValueError("an NPI is 10 digits starting with 1 or 2, and its last digit must check out")
        return value

    @model_validator(mode="after")
    def _provider_needs_npi(self) -> StaffCreate:
        if self.is_provider and not self.npi:
            raise ValueError("a provider needs an NPI")
        return self


class PayPeriod(str, enum.Enum):
    weekly = "weekly"
    biweekly = "biweekly"
    semimonthly = "semimonthly"
    monthly = "monthly"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PaySetting(Versioned, table=True):
    """How one staff member is paid, beyond the staff row's exempt status and pay type: the rate or salary, how
    often, and the PTO plan. Kept apart from the staff row: only the manager sees or changes it."""

    __tablename__ = "pay_setting"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", unique=True)
    pay_period: PayPeriod = Field(default=PayPeriod.biweekly, sa_column=Column(
        _enum_type(PayPeriod), nullable=False, server_default=PayPeriod.biweekly.value))
    # Not known until the manager enters it (the migration had nothing to fill it from).
    hourly_rate_cents: int | None = None
    salary_cents: int | None = None  # per year
    pto_plan: str = Field(default="", max_length=60, sa_column_kwargs=_EMPTY)


class CorrectiveKind(str, enum.Enum):
    coaching = "coaching"
    verbal_warning = "verbal_warning"
    written_warning = "written_warning"
    final_warning = "final_warning"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class CorrectiveAction(Versioned, table=True):
    """One entry in a staff member's corrective-action log (the manager's alone): what happened, the policy, what
    was agreed, when to follow up, and when and by whom it was closed."""

    __tablename__ = "corrective_action"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    happened_on: date
    kind: CorrectiveKind = enum_field(CorrectiveKind)
    policy: str = Field(default="", max_length=120)
    # The policy in the compliance register it concerns, when it is one of those.
    policy_task_id: int | None = Field(default=None, foreign_key="compliance_task.id")
    detail: str = Field(max_length=2000)  # what happened
    resolution: str = Field(default="", max_length=2000)  # what was agreed
    follow_up: date | None = None
    closed_on: date | None = None
    closed_by: str = Field(default="", max_length=60)
