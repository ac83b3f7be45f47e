"""The lock screen driven by keys: ctrl+l, idle, a secure start; nothing of the practice shows while locked, no key
but the PIN gets through, and the unlock goes back to exactly where the user was."""

from __future__ import annotations

import html
import re

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, Static, TabbedContent

from factories import NOW
from officemgr.services import pin, schedule, settings
from officemgr.store import read_session, write_session
from officemgr.tui.app import OfficeApp, make_app
from officemgr.tui.forms.appointment import AppointmentForm
from officemgr.tui.keys import KeysScreen
from officemgr.tui.lock import LockScreen, SetPinScreen
from ui_support import SIZE, TODAY, settle


@pytest.fixture
def demo_engine(sqlite_demo_engine):  # type: ignore[no-untyped-def]
    """What the screen shows and hides (the lock, patients by initials) is the same on either engine: SQLite alone
    (the PIN's storage and check run on both engines in test_pin.py; the suite's time is better spent there)."""
    return sqlite_demo_engine

PIN = "2468"


def screen_text(app: OfficeApp) -> str:
    """Every character the terminal shows, read from a screenshot (what a passer-by would see)."""
    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(re.sub(r"<[^>]+>", "", line) for line in lines)).replace("\xa0", " ")


def with_pin(engine, *, names: bool = False) -> None:  # type: ignore[no-untyped-def]
    with write_session(engine) as session:
        pin.set_pin(session, PIN, actor="kim", now=NOW)
    if names:
        # Privacy mode off, so the tabs show full names and the test can prove the lock hides them.
        with write_session(engine) as session:
            settings.put(session, "privacy_tabs", [], now=NOW, actor="kim")


def todays_last_names(engine) -> set[str]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return {row.patient_name.split(",")[0] for row in schedule.day_schedule(session, TODAY).rows}


async def type_pin(pilot, digits: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*digits, "enter")
    await settle(pilot)


def lock_message(app: OfficeApp) -> str:
    return str(app.screen.query_one("#lock-message", Static).render())


async def test_ctrl_l_locks_and_the_lock_screen_shows_no_patient_or_tab_data(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with_pin(demo_engine, names=True)
    names = todays_last_names(demo_engine)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        before = screen_text(app)
        assert any(name in before for name in names)  # the check below could fail
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen) and app.locked
        shown = screen_text(app)
        assert "officemgr is locked" in shown
        assert not [name for name in names if name in shown]
        for tab_text in ("Schedule", "Huddle", "Billing", "booked", "Monday November 23"):
            assert tab_text not in shown


async def test_a_wrong_pin_says_so_and_the_right_one_goes_back_to_the_same_tab(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with_pin(demo_engine)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await type_pin(pilot, "1357")
        assert isinstance(app.screen, LockScreen) and lock_message(app) == "Wrong PIN"
        assert app.screen.query_one(Input).value == ""
        app.notify("Saved: Lovelace, Ada", markup=False)  # e.g. a worker finishing while locked
        assert "Lovelace" not in screen_text(app)
        await type_pin(pilot, PIN)
        assert not isinstance(app.screen, LockScreen) and not app.locked
        assert app.query_one(TabbedContent).active == "staff"
        assert [n.message for n in app._notifications] == ["Saved: Lovelace, Ada"]


async def test_three_wrong_pins_disable_the_input_for_30_seconds(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with_pin(demo_engine)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        for _ in range(3):
            await type_pin(pilot, "0000")
        assert lock_message(app) == "Too many wrong PINs: try again in 30 s"
        assert app.screen.query_one(Input).disabled
        # Even the right PIN cannot be typed while the wait runs, and locking again does not reset it.
        await type_pin(pilot, PIN)
        assert isinstance(app.screen, LockScreen)
        with read_session(demo_engine) as session:
            assert pin.pin_wait(session).seconds_left(app.ctx.now()) > 25


async def test_no_app_key_works_while_locked(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with_pin(demo_engine)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("ctrl+p", "2", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen) and app.query_one(TabbedContent).active == "huddle"
        # With the PIN field off (the wait after wrong PINs) the keys reach the app's bindings: still nothing.
        for _ in range(3):
            await type_pin(pilot, "0000")
        for key in ("ctrl+p", "1", "2", "3", "4", "5", "6", "question_mark", "q", "escape", "ctrl+l"):
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(app.screen, LockScreen) and app.is_running
        assert not any(isinstance(s, (CommandPalette, KeysScreen)) for s in app.screen_stack)
        assert app.query_one(TabbedContent).active == "huddle"


async def test_an_open_form_is_still_there_after_the_unlock(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with_pin(demo_engine)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AppointmentForm)
        await pilot.press("ctrl+l")  # priority: works with the form's input focused
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert "New appointment" not in screen_text(app) and "Book" not in screen_text(app)
        await type_pin(pilot, PIN)
        assert app.screen is form


async def test_the_app_locks_itself_when_left_idle(demo_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with_pin(demo_engine)
    monkeypatch.setattr(OfficeApp, "IDLE_CHECK_SECONDS", 0.05)
    app = make_app(demo_engine, today=TODAY)
    assert app.idle_seconds == 5 * 60  # the setting's default
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        app.idle_seconds = 1.0
        for _ in range(5):  # keys keep it awake
            await pilot.pause(0.3)
            await pilot.press("j")
        assert not app.locked
        await pilot.pause(1.5)
        assert app.locked and isinstance(app.screen, LockScreen)


async def test_idle_zero_never_locks(demo_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with_pin(demo_engine)
    with write_session(demo_engine) as session:
        settings.put(session, "lock_idle_minutes", 0, now=NOW, actor="kim")
    monkeypatch.setattr(OfficeApp, "IDLE_CHECK_SECONDS", 0.05)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert not app.locked


async def test_ctrl_l_without_a_pin_says_how_to_set_one(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert not app.locked and not isinstance(app.screen, LockScreen)
        assert any("officemgr set-pin" in n.message for n in app._notifications)


async def test_a_secure_start_with_a_pin_opens_locked(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with_pin(demo_engine, names=True)
    names = todays_last_names(demo_engine)
    app = make_app(demo_engine, today=TODAY, secure=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        shown = screen_text(app)
        assert "officemgr is locked" in shown and not [n for n in names if n in shown]
        await type_pin(pilot, PIN)
        assert app.query_one(TabbedContent).active == "huddle" and not app.locked


def as_real_practice(engine) -> None:  # type: ignore[no-untyped-def]
    """The demo is marked as one (no PIN offered); these tests need a practice's own database."""
    with write_session(engine) as session:
        settings.put(session, "demo_data", False, now=NOW, actor="kim")


async def test_a_secure_first_start_offers_to_set_the_pin(demo_engine) -> None:  # type: ignore[no-untyped-def]
    as_real_practice(demo_engine)
    app = make_app(demo_engine, today=TODAY, secure=True, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SetPinScreen)

        async def submit(new: str, again: str) -> None:
            form.query_one("#pin-new", Input).value = new
            form.query_one("#pin-again", Input).value = again
            form.query_one("#pin-again", Input).focus()
            await pilot.pause()
            await pilot.press("enter")
            await settle(pilot)

        await submit("12", "12")
        assert "4 to 12 digits" in str(form.query_one("#e-new", Static).render())
        assert form.query_one("#e-new", Static).display and "this one has 2" in screen_text(app)
        await submit("97531", "97532")
        assert "differ" in str(form.query_one("#e-again", Static).render())
        assert str(form.query_one("#e-new", Static).render()) == ""
        await submit("97531", "97531")
        assert app.screen is not form and app.pin_set
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert app.locked
    with read_session(demo_engine) as session:
        assert pin.check_pin(session, "97531")


async def test_not_now_leaves_the_app_open_without_a_pin(demo_engine) -> None:  # type: ignore[no-untyped-def]
    as_real_practice(demo_engine)
    app = make_app(demo_engine, today=TODAY, secure=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetPinScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SetPinScreen) and not app.pin_set
    with read_session(demo_engine) as session:
        assert not pin.pin_is_set(session)


async def test_a_demo_practice_opens_without_asking_for_a_pin(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, secure=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, SetPinScreen) and not app.locked
        assert app.query_one(TabbedContent).active == "huddle"


async def test_the_palette_locks_and_changing_the_pin_needs_the_current_one(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with_pin(demo_engine)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"Set or change the PIN")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SetPinScreen) and app.screen.query_one("#pin-current", Input).has_focus
        await pilot.press(*"1111", "tab", *"5555", "tab", *"5555", "enter")
        await settle(pilot)
        assert str(app.screen.query_one("#e-current", Static).render()) == "Wrong PIN"
        await pilot.press("escape", "ctrl+p", *"Lock the screen")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
    with read_session(demo_engine) as session:
        assert pin.check_pin(session, PIN)


async def test_the_keys_list_names_lock_and_reveal(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await settle(pilot)
        table = app.screen.query_one("DataTable")
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert any(row[1] == "ctrl+l" and "lock" in row[2] for row in rows)
        assert ["Huddle", "v", "Show name"] in rows and ["Schedule", "v", "Show name"] in rows
