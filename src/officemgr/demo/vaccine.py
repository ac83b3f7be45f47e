"""The vaccine temperature log: a fridge and a freezer, a morning reading each workday for 60 days, one
fridge excursion three workdays ago with its open incident, and two workdays in the last two weeks that
nobody logged."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Connection

from officemgr.demo._db import _at, _insert, _open, _with_ids
from officemgr.demo._types import DEMO_NOW, Person, Row
from officemgr.models import (
    Concern,
    ConcernCategory,
    ConcernKind,
    ConcernStatus,
    StorageKind,
    StorageUnit,
    TemperatureReading,
)
from officemgr.services.settings import DEFAULTS
from officemgr.services.temperature import ACTION_HINT, degrees, excursion_summary

HISTORY_DAYS = 60
FRIDGE, FREEZER = "Vaccine fridge", "Vaccine freezer"
EXCURSION_WORKDAYS_AGO = 3
EXCURSION_C = 9.2
MISSED_DAYS = 2  # workdays in the last two weeks with no reading at all
# Who reads the thermometers at opening.
READER_ROLES = ("ma", "nurse")


def _workdays_before(today: date, count: int) -> list[date]:
    """The `count` days the practice was open before today, nearest first."""
    days: list[date] = []
    day = today
    while len(days) < count:
        day -= timedelta(days=1)
        if _open(day):
            days.append(day)
    return days


def _add_vaccine_storage(conn: Connection, rng: random.Random, staff: list[Person], today: date) -> dict[str, int]:
    """Write the units, their readings and the excursion's incident; return rows written per table
    (storage_units, temperature_readings, concerns)."""
    readers = [p for p in staff if p.role.value in READER_ROLES] or staff
    units = _with_ids(conn, StorageUnit, [
        {"name": FRIDGE, "kind": StorageKind.fridge.value, "location": "Lab / vaccine room", "active": True,
         "version": 1},
        {"name": FREEZER, "kind": StorageKind.freezer.value, "location": "Lab / vaccine room", "active": True,
         "version": 1},
    ])
    fridge_id, freezer_id = units[0]["id"], units[1]["id"]

    recent = _workdays_before(today, 10)  # the last two weeks
    excursion_day = recent[EXCURSION_WORKDAYS_AGO - 1]
    missed = set(rng.sample([d for d in recent if d != excursion_day], MISSED_DAYS))

    readings: list[Row] = []
    excursion: Row | None = None
    day = today - timedelta(days=HISTORY_DAYS)
    while day <= today:
        if _open(day) and day not in missed:
            reader = rng.choice(readers).initials
            at = _at(day, rng.randrange(7 * 60 + 40, 8 * 60 + 20))
            if day == today and at.time() > DEMO_NOW:
                at = _at(day, 8 * 60)
            if day == excursion_day:
                excursion = _reading(fridge_id, at, EXCURSION_C, round(rng.uniform(3.8, 4.6), 1),
                                     round(EXCURSION_C + rng.uniform(0.2, 0.6), 1), reader,
                                     "Door found ajar at opening; closed it")
                readings.append(excursion)
                readings.append(_reading(fridge_id, at + timedelta(minutes=45), 7.1, None, None, reader,
                                         "Recheck after closing the door"))
            else:
                readings.append(_fridge(rng, fridge_id, at, reader))
            readings.append(_freezer(rng, freezer_id, at + timedelta(minutes=rng.randint(1, 3)), reader))
        day += timedelta(days=1)
    readings.sort(key=lambda r: (r["at"], r["unit_id"]))
    _with_ids(conn, TemperatureReading, readings)

    counts = {"storage_units": _insert(conn, StorageUnit, units),
              "temperature_readings": _insert(conn, TemperatureReading, readings),
              "concerns": 0}
    if excursion is not None:
        low, high = DEFAULTS["temperature_ranges"]["fridge"]
        summary = excursion_summary(FRIDGE, excursion["at"], excursion["reading_c"], excursion["min_c"],
                                    excursion["max_c"], low, high)
        detail = (f"Reading {degrees(excursion['reading_c'])}, min {degrees(excursion['min_c'])}, "
                  f"max {degrees(excursion['max_c'])}, at {excursion['at']:%m/%d/%Y %H:%M}, by "
                  f"{excursion['initials']}. Note: {excursion['note']}\n{ACTION_HINT}")
        concern = {
            "kind": ConcernKind.temperature.value, "category": ConcernCategory.vaccine_storage.value,
            "summary": summary, "detail": detail, "reported_on": excursion_day, "discovered_on": excursion_day,
            "reporter": excursion["initials"], "owner": "", "due": excursion_day,
            "status": ConcernStatus.open.value, "possible_breach": False, "work_injury": False, "resolution": "",
            "closed_on": None, "reading_id": excursion["id"], "version": 1,
        }
        counts["concerns"] = _insert(conn, Concern, _with_ids(conn, Concern, [concern]))
    return counts


def _reading(unit_id: int, at: datetime, reading: float, low: float | None, high: float | None, initials: str,
             note: str = "") -> Row:
    return {"unit_id": unit_id, "at": at, "reading_c": reading, "min_c": low, "max_c": high,
            "initials": initials, "note": note}


def _fridge(rng: random.Random, unit_id: int, at: datetime, initials: str) -> Row:
    reading = round(min(6.5, max(3.5, rng.gauss(4.9, 0.6))), 1)
    low = round(max(2.4, reading - rng.uniform(0.3, 1.2)), 1)
    high = round(min(7.6, reading + rng.uniform(0.3, 1.3)), 1)
    return _reading(unit_id, at, reading, low, high, initials)


def _freezer(rng: random.Random, unit_id: int, at: datetime, initials: str) -> Row:
    reading = round(rng.uniform(-25.0, -18.0), 1)
    low = round(max(-30.0, reading - rng.uniform(0.5, 2.0)), 1)
    high = round(min(-16.0, reading + rng.uniform(0.5, 2.5)), 1)
    return _reading(unit_id, at, reading, low, high, initials)
