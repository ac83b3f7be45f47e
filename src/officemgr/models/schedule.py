"""Appointment types and appointments."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from pydantic import NaiveDatetime, field_validator, model_validator
from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field, nullable_enum
from officemgr.models.validation import parse_time, require_text, strip_free_text, strip_text


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


class ReminderOutcome(str, enum.Enum):
    reached = "reached"
    left_message = "left_message"
    wrong_number = "wrong_number"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class EventKind(str, enum.Enum):
    create = "create"
    status = "status"
    move = "move"
    undo = "undo"


class RecallStatus(str, enum.Enum):
    open = "open"
    contacted = "contacted"
    booked = "booked"
    declined = "declined"


class WaitlistStatus(str, enum.Enum):
    waiting = "waiting"
    offered = "offered"
    booked = "booked"
    removed = "removed"


class ProviderHours(Versioned, table=True):
    """A provider's working hours on one weekday (0 = Monday). No row: not working that weekday."""

    __tablename__ = "provider_hours"
    __table_args__ = (
        UniqueConstraint("provider_id", "weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_provider_hours_weekday"),
        CheckConstraint("start < \"end\"", name="ck_provider_hours_order"),
    )
    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="staff.id", index=True)
    weekday: int
    start: time
    end: time


class ScheduleBlock(Versioned, table=True):
    """Time a provider cannot be booked: every given weekday (lunch) or on one date (an exception)."""

    __tablename__ = "schedule_block"
    __table_args__ = (
        CheckConstraint("(weekday IS NULL) <> (day IS NULL)", name="ck_schedule_block_when"),
        CheckConstraint("start < \"end\"", name="ck_schedule_block_order"),
    )
    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="staff.id", index=True)
    weekday: int | None = None
    day: date | None = Field(default=None, index=True)
    start: time
    end: time
    reason: str = Field(default="", max_length=80)


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
    # Set when the user booked it on top of another appointment after seeing the conflict.
    double_booked: bool = False
    # Occurrences booked together from one RRULE share the id of the first.
    series_id: int | None = Field(default=None, index=True)
    cancel_reason: str = Field(default="", max_length=200)
    reminder: ReminderOutcome | None = Field(default=None, sa_column=nullable_enum(ReminderOutcome))
    reminder_at: NaiveDatetime | None = None
    verified_on: date | None = None
    verified_by: str = Field(default="", max_length=60)


class AppointmentEvent(SQLModel, table=True):
    """Append-only history of an appointment: booked, each status change (timed), moves, undos."""

    __tablename__ = "appointment_event"
    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
    at: NaiveDatetime
    actor: str = Field(max_length=60)
    kind: EventKind = enum_field(EventKind)
    from_status: str = Field(default="", max_length=20)
    to_status: str = Field(default="", max_length=20)
    from_start: NaiveDatetime | None = None
    to_start: NaiveDatetime | None = None
    note: str = Field(default="", max_length=200)


class Recall(Versioned, table=True):
    """A patient told to come back (e.g. physical in 12 months); due recalls with no booking get a call."""

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="staff.id")
    type_id: int | None = Field(default=None, foreign_key="appointment_type.id")
    reason: str = Field(max_length=120)
    due: date = Field(index=True)
    status: RecallStatus = enum_field(RecallStatus, default=RecallStatus.open)
    created_on: date
    note: str = Field(default="", max_length=200)


class WaitlistEntry(Versioned, table=True):
    """A patient who wants an earlier slot; offered first when a cancellation opens one."""

    __tablename__ = "waitlist_entry"
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="staff.id")
    type_id: int | None = Field(default=None, foreign_key="appointment_type.id")
    added_on: date
    status: WaitlistStatus = enum_field(WaitlistStatus, default=WaitlistStatus.waiting)
    note: str = Field(default="", max_length=200)


class AppointmentCreate(SQLModel):
    """What the booking form collects; the end comes from the type's length unless given."""

    patient_id: int
    provider_id: int
    type_id: int
    day: date
    start_time: str
    minutes: int = Field(gt=0, le=480)
    reason: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=500)

    _reason = field_validator("reason")(strip_text)
    _note = field_validator("note")(strip_free_text)

    _time = field_validator("start_time")(parse_time)

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


class RecallCreate(SQLModel):
    """A recall to add: who comes back, why, and when (not in the past); optionally with whom, for what."""

    patient_id: int
    provider_id: int | None = None
    type_id: int | None = None
    reason: str = Field(max_length=120)
    due: date
    note: str = Field(default="", max_length=200)
    today: date

    _reason = field_validator("reason")(require_text)
    _note = field_validator("note")(strip_free_text)

    @model_validator(mode="after")
    def _not_in_the_past(self) -> RecallCreate:
        if self.due < self.today:
            raise ValueError("the due date cannot be in the past")
        return self


class WaitlistCreate(SQLModel):
    """A patient who wants an earlier slot: with a given provider or any (None), for a type or any length."""

    patient_id: int
    provider_id: int | None = None
    type_id: int | None = None
    note: str = Field(default="", max_length=200)

    _note = field_validator("note")(strip_free_text)
