"""Hearing other workstations' changes on PostgreSQL (officemgr.changes.watch): each write's audit row fires a
NOTIFY carrying the writer's application_name, heard here on a listening connection of our own."""

from __future__ import annotations

import psycopg
from psycopg.rows import TupleRow
from sqlalchemy.engine import Engine

from officemgr import store
from officemgr.changes import BURST_SECONDS, Stoppable
from officemgr.models.audit import CHANGED_CHANNEL

# The wait listens in slices this long, looking for stop() in between.
SLICE_SECONDS = 0.1


class Listener(Stoppable):
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

