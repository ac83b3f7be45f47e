"""Patients and staff."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import field_validator, model_validator
from sqlalchemy import Column
from sqlmodel import Field, SQLModel

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


class PatientBase(SQLModel):
    first_name: str = Field(max_length=60)
    last_name: str = Field(max_length=60, index=True)
    dob: date
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=500)


class Patient(PatientBase, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)

    @property
    def name(self) -> str:
        return self.name_of(self.first_name, self.last_name)

    @staticmethod
    def name_of(first_name: str, last_name: str) -> str:
        """How a patient is named everywhere, for reads that select the two columns rather than the row."""
        return f"{last_name}, {first_name}"


class PatientCreate(PatientBase):
    _names = field_validator("first_name", "last_name")(require_text)
    _phone = field_validator("phone")(clean_phone)
    _text = field_validator("note")(strip_free_text)
    _email = field_validator("email")(clean_email)


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

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


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
