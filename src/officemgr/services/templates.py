"""Editing when providers work: weekly hours, recurring blocks, dated exceptions, and visit types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlmodel import Session, col, select

from officemgr.models import Appointment, AppointmentType, Patient, ProviderHours, ScheduleBlock, Staff
from officemgr.models.validation import parse_time, require_text
from officemgr.services.availability import ACTIVE, WEEKDAYS
from officemgr.services.calendar import StrandedBooking
from officemgr.services.common import ServiceError, apply_update, create, created_fields, record
from officemgr.services.schedule import TypeChoice


def _clock(value: str) -> time:
    return datetime.strptime(parse_time(value), "%H:%M").time()


class HoursInput(BaseModel):
    """A weekday's hours; both empty means the provider does not work that weekday."""

    weekday: int = Field(ge=0, le=6)
    start: time | None = None
    end: time | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _times(cls, value: object) -> object:
        return _clock(value) if isinstance(value, str) and value.strip() else (None if value == "" else value)

    @model_validator(mode="after")
    def _order(self) -> HoursInput:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both a start and an end, or leave both empty for a day off")
        if self.start and self.end and self.start >= self.end:
            raise ValueError("the end must be after the start")
        return self


class BlockInput(BaseModel):
    """A block every given weekday (lunch, admin time) or on one date (an exception: out, half day)."""

    weekday: int | None = Field(default=None, ge=0, le=6)
    day: date | None = None
    start: time
    end: time
    reason: str

    _reason = field_validator("reason")(require_text)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _times(cls, value: object) -> object:
        return _clock(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self) -> BlockInput:
        if (self.weekday is None) == (self.day is None):
            raise ValueError("a block is either every given weekday or on one date")
        if self.start >= self.end:
            raise ValueError("the end must be after the start")
        return self


class TypeInput(BaseModel):
    name: str = Field(max_length=40)
    minutes: int = Field(gt=0, le=480)

    _name = field_validator("name")(require_text)


@dataclass(frozen=True)
class Hours:
    """A provider's hours on one weekday."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class BlockRow:
    """A block every `weekday`, or an exception on one `day` (exactly one of the two is set)."""

    id: int
    weekday: int | None
    day: date | None
    start: time
    end: time
    reason: str


@dataclass(frozen=True)
class Template:
    provider_id: int
    provider_name: str
    hours: dict[int, Hours]
    weekly_blocks: list[BlockRow]
    exceptions: list[BlockRow]


def template(session: Session, provider_id: int, today: date) -> Template:
    """A provider's weekly hours and blocks, and their exceptions from today on."""
    provider = session.get(Staff, provider_id)
    if provider is None:
        raise ServiceError("that provider no longer exists — reload")
    hours = {h.weekday: Hours(h.weekday, h.start, h.end)
             for h in session.exec(select(ProviderHours).where(ProviderHours.provider_id == provider_id))}
    blocks = []
    for b in session.exec(select(ScheduleBlock).where(ScheduleBlock.provider_id == provider_id)):
        assert b.id is not None
        blocks.append(BlockRow(b.id, b.weekday, b.day, b.start, b.end, b.reason))
    weekly = sorted((b for b in blocks if b.weekday is not None), key=lambda b: (b.weekday or 0, b.start))
    dated = sorted((b for b in blocks if b.day is not None and b.day >= today), key=lambda b: (b.day or today, b.start))
    return Template(provider_id, provider.name, hours, weekly, dated)


def set_hours(session: Session, provider_id: int, data: HoursInput, *, now: datetime, actor: str) -> None:
    row = session.exec(select(ProviderHours).where(ProviderHours.provider_id == provider_id,
                                                   ProviderHours.weekday == data.weekday)).first()
    if data.start is None or data.end is None:
        if row is not None:
            assert row.id is not None
            session.delete(row)
            record(session, actor=actor, entity="provider_hours", entity_id=row.id, action="delete",
                   changes={"weekday": WEEKDAYS[data.weekday]}, now=now)
    elif row is None:
        row = ProviderHours(provider_id=provider_id, weekday=data.weekday, start=data.start, end=data.end)
        session.add(row)
        session.flush()
        assert row.id is not None
        record(session, actor=actor, entity="provider_hours", entity_id=row.id, action="create",
               changes=created_fields(row), now=now)
    else:
        assert row.id is not None
        changes = apply_update(row, {"start": data.start, "end": data.end}, expected_version=None)
        record(session, actor=actor, entity="provider_hours", entity_id=row.id, action="update", changes=changes,
               now=now)
    session.commit()


def add_block(session: Session, provider_id: int, data: BlockInput, *, now: datetime, actor: str) -> BlockRow:
    block = ScheduleBlock(provider_id=provider_id, **data.model_dump())
    create(session, block, entity="schedule_block", actor=actor, now=now)
    assert block.id is not None
    return BlockRow(block.id, data.weekday, data.day, data.start, data.end, data.reason)


def stranded_by_block(session: Session, provider_id: int, data: BlockInput, *, now: datetime
                      ) -> list[StrandedBooking]:
    """The provider's active bookings from `now` on that the block would sit over: to call and reschedule.
    A dated exception looks at its day; a weekly block at every coming such weekday."""
    first = max(now, datetime.combine(data.day, time.min)) if data.day is not None else now
    query = (select(Appointment, Patient, Staff)
             .join(Patient, col(Patient.id) == col(Appointment.patient_id))
             .join(Staff, col(Staff.id) == col(Appointment.provider_id))
             .where(col(Appointment.provider_id) == provider_id, col(Appointment.start) >= first,
                    col(Appointment.status).in_(list(ACTIVE)))
             .order_by(col(Appointment.start), col(Appointment.id)))
    if data.day is not None:
        query = query.where(col(Appointment.start) < datetime.combine(data.day + timedelta(days=1), time.min))
    stranded = []
    for appt, patient, staff in session.exec(query).all():
        day = appt.start.date()
        if data.day is None and day.weekday() != data.weekday:
            continue
        # Overlap within the day: a visit that ends as the block starts (or starts as it ends) is not under it.
        if appt.start < datetime.combine(day, data.end) and appt.end > datetime.combine(day, data.start):
            assert appt.id is not None
            stranded.append(StrandedBooking(appt.id, appt.start, patient.name, patient.phone, staff.name))
    return stranded


def remove_block(session: Session, block_id: int, *, now: datetime, actor: str) -> None:
    block = session.get(ScheduleBlock, block_id)
    if block is None or block.id is None:
        raise ServiceError("that block no longer exists — reload")
    record(session, actor=actor, entity="schedule_block", entity_id=block.id, action="delete",
           changes=created_fields(block), now=now)
    session.delete(block)
    session.commit()


def save_type(session: Session, data: TypeInput, *, type_id: int | None, now: datetime, actor: str
              ) -> TypeChoice:
    """Add a visit type or change one's name or default length (booked visits keep their times)."""
    clash = session.exec(select(AppointmentType).where(
        AppointmentType.name == data.name, col(AppointmentType.id) != (type_id or -1))).first()
    if clash:
        raise ServiceError(f"there is already a type called {data.name}")
    if type_id is None:
        kind = AppointmentType(name=data.name, minutes=data.minutes)
        session.add(kind)
        session.flush()
        assert kind.id is not None
        type_id = kind.id
        record(session, actor=actor, entity="appointment_type", entity_id=type_id, action="create",
               changes=created_fields(kind), now=now)
    else:
        found = session.get(AppointmentType, type_id)
        if found is None:
            raise ServiceError("that type no longer exists — reload")
        kind = found
        changes = apply_update(kind, data.model_dump(), expected_version=None)
        record(session, actor=actor, entity="appointment_type", entity_id=type_id, action="update",
               changes=changes, now=now)
    saved = TypeChoice(type_id, kind.name, kind.minutes)
    session.commit()
    return saved
