"""Copying a whole practice into a new, empty database (typically one PC's SQLite file to the shared server).

Every table of the schema, parents before children, every column, ids kept, read and written in batches. The
source is read in one snapshot; the target is written in ONE transaction under the write lock, and its counts
are checked against the source's before the commit: the copy is all there, or nothing of it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, Table, func, select, text, type_coerce
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from officemgr import store
from officemgr.models import AuditEvent
from officemgr.models.base import ShownText

BATCH = 5_000
# Rows every new database gets from its migrations (the common claim adjustment codes, migration 0006): they do not
# make a target "not empty", and the source's own rows (which the practice may have edited) replace them.
SEEDED = frozenset({"carc_code"})


class TransferError(Exception):
    """The copy was refused or did not check out; the target was left as it was. The message says which table."""


@dataclass(frozen=True)
class CopyResult:
    rows: dict[str, int]  # table name: rows copied, parents first

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def tables() -> list[Table]:
    """Every table of the schema, each after the tables it points at."""
    return list(SQLModel.metadata.sorted_tables)


def count_rows(conn: Connection, table: Table) -> int:
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def sync_sequences(conn: Connection) -> None:
    """Move each id sequence past the rows there: rows written with explicit ids (demo data, a copy) bypass
    PostgreSQL's sequences, and the next row saved would collide with them. SQLite needs nothing."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables():
        if "id" not in table.c:
            continue
        name = conn.dialect.identifier_preparer.quote(table.name)
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence(:name, 'id'), "
                          f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"), {"name": name})


def copy_database(source: Engine, target: Engine, *, actor: str, now: datetime, origin: str,
                  batch: int = BATCH) -> CopyResult:
    """Copy every row of `source` into `target`, which must hold none yet; raises TransferError (nothing kept).

    The target's audit log ends with the copy itself: who made it, when, from `origin` (where the rows came from).
    """
    with _snapshot(source) as src, store.write_session(target) as session:
        dst = session.connection()
        _refuse_filled(dst)
        for name in SEEDED:
            dst.execute(SQLModel.metadata.tables[name].delete())
        copied: dict[str, int] = {}
        for table in tables():
            copied[table.name] = _copy_table(src, dst, table, batch)
        sync_sequences(dst)
        _verify(src, dst, copied)
        # Written as services.common.record writes every event; this module sits below the services.
        session.add(AuditEvent(at=now, actor=actor, entity="database", entity_id=0, action="copy",
                               changes=json.dumps({"from": origin, "rows": sum(copied.values())}, sort_keys=True)))
        session.commit()
    return CopyResult(copied)


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction, so rows saved on the source meanwhile are either all in the copy or all out of it."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # READ COMMITTED would give each table (and each count) its own moment.
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _refuse_filled(dst: Connection) -> None:
    for table in tables():
        if table.name not in SEEDED and (found := count_rows(dst, table)) > 0:
            rows = "1 row" if found == 1 else f"{found:,} rows"
            raise TransferError(f"the target already holds {rows} in {table.name}: copy only into a new, "
                                "empty database; nothing was changed")


def _copy_table(src: Connection, dst: Connection, table: Table, batch: int) -> int:
    # By key, so a row pointing at an earlier row of its own table (a corrected completion) comes after it.
    # Text as stored: reading through ShownText would copy its spelled-out form (and break the audit chain).
    columns = [type_coerce(c, String(c.type.length)).label(c.name) if isinstance(c.type, ShownText) else c
               for c in table.columns]
    query = select(*columns).order_by(*table.primary_key.columns).execution_options(yield_per=batch)
    write = _writer(dst, table)
    copied = 0
    try:
        for rows in src.execute(query).partitions():
            write(rows)
            copied += len(rows)
    except (DBAPIError, dst.dialect.loaded_dbapi.Error) as exc:
        cause = getattr(exc, "orig", exc)
        first = str(cause).strip().splitlines()
        raise TransferError(f"copying {table.name} failed after {copied:,} rows "
                            f"({first[0] if first else type(cause).__name__}); nothing was kept") from exc
    return copied


def _writer(dst: Connection, table: Table) -> Callable[[Sequence[Row]], None]:
    if dst.dialect.name != "postgresql":
        def insert(rows: Sequence[Row]) -> None:
            dst.execute(table.insert(), [row._asdict() for row in rows])

        return insert
    # PostgreSQL's COPY takes rows about three times as fast as one INSERT each (the large demo is ~900k rows);
    # values go through the columns' own conversions (an enum to its stored value), as an INSERT's would.
    quote = dst.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(c.name) for c in table.c)}) FROM STDIN"
    convert = [c.type.dialect_impl(dst.dialect).bind_processor(dst.dialect) for c in table.c]

    def write(rows: Sequence[Row]) -> None:
        driver = dst.connection.driver_connection
        assert driver is not None, "a connection in use holds its driver's connection"
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([value if to is None else to(value) for value, to in zip(row, convert, strict=True)])

    return write


def _verify(src: Connection, dst: Connection, copied: dict[str, int]) -> None:
    """Count every table on both sides (the target's count is of its uncommitted rows) before anything is kept."""
    for table in tables():
        here, there = count_rows(src, table), count_rows(dst, table)
        if not here == copied[table.name] == there:
            raise TransferError(f"the counts of {table.name} differ (source {here:,}, copied {copied[table.name]:,}, "
                                f"target {there:,}); nothing was kept")
