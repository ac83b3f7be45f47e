"""What each person is offered once signed in, driven by keys: their role's tabs and palette commands, emergency
access to the rest (audited with its reason), their own PIN, and the first start that creates the manager."""

from __future__ import annotations

import json
import socket

import pytest
from sqlmodel import col, select
from textual.command import CommandPalette
from textual.widgets import Input, Static, TabbedContent

from factories import NOW
from officemgr import store
from officemgr.models import AuditEvent, UserAccount
from officemgr.services import settings, users
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.signin import ChangePinScreen, EmergencyScreen, FirstStartScreen
from test_lock_app import DEMO_PIN, HOST, screen_text, signed_in, visible_tabs
from ui_support import SIZE, TODAY, settle


@pytest.fixture
def demo_engine(sqlite_demo_engine):  # type: ignore[no-untyped-def]
    return sqlite_demo_engine


def break_glass_events(engine) -> list[tuple[str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == "break_glass").order_by(col(AuditEvent.id)))
        return [(e.actor, json.loads(e.changes)) for e in rows]


async def palette_titles(pilot, typed: str) -> list[str]:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p", *typed)
    await settle(pilot)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    titles = [str(option.prompt).split("\n")[0] for option in palette.query_one("CommandList").options]
    await pilot.press("escape")
    await settle(pilot)
    return titles


async def test_front_desk_has_no_billing_and_its_key_offers_emergency_access_audited(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, actor=signed_in(demo_engine, "frontdesk"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "billing" not in visible_tabs(app) and "Billing" not in screen_text(app)
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, EmergencyScreen) and app.query_one(TabbedContent).active == "huddle"
        assert str(app.screen.query_one("#emergency-why", Static).render()) == \
            "the Billing tab needs the manager, biller or read-only (auditor) role; frontdesk is front desk."
        await pilot.press(*"quick", "enter")
        await settle(pilot)
        assert isinstance(app.screen, EmergencyScreen)
        assert "at least 10 characters" in str(app.screen.query_one("#e-reason", Static).render())
        app.screen.query_one("#f-reason", Input).value = ""
        await pilot.press(*"patient at the desk disputes a bill", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, EmergencyScreen)
        assert app.query_one(TabbedContent).active == "billing" and "billing" in visible_tabs(app)
        # Emergency access ends at the lock: back with the PIN, the Billing tab is gone again.
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press(*DEMO_PIN, "enter")
        await settle(pilot)
        assert "billing" not in visible_tabs(app) and app.query_one(TabbedContent).active != "billing"
    assert break_glass_events(demo_engine) == [
        (f"frontdesk@{HOST}", {"area": "billing", "reason": "patient at the desk disputes a bill"})]


async def test_emergency_access_turned_off_says_so_and_opens_nothing(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with write_session(demo_engine) as session:
        settings.put(session, "emergency_access", False, now=NOW, actor="kim")
    app = make_app(demo_engine, today=TODAY, actor=signed_in(demo_engine, "frontdesk"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5", *"patient at the desk disputes a bill", "enter")
        await settle(pilot)
        assert "emergency access is turned off" in str(app.screen.query_one("#e-reason", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert "billing" not in visible_tabs(app)
    assert break_glass_events(demo_engine) == []


async def test_the_palette_offers_only_what_the_role_may_see(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, actor=signed_in(demo_engine, "frontdesk"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Billing work queue" not in await palette_titles(pilot, "Billing")
        assert "Emergency access: the Billing tab" in await palette_titles(pilot, "Billing")
        assert "Audit log: who changed what, when" not in await palette_titles(pilot, "Audit log")
        assert "Book an appointment" in await palette_titles(pilot, "Book")
        assert {"Lock (ctrl+l)", "Change my PIN", "Sign out / switch user"} <= {
            *await palette_titles(pilot, "Lock"), *await palette_titles(pilot, "Change my"),
            *await palette_titles(pilot, "Sign out")}


async def test_a_refused_write_shows_the_services_reason_and_saves_nothing(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """The auditor sees the Schedule but may change nothing: the service refuses, whatever the screen offered."""
    from textual.widgets import DataTable

    from officemgr.models import Appointment, ApptStatus
    from officemgr.services import schedule

    with read_session(demo_engine) as session:
        rows = schedule.day_schedule(session, TODAY).rows
    target = next(i for i, r in enumerate(rows) if r.status is ApptStatus.booked)
    app = make_app(demo_engine, today=TODAY, actor=signed_in(demo_engine, "auditor"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "w")
        await settle(pilot)
        app.query_one("#schedule-table", DataTable).move_cursor(row=target)
        await pilot.press("d")
        await settle(pilot)
        said = [n.message for n in app._notifications]
    assert any("needs the" in m and "auditor" in m for m in said), said
    with read_session(demo_engine) as session:
        appt = session.get(Appointment, rows[target].id)
    assert appt is not None and appt.status is ApptStatus.booked


async def test_change_my_pin_needs_the_current_one_and_the_new_one_signs_in(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, actor=signed_in(demo_engine, "biller"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"Change my PIN")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChangePinScreen) and app.screen.query_one("#f-current", Input).has_focus
        await pilot.press(*"1111", "tab", *"5555", "tab", *"5555", "enter")
        await settle(pilot)
        assert str(app.screen.query_one("#e-current", Static).render()) == "Wrong PIN"
        await pilot.press("shift+tab", "shift+tab")
        app.screen.query_one("#f-current", Input).value = DEMO_PIN
        app.screen.query_one("#f-again", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ChangePinScreen)
    with write_session(demo_engine) as session:
        assert users.sign_in(session, "biller", "5555", workstation=HOST, now=NOW).actor is not None
        assert users.sign_in(session, "manager", DEMO_PIN, workstation=HOST, now=NOW).actor is not None


async def test_the_first_start_of_a_new_practice_creates_the_managers_account(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = store.open_database(path=tmp_path / "office.db")
    app = make_app(today=TODAY, secure=True, open_engine=lambda: engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstStartScreen) and "Create the manager's account" in screen_text(app)

        async def fill(*values: str) -> None:
            for name, value in zip(("first", "last", "login", "new", "again"), values, strict=True):
                app.screen.query_one(f"#f-{name}", Input).value = value
            app.screen.query_one("#f-again", Input).focus()
            await pilot.pause()
            await pilot.press("enter")
            await settle(pilot)

        await fill("Grace", "Hopper", "grace", "2468", "2486")
        assert "differ" in str(app.screen.query_one("#e-again", Static).render())
        await fill("", "", "", "", "")
        app.screen.query_one("#f-first", Input).focus()
        # By keys: tab moves between the fields even though no one is signed in yet.
        await pilot.press(*"Grace", "tab", *"Hopper", "tab", *"grace", "tab", *"2468", "tab", *"2468", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, FirstStartScreen) and not app.locked
        assert app.ctx.actor == f"grace@{socket.gethostname()}"
        assert "Grace Hopper (grace)" in screen_text(app)
    with write_session(engine) as session:
        [account] = session.exec(select(UserAccount)).all()
        assert (account.login, account.name, account.roles) == ("grace", "Grace Hopper", "manager")
        assert users.sign_in(session, "grace", "2468", workstation=HOST, now=NOW).actor is not None
    engine.dispose()
