"""A PostgreSQL server for the tests: one fresh database per test, cloned from a template in about 15 ms.

`OFFICEMGR_TEST_URL` names a server database this test run may create databases from (`.ci/with-postgres` starts
a throwaway server and sets it). Without it the PostgreSQL half of the suite is skipped, saying so.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import TextClause
from sqlmodel import SQLModel

from officemgr import store

ENV = "OFFICEMGR_TEST_URL"
SKIP_REASON = (f"no PostgreSQL server: {ENV} is not set. `.ci/with-postgres make test` starts one and runs "
               "the suite on both engines (CI always does)")


class _Unclean(Exception):
    pass


class Server:
    """Databases on one server, named after this process so parallel test workers never meet."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.prefix = f"om_{os.getpid()}"
        self._admin = create_engine(self.url, isolation_level="AUTOCOMMIT", pool_size=1)
        self._templates: dict[str, str] = {}
        self._serial = itertools.count()
        self._scratch: str | None = None

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        name = f"{self.prefix}_{next(self._serial)}"
        clone = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        with self._admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}{clone}"))
        return name

    def drop(self, name: str) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    def template(self, kind: str, fill: Callable[[Engine], None]) -> str:
        """A database filled once by `fill`, for `clone` to copy."""
        if kind not in self._templates:
            name = self.create()
            engine = store.create_engine_for(self.url_for(name))
            try:
                fill(engine)
            finally:
                engine.dispose()
            self._templates[kind] = name
        return self._templates[kind]

    def clone(self, template: str) -> tuple[str, Engine]:
        name = self.create(template)
        return name, store.create_engine_for(self.url_for(name))

    def scratch(self, template: str) -> Engine:
        """An engine on this process's scratch copy of `template`, emptied again by release(): a clone costs the
        server about 50 ms of CPU, emptying a database of a test's few rows about 10 ms."""
        if self._scratch is None:
            self._scratch = self.create(template)
        return store.create_engine_for(self.url_for(self._scratch))

    def release(self, engine: Engine) -> None:
        """Dispose of a scratch engine and empty its database; one that will not empty is cloned afresh."""
        engine.dispose()
        assert self._scratch is not None
        cleaner = create_engine(self.url.set(database=self._scratch), isolation_level="AUTOCOMMIT", pool_size=1)
        try:
            with cleaner.connect() as conn:
                # Triggers off (the audit log's refusal, foreign keys) for this connection only; a test that left
                # a transaction open makes the lock wait fail rather than hang.
                conn.execute(text("SET session_replication_role = replica"))
                conn.execute(text("SET lock_timeout = '2s'"))
                # A test that ran the migrations left tables of theirs (alembic_version): start again from a clone.
                tables = conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar()
                if tables != len(SQLModel.metadata.tables):
                    raise _Unclean
                conn.execute(text("BEGIN"))
                # Only the tables the test wrote to: one query finds them, where a DELETE of each of the eighty
                # tables cost 40 ms a test.
                written = {name for name, in conn.execute(_holding_rows())}
                for table in reversed(SQLModel.metadata.sorted_tables):
                    if table.name in written:
                        conn.execute(table.delete())
                conn.execute(text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"))
                conn.execute(text("COMMIT"))
        except (DBAPIError, _Unclean):
            self.drop(self._scratch)
            self._scratch = None
        finally:
            cleaner.dispose()

    def close(self) -> None:
        for name in [*self._templates.values(), *([self._scratch] if self._scratch else [])]:
            self.drop(name)
        self._admin.dispose()


def _holding_rows() -> TextClause:
    """The names of the tables that hold a row."""
    return text(" UNION ALL ".join(f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")"
                                   for name in SQLModel.metadata.tables))


def connect() -> Server:
    """The server OFFICEMGR_TEST_URL names; skips when it is unset, fails when it is set but unreachable."""
    url = os.environ.get(ENV)
    if not url:
        pytest.skip(SKIP_REASON)
    server = Server(url)
    try:
        with server._admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001  (any driver error: the message names the URL and the cause)
        server._admin.dispose()
        pytest.fail(f"{ENV}={url} does not answer: {exc}", pytrace=False)
    return server
