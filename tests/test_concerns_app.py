"""The concerns window driven by keys: logging refuses a bad form next to its fields and saves a good one;
closing refuses an empty resolution, asks a possible breach for its outcome, and closes in the database;
acknowledge, owner, show closed and details work on the selected row."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import select
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from officemgr.demo._db import _transaction
from officemgr.demo.concerns import _add_concerns
from officemgr.models import AuditEvent, Concern, ConcernCategory, ConcernKind, ConcernStatus
from officemgr.services import concerns
from officemgr.services.concerns import BreachOutcome
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.concerns import CloseForm, ConcernForm, OwnerForm
from officemgr.tui.views.concerns import ConcernDetailScreen, ConcernsScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


def count(engine) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(Concern)).one()


def stored(engine, concern_id: int) -> Concern:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.get(Concern, concern_id)


def with_demo_concerns(engine) -> None:  # type: ignore[no-untyped-def]
    """The demo's concerns, until demo.fill writes them itself."""
    with read_session(engine) as session:
        present = session.exec(select(Concern).where(Concern.kind != ConcernKind.temperature)).first()
    if present is None:
        with _transaction(engine) as conn:
            _add_concerns(conn, random.Random("1:concerns"), TODAY)


def error_text(form, name: str) -> str:  # type: ignore[no-untyped-def]
    line = form.query_one(f"#e-{name}", Static)
    return str(line.render()) if line.display else ""


def cell(table: DataTable, row: int, column: int) -> str:  # type: ignore[type-arg]
    return str(table.get_row_at(row)[column])


def row_of(table: DataTable, concern_id: int) -> int:  # type: ignore[type-arg]
    return table.get_row_index(str(concern_id))


def fixed_app(engine, said: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    """The app at 10:30 on TODAY, recording its notifications (message, severity)."""
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False  # summaries and owners are user text
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


async def open_screen(app, pilot, **kwargs: Any) -> ConcernsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    app.push_screen(ConcernsScreen(app.ctx, **kwargs))
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ConcernsScreen)
    return screen


async def test_logging_refuses_an_empty_summary_then_saves(demo_engine) -> None:  # type: ignore[no-untyped-def]
    before = count(demo_engine)
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot)
        table = screen.query_one("#concern-table", DataTable)
        shown = table.row_count

        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ConcernForm)
        assert form.query_one("#f-discovered_on", Input).value == "11/23/2026"
        form.query_one("#f-category", Select).value = ConcernCategory.wait_time
        form.query_one("#f-summary", Input).value = "   "
        form.query_one("#f-discovered_on", Input).value = "11/30/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert error_text(form, "summary") == "this field is required"
        assert error_text(form, "discovered_on") == "cannot be later than today (11/23/2026)"
        assert count(demo_engine) == before

        form.query_one("#f-summary", Input).value = "[bold]Waited[/bold] 50 minutes"
        form.query_one("#f-discovered_on", Input).value = "11/20/2026"
        form.query_one("#f-reporter", Input).value = "Patient, by phone"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert table.row_count == shown + 1
        new_id = form.result
        assert new_id is not None and table.get_row_index(str(new_id)) >= 0
        row = row_of(table, new_id)
        assert [cell(table, row, c) for c in range(1, 7)] == [
            "acknowledge tomorrow", "open", "complaint", "wait time", "—", "[bold]Waited[/bold] 50 minutes"]
        assert table.get_row_at(row)[1].style == "bold red"
        assert table.cursor_row == row

    assert said[-1] == ("Concern logged", "information")
    assert count(demo_engine) == before + 1
    saved = stored(demo_engine, new_id)
    assert (saved.kind, saved.category, saved.status, saved.reported_on, saved.discovered_on, saved.due,
            saved.reporter) == (ConcernKind.complaint, ConcernCategory.wait_time, ConcernStatus.open, TODAY,
                                TODAY - timedelta(days=3), TODAY + timedelta(days=1), "Patient, by phone")
    with read_session(demo_engine) as session:
        event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.actor, event.entity, event.entity_id, event.action) == ("kim", "concern", new_id, "create")


async def test_closing_needs_a_resolution_and_closes_in_the_database(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with_demo_concerns(demo_engine)
    with read_session(demo_engine) as session:
        target = next(r for r in concerns.open_concerns(session, TODAY) if r.kind is ConcernKind.complaint
                      and not r.possible_breach)
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    closed: list[bool | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ConcernsScreen(app.ctx, target.id), closed.append)
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#concern-table", DataTable)
        assert table.cursor_row == row_of(table, target.id)

        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CloseForm)
        assert not form.query("#f-breach_outcome")  # only a possible breach asks for an outcome
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert error_text(form, "resolution") == "write what was done"
        assert stored(demo_engine, target.id).status is not ConcernStatus.closed

        form.query_one("#f-resolution", Input).value = "Called back and apologised; added a wait-time update."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert str(target.id) not in {k.value for k in table.rows}  # closed ones are hidden

        await pilot.press("h")
        await settle(pilot)
        row = row_of(table, target.id)
        assert (cell(table, row, 1), cell(table, row, 2)) == ("closed 11/23/2026", "closed")
        await pilot.press("escape")
        await settle(pilot)

    assert closed == [True]
    assert said[-1] == (f"Concern #{target.id} closed", "information")
    saved = stored(demo_engine, target.id)
    assert (saved.status, saved.resolution, saved.closed_on, saved.version) == (
        ConcernStatus.closed, "Called back and apologised; added a wait-time update.", TODAY, target.version + 1)


async def test_a_possible_breach_asks_for_its_outcome(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with_demo_concerns(demo_engine)
    with read_session(demo_engine) as session:
        breach = next(r for r in concerns.open_concerns(session, TODAY) if r.possible_breach)
    app = fixed_app(demo_engine, [])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot, concern_id=breach.id)
        table = screen.query_one("#concern-table", DataTable)
        assert cell(table, table.cursor_row, 1) == "breach notice due in 40 days"
        assert table.get_row_at(table.cursor_row)[1].style == ""  # 40 days away: not red
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CloseForm)
        form.query_one("#f-resolution", Input).value = "Done."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "closes with its outcome" in error_text(form, "breach_outcome")
        assert "at least a sentence" in error_text(form, "resolution")

        form.query_one("#f-resolution", Input).value = "Access log shows no one opened the chart; complaint unfounded."
        form.query_one("#f-breach_outcome", Select).value = BreachOutcome.low_probability
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
    saved = stored(demo_engine, breach.id)
    assert saved.status is ConcernStatus.closed
    assert saved.resolution == ("Breach outcome: low probability (risk assessment). Access log shows no one opened "
                                "the chart; complaint unfounded.")


async def test_acknowledge_owner_and_details(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with_demo_concerns(demo_engine)
    with read_session(demo_engine) as session:
        target = next(r for r in concerns.open_concerns(session, TODAY) if r.status is ConcernStatus.open
                      and r.kind is ConcernKind.complaint)
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot, concern_id=target.id)
        table = screen.query_one("#concern-table", DataTable)

        await pilot.press("a")
        await settle(pilot)
        assert said[-1] == (f"Concern #{target.id} acknowledged", "information")
        row = row_of(table, target.id)
        assert (cell(table, row, 1), cell(table, row, 2)) == ("—", "acknowledged")
        await pilot.press("a")
        await settle(pilot)
        assert said[-1] == (f"Concern #{target.id} is already acknowledged.", "warning")

        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, OwnerForm)
        form.query_one("#f-owner", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "who owns it" in error_text(form, "owner")
        form.query_one("#f-owner", Input).value = "Kim [Manager]"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert cell(table, row_of(table, target.id), 5) == "Kim [Manager]"

        injury = next(r for r in screen.rows.values() if r.work_injury)
        table.move_cursor(row=row_of(table, injury.id))
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, ConcernDetailScreen)
        text = str(detail.query_one("#concern-detail", Static).render())
        assert "OSHA 301: 11/27/2026 · OSHA 301 due in 4 days" in text
        assert "Kind: incident · safety · staff work injury" in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen

    saved = stored(demo_engine, target.id)
    assert (saved.status, saved.owner, saved.version) == (ConcernStatus.acknowledged, "Kim [Manager]",
                                                          target.version + 2)


async def test_the_form_refuses_an_injury_on_a_complaint(demo_engine) -> None:  # type: ignore[no-untyped-def]
    before = count(demo_engine)
    app = fixed_app(demo_engine, [])
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-category", Select).value = ConcernCategory.safety
        form.query_one("#f-summary", Input).value = "Back strain lifting a patient"
        form.query_one("#f-work_injury", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "logged as an incident" in error_text(form, "work_injury")
        form.query_one("#f-kind", Select).value = ConcernKind.incident
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConcernsScreen)
    assert count(demo_engine) == before + 1
