"""The claim view's Secondary block and its `b` key (Bill secondary), by keys on a migrated practice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Static

from factories import make_claim, make_patient, make_payer, make_plan
from officemgr.models import Claim, ClaimEvent, ClaimStatus
from officemgr.services import billing, secondary
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.views.claim_detail import ClaimScreen
from ui_support import TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


@pytest.fixture
def office(practice_engine):  # type: ignore[no-untyped-def]
    """A claim the primary (Aetna) paid leaving $30.00 to the patient, whose secondary plan is at Medicaid."""
    engine = practice_engine
    with write_session(engine) as session:
        aetna = make_payer(session, name="Aetna")
        medicaid = make_payer(session, name="State Medicaid")
        ada = make_patient(session, first_name="Ada", last_name="Lovelace")
        make_plan(session, ada, medicaid)
        claim = make_claim(session, number="CL-SEC", patient=ada, payer=aetna, status=ClaimStatus.paid,
                           service_date=TODAY - timedelta(days=30), billed_cents=15_000, paid_cents=10_000,
                           adjusted_cents=2_000, patient_resp_cents=3_000, secondary_payer_id=medicaid.id,
                           last_activity=TODAY - timedelta(days=3))
        claim_id = claim.id
    yield engine, claim_id
    engine.dispose()


def recording_app(engine, said: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


async def open_claim(app, pilot, engine, claim_id: int) -> ClaimScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    with read_session(engine) as session:
        detail = billing.claim_detail(session, claim_id, actor="kim")
    app.push_screen(ClaimScreen(detail))
    await settle(pilot)
    assert isinstance(app.screen, ClaimScreen)
    return app.screen


def text(screen: ClaimScreen, selector: str) -> str:
    widget = screen.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


def stored(engine, claim_id: int) -> tuple[date | None, list[str]]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        claim = session.get(Claim, claim_id)
        events = [e.text for e in session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim_id))]
        return claim.secondary_billed_on, events


async def test_b_bills_the_secondary_and_the_claim_view_shows_it(office) -> None:  # type: ignore[no-untyped-def]
    engine, claim_id = office
    said: list[tuple[str, str]] = []
    app = recording_app(engine, said)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_claim(app, pilot, engine, claim_id)
        assert text(screen, "#claim-secondary") == ("Secondary State Medicaid · to bill\n  the primary paid $100.00, "
                                                    "adjusted $20.00 · patient share $30.00")
        assert text(screen, "#claim-hint").startswith("b bill secondary · ")

        await pilot.press("b")
        await settle(pilot)

        assert stored(engine, claim_id) == (TODAY, ["billed to secondary State Medicaid: the primary paid $100.00, "
                                                    "adjusted $20.00, patient share $30.00"])
        assert ("Claim CL-SEC billed to the secondary State Medicaid on 11/23/2026.", "information") in said
        assert "billed 11/23/2026, waiting for its answer" in text(screen, "#claim-secondary")
        assert not text(screen, "#claim-hint").startswith("b ")
        history = screen.query_one("#history", DataTable)
        assert "billed to secondary State Medicaid" in str(history.get_row_at(0)[4])

        await pilot.press("b")  # billed: the key is off
        await settle(pilot)
        assert len(stored(engine, claim_id)[1]) == 1


async def test_b_says_why_when_the_secondary_was_billed_meanwhile(office) -> None:  # type: ignore[no-untyped-def]
    engine, claim_id = office
    said: list[tuple[str, str]] = []
    app = recording_app(engine, said)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_claim(app, pilot, engine, claim_id)
        with write_session(engine) as session:  # another workstation bills it first
            secondary.bill_secondary(session, claim_id, today=TODAY - timedelta(days=1), now=NOW, actor="lee")

        await pilot.press("b")
        await settle(pilot)

        assert ("claim CL-SEC was already billed to the secondary State Medicaid on 11/22/2026", "error") in said
        assert stored(engine, claim_id)[0] == TODAY - timedelta(days=1)
        assert len(stored(engine, claim_id)[1]) == 1
        assert "billed 11/22/2026" in text(screen, "#claim-secondary")  # the view reloaded: it shows the news


async def test_a_claim_with_no_secondary_shows_no_block_and_no_key(office) -> None:  # type: ignore[no-untyped-def]
    engine, _ = office
    with write_session(engine) as session:
        plain_claim = make_claim(session, number="CL-ONE", status=ClaimStatus.pending).id
    said: list[tuple[str, str]] = []
    app = recording_app(engine, said)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_claim(app, pilot, engine, plain_claim)
        assert text(screen, "#claim-secondary") == ""
        await pilot.press("b")
        await settle(pilot)
        assert said == []
        assert stored(engine, plain_claim) == (None, [])
