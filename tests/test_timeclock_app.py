"""The time clock by keys (issue 23, part 3), at 80x24 on the demo: Staff i punches the signed-in user, Staff T
opens the timesheets (approval refused while a punch is missed, y approves the pending fix, then a approves), Enter
and f enter a fix, and the kiosk takes a name and a PIN, shows nothing else, and locks the app when left."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from textual.app import App
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, Static

from officemgr.models import Staff, UserAccount, UserRole
from officemgr.models.timeclock import FixStatus, Punch, PunchFix, PunchSource, Timesheet
from officemgr.services.access import Actor
from officemgr.services.timeclock import deny_fix
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.timeclock import FixForm
from officemgr.tui.views.timeclock import KioskScreen, PunchesScreen, TimesheetsScreen
from ui_support import TODAY, settle

APP_NOW = datetime.combine(TODAY, time(10, 30))
MANAGER = Actor("pat", {UserRole.manager}, workstation="office")
SMALL = (80, 24)


def _notes(app: App[None]) -> list[str]:
    return [n.message for n in app._notifications]


def _fixed_person(engine: Engine) -> tuple[int, str, int]:
    """The demo's person with a missed out-punch and its pending fix: (staff id, name, fix id)."""
    with read_session(engine) as session:
        fix = session.exec(select(PunchFix).where(PunchFix.status == FixStatus.pending)).one()
        person = session.get(Staff, fix.staff_id)
        assert person is not None and fix.id is not None
        return fix.staff_id, person.name, fix.id


def _cursor_on(table: DataTable, key: str) -> None:  # type: ignore[type-arg]
    table.move_cursor(row=table.get_row_index(key))


async def test_staff_i_punches_the_signed_in_user_in_then_out(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        account = session.exec(select(UserAccount).where(col(UserAccount.staff_id).is_not(None))).first()
        assert account is not None and account.staff_id is not None
        staff_id = account.staff_id
    me = Actor(account.login, {UserRole.front_desk}, staff_id=staff_id, workstation="desk")
    now = [datetime.combine(TODAY, time(8, 3))]
    app = make_app(demo_engine, today=TODAY, clock=lambda: now[0], actor=me)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        now[0] = datetime.combine(TODAY, time(17, 1))
        await pilot.press("i")
        await settle(pilot)
        assert "In at 08:03" in _notes(app) and "Out at 17:01, 8 h 58 min" in _notes(app)
    with read_session(demo_engine) as session:
        punch = session.exec(select(Punch).where(Punch.staff_id == staff_id,
                                                 col(Punch.clock_in) >= datetime.combine(TODAY, time.min))).one()
        assert (punch.clock_in.time(), punch.clock_out, punch.source) == (
            time(8, 3), datetime.combine(TODAY, time(17, 1)), PunchSource.desk)


async def test_staff_i_tells_a_user_without_a_staff_record(demo_engine: Engine) -> None:
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert any("has no staff record" in n for n in _notes(app))


async def test_timesheet_approval_waits_for_the_fix_then_goes_through_by_keys(demo_engine: Engine) -> None:
    staff_id, name, _ = _fixed_person(demo_engine)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        assert isinstance(app.screen, TimesheetsScreen)
        await pilot.press("left_square_bracket")  # the demo's punches are in the period before TODAY's
        await settle(pilot)
        table = app.screen.query_one("#sheets", DataTable)
        _cursor_on(table, str(staff_id))
        assert str(table.get_row(str(staff_id))[-1]) == "blocked"
        await pilot.press("a")
        await settle(pilot)
        assert any(f"{name}'s timesheet cannot be approved yet: 1 missed punch and 1 punch fix to decide" in n
                   for n in _notes(app))
        await pilot.press("y")
        await settle(pilot)
        assert any(n.endswith(": Fix approved") for n in _notes(app)), _notes(app)
        _cursor_on(table, str(staff_id))
        await pilot.press("a")
        await settle(pilot)
        assert str(table.get_row(str(staff_id))[-1]) == "11/23"
    with read_session(demo_engine) as session:
        assert session.exec(select(Punch).where(Punch.staff_id == staff_id, col(Punch.clock_out).is_(None))).all() \
            == []
        sheet = session.exec(select(Timesheet).where(Timesheet.staff_id == staff_id)).one()
        assert (sheet.period_start, sheet.from_punches, sheet.approved_by) == (date(2026, 11, 9), True, "pat@office")


def _last_in(engine: Engine, staff_id: int, day: date) -> str:
    """The day's last punch in (the fix form starts from it: an out time is what is most often put right)."""
    with read_session(engine) as session:
        punches = session.exec(select(Punch).where(Punch.staff_id == staff_id)).all()
    return f"{max(p.clock_in for p in punches if p.clock_in.date() == day):%H:%M}"


async def test_enter_shows_the_punches_and_f_enters_a_fix_with_its_reason(demo_engine: Engine) -> None:
    staff_id, _, fix_id = _fixed_person(demo_engine)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("T", "left_square_bracket")
        await settle(pilot)
        _cursor_on(app.screen.query_one("#sheets", DataTable), str(staff_id))
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PunchesScreen)
        days = screen.query_one("#punch-days", DataTable)
        _cursor_on(days, "2026-11-20")
        assert str(days.get_row("2026-11-20")[-1]) == "yes"
        assert "pending: Forgot to punch out" in str(screen.query_one("#punch-fixes", Static).render())
        await pilot.press("f")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FixForm)
        assert form.query_one("#f-start_time", Input).value == _last_in(demo_engine, staff_id, date(2026, 11, 20))
        form.query_one("#f-end_time", Input).value = "17:05"
        await pilot.press("ctrl+s")  # no reason: refused by the service, nothing saved
        await settle(pilot)
        assert app.screen is form
        form.query_one("#f-reason", Input).value = "Left at 17:05, confirmed by the manager"
        await pilot.press("ctrl+s")  # the person's own fix for that stretch is still waiting: refused
        await settle(pilot)
        assert app.screen is form
        assert "already waiting for that day" in str(form.query_one("#form-error", Static).render())
        with write_session(demo_engine) as session:
            deny_fix(session, fix_id, today=TODAY, now=APP_NOW, actor=MANAGER)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PunchesScreen)
    with read_session(demo_engine) as session:
        fixed = session.exec(select(Punch).where(Punch.staff_id == staff_id, Punch.source == PunchSource.fix)).one()
        assert fixed.clock_out == datetime(2026, 11, 20, 17, 5)


async def test_the_kiosk_takes_a_name_and_pin_hides_the_app_and_locks_when_left(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        account = session.exec(select(UserAccount).where(UserAccount.login == "frontdesk")).first() or \
            session.exec(select(UserAccount).where(col(UserAccount.staff_id).is_not(None))).first()
        assert account is not None and account.staff_id is not None
        person = session.get(Staff, account.staff_id)
        assert person is not None
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("ctrl+p", *"Time clock kiosk")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        kiosk = app.screen
        assert isinstance(kiosk, KioskScreen)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert not CommandPalette.is_open(app) and app.screen is kiosk
        await pilot.press(*person.first_name)
        await pilot.press("enter")
        await settle(pilot)
        table = kiosk.query_one("#kiosk-names", DataTable)
        if table.has_focus:
            _cursor_on(table, str(person.id))
            await pilot.press("enter")
        await pilot.press("9", "9", "9", "9", "enter")
        await settle(pilot)
        result = kiosk.query_one("#kiosk-result", Static)
        assert f"wrong PIN for {person.name}" in str(result.render())
        await pilot.press(*person.first_name)
        await pilot.press("enter")
        await settle(pilot)
        if table.has_focus:
            _cursor_on(table, str(person.id))
            await pilot.press("enter")
        await pilot.press("1", "2", "3", "4", "enter")
        await settle(pilot)
        assert str(result.render()) == f"{person.name}: In at 10:30"
        await pilot.press("escape")
        await settle(pilot)
        assert app.locked  # type: ignore[attr-defined]
    with read_session(demo_engine) as session:
        punch = session.exec(select(Punch).where(Punch.staff_id == person.id, Punch.source == PunchSource.kiosk)).one()
        assert punch.clock_in == APP_NOW


async def test_anyone_else_sees_their_own_punches_with_t_and_asks_for_a_fix_that_waits(demo_engine: Engine) -> None:
    staff_id, name, _ = _fixed_person(demo_engine)
    me = Actor("carlos", {UserRole.clinical}, name=name, staff_id=staff_id, workstation="desk")
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=me)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PunchesScreen)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        days = screen.query_one("#punch-days", DataTable)
        _cursor_on(days, "2026-11-19")
        await pilot.press("f")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FixForm)
        start = _last_in(demo_engine, staff_id, date(2026, 11, 19))
        assert form.query_one("#f-start_time", Input).value == start
        form.query_one("#f-end_time", Input).value = "17:30"
        form.query_one("#f-reason", Input).value = "Stayed to close the drawer"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert f"11/19 {start}-17:30 pending: Stayed to close the drawer" in str(
            screen.query_one("#punch-fixes", Static).render())
    with read_session(demo_engine) as session:
        assert session.exec(select(Punch).where(Punch.staff_id == staff_id, Punch.source == PunchSource.fix)).all() \
            == []
        assert len(session.exec(select(PunchFix).where(PunchFix.staff_id == staff_id,
                                                       PunchFix.status == FixStatus.pending)).all()) == 2
