"""The month-end close screen driven by keys (Practice money, m): ticking with a note and unticking, paging the
months, closing with the unticked steps named, reopening with a reason, the report's preview and its file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select
from textual.widgets import Checkbox, DataTable, Input, Label, Markdown, Select, Static

from officemgr.models import UserRole
from officemgr.models.finance import CloseTask, MonthClose
from officemgr.services.access import Actor
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.month_close import CloseForm, ReopenForm, ReportFileForm, TickForm
from officemgr.tui.views.finances import FinancesScreen
from officemgr.tui.views.month_close import MonthCloseScreen, ReportPreview
from ui_support import SIZE, TODAY, settle

MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
NOW = datetime(2026, 11, 23, 10, 30)
OCT = date(2026, 10, 1)


def fixed_app(engine: Engine, said: list[tuple[str, str]], actor: Actor = MANAGER):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor=actor)

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


def tasks(engine: Engine) -> list[CloseTask]:
    with read_session(engine) as session:
        return list(session.exec(select(CloseTask)).all())


def close_row(engine: Engine) -> MonthClose | None:
    with read_session(engine) as session:
        return session.get(MonthClose, OCT)


async def open_screen(app, pilot) -> MonthCloseScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    app.push_screen(FinancesScreen(app.ctx))
    await settle(pilot)
    await pilot.press("m")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, MonthCloseScreen)
    return screen


def title(screen: MonthCloseScreen) -> str:
    return str(screen.query_one("#close-title", Label).render())


def state(screen: MonthCloseScreen) -> str:
    return str(screen.query_one("#close-state", Static).render())


async def test_ticking_with_a_note_and_unticking(sqlite_engine: Engine) -> None:
    said: list[tuple[str, str]] = []
    app = fixed_app(sqlite_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot)
        table = screen.query_one("#close-steps", DataTable)
        assert title(screen) == "Month-end close: October 2026"
        assert [str(table.get_row_at(n)[0]) for n in range(table.row_count)] == [
            "Deposits reconciled", "Payments posted", "Statements sent", "A/R reviewed", "Bills paid",
            "Payroll approved"]
        assert str(table.get_row_at(2)[4]) == "no statement run in the month"
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TickForm)
        form.query_one("#f-note", Input).value = "mailed 10/15 <b>ok</b>"
        await pilot.press("ctrl+s")
        await settle(pilot)
        [task] = tasks(sqlite_engine)
        assert (task.month, task.key, task.note, task.done_by) == (OCT, "statements", "mailed 10/15 <b>ok</b>",
                                                                   str(MANAGER))
        assert app.screen is screen
        assert str(table.get_row_at(2)[3]) == "mailed 10/15 <b>ok</b>"
        assert "Ticked by pat@office on 11/23/2026 10:30: mailed 10/15 <b>ok</b>" in str(
            screen.query_one("#close-detail", Static).render())
        await pilot.press("space")
        await settle(pilot)
        assert tasks(sqlite_engine) == []
        assert ("Unticked: Statements sent", "information") in said


async def test_the_months_page_back_and_not_past_this_month(sqlite_engine: Engine) -> None:
    said: list[tuple[str, str]] = []
    app = fixed_app(sqlite_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert title(screen) == "Month-end close: September 2026"
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert title(screen) == "Month-end close: November 2026"
        assert state(screen) == "Open (the month has not ended)"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert title(screen) == "Month-end close: November 2026"
        assert ("That month has not begun", "information") in said
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is screen
        assert ("November 2026 has not ended: it can be closed from 12/01/2026", "information") in said


async def test_closing_names_the_unticked_steps_then_reopening_asks_why(sqlite_engine: Engine) -> None:
    said: list[tuple[str, str]] = []
    app = fixed_app(sqlite_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CloseForm)
        assert "Not ticked: Deposits reconciled, Payments posted, Statements sent, A/R reviewed, Bills paid, " \
               "Payroll approved" in str(form.query_one(".form-title", Label).render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "tick yes to close" in str(form.query_one("#e-sure", Static).render())
        assert close_row(sqlite_engine) is None
        form.query_one("#f-sure", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        row = close_row(sqlite_engine)
        assert row is not None and row.closed_by == str(MANAGER) and row.reopened_at is None
        assert app.screen is screen
        assert state(screen).startswith("Closed by pat@office on 11/23/2026 10:30")
        await pilot.press("space")
        await settle(pilot)
        assert app.screen is screen and tasks(sqlite_engine) == []
        assert ("October 2026 is closed: press o to reopen it before changing its checklist", "information") in said
        await pilot.press("o")
        await settle(pilot)
        reopen = app.screen
        assert isinstance(reopen, ReopenForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "say why the month is reopened" in str(reopen.query_one("#e-reason", Static).render())
        reopen.query_one("#f-reason", Input).value = "late EOB from Acme"
        await pilot.press("ctrl+s")
        await settle(pilot)
        row = close_row(sqlite_engine)
        assert row is not None and row.reopen_reason == "late EOB from Acme"
        assert state(screen).startswith("Reopened by pat@office")


async def test_the_report_previews_and_is_written_to_a_file(sqlite_engine: Engine, tmp_path: Path) -> None:
    said: list[tuple[str, str]] = []
    app = fixed_app(sqlite_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot)
        await pilot.press("p")
        await settle(pilot)
        preview = app.screen
        assert isinstance(preview, ReportPreview)
        assert "Month-end report — October 2026" in preview.text
        assert preview.query_one(Markdown) is not None
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("w")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReportFileForm)
        form.query_one("#f-format", Select).value = "html"
        form.query_one("#f-path", Input).value = str(tmp_path / "october")
        await pilot.press("ctrl+s")
        await settle(pilot)
        written = tmp_path / "october.html"
        assert written.read_text().startswith("<!DOCTYPE html>")
        assert (f"Report written: {written}", "information") in said
        written.write_text("mine")
        await pilot.press("w")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, ReportFileForm)
        again.query_one("#f-format", Select).value = "html"
        again.query_one("#f-path", Input).value = str(written)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "already exists" in str(again.query_one("#form-error", Static).render())
        assert written.read_text() == "mine"


async def test_the_auditor_sees_the_checklist_but_cannot_tick(sqlite_engine: Engine) -> None:
    said: list[tuple[str, str]] = []
    app = fixed_app(sqlite_engine, said, Actor("aud", {UserRole.auditor}))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot)
        await pilot.press("space")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TickForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "ticking the close checklist needs the manager role" in str(
            form.query_one("#form-error", Static).render())
        assert tasks(sqlite_engine) == []
