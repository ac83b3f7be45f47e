"""The vaccine temperature window driven by keys: a bad value is refused next to its field, an excursion
opens an incident and says so, out-of-range rows read OUT OF RANGE, and p moves to the next unit."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import select
from textual.widgets import DataTable, Input, Select, Static

from officemgr.demo._db import _transaction
from officemgr.demo._types import Person
from officemgr.demo.vaccine import FRIDGE, _add_vaccine_storage
from officemgr.models import AuditEvent, Concern, ConcernKind, ConcernStatus, Staff, StorageKind, TemperatureReading
from officemgr.services import temperature
from officemgr.services.temperature import ReadingCreate, UnitCreate
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.temperature import TemperatureForm, UnitForm
from officemgr.tui.views.temperature import TemperatureScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


def add_unit(engine, name: str, kind: StorageKind = StorageKind.fridge) -> int:  # type: ignore[no-untyped-def]
    with write_session(engine) as session:
        unit = temperature.add_unit(session, UnitCreate(name=name, kind=kind), now=NOW - timedelta(days=5),
                                    actor="test")
        return unit.id  # type: ignore[return-value]


def count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def error_text(form, name: str) -> str:  # type: ignore[no-untyped-def]
    line = form.query_one(f"#e-{name}", Static)
    return str(line.render()) if line.display else ""


def cell(table: DataTable, row: int, column: int) -> str:  # type: ignore[type-arg]
    return str(table.get_row_at(row)[column])


def fixed_app(engine, said: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    """The app at 10:30 on TODAY, recording its notifications (message, severity)."""
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False  # unit names and notes are user text
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


async def fill(pilot, form: TemperatureForm, **values: str) -> None:  # type: ignore[no-untyped-def]
    for name, value in values.items():
        form.query_one(f"#f-{name}", Input).value = value
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_a_bad_value_is_refused_and_an_excursion_opens_an_incident(demo_engine) -> None:  # type: ignore[no-untyped-def]
    unit_id = add_unit(demo_engine, "Back-office fridge")
    readings, concerns = count(demo_engine, TemperatureReading), count(demo_engine, Concern)
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TemperatureScreen(app.ctx, unit_id))
        await settle(pilot)
        screen = app.screen
        assert "Back-office fridge" in str(screen.query_one("#temp-unit", Static).render())
        table = screen.query_one("#temp-log", DataTable)
        assert table.row_count == 0
        assert "Today (Mon 11/23): not logged yet" in str(screen.query_one("#temp-missing", Static).render())

        await pilot.press("l")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TemperatureForm)
        assert form.query_one("#f-unit_id", Select).value == unit_id
        assert form.query_one("#f-at", Input).value == "10:30"
        await fill(pilot, form, at="08:05", reading_c="95", min_c="4", max_c="3", initials="M")
        assert app.screen is form
        assert "check the number" in error_text(form, "reading_c")
        assert "cannot be below the minimum" in error_text(form, "max_c")
        assert "2 to 4 letters" in error_text(form, "initials")
        assert count(demo_engine, TemperatureReading) == readings

        await fill(pilot, form, at="11:45", reading_c="48.4 F", min_c="4", max_c="9.4", initials="mj",
                   note="[red]door[/red] ajar")
        assert "has not come yet" in error_text(form, "at")
        assert error_text(form, "reading_c") == ""
        assert count(demo_engine, TemperatureReading) == readings

        await fill(pilot, form, at="08:05")
        assert app.screen is screen
        assert table.row_count == 1
        assert [cell(table, 0, c) for c in range(6)] == [
            "Mon 11/23 08:05", "9.11 °C", "4.0 °C", "9.4 °C", "MJ", "[red]door[/red] ajar"]
        assert cell(table, 0, 6).startswith("OUT OF RANGE · incident #")
        assert table.get_row_at(0)[1].style == "bold red"
        assert "Today" not in str(screen.query_one("#temp-missing", Static).render())

    message, severity = said[-1]
    assert severity == "error" and message.startswith("OUT OF RANGE: Back-office fridge 9.11 °C at 08:05")
    assert "closed with a note of the action taken" in message
    assert count(demo_engine, TemperatureReading) == readings + 1
    assert count(demo_engine, Concern) == concerns + 1
    with read_session(demo_engine) as session:
        saved = session.exec(select(TemperatureReading).order_by(TemperatureReading.id.desc())).first()
        concern = session.exec(select(Concern).where(Concern.reading_id == saved.id)).one()
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(2)).all()
    assert (saved.unit_id, saved.at, saved.reading_c, saved.initials) == (unit_id, NOW.replace(hour=8, minute=5),
                                                                           9.111111111, "MJ")  # 48.4 F, unrounded
    assert (concern.kind, concern.status, concern.reporter, concern.due) == (
        ConcernKind.temperature, ConcernStatus.open, "MJ", TODAY)
    assert f"#{concern.id}" in message
    assert {(e.actor, e.entity) for e in events} == {("kim", "temperature_reading"), ("kim", "concern")}


async def test_in_range_reading_and_next_unit(demo_engine) -> None:  # type: ignore[no-untyped-def]
    fridge = add_unit(demo_engine, "Zeta [b]test[/b] fridge")
    freezer = add_unit(demo_engine, "Alpha test freezer", StorageKind.freezer)
    with write_session(demo_engine) as session:
        temperature.log_reading(session, ReadingCreate.model_validate(
            {"unit_id": freezer, "at": NOW - timedelta(days=3, hours=2), "reading_c": "-20",
             "initials": "KI"}), now=NOW, actor="test")
    concerns = count(demo_engine, Concern)
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    closed: list[bool | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TemperatureScreen(app.ctx, fridge), closed.append)
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#temp-log", DataTable)
        assert "Zeta [b]test[/b] fridge · fridge" in str(screen.query_one("#temp-unit", Static).render())
        await pilot.press("l")
        await settle(pilot)
        await fill(pilot, app.screen, reading_c="41 F", initials="kim")
        assert app.screen is screen
        assert [cell(table, 0, c) for c in (0, 1, 2, 6)] == ["Mon 11/23 10:30", "5.0 °C", "—", "in range"]
        assert said[-1] == ("Reading logged: 5.0 °C at 10:30.", "information")

        await pilot.press("p")
        await settle(pilot)
        assert screen.unit_id == freezer
        assert "Alpha test freezer" in str(screen.query_one("#temp-unit", Static).render())
        assert [cell(table, 0, c) for c in (0, 1, 6)] == ["Fri 11/20 08:30", "-20.0 °C", "in range"]
        await pilot.press("escape")
        await settle(pilot)
    assert closed == [True]
    assert count(demo_engine, Concern) == concerns


async def test_adding_a_unit_shows_it(demo_engine) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TemperatureScreen(app.ctx))
        await settle(pilot)
        screen = app.screen
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, UnitForm)
        form.query_one("#f-name", Input).value = "Pharmacy freezer"
        form.query_one("#f-kind", Select).value = StorageKind.freezer
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "Pharmacy freezer · freezer · range -50 to -15 °C" in str(
            screen.query_one("#temp-unit", Static).render())
    with read_session(demo_engine) as session:
        added = [u for u in temperature.units(session) if u.name == "Pharmacy freezer"]
    assert [(u.kind, u.id) for u in added] == [(StorageKind.freezer, screen.unit_id)]


async def test_the_demo_log_shows_the_excursion_and_the_missing_days(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        present = {u.name for u in temperature.units(session)}
        people = [Person(s.id, s.first_name, s.last_name, s.role) for s in session.exec(select(Staff))]
    if FRIDGE not in present:  # until demo.fill writes the vaccine log itself
        with _transaction(demo_engine) as conn:
            _add_vaccine_storage(conn, random.Random("1:vaccine"), people, TODAY)
    with read_session(demo_engine) as session:
        fridge = next(u for u in temperature.units(session) if u.name == FRIDGE)
        missing = sorted({d for u, d in temperature.missing_readings(session, TODAY - timedelta(days=29), TODAY)
                          if u.id == fridge.id})
    app = fixed_app(demo_engine, [])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TemperatureScreen(app.ctx))
        await settle(pilot)
        screen = app.screen
        assert screen.unit_id == fridge.id  # fridges come first
        table = screen.query_one("#temp-log", DataTable)
        out = [i for i in range(table.row_count) if cell(table, i, 6).startswith("OUT OF RANGE")]
        assert len(out) == 1 and cell(table, out[0], 1) == "9.2 °C"
        assert cell(table, out[0], 0).startswith("Wed 11/18") and cell(table, out[0], 6).endswith(" open")
        assert len(missing) == 2
        text = str(screen.query_one("#temp-missing", Static).render())
        assert "Missing workdays (2, no reading): " + ", ".join(f"{d:%a %m/%d}" for d in missing) in text
