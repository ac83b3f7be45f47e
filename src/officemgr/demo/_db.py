"""Writing rows: transactions, bulk inserts with explicit ids; and small shared helpers."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from officemgr.demo._types import Row
from officemgr.models import Patient, Staff, UserAccount
from officemgr.models.base import table_of
from officemgr.services.calendar import PracticeCalendar
from officemgr.store import write_session

BATCH = 10_000


@contextmanager
def _transaction(engine: Engine) -> Iterator[Connection]:
    with write_session(engine) as session:
        yield session.connection()
        session.commit()


def _refuse_if_filled(conn: Connection) -> None:
    """Demo data (and its manager with PIN 1234) only goes into an empty database: never beside a practice's own
    patients, staff or sign-ins."""
    for model, what in ((Patient, "patients"), (Staff, "staff members"), (UserAccount, "sign-ins")):
        count = conn.execute(select(func.count()).select_from(table_of(model))).scalar_one()
        if count:
            raise ValueError(
                f"this database already holds {count} {what}; demo data only goes into an empty database "
                "(choose a new file with --db)"
            )


def _insert(conn: Connection, model: type[SQLModel], rows: Sequence[Row]) -> int:
    table = table_of(model)
    for start in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[start : start + BATCH])
    return len(rows)


def _next_id(conn: Connection, model: type[SQLModel]) -> int:
    table = table_of(model)
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _with_ids(conn: Connection, model: type[SQLModel], rows: list[Row]) -> list[Row]:
    """Explicit ids, so rows written later can point at these without reading them back."""
    first = _next_id(conn, model)
    for offset, row in enumerate(rows):
        row["id"] = first + offset
    return rows


def _ensure_named(conn: Connection, model: type[SQLModel], rows: list[Row],
                  key: str = "name") -> tuple[dict[str, int], int]:
    """Insert the rows whose name is not there yet; return {name: id} for all of them and how many were new."""
    table = table_of(model)
    ids = {name: id_ for name, id_ in conn.execute(select(table.c[key], table.c.id))}
    new = _with_ids(conn, model, [row for row in rows if row[key] not in ids])
    _insert(conn, model, new)
    ids.update({row[key]: row["id"] for row in new})
    return ids, len(new)


# ---------------------------------------------------------------------------------------- small helpers


def _phone(rng: random.Random, area: str = "555") -> str:
    return f"({area}) {rng.randint(200, 989)}-{rng.randint(0, 9999):04d}"


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time.min) + timedelta(minutes=minutes)


# The demo practice's calendar: the default one (Mon–Fri, closed on federal holidays), as a new practice has it.
DEMO_CALENDAR = PracticeCalendar()


def _clinic_days(first: date, last: date) -> list[date]:
    """The days the practice is open from first to last: no visits or shifts on weekends or holidays."""
    return DEMO_CALENDAR.business_days(first, last)


def _open(day: date) -> bool:
    return DEMO_CALENDAR.is_business_day(day)


def _open_on_or_after(day: date) -> date:
    return DEMO_CALENDAR.next_business_day(day)


def _open_on_or_before(day: date) -> date:
    return day if _open(day) else DEMO_CALENDAR.previous_business_day(day)


def _end_of_month(day: date) -> date:
    return day + relativedelta(day=31)


def _working_time(rng: random.Random, day: date, earliest: int = 9 * 60, latest: int = 16 * 60 + 30) -> datetime:
    return _at(day, rng.randrange(earliest, latest, 5))



def _lot_number(rng: random.Random) -> str:
    return rng.choice("UVWXYZ") + str(rng.randint(1000, 9999)) + "".join(rng.choices(string.ascii_uppercase, k=2))
