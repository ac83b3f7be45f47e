"""Shared fixtures: a fresh in-memory database per test, a write session on it, and a fixed today.

Row factories and helpers live in tests/factories.py (plain functions: `from factories import ...`).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from factories import NOW, TODAY
from officemgr import store

__all__ = ["NOW", "TODAY"]


@pytest.fixture
def engine() -> Iterator[Engine]:
    """A fresh in-memory SQLite database (one shared connection, StaticPool) with every table."""
    engine = store.create_engine_for("sqlite://")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A write session (BEGIN IMMEDIATE); services commit it themselves."""
    with store.write_session(engine) as session:
        yield session


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
def demo_engine(demo_db, tmp_path):  # type: ignore[no-untyped-def]
    """A private copy of the demo database, so a test may write to it."""
    from ui_support import copy_demo

    engine = copy_demo(demo_db, tmp_path)
    yield engine
    engine.dispose()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests (Textual's Pilot) in a fresh event loop; no plugin needed for that."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
