"""The Patients screen by keys: find, register (with the look-alike check), open the record, take a payment."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Select, Static

from factories import make_patient
from officemgr.models import LedgerEntry, Patient, PaymentPlan, PayMethod
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.desk_money import PaymentForm, PaymentPlanForm
from officemgr.tui.forms.patient import PatientForm
from officemgr.tui.views.patient_record import PatientRecordScreen
from officemgr.tui.views.patients import PatientsScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(9, 15))


@pytest.fixture
def office(practice_engine):  # type: ignore[no-untyped-def]
    """Ada Lovelace (born 05/17/1980, (555) 123-4567) is registered."""
    with write_session(practice_engine) as session:
        make_patient(session, account="000777")
    yield practice_engine
    practice_engine.dispose()


def fixed_app(engine, said: list[str]):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="hb")

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False  # names are user text
        said.append(message)

    app.notify = notify  # type: ignore[method-assign]
    return app


def rows(screen: PatientsScreen) -> list[list[str]]:
    table = screen.query_one("#patient-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def error_of(form, name: str) -> str:  # type: ignore[no-untyped-def]
    widget = form.query_one(f"#e-{name}", Static)
    return str(widget.render()) if widget.display else ""


def fill(form: PatientForm, **values: str) -> None:
    for name, value in values.items():
        form.query_one(f"#f-{name}", Input).value = value


async def test_find_by_typing_then_register_a_look_alike_only_when_told(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    said: list[str] = []
    app = fixed_app(office, said)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PatientsScreen)
        await pilot.press(*"lovel")
        await settle(pilot)
        assert rows(screen) == [["Lovelace, Ada", "05/17/1980", "46", "(555) 123-4567", "000777", "—"]]

        await pilot.press("enter")  # to the list
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PatientForm)
        fill(form, last_name="Lovelace", first_name="ada", dob="05/17/1980", zip_code="4321")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(form, "zip_code") == "a ZIP code is 5 digits, or 9 as 12345-6789"
        fill(form, zip_code="43215")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # a look-alike: refused, with its account number
        assert "already registered as #000777" in str(form.query_one("#form-error", Static).render())
        with read_session(office) as session:
            assert len(session.exec(select(Patient)).all()) == 1

        form.query_one("#f-different_person").value = True  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        with read_session(office) as session:
            new = session.exec(select(Patient).where(Patient.first_name == "ada")).one()
        assert (new.zip_code, new.account) == ("43215", f"{new.id:06d}")
        assert any(m.startswith("Lovelace, ada registered (account #") for m in said)


async def test_a_payment_from_the_record_writes_the_ledger_and_a_receipt(office) -> None:  # type: ignore[no-untyped-def]
    said: list[str] = []
    app = fixed_app(office, said)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = PatientsScreen(app.ctx, "000777")
        app.push_screen(screen)
        await settle(pilot)
        screen.query_one("#patient-table", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        record = app.screen
        assert isinstance(record, PatientRecordScreen)
        assert "no insurance on file" in str(record.query_one("#record-plans", Static).render())
        await pilot.press("$")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PaymentForm)
        form.query_one("#f-amount", Input).value = "twenty"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(form, "amount") == "an amount in dollars, e.g. 25 or 25.00"
        form.query_one("#f-amount", Input).value = "25"
        form.query_one("#f-method", Select).value = PayMethod.check.value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "check number" in str(form.query_one("#form-error", Static).render())  # refused by the service
        form.query_one("#f-reference", Input).value = "1042"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is record
        assert "$25.00 credit" in str(record.query_one("#record-money", Static).render())
        [receipt] = [m for m in said if m.startswith("Receipt R")]
        assert "$25.00 check" in receipt and ".html" in receipt
    with read_session(office) as session:
        [entry] = session.exec(select(LedgerEntry)).all()
    assert (entry.amount_cents, entry.method, entry.reference, entry.actor, entry.day) == (
        -2500, PayMethod.check, "1042", "hb", date(2026, 11, 23))


async def test_a_payment_plan_from_the_record(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with read_session(office) as session:
            ada = session.exec(select(Patient)).one()
        app.push_screen(PatientRecordScreen(app.ctx, ada.id))
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PaymentPlanForm)
        form.query_one("#f-amount", Input).value = "50"
        form.query_one("#f-day", Input).value = "32"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(form, "day") == "a day of the month, 1 to 31"
        form.query_one("#f-day", Input).value = "31"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PatientRecordScreen)
    with read_session(office) as session:
        plan = session.exec(select(PaymentPlan)).one()
    assert (plan.patient_id, plan.amount_cents, plan.day_of_month, plan.start) == (ada.id, 5_000, 31, TODAY)
