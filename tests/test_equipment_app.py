"""The equipment window driven by keys: a bad service interval or a future date is refused next to its field,
adding and logging a service move the next due date, overdue shows red, enter shows the service history and
x pressed twice retires. Each test checks the database and what the screen shows."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from officemgr.models import Equipment, EquipmentCreate, EquipmentService
from officemgr.services import equipment
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.equipment import EquipmentForm, ServiceForm
from officemgr.tui.views.equipment import EquipmentScreen, ServiceHistoryScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


@pytest.fixture
def office(practice_engine):  # type: ignore[no-untyped-def]
    """A fresh practice database with an autoclave overdue, an AED due in 10 days and an ECG due in a year."""
    engine = practice_engine
    with write_session(engine) as session:
        for name, every, last in (("Autoclave", 30, date(2026, 10, 1)), ("AED", 90, date(2026, 9, 3)),
                                  ("ECG machine", 365, TODAY)):
            equipment.add(session, EquipmentCreate(name=name, service_every_days=every, last_service=last,
                                                   service_by="BioMed Inc"), today=TODAY, now=NOW, actor="test")
    yield engine
    engine.dispose()


def fixed_app(engine, said: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False  # equipment names are user text
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


def stored(engine, name: str) -> Equipment | None:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.exec(select(Equipment).where(Equipment.name == name)).first()


def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    widget = screen.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


def due_cell(table: DataTable, name: str):  # type: ignore[no-untyped-def, type-arg]
    for i in range(table.row_count):
        row = table.get_row_at(i)
        if str(row[0]) == name:
            return row[4]
    return None


async def open_screen(app, pilot) -> EquipmentScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = EquipmentScreen(app.ctx)
    app.push_screen(screen)
    await settle(pilot)
    assert app.screen is screen
    return screen


async def test_the_list_colours_what_is_due(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot)
        table = screen.query_one("#equip-table", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(3)] == ["Autoclave", "AED", "ECG machine"]
        assert str(due_cell(table, "Autoclave")) == "10/31/2026 · 23 days overdue"
        assert due_cell(table, "Autoclave").style == "bold red"
        assert (str(due_cell(table, "AED")), due_cell(table, "AED").style) == ("12/02/2026 · in 9 days", "yellow")
        assert due_cell(table, "ECG machine").style == ""
        title = str(screen.query_one("#equip-title").render())
        assert title == "Equipment service · 3 items, next due first · 1 overdue · 1 due within 14 days"

        table.move_cursor(row=2)  # edit the ECG: every 180 days from its last service (today)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EquipmentForm)
        assert form.query_one("#f-service_every_days", Input).value == "365"
        assert form.query_one("#f-last_service", Input).value == "11/23/2026"
        form.query_one("#f-service_every_days", Input).value = "180"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert stored(office, "ECG machine").next_due == date(2027, 5, 22)  # type: ignore[union-attr]
        assert str(due_cell(table, "ECG machine")) == "05/22/2027 · in 180 days"


async def test_adding_refuses_a_bad_interval(office) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EquipmentForm)
        form.query_one("#f-name", Input).value = "Spirometer"
        for bad in ("abc", "0", "-5", "99999"):
            form.query_one("#f-service_every_days", Input).value = bad
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert text_of(form, "#e-service_every_days") == "a whole number of days from 1 to 3660, e.g. 365", bad
            assert stored(office, "Spirometer") is None
        form.query_one("#f-service_every_days", Input).value = ""
        form.query_one("#f-last_service", Input).value = "12/01/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(form, "#e-service_every_days") == "a whole number of days from 1 to 3660, e.g. 365"
        assert text_of(form, "#e-last_service") == "cannot be later than today (11/23/2026)"
        form.query_one("#f-name", Input).value = "autoclave"
        form.query_one("#f-service_every_days", Input).value = "365"
        form.query_one("#f-last_service", Input).value = "11/01/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(form, "#form-error") == "there is already equipment called autoclave"

        form.query_one("#f-name", Input).value = "[red]Spirometer[/red]"
        form.query_one("#f-serial_number", Input).value = "SP-2231"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        row = stored(office, "[red]Spirometer[/red]")
        assert row is not None and (row.serial_number, row.next_due) == ("SP-2231", date(2027, 11, 1))
        table = screen.query_one("#equip-table", DataTable)
        assert str(table.get_row_at(table.cursor_row)[0]) == "[red]Spirometer[/red]"
        assert said[-1] == ("Equipment added", "information")


async def test_logging_a_service_moves_next_due(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot)
        table = screen.query_one("#equip-table", DataTable)
        table.move_cursor(row=0)  # the autoclave
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ServiceForm)
        assert form.query_one("#f-on", Input).value == "11/23/2026"
        assert form.query_one("#f-done_by", Input).value == "BioMed Inc"
        form.query_one("#f-on", Input).value = "11/24/2026"
        form.query_one("#f-done_by", Input).value = " "
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(form, "#e-on").startswith("a service cannot be recorded for a future date")
        assert text_of(form, "#e-done_by") == "this field is required"
        with read_session(office) as session:
            assert session.exec(select(EquipmentService)).all() == []

        form.query_one("#f-on", Input).value = "11/20/2026"
        form.query_one("#f-done_by", Input).value = "MJ"
        form.query_one("#f-note", Input).value = "spore test negative"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        autoclave = stored(office, "Autoclave")
        assert (autoclave.last_service, autoclave.next_due) == (date(2026, 11, 20), date(2026, 12, 20))  # type: ignore[union-attr]
        assert str(due_cell(table, "Autoclave")) == "12/20/2026 · in 27 days"
        assert "overdue" not in str(screen.query_one("#equip-title").render())

        await pilot.press("enter")
        await settle(pilot)
        history = app.screen
        assert isinstance(history, ServiceHistoryScreen)
        shown = str(history.query_one("#equip-history", Static).render())
        assert "11/20/2026  MJ · spore test negative  (logged by kim)" in shown
        assert "Next due: 12/20/2026" in shown


async def test_retire_asks_first(office) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    results: list[Any] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = EquipmentScreen(app.ctx)
        app.push_screen(screen, results.append)
        await settle(pilot)
        table = screen.query_one("#equip-table", DataTable)
        table.move_cursor(row=1)  # the AED
        await pilot.press("x")
        await settle(pilot)
        assert text_of(screen, "#equip-confirm").startswith("Retire AED? Press x again")
        await pilot.press("down")  # any other key keeps it
        await settle(pilot)
        assert text_of(screen, "#equip-confirm") == ""
        await pilot.press("up", "x")
        await settle(pilot)
        assert stored(office, "AED").active  # type: ignore[union-attr]
        await pilot.press("x")
        await settle(pilot)
        assert not stored(office, "AED").active  # type: ignore[union-attr]
        assert table.row_count == 2 and due_cell(table, "AED") is None
        assert said[-1] == ("AED retired", "information")
        await pilot.press("escape")
        await settle(pilot)
        assert results == [True]
