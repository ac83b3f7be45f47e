"""Migration 0021's data step: the claims of an 0020 database get dated postings that sum to what the A/R aging
counts of each (officemgr.claim_journal.backfill_claims), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from factories import NOW, make_claim, make_claim_event, make_patient, make_payer
from officemgr import claim_journal, store
from officemgr.models import Claim, ClaimStatus, CloseReason, Remittance, RemittanceClaim
from officemgr.models.billing import RemittanceCheck
from officemgr.models.finance import ClaimPosting, PostingKind
from officemgr.services.ar_rollforward import journal_matches_claims

# These tests are about the migrations themselves: every new database runs them all.
pytestmark = pytest.mark.real_migrations


def upgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(store._alembic_config(conn), revision)


def journal(session: Session, claim: Claim) -> list[tuple[date, PostingKind, str, int]]:
    return [(p.day, p.kind, p.carc_group, p.amount_cents) for p in session.exec(
        select(ClaimPosting).where(ClaimPosting.claim_id == claim.id).order_by(ClaimPosting.id))]


def claims_at_0020(session: Session) -> dict[str, int]:
    """Claims in each state whose money the journal must account for, with the dates the backfill reads."""
    patient, payer = make_patient(session), make_payer(session)
    made = {
        "paid": make_claim(session, patient=patient, payer=payer, service_date=date(2026, 10, 1), billed_cents=15_000,
                           paid_cents=10_000, adjusted_cents=3_000, patient_resp_cents=2_000,
                           status=ClaimStatus.paid, last_activity=date(2026, 11, 25)),
        "written_off": make_claim(session, patient=patient, payer=payer, service_date=date(2026, 9, 30),
                                  billed_cents=10_000, paid_cents=4_000, written_off_cents=6_000,
                                  status=ClaimStatus.closed, close_reason=CloseReason.written_off,
                                  last_activity=date(2026, 11, 30)),
        "overpaid": make_claim(session, patient=patient, payer=payer, service_date=date(2026, 11, 2),
                               billed_cents=5_000, paid_cents=6_000, status=ClaimStatus.paid,
                               last_activity=date(2026, 11, 12)),
        "sent": make_claim(session, patient=patient, payer=payer, service_date=date(2026, 11, 3), billed_cents=8_000,
                           status=ClaimStatus.closed, close_reason=CloseReason.sent_to_patient,
                           last_activity=date(2026, 11, 11)),
        "legacy": make_claim(session, patient=patient, payer=payer, service_date=date(2026, 1, 5), billed_cents=4_000,
                             paid_cents=1_000, status=ClaimStatus.closed, close_reason=CloseReason.written_off,
                             last_activity=date(2026, 3, 2)),  # written off before 0014 kept the amount
        "open": make_claim(session, patient=patient, payer=payer, service_date=date(2026, 11, 4), billed_cents=7_000,
                           submitted_on=date(2026, 11, 5)),
    }
    remittance = Remittance(file_hash="x" * 64, file_name="r.835", imported_at=NOW, actor="t")
    session.add(remittance)
    session.flush()
    check = RemittanceCheck(remittance_id=remittance.id, check_number="1", paid_on=date(2026, 11, 20))  # type: ignore[arg-type]
    session.add(check)
    session.flush()
    session.add(RemittanceClaim(remittance_id=remittance.id, check_id=check.id, posted=True,  # type: ignore[arg-type]
                                claim_number=made["paid"].number, claim_id=made["paid"].id, status_code="1",
                                charge_cents=15_000, paid_cents=10_000))
    make_claim_event(session, made["written_off"], to_status="partly_paid", at=datetime(2026, 11, 5, 9),
                     amount_cents=4_000)
    make_claim_event(session, made["written_off"], to_status="written_off", at=datetime(2026, 11, 10, 9))
    session.commit()
    return {name: claim.id for name, claim in made.items()}  # type: ignore[misc]


def test_an_0020_database_gets_postings_that_sum_to_each_claims_balance(blank_engine: Engine) -> None:
    upgrade(blank_engine, "0020")
    with Session(blank_engine) as session:
        made = claims_at_0020(session)
    upgrade(blank_engine, "0021")
    with Session(blank_engine) as session:
        claims = {name: session.get_one(Claim, claim_id) for name, claim_id in made.items()}
        assert journal(session, claims["paid"]) == [  # answered on the remittance check's date
            (date(2026, 10, 1), PostingKind.charge, "", 15_000),
            (date(2026, 11, 20), PostingKind.payment, "", -10_000),
            (date(2026, 11, 20), PostingKind.adjustment, "CO", -3_000),
            (date(2026, 11, 20), PostingKind.patient_share, "", -2_000)]
        assert journal(session, claims["written_off"]) == [  # paid on its event's day, written off on its close's
            (date(2026, 9, 30), PostingKind.charge, "", 10_000),
            (date(2026, 11, 5), PostingKind.payment, "", -4_000),
            (date(2026, 11, 10), PostingKind.write_off, "", -6_000)]
        assert journal(session, claims["overpaid"]) == [  # the excess is a credit, no A/R
            (date(2026, 11, 2), PostingKind.charge, "", 5_000),
            (date(2026, 11, 12), PostingKind.payment, "", -6_000),
            (date(2026, 11, 12), PostingKind.adjustment, "", 1_000)]
        assert journal(session, claims["sent"]) == [  # moved to the patient on its last activity
            (date(2026, 11, 3), PostingKind.charge, "", 8_000),
            (date(2026, 11, 11), PostingKind.patient_share, "", -8_000)]
        assert journal(session, claims["legacy"]) == [
            (date(2026, 1, 5), PostingKind.charge, "", 4_000),
            (date(2026, 3, 2), PostingKind.payment, "", -1_000),
            (date(2026, 3, 2), PostingKind.write_off, "", -3_000)]
        assert journal(session, claims["open"]) == [(date(2026, 11, 4), PostingKind.charge, "", 7_000)]
        assert journal_matches_claims(session) == []
        actors = set(session.exec(select(ClaimPosting.actor)).all())
        assert actors == {"migration 0021"}


def test_the_backfill_never_dates_after_its_day_and_leaves_a_claim_with_postings_alone(engine: Engine) -> None:
    with Session(engine) as session:
        late = make_claim(session, service_date=date(2026, 11, 2), billed_cents=9_000, paid_cents=9_000,
                          status=ClaimStatus.paid, last_activity=date(2026, 12, 24))
        with engine.begin() as conn:
            assert claim_journal.backfill_claims(conn, at=datetime(2026, 11, 23, 8)) == 1
        with engine.begin() as conn:
            assert claim_journal.backfill_claims(conn, at=datetime(2026, 11, 24, 8)) == 0
        assert journal(session, late) == [(date(2026, 11, 2), PostingKind.charge, "", 9_000),
                                          (date(2026, 11, 23), PostingKind.payment, "", -9_000)]


def test_a_database_with_no_claims_migrates(blank_engine: Engine) -> None:
    upgrade(blank_engine, "head")
    with blank_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM claim_posting")).scalar() == 0


def test_the_backfilled_patient_share_moves_on_the_day_the_ledger_took_it() -> None:
    from officemgr.claim_journal import claim_postings

    money = {"billed_cents": 10_000, "paid_cents": 6_000, "secondary_paid_cents": 0, "adjusted_cents": 2_000,
             "patient_resp_cents": 1_500, "written_off_cents": 0, "status": "closed", "close_reason": "sent_to_patient"}
    answered, closed = date(2026, 5, 29), date(2026, 6, 18)
    rows = claim_postings(money, charged=date(2026, 5, 1), answered=answered, closed=closed,
                          shared=date(2026, 6, 18), sent=date(2026, 6, 19))
    assert [(day, kind, cents) for day, kind, _, cents in rows if kind == "patient_share"] == [
        (date(2026, 6, 18), "patient_share", -1_500), (date(2026, 6, 19), "patient_share", -500)]
    # No ledger days: the share on the day the claim was answered, the rest on the day it was closed.
    rows = claim_postings(money, charged=date(2026, 5, 1), answered=answered, closed=closed)
    assert [(day, cents) for day, kind, _, cents in rows if kind == "patient_share"] == [
        (answered, -1_500), (closed, -500)]
    assert sum(cents for *_, cents in rows) == 0
