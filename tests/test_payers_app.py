"""The payers window driven by keys: a bad limit is refused next to its field and nothing is saved until it is
fixed; editing a payer's timely-filing limit moves its open claim's deadline in the database and on screen."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Select, Static

from factories import make_claim, make_payer
from officemgr.models import AuditEvent, Claim, ClaimStatus, Payer
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.payer import LIMIT_ERROR, MONTHS_ERROR, PayerForm
from officemgr.tui.views.payers import PayersScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


@pytest.fixture
def office(practice_engine):  # type: ignore[no-untyped-def]
    """A practice database with Aetna (365-day filing) and one submitted claim from 11/03/2026, due 11/03/2027."""
    engine = practice_engine
    with write_session(engine) as session:
        aetna = make_payer(session, name="Aetna", timely_filing_days=365, phone="(555) 123-4567")
        make_claim(session, payer=aetna, number="CL-1", service_date=date(2026, 11, 3), billed_cents=12_345,
                   status=ClaimStatus.submitted)
    yield engine
    engine.dispose()


def fixed_app(engine, said: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False  # payer names are user text
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


def payer_named(engine, name: str) -> Payer | None:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.exec(select(Payer).where(Payer.name == name)).first()


def claim_deadline(engine) -> date | None:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.exec(select(Claim).where(Claim.number == "CL-1")).one().deadline


def error_of(form, name: str) -> str:  # type: ignore[no-untyped-def]
    widget = form.query_one(f"#e-{name}", Static)
    return str(widget.render()) if widget.display else ""


def table_rows(screen) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = screen.query_one("#payer-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_screen(app, pilot) -> PayersScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = PayersScreen(app.ctx)
    app.push_screen(screen)
    await settle(pilot)
    assert app.screen is screen
    return screen


async def test_add_refuses_a_bad_limit_until_fixed(office) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot)
        assert table_rows(screen) == [["Aetna", "365 days", "180 days", "(555) 123-4567", "—", "1", "$123.45"]]
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PayerForm)
        form.query_one("#f-name", Input).value = "Cigna"
        form.query_one("#f-timely_filing", Input).value = "abc"
        form.query_one("#f-phone", Input).value = "555 987 6543"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert error_of(form, "timely_filing") == LIMIT_ERROR
        assert payer_named(office, "Cigna") is None

        form.query_one("#f-timely_filing", Input).value = "90"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        cigna = payer_named(office, "Cigna")
        assert cigna is not None
        assert (cigna.timely_filing_days, cigna.appeal_days, cigna.phone) == (90, 180, "(555) 987-6543")
        assert ["Cigna", "90 days", "180 days", "(555) 987-6543", "—", "0", "$0.00"] in table_rows(screen)
        assert ("Payer added", "information") in said

        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen
        assert screen.changed is True


async def test_editing_a_limit_moves_the_claim_deadline(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot)
        assert claim_deadline(office) == date(2027, 11, 3)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PayerForm)
        assert form.query_one("#f-timely_filing", Input).value == "365"
        form.query_one("#f-timely_filing", Input).value = "0"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(form, "timely_filing") == LIMIT_ERROR
        assert claim_deadline(office) == date(2027, 11, 3)

        form.query_one("#f-timely_filing", Input).value = "368"  # 11/06/2027 is a Saturday
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert claim_deadline(office) == date(2027, 11, 8)
        assert table_rows(screen)[0][1] == "368 days"
        with read_session(office) as session:
            event = session.exec(select(AuditEvent).where(AuditEvent.entity == "payer")).one()
            assert (event.action, event.actor) == ("update", "kim")


async def test_a_limit_in_months_is_saved_and_counts_calendar_months(office) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PayerForm)
        form.query_one("#f-timely_filing", Input).value = "121"
        form.query_one("#f-filing_unit", Select).value = "months"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(form, "timely_filing") == MONTHS_ERROR
        form.query_one("#f-timely_filing", Input).value = "12"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        aetna = payer_named(office, "Aetna")
        assert aetna is not None and (aetna.timely_filing_days, aetna.timely_filing_months) == (None, 12)
        assert claim_deadline(office) == date(2027, 11, 3)  # 12 months after 11/03/2026, a Wednesday
        assert table_rows(screen)[0][1] == "12 months"
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PayerForm)
        assert form.query_one("#f-timely_filing", Input).value == "12"
        assert form.query_one("#f-filing_unit", Select).value == "months"
