"""Shared fixtures: a fresh database per test, a write session on it, and a fixed today.

`engine`, `session` and `demo_engine` run each test twice: on SQLite and on PostgreSQL (tests/pg_support.py;
skipped, with the reason shown, when no server is configured). `sqlite_engine` and `sqlite_demo_engine` are for
tests of what only SQLite has (files, pragmas, backups) and for the snapshots.

Row factories and helpers live in tests/factories.py (plain functions: `from factories import ...`).
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

import pg_support
from factories import NOW, TODAY
from officemgr import store
from officemgr.models import Claim, CloseReason, EntryKind, LedgerEntry
from officemgr.services import ledger, pin

__all__ = ["NOW", "TODAY"]

pytest_plugins = ["slow_guard"]


ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg_support.Server]:
    server = pg_support.connect()
    yield server
    server.close()


@pytest.fixture(scope="session")
def sqlite_schema() -> Iterator[sqlite3.Connection]:
    """Every table, made once: each test's in-memory database is a copy of it (1 ms, where create_all is 25)."""
    engine = store.create_engine_for("sqlite://")
    SQLModel.metadata.create_all(engine)
    schema = sqlite3.connect(":memory:", check_same_thread=False)
    engine.raw_connection().driver_connection.backup(schema)  # type: ignore[union-attr]
    engine.dispose()
    yield schema
    schema.close()


@pytest.fixture(scope="session", autouse=True)
def migrated_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A new SQLite file is migrated once per run: every later new file (a practice the app or the CLI creates in a
    test) gets a copy of that first result instead of running all the migrations again (about 0.6 s each, a tenth
    of the suite). The copy is what the migrations made, so only tests of the migrations themselves see a
    difference: they are marked `real_migrations` and run them every time."""
    template = tmp_path_factory.mktemp("migrated") / "new.db"
    store.open_database(path=template).dispose()
    source = sqlite3.connect(template, check_same_thread=False)
    def copy_or_upgrade(engine: Engine) -> None:
        if not _new_sqlite_file(engine):
            _UPGRADE(engine)
            return
        raw = engine.raw_connection()
        try:
            source.backup(raw.driver_connection)  # type: ignore[arg-type]
            raw.cursor().execute("PRAGMA user_version = 0")  # the copy is a database of its own: its own identity
        finally:
            raw.close()
        store._give_identity(engine)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "_upgrade", copy_or_upgrade)
        yield
    source.close()


@pytest.fixture(scope="session", autouse=True)
def real_pin_hasher() -> Iterator[PasswordHasher]:
    """PINs are hashed at argon2id's lowest cost in the tests: the recommended cost (64 MiB, 3 passes) takes a
    quarter to three quarters of a second a hash or a check here, and the suite makes hundreds. The product's
    hasher is yielded for the test that says what it costs."""
    real = pin.hasher()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pin, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield real


_UPGRADE = store._upgrade  # the migrations themselves, before migrated_once stands in for them


@pytest.fixture(autouse=True)
def real_migrations(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests marked `real_migrations` run every migration on each new database (see migrated_once)."""
    if request.node.get_closest_marker("real_migrations") is not None:
        monkeypatch.setattr(store, "_upgrade", _UPGRADE)


def _new_sqlite_file(engine: Engine) -> bool:
    if store.sqlite_file(engine) is None or store.is_encrypted(engine):
        return False
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar() == 0


@pytest.fixture
def sqlite_engine(sqlite_schema: sqlite3.Connection) -> Iterator[Engine]:
    """A fresh in-memory SQLite database (one shared connection, StaticPool) with every table."""
    engine = store.create_engine_for("sqlite://")
    sqlite_schema.backup(engine.raw_connection().driver_connection)  # type: ignore[arg-type]
    yield engine
    engine.dispose()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A fresh database with every table, on each engine in turn."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_engine")
        return
    server: pg_support.Server = request.getfixturevalue("pg_server")
    engine = server.scratch(server.template("empty", SQLModel.metadata.create_all))
    yield engine
    server.release(engine)


@pytest.fixture(params=ENGINES)
def practice_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """A new practice database as the app opens it (migrations run, their seeded lists in), on each engine."""
    if request.param == "sqlite":
        engine = store.open_database(path=tmp_path / "office.db")
        yield engine
        engine.dispose()
        return
    server: pg_support.Server = request.getfixturevalue("pg_server")
    yield from _pg_clone(server, server.template("migrated", store.migrate))


@pytest.fixture
def server_url(pg_server: pg_support.Server) -> Iterator[str]:
    """The URL of a new, empty database on the test server (dropped afterwards)."""
    name = pg_server.create()
    yield pg_server.url_for(name)
    pg_server.drop(name)


@pytest.fixture(params=ENGINES)
def blank_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A new database with no tables yet (for the migrations), on each engine in turn."""
    url = "sqlite://" if request.param == "sqlite" else request.getfixturevalue("server_url")
    engine = store.create_engine_for(url)
    yield engine
    engine.dispose()


@pytest.fixture(params=ENGINES)
def two(request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[Engine, Engine]]:  # type: ignore[no-untyped-def]
    """Engines A and B on one new database, each as its own workstation's copy of the app would open it."""
    if request.param == "sqlite":
        url = store.sqlite_url(tmp_path / "office.db")
    else:
        url = request.getfixturevalue("server_url")
    a = store.open_database(url=url)
    b = store.open_database(url=url)
    yield a, b
    a.dispose()
    b.dispose()


def _pg_clone(server: pg_support.Server, template: str) -> Iterator[Engine]:
    name, engine = server.clone(template)
    yield engine
    engine.dispose()
    server.drop(name)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A write session (BEGIN IMMEDIATE); services commit it themselves."""
    with store.write_session(engine) as session:
        yield session


@pytest.fixture(autouse=True)
def every_ledger_adds_up(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that used `session`: every patient's balance is the sum of their entries, and each claim's
    share on the ledger is what the claim says the patient owes now (services.ledger._claim_share's rule, recomputed
    here from the claim's own columns)."""
    if "session" not in request.fixturenames:
        yield
        return
    session: Session = request.getfixturevalue("session")
    yield
    session.rollback()  # what the test left uncommitted is not on the ledger
    rows = session.exec(select(LedgerEntry)).all()
    if not rows:
        return
    sums: dict[int, int] = {}
    shares: dict[int, int] = {}
    for entry in rows:
        sums[entry.patient_id] = sums.get(entry.patient_id, 0) + entry.amount_cents
        if entry.claim_id is not None and entry.kind in (EntryKind.patient_share, EntryKind.sent_to_patient):
            shares[entry.claim_id] = shares.get(entry.claim_id, 0) + entry.amount_cents
    wrong = [f"patient {pid}: balance {ledger.balance(session, pid)}, entries add up to {total}"
             for pid, total in sums.items() if ledger.balance(session, pid) != total]
    for claim in session.exec(select(Claim)).all():
        owed = 0
        if claim.secondary_payer_id is None or claim.secondary_answered_on is not None:
            owed = claim.patient_resp_cents
            if claim.close_reason is CloseReason.sent_to_patient:
                owed += max(0, claim.billed_cents - claim.paid_cents - claim.secondary_paid_cents
                            - claim.adjusted_cents - claim.patient_resp_cents - claim.written_off_cents)
        if shares.get(claim.id or 0, 0) != owed:
            wrong.append(f"claim {claim.number}: the ledger holds {shares.get(claim.id or 0, 0)} of its share, "
                         f"the claim says {owed}")
    assert not wrong, "the ledger does not add up after the test:\n" + "\n".join(wrong)


@pytest.fixture
def today() -> date:
    """TODAY: Monday 2026-11-23."""
    return TODAY


@pytest.fixture
def now() -> datetime:
    """NOW: 08:30 on TODAY."""
    return NOW


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The small demo database for TODAY and seed 1, built once per run; tests copy it."""
    from ui_support import build_demo

    return build_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def sqlite_demo_engine(demo_db, tmp_path):  # type: ignore[no-untyped-def]
    """A private copy of the demo database file, so a test may write to it."""
    from ui_support import copy_demo

    engine = copy_demo(demo_db, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture(params=ENGINES)
def demo_engine(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A private copy of the small demo practice, on each engine in turn."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_demo_engine")
        return
    from ui_support import fill_demo

    server: pg_support.Server = request.getfixturevalue("pg_server")
    yield from _pg_clone(server, server.template("demo", fill_demo))


# The longest tests go first, so a worker does not start one of them while the others run out of work.
SLOW_FIRST = ("test_bench.py::test_bench_reports_every_figure_against_its_budget", "test_snapshots.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not any(slow in item.nodeid for slow in SLOW_FIRST))


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Say once, at the end, why the PostgreSQL half did not run (a line per skipped test would bury it)."""
    if not os.environ.get(pg_support.ENV) and terminalreporter.stats.get("skipped"):
        terminalreporter.write_line(f"PostgreSQL tests skipped: {pg_support.SKIP_REASON}", yellow=True)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests (Textual's Pilot) in a fresh event loop; no plugin needed for that."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
