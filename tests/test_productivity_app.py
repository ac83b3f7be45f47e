"""The Provider productivity screen by keys ($ then q): the table with its total row and the bars, day/week/month
and [ ] moving, and i importing an RVU file (saved, or refused in the form with nothing saved)."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from textual.widgets import DataTable, Input, Label, Static

from factories import at, make_appointment, make_claim, make_claim_line, make_provider
from officemgr.models import ApptStatus, UserRole
from officemgr.models.finance import RvuRate
from officemgr.services.access import Actor
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.views.productivity import ProductivityScreen, RvuImportForm, bar
from test_rvu_import import CMS
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(17, 5))
MANAGER = Actor("tt", {UserRole.manager}, workstation="office")
BILLER = Actor("bb", {UserRole.biller}, workstation="office")


@pytest.fixture
def office(practice_engine: Engine) -> Engine:
    """Dr Hopper saw two patients today (claims of 2 x 99213 and 1 x 99214); Dr Curie one last week."""
    with write_session(practice_engine) as session:
        hopper = make_provider(session)
        curie = make_provider(session, first_name="Marie", last_name="Curie")
        for hour in (9, 10):
            make_appointment(session, provider=hopper, start=at(hour), status=ApptStatus.checked_out)
        make_appointment(session, provider=curie, start=at(9, day=date(2026, 11, 16)), status=ApptStatus.checked_out)
        first = make_claim(session, service_date=TODAY, billed_cents=20_000, provider_id=hopper.id)
        make_claim_line(session, first, code="99213", units=2)
        second = make_claim(session, service_date=TODAY, billed_cents=12_000, provider_id=hopper.id)
        make_claim_line(session, second, code="99214")
    return practice_engine


def app_for(engine: Engine, actor: Actor, said: list[str]):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor=actor)

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False
        said.append(message)

    app.notify = notify  # type: ignore[method-assign]
    return app


def rows(screen: ProductivityScreen) -> list[list[str]]:
    table: DataTable[Any] = screen.query_one("#productivity-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def title(screen: ProductivityScreen) -> str:
    return str(screen.query_one("#productivity-title", Label).render())


async def open_screen(pilot) -> ProductivityScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("$")
    await settle(pilot)
    await pilot.press("q")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ProductivityScreen)
    return screen


def test_bars_grow_by_eighths() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 16, 4) == "▎"  # 2 eighths of a cell
    assert bar(0, 10, 4) == "" and bar(3, 0, 4) == ""


async def test_the_month_week_and_day_by_keys(office: Engine) -> None:
    said: list[str] = []
    app = app_for(office, MANAGER, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        assert title(screen) == "Provider productivity · November 2026"
        table = rows(screen)
        assert [r[0] for r in table] == ["Marie Curie", "Grace Hopper", "Total"]
        assert table[1][1:6] == ["2", "0", "0", "2", "0"]
        assert table[1][7:] == ["$320.00", "$0.00", "0.00"]
        assert table[2][1] == "3"
        chart = str(screen.query_one("#productivity-chart", Static).render())
        assert "Grace Hopper     ████████████████████    2" in chart
        assert "Marie Curie      ██████████              1" in chart
        assert "2 lines without an RVU rate" in str(screen.query_one("#productivity-note", Static).render())
        await pilot.press("w")
        await settle(pilot)
        assert title(screen) == "Provider productivity · week 48 of 2026: 11/23 – 11/29/2026"
        assert [r[1] for r in rows(screen)] == ["0", "2", "2"]
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert title(screen) == "Provider productivity · week 47 of 2026: 11/16 – 11/22/2026"
        assert [r[1] for r in rows(screen)] == ["1", "0", "1"]
        await pilot.press("d", "t")
        await settle(pilot)
        assert title(screen) == "Provider productivity · Mon 11/23/2026"
        await pilot.press("m", "right_square_bracket")
        await settle(pilot)
        assert title(screen) == "Provider productivity · December 2026"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ProductivityScreen)


async def test_i_imports_the_cms_file_and_the_rvus_show(office: Engine, tmp_path: Path) -> None:
    file = tmp_path / "PPRRVU26_JAN.csv"
    file.write_text(CMS, encoding="utf-8")
    said: list[str] = []
    app = app_for(office, MANAGER, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await pilot.press("i")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RvuImportForm)
        form.query_one("#f-path", Input).value = str(file)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "Imported 5 work RVU rates for 2026; 2 without a work RVU skipped" in said
        assert rows(screen)[1][-1] == "3.53"  # 2 x 1.30 + 0.93
    with read_session(office) as session:
        assert len(session.exec(select(RvuRate).where(RvuRate.year == 2026)).all()) == 5


async def test_a_bad_file_is_refused_in_the_form_and_nothing_is_saved(office: Engine, tmp_path: Path) -> None:
    file = tmp_path / "ours.csv"
    file.write_text("code,modifier,work_rvu\n99213,,1.3\n9921,,1\n", encoding="utf-8")
    said: list[str] = []
    app = app_for(office, MANAGER, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await pilot.press("i")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RvuImportForm)
        form.query_one("#f-year", Input).value = "26"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "name the file" in str(form.query_one("#e-path", Static).render())
        assert "a year between 2000 and 2100" in str(form.query_one("#e-year", Static).render())
        form.query_one("#f-path", Input).value = str(file)
        form.query_one("#f-year", Input).value = "2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#form-error", Static).render())
        assert "line 3: code '9921' is not a CPT/HCPCS code" in error
    with read_session(office) as session:
        assert session.exec(select(RvuRate).order_by(col(RvuRate.id))).all() == []


async def test_the_biller_sees_it_but_may_not_import(office: Engine, tmp_path: Path) -> None:
    file = tmp_path / "ours.csv"
    file.write_text("code,modifier,work_rvu\n99213,,1.3\n", encoding="utf-8")
    said: list[str] = []
    app = app_for(office, BILLER, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        assert rows(screen)[-1][0] == "Total"
        await pilot.press("i")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RvuImportForm)
        form.query_one("#f-path", Input).value = str(file)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "importing work RVUs needs the manager role" in str(form.query_one("#form-error", Static).render())
    with read_session(office) as session:
        assert session.exec(select(RvuRate)).all() == []
