"""Closing the drawer and the statement run by keys: the day's payments by method, the count with its difference
and the note it needs, the deposit slip page; the statements due, written and marked sent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select
from textual.widgets import DataTable, Input, Label

from factories import make_claim, make_patient, make_payer
from officemgr.models import ClaimStatus, DrawerClose, Dunning, LedgerEntry, PayMethod, Statement, UserRole
from officemgr.services import deposit_slip, ledger
from officemgr.services.access import Actor
from officemgr.services.ledger import DayTakings, EntryRow
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.commands import offered
from officemgr.tui.forms.drawer import DrawerForm
from officemgr.tui.views import drawer, statement_run
from officemgr.tui.views.drawer import DrawerScreen
from officemgr.tui.views.statement_run import StatementRunScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(17, 5))
MANAGER = Actor("tt", {UserRole.manager}, workstation="office")
DESK = Actor("hb", {UserRole.front_desk}, workstation="desk1")
NURSE = Actor("nn", {UserRole.clinical}, workstation="room2")
DRAWER_ENTRY = "Close the drawer: the day's payments and deposit"


@pytest.fixture
def office(practice_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Pages go to tmp_path whichever the engine; every ledger sums to its balance afterwards."""
    monkeypatch.setattr(drawer, "sheet_folder", lambda ctx: tmp_path)
    monkeypatch.setattr(statement_run, "sheet_folder", lambda ctx: tmp_path)
    yield practice_engine
    with read_session(practice_engine) as session:
        for patient_id, total in session.exec(select(LedgerEntry.patient_id, func.sum(LedgerEntry.amount_cents))
                                              .group_by(LedgerEntry.patient_id)):
            assert ledger.entries(session, patient_id)[0].balance_cents == total


def app_for(engine: Engine, actor: Actor, said: list[str]):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor=actor)

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False
        said.append(message)

    app.notify = notify  # type: ignore[method-assign]
    return app


async def palette(pilot, words: str) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("ctrl+p", *words)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    widget = screen.query_one(selector)
    return str(widget.render()) if widget.display else ""


def cells(screen, selector: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def takings(engine: Engine) -> None:
    """Ada paid $25.00 and $10.00 cash, a $75.00 check (number 1042) and $40.00 by card today."""
    with write_session(engine) as session:
        ada = make_patient(session).id
        assert ada is not None
        for cents, method, reference in ((2_500, PayMethod.cash, ""), (1_000, PayMethod.cash, ""),
                                         (7_500, PayMethod.check, "1042"), (4_000, PayMethod.card, "4242 auth 77")):
            ledger.take_payment(session, ada, cents, method, reference, today=TODAY, actor="test", now=NOW)


def test_the_palette_offers_the_drawer_and_the_statement_run_to_the_desk_not_the_clinic() -> None:
    for actor in (MANAGER, DESK):
        titles = [title for title, _, _ in offered(actor)]
        assert DRAWER_ENTRY in titles and "Statement run" in titles
    titles = [title for title, _, _ in offered(NURSE)]
    assert DRAWER_ENTRY not in titles and "Statement run" not in titles


async def test_a_clinical_user_is_told_the_drawer_is_the_desks(office: Engine) -> None:
    said: list[str] = []
    app = app_for(office, NURSE, said)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for action, what in (("drawer", "The drawer"), ("statement_run", "The statement run")):
            await app.run_action(action)
            await settle(pilot)
            assert not isinstance(app.screen, (DrawerScreen, StatementRunScreen))
            assert said[-1] == f"{what} is for the front desk, billing and the manager."


async def test_shift_d_on_the_schedule_opens_the_days_drawer(office: Engine) -> None:
    app = app_for(office, DESK, [])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, DrawerScreen)
        assert str(app.screen.query_one("#drawer-title", Label).render()) == "Drawer for Mon 11/23/2026 · open"


async def test_the_desk_counts_the_drawer_and_writes_the_deposit_slip(office: Engine, tmp_path: Path) -> None:
    takings(office)
    said: list[str] = []
    app = app_for(office, DESK, said)
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "close the drawer")
        screen = app.screen
        assert isinstance(screen, DrawerScreen)
        assert str(screen.query_one("#drawer-title", Label).render()) == "Drawer for Mon 11/23/2026 · open"
        summary = text_of(screen, "#drawer-summary")
        assert "Cash $35.00 · checks $75.00 (1) · card $40.00 · total $150.00" in summary
        assert "Deposit (cash + checks): $110.00" in summary
        assert [row[1:4] for row in cells(screen, "#drawer-payments")] == [
            ["cash", "", "$25.00"], ["cash", "", "$10.00"], ["check", "1042", "$75.00"],
            ["card", "4242 auth 77", "$40.00"]]

        await pilot.press("k")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DrawerForm)
        cash, checks = form.query_one("#f-cash", Input), form.query_one("#f-checks", Input)
        cash.value, checks.value = "lots", ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(form, "#e-cash") == "an amount in dollars, e.g. 25 or 25.00"
        assert text_of(form, "#e-checks") == "type what you counted (0 if none)"
        cash.value, checks.value = "-1", "75"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(form, "#e-cash") == "a count cannot be negative"
        cash.value = "99999999999999999999999"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(form, "#e-cash") == "at most $100,000.00: more is a typing slip"
        cash.value = "37"
        await settle(pilot)
        difference = text_of(form, "#drawer-difference")
        assert difference == ("Recorded: cash $35.00, checks $75.00 (1)\n"
                              "Counted: cash over by $2.00; checks balanced")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(form, "#e-note") == "the count is over or short: say why (e.g. change given wrong)"
        with read_session(office) as session:
            assert session.exec(select(DrawerClose)).first() is None
        form.query_one("#f-note", Input).value = "two dollars found under the tray"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert said[-1] == "Drawer closed for 11/23/2026: Counted cash $37.00 (over by $2.00), checks $75.00 (balanced)"
        assert str(screen.query_one("#drawer-title", Label).render()) == "Drawer for Mon 11/23/2026 · closed"
        summary = text_of(screen, "#drawer-summary")
        assert "Counted cash $37.00 (over by $2.00), checks $75.00 (balanced) by hb at 17:05" in summary
        assert "Note: two dollars found under the tray" in summary
        await pilot.press("k")
        await settle(pilot)
        assert app.screen is screen and said[-1] == "The drawer for 11/23/2026 was closed by hb."

        await pilot.press("w")
        await settle(pilot)
        slip = tmp_path / "deposit-2026-11-23.html"
        assert said[-1] == f"Deposit slip written: {slip}"
        page = slip.read_text(encoding="utf-8")
        assert "<td>Check 1042</td><td class=n>$75.00</td>" in page
        assert '<tr class="total"><td>To deposit</td><td class=n>$110.00</td>' in page
        assert "cash $37.00 (over by $2.00)" in page and "Note: two dollars found under the tray" in page
        await pilot.press("w")  # a slip printed earlier is kept
        await settle(pilot)
        assert said[-1] == f"Deposit slip written: {tmp_path / 'deposit-2026-11-23-2.html'}"

        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert str(screen.query_one("#drawer-title", Label).render()) == "Drawer for Sun 11/22/2026 · open"
        assert "total $0.00" in text_of(screen, "#drawer-summary") and not cells(screen, "#drawer-payments")
        await pilot.press("right_square_bracket", "right_square_bracket", "k")
        await settle(pilot)
        assert app.screen is screen and said[-1] == "That day has not come yet: close a drawer on the day or after."
    with read_session(office) as session:
        row = session.exec(select(DrawerClose)).one()
    assert (row.day, row.counted_cash_cents, row.counted_checks_cents, row.recorded_cash_cents,
            row.recorded_checks_cents, row.note, row.actor) == (
        TODAY, 3_700, 7_500, 3_500, 7_500, "two dollars found under the tray", "hb@desk1")


async def test_the_drawer_lists_a_refund_by_check_apart_from_the_checks_to_deposit(office: Engine) -> None:
    takings(office)
    with write_session(office) as session:
        ada = session.exec(select(LedgerEntry.patient_id)).first()
        assert ada is not None
        ledger.refund(session, ada, 5_000, "check", "overpaid", reference="5001", today=TODAY, actor=MANAGER, now=NOW)
        ledger.refund(session, ada, 500, "cash", "overpaid", today=TODAY, actor=MANAGER, now=NOW)
    app = app_for(office, DESK, [])
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "close the drawer")
        screen = app.screen
        assert isinstance(screen, DrawerScreen)
        summary = text_of(screen, "#drawer-summary")
        assert "Cash $30.00 · checks $75.00 (1) · card $40.00 · total $145.00" in summary
        assert "Deposit (cash + checks): $105.00" in summary
        assert "Paid out: refund by check #5001, $50.00" in summary
        assert "Paid from the drawer's cash: refund in cash, $5.00" in summary
        await pilot.press("k")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DrawerForm)
        await settle(pilot)
        assert text_of(form, "#drawer-difference").startswith("Recorded: cash $30.00, checks $75.00 (1)")


def test_the_deposit_slip_shows_a_check_number_as_text() -> None:
    check = EntryRow(1, TODAY, ledger.EntryKind.payment, -1_000, 0, None, PayMethod.check, "<b>77</b>", "", "R1",
                     "hb", False)
    day = deposit_slip.DrawerDay(TODAY, DayTakings(TODAY, {PayMethod.cash: 0, PayMethod.check: 1_000,
                                                           PayMethod.card: 0}, [check]), None, None)
    page = deposit_slip.slip_html(day, {"name": "Main & Co <Clinic>"})
    assert "<td>Check &lt;b&gt;77&lt;/b&gt;</td>" in page and "<h2>Main &amp; Co &lt;Clinic&gt;</h2>" in page


async def test_the_statement_run_lists_who_is_due_then_writes_and_marks_them_sent(office: Engine,
                                                                                   tmp_path: Path) -> None:
    with write_session(office) as session:
        ada = make_patient(session, account="000777")
        payer = make_payer(session)
        claim = make_claim(session, payer=payer, patient=ada, billed_cents=20_000, status=ClaimStatus.paid,
                           paid_cents=12_000, patient_resp_cents=8_000)
        ledger.follow_claim(session, claim, day=TODAY - timedelta(days=45), actor="test", now=NOW)
        small = make_patient(session, first_name="Bo", last_name="Small", dob=date(1990, 1, 2), phone="5550001111")
        claim = make_claim(session, payer=payer, patient=small, billed_cents=20_000, status=ClaimStatus.paid,
                           paid_cents=19_500, patient_resp_cents=500)
        ledger.follow_claim(session, claim, day=TODAY - timedelta(days=45), actor="test", now=NOW)
        session.commit()
        ada_id = ada.id
    said: list[str] = []
    app = app_for(office, MANAGER, said)
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "statement run")
        screen = app.screen
        assert isinstance(screen, StatementRunScreen)
        assert cells(screen, "#statements-due") == [
            ["Lovelace, Ada", "000777", "$80.00", "45 days", "30 days past due", "never"]]
        assert text_of(screen, "#statements-message") == (
            "Lovelace, Ada's statement says: Your balance is 30 days past due. Please pay it, or call us to set up a "
            "payment plan.")
        assert text_of(screen, "#statements-summary") == (
            f"1 statement due, $80.00 in all: s writes one page each and a mailing list into {tmp_path}")
        await pilot.press("s")
        await settle(pilot)
        assert said[-1] == (f"1 statement page ($80.00) and mailing-2026-11-23.csv for the mailing service written "
                            f"to {tmp_path}; marked sent")
        assert not cells(screen, "#statements-due")
        assert text_of(screen, "#statements-summary").startswith("No statement is due today")
        await pilot.press("s")
        await settle(pilot)
        assert said[-1] == "No statement is due today."
    assert "Amount due: $80.00" in (tmp_path / "statement-000777-2026-11-23.html").read_text(encoding="utf-8")
    assert "000777" in (tmp_path / "mailing-2026-11-23.csv").read_text(encoding="utf-8")
    with read_session(office) as session:
        sent = session.exec(select(Statement)).one()
    assert (sent.patient_id, sent.day, sent.balance_cents, sent.dunning, sent.actor) == (
        ada_id, TODAY, 8_000, Dunning.past_due_30, "tt@office")
