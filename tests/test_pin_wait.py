"""The wrong-PIN wait is each person's, stored on their account: it survives the sign-in screen, the app and a
restart, and a clock gone back does not lock anyone out for hours."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, Static

from factories import NOW
from officemgr.services import pin
from officemgr.tui.app import make_app
from officemgr.tui.signin import SignInScreen
from test_lock_app import signed_in
from ui_support import SIZE, TODAY, settle


def test_a_clock_gone_back_ends_the_wait_rather_than_locking_for_hours() -> None:
    wait = pin.PinWait(3, NOW + timedelta(seconds=30))
    assert wait.seconds_left(NOW) == 30 and wait.seconds_left(NOW + timedelta(seconds=40)) == 0
    assert wait.seconds_left(NOW - timedelta(hours=5)) == 0


async def test_the_wait_survives_quitting_and_starting_the_app_again(sqlite_demo_engine) -> None:  # type: ignore[no-untyped-def]
    clock = NOW.replace(year=TODAY.year, month=TODAY.month, day=TODAY.day)
    manager = signed_in(sqlite_demo_engine, "manager")
    app = make_app(sqlite_demo_engine, today=TODAY, clock=lambda: clock, actor=manager)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        for _ in range(3):
            await pilot.press(*"0000", "enter")
            await settle(pilot)
        assert app.screen.query_one("#signin-pin", Input).disabled

    # A fresh app on the same database, ten seconds later: the manager still waits, for what is left of it.
    later = clock + timedelta(seconds=10)
    again = make_app(sqlite_demo_engine, today=TODAY, clock=lambda: later, actor=manager)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        # Shown before any try: the screen reads each person's wait as it opens.
        assert isinstance(again.screen, SignInScreen) and again.locked
        message = str(again.screen.query_one("#signin-message", Static).render())
        assert message == "Too many wrong PINs: try again in 20 s"
        assert again.screen.query_one("#signin-pin", Input).disabled
