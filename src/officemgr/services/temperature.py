"""The vaccine temperature log (CDC storage and handling): storage units, readings, excursions, gaps.

A reading is appended, never edited. A reading whose current, min or max temperature falls outside the
unit's range is an excursion: the same transaction opens a temperature Concern (an incident) that can only
be closed with a note of the action taken. Every business day of the practice calendar (on the weekdays of the
`temperature_log_weekdays` setting, Mon–Fri by default; not on a holiday or closure) each active unit needs at
least one reading; `missing_readings` lists the days that have none.

A temperature typed in °F is converted and kept in full precision, so the range check sees what was typed:
46.42 °F is 8.01 °C, above a fridge's 8.0 °C, though a tenth of a degree would show 8.0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import NaiveDatetime, ValidationInfo, field_validator
from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, col, select

from officemgr.models import (
    AuditEvent,
    Concern,
    ConcernCategory,
    ConcernKind,
    ConcernStatus,
    StorageKind,
    StorageUnit,
    TemperatureReading,
)
from officemgr.models.validation import require_text, strip_free_text, strip_text
from officemgr.services import settings
from officemgr.services.calendar import practice_calendar
from officemgr.services.common import ServiceError, create, created_fields, record

# Settings this area reads (stored in the `setting` table under these keys when a practice changes them).
# No vaccine fridge or freezer can read outside this; a value beyond it is a typing mistake (or C/F mix-up).
PLAUSIBLE_C = (-90.0, 60.0)
# A reading may be stamped a little after the clock (two people, two clocks); more than this is refused.
FUTURE_SLACK = timedelta(minutes=5)
ACTION_HINT = (
    "Label the vaccines 'do not use', keep them in a unit at the right temperature, check the thermometer and "
    "the door/power, and call the manufacturer (and the state immunization program for VFC stock). Close "
    "this incident with a note of the action taken."
)

# Digits kept of a converted °F value: far beyond any thermometer, and enough to drop float noise, so 46.4 °F
# is 8.0 °C exactly (in range) rather than 7.999999999999999.
_PRECISION = 9

_TEMPERATURE = re.compile(r"([+-]?\s*(?:\d+(?:\.\d*)?|\.\d+))\s*(?:°|º|deg(?:rees?)?)?\s*([cf])?", re.IGNORECASE)
_INITIALS = re.compile(r"[A-Za-z]{2,4}")


def unit_ranges(session: Session) -> dict[StorageKind, tuple[float, float]]:
    ranges = settings.get(session, "temperature_ranges")
    return {kind: (float(ranges[kind.value][0]), float(ranges[kind.value][1])) for kind in StorageKind}


# ------------------------------------------------------------------------------------------- parsing


def parse_temperature(text: str | float | int) -> float:
    """A temperature as typed, in °C: '4.5', '4.5 C', '40F', '41 F' -> 5.0, '-20 c', '−20 °C'.

    Fahrenheit is converted in full precision (40 F is 4.444444444 °C): rounding is for display only, so a range
    check never sees a rounded value. ValueError says what a temperature looks like.
    """
    if isinstance(text, bool):
        raise ValueError("enter a temperature, e.g. 4.5 or 40 F")
    if isinstance(text, (int, float)):
        return float(text)
    if not isinstance(text, str):
        raise ValueError("enter a temperature, e.g. 4.5 or 40 F")
    cleaned = (text or "").strip().replace("−", "-").replace("–", "-").replace(",", ".")
    if not cleaned:
        raise ValueError("enter the temperature, e.g. 4.5 (°C) or 40 F")
    match = _TEMPERATURE.fullmatch(cleaned)
    if match is None:
        raise ValueError("a temperature looks like 4.5, 4.5 C, 40 F or -20 C")
    value = float(match.group(1).replace(" ", ""))
    if (match.group(2) or "c").lower() == "f":
        return round((value - 32) * 5 / 9, _PRECISION)
    return value


def degrees(value: float | None) -> str:
    """'5.0 °C'; '8.01 °C' when a tenth would hide that a converted °F value is off the tenth (and maybe out of
    range); '—' for no value."""
    if value is None:
        return "—"
    places = 1 if round(value, 1) == value else 2
    text = f"{value:.{places}f}"
    return f"{'0.0' if float(text) == 0 else text} °C"


def range_label(low: float, high: float) -> str:
    """'2–8 °C', '-50 to -15 °C'."""
    lo, hi = f"{low:g}", f"{high:g}"
    return f"{lo}–{hi} °C" if low >= 0 else f"{lo} to {hi} °C"


# ------------------------------------------------------------------------------------------- schemas


class UnitCreate(SQLModel):
    name: str = Field(max_length=60)
    kind: StorageKind
    location: str = Field(default="", max_length=60)

    _name = field_validator("name")(require_text)
    _text = field_validator("location")(strip_text)


def _check_plausible(value: float) -> float:
    low, high = PLAUSIBLE_C
    if not low <= value <= high:
        raise ValueError(f"{value:g} °C is not a temperature a vaccine fridge or freezer can show; "
                         "check the number (and C or F)")
    return value


class ReadingCreate(SQLModel):
    """One logged reading. Temperatures may be given as text ('41 F', '-20 C'); they are stored in °C."""

    unit_id: int
    at: NaiveDatetime
    reading_c: float
    min_c: float | None = None
    max_c: float | None = None
    initials: str
    note: str = Field(default="", max_length=200)

    @field_validator("reading_c", "min_c", "max_c", mode="before")
    @classmethod
    def _parse(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            if info.field_name == "reading_c":
                raise ValueError("enter the temperature shown now, e.g. 4.5 (°C) or 40 F")
            return None
        return _check_plausible(parse_temperature(value))

    @field_validator("min_c")
    @classmethod
    def _min(cls, value: float | None, info: ValidationInfo) -> float | None:
        reading = info.data.get("reading_c")
        if value is not None and reading is not None and value > reading:
            raise ValueError(f"the minimum ({degrees(value)}) cannot be above the current reading "
                             f"({degrees(reading)}); check both numbers")
        return value

    @field_validator("max_c")
    @classmethod
    def _max(cls, value: float | None, info: ValidationInfo) -> float | None:
        low, reading = info.data.get("min_c"), info.data.get("reading_c")
        if value is not None and low is not None and low > value:
            raise ValueError(f"the maximum ({degrees(value)}) cannot be below the minimum ({degrees(low)})")
        if value is not None and reading is not None and value < reading:
            raise ValueError(f"the maximum ({degrees(value)}) cannot be below the current reading "
                             f"({degrees(reading)}); check both numbers")
        return value

    @field_validator("initials", mode="before")
    @classmethod
    def _initials(cls, value: Any) -> str:
        text = "".join(str(value or "").split()).replace(".", "")
        if not text:
            raise ValueError("initials of whoever read the thermometer, e.g. MJ")
        if not _INITIALS.fullmatch(text):
            raise ValueError("initials are 2 to 4 letters, e.g. MJ")
        return text.upper()

    _note = field_validator("note", mode="before")(strip_free_text)


# ------------------------------------------------------------------------------------------- units


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    kind: StorageKind
    location: str
    active: bool
    low: float
    high: float
    version: int = 1

    @property
    def range_label(self) -> str:
        return range_label(self.low, self.high)

    def out_of_range(self, value: float | None) -> bool:
        return value is not None and not self.low <= value <= self.high


def _unit_row(unit: StorageUnit, ranges: dict[StorageKind, tuple[float, float]]) -> UnitRow:
    assert unit.id is not None
    low, high = ranges[unit.kind]
    return UnitRow(unit.id, unit.name, unit.kind, unit.location, unit.active, low, high, unit.version)


def units(session: Session, *, include_inactive: bool = False) -> list[UnitRow]:
    """The storage units, fridges first, then by name; each with the range that applies to it."""
    query = select(StorageUnit)
    if not include_inactive:
        query = query.where(StorageUnit.active)
    ranges = unit_ranges(session)
    order = list(StorageKind)
    rows = sorted(session.exec(query), key=lambda u: (order.index(u.kind), u.name.lower(), u.id))
    return [_unit_row(unit, ranges) for unit in rows]


def unit(session: Session, unit_id: int) -> UnitRow | None:
    found = session.get(StorageUnit, unit_id)
    return _unit_row(found, unit_ranges(session)) if found else None


def add_unit(session: Session, data: UnitCreate, *, now: datetime, actor: str) -> UnitRow:
    """A fridge or freezer whose temperature is logged from now on."""
    if session.exec(select(StorageUnit).where(func.lower(StorageUnit.name) == data.name.lower())).first():
        raise ServiceError(f"there is already a unit called {data.name}")
    row = StorageUnit(name=data.name, kind=data.kind, location=data.location)
    create(session, row, entity="storage_unit", actor=actor, now=now)
    return _unit_row(row, unit_ranges(session))


# ------------------------------------------------------------------------------------------- readings


@dataclass(frozen=True)
class LoggedReading:
    id: int
    unit_id: int
    at: datetime
    reading_c: float


@dataclass(frozen=True)
class OpenedIncident:
    """The temperature concern an excursion opened."""

    id: int
    summary: str


@dataclass(frozen=True)
class ReadingResult:
    reading: LoggedReading
    concern: OpenedIncident | None  # the incident opened for an excursion, None when every value was in range

    @property
    def excursion(self) -> bool:
        return self.concern is not None


def excursion_summary(name: str, at: datetime, reading_c: float, min_c: float | None, max_c: float | None,
                      low: float, high: float) -> str | None:
    """'Vaccine fridge 9.1 °C at 08:05 (range 2–8 °C)'; None when every value is in range."""
    def out(value: float | None) -> bool:
        return value is not None and not low <= value <= high

    if not (out(reading_c) or out(min_c) or out(max_c)):
        return None
    parts = [f"{name} {degrees(reading_c)} at {at:%H:%M}"]
    extremes = [f"{label} {degrees(v)}" for label, v in (("min", min_c), ("max", max_c)) if out(v)]
    if extremes:
        parts.append(f"logger {' / '.join(extremes)} since last check")
    return f"{', '.join(parts)} (range {range_label(low, high)})"[:200]


def log_reading(session: Session, data: ReadingCreate, *, now: datetime, actor: str) -> ReadingResult:
    """Append a reading; an out-of-range value also opens a temperature incident, in the same transaction."""
    unit_row = session.get(StorageUnit, data.unit_id)
    if unit_row is None or not unit_row.active:
        raise ServiceError("that storage unit is retired or no longer exists — reload")
    if data.at > now + FUTURE_SLACK:
        raise ServiceError(f"a reading cannot be logged for a time still to come ({data.at:%m/%d/%Y %H:%M})")
    if session.exec(select(TemperatureReading.id).where(TemperatureReading.unit_id == unit_row.id,
                                                        TemperatureReading.at == data.at)).first():
        raise ServiceError(f"a reading for {unit_row.name} at {data.at:%m/%d/%Y %H:%M} is already logged")
    assert unit_row.id is not None
    reading = TemperatureReading(unit_id=unit_row.id, at=data.at, reading_c=data.reading_c,
                                 min_c=data.min_c, max_c=data.max_c, initials=data.initials, note=data.note)
    session.add(reading)
    session.flush()
    assert reading.id is not None
    record(session, actor=actor, entity="temperature_reading", entity_id=reading.id,
           action="create", changes=created_fields(reading), now=now)
    low, high = unit_ranges(session)[unit_row.kind]
    summary = excursion_summary(unit_row.name, data.at, data.reading_c, data.min_c, data.max_c, low, high)
    concern: OpenedIncident | None = None
    if summary is not None:
        details = [f"Reading {degrees(data.reading_c)}", f"min {degrees(data.min_c)}", f"max {degrees(data.max_c)}",
                   f"at {data.at:%m/%d/%Y %H:%M}", f"by {data.initials}"]
        detail = ", ".join(details) + "." + (f" Note: {data.note}" if data.note else "") + f"\n{ACTION_HINT}"
        today = now.date()
        opened = Concern(
            kind=ConcernKind.temperature, category=ConcernCategory.vaccine_storage, summary=summary,
            detail=detail[:2000], reported_on=today, discovered_on=data.at.date(), reporter=data.initials,
            due=today + timedelta(days=int(settings.get(session, "temperature_concern_due_days"))),
            status=ConcernStatus.open, reading_id=reading.id,
        )
        session.add(opened)
        session.flush()
        assert opened.id is not None
        record(session, actor=actor, entity="concern", entity_id=opened.id,
               action="create", changes=created_fields(opened), now=now)
        concern = OpenedIncident(opened.id, summary)
    session.commit()
    return ReadingResult(LoggedReading(reading.id, unit_row.id, data.at, data.reading_c), concern)


@dataclass(frozen=True)
class LogRow:
    id: int
    at: datetime
    reading_c: float
    min_c: float | None
    max_c: float | None
    initials: str
    note: str
    out_of_range: bool
    concern_id: int | None = None
    concern_status: ConcernStatus | None = None


def log_for(session: Session, unit_id: int, first: date, last: date) -> list[LogRow]:
    """A unit's readings from `first` to `last` (inclusive), newest first, out-of-range ones flagged."""
    found = session.get(StorageUnit, unit_id)
    if found is None:
        return []
    low, high = unit_ranges(session)[found.kind]
    rows = session.exec(
        select(TemperatureReading, Concern.id, Concern.status)
        .outerjoin(Concern, col(Concern.reading_id) == TemperatureReading.id)
        .where(TemperatureReading.unit_id == unit_id,
               TemperatureReading.at >= datetime.combine(first, time.min),
               TemperatureReading.at < datetime.combine(last + timedelta(days=1), time.min))
        .order_by(col(TemperatureReading.at).desc(), col(TemperatureReading.id).desc())
    ).all()
    result: list[LogRow] = []
    seen: set[int] = set()
    for reading, concern_id, status in rows:
        assert reading.id is not None
        if reading.id in seen:  # more than one concern on one reading: show the reading once
            continue
        seen.add(reading.id)
        out = any(v is not None and not low <= v <= high for v in (reading.reading_c, reading.min_c, reading.max_c))
        result.append(LogRow(reading.id, reading.at, reading.reading_c, reading.min_c, reading.max_c,
                             reading.initials, reading.note, out, concern_id,
                             ConcernStatus(status) if status is not None else None))
    return result


def expected_days(session: Session, first: date, last: date) -> list[date]:
    """The days from `first` to `last` a reading is due: the practice calendar's business days (no holiday or
    closure; a half day is open) on the weekdays the `temperature_log_weekdays` setting names."""
    weekdays = {int(d) for d in settings.get(session, "temperature_log_weekdays")}
    return [day for day in practice_calendar(session).business_days(first, last) if day.weekday() in weekdays]


def _logging_since(session: Session, unit_ids: list[int]) -> dict[int, date]:
    """When each unit's log starts: its first reading or the day it was added, whichever is earlier."""
    since: dict[int, date] = {}
    for unit_id, first_at in session.exec(
        select(TemperatureReading.unit_id, func.min(TemperatureReading.at))
        .where(col(TemperatureReading.unit_id).in_(unit_ids)).group_by(col(TemperatureReading.unit_id))
    ):
        since[unit_id] = first_at.date() if isinstance(first_at, datetime) else date.fromisoformat(str(first_at)[:10])
    for unit_id, added_at in session.exec(
        select(AuditEvent.entity_id, func.min(AuditEvent.at))
        .where(AuditEvent.entity == "storage_unit", AuditEvent.action == "create",
               col(AuditEvent.entity_id).in_(unit_ids)).group_by(col(AuditEvent.entity_id))
    ):
        added = added_at.date() if isinstance(added_at, datetime) else date.fromisoformat(str(added_at)[:10])
        since[unit_id] = min(since.get(unit_id, added), added)
    return since


def missing_readings(session: Session, first: date, last: date) -> list[tuple[UnitRow, date]]:
    """Days a reading is due (`expected_days`) from `first` to `last` on which an active unit has none, in `units`
    order then by day.

    A unit counts from the day it was added (or its first reading, if earlier), so a new fridge does not
    show weeks of gaps. A data logger does not replace the daily reading: one a business day is still needed.
    """
    if last < first:
        return []
    active = units(session)
    if not active:
        return []
    days = expected_days(session, first, last)
    ids = [u.id for u in active]
    logged = {(unit_id, at.date() if isinstance(at, datetime) else date.fromisoformat(str(at)[:10]))
              for unit_id, at in session.exec(
                  select(TemperatureReading.unit_id, TemperatureReading.at)
                  .where(col(TemperatureReading.unit_id).in_(ids),
                         TemperatureReading.at >= datetime.combine(first, time.min),
                         TemperatureReading.at < datetime.combine(last + timedelta(days=1), time.min)))}
    since = _logging_since(session, ids)
    return [(u, day) for u in active for day in days
            if day >= since.get(u.id, first) and (u.id, day) not in logged]


@dataclass(frozen=True)
class LogDay:
    """One day a reading was due, as the log has it: the checklist's temperature-log duty reads these, so the
    duty and the log always agree (the day is done when every unit has its reading)."""

    day: date
    readings: tuple[str, ...]  # "Vaccine fridge 4.5 °C" for each reading logged that day, in time order
    initials: tuple[str, ...]  # who read, in the same order, each once
    last_at: datetime | None  # the day's last reading
    missing: tuple[str, ...]  # the units with no reading that day

    @property
    def done(self) -> bool:
        return not self.missing


def log_days(session: Session, first: date, last: date) -> list[LogDay]:
    """Every day from `first` to `last` a reading was due (`expected_days`, once at least one active unit was
    being logged), with that day's readings and the units `missing_readings` lists for it."""
    if last < first:
        return []
    active = units(session)
    if not active:
        return []
    since = _logging_since(session, [u.id for u in active])
    missing: dict[date, list[str]] = {}
    for unit_row, day in missing_readings(session, first, last):
        missing.setdefault(day, []).append(unit_row.name)
    names = {u.id: u.name for u in active}
    logged: dict[date, list[TemperatureReading]] = {}
    for row in session.exec(
        select(TemperatureReading)
        .where(col(TemperatureReading.unit_id).in_(list(names)),
               TemperatureReading.at >= datetime.combine(first, time.min),
               TemperatureReading.at < datetime.combine(last + timedelta(days=1), time.min))
        .order_by(col(TemperatureReading.at), col(TemperatureReading.id))
    ):
        logged.setdefault(row.at.date(), []).append(row)
    days = []
    for day in expected_days(session, first, last):
        if not any(day >= since.get(u.id, first) for u in active):
            continue  # no unit was being logged yet
        rows = logged.get(day, [])
        days.append(LogDay(day, tuple(f"{names[r.unit_id]} {degrees(r.reading_c)}" for r in rows),
                           tuple(dict.fromkeys(r.initials for r in rows)), rows[-1].at if rows else None,
                           tuple(missing.get(day, []))))
    return days
