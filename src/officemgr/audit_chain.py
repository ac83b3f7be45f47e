"""The audit log's hash chain and the triggers that guard it, on a plain DB-API connection (standard library only).

Every event carries `hash`: SHA-256 over a canonical encoding of its fields and the previous event's hash (GENESIS
for the first). An event changed, removed or slipped in by another program breaks the chain from that event on, and
`verify` names it. The triggers make the database refuse such changes; the chain shows when someone got past them.
Neither stops a person who can rewrite the whole file and recompute every hash; nor does the chain show events cut
from the end of the log.

`officemgr check` reads a file with `verify` without opening it as the app does; the store calls `keep_guarded` on
each open, which costs one query of the schema when the guards are in place, and puts them back when they are not.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

GENESIS = hashlib.sha256(b"officemgr audit log").hexdigest()
# The hash a new event chains to: the newest event's (GENESIS when the log is empty).
LAST_HASH = "SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1"
REFUSAL = "the audit log cannot be changed"
PAGE = 5_000
ACTOR = "officemgr"  # who the log names for what the app itself did (putting the guards back)

_RAISE = f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
# As sqlite_master keeps them (SQLite drops IF NOT EXISTS from the text it stores): an open compares them verbatim.
SQLITE_GUARDS = {
    "audit_event_no_update": f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event {_RAISE}",
    "audit_event_no_delete": f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event {_RAISE}",
    # INSERT OR REPLACE would delete the event it replaces without firing the DELETE trigger.
    "audit_event_no_replace": "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
                              f"WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) {_RAISE}",
}
POSTGRESQL_REFUSE_BODY = f" BEGIN RAISE EXCEPTION '{REFUSAL}'; END "
POSTGRESQL_FUNCTION = ("CREATE OR REPLACE FUNCTION audit_event_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                       f"$${POSTGRESQL_REFUSE_BODY}$$")
# name: (its CREATE, pg_trigger.tgtype: 1 row, 2 before, 8 delete, 16 update, 32 truncate). An upsert's
# ON CONFLICT DO UPDATE fires the update trigger, so PostgreSQL needs no trigger against replacing an event.
POSTGRESQL_GUARDS = {
    "audit_event_no_change": ("CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
                              "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse()", 1 | 2 | 8 | 16),
    "audit_event_no_truncate": ("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
                                "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse()", 2 | 32),
}
# Triggers of the app's own that are not guards (models.audit: PostgreSQL tells the other workstations of a write).
# Any other trigger on the log is foreign: one could, say, silently drop every new event.
OTHER_TRIGGERS = {"sqlite": frozenset[str](), "postgresql": frozenset({"audit_event_notify"})}

_SQLITE_TRIGGERS = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
_POSTGRESQL_TRIGGERS = (
    "SELECT t.tgname, t.tgtype, t.tgenabled IN ('O', 'A') AND t.tgqual IS NULL AND t.tgattr::text = '' "
    "AND p.proname = 'audit_event_refuse', p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
    "WHERE t.tgrelid = to_regclass('audit_event') AND NOT t.tgisinternal"
)


class Cursor(Protocol):
    def execute(self, sql: str, parameters: Any = ..., /) -> object: ...

    def fetchall(self) -> Sequence[Any]: ...

    def close(self) -> None: ...


class Connection(Protocol):
    """A DB-API 2 connection: sqlite3's, sqlcipher3's, psycopg's, or SQLAlchemy's pooled proxy of one."""

    def cursor(self) -> Cursor: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


class _Dialect(Protocol):
    @property
    def name(self) -> str: ...


class Engine(Protocol):
    """As much of a SQLAlchemy engine as `keep_guarded` needs (this module does without SQLAlchemy)."""

    @property
    def dialect(self) -> _Dialect: ...

    def raw_connection(self) -> Any: ...


def _at_text(value: object) -> str:
    """A time as ISO text with microseconds, whether the driver gives a datetime or SQLite's stored text."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).replace(tzinfo=None).isoformat(timespec="microseconds")
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    return str(value)


def event_hash(previous: str, at: object, actor: object, entity: object, entity_id: object, action: object,
               changes: object) -> str:
    """The hash of one event, chained to `previous` (the hash of the event before it, or GENESIS)."""
    canonical = json.dumps([previous, _at_text(at), actor, entity, entity_id, action, changes],
                           ensure_ascii=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def events(conn: Connection, *, columns: str = "id, at, actor, entity, entity_id, action, changes, hash",
           page: int = PAGE) -> Iterator[Sequence[Any]]:
    """Every event's raw values in id order, a page at a time (the log may not fit in memory)."""
    after: int | None = None
    while True:
        where = "" if after is None else f"WHERE id > {int(after)} "
        rows = _query(conn, f"SELECT {columns} FROM audit_event {where}ORDER BY id LIMIT {int(page)}")
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1][0]


def _query(conn: Connection, sql: str) -> Sequence[Any]:
    cursor = conn.cursor()
    try:
        cursor.execute(sql)
        rows: Sequence[Any] = cursor.fetchall()
        return rows
    finally:
        cursor.close()


@dataclass(frozen=True)
class GuardProblem:
    trigger: str
    what: str  # "missing", "changed" or "foreign"

    def __str__(self) -> str:
        if self.what == "foreign":
            return f"a trigger that is not officemgr's ({self.trigger}) is on the audit log"
        return f"its guard {self.trigger} is {self.what}"


def guard_problems(conn: Connection, dialect: str) -> list[GuardProblem]:
    """What is wrong with the triggers that guard the log (missing, changed, disabled or foreign), in one query."""
    if dialect == "postgresql":
        found = {name: (tgtype == POSTGRESQL_GUARDS[name][1] and refuses
                        and " ".join(source.split()) == " ".join(POSTGRESQL_REFUSE_BODY.split()))
                 if name in POSTGRESQL_GUARDS else True
                 for name, tgtype, refuses, source in _query(conn, _POSTGRESQL_TRIGGERS)}
        guards: set[str] = set(POSTGRESQL_GUARDS)
    else:
        expected = {name: " ".join(sql.split()) for name, sql in SQLITE_GUARDS.items()}
        found = {name: name not in expected or " ".join((sql or "").split()) == expected[name]
                 for name, sql in _query(conn, _SQLITE_TRIGGERS)}
        guards = set(SQLITE_GUARDS)
    problems = [GuardProblem(name, "missing" if name not in found else "changed")
                for name in sorted(guards) if not found.get(name, False)]
    problems += [GuardProblem(name, "foreign") for name in sorted(set(found) - guards - OTHER_TRIGGERS[dialect])]
    return problems


@dataclass(frozen=True)
class Broken:
    """The first event where the chain breaks, and what is wrong there."""

    event_id: int
    problem: str

    def __str__(self) -> str:
        return f"event {self.event_id} {self.problem}"


@dataclass(frozen=True)
class ChainCheck:
    """What `verify` found: how many events, the first broken one, and what is wrong with the guards."""

    events: int = 0
    broken: Broken | None = None
    guards: tuple[GuardProblem, ...] = ()
    chained: bool = True  # False: a database from before the chain (the app adds it when it opens the file)

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.guards

    def lines(self) -> list[str]:
        """What to tell the office manager, one finding a line."""
        if not self.chained:
            return [f"{self.events:,} events, not chained yet (an older schema: the app adds the chain when it "
                    "opens this database)"]
        if self.ok:
            return [f"{self.events:,} events, the chain and its guards are intact"]
        found = [] if self.broken is None else [str(self.broken)]
        return found + [f"{problem} (the app {'removes it' if problem.what == 'foreign' else 'puts it back'} when it "
                        "opens the database)" for problem in self.guards]


def verify(conn: Connection, dialect: str = "sqlite") -> ChainCheck:
    """Read the whole log in id order and check each event's hash against its fields and the hash before it."""
    if not _has_hash(conn, dialect):
        count = _query(conn, "SELECT count(*) FROM audit_event")[0][0]
        return ChainCheck(events=count, chained=False)
    count = 0
    previous, previous_id = GENESIS, None
    broken: Broken | None = None
    for event_id, at, actor, entity, entity_id, action, changes, stored in events(conn):
        count += 1
        if broken is None:
            expected = event_hash(previous, at, actor, entity, entity_id, action, changes)
            if stored != expected:
                broken = Broken(event_id, _what_broke(stored, event_id, previous_id))
        previous, previous_id = stored, event_id
    return ChainCheck(events=count, broken=broken, guards=tuple(guard_problems(conn, dialect)))


def _what_broke(stored: object, event_id: int, previous_id: int | None) -> str:
    if not stored:
        return "has no hash: another program added it"
    before = "the start of the log" if previous_id is None else f"event {previous_id}"
    if event_id != (previous_id or 0) + 1:
        return f"does not follow {before}: the events between them were removed, or event {event_id} was changed"
    return "does not match its hash: it, or the event before it, was changed outside officemgr"


def _has_hash(conn: Connection, dialect: str) -> bool:
    if dialect == "postgresql":
        return bool(_query(conn, "SELECT 1 FROM information_schema.columns "
                                 "WHERE table_name = 'audit_event' AND column_name = 'hash'"))
    return any(row[1] == "hash" for row in _query(conn, "PRAGMA table_info(audit_event)"))


# --- putting the guards back on open ------------------------------------------------------------------------------

_notices: weakref.WeakKeyDictionary[Any, list[str]] = weakref.WeakKeyDictionary()


def notices(engine: object) -> list[str]:
    """What the last open of `engine` found and mended, to tell the user (the CLI on stderr, the app as a notice)."""
    return list(_notices.get(engine, ()))


def keep_guarded(engine: Engine, *, now: datetime, server_lock: int) -> None:
    """Put back any guard that is missing or changed, drop foreign triggers, and log that it did (store.migrate).

    The usual open costs the one query of the triggers. A mend runs under the write lock (BEGIN IMMEDIATE, or the
    server's `server_lock`), looks again there (another workstation may have mended it meanwhile), and appends an
    event to the chain in the same transaction.
    """
    dialect = engine.dialect.name
    conn: Connection = engine.raw_connection()
    try:
        mended = _mend(conn, dialect, now=now, server_lock=server_lock) if guard_problems(conn, dialect) else []
    finally:
        conn.close()  # back to the pool, which rolls back whatever a failure left open
    if mended:
        _notices[engine] = [
            "The audit log was tampered with: " + "; ".join(str(problem) for problem in mended)
            + ". The guards are back and the log records it; run officemgr check to see whether events were "
            "changed or removed."]


def _mend(conn: Connection, dialect: str, *, now: datetime, server_lock: int) -> list[GuardProblem]:
    cursor = conn.cursor()
    try:
        if dialect == "postgresql":
            cursor.execute(f"SELECT pg_advisory_xact_lock({int(server_lock)})")
        else:
            cursor.execute("BEGIN IMMEDIATE")
        problems = guard_problems(conn, dialect)
        for problem in problems:
            cursor.execute(_drop(problem.trigger, dialect))
            if dialect == "postgresql" and problem.trigger in POSTGRESQL_GUARDS:
                cursor.execute(POSTGRESQL_FUNCTION)
                cursor.execute(POSTGRESQL_GUARDS[problem.trigger][0])
            elif dialect == "sqlite" and problem.trigger in SQLITE_GUARDS:
                cursor.execute(SQLITE_GUARDS[problem.trigger])
        if problems:
            changes = json.dumps({p.trigger: p.what for p in problems}, sort_keys=True)
            append(cursor, dialect, at=now, entity="audit_log", action="guards_restored", changes=changes)
        conn.commit()
        return problems
    finally:
        cursor.close()


def _drop(trigger: str, dialect: str) -> str:
    name = '"' + trigger.replace('"', '""') + '"'
    return f"DROP TRIGGER IF EXISTS {name}" + (" ON audit_event" if dialect == "postgresql" else "")


def append(cursor: Cursor, dialect: str, *, at: datetime, entity: str, action: str, changes: str,
           entity_id: int = 0) -> None:
    """Add one event by the app itself at the end of the chain, in the caller's transaction (which holds the write
    lock): for writes made below the services (the guards put back, a migration)."""
    cursor.execute(LAST_HASH)
    last = cursor.fetchall()
    digest = event_hash(last[0][0] if last else GENESIS, at, ACTOR, entity, entity_id, action, changes)
    # SQLite keeps a time as the text SQLAlchemy writes; PostgreSQL takes the datetime.
    when: object = at.isoformat(sep=" ", timespec="microseconds") if dialect == "sqlite" else at
    mark = "?" if dialect == "sqlite" else "%s"
    cursor.execute(f"INSERT INTO audit_event (at, actor, entity, entity_id, action, changes, hash) "
                   f"VALUES ({', '.join([mark] * 7)})", (when, ACTOR, entity, entity_id, action, changes, digest))
