"""The sign-in screen driven by keys: a secure start, ctrl+l, idle, switch user; nothing of the practice shows
while it is up, no key but the sign-in's gets through, and coming back goes to exactly where the person was."""

from __future__ import annotations

import html
import re
import socket
import threading

import pytest
from sqlmodel import col, select
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, OptionList, Static, TabbedContent

from factories import NOW
from officemgr.models import ApptStatus, AuditEvent
from officemgr.services import schedule, settings, users
from officemgr.services.access import Actor
from officemgr.store import read_session, write_session
from officemgr.tui.app import OfficeApp, make_app
from officemgr.tui.forms.appointment import AppointmentForm
from officemgr.tui.keys import KeysScreen
from officemgr.tui.signin import SignInScreen
from ui_support import SIZE, TODAY, settle, until

DEMO_PIN = "1234"
HOST = socket.gethostname()


@pytest.fixture
def demo_engine(sqlite_demo_engine):  # type: ignore[no-untyped-def]
    """What the screen shows and hides is the same on either engine: SQLite alone (the PIN's storage and check run
    on both engines in the services' tests; the suite's time is better spent there)."""
    return sqlite_demo_engine


def screen_text(app: OfficeApp) -> str:
    """Every character the terminal shows, read from a screenshot (what a passer-by would see)."""
    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(re.sub(r"<[^>]+>", "", line) for line in lines)).replace("\xa0", " ")


def as_real_practice(engine, *, names: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The demo is marked as one (it opens signed in); these tests need a practice's own database."""
    with write_session(engine) as session:
        settings.put(session, "demo_data", False, now=NOW, actor="kim")
        if names:
            # Privacy mode off, so the tabs show full names and the test can prove the sign-in hides them.
            settings.put(session, "privacy_tabs", [], now=NOW, actor="kim")


def signed_in(engine, login: str) -> Actor:  # type: ignore[no-untyped-def]
    with write_session(engine) as session:
        actor = users.sign_in(session, login, DEMO_PIN, workstation=HOST, now=NOW).actor
    assert actor is not None
    return actor


def todays_last_names(engine) -> set[str]:  # type: ignore[no-untyped-def]
    """Today's patients' last names, but those a person signing in shares (the sign-in lists staff names)."""
    with read_session(engine) as session:
        staff = {word for person in users.sign_in_names(session) for word in person.name.split()}
        return {row.patient_name.split(",")[0] for row in schedule.day_schedule(session, TODAY).rows} - staff


def events(engine, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                                 .order_by(col(AuditEvent.id))))


async def type_pin(pilot, digits: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*digits, "enter")
    await settle(pilot)


async def pick(pilot, typed: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the name filter and take the first name it leaves."""
    pilot.app.screen.query_one("#signin-filter", Input).focus()
    await pilot.pause()
    await pilot.press(*typed, "enter")
    await settle(pilot)


def message(app: OfficeApp) -> str:
    return str(app.screen.query_one("#signin-message", Static).render())


def visible_tabs(app: OfficeApp) -> list[str]:
    tabs = app.query_one(TabbedContent)
    return [pane.id or "" for pane in tabs.query("TabPane") if tabs.get_tab(pane.id or "").display]


async def test_a_secure_start_signs_in_by_keys_before_any_data_shows(demo_engine) -> None:  # type: ignore[no-untyped-def]
    as_real_practice(demo_engine, names=True)
    names = todays_last_names(demo_engine)
    app = make_app(demo_engine, today=TODAY, secure=True)
    app.opening_notes.append("A foreign WAL was set aside")  # said once someone has signed in, not before
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.locked and not app._notifications
        shown = screen_text(app)
        assert "Sign in to officemgr" in shown and not [n for n in names if n in shown]
        assert "(frontdesk)" in shown and "(manager)" in shown  # the list of names
        await pick(pilot, "front")
        listed = app.screen.query_one(OptionList)
        assert listed.option_count == 1 and app.screen.query_one("#signin-pin", Input).has_focus
        await type_pin(pilot, "9999")
        assert isinstance(app.screen, SignInScreen) and message(app) == "Wrong PIN"
        await type_pin(pilot, DEMO_PIN)
        assert not app.locked and not isinstance(app.screen, SignInScreen)
        assert app.ctx.actor == f"frontdesk@{HOST}" and app.ctx.actor.login == "frontdesk"
        # A front-desk user has no Billing, Staff or Inventory tab, and the footer names them.
        assert visible_tabs(app) == ["huddle", "schedule", "staff"]
        assert "(frontdesk)" in screen_text(app)
        assert [n.message for n in app._notifications] == ["A foreign WAL was set aside"]
    assert [(e.actor, e.action) for e in events(demo_engine, "sign_in_failed")] == [(f"frontdesk@{HOST}",
                                                                                      "sign_in_failed")]
    assert [e.actor for e in events(demo_engine, "sign_in")] == [f"frontdesk@{HOST}"]


OTHER_TABS = ("schedule", "staff", "inventory", "billing", "compliance")


def practice_with_the_huddle_held(  # type: ignore[no-untyped-def]
        engine, monkeypatch) -> tuple[OfficeApp, threading.Event]:
    """A practice's own database opened at its sign-in, its Huddle read held until the event is set (10 s at most);
    only a tab key or the first tab's data brings the other views (not the 5 s timer)."""
    from officemgr.tui.views.huddle import HuddleView

    as_real_practice(engine)
    huddle_read = threading.Event()
    fetch = HuddleView.fetch

    def held(view: HuddleView, session: object) -> object:
        huddle_read.wait(10)
        return fetch(view, session)  # type: ignore[arg-type]

    monkeypatch.setattr(HuddleView, "fetch", held)
    app = make_app(engine, today=TODAY, secure=True)
    app.VIEWS_AT_THE_LATEST = 60.0
    return app, huddle_read


async def sign_in_as_the_manager(pilot) -> None:  # type: ignore[no-untyped-def]
    """The manager's name and PIN typed at the sign-in; back once the Huddle has its view (its data may be held)."""
    await settle(pilot)
    await pick(pilot, "manager")
    await pilot.press(*DEMO_PIN, "enter")
    await until(pilot, lambda: not pilot.app.locked and pilot.app.has_view("huddle"))


async def test_after_the_pin_the_huddle_comes_first_and_the_other_tabs_views_once_its_data_shows(
        demo_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Mounted beside the Huddle's first read, the other five views held it up: they wait for its data."""
    from officemgr.tui.views.huddle import HuddleView

    as_real_practice(demo_engine)
    at_show: list[list[bool]] = []
    show = HuddleView.show

    def watched(view: HuddleView, data: object) -> None:
        at_show.append([view.app.has_view(key) for key in OTHER_TABS])  # type: ignore[attr-defined]
        show(view, data)

    monkeypatch.setattr(HuddleView, "show", watched)
    app = make_app(demo_engine, today=TODAY, secure=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, "manager")
        await type_pin(pilot, DEMO_PIN)
        assert at_show == [[False] * len(OTHER_TABS)]
        assert all(app.has_view(key) for key in OTHER_TABS)
        await pilot.press("5")
        await settle(pilot)
        assert app.view("billing").shown


async def test_a_tab_key_before_the_huddle_shows_after_the_pin_brings_that_tabs_view_at_once(
        demo_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app, huddle_read = practice_with_the_huddle_held(demo_engine, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as_the_manager(pilot)
        assert not app.has_view("billing")
        await pilot.press("5")
        await until(pilot, lambda: app.has_view("billing") and app.view("billing").shown)
        assert app.view("billing").shown and not app.view("huddle").shown
        assert app.query_one(TabbedContent).active == "billing"
        huddle_read.set()
        await settle(pilot)
        assert app.view("huddle").shown


async def test_the_other_views_are_mounted_once_when_the_timer_and_a_key_ask_at_the_same_time(
        demo_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app, huddle_read = practice_with_the_huddle_held(demo_engine, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as_the_manager(pilot)
        # The timer runs in its own task, beside the app's queue: both ask before either has mounted.
        app._bring_other_views()
        app._bring_other_views()
        await until(pilot, lambda: all(app.has_view(key) for key in OTHER_TABS))
        await pilot.pause()
        assert [len(app.query(f"#view-{key}")) for key in OTHER_TABS] == [1] * len(OTHER_TABS)
        huddle_read.set()
        await settle(pilot)
        assert app.view("huddle").shown


async def test_a_demo_opens_signed_in_as_its_manager_and_ctrl_l_shows_the_sign_in(demo_engine) -> None:  # type: ignore[no-untyped-def]
    names = todays_last_names(demo_engine)
    app = make_app(demo_engine, today=TODAY, secure=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.locked and app.ctx.actor.login == "manager"
        assert "(manager) (demo)" in screen_text(app)
        assert visible_tabs(app) == ["huddle", "schedule", "staff", "inventory", "billing", "compliance"]
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        shown = screen_text(app)
        assert "officemgr is locked" in shown and not [name for name in names if name in shown]
        for tab_text in ("Schedule", "Huddle", "Billing", "booked"):
            assert tab_text not in shown
        # The one who locked is chosen already: the PIN alone brings them back.
        assert app.screen.query_one("#signin-pin", Input).has_focus
        await type_pin(pilot, DEMO_PIN)
        assert not app.locked and app.ctx.actor.login == "manager"
    assert [e.actor for e in events(demo_engine, "lock")] == [f"manager@{HOST}"]


async def test_a_wrong_pin_says_so_and_the_right_one_goes_back_to_the_same_tab(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, actor=signed_in(demo_engine, "manager"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await type_pin(pilot, "1357")
        assert isinstance(app.screen, SignInScreen) and message(app) == "Wrong PIN"
        assert app.screen.query_one("#signin-pin", Input).value == ""
        app.notify("Saved: Lovelace, Ada", markup=False)  # e.g. a worker finishing while locked
        assert "Lovelace" not in screen_text(app)
        await type_pin(pilot, DEMO_PIN)
        assert not isinstance(app.screen, SignInScreen) and not app.locked
        assert app.query_one(TabbedContent).active == "staff"
        assert [n.message for n in app._notifications] == ["Saved: Lovelace, Ada"]


async def test_three_wrong_pins_stop_that_person_for_30_seconds_but_not_another(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, actor=signed_in(demo_engine, "manager"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        for _ in range(3):
            await type_pin(pilot, "0000")
        assert message(app) == "Too many wrong PINs: try again in 30 s"
        assert app.screen.query_one("#signin-pin", Input).disabled
        # Another person at the same desk is not made to wait for the manager's wrong PINs.
        await pick(pilot, "biller")
        assert not app.screen.query_one("#signin-pin", Input).disabled and message(app) == ""
    with read_session(demo_engine) as session:
        assert users.sign_in(session, "manager", DEMO_PIN, workstation=HOST, now=app.ctx.now()).actor is None


async def test_no_app_key_works_while_locked(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("ctrl+p", "2", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.query_one(TabbedContent).active == "huddle"
        # With the PIN field off (the wait after wrong PINs) the keys reach the app's bindings: still nothing.
        for _ in range(3):
            await type_pin(pilot, "0000")
        app.set_focus(None)
        for key in ("ctrl+p", "1", "2", "3", "4", "5", "6", "question_mark", "q", "escape", "ctrl+l"):
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.is_running
        assert not any(isinstance(s, (CommandPalette, KeysScreen)) for s in app.screen_stack)
        assert app.query_one(TabbedContent).active == "huddle"


async def test_an_open_form_is_still_there_after_the_same_person_comes_back(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, actor=signed_in(demo_engine, "manager"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AppointmentForm)
        await pilot.press("ctrl+l")  # priority: works with the form's input focused
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "New appointment" not in screen_text(app) and "Book" not in screen_text(app)
        await type_pin(pilot, DEMO_PIN)
        assert app.screen is form


async def test_switch_user_shows_the_other_persons_tabs_and_their_writes_are_theirs(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        rows = schedule.day_schedule(session, TODAY).rows
    target = next(i for i, r in enumerate(rows) if r.status is ApptStatus.booked)
    app = make_app(demo_engine, today=TODAY, actor=signed_in(demo_engine, "manager"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "n")  # the manager leaves a claim's note form open on the Billing tab
        await settle(pilot)
        assert len(app.screen_stack) == 2
        await pilot.press("ctrl+l")
        await settle(pilot)
        # The manager is chosen, the PIN field waits; letters are not a PIN, so they find another name.
        assert app.screen.query_one("#signin-pin", Input).has_focus
        await pilot.press(*"front", "enter")
        await settle(pilot)
        assert app.screen.query_one("#signin-filter", Input).value == "front"
        await type_pin(pilot, DEMO_PIN)
        assert not app.locked and app.ctx.actor.login == "frontdesk"
        assert app.screen is app.screen_stack[0]  # what the manager left open is closed
        assert "billing" not in visible_tabs(app) and app.query_one(TabbedContent).active == "huddle"
        assert "(frontdesk)" in screen_text(app)
        # A write after the switch is the front desk's: a patient marked arrived.
        await pilot.press("2", "w")
        await settle(pilot)
        app.query_one("#schedule-table", DataTable).move_cursor(row=target)
        await pilot.press("d")
        await settle(pilot)
    with read_session(demo_engine) as session:
        last = session.exec(select(AuditEvent).where(AuditEvent.entity == "appointment")
                            .order_by(col(AuditEvent.id).desc())).first()
    assert last is not None and last.actor == f"frontdesk@{HOST}" and last.entity_id == rows[target].id
    assert [e.actor for e in events(demo_engine, "sign_out")] == [f"manager@{HOST}"]
    assert [e.actor for e in events(demo_engine, "lock")] == [f"manager@{HOST}"]


async def test_sign_out_from_the_palette_preselects_no_one(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, actor=signed_in(demo_engine, "manager"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"Sign out")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and "Sign in to officemgr" in screen_text(app)
        assert app.screen.query_one("#signin-filter", Input).has_focus
        await pick(pilot, "biller")
        await type_pin(pilot, DEMO_PIN)
        assert app.ctx.actor.login == "biller" and "billing" in visible_tabs(app)
        assert "inventory" not in visible_tabs(app) and "compliance" not in visible_tabs(app)
    assert [e.actor for e in events(demo_engine, "sign_out")] == [f"manager@{HOST}"]  # once, not again at the switch


async def test_the_app_locks_itself_when_left_idle(demo_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
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
        assert app.locked and isinstance(app.screen, SignInScreen)


async def test_idle_zero_never_locks(demo_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with write_session(demo_engine) as session:
        settings.put(session, "lock_idle_minutes", 0, now=NOW, actor="kim")
    monkeypatch.setattr(OfficeApp, "IDLE_CHECK_SECONDS", 0.05)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert not app.locked


async def test_the_keys_list_names_lock_and_reveal(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await settle(pilot)
        table = app.screen.query_one("DataTable")
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert any(row[1] == "ctrl+l" and "lock" in row[2] for row in rows)
        assert ["Huddle", "v", "Show name"] in rows and ["Schedule", "v", "Show name"] in rows
