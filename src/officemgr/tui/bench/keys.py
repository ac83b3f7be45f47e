"""The `keys` probe: in one process, the app's tabs (first paint, cursor keys), its billing filter, forms and
writes (flows.py), then the same keys and a text filter on the bare app with six tabs of 60-row tables, for the
ratios."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from officemgr.tui.bench.bare import BareApp
from officemgr.tui.bench.flows import bare_filter, billing_filter, book, claim_note, open_form
from officemgr.tui.bench.pilot_cpu import FrameClock, cursor_keys, key_cost, settle
from officemgr.tui.bench.probe import SIZE, peak_rss_mb

TAB_KEYS = ("huddle", "schedule", "staff", "inventory", "billing", "compliance")


async def measure_keys(db: str, today: date, *, repeats: int) -> dict[str, Any]:
    from officemgr import store
    from officemgr.tui.app import make_app

    # Started as the CLI starts it: the database opened in the app's worker after the first frame.
    app = make_app(today=today, open_engine=lambda: store.open_database(path=db))
    FrameClock(app)
    failures: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tabs = {key: await _first_paint(app, pilot, n, key) for n, key in enumerate(TAB_KEYS, start=1) if n > 1}
        keys = {}
        for n, key in enumerate(TAB_KEYS, start=1):
            await pilot.press(str(n))
            await settle(pilot)
            keys[key] = await cursor_keys(pilot, repeats)
        flows = {
            "filter": await billing_filter(app, pilot, repeats, failures),
            "form": await open_form(app, pilot, repeats, failures),
            "book": await book(app, pilot, repeats, failures, today),
            "note": await claim_note(app, pilot, repeats, failures),
        }
    peak = peak_rss_mb()
    return {"tabs": tabs, "keys": keys, **flows, "bare": await _bare(repeats), "failures": failures,
            "peak_rss_mb": peak}


async def _first_paint(app: Any, pilot: Any, n: int, key: str) -> dict[str, float]:
    """CPU from the tab's key to its data painted; wall time from the key to its next frame, and to the frame
    after show() (the data on screen)."""
    view = app.view(key)
    shown = view.show
    painted: list[float] = []

    def show(data: Any) -> None:
        shown(data)
        app.call_after_refresh(lambda: painted.append(time.perf_counter()))

    view.show = show
    start = time.perf_counter()
    cpu, frame = await key_cost(pilot, str(n))
    for _ in range(500):
        if painted:
            break
        await pilot.pause(0.02)
    del view.show  # back to the class's method
    return {"cpu_ms": cpu, "frame_ms": frame, "wall_ms": (painted[0] - start) * 1000 if painted else -1.0}


async def _bare(repeats: int) -> dict[str, Any]:
    app = BareApp(rows=60)
    FrameClock(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tabs = {}
        for n, key in enumerate(TAB_KEYS, start=1):
            if n > 1:
                cpu, frame = await key_cost(pilot, str(n))
                tabs[key] = {"cpu_ms": cpu, "frame_ms": frame}
        keys = {}
        for n, key in enumerate(TAB_KEYS, start=1):
            await pilot.press(str(n))
            await settle(pilot)
            keys[key] = await cursor_keys(pilot, repeats)
        filtered = await bare_filter(pilot, repeats)
    return {"tabs": tabs, "keys": keys, "filter": filtered}
