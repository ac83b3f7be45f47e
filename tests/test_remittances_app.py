"""The Remittances screen driven by keys (Billing tab, key r): pages of posted 835s, a remittance with its provider
adjustments and claim payments, an unmatched payment matched to its claim after a question, a paper EOB typed in,
and a user who may only read the billing area seeing the lists but not posting."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select
from textual.widgets import DataTable, Input, Label, Select, Static

from factories import EraClaim, make_claim, make_patient, make_payer, write_835
from officemgr.models import Claim, ClaimStatus, Remittance, RemittanceClaim
from officemgr.models.users import UserRole
from officemgr.services import era
from officemgr.services.access import Actor
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.commands import offered
from officemgr.tui.forms.eob import EobForm
from officemgr.tui.signin import EmergencyScreen
from officemgr.tui.views.claim_detail import ClaimScreen
from officemgr.tui.views.remittance_detail import CandidatesScreen, RemittanceDetailScreen
from officemgr.tui.views.remittances import RemittancesScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))
SERVICE = date(2026, 10, 30)
SMALL = (80, 24)
PALETTE = "Remittances: posted 835s, unmatched payments, paper EOB"


@pytest.fixture
def office(practice_engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Jane Doe's claim C-1 (Acme, 10/30/2026, $120.00) and Bo Park's C-2, paid by one 835 (check 12345, $1.27
    withheld) that names C-2 rightly and Jane's claim as C1-TYPO, which matched nothing."""
    engine = practice_engine
    with write_session(engine) as session:
        acme = make_payer(session, name="Acme Health Plan")
        jane = make_patient(session, first_name="Jane", last_name="Doe", dob=date(1985, 4, 2))
        bo = make_patient(session, first_name="Bo", last_name="Park", dob=date(1990, 1, 9))
        make_claim(session, number="C-1", patient=jane, payer=acme, service_date=SERVICE, billed_cents=12_000,
                   status=ClaimStatus.pending)
        make_claim(session, number="C-2", patient=bo, payer=acme, service_date=SERVICE, billed_cents=9_000,
                   status=ClaimStatus.pending)
        era.post_file(session, write_835(tmp_path / "acme.835", [
            EraClaim("C1-TYPO", "1", 12_000, 10_000, adjustments=[("CO", "45", 2_000)], name=("DOE", "JANE"),
                     service=SERVICE),
            EraClaim("C-2", "1", 9_000, 9_000, name=("PARK", "BO"), service=SERVICE),
        ], check="12345", provider_adjustments=[("WO", 127)]), today=TODAY, now=NOW, actor="kim")
    yield engine
    engine.dispose()


def fixed_app(engine, said: list[tuple[str, str]], actor: str = "kim"):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor=actor)

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False  # payer and patient names come from files
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


async def press(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*keys)
    await settle(pilot)


async def open_screen(app, pilot) -> RemittancesScreen:  # type: ignore[no-untyped-def]
    """The Billing tab, then r."""
    await settle(pilot)
    await press(pilot, "5")
    await press(pilot, "r")
    screen = app.screen
    assert isinstance(screen, RemittancesScreen)
    return screen


def rows(table: DataTable) -> list[list[str]]:  # type: ignore[type-arg]
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(widget) -> str:  # type: ignore[no-untyped-def]
    return str(widget.render()) if widget.display else ""


def status(screen) -> str:  # type: ignore[no-untyped-def]
    return text_of(screen.query_one("#remits-status", Static))


def payment(engine, number: str) -> RemittanceClaim:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.exec(select(RemittanceClaim).where(RemittanceClaim.claim_number == number)).one()


def claim(engine, number: str) -> Claim:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.exec(select(Claim).where(Claim.number == number)).one()


def remittance_count(engine) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Remittance)).one())


@pytest.mark.parametrize("size", [SIZE, SMALL])
async def test_pages_and_a_remittance_with_its_provider_adjustments(office, size) -> None:  # type: ignore[no-untyped-def]
    with write_session(office) as session:  # 44 older remittances: two pages of 40
        session.add_all([Remittance(file_hash=f"{n:064x}", file_name=f"old-{n}.835", actor="kim", payer_name="Zeta",
                                    check_number=f"Z{n}", paid_cents=100 * n,
                                    imported_at=NOW - timedelta(days=60 - n)) for n in range(44)])
        session.commit()
    app = fixed_app(office, [])
    async with app.run_test(size=size) as pilot:
        screen = await open_screen(app, pilot)
        table = screen.query_one("#remits-table", DataTable)
        assert status(screen).startswith("rows 1–40 of 45 · ")
        # The 835 posted first is the oldest: on the second page, last.
        await press(pilot, "pagedown")
        assert status(screen).startswith("rows 41–45 of 45 · ")
        await press(pilot, "pagedown")
        assert status(screen).startswith("rows 41–45 of 45 · ")
        last = rows(table)[-1]
        # Below 140 columns the list drops the check date, PLB and file (the line under it gives them).
        assert last[1:] == (["ACME HEALTH PLAN", "12345", "11/20/26", "$188.73", "2", "1", "-$1.27", "acme.835"]
                            if size == SIZE else ["ACME HEALTH P…", "12345", "$188.73", "2", "1"])
        table.move_cursor(row=table.row_count - 1)
        await settle(pilot)
        assert "provider adjustments -$1.27" in text_of(screen.query_one("#remits-row", Static))

        await press(pilot, "enter")
        detail = app.screen
        assert isinstance(detail, RemittanceDetailScreen)
        checks = text_of(detail.query_one("#checks-text", Static))
        assert "Check 12345 · ACME HEALTH PLAN · 11/20/2026 · $188.73 · 2 claim payments" in checks
        assert "claims $190.00 less provider adjustments $1.27 = check $188.73" in checks
        assert "provider adjustment: WO overpayment recovery -$1.27" in checks
        payments = rows(detail.query_one("#payments", DataTable))
        assert [(r[0], r[3], r[5], r[8]) for r in payments] == [("C1-TYPO", "primary", "$100.00", "no"),
                                                               ("C-2", "primary", "$90.00", "yes")]
        assert "CO 45 $20.00 · no claim with this number" in text_of(detail.query_one("#payment-line", Static))
        # A posted payment opens its claim.
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, ClaimScreen)
        assert "Claim C-2 · Park, Bo · Acme Health Plan" in str(app.screen.query_one(".form-title", Label).render())
        await press(pilot, "escape", "escape")
        assert app.screen is screen
        await press(pilot, "pageup")
        assert status(screen).startswith("rows 1–40 of 45 · ")


@pytest.mark.parametrize("size", [SIZE, SMALL])
async def test_an_unmatched_payment_is_matched_after_the_question(office, size) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    async with app.run_test(size=size) as pilot:
        screen = await open_screen(app, pilot)
        await press(pilot, "u")
        table = screen.query_one("#remits-table", DataTable)
        assert [r[:3] for r in rows(table)] == [["C1-TYPO", "DOE, JANE", "10/30/2026" if size == SIZE else "$100.00"]]
        assert status(screen).startswith("rows 1–1 of 1 · ")

        await press(pilot, "enter")
        found = app.screen
        assert isinstance(found, CandidatesScreen)
        head = text_of(found.query_one("#payment-head", Static))
        assert "patient DOE, JANE · member ID W123456789 · service 10/30/2026" in head
        assert head.endswith("Why not posted: no claim with this number")
        candidates = rows(found.query_one("#candidates", DataTable))
        assert [r[0] for r in candidates] == ["C-1"]  # Bo Park's claim that day was billed another amount
        assert "same last name, same first name, same service date, billed = charge, same payer" in text_of(
            found.query_one("#candidate-line", Static))

        await press(pilot, "m")
        assert text_of(found.query_one("#confirm", Static)) == (
            "Post $100.00 from ACME HEALTH PLAN check 12345 on claim C-1 (Jane Doe, 10/30/2026)? Press m again to "
            "post it; any other key keeps it unmatched.")
        await press(pilot, "down")  # any other key: the question goes, nothing is posted
        assert text_of(found.query_one("#confirm", Static)) == ""
        await press(pilot, "up", "m")
        assert not payment(office, "C1-TYPO").posted

        await press(pilot, "m")
        assert app.screen is screen
        kept = payment(office, "C1-TYPO")
        matched = claim(office, "C-1")
        assert (kept.posted, kept.claim_id, kept.matched_by) == (True, matched.id, "kim")
        assert (matched.status, matched.paid_cents, matched.adjusted_cents) == (ClaimStatus.paid, 10_000, 2_000)
        assert ("Posted $100.00 from ACME HEALTH PLAN check 12345 on claim C-1: paid.", "information") in said
        assert rows(table) == []
        assert "Every claim payment is posted" in text_of(screen.query_one("#remits-row", Static))


async def test_a_paper_eob_is_refused_beside_its_field_until_right(office) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot)
        await press(pilot, "p")
        form = app.screen
        assert isinstance(form, EobForm)
        acme = claim(office, "C-1").payer_id
        form.query_one("#f-payer_id", Select).value = acme
        form.query_one("#f-check_number", Input).value = "PAPER-9"
        form.query_one("#f-claim_number", Input).value = "C-9"
        form.query_one("#f-paid", Input).value = "100.00"
        form.query_one("#f-adjustments", Input).value = "CO 45 20.00, PR 1 twenty"
        await press(pilot, "ctrl+s")
        assert text_of(form.query_one("#e-adjustments", Static)) == (
            "adjustment 2 ('PR 1 twenty'): 'twenty' is not an amount in dollars, e.g. 20.00")
        assert remittance_count(office) == 1

        form.query_one("#f-adjustments", Input).value = "CO 45 20.00"
        await press(pilot, "ctrl+s")  # the service looks the claim up: there is no C-9
        assert app.screen is form
        assert text_of(form.query_one("#e-claim_number", Static)) == "no claim is numbered C-9"
        assert remittance_count(office) == 1

        form.query_one("#f-claim_number", Input).value = "c-1"
        form.query_one("#f-adjustments", Input).value = "CO 45 10.00"
        await press(pilot, "ctrl+s")  # the charge left blank is the claim's $120.00: $10.00 is missing
        assert text_of(form.query_one("#e-adjustments", Static)) == (
            "the charge $120.00 less the payment $100.00 is $20.00, but the adjustments add up to $10.00")
        assert remittance_count(office) == 1

        form.query_one("#f-adjustments", Input).value = "co 45 20"
        await press(pilot, "ctrl+s")
        assert app.screen is screen
        paid = claim(office, "C-1")
        assert (paid.status, paid.paid_cents, paid.adjusted_cents) == (ClaimStatus.paid, 10_000, 2_000)
        with read_session(office) as session:
            paper = session.exec(select(Remittance).where(Remittance.paper)).one()
            assert (paper.check_number, paper.paid_cents) == ("PAPER-9", 10_000)
        assert said[-1] == ("Posted $100.00 from Acme Health Plan check PAPER-9 on claim C-1: paid.", "information")
        first = rows(screen.query_one("#remits-table", DataTable))[0]
        assert (first[1], first[2], first[8]) == ("Acme Health Plan", "PAPER-9", "paper EOB")


async def test_a_reader_of_billing_sees_the_lists_but_may_not_post(office) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    auditor = Actor("ann", {UserRole.auditor}, workstation="desk1")
    app = fixed_app(office, said, actor=auditor)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "5", "r")
        screen = app.screen
        assert isinstance(screen, RemittancesScreen)
        assert status(screen).startswith("rows 1–1 of 1")
        await press(pilot, "p")
        await press(pilot, "u", "m")
        assert app.screen is screen
        refused = "needs the manager or biller role; ann is read-only (auditor) — nothing was changed"
        assert said == [(f"{what} {refused}", "error") for what in ("posting a paper EOB",
                                                                     "matching a payment to a claim")]
        await press(pilot, "enter")  # the candidates are there to see, not to post
        found = app.screen
        assert isinstance(found, CandidatesScreen)
        await press(pilot, "m")
        assert text_of(found.query_one("#confirm", Static)) == ""
        assert not payment(office, "C1-TYPO").posted


def test_the_palette_offers_the_screen_to_who_may_see_billing() -> None:
    assert PALETTE in [title for title, _, _ in offered(Actor("bea", {UserRole.biller}))]
    assert PALETTE not in [title for title, _, _ in offered(Actor("kim", {UserRole.front_desk}))]


@pytest.mark.parametrize(("role", "opens"), [(UserRole.biller, RemittancesScreen),
                                              (UserRole.front_desk, EmergencyScreen)])
async def test_the_palette_action_opens_the_screen_or_asks_for_emergency_access(office, role, opens) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(office, [], actor=Actor("kim", {role}, workstation="desk1"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await app.run_action("remittances")
        await settle(pilot)
        assert isinstance(app.screen, opens)


@pytest.mark.parametrize("role", [UserRole.manager, UserRole.biller])
async def test_a_paper_eob_dated_in_a_closed_month_asks_the_manager_for_a_reason(office, role) -> None:  # type: ignore[no-untyped-def]
    from officemgr.models.audit import AuditEvent
    from officemgr.models.finance import MonthClose

    with write_session(office) as session:
        session.add(MonthClose(month=date(2026, 10, 1), closed_at=datetime(2026, 11, 5, 9), closed_by="pat"))
        session.commit()
    app = fixed_app(office, [], actor=Actor("pat", {role}, workstation="office"))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot)
        await press(pilot, "p")
        form = app.screen
        assert isinstance(form, EobForm)
        reason_row = form.query_one("#f-override_reason").parent
        assert reason_row is not None and not reason_row.display
        form.query_one("#f-payer_id", Select).value = claim(office, "C-1").payer_id
        form.query_one("#f-check_number", Input).value = "PAPER-10"
        form.query_one("#f-paid_on", Input).value = "10/30/2026"
        form.query_one("#f-claim_number", Input).value = "C-1"
        form.query_one("#f-paid", Input).value = "100.00"
        form.query_one("#f-adjustments", Input).value = "CO 45 20.00"
        await press(pilot, "ctrl+s")
        assert app.screen is form and remittance_count(office) == 1
        assert "October 2026 is closed" in text_of(form.query_one("#form-error", Static))
        assert reason_row.display is (role is UserRole.manager)
        if role is UserRole.biller:
            return
        form.query_one("#f-override_reason", Input).value = "EOB found in the October mail"
        await press(pilot, "ctrl+s")
        assert app.screen is not form and remittance_count(office) == 2
    with read_session(office) as session:
        override = session.exec(select(AuditEvent).where(AuditEvent.action == "post_into_closed")).one()
    assert (override.entity, override.entity_id) == ("month_close", 202610)
    assert "EOB found in the October mail" in override.changes
