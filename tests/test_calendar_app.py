"""The practice calendar screen by keys: close a day over booked patients, see the call list, remove a closure."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import select
from textual.widgets import DataTable, Input

from officemgr.models import AuditEvent, Closure, ClosureCreate
from officemgr.services import calendar
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.views.practice_calendar import PracticeCalendarScreen, StrandedScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


def _rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def test_closing_a_booked_day_lists_the_bookings_to_reschedule(sqlite_demo_engine) -> None:
    app = make_app(sqlite_demo_engine, today=TODAY, clock=lambda: NOW, actor="kim")
    tomorrow = date(2026, 11, 24)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.run_action("practice_calendar")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PracticeCalendarScreen)
        rows = _rows(screen.query_one(DataTable))
        assert ["Thu 11/26/2026", "Thanksgiving Day", "federal holiday"] in rows
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-day", Input).value = "11/24/2026"
        form.query_one("#f-reason", Input).value = "Water main <b>break</b>"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StrandedScreen)
        called = _rows(app.screen.query_one(DataTable))
        with read_session(sqlite_demo_engine) as session:
            expected = calendar.stranded_bookings(session, ClosureCreate(day=tomorrow, reason="x"))
            closures = session.exec(select(Closure)).all()
            audited = len(session.exec(select(AuditEvent).where(AuditEvent.entity == "practice_closure")).all())
        assert len(called) == len(expected) > 0
        assert [c.reason for c in closures] == ["Water main <b>break</b>"] and audited == 1
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        rows = _rows(screen.query_one(DataTable))
        assert ["Tue 11/24/2026", "Water main <b>break</b>", "closed"] in rows
        screen.query_one(DataTable).move_cursor(row=rows.index(["Tue 11/24/2026", "Water main <b>break</b>", "closed"]))
        await pilot.press("x")
        await settle(pilot)
        with read_session(sqlite_demo_engine) as session:
            assert session.exec(select(Closure)).all() == []


async def test_a_bad_half_day_time_is_refused_next_to_the_field(sqlite_demo_engine) -> None:
    app = make_app(sqlite_demo_engine, today=TODAY, clock=lambda: NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.run_action("practice_calendar")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-day", Input).value = "12/24/2026"
        form.query_one("#f-closes_at", Input).value = "noonish"
        form.query_one("#f-reason", Input).value = "Christmas Eve"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "a time looks like 09:30" in str(form.query_one("#e-closes_at").render())
        with read_session(sqlite_demo_engine) as session:
            assert session.exec(select(Closure)).all() == []
