"""Recurring bills and A/P aging by keys (issue 24, part 3): $ then r adds a rent bill, generates it, edits and
ends it; $ then p shows the aging with totals and writes the paid-bills file, refusing to overwrite unless asked."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from textual.widgets import Checkbox, DataTable, Input, Select

from factories import make_ap_bill, make_vendor, pay_ap_bill
from officemgr.models import UserRole
from officemgr.models.finance import BudgetCategory
from officemgr.models.inventory import Vendor
from officemgr.models.payables import Bill, BillStatus, Frequency, RecurringBill
from officemgr.services import recurring_bills
from officemgr.services.access import Actor
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.recurring_bill import EndRecurringForm, PaidExportForm, RecurringBillForm
from officemgr.tui.views import ap_aging
from officemgr.tui.views.ap_aging import ApAgingScreen
from officemgr.tui.views.finances import FinancesScreen
from officemgr.tui.views.recurring_bills import RecurringBillsScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(9, 5))
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
BILLER = Actor("bea", {UserRole.biller}, name="Bea Biller", workstation="office")


@pytest.fixture
def office(practice_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setattr(ap_aging, "sheet_folder", lambda ctx: tmp_path)
    with write_session(practice_engine) as session:
        make_vendor(session, name="Main Street Properties", terms="net 5")
        acme = make_vendor(session, name="Acme Medical", terms="net 30")
        late = make_ap_bill(session, acme, due=date(2026, 10, 20), amount_cents=20_000, number="A-1",
                            status=BillStatus.approved)
        pay_ap_bill(session, late, 5_000, paid_on=date(2026, 10, 30), reference="1001")
        make_ap_bill(session, acme, due=date(2026, 11, 25), amount_cents=3_000, number="A-2")
    yield practice_engine


def app_for(engine: Engine, actor: Actor, said: list[str]):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor=actor)

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False
        said.append(message)

    app.notify = notify  # type: ignore[method-assign]
    return app


def cells(screen, selector: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    widget = screen.query_one(selector)
    return str(widget.render()) if widget.display else ""


async def open_money(pilot, letter: str) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("dollar_sign")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FinancesScreen)
    await pilot.press(letter)
    await settle(pilot)


async def test_the_manager_adds_generates_edits_and_ends_a_recurring_bill(office: Engine) -> None:
    said: list[str] = []
    app = app_for(office, MANAGER, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_money(pilot, "r")
        screen = app.screen
        assert isinstance(screen, RecurringBillsScreen)
        assert "None yet" in cells(screen, "#recurring-list")[0][0]

        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecurringBillForm)
        form.query_one("#f-description", Input).value = "Rent"
        form.query_one("#f-amount", Input).value = "lots"
        form.query_one("#f-day_of_month", Input).value = "32"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(form, "#e-vendor_id") == "choose the vendor (add one on the Inventory tab first)"
        assert text_of(form, "#e-amount").startswith("an amount in dollars and cents")
        assert text_of(form, "#e-day_of_month").startswith("a day of the month, 1 to 31")
        with read_session(office) as session:
            assert session.exec(select(RecurringBill)).all() == []
        vendors: Select[int] = form.query_one("#f-vendor_id", Select)
        vendors.value = next(v for label, v in form.vendors if label == "Main Street Properties")
        form.query_one("#f-amount", Input).value = "$4,500"
        form.query_one("#f-day_of_month", Input).value = "1"
        form.query_one("#f-start", Input).value = "10/01/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert cells(screen, "#recurring-list") == [
            ["Rent", "$4,500.00", "month, day 1", "none yet", "Main Street Properties", "10/01/2026–"]]
        assert text_of(screen, "#recurring-waiting").startswith("2 bills to make now")

        await pilot.press("g")
        await settle(pilot)
        assert said[-1] == "Made 2 bills for $9,000.00; each waits for approval"
        assert cells(screen, "#recurring-list")[0][3] == "11/2026"
        assert text_of(screen, "#recurring-waiting") == "Every bill due within the next 7 days is made."
        with read_session(office) as session:
            made = session.exec(select(Bill).where(col(Bill.recurring_id).is_not(None))
                                .order_by(col(Bill.invoice_date))).all()
            assert [(b.invoice_number, b.due_date, b.status) for b in made] == [
                ("RENT 2026-10", date(2026, 10, 6), BillStatus.entered),
                ("RENT 2026-11", date(2026, 11, 6), BillStatus.entered)]

        await pilot.press("e")
        await settle(pilot)
        edit = app.screen
        assert isinstance(edit, RecurringBillForm)
        assert edit.query_one("#f-amount", Input).value == "4500.00"
        edit.query_one("#f-amount", Input).value = "4750"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert cells(screen, "#recurring-list")[0][1] == "$4,750.00"

        await pilot.press("x")
        await settle(pilot)
        end = app.screen
        assert isinstance(end, EndRecurringForm)
        end.query_one("#f-end", Input).value = "10/15/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "already made" in text_of(end, "#form-error")
        end.query_one("#f-end", Input).value = "11/30/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert cells(screen, "#recurring-list")[0][5] == "10/01/2026–11/30/2026"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FinancesScreen)


async def test_the_biller_may_look_but_not_generate(office: Engine) -> None:
    said: list[str] = []
    app = app_for(office, BILLER, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_money(pilot, "r")
        assert isinstance(app.screen, RecurringBillsScreen)
        await pilot.press("g")
        await settle(pilot)
        assert said[-1].startswith("generating recurring bills needs the manager role")


async def test_aging_shows_buckets_and_totals_and_exports_paid_bills(office: Engine, tmp_path: Path) -> None:
    said: list[str] = []
    app = app_for(office, MANAGER, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_money(pilot, "p")
        screen = app.screen
        assert isinstance(screen, ApAgingScreen)
        assert cells(screen, "#aging-table") == [
            ["Acme Medical", "$180.00", "$30.00", "$0.00", "$150.00", "$0.00", "$0.00"],  # 34 days past due
            ["Total (2 bills)", "$180.00", "$30.00", "$0.00", "$150.00", "$0.00", "$0.00"]]
        due = text_of(screen, "#aging-due")
        assert "1 bill overdue, $150.00" in due and "1 bill due in the next 7 days, $30.00" in due

        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PaidExportForm)
        assert form.query_one("#f-first", Input).value == "10/01/2026"
        assert form.query_one("#f-last", Input).value == "10/31/2026"
        form.query_one("#f-path", Input).value = "paid.txt"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(form, "#e-path") == "the file name must end in .csv"
        form.query_one("#f-path", Input).value = "paid.csv"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert said[-1] == f"Wrote 1 payment to {tmp_path / 'paid.csv'}"
        rows = list(csv.reader(io.StringIO((tmp_path / "paid.csv").read_text(encoding="utf-8"))))
        assert rows[1][:3] == ["2026-10-30", "Acme Medical", "A-1"]

        (tmp_path / "paid.csv").write_text("keep", encoding="utf-8")
        await pilot.press("x")
        await settle(pilot)
        app.screen.query_one("#f-path", Input).value = "paid.csv"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "already exists" in said[-1] and "tick Replace" in said[-1]
        assert (tmp_path / "paid.csv").read_text(encoding="utf-8") == "keep"
        await pilot.press("x")
        await settle(pilot)
        app.screen.query_one("#f-path", Input).value = "paid.csv"
        app.screen.query_one("#f-replace", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (tmp_path / "paid.csv").read_text(encoding="utf-8").startswith("paid_on,")


async def test_enter_on_a_huddle_bills_line_opens_those_bills(office: Engine) -> None:
    from officemgr.services.bills import BillFilter
    from officemgr.tui.views.bills import BillsScreen

    app = app_for(office, MANAGER, [])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.query_one("HuddleView")
        table = view.query_one(DataTable)
        for key, which in (("bills:overdue", BillFilter.overdue), ("bills:due-soon", BillFilter.due_soon)):
            row = next(k for k, item in view.items.items() if item.key == key)  # type: ignore[attr-defined]
            table.move_cursor(row=table.get_row_index(row))
            table.focus()
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, BillsScreen) and app.screen.which is which
            await pilot.press("escape")
            await settle(pilot)


async def test_an_edit_that_would_bill_a_quarter_twice_is_refused_in_the_form(office: Engine) -> None:
    with write_session(office) as session:
        vendor_id = session.exec(select(col(Vendor.id)).where(Vendor.name == "Main Street Properties")).one()
        assert vendor_id is not None
        recurring_bills.add_recurring(session, recurring_bills.RecurringIn(
            vendor_id=vendor_id, description="Copier lease", category=BudgetCategory.equipment, amount_cents=60_000,
            frequency=Frequency.quarterly, start=date(2026, 7, 1)), now=NOW, actor=MANAGER)
        recurring_bills.generate_due(session, today=TODAY, now=NOW, actor=MANAGER)  # 07/01 and 10/01
    app = app_for(office, MANAGER, [])
    async with app.run_test(size=SIZE) as pilot:
        await open_money(pilot, "r")
        screen = app.screen
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecurringBillForm)
        form.query_one("#f-start", Input).value = "08/01/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert text_of(form, "#form-error") == (
            "bills were already made every quarter from July: a start in August would bill some months twice — "
            "start in January or April or July or October; to change it, end this recurring bill and add a new one")
        form.query_one("#f-start", Input).value = "07/01/2026"
        form.query_one("#f-frequency", Select).value = Frequency.monthly
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "the frequency cannot change" in text_of(form, "#form-error")
        form.query_one("#f-frequency", Select).value = Frequency.quarterly
        form.query_one("#f-end", Input).value = "09/30/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and text_of(form, "#form-error") == (
            "a bill dated 10/01/2026 was already made: end on or after that day, or void that bill first")
        with read_session(office) as session:
            row = session.exec(select(RecurringBill)).one()
            assert (row.start, row.frequency, row.end, row.version) == (date(2026, 7, 1), Frequency.quarterly,
                                                                        None, 1)
        form.query_one("#f-end", Input).value = "10/01/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert cells(screen, "#recurring-list")[0][5] == "07/01/2026–10/01/2026"
