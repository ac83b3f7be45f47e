"""Helpers for the interaction and snapshot tests: one demo database per run, copied per test."""

from __future__ import annotations

import shutil
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


def build_demo(folder: Path) -> Path:
    path = folder / "demo.db"
    engine = store.open_database(path=path)
    demo.fill(engine, today=TODAY, seed=SEED, scale="small")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def copy_demo(source: Path, folder: Path) -> Engine:
    target = folder / "office.db"
    shutil.copy(source, target)
    return store.open_database(path=target)


async def settle(pilot: Pilot) -> None:
    """Let every worker finish and the screen catch up with what they delivered."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    # A DataTable measures new rows and columns only when its message queue runs dry; on a busy machine the
    # pauses above can end first, and a snapshot would catch columns still as wide as their headers.
    # Likewise a tab opened by a key loads its data once the activation message is handled, which the pauses
    # above may not reach either.
    # Quiet twice in a row, a pause apart: a reload started after a refresh, or a table measuring what it
    # was just given, shows up only once that pause has run.
    quiet = 0
    for _ in range(100):
        screen = pilot.app.screen
        if not any(_measuring(table) for table in screen.query(DataTable)) and not any(
                _loading(view) for view in screen.query(TabView)) and not any(
                worker.state in (WorkerState.PENDING, WorkerState.RUNNING) for worker in pilot.app.workers):
            quiet += 1
            if quiet == 2:
                return
            await pilot.pause()
            continue
        quiet = 0
        await pilot.pause(0.02)
        await pilot.app.workers.wait_for_complete()


def _loading(view: TabView) -> bool:
    return (view.started and not view.shown) or (not view.started and view.region.area > 0)


def _measuring(table: DataTable) -> bool:  # type: ignore[type-arg]
    return bool(table._require_update_dimensions or table._updated_cells)
