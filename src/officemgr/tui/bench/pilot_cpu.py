"""Timing a key two ways: the wall time from the key to the next frame the app produces (what the user waits
for; DESIGN.md's budget), and the process CPU time (every thread) it causes until the screen has settled.

Pilot's press and pause wait in fixed sleeps, so their wall time says nothing; the CPU time they spend
waiting is small and the same for the bare app, which the report sets next to every figure. The next frame is
stamped inside the app (see FrameClock), so Pilot's sleeps do not count there either.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable


async def settle(pilot: Pilot[Any]) -> None:
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


class FrameClock:
    """Stamps each frame `app` produces: the compositor's update handed to the display (headless included)."""

    def __init__(self, app: App[Any]) -> None:
        self.frames: list[float] = []
        display = app._display

        def stamped(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None:
                self.frames.append(time.perf_counter())

        app._display = stamped  # type: ignore[method-assign]  # the one hook on every frame handed to the display
        CLOCKS[id(app)] = self

    def first_after(self, start: float) -> float | None:
        return next((t for t in self.frames if t > start), None)


CLOCKS: dict[int, FrameClock] = {}  # by id(app): the probe process runs one app

Cost = tuple[float, float]  # (CPU ms until settled, wall ms to the next frame)


async def key_cost(pilot: Pilot[Any], *keys: str) -> Cost:
    """What pressing `keys` costs: CPU time until the screen settles, and the wall time to the next frame."""
    clock = CLOCKS[id(pilot.app)]
    start, wall = time.process_time(), time.perf_counter()
    await pilot.press(*keys)
    await settle(pilot)
    cpu, settled = (time.process_time() - start) * 1000, time.perf_counter()
    # No frame at all: the key showed nothing until it settled, so the whole wait counts (Pilot's sleeps too).
    frame = clock.first_after(wall) or settled
    return cpu, (frame - wall) * 1000


async def samples(repeats: int, one: Callable[[int], Awaitable[Cost | None]]) -> list[Cost]:
    """One warm-up then `repeats` measurements; `one(i)` returns None when that attempt did not happen."""
    found = [await one(i) for i in range(repeats + 1)][1:]
    return [cost for cost in found if cost is not None]


async def cursor_keys(pilot: Pilot[Any], repeats: int) -> dict[str, list[Cost]]:
    """A row (`down`, `up`) and a page (`pagedown`, `pageup`) on the focused table, each pair measured in
    turn so the cursor stays in one place."""
    result = {}
    for name, there, back in (("row", "down", "up"), ("page", "pagedown", "pageup")):
        async def one(i: int, there: str = there, back: str = back) -> Cost:
            return await key_cost(pilot, back if i % 2 else there)

        result[name] = await samples(2 * repeats, one)
    return result
