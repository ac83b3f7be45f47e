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

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from officemgr import store

# After a first change, more of the same burst (an import, another desk's several saves) is awaited this long, so
# they bring one refresh rather than one each.
BURST_SECONDS = 0.05


class Watcher(Protocol):
    def wait(self, timeout: float) -> bool: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


def watch(engine: Engine) -> Watcher | None:
    """A watcher for `engine`'s database; None when no one else can reach it (an in-memory database)."""
    if engine.url.get_backend_name() == "postgresql":
        from officemgr.pg_listener import Listener  # psycopg loads only for a server, not beside a SQLite start

        return Listener(engine)
    if store.sqlite_file(engine) is not None:
        try:
            return _DataVersion(engine)
        except DBAPIError:
            return None  # the file went away under us: the app's own next read says so in words
    return None


class Stoppable:
    def __init__(self) -> None:
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()


class _DataVersion(Stoppable):
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
