"""Equipment that needs regular service (autoclave, AED, fridge data logger, ECG) and its service log."""

from __future__ import annotations

from datetime import date

from pydantic import NaiveDatetime, field_validator
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned
from officemgr.models.validation import require_text, strip_free_text, strip_text


class EquipmentBase(SQLModel):
    name: str = Field(max_length=80)
    serial_number: str = Field(default="", max_length=60)
    location: str = Field(default="", max_length=40)
    service_every_days: int = Field(gt=0, le=3660)
    service_by: str = Field(default="", max_length=80)  # vendor or in-house person who services it
    last_service: date | None = None
    note: str = Field(default="", max_length=200)


class Equipment(EquipmentBase, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    # last_service + interval (or the day it was added, if never serviced); stored so "due" is an index read.
    next_due: date = Field(index=True)
    active: bool = True


class EquipmentCreate(EquipmentBase):
    _name = field_validator("name")(require_text)
    _text = field_validator("serial_number", "location", "service_by")(strip_text)
    _note = field_validator("note")(strip_free_text)


class EquipmentService(SQLModel, table=True):
    """Append-only: one row per service or check done."""

    __tablename__ = "equipment_service"
    id: int | None = Field(default=None, primary_key=True)
    equipment_id: int = Field(foreign_key="equipment.id", index=True)
    on: date
    done_by: str = Field(max_length=80)
    note: str = Field(default="", max_length=200)
    at: NaiveDatetime
    actor: str = Field(default="", max_length=60)


class ServiceCreate(SQLModel):
    on: date
    done_by: str = Field(max_length=80)
    note: str = Field(default="", max_length=200)

    _who = field_validator("done_by")(require_text)
    _note = field_validator("note")(strip_free_text)
