"""Tabs load when first opened (the Huddle at once): at start only one worker competes with the first paint."""

from __future__ import annotations

from textual.widgets import DataTable

from officemgr import store
from officemgr.services import inventory
from officemgr.tui.app import TABS, make_app
from officemgr.tui.widgets.base import selected_key
from ui_support import SIZE, TODAY, settle


async def test_only_the_huddle_loads_at_start_and_a_tab_loads_when_opened(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert {key for key, _, _ in TABS if app.view(key).shown} == {"huddle"}
        assert app.query_one("#view-billing #queue", DataTable).row_count == 0
        await pilot.press("5")
        await settle(pilot)
        assert app.view("billing").shown and app.query_one("#view-billing #queue", DataTable).row_count > 0
        # Clicking a tab loads it too, not only its number key.
        await pilot.click("#--content-tab-inventory")
        await settle(pilot)
        assert app.view("inventory").shown and app.query_one("#view-inventory #stock", DataTable).row_count > 0


async def test_a_jump_to_a_record_in_a_tab_not_yet_loaded_selects_it(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with store.read_session(demo_engine) as session:
        target = inventory.stock(session, TODAY)[5].item_id
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.view("inventory").shown
        app.jump_to("inventory", target)
        await settle(pilot)
        assert selected_key(app.query_one("#view-inventory #stock", DataTable)) == str(target)
