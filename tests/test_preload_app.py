"""The other tabs load in the background once the first shows (make_app(preload=True), the CLI's run): a tab key then
shows data already there, only the tabs the person may open load, and the collector's full passes mostly wait for
a rest in the keys while the app runs."""

from __future__ import annotations

import gc

from textual.widgets import DataTable

from officemgr import store
from officemgr.tui.app import TABS, OfficeApp, make_app
from officemgr.tui.collector import FULL_PASS_AFTER
from officemgr.tui.widgets.base import TabView
from test_lock_app import DEMO_PIN, signed_in, type_pin
from ui_support import SIZE, TODAY, settle

ALL_TABS = [key for key, _, _ in TABS]


async def preloaded(app: OfficeApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Settled, and the background loads done (each begins after the one before shows)."""
    for _ in range(200):
        await settle(pilot)
        if not app.preloading:
            return
    raise AssertionError("the background loads did not finish")


def loaded(app: OfficeApp) -> list[str]:
    return [key for key in ALL_TABS if app.has_view(key) and app.view(key).shown]


async def test_every_tab_has_its_data_before_its_key_and_the_key_reads_nothing_again(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, preload=True)
    reads: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await preloaded(app, pilot)
        assert loaded(app) == ALL_TABS
        rows = app.query_one("#schedule-table", DataTable).row_count
        assert rows > 0
        reload = TabView.reload
        for key in ALL_TABS:
            view = app.view(key)
            view.reload = lambda key=key, view=view: (reads.append(key), reload(view))  # type: ignore[method-assign]
        await pilot.press("2")
        await pilot.pause()
        assert app.query_one("#schedule-table", DataTable).row_count == rows  # in the key's own frame
        await settle(pilot)
        assert reads == []


async def test_without_preload_a_tab_loads_on_its_key(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """Tests and scripts start without it: a tab's first key still loads it, as before."""
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert loaded(app) == ["huddle"]
        await pilot.press("2")
        await settle(pilot)
        assert loaded(app) == ["huddle", "schedule"]


async def test_only_the_tabs_the_person_may_open_load(sqlite_demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(sqlite_demo_engine, today=TODAY, actor=signed_in(sqlite_demo_engine, "frontdesk"), preload=True)
    async with app.run_test(size=SIZE) as pilot:
        await preloaded(app, pilot)
        assert loaded(app) == ["huddle", "schedule", "staff"]  # the front desk's tabs
        assert not any(app.view(key).started for key in ("inventory", "billing", "compliance"))


async def test_a_lock_stops_the_background_loads_and_the_unlock_carries_on(sqlite_demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(sqlite_demo_engine, today=TODAY, actor=signed_in(sqlite_demo_engine, "manager"), preload=True)
    async with app.run_test(size=SIZE) as pilot:
        app.action_lock()  # at once: the Huddle's read may finish behind the sign-in, nothing after it starts
        await settle(pilot)
        assert app.locked and not app.preloading and not app.view("compliance").started
        await type_pin(pilot, DEMO_PIN)
        await preloaded(app, pilot)
        assert not app.locked and loaded(app) == ALL_TABS


async def test_the_cli_start_preloads_once_the_views_are_in_and_puts_full_collections_off_until_it_ends(
        demo_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The CLI's path: the database opens in a worker, the views come after the Huddle, then the other tabs load.
    While the app runs the collector's full passes come ten times less often (the app makes them when the keys rest)."""
    path = tmp_path / "office.db"
    path.write_bytes(demo_db.read_bytes())
    opened = []

    def open_engine():  # type: ignore[no-untyped-def]
        opened.append(store.open_database(path=path))
        return opened[0]

    before = gc.get_threshold()
    app = make_app(today=TODAY, open_engine=open_engine, preload=True)
    async with app.run_test(size=SIZE) as pilot:
        await preloaded(app, pilot)
        assert loaded(app) == ALL_TABS
        assert gc.get_threshold() == (*before[:2], FULL_PASS_AFTER)
    assert gc.get_threshold() == before
    opened[0].dispose()
