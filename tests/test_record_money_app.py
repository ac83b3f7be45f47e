"""The manager's corrections on a patient's record by keys: void, refund, courtesy discount, collections, and
ending a payment plan; what the front desk is told instead. Every ledger sums to its balance after each test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select
from textual.widgets import DataTable, Input, Label, Select

from factories import make_claim, make_patient, make_payer
from officemgr.models import (
    ClaimStatus,
    CollectionReferral,
    Dunning,
    EntryKind,
    LedgerEntry,
    PaymentPlan,
    PayMethod,
    Statement,
    UserRole,
)
from officemgr.services import ledger, statements
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.patient_money import money_standing
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.corrections import CollectionsForm, CourtesyForm, EndPlanForm, RefundForm, VoidForm
from officemgr.tui.views.patient_record import PatientRecordScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(16, 30))
MANAGER = Actor("tt", {UserRole.manager}, workstation="office")
DESK = Actor("hb", {UserRole.front_desk}, workstation="desk1")


@pytest.fixture
def office(practice_engine: Engine) -> Iterator[Engine]:
    yield practice_engine
    with read_session(practice_engine) as session:
        for patient_id, total in session.exec(select(LedgerEntry.patient_id, func.sum(LedgerEntry.amount_cents))
                                              .group_by(LedgerEntry.patient_id)):
            assert ledger.balance(session, patient_id) == total
            assert ledger.entries(session, patient_id)[0].balance_cents == total


def patient_owing(engine: Engine, cents: int, *, days_ago: int = 0) -> int:
    """Ada, whose share of a claim paid `days_ago` is `cents`. Returns her id."""
    with write_session(engine) as session:
        ada = make_patient(session, account="000777")
        claim = make_claim(session, payer=make_payer(session), patient=ada, billed_cents=20_000,
                           status=ClaimStatus.paid, paid_cents=20_000 - cents, patient_resp_cents=cents)
        ledger.follow_claim(session, claim, day=TODAY - timedelta(days=days_ago), actor="test", now=NOW)
        session.commit()
        assert ada.id is not None
        return ada.id


def pay(engine: Engine, patient_id: int, cents: int) -> int:
    with write_session(engine) as session:
        return ledger.take_payment(session, patient_id, cents, PayMethod.cash, today=TODAY, actor="test",
                                   now=NOW).entry_id


def app_for(engine: Engine, actor: Actor, said: list[str]):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor=actor)

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False
        said.append(message)

    app.notify = notify  # type: ignore[method-assign]
    return app


async def open_record(app, pilot, patient_id: int) -> PatientRecordScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = PatientRecordScreen(app.ctx, patient_id)
    app.push_screen(screen)
    await settle(pilot)
    return screen


def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    widget = screen.query_one(selector)
    return str(widget.render()) if widget.display else ""


async def save(pilot, form, **values: str) -> None:  # type: ignore[no-untyped-def]
    for name, value in values.items():
        field = form.query_one(f"#f-{name}")
        if isinstance(field, Select):
            field.value = value
        else:
            form.query_one(f"#f-{name}", Input).value = value
    await pilot.press("ctrl+s")
    await settle(pilot)


def entries(engine: Engine) -> list[LedgerEntry]:
    with read_session(engine) as session:
        return list(session.exec(select(LedgerEntry).order_by(LedgerEntry.id)).all())


async def test_void_names_the_payment_asks_why_and_shows_the_new_balance(office: Engine) -> None:
    ada = patient_owing(office, 8_000)
    paid = pay(office, ada, 2_500)
    said: list[str] = []
    app = app_for(office, MANAGER, said)
    async with app.run_test(size=SIZE) as pilot:
        record = await open_record(app, pilot, ada)
        assert "$55.00 due" in text_of(record, "#record-money")
        table = record.query_one("#record-ledger", DataTable)
        table.move_cursor(row=1)  # the claim's share: it follows the claim
        await pilot.press("x")
        await settle(pilot)
        assert app.screen is record
        assert said[-1].startswith("A patient share entry cannot be voided here")
        table.move_cursor(row=0)
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, VoidForm)
        title = str(form.query_one(".form-title", Label).render())
        assert title == f"Void payment (cash) of $25.00 on 11/23/2026, receipt R261123-{paid}"
        await save(pilot, form)
        assert text_of(form, "#e-reason") == "say why it is voided"
        assert len(entries(office)) == 2
        await save(pilot, form, reason="entered twice")
        assert app.screen is record
        assert said[-1].endswith("· balance now $80.00 due")
        assert "$80.00 due" in text_of(record, "#record-money")
        table.move_cursor(row=1)  # the payment, now voided
        await pilot.press("x")
        await settle(pilot)
        assert app.screen is record and said[-1] == "That entry was already voided."
    share, payment, void = entries(office)
    assert (void.kind, void.amount_cents, void.voids_id, void.reason, void.actor) == (
        EntryKind.void, 2_500, payment.id, "entered twice", "tt@office")


async def test_refund_of_a_credit_then_no_discount_on_nothing_owed(office: Engine) -> None:
    with write_session(office) as session:
        ada = make_patient(session).id
    assert ada is not None
    pay(office, ada, 3_000)
    said: list[str] = []
    app = app_for(office, MANAGER, said)
    async with app.run_test(size=SIZE) as pilot:
        record = await open_record(app, pilot, ada)
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is record and said[-1] == "Lovelace, Ada owes nothing to discount."
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RefundForm)
        assert form.query_one("#f-amount", Input).value == "30.00"
        await save(pilot, form, amount="ten", reason="")
        assert text_of(form, "#e-amount") == "an amount in dollars, e.g. 25 or 25.00"
        assert text_of(form, "#e-reason") == "say why the money is refunded"
        await save(pilot, form, amount="-5", reason="overpaid copay")
        assert text_of(form, "#e-amount") == "more than $0.00 (no minus sign)"
        await save(pilot, form, amount="40")
        assert "the patient's credit is $30.00" in text_of(form, "#form-error")
        await save(pilot, form, amount="10", method=PayMethod.cash.value)
        assert app.screen is record
        assert said[-1] == "Refund saved · balance now $20.00 credit"
        assert "$20.00 credit" in text_of(record, "#record-money")
    refund = entries(office)[-1]
    assert (refund.kind, refund.amount_cents, refund.method, refund.reason) == (
        EntryKind.refund, 1_000, PayMethod.cash, "overpaid copay")


async def test_a_courtesy_discount_up_to_what_is_owed(office: Engine) -> None:
    ada = patient_owing(office, 8_000)
    said: list[str] = []
    app = app_for(office, MANAGER, said)
    async with app.run_test(size=SIZE) as pilot:
        record = await open_record(app, pilot, ada)
        await pilot.press("r")
        await settle(pilot)
        assert app.screen is record and said[-1] == "Lovelace, Ada has no credit to refund (balance $80.00 due)."
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CourtesyForm)
        await save(pilot, form, amount="90", reason="long wait")
        assert "the patient owes $80.00" in text_of(form, "#form-error")
        await save(pilot, form, amount="20")
        assert said[-1] == "Courtesy discount saved · balance now $60.00 due"
    discount = entries(office)[-1]
    assert (discount.kind, discount.amount_cents, discount.reason, discount.actor) == (
        EntryKind.courtesy, -2_000, "long wait", "tt@office")


async def test_collections_only_after_a_final_notice(office: Engine) -> None:
    ada = patient_owing(office, 8_000, days_ago=150)
    said: list[str] = []
    app = app_for(office, MANAGER, said)
    async with app.run_test(size=SIZE) as pilot:
        record = await open_record(app, pilot, ada)
        await pilot.press("C")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CollectionsForm)
        await save(pilot, form)
        assert text_of(form, "#e-agency") == "name the collection agency"
        await save(pilot, form, agency="Acme Recovery")
        assert text_of(form, "#form-error").startswith("send a final notice first")
        with read_session(office) as session:
            assert session.exec(select(CollectionReferral)).first() is None
        with write_session(office) as session:
            session.add(Statement(patient_id=ada, day=TODAY - timedelta(days=20), balance_cents=8_000,
                                  oldest_days=130, dunning=Dunning.final_notice, actor="test"))
            session.commit()
        await save(pilot, form)
        assert app.screen is record
        assert said[-1] == "Sent to collections · balance now $80.00 due"
        assert "Sent to collections 11/23/2026: $80.00 to Acme Recovery" in text_of(record, "#record-money")
    with read_session(office) as session:
        sent = session.exec(select(CollectionReferral)).one()
    assert (sent.patient_id, sent.amount_cents, sent.agency, sent.day, sent.actor) == (
        ada, 8_000, "Acme Recovery", TODAY, "tt@office")


async def test_the_desk_ends_a_payment_plan(office: Engine) -> None:
    ada = patient_owing(office, 8_000)
    said: list[str] = []
    app = app_for(office, DESK, said)
    async with app.run_test(size=SIZE) as pilot:
        record = await open_record(app, pilot, ada)
        await pilot.press("E")
        await settle(pilot)
        assert app.screen is record and said[-1] == "Lovelace, Ada has no payment plan running."
        with write_session(office) as session:
            statements.add_payment_plan(session, ada, 2_000, 15, start=TODAY - timedelta(days=40), actor="test",
                                        now=NOW)
        record.reload()
        await settle(pilot)
        assert "Payment plan: $20.00 a month on day 15, since 10/14/2026" in text_of(record, "#record-money")
        await pilot.press("E")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EndPlanForm)
        assert "($20.00 a month on day 15, since 10/14/2026) today?" in str(form.query_one(".form-title",
                                                                                            Label).render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is record and said[-1] == "Payment plan ended · balance now $80.00 due"
        assert "Payment plan" not in text_of(record, "#record-money")
    with read_session(office) as session:
        plan = session.exec(select(PaymentPlan)).one()
    assert plan.ended == TODAY


async def test_the_front_desk_is_told_the_corrections_are_the_managers(office: Engine) -> None:
    ada = patient_owing(office, 8_000, days_ago=150)
    pay(office, ada, 2_500)
    said: list[str] = []
    app = app_for(office, DESK, said)
    async with app.run_test(size=SIZE) as pilot:
        record = await open_record(app, pilot, ada)
        for key, what in (("x", "Voiding an entry"), ("r", "A refund"), ("c", "A courtesy discount"),
                          ("C", "Sending a balance to collections")):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is record
            assert said[-1] == f"{what} needs the manager: ask them to sign in (ctrl+l locks this screen)."
    assert [e.kind for e in entries(office)] == [EntryKind.patient_share, EntryKind.payment]


def test_a_clinical_user_does_not_read_the_account_standing(office: Engine) -> None:
    ada = patient_owing(office, 8_000)
    with read_session(office) as session:
        with pytest.raises(NotAllowed, match="a patient.s account needs the manager, front desk, biller or read-only"):
            money_standing(session, ada, actor=Actor("nn", {UserRole.clinical}))
        assert money_standing(session, ada, actor=DESK).plan is None
