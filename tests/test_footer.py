"""The footer shows the keys in reach, and rebuilds only when they change."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from officemgr.tui.app import make_app
from officemgr.tui.widgets.footer import KeysFooter
from ui_support import SIZE, TODAY, settle


def footer_keys(app) -> set[str]:  # type: ignore[no-untyped-def]
    return {key.description for key in app.screen.query(FooterKey)}


async def test_the_footer_follows_the_tab_and_skips_rebuilds_that_change_nothing(  # type: ignore[no-untyped-def]
        sqlite_demo_engine, monkeypatch) -> None:
    rebuilds = []
    recompose = KeysFooter.recompose

    async def counted(footer: KeysFooter) -> None:
        rebuilds.append(footer)
        await recompose(footer)

    monkeypatch.setattr(KeysFooter, "recompose", counted)
    app = make_app(sqlite_demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert {"Follow-up note", "Change status"} <= footer_keys(app) and "Add staff" not in footer_keys(app)
        before = len(rebuilds)
        await pilot.press("down", "down", "up")
        await settle(pilot)
        assert len(rebuilds) == before  # the cursor moved; the keys in reach did not change
        await pilot.press("3")
        await settle(pilot)
        assert "Add staff" in footer_keys(app) and "Follow-up note" not in footer_keys(app)
        assert len(rebuilds) == before + 1
