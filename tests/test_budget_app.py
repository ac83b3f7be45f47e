"""The budget screens driven by keys: the year's grid in whole dollars, editing a month and a whole row, copying
last year with a percentage, exporting and importing CSV; budget vs actual with its bars; the Inventory panel."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from textual.widgets import Checkbox, DataTable, Input, Static

from factories import make_vendor, plan_budget
from officemgr.models.finance import BudgetAmount, BudgetCategory
from officemgr.models.payables import Bill
from officemgr.services.purchasing import BudgetLine, BudgetSummary
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.budget import AmountForm, CopyForm, FileForm
from officemgr.tui.views.budget import BudgetScreen, dollars
from officemgr.tui.views.budget_actual import BudgetActualScreen, bar
from officemgr.tui.views.finances import FinancesScreen
from officemgr.tui.views.inventory import budget_text
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))
NARROW = (80, 24)


@pytest.fixture
def office(practice_engine):  # type: ignore[no-untyped-def]
    with write_session(practice_engine) as session:
        plan_budget(session, 2025, {"rent": 400_000})
        plan_budget(session, 2026, {"rent": 450_000, "software": 12_345})
    yield practice_engine
    practice_engine.dispose()


def fixed_app(engine, said: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


def planned(engine, year: int) -> dict[tuple[str, int], int]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        rows = session.exec(select(BudgetAmount).where(BudgetAmount.year == year)).all()
        return {(BudgetCategory(r.category).value, r.month): r.amount_cents for r in rows}


def grid(screen) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = screen.query_one("#budget-grid", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_budget(app, pilot):  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = BudgetScreen(app.ctx)
    app.push_screen(screen)
    await settle(pilot)
    assert app.screen is screen
    return screen


async def test_the_finances_menu_opens_both_screens(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        app.push_screen(FinancesScreen(app.ctx))
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, BudgetScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, BudgetActualScreen)


async def test_the_grid_shows_whole_dollars_and_totals_and_the_year_moves(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_budget(app, pilot)
        rows = grid(screen)
        rent = next(r for r in rows if r[0] == "Rent")
        assert rent[1:] == ["4,500"] * 12 + ["54,000"]
        software = next(r for r in rows if r[0] == "Software")
        assert software[1] == "123" and software[13] == "1,481"  # $123.45 a month, $1,481.40 a year
        assert rows[-1][0] == "Total" and rows[-1][1] == "4,623"
        await pilot.press("right")
        await settle(pilot)
        assert str(screen.query_one("#budget-cell", Static).render()) == "Payroll, Jan 2026: $0.00"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert next(r for r in grid(screen) if r[0] == "Rent")[1] == "4,000"
        assert "Budget 2025, whole dollars" in str(screen.query_one("#budget-title").render())


async def test_e_edits_one_month_and_on_the_name_every_month(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_budget(app, pilot)
        table = screen.query_one("#budget-grid", DataTable)
        table.cursor_coordinate = table.cursor_coordinate._replace(row=1, column=3)  # Rent, March
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AmountForm)
        assert form.query_one("#f-amount", Input).value == "4,500.00"
        form.query_one("#f-amount", Input).value = "-5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(form.query_one("#e-amount", Static).render()) == "a budget amount cannot be negative"
        form.query_one("#f-amount", Input).value = "$4,750.50"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert planned(office, 2026)[("rent", 3)] == 475_050
        assert grid(screen)[1][3] == "4,751"

        table.cursor_coordinate = table.cursor_coordinate._replace(row=8, column=0)  # Marketing
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#f-amount", Input).value = "100"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert {m: planned(office, 2026)[("marketing", m)] for m in range(1, 13)} == dict.fromkeys(range(1, 13),
                                                                                                   10_000)


async def test_c_copies_last_year_with_a_percentage_after_confirming_replace(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_budget(app, pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CopyForm)
        assert form.query_one("#f-from_year", Input).value == "2025"
        form.query_one("#f-percent", Input).value = "+3"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "2026 already has a budget" in str(form.query_one("#form-error", Static).render())
        assert planned(office, 2026)[("rent", 1)] == 450_000
        form.query_one("#f-replace", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        got = planned(office, 2026)
        assert (got[("rent", 1)], got[("software", 1)]) == (412_000, 0)


async def test_x_exports_and_i_imports_a_csv_file(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    target = tmp_path / "plan.csv"
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_budget(app, pilot)
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FileForm)
        form.query_one("#f-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert target.read_bytes().decode().split("\r\n")[2].startswith("Rent,4500.00,")
        assert said[-1] == (f"Budget written to {target}", "information")

        await pilot.press("x")  # the file is there now: refused unless replacing
        await settle(pilot)
        app.screen.query_one("#f-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "already exists" in str(app.screen.query_one("#form-error", Static).render())
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("right_square_bracket")
        await settle(pilot)
        target.write_text(target.read_bytes().decode() + "Parking,1,1,1,1,1,1,1,1,1,1,1,1,\r\n",
                          encoding="utf-8")
        await pilot.press("i")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "line 12: category: 'Parking' is not a budget category" in str(
            form.query_one("#form-error", Static).render())
        assert planned(office, 2027) == {}
        target.write_text("\r\n".join(target.read_bytes().decode().split("\r\n")[:-2]) + "\r\n",
                          encoding="utf-8")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert planned(office, 2027)[("rent", 12)] == 450_000
        assert said[-1] == ("Budget 2027 imported: 24 amounts changed", "information")


async def test_budget_vs_actual_shows_variance_bars_and_months(office) -> None:  # type: ignore[no-untyped-def]
    with write_session(office) as session:
        vendor = make_vendor(session)
        session.add(Bill(vendor_id=vendor.id, invoice_number="R-11", invoice_key="r11", invoice_date=date(2026, 11, 1),
                         due_date=date(2026, 11, 1), amount_cents=500_000, category=BudgetCategory.rent,
                         entered_at=NOW, entered_by="kim"))
        session.commit()
    app = fixed_app(office, [])
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        screen = BudgetActualScreen(app.ctx)
        app.push_screen(screen)
        await settle(pilot)
        table = screen.query_one("#budget-actual-table", DataTable)
        rent = [str(c) for c in table.get_row("rent")]
        assert rent == ["Rent", "4,500", "5,000", "-500", "11.1% over", "49,500", "5,000", "44,500"]
        assert table.get_row("rent")[3].style == "bold red"
        chart = str(screen.query_one("#budget-actual-chart", Static).render())
        assert "Rent             budget " in chart and "actual " + "█" * 40 + " 5,000" in chart
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "Oct 2026" in str(screen.query_one("#budget-actual-title").render())
        assert [str(c) for c in table.get_row("rent")][2:4] == ["0", "4,500"]


def test_bars_are_drawn_in_eighths_of_a_character() -> None:
    assert bar(100, 100) == "█" * 40
    assert bar(0, 100) == ""
    assert bar(1, 320) == "▏"  # never less than an eighth when there is something
    assert bar(50, 100) == "█" * 20
    assert bar(1, 0) == ""


def test_the_inventory_panel_names_where_to_set_a_budget_or_shows_the_plan() -> None:
    none = BudgetSummary(date(2026, 11, 1), [], [], False)
    assert budget_text(none).plain == "No budget for November 2026 — set one in Practice money → Budget"
    lines = [BudgetLine(BudgetCategory.vaccines, 10_000, 20_000)]
    planned_text = budget_text(BudgetSummary(date(2026, 11, 1), lines, lines, True)).plain
    assert planned_text == ("November supplies: $200.00 of $100.00 (over budget) · 2026: $200.00 of $100.00 "
                            "(over budget) · over this month: vaccines")


def test_whole_dollars_round_half_away_from_zero_so_actual_and_variance_agree() -> None:
    assert (dollars(552_350), dollars(-552_350)) == ("5,524", "-5,524")
    assert (dollars(-49), dollars(-50), dollars(149)) == ("0", "-1", "1")
