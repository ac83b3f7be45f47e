"""Appointment types and appointments."""

from __future__ import annotations

import enum
from datetime import date, datetime

from pydantic import NaiveDatetime, field_validator, model_validator
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field
from officemgr.models.validation import require_text, strip_text


class ApptStatus(str, enum.Enum):
    booked = "booked"
    arrived = "arrived"
    in_room = "in_room"
    checked_out = "checked_out"
    cancelled = "cancelled"
    no_show = "no_show"

    @property
    def letter(self) -> str:
        """One letter per status, so the status reads on a monochrome terminal too."""
        return STATUS_LETTERS[self]

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


STATUS_LETTERS = {
    ApptStatus.booked: "B",
    ApptStatus.arrived: "A",
    ApptStatus.in_room: "R",
    ApptStatus.checked_out: "O",
    ApptStatus.cancelled: "C",
    ApptStatus.no_show: "N",
}


class AppointmentType(Versioned, table=True):
    __tablename__ = "appointment_type"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    minutes: int = Field(gt=0)


class Appointment(Versioned, table=True):
    __table_args__ = (
        Index("ix_appointment_provider_start", "provider_id", "start"),
        Index("ix_appointment_patient_start", "patient_id", "start"),
    )
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    provider_id: int = Field(foreign_key="staff.id")
    type_id: int = Field(foreign_key="appointment_type.id")
    start: NaiveDatetime = Field(index=True)
    end: NaiveDatetime
    status: ApptStatus = enum_field(ApptStatus, default=ApptStatus.booked)
    reason: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=500)


class AppointmentCreate(SQLModel):
    """What the booking form collects; the end comes from the type's length unless given."""

    patient_id: int
    provider_id: int
    type_id: int
    day: date
    start_time: str
    minutes: int = Field(gt=0, le=480)
    reason: str = ""
    note: str = ""

    _text = field_validator("reason", "note")(strip_text)

    @field_validator("start_time")
    @classmethod
    def _time(cls, value: str) -> str:
        value = require_text(value)
        try:
            parsed = datetime.strptime(value.upper().replace(" ", ""), "%H:%M")
        except ValueError:
            try:
                parsed = datetime.strptime(value.upper().replace(" ", ""), "%I:%M%p")
            except ValueError:
                raise ValueError("a time looks like 09:30 or 2:15 PM") from None
        return parsed.strftime("%H:%M")

    @model_validator(mode="after")
    def _fits_the_day(self) -> AppointmentCreate:
        if self.start_minutes + self.minutes > 24 * 60:
            raise ValueError("the appointment would run past midnight")
        return self

    @property
    def start_minutes(self) -> int:
        hours, minutes = self.start_time.split(":")
        return int(hours) * 60 + int(minutes)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, datetime.strptime(self.start_time, "%H:%M").time())
