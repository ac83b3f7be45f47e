"""Hearing that another workstation, or another officemgr on this PC, changed the database.

PostgreSQL: each write's audit row fires a NOTIFY carrying the writer's application_name (migration 0010), heard
on a listening connection of our own. SQLite: `PRAGMA data_version` on a connection of our own moves whenever any
other connection commits, which costs microseconds to ask every second. Our own writes are not news: the server
tells us who wrote, and on SQLite the version is taken again after each of our write sessions.

`wait()` blocks (in a worker thread) for at most `timeout` seconds and says whether someone else changed anything;
`stop()`, from any thread, ends a wait at once (the app quits without waiting out the second).
"""

from __future__ import annotations

import threading
from typing import Protocol

import psycopg
from psycopg.rows import TupleRow
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from officemgr import store
from officemgr.models.audit import CHANGED_CHANNEL

# After a first change, more of the same burst (an import, another desk's several saves) is awaited this long, so
# they bring one refresh rather than one each.
BURST_SECONDS = 0.05


# PostgreSQL's wait listens in slices this long, looking for stop() in between.
SLICE_SECONDS = 0.1


class Watcher(Protocol):
    def wait(self, timeout: float) -> bool: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


def watch(engine: Engine) -> Watcher | None:
    """A watcher for `engine`'s database; None when no one else can reach it (an in-memory database)."""
    if engine.url.get_backend_name() == "postgresql":
        return _Listener(engine)
    if store.sqlite_file(engine) is not None:
        try:
            return _DataVersion(engine)
        except DBAPIError:
            return None  # the file went away under us: the app's own next read says so in words
    return None


class _Stoppable:
    def __init__(self) -> None:
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()


class _DataVersion(_Stoppable):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._connection = engine.raw_connection()  # held: data_version counts commits by *other* connections
        self._error = engine.dialect.loaded_dbapi.Error  # sqlite3's, or SQLCipher's twin of it
        self._lock = threading.Lock()
        self._seen = self._version()
        self._forget_hook = store.after_writes(engine, self._absorb)

    def _version(self) -> int:
        with self._lock:
            cursor = self._connection.cursor()
            try:
                return int(cursor.execute("PRAGMA data_version").fetchone()[0])
            finally:
                cursor.close()

    def _absorb(self) -> None:
        # Our own write: the tab that wrote reloads itself; a change by another program just before it shows too.
        try:
            self._seen = self._version()
        except self._error:
            pass  # the next look tells

    def wait(self, timeout: float) -> bool:
        if self._stopped.wait(timeout):
            return False
        try:
            version = self._version()
        except self._error:
            return False  # the file is busy for a moment; the next look tells
        changed, self._seen = version != self._seen, version
        return changed

    def close(self) -> None:
        self._forget_hook()
        with self._lock:
            self._connection.close()


class _Listener(_Stoppable):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        self._own = store.application_name(engine)
        self._connection: psycopg.Connection[TupleRow] | None = None
        self._listened = False  # a reconnection after a break may have missed notices; the first cannot
        self._try_connect()

    def _try_connect(self) -> bool:
        """Listen on a connection of our own; True when this is a reconnection (notices may have been missed)."""
        args, kwargs = self._engine.dialect.create_connect_args(self._engine.url)
        kwargs.pop("context", None)  # SQLAlchemy's type adapters, not a connection setting
        try:
            connection = psycopg.connect(*args, **kwargs, autocommit=True, connect_timeout=5)
            connection.execute(f"LISTEN {CHANGED_CHANNEL}")
        except psycopg.Error:
            return False
        self._connection = connection
        missed, self._listened = self._listened, True
        return missed

    def wait(self, timeout: float) -> bool:
        if self._connection is None:
            if self._try_connect():
                return True
            if self._connection is None:
                self._stopped.wait(timeout)  # the server is away: try again after a while
            return False
        try:
            if not self._foreign(timeout):
                return False
            while self._foreign(BURST_SECONDS):
                pass
            return True
        except psycopg.Error:
            self.close()  # the server went away; the next wait reconnects
            return False

    def _foreign(self, timeout: float) -> bool:
        assert self._connection is not None
        left = timeout
        while left > 0 and not self._stopped.is_set():
            step = min(left, SLICE_SECONDS)
            if any(note.payload != self._own for note in self._connection.notifies(timeout=step)):
                return True
            left -= step
        return False

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

