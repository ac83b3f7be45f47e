"""The demo's remittances and desk money: two payments that matched no claim, each with a claim to offer; one claim
waiting on its secondary plan; and every ledger as the services would keep it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from officemgr import store
from officemgr.demo import fill
from officemgr.models import (
    Claim,
    ClaimStatus,
    InsurancePlan,
    LedgerEntry,
    Patient,
    Payer,
    PlanRank,
    Remittance,
    RemittanceClaim,
)
from officemgr.models.billing import RemittanceCheck
from officemgr.services import ledger, statements

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo() -> Iterator[Engine]:
    engine = store.create_engine_for("sqlite://")
    SQLModel.metadata.create_all(engine)
    fill(engine, today=TODAY, seed=1)
    yield engine
    engine.dispose()


def test_two_payments_matched_no_claim_and_each_names_a_patient_and_day_of_a_claim_of_its_payer(demo: Engine) -> None:
    with Session(demo) as session:
        unmatched = session.exec(select(RemittanceClaim).where(col(RemittanceClaim.claim_id).is_(None))).all()
        assert len(unmatched) == 2
        numbers = set(session.exec(select(Claim.number)).all())
        for row in unmatched:
            remittance = session.get(Remittance, row.remittance_id)
            assert remittance is not None
            assert not row.posted and row.note == "no claim with this number" and row.claim_number not in numbers
            assert row.paid_cents > 0 and row.status_code == "1"
            assert sum(cents for _, _, cents in json.loads(row.adjustments)) == row.charge_cents - row.paid_cents
            last, first = row.patient_name.split(", ")
            candidates = session.exec(
                select(Claim).join(Patient, col(Patient.id) == Claim.patient_id)
                .join(Payer, col(Payer.id) == Claim.payer_id)
                .where(func.upper(Patient.last_name) == last, func.upper(Patient.first_name) == first,
                       Claim.service_date == row.service_date, Payer.name == remittance.payer_name)).all()
            assert [c.billed_cents for c in candidates] == [row.charge_cents]
            assert candidates[0].status in (ClaimStatus.submitted, ClaimStatus.accepted, ClaimStatus.pending)
        assert len({row.remittance_id for row in unmatched}) == 2


def test_each_demo_check_adds_up_to_its_claim_payments(demo: Engine) -> None:
    with Session(demo) as session:
        for remittance in session.exec(select(Remittance)).all():
            rows = session.exec(select(RemittanceClaim).where(RemittanceClaim.remittance_id == remittance.id)).all()
            [check] = session.exec(select(RemittanceCheck).where(RemittanceCheck.remittance_id == remittance.id)).all()
            assert remittance.paid_cents == check.paid_cents == sum(r.paid_cents for r in rows)
            assert check.paid_on == remittance.imported_at.date()
            assert all(r.patient_name and r.service_date for r in rows)


def test_one_claim_waits_on_the_patients_secondary_plan_and_its_share_is_not_on_the_ledger(demo: Engine) -> None:
    with Session(demo) as session:
        [claim] = session.exec(select(Claim).where(col(Claim.secondary_payer_id).is_not(None))).all()
        assert claim.status is ClaimStatus.paid and claim.patient_resp_cents > 0
        assert claim.secondary_owed and claim.secondary_billed_on is None
        plans = {p.rank: p for p in session.exec(select(InsurancePlan)
                                                 .where(InsurancePlan.patient_id == claim.patient_id))}
        assert set(plans) == {PlanRank.primary, PlanRank.secondary}
        assert (plans[PlanRank.primary].payer_id, plans[PlanRank.secondary].payer_id) == (claim.payer_id,
                                                                                          claim.secondary_payer_id)
        assert session.exec(select(LedgerEntry).where(LedgerEntry.claim_id == claim.id)).all() == []


def test_every_demo_ledger_is_what_the_services_would_keep(demo: Engine) -> None:
    with Session(demo) as session:
        sums = dict(session.exec(select(LedgerEntry.patient_id, func.sum(LedgerEntry.amount_cents))
                                 .group_by(col(LedgerEntry.patient_id))).all())
        assert len(sums) > 20
        assert ledger.balances(session, list(sums)) == {pid: int(total) for pid, total in sums.items()}
        for pid, total in sums.items():
            assert ledger.entries(session, pid, limit=10_000)[0].balance_cents == total
        # Each claim's share on the ledger is the one the ledger's own rule gives: following them all adds nothing.
        claims = list(session.exec(select(Claim)).all())
        assert ledger.follow_claims(session, claims, day=TODAY, actor="check", now=datetime(2026, 11, 23, 9)) == 0
        # Patient A/R is what the patients owe, to the cent.
        assert sum(statements.patient_aging(session, TODAY).values()) == sum(max(0, int(t)) for t in sums.values())
        session.rollback()
