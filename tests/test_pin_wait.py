"""The wrong-PIN wait is stored in the database: it survives the lock screen, the app and a restart, and holds only
the count and the wait's end (never the PIN), each change audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from textual.widgets import Input, Static

from factories import NOW, audit_events
from officemgr.models import Setting
from officemgr.services import pin
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.lock import LockScreen
from ui_support import SIZE, TODAY, settle

PIN = "2468"


def _tries(engine: Engine, *typed: str, at: datetime = NOW) -> list[pin.PinTry]:
    tries = []
    for digits in typed:
        with write_session(engine) as session:
            tries.append(pin.try_pin(session, digits, actor="kim", now=at))
    return tries


def _with_pin(engine: Engine) -> None:
    with write_session(engine) as session:
        pin.set_pin(session, PIN, actor="kim", now=NOW)


def test_wrong_pins_are_stored_with_the_waits_end_and_a_right_one_clears_them(engine: Engine) -> None:
    _with_pin(engine)

    first, second, third = _tries(engine, "1111", "2222", "3333")

    assert [t.checked and not t.right for t in (first, second, third)] == [True, True, True]
    assert first.wait.seconds_left(NOW) == 0 and third.wait == pin.PinWait(3, NOW + timedelta(seconds=30))
    with read_session(engine) as session:
        assert pin.pin_wait(session) == pin.PinWait(3, NOW + timedelta(seconds=30))
        stored = session.get(Setting, pin.WAIT_KEY)
        assert stored is not None and PIN not in stored.value
    # While the wait runs even the right PIN is not checked; after it, a wrong one doubles the wait.
    [during] = _tries(engine, PIN, at=NOW + timedelta(seconds=10))
    assert not during.right and not during.checked
    [fourth] = _tries(engine, "4444", at=NOW + timedelta(seconds=31))
    assert fourth.wait.until == NOW + timedelta(seconds=91)
    [right] = _tries(engine, PIN, at=NOW + timedelta(seconds=92))
    assert right.right
    with read_session(engine) as session:
        assert pin.pin_wait(session) == pin.PinWait()


def test_each_wrong_pin_and_the_right_one_after_them_are_audited_without_the_pin(session: Session) -> None:
    pin.set_pin(session, PIN, actor="kim", now=NOW)
    pin.try_pin(session, "1357", actor="kim", now=NOW)
    pin.try_pin(session, PIN, actor="kim", now=NOW)

    events = [(e.action, changes) for e, changes in audit_events(session, "setting")]
    assert events[-2:] == [("pin", {"pin": "wrong", "wrong_in_a_row": 1}), ("pin", {"pin": "right", "after_wrong": 1})]
    assert all(PIN not in e.changes and "1357" not in e.changes for e, _ in audit_events(session))


def test_a_right_pin_without_wrong_ones_before_it_writes_nothing(session: Session) -> None:
    pin.set_pin(session, PIN, actor="kim", now=NOW)
    before = len(audit_events(session))

    assert pin.try_pin(session, PIN, actor="kim", now=NOW).right

    assert len(audit_events(session)) == before
    assert session.exec(select(Setting).where(col(Setting.key) == pin.WAIT_KEY)).first() is None


def test_a_clock_gone_back_ends_the_wait_rather_than_locking_for_hours() -> None:
    wait = pin.PinWait(3, NOW + timedelta(seconds=30))
    assert wait.seconds_left(NOW) == 30 and wait.seconds_left(NOW + timedelta(seconds=40)) == 0
    assert wait.seconds_left(NOW - timedelta(hours=5)) == 0


async def test_the_wait_survives_quitting_and_starting_the_app_again(sqlite_demo_engine) -> None:  # type: ignore[no-untyped-def]
    _with_pin(sqlite_demo_engine)
    clock = NOW.replace(year=TODAY.year, month=TODAY.month, day=TODAY.day)
    app = make_app(sqlite_demo_engine, today=TODAY, clock=lambda: clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        for _ in range(3):
            await pilot.press(*"0000", "enter")
            await settle(pilot)
        assert app.screen.query_one(Input).disabled

    # A fresh app on the same database, ten seconds later: still locked out, for what is left of the wait.
    later = clock + timedelta(seconds=10)
    again = make_app(sqlite_demo_engine, today=TODAY, clock=lambda: later)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(again.screen, LockScreen)
        message = str(again.screen.query_one("#lock-message", Static).render())
        assert message == "Too many wrong PINs: try again in 20 s"
        assert again.screen.query_one(Input).disabled
        await pilot.press(*PIN, "enter")
        await settle(pilot)
        assert isinstance(again.screen, LockScreen)
