"""The Settings screen driven by keys (issue 24, part 1): `,` opens it; a value is edited in a one-field form, a bad
one is refused next to the field and nothing is saved; r twice resets to the default; anyone but the manager only
looks. Each test checks the database and what the screen shows."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Static

from officemgr.models import UserRole
from officemgr.services import settings
from officemgr.services.access import Actor
from officemgr.services.settings_catalog import set_setting
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.setting import SettingForm
from officemgr.tui.views.settings import SettingsScreen
from ui_support import TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
SMALL = (80, 24)


@pytest.fixture
def office(practice_engine):  # type: ignore[no-untyped-def]
    yield practice_engine
    practice_engine.dispose()


def fixed_app(engine, said: list[tuple[str, str]], actor: Actor = MANAGER):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor=actor)

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


def stored(engine, key: str) -> Any:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return settings.get(session, key)


def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    widget = screen.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


def cells(screen: SettingsScreen, key: str) -> list[str]:
    table: DataTable[Any] = screen.query_one("#settings-table", DataTable)
    return [str(cell) for cell in table.get_row(key)]


async def open_settings(app, pilot, key: str) -> SettingsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("comma")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, SettingsScreen)
    table: DataTable[Any] = screen.query_one("#settings-table", DataTable)
    table.move_cursor(row=table.get_row_index(key))
    await settle(pilot)
    return screen


async def test_comma_opens_the_settings_by_area_with_the_meaning(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_settings(app, pilot, "aging_from")
        assert cells(screen, "practice")[0] == "Practice"
        # At 80 columns long labels and values are cut; the line under the table has them whole.
        assert cells(screen, "open_weekdays")[:3] == ["", "Days the practice…", "Mon, Tue, Wed…"]
        assert cells(screen, "aging_from")[2:] == ["service", "service"]
        assert cells(screen, "demo_data")[2] == "no (fixed)"
        meaning = text_of(screen, "#settings-meaning")
        assert meaning.startswith("A/R age counts from (aging_from): Whether a claim's age counts from the date")
        assert "Type: service or submission" in meaning
        assert text_of(screen, "#settings-hint").startswith("enter or e edit")
        table: DataTable[Any] = screen.query_one("#settings-table", DataTable)
        table.move_cursor(row=table.get_row_index("open_weekdays"))
        await settle(pilot)
        assert "Now: Mon, Tue, Wed, Thu, Fri · default: Mon, Tue, Wed, Thu, Fri" in text_of(screen, "#settings-meaning")


async def test_edit_saves_at_once_and_the_screen_closes_changed(office) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    closed: list[bool | None] = []
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_settings(app, pilot, "lock_idle_minutes")
        screen.dismiss = lambda result=None: closed.append(result)  # type: ignore[method-assign, assignment, return-value]
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SettingForm)
        box = form.query_one("#f-value", Input)
        assert box.value == "5"
        box.value = "15"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert stored(office, "lock_idle_minutes") == 15
        assert cells(screen, "lock_idle_minutes")[2:] == ["15", "5"]
        assert ("Saved: it takes effect at once", "information") in said
        await pilot.press("escape")
        assert closed == [True]


async def test_a_new_idle_lock_takes_effect_when_the_settings_close(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=SMALL) as pilot:
        assert app.idle_seconds == 5 * 60
        await open_settings(app, pilot, "lock_idle_minutes")
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#f-value", Input).value = "12"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert app.idle_seconds == 12 * 60


async def test_a_bad_value_is_refused_next_to_the_field_and_nothing_saved(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=SMALL) as pilot:
        await open_settings(app, pilot, "lock_idle_minutes")
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SettingForm)
        form.query_one("#f-value", Input).value = "241"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert text_of(form, "#e-value") == "241 is out of range: type a whole number of minutes from 0 to 240"
        assert stored(office, "lock_idle_minutes") == 5
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen) and not app.screen.changed


async def test_a_stale_edit_is_refused_in_the_form(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=SMALL) as pilot:
        await open_settings(app, pilot, "statement_cycle_days")
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        with write_session(office) as session:  # another workstation, meanwhile
            set_setting(session, "statement_cycle_days", "45", now=NOW, actor=MANAGER)
        form.query_one("#f-value", Input).value = "60"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "changed by someone else" in text_of(form, "#e-value")
        assert stored(office, "statement_cycle_days") == 45


async def test_r_twice_resets_to_the_default(office) -> None:  # type: ignore[no-untyped-def]
    with write_session(office) as session:
        set_setting(session, "aging_from", "submission", now=NOW, actor=MANAGER)
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_settings(app, pilot, "aging_from")
        assert cells(screen, "aging_from")[2:] == ["submission", "service"]
        await pilot.press("r")
        assert text_of(screen, "#settings-confirm") == (
            "Put A/R age counts from back to its default (service)? Press r again to reset; any other key keeps it.")
        await pilot.press("j")  # another key: the question goes, nothing changes
        assert text_of(screen, "#settings-confirm") == ""
        await pilot.press("k", "r", "r")
        await settle(pilot)
        assert stored(office, "aging_from") == "service"
        assert cells(screen, "aging_from")[2] == "service"
        assert ("A/R age counts from is back to its default", "information") in said
        await pilot.press("r")
        assert ("A/R age counts from is already at its default.", "information") in said
        assert text_of(screen, "#settings-confirm") == ""


async def test_anyone_else_only_looks(office) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said, Actor("fd", {UserRole.front_desk}, name="Fran Desk", workstation="desk"))
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_settings(app, pilot, "lock_idle_minutes")
        assert text_of(screen, "#settings-hint") == (
            "Read-only: changing settings needs the manager role. escape closes.")
        await pilot.press("e")
        await pilot.press("r")
        await settle(pilot)
        assert app.screen is screen
        assert said.count(("Changing settings needs the manager role; you may look at them.", "warning")) == 2
        assert stored(office, "lock_idle_minutes") == 5
