"""What the benchmark's booking flow books: read here, below the UI, so the Pilot code under tui/ stays off tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from officemgr.models import Patient
from officemgr.services import availability, schedule
from officemgr.store import read_session

FIRST_FREE_WEEK = 4  # weeks ahead of today: past the demo's bookings, so slots are free


@dataclass(frozen=True)
class Booking:
    provider_id: int
    start: datetime
    last_name: str
    type_id: int


def booking_plan(engine: Engine, today: date, count: int) -> list[Booking]:
    """One booking per patient, each on its own day, so no patient is booked twice on one day."""
    with read_session(engine) as session:
        kind = schedule.appointment_types(session)[0]
        assert kind.id is not None
        names = session.exec(select(Patient.last_name).order_by(col(Patient.id)).limit(count)).all()
        first = today + timedelta(weeks=FIRST_FREE_WEEK)
        slots = [availability.open_slots(session, minutes=kind.minutes, from_day=first + timedelta(days=i),
                                         limit=1)[0] for i in range(count)]
    return [Booking(slot.provider_id, slot.start, name, kind.id) for slot, name in zip(slots, names, strict=True)]
