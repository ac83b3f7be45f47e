"""The audit log screen: opened from the palette, paged, filtered, one event in full; user text never markup."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select
from textual.widgets import DataTable, Input, Select, Static

from officemgr import store
from officemgr.models import AuditEvent
from officemgr.services.common import record
from officemgr.tui import commands
from officemgr.tui.app import make_app
from officemgr.tui.forms.audit_filter import AuditFilterForm
from officemgr.tui.views.audit_log import AuditEventScreen, AuditLogScreen
from ui_support import SIZE, TODAY, settle

START = datetime(2026, 11, 1, 8, 0)
MARKUP = "[bold]Smith[/bold] [red]x"


@pytest.fixture
def engine(practice_engine) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """A new practice holding only 120 events an hour apart: claims by ann, items by bob, the newest has markup.

    (Not the demo: its replayed history would fill the log, and these tests count rows.)"""
    log_engine = practice_engine
    with store.write_session(log_engine) as session:
        for i in range(120):
            record(session, actor=("ann", "bob")[i % 2], entity=("claim", "item")[i % 2], entity_id=i % 4 + 1,
                   action="update", changes={"note": [f"old {i}", MARKUP if i == 119 else f"new {i}"],
                                             "paid_cents": [0, 100 * i]}, now=START + timedelta(hours=i))
        session.commit()
    yield log_engine
    log_engine.dispose()


def events(engine: Engine) -> int:
    with store.read_session(engine) as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def status(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#audit-status", Static).render())


def first_row(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [cell.plain for cell in app.screen.query_one("#audit-table", DataTable).get_row_at(0)]


async def open_log(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("ctrl+p", *"audit log")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_palette_opens_the_log_newest_first_and_pages(engine: Engine) -> None:
    app = make_app(engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot)
        assert isinstance(app.screen, AuditLogScreen)
        assert status(app).startswith("rows 1–50 of 120")
        # User text shows as typed: brackets and all, never as markup.
        assert first_row(app) == ["11/06/2026 07:00", "bob", "item #4", "update",
                                  f"note: old 119 → {MARKUP}; paid: $0.00 → $119.00"]
        await pilot.press("pagedown")
        await settle(pilot)
        assert status(app).startswith("rows 51–100 of 120") and first_row(app)[4].startswith("note: old 69 ")
        await pilot.press("pagedown", "pagedown")  # the last page, then nothing further
        await settle(pilot)
        assert status(app).startswith("rows 101–120 of 120") and first_row(app)[4].startswith("note: old 19 ")
        await pilot.press("pageup")
        await settle(pilot)
        assert status(app).startswith("rows 51–100 of 120")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AuditLogScreen)


async def test_enter_shows_every_field_old_and_new_as_plain_text(engine: Engine) -> None:
    app = make_app(engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditEventScreen)
        table = app.screen.query_one("#event-fields", DataTable)
        rows = [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [["note", "old 119", MARKUP], ["paid", "$0.00", "$119.00"]]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AuditLogScreen)


async def test_filter_by_record_and_dates_refuses_a_bad_date_and_clears(engine: Engine) -> None:
    app = make_app(engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot)
        await pilot.press("f")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AuditFilterForm)
        assert form.query_one("#f-actor", Select)._options[1:] == [("ann", "ann"), ("bob", "bob")]  # from the log
        form.query_one("#f-entity", Select).value = "claim"
        form.query_one("#f-entity_id", Input).value = "3"
        form.query_one("#f-since", Input).value = "11/32/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert str(form.query_one("#e-since", Static).render()) == "a date like 11/23/2026"
        form.query_one("#f-since", Input).value = "11/03/2026"
        form.query_one("#f-until", Input).value = "11/04/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AuditLogScreen)
        # Claim 3 (i % 4 == 2) on 11/03 and 11/04: i from 40 to 87.
        assert status(app).startswith("rows 1–12 of 12 · filtered: claim #3 · 11/03/2026–11/04/2026")
        assert first_row(app)[:3] == ["11/04/2026 22:00", "ann", "claim #3"]
        await pilot.press("F")
        await settle(pilot)
        assert status(app).startswith("rows 1–50 of 120 · PgDn")


async def test_no_key_changes_the_log(engine: Engine) -> None:
    before = events(engine)
    app = make_app(engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot)
        await pilot.press("e", "d", "a", "delete", "backspace", "x", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AuditLogScreen)
    assert events(engine) == before


async def test_a_palette_entry_without_a_tab_runs_the_apps_action(engine: Engine,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from officemgr.tui.keys import KeysScreen

    monkeypatch.setattr(commands, "ACTIONS", (*commands.ACTIONS, ("Zebra keys list", None, "keys", None)))
    app = make_app(engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"zebra keys")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, KeysScreen)
