"""The ledger's rules at their edges: which charge a payment pays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from factories import NOW, TODAY, make_claim, make_patient, make_payer
from officemgr.models import (
    AuditEvent,
    ClaimStatus,
    LedgerEntry,
    UserRole,
)
from officemgr.services import ledger, statements
from officemgr.services.access import Actor

DESK = Actor("hb", {UserRole.front_desk}, workstation="desk1")
MANAGER = Actor("tt", {UserRole.manager}, workstation="office")
TUESDAY = TODAY + timedelta(days=1)


@pytest.fixture(autouse=True)
def every_ledger_balances(session: Session) -> Iterator[None]:
    """After each test: each patient's balance is the sum of their entries, and every entry was audited."""
    yield
    session.rollback()
    for patient_id, total in session.exec(select(LedgerEntry.patient_id, func.sum(LedgerEntry.amount_cents))
                                          .group_by(LedgerEntry.patient_id)):
        assert ledger.balance(session, patient_id) == total
        shown = ledger.entries(session, patient_id)
        assert shown[0].balance_cents == total and shown[-1].balance_cents == shown[-1].amount_cents
    entries = len(session.exec(select(LedgerEntry)).all())
    assert len(session.exec(select(AuditEvent).where(AuditEvent.entity == "ledger_entry")).all()) == entries


# --- 3. which charge a payment pays ------------------------------------------------------------------------


def test_a_payment_for_a_claim_pays_that_claims_charge_first(session: Session) -> None:
    patient = make_patient(session)
    payer = make_payer(session)
    older = make_claim(session, patient=patient, payer=payer, status=ClaimStatus.paid, patient_resp_cents=3_000,
                       service_date=TODAY - timedelta(days=70), deadline=None)
    newer = make_claim(session, patient=patient, payer=payer, status=ClaimStatus.paid, patient_resp_cents=2_000,
                       deadline=None)
    ledger.follow_claim(session, older, day=TODAY - timedelta(days=60), actor=DESK, now=NOW)
    ledger.follow_claim(session, newer, day=TODAY - timedelta(days=10), actor=DESK, now=NOW)
    session.commit()
    ledger.take_payment(session, patient.id, 2_000, "card", "4242", claim_id=newer.id, today=TODAY - timedelta(days=5),
                        actor=DESK, now=NOW)
    [due] = statements.statements_due(session, TODAY)
    assert (due.balance_cents, due.oldest_days) == (3_000, 60)
    assert statements.patient_aging(session, TODAY) == {"0-30": 0, "31-60": 3_000, "61-90": 0, "91-120": 0,
                                                         "120+": 0}


def test_a_claim_payment_pays_its_claim_then_the_oldest_and_keeps_the_rest_as_credit() -> None:
    d = date(2026, 1, 1)
    entries = [(d, 1_000, 1), (d + timedelta(1), 2_000, 2), (d + timedelta(2), -2_500, 2)]
    # Claim 2's $20.00 is paid, the $5.00 left pays the oldest (claim 1).
    assert statements.open_charges(entries) == [statements.OpenCharge(d, 500)]
    assert statements.open_charges([*entries, (d + timedelta(3), -900, 2), (d + timedelta(4), 700, 3)]) == [
        statements.OpenCharge(d + timedelta(4), 300)]
    # A payment on account (no claim) still pays the oldest first.
    assert statements.open_charges([(d, 1_000, 1), (d, 2_000, 2), (d, -1_500, None)]) == [
        statements.OpenCharge(d, 1_500)]
