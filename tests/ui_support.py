"""Helpers for the interaction and snapshot tests: one demo database per run, copied per test."""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.worker import WorkerState

from officemgr import demo, store
from officemgr.tui.widgets.base import TabView

TODAY = date(2026, 11, 23)
SIZE = (160, 48)
SEED = 1


def fill_demo(engine: Engine) -> None:
    """The small demo practice for TODAY and SEED, on a new database of either engine."""
    store.migrate(engine)
    demo.fill(engine, today=TODAY, seed=SEED, scale="small")


def build_demo(folder: Path) -> Path:
    path = folder / "demo.db"
    engine = store.open_database(path=path)
    fill_demo(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def copy_demo(source: Path, folder: Path) -> Engine:
    target = folder / "office.db"
    shutil.copy(source, target)
    return store.open_database(path=target)


SETTLE_SECONDS = 30.0  # a loaded CI machine is slow; a screen that never settles is a failure worth naming


async def settle(pilot: Pilot) -> None:
    """Let every worker finish and the screen catch up with what they delivered: quiet twice in a row.

    A DataTable measures new rows only when its message queue runs dry, a tab loads once its activation has
    been handled, and a reload may be scheduled after a refresh: each shows up only after a pause. Waiting by
    time rather than by a count of pauses keeps a busy machine from taking a half-drawn screen for a settled
    one; past the deadline the test fails saying what was still pending.
    """
    deadline = time.monotonic() + SETTLE_SECONDS
    quiet = 0
    while quiet < 2:
        finite = _finite(pilot.app)
        if finite:  # an empty list would mean every worker to Textual
            await pilot.app.workers.wait_for_complete(finite)
        await pilot.pause()
        pending = _pending(pilot.app)
        if not pending:
            quiet += 1
            continue
        quiet = 0
        if time.monotonic() > deadline:
            raise AssertionError(f"the screen did not settle in {SETTLE_SECONDS:g} s: {', '.join(pending)}")
        await pilot.pause(0.02)


async def until(pilot: Pilot, done) -> None:  # type: ignore[no-untyped-def]
    """Pause until `done()` (for what settle() would wait out: a read held back or refused)."""
    for _ in range(500):
        if done():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app did not get there in 10 s")


def _pending(app) -> list[str]:  # type: ignore[no-untyped-def]
    screen = app.screen
    return ([f"table {table.id} measuring" for table in screen.query(DataTable) if _measuring(table)]
            + [f"view {view.id} loading" for view in screen.query(TabView) if _loading(view)]
            + [f"worker {worker.name} running" for worker in _finite(app)
               if worker.state in (WorkerState.PENDING, WorkerState.RUNNING)])


def _finite(app) -> list:  # type: ignore[no-untyped-def, type-arg]
    """Every worker but the change watcher, which runs as long as the app (make_app(live=True))."""
    return [worker for worker in app.workers if worker.group != "changes"]


def _loading(view: TabView) -> bool:
    return (view.started and not view.shown) or (not view.started and view.region.area > 0)


def _measuring(table: DataTable) -> bool:  # type: ignore[type-arg]
    return bool(table._require_update_dimensions or table._updated_cells)
