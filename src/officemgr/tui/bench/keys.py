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

    # Started as the CLI starts it: the database opened in the app's worker after the first frame, the other tabs
    # loaded in the background once the Huddle shows.
    app = make_app(today=today, open_engine=lambda: store.open_database(path=db), preload=True)
    FrameClock(app)
    failures: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _preloaded(app, pilot, failures)
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


async def _preloaded(app: Any, pilot: Any, failures: list[str]) -> None:
    """Wait for the background loads of the other tabs: a person looks at the Huddle a while before a tab key."""
    for _ in range(1500):
        if not app.preloading and all(app.has_view(key) and app.view(key).shown for key in TAB_KEYS):
            return
        await pilot.pause(0.02)
    failures.append("the other tabs were not loaded in the background within 30 s of the Huddle")


async def _first_paint(app: Any, pilot: Any, n: int, key: str) -> dict[str, float]:
    """CPU from the tab's key to its data painted; wall time from the key to its next frame, and to the frame
    after show() (the data on screen: the key's own frame when the tab's data was loaded before it)."""
    view = app.view(key)
    if view.shown:
        cpu, frame = await key_cost(pilot, str(n))
        return {"cpu_ms": cpu, "frame_ms": frame, "wall_ms": frame}
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
