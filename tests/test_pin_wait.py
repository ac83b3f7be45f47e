"""The wrong-PIN wait is each person's, stored on their account: it survives the sign-in screen, the app and a
restart; it counts in real time, which neither --today nor a clock behind can move."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, Static

from factories import NOW, make_staff
from officemgr.models import Role
from officemgr.services import pin, users
from officemgr.tui.app import make_app
from officemgr.tui.signin import SignInScreen
from test_lock_app import signed_in
from ui_support import SIZE, TODAY, settle

WALL = NOW.replace(year=2031)  # the real time, far from the app's --today


def test_a_clock_behind_waits_the_whole_wait_never_none() -> None:
    wait = pin.PinWait(3, NOW + timedelta(seconds=30))
    assert wait.seconds_left(NOW) == 30 and wait.seconds_left(NOW + timedelta(seconds=40)) == 0
    # Another workstation's clock five hours behind (or a day back): the wait is still the wait, not over.
    assert wait.seconds_left(NOW - timedelta(hours=5)) == 30
    assert wait.seconds_left(NOW - timedelta(days=1)) == 30


def test_another_today_does_not_end_the_wait(session) -> None:  # type: ignore[no-untyped-def]
    """--today moves the day the app works on, not the time the wait counts in."""
    make_staff(session, first_name="Kim", last_name="Lee", role=Role.front_desk)
    users.add_user(session, "kim", staff_name="Kim Lee", roles="front_desk", new_pin="2468", actor="setup", now=NOW)
    for _ in range(3):
        users.sign_in(session, "kim", "0000", workstation="desk", now=NOW, wall=WALL)
    yesterday = users.sign_in(session, "kim", "2468", workstation="desk", now=NOW - timedelta(days=1), wall=WALL)
    tomorrow = users.sign_in(session, "kim", "2468", workstation="desk", now=NOW + timedelta(days=1),
                             wall=WALL + timedelta(seconds=5))
    assert (yesterday.checked, tomorrow.checked) == (False, False) and tomorrow.actor is None
    assert users.sign_in(session, "kim", "2468", workstation="desk", now=NOW,
                         wall=WALL + timedelta(seconds=31)).actor is not None


async def test_the_wait_survives_quitting_and_starting_the_app_again(sqlite_demo_engine) -> None:  # type: ignore[no-untyped-def]
    clock = NOW.replace(year=TODAY.year, month=TODAY.month, day=TODAY.day)
    manager = signed_in(sqlite_demo_engine, "manager")
    app = make_app(sqlite_demo_engine, today=TODAY, clock=lambda: clock, wall=lambda: clock, actor=manager)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        for _ in range(3):
            await pilot.press(*"0000", "enter")
            await settle(pilot)
        assert app.screen.query_one("#signin-pin", Input).disabled

    # A fresh app on the same database, ten seconds later: the manager still waits, for what is left of it.
    later = clock + timedelta(seconds=10)
    again = make_app(sqlite_demo_engine, today=TODAY, clock=lambda: later, wall=lambda: later, actor=manager)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        # Shown before any try: the screen reads each person's wait as it opens.
        assert isinstance(again.screen, SignInScreen) and again.locked
        message = str(again.screen.query_one("#signin-message", Static).render())
        assert message == "Too many wrong PINs: try again in 20 s"
        assert again.screen.query_one("#signin-pin", Input).disabled
