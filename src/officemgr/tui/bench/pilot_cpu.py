"""Timing keys by the work they cause: process CPU time (every thread) from a key press until it has settled.

Pilot's press and pause wait in fixed sleeps, so their wall time says nothing; the CPU time they spend
waiting is small and the same for the bare app, which the report sets next to every figure.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from textual.pilot import Pilot
from textual.widgets import DataTable


async def settle(pilot: Pilot[object]) -> None:
    """Every worker finished and the screen caught up with what they delivered (as tests/ui_support.py)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    # A DataTable measures new rows when its message queue runs dry: that work belongs to the key too.
    # Tables in hidden tabs measure only once shown, so they are not waited for.
    for _ in range(100):
        if not any(t.region.area and (t._require_update_dimensions or t._updated_cells)
                   for t in pilot.app.screen.query(DataTable)):
            return
        await pilot.pause(0.02)


async def cpu_ms(pilot: Pilot[object], *keys: str) -> float:
    """Milliseconds of process CPU time that pressing `keys` causes, up to the settled screen."""
    start = time.process_time()
    await pilot.press(*keys)
    await settle(pilot)
    return (time.process_time() - start) * 1000


async def samples(repeats: int, one: Callable[[int], Awaitable[float | None]]) -> list[float]:
    """One warm-up then `repeats` measurements; `one(i)` returns None when that attempt did not happen."""
    found = [await one(i) for i in range(repeats + 1)][1:]
    return [ms for ms in found if ms is not None]


async def cursor_keys(pilot: Pilot[object], repeats: int) -> dict[str, list[float]]:
    """A row (`down`, `up`) and a page (`pagedown`, `pageup`) on the focused table, each pair measured in
    turn so the cursor stays in one place."""
    result = {}
    for name, there, back in (("row", "down", "up"), ("page", "pagedown", "pageup")):
        async def one(i: int, there: str = there, back: str = back) -> float:
            return await cpu_ms(pilot, back if i % 2 else there)

        result[name] = await samples(2 * repeats, one)
    return result
