"""Equipment with a service interval: when it was last serviced, when it is next due, and the service log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import Equipment, EquipmentCreate, EquipmentService, ServiceCreate
from officemgr.services import settings
from officemgr.services.common import ServiceError, StaleEdit, apply_update, create, record


@dataclass(frozen=True)
class EquipmentRow:
    equipment_id: int
    version: int
    name: str
    serial_number: str
    location: str
    service_every_days: int
    service_by: str
    last_service: date | None
    next_due: date
    days_to_due: int
    note: str


@dataclass(frozen=True)
class EquipmentRecord:
    """Equipment as stored after a change."""

    id: int
    version: int
    name: str
    serial_number: str
    location: str
    service_every_days: int
    service_by: str
    last_service: date | None
    next_due: date
    note: str
    active: bool

    @classmethod
    def of(cls, e: Equipment) -> EquipmentRecord:
        return cls(_id(e), e.version, e.name, e.serial_number, e.location, e.service_every_days, e.service_by,
                   e.last_service, e.next_due, e.note, e.active)


@dataclass(frozen=True)
class ServiceRow:
    on: date
    done_by: str
    note: str
    actor: str


def _id(e: Equipment) -> int:
    assert e.id is not None  # read from the database or flushed
    return e.id


def _row(e: Equipment, today: date) -> EquipmentRow:
    return EquipmentRow(_id(e), e.version, e.name, e.serial_number, e.location, e.service_every_days,
                        e.service_by, e.last_service, e.next_due, (e.next_due - today).days, e.note)


def equipment(session: Session, today: date) -> list[EquipmentRow]:
    """Active equipment, next service due first."""
    rows = session.exec(select(Equipment).where(Equipment.active)
                        .order_by(col(Equipment.next_due), col(Equipment.name)))
    return [_row(e, today) for e in rows]


def due(session: Session, today: date) -> list[EquipmentRow]:
    """Equipment overdue or due within the equipment_due_warn_days setting (an index read on next_due)."""
    horizon = today + timedelta(days=settings.get(session, "equipment_due_warn_days"))
    rows = session.exec(select(Equipment).where(Equipment.active, col(Equipment.next_due) <= horizon)
                        .order_by(col(Equipment.next_due), col(Equipment.name)))
    return [_row(e, today) for e in rows]


def services(session: Session, equipment_id: int, *, limit: int = 50) -> list[ServiceRow]:
    rows = session.exec(select(EquipmentService).where(EquipmentService.equipment_id == equipment_id)
                        .order_by(col(EquipmentService.on).desc(), col(EquipmentService.id).desc()).limit(limit))
    return [ServiceRow(s.on, s.done_by, s.note, s.actor) for s in rows]


def _next_due(data: EquipmentCreate, today: date) -> date:
    return (data.last_service or today) + timedelta(days=data.service_every_days)


def _check_name(session: Session, name: str, equipment_id: int | None = None) -> None:
    clash = session.exec(select(Equipment).where(func.lower(Equipment.name) == name.lower(),
                                                 col(Equipment.id) != equipment_id)).first()
    if clash:
        retired = "" if clash.active else " (retired); give the new one another name"
        raise ServiceError(f"there is already equipment called {name}{retired}")


def _check_last_service(data: EquipmentCreate, today: date) -> None:
    if data.last_service is not None and data.last_service > today:
        raise ServiceError("the last service cannot be in the future")


def add(session: Session, data: EquipmentCreate, *, today: date, now: datetime, actor: str) -> EquipmentRecord:
    _check_name(session, data.name)
    _check_last_service(data, today)
    row = Equipment.model_validate({**data.model_dump(), "next_due": _next_due(data, today)})
    create(session, row, entity="equipment", actor=actor, now=now)
    return EquipmentRecord.of(row)


def update(session: Session, equipment_id: int, data: EquipmentCreate, *, today: date, now: datetime, actor: str,
           expected_version: int | None) -> EquipmentRecord:
    row = session.get(Equipment, equipment_id)
    if row is None or not row.active:
        raise ServiceError("that equipment no longer exists — reload")
    _check_name(session, data.name, equipment_id)
    _check_last_service(data, today)
    values = {**data.model_dump(), "next_due": _next_due(data, row.next_due - timedelta(days=row.service_every_days))}
    changes = apply_update(row, values, expected_version=expected_version)
    if changes:
        record(session, actor=actor, entity="equipment", entity_id=equipment_id, action="update", changes=changes,
               now=now)
    session.commit()
    return EquipmentRecord.of(row)


def log_service(session: Session, equipment_id: int, data: ServiceCreate, *, today: date, now: datetime, actor: str,
                expected_version: int | None) -> EquipmentRecord:
    """Record a service or check; the next one falls due one interval after the latest service."""
    row = session.get(Equipment, equipment_id)
    if row is None or not row.active:
        raise ServiceError("that equipment no longer exists — reload")
    if expected_version is not None and row.version != expected_version:
        raise StaleEdit()
    if data.on > today:
        raise ServiceError("a service cannot be recorded for a future date")
    session.add(EquipmentService(equipment_id=equipment_id, on=data.on, done_by=data.done_by, note=data.note, at=now,
                                 actor=actor))
    old = (row.last_service, row.next_due)
    if row.last_service is None or data.on >= row.last_service:
        row.last_service = data.on
        row.next_due = data.on + timedelta(days=row.service_every_days)
    row.version += 1
    record(session, actor=actor, entity="equipment", entity_id=equipment_id, action="service",
           changes={"on": data.on, "done_by": data.done_by, "last_service": [old[0], row.last_service],
                    "next_due": [old[1], row.next_due]}, now=now)
    session.commit()
    return EquipmentRecord.of(row)


def retire(session: Session, equipment_id: int, *, now: datetime, actor: str, expected_version: int | None) -> None:
    """Take equipment off the list (sold, scrapped); its service log is kept."""
    row = session.get(Equipment, equipment_id)
    if row is None or not row.active:
        raise ServiceError("that equipment no longer exists — reload")
    changes = apply_update(row, {"active": False}, expected_version=expected_version)
    record(session, actor=actor, entity="equipment", entity_id=equipment_id, action="retire", changes=changes,
           now=now)
    session.commit()
