"""Opening the database: engine factory, SQLite pragmas, migrations on open, sessions.

Nothing here runs at import time. `open_database()` is the one way the app and the CLI get an engine.
"""

from __future__ import annotations

import itertools
import os
import secrets
import socket
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import URL, event, inspect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import QueuePool, StaticPool
from sqlmodel import Session, create_engine

from officemgr import models  # noqa: F401  (registers every table on SQLModel.metadata)
from officemgr.dbfile import (
    check_file,
    connections_here,
    default_path,
    empty_file,
    set_aside_foreign_wal,
)
from officemgr.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config  # loaded only when a migration runs: the usual open skips Alembic

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision: an open of a database already there skips loading Alembic and its scripts.
# A new migration must change it (tests/test_store.py compares it with the scripts' head).
SCHEMA_HEAD = "0022"
BUSY_TIMEOUT_MS = 5000
_WRITE = "officemgr_write"
# Every write on a shared server first takes this transaction-scoped lock: writes from several workstations run one
# after another, as SQLite's BEGIN IMMEDIATE makes them, so a read-check-write (a version, a double-book, the
# next claim number) cannot interleave with another workstation's.
WRITE_LOCK_KEY = 0x6F666669  # "offi"
_engines = itertools.count(1)
_after_writes: weakref.WeakKeyDictionary[Engine, list[Callable[[], None]]] = weakref.WeakKeyDictionary()


def sqlite_url(path: str | os.PathLike[str]) -> str:
    return f"sqlite:///{Path(path).expanduser()}"


def create_engine_for(url: str, *, key: str | None = None) -> Engine:
    """An engine for any SQLAlchemy URL; SQLite gets the pragmas and IMMEDIATE write transactions.

    With `key`, a SQLite file is opened with SQLCipher (encrypted at rest) under that key.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        # Not echoed: a mistyped server URL may hold its password.
        raise StoreError("that is not a database URL: write sqlite:///office.db or "
                         "postgresql+psycopg://user@server/dbname") from None
    if parsed.get_backend_name() != "sqlite":
        if key is not None:
            raise StoreError("--encrypt and OFFICEMGR_KEY apply to a SQLite file; a server database is "
                             "protected by the server's own encryption")
        return _server_engine(parsed)
    database = parsed.database or ""
    if database and database != ":memory:":
        _create_private_file(Path(database))
        target: str | URL = url
        if key is not None:
            target = URL.create("sqlite+pysqlcipher", password=key, database=database)
        # QueuePool, as for plain SQLite files (the SQLCipher dialect would pick one connection per thread).
        engine = create_engine(target, poolclass=QueuePool,
                               connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
        _count_connections(engine, Path(database))
    else:
        # One shared in-memory database (tests): every session must see the same connection.
        engine = create_engine(
            "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
        )
    _configure_sqlite(engine, encrypted=key is not None)
    return engine


def _server_engine(url: URL) -> Engine:
    if url.get_backend_name() != "postgresql":
        raise StoreError(f"officemgr runs on SQLite or PostgreSQL, not {url.get_backend_name()}: use a URL like "
                         "postgresql+psycopg://user@host/dbname")
    if url.drivername not in ("postgresql", "postgresql+psycopg"):
        raise StoreError(f"use the psycopg driver: postgresql+psycopg://… (not {url.drivername})")
    # The writer's name rides on each change notice (models.audit), so a workstation can skip its own.
    name = f"officemgr {socket.gethostname()[:30]} {os.getpid()}-{next(_engines)}"
    url = url.set(drivername="postgresql+psycopg").update_query_dict({"application_name": name})
    engine = create_engine(url, pool_pre_ping=True,
                           connect_args={"options": f"-c lock_timeout={BUSY_TIMEOUT_MS}", "connect_timeout": 10})

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_WRITE, False):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    return engine


def application_name(engine: Engine) -> str | None:
    """The name a server connection of this engine writes under (None for SQLite)."""
    name = engine.url.query.get("application_name")
    return name if isinstance(name, str) else None


def after_writes(engine: Engine, callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` (in the writing thread) after each write session on `engine` ends; returns the undo."""
    callbacks = _after_writes.setdefault(engine, [])
    callbacks.append(callback)
    return lambda: callbacks.remove(callback)


def is_encrypted(engine: Engine) -> bool:
    return engine.url.drivername == "sqlite+pysqlcipher"


def sqlite_file(engine: Engine) -> Path | None:
    """The engine's SQLite file, or None for a server or in-memory database."""
    return _file_of(engine.url)


def _file_of(url: URL) -> Path | None:
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def _create_private_file(path: Path) -> None:
    """Patient data: the database file is created readable by its owner only (0600)."""
    if path.exists():
        return
    if not path.parent.exists():
        raise StoreError(f"the folder {path.parent} does not exist; create it or choose another path")
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(f"cannot create {path}: {exc.strerror}; choose a folder you can write to") from None


def _count_connections(engine: Engine, path: Path) -> None:
    open_here = connections_here(path)

    @event.listens_for(engine, "connect")
    def _opened(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        open_here.add(id(dbapi_conn))

    @event.listens_for(engine, "close")
    def _closed(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        open_here.discard(id(dbapi_conn))

    @event.listens_for(engine, "close_detached")
    def _closed_detached(dbapi_conn: sqlite3.Connection) -> None:
        open_here.discard(id(dbapi_conn))


def _configure_sqlite(engine: Engine, *, encrypted: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # We issue BEGIN ourselves (below), so the driver must not.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        if encrypted:
            # A wrong key makes SQLCipher log page errors to stderr; the app says it in words instead.
            cursor.execute("PRAGMA cipher_log_level = NONE")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write takes the write lock up front, so it waits (busy_timeout) instead of failing midway.
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Connection) -> None:
        # Each write puts page 1, which holds the database's identity number, into the WAL: a WAL left by a crash
        # then always says whose it is, and one beside another database is set aside (dbfile.wal_state).
        if conn.get_execution_options().get(_WRITE, False):
            identity = conn.exec_driver_sql("PRAGMA user_version").scalar()
            if identity:
                conn.exec_driver_sql(f"PRAGMA user_version = {int(identity)}")


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction takes the write lock at BEGIN. Services commit it themselves."""
    try:
        with Session(engine.execution_options(**{_WRITE: True}), expire_on_commit=False) as session:
            yield session
    finally:
        for callback in list(_after_writes.get(engine, ())):
            callback()


def open_database(
    *, path: str | os.PathLike[str] | None = None, url: str | None = None, key: str | None = None,
    notify: Callable[[str], None] | None = None, fresh: bool = False,
) -> Engine:
    """Open (creating if needed) the practice database and bring its schema up to date.

    Anything wrong with the file (damaged, another kind of file, an empty file, wrong key, newer version,
    read-only, locked) raises StoreError saying what to do, and leaves the file as it was. A -wal beside the file
    that is not its own is moved into the backups folder first; `notify` (default: standard error) is told so.
    `fresh`: the caller has just created this empty file (privately) to build a new practice in.
    """
    url = url or sqlite_url(path or default_path())
    file = _sqlite_path(url)
    if file is not None:
        _refuse_unusable(file, fresh=fresh)
        set_aside_foreign_wal(file, key=key, notify=notify)
    engine = create_engine_for(url, key=key)
    try:
        migrate(engine)
        _give_identity(engine)
    except StoreError:
        engine.dispose()
        raise
    except (DBAPIError, sqlite3.Error) as exc:
        engine.dispose()
        raise StoreError(_explain(exc, engine)) from None
    return engine


def _give_identity(engine: Engine) -> None:
    """A SQLite file gets a random identity number in its header (user_version), so a -wal whose copy of the
    header carries another number is known as another database's (dbfile.wal_state)."""
    if sqlite_file(engine) is None:
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA user_version")
        if tuple(cursor.fetchone() or ()) == (0,):
            cursor.execute(f"PRAGMA user_version = {secrets.randbelow(2**31 - 1) + 1}")
    finally:
        raw.close()


def _sqlite_path(url: str) -> Path | None:
    """The SQLite file a URL names, or None (a server, memory, or not a URL: create_engine_for says so)."""
    try:
        return _file_of(make_url(url))
    except (ArgumentError, ValueError):
        return None


def _refuse_unusable(path: Path, *, fresh: bool = False) -> None:
    """Say before anything starts what SQLite would get wrong: it opens a file it cannot write read-only and fails
    on the first save, and it silently makes a new database of an empty file."""
    if empty_file(path) and not fresh:
        raise StoreError(f"{path} is empty (0 bytes), so it is not a practice database. To start a new practice "
                         "there, delete the empty file and open it again; otherwise choose the right file with --db. "
                         "The file was left untouched.")
    if path.exists() and not os.access(path, os.W_OK):
        raise StoreError(f"{path} is read-only; officemgr needs to write to it. Ask whoever looks after this PC "
                         "for write access, or copy it to a folder of yours and open that with --db. "
                         "The file was left untouched.")
    if path.exists() and not os.access(path.parent, os.W_OK):
        raise StoreError(f"the folder {path.parent} is read-only; officemgr keeps its journal beside the database. "
                         "Move the database to a folder you can write to. The file was left untouched.")


def _explain(exc: Exception, engine: Engine) -> str:
    if engine.url.get_backend_name() != "sqlite":
        return _explain_server(exc, engine.url)
    text = str(getattr(exc, "orig", exc)).lower()
    where = engine.url.database or str(engine.url)
    if "not a database" in text and is_encrypted(engine):
        return (f"the key does not open {where}: the key is wrong, or the file is not encrypted "
                "(open it without --encrypt and without OFFICEMGR_KEY). It was left untouched.")
    if "not a database" in text or "malformed" in text:
        from officemgr import backups

        # The hint itself says to add --encrypt when the file looks encrypted (and then names no plain backup).
        return (
            f"{where} is not a readable officemgr database. It was left untouched. "
            "It may be damaged or another kind of file: open another file with --db, or "
            + backups.restore_hint(Path(where), key=engine.url.password if is_encrypted(engine) else None)
        )
    if "locked" in text or "busy" in text:
        return f"{where} is locked by another program; close it and try again."
    if "readonly" in text or "read-only" in text:
        return f"{where} is read-only; officemgr needs to write to it. Check the file's permissions."
    return f"cannot open {where}: {getattr(exc, 'orig', exc)}"


def describe(url: URL) -> str:
    """The database as the user named it: the SQLite file's path, or the server database without its password."""
    return str(url.database) if url.get_backend_name() == "sqlite" else where_server(url)


def where_server(url: URL) -> str:
    """A server database as the user knows it: no password, no connection settings of ours."""
    return url.set(query={}).render_as_string(hide_password=True)


def _explain_server(exc: Exception, url: URL) -> str:
    cause = getattr(exc, "orig", exc)
    text = str(cause).lower()
    where = where_server(url)
    if "does not exist" in text and "database" in text:
        return (f"the server has no database '{url.database}': ask whoever runs it to create one "
                f"(createdb {url.database}), or correct the URL {where}")
    if "password" in text or "authentication" in text or "role" in text:
        return f"the server refused the login of {url.username or 'this user'}: check the user and password in {where}"
    if "connection refused" in text or "could not translate" in text or "timeout" in text or "no route" in text:
        return (f"cannot reach the PostgreSQL server at {url.host or 'localhost'}:{url.port or 5432}: check that it "
                f"is running and that this computer may connect to it ({where})")
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return f"cannot open {where}: {first}"


def _alembic_config(connection: Connection | None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def schema_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision; refuse a database from a newer app."""
    if not _at_head(engine):
        _upgrade(engine)
    from officemgr import audit_chain  # the guards of the audit log: put back, and said so, if someone removed them

    audit_chain.keep_guarded(engine, now=datetime.now(), server_lock=WRITE_LOCK_KEY)
    if sqlite_file(engine) is not None:
        # WAL is a property of the file, set once it is known to be ours (never on a refused file).
        raw = engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA journal_mode=WAL")
        finally:
            raw.close()


def _at_head(engine: Engine) -> bool:
    """The usual open, of a database already up to date, costs one query instead of loading Alembic."""
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except DBAPIError:
        return False  # no version table yet, or a file that _upgrade's checks explain
    return [tuple(row) for row in rows] == [(SCHEMA_HEAD,)]


def _upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    sqlite = engine.url.get_backend_name() == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            # Batch migrations rebuild tables; foreign keys are checked once at the end instead of midway.
            # The pragma only takes effect outside a transaction, so it goes to the driver before BEGIN.
            _driver_execute(conn, "PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                config = _alembic_config(conn)
                script = ScriptDirectory.from_config(config)
                current = _current_revision(conn)
                if current is not None and current not in {s.revision for s in script.walk_revisions()}:
                    raise StoreError(
                        f"{engine.url.database or engine.url} was written by a newer version of officemgr "
                        f"(schema {current}); update officemgr to open it. The file was left untouched."
                        + _older_backup_hint(engine)
                    )
                if current is None and _has_foreign_tables(conn):
                    raise StoreError(
                        f"{engine.url.database or engine.url} holds tables that are not officemgr's; "
                        "choose another file with --db. It was left untouched."
                    )
                if current != script.get_current_head():
                    file = sqlite_file(engine)
                    if current is not None and file is not None:
                        from officemgr import backups

                        # An upgrade rewrites tables: keep the file as it was, in case the new version is wrong.
                        backups.make_backup(file, now=datetime.now(), why="before-migration",
                                            key=engine.url.password if is_encrypted(engine) else None)
                    command.upgrade(config, "head")
                    if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                        raise StoreError("the schema upgrade would break links between records; nothing was "
                                         "changed. Please report this with the database file.")
        finally:
            if sqlite:
                _driver_execute(conn, "PRAGMA foreign_keys=ON")


def _driver_execute(conn: Connection, sql: str) -> None:
    """Run `sql` on the driver's own connection, outside SQLAlchemy's transaction (for pragmas that need that)."""
    driver = conn.connection.driver_connection
    assert driver is not None, "an open connection has its driver's connection"
    driver.execute(sql)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config(None)).get_current_head()
    assert head is not None, "the app ships its migrations, so they have a head"
    return head


def table_names() -> set[str]:
    """The tables of officemgr's newest schema."""
    from sqlmodel import SQLModel

    return set(SQLModel.metadata.tables)


def known_revisions() -> set[str]:
    """Every schema revision this version of the app can open (and upgrade to the newest)."""
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config(None)).walk_revisions()}


def _older_backup_hint(engine: Engine) -> str:
    path = sqlite_file(engine)
    if path is None:
        return ""
    from officemgr import backups

    known = known_revisions()
    key = engine.url.password if is_encrypted(engine) else None
    for when, backup in backups.backups(path)[:20]:
        if check_file(backup, key=key, quick=True).revision in known:
            return (f" Or go back to the newest backup this version can open, from {when:%Y-%m-%d %H:%M}: "
                    f"officemgr restore {backup} --db {path}")
    return ""


def _current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _has_foreign_tables(conn: Connection) -> bool:
    return bool(set(inspect(conn).get_table_names()) - {"alembic_version"})
