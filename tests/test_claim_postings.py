"""Claims' dated postings (the insurance A/R journal): every writer of a claim's money posts what changed, dated on
the day it counts on, and a posting into a closed month is refused (the whole change rolls back) unless the manager
gives a reason (audited). The patient ledger's writers pass the same guard."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from factories import ACTOR, NOW, TODAY, EraClaim, audit_events, make_claim, make_patient, make_payer, write_835
from officemgr.models import (
    AuditEvent,
    Claim,
    ClaimStatus,
    CloseReason,
    EntryKind,
    LedgerEntry,
    PayMethod,
    Remittance,
    UserRole,
)
from officemgr.models.finance import ClaimPosting, MonthClose, PostingKind
from officemgr.services import claim_postings, era, ledger
from officemgr.services.access import Actor
from officemgr.services.ar_rollforward import journal_matches_claims
from officemgr.services.claim_flow import StatusChange, change_status
from officemgr.services.claim_postings import ClaimMoney, open_day, postings_for_change
from officemgr.services.claims_io import import_claims
from officemgr.services.closed_months import MonthClosed
from officemgr.services.common import ServiceError
from officemgr.services.remittances import EobAdjustment, PaperEob, post_paper_eob

PRODUCED = date(2026, 11, 20)  # the check date factories.era_text writes
OCTOBER = date(2026, 10, 1)
MANAGER = Actor("pat", {UserRole.manager})
BILLER = Actor("bea", {UserRole.biller})


def close_month(session: Session, first: date) -> None:
    session.add(MonthClose(month=first, closed_at=datetime(first.year, first.month, 28, 17), closed_by="pat"))
    session.commit()


def postings(session: Session, claim: Claim) -> list[tuple[date, PostingKind, str, int]]:
    session.expire_all()
    return [(p.day, p.kind, p.carc_group, p.amount_cents) for p in session.exec(
        select(ClaimPosting).where(ClaimPosting.claim_id == claim.id).order_by(ClaimPosting.id))]


def journal_sum(session: Session, claim: Claim) -> int:
    return int(session.exec(select(func.coalesce(func.sum(ClaimPosting.amount_cents), 0))
                            .where(ClaimPosting.claim_id == claim.id)).one())


def charged(session: Session, **options) -> Claim:  # type: ignore[no-untyped-def]
    """A claim with its journal (the charge on its date of service), as the migration leaves one."""
    claim = make_claim(session, **options)
    claim_postings.backfill(session, at=NOW)
    session.commit()
    return claim


def count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


# --- the differences --------------------------------------------------------------------------------


def test_postings_for_change_name_each_kind_and_sum_to_what_the_claim_owes() -> None:
    before = ClaimMoney(15_000, 0, 0, 0, 0, 0)
    after = ClaimMoney(15_000, 9_000, 3_000, 2_000, 1_000, 0)
    rows = postings_for_change(before, after)
    assert rows == [(PostingKind.payment, "", -9_000), (PostingKind.adjustment, "CO", -3_000),
                    (PostingKind.patient_share, "", -2_000), (PostingKind.write_off, "", -1_000)]
    assert sum(cents for _, _, cents in rows) == after.due - before.due == -15_000


def test_an_overpayment_posts_its_excess_as_a_credit_so_the_journal_stays_at_zero() -> None:
    before = ClaimMoney(10_000, 0, 0, 0, 0, 0)
    overpaid = ClaimMoney(10_000, 12_000, 0, 0, 0, 0)
    assert overpaid.due == 0  # the A/R aging counts nothing (balance_cents is clamped at 0)
    assert postings_for_change(before, overpaid) == [(PostingKind.payment, "", -12_000),
                                                     (PostingKind.adjustment, "", 2_000)]
    # The excess refunded: the credit goes, the payment comes back; still nothing owed.
    refunded = ClaimMoney(10_000, 10_000, 0, 0, 0, 0)
    assert postings_for_change(overpaid, refunded) == [(PostingKind.payment, "", 2_000),
                                                       (PostingKind.adjustment, "", -2_000)]


def test_open_day_keeps_an_open_months_date_and_moves_a_closed_or_future_one_to_today(session: Session) -> None:
    close_month(session, OCTOBER)
    assert open_day(session, date(2026, 11, 1), TODAY) == (date(2026, 11, 1), False)
    assert open_day(session, date(2026, 10, 31), TODAY) == (TODAY, True)
    assert open_day(session, date(2026, 9, 30), TODAY) == (date(2026, 9, 30), False)  # September was not closed
    assert open_day(session, TODAY.replace(day=24), TODAY) == (TODAY, False)
    assert open_day(session, None, TODAY) == (TODAY, False)


# --- 835 remittances ------------------------------------------------------------------------------------


def test_an_835_payment_posts_payment_co_and_pr_on_the_check_date(session: Session, tmp_path: Path) -> None:
    claim = charged(session, number="CL1", service_date=date(2026, 10, 5), status=ClaimStatus.pending)
    path = write_835(tmp_path / "r.835", [EraClaim("CL1", "1", 15_000, 10_000, 2_000,
                                                   [("CO", "45", 3_000), ("PR", "2", 2_000)])])
    era.post_file(session, path, today=TODAY, now=NOW, actor=ACTOR)
    assert postings(session, claim) == [
        (date(2026, 10, 5), PostingKind.charge, "", 15_000),
        (PRODUCED, PostingKind.payment, "", -10_000),
        (PRODUCED, PostingKind.adjustment, "CO", -3_000),
        (PRODUCED, PostingKind.patient_share, "", -2_000)]
    assert journal_matches_claims(session) == []


def test_a_reversal_posts_the_opposite_and_the_journal_still_matches(session: Session, tmp_path: Path) -> None:
    claim = charged(session, number="CL1", status=ClaimStatus.pending)
    era.post_file(session, write_835(tmp_path / "a.835", [EraClaim("CL1", "1", 15_000, 12_000, 0,
                                                                   [("CO", "45", 3_000)])]),
                  today=TODAY, now=NOW, actor=ACTOR)
    era.post_file(session, write_835(tmp_path / "b.835", [EraClaim("CL1", "22", -15_000, -12_000, 0,
                                                                   [("CO", "45", -3_000)])], check="999"),
                  today=TODAY, now=NOW, actor=ACTOR)
    session.expire_all()
    assert session.get(Claim, claim.id).balance_cents == 15_000  # type: ignore[union-attr]
    rows = postings(session, claim)
    assert rows[-2:] == [(PRODUCED, PostingKind.payment, "", 12_000), (PRODUCED, PostingKind.adjustment, "CO", 3_000)]
    assert journal_sum(session, claim) == 15_000
    assert journal_matches_claims(session) == []


def test_an_835_dated_in_a_closed_month_posts_today_and_says_so(session: Session, tmp_path: Path) -> None:
    claim = charged(session, number="CL1", service_date=date(2026, 9, 28), status=ClaimStatus.pending)
    close_month(session, OCTOBER)
    path = write_835(tmp_path / "late.835", [EraClaim("CL1", "1", 15_000, 15_000)], produced=date(2026, 10, 30))
    result = era.post_file(session, path, today=TODAY, now=NOW, actor=ACTOR)
    assert result.posted == 1
    assert postings(session, claim)[-1] == (TODAY, PostingKind.payment, "", -15_000)
    assert any("check 12345 is dated 10/30/2026, in a closed month: posted on 11/23/2026" in p
               for p in result.problems)
    assert result.dated_today == ["12345"]


def test_the_secondarys_payment_posts_and_the_journal_matches(session: Session, tmp_path: Path) -> None:
    claim = charged(session, number="CL1", status=ClaimStatus.pending)
    era.post_file(session, write_835(tmp_path / "p.835", [EraClaim("CL1", "1", 15_000, 10_000, 3_000,
                                                                   [("CO", "45", 2_000), ("PR", "1", 3_000)])]),
                  today=TODAY, now=NOW, actor=ACTOR)
    era.post_file(session, write_835(tmp_path / "s.835", [EraClaim("CL1", "2", 15_000, 2_500, 500,
                                                                   [("OA", "23", 12_000), ("PR", "1", 500)])],
                                     payer="SECOND PLAN", check="777"),
                  today=TODAY, now=NOW, actor=ACTOR)
    session.expire_all()
    assert session.get(Claim, claim.id).secondary_paid_cents == 2_500  # type: ignore[union-attr]
    kinds = postings(session, claim)[-2:]
    assert kinds == [(PRODUCED, PostingKind.payment, "", -2_500), (PRODUCED, PostingKind.patient_share, "", 2_500)]
    assert journal_matches_claims(session) == []


# --- paper EOBs -------------------------------------------------------------------------------------------


def eob(payer_id: int, paid_on: date) -> PaperEob:
    return PaperEob(payer_id=payer_id, check_number="P-1", paid_on=paid_on, claim_number="CL1", paid_cents=12_000,
                    adjustments=[EobAdjustment(group="CO", carc="45", cents=3_000)])


def test_a_paper_eob_posts_on_its_paid_on_day(session: Session) -> None:
    payer = make_payer(session)
    claim = charged(session, number="CL1", payer=payer, status=ClaimStatus.pending, service_date=OCTOBER)
    post_paper_eob(session, eob(payer.id, date(2026, 11, 2)), today=TODAY, now=NOW, actor=ACTOR)  # type: ignore[arg-type]
    assert postings(session, claim)[1:] == [(date(2026, 11, 2), PostingKind.payment, "", -12_000),
                                            (date(2026, 11, 2), PostingKind.adjustment, "CO", -3_000)]
    assert journal_matches_claims(session) == []


def test_a_paper_eob_in_a_closed_month_is_refused_with_nothing_written(session: Session) -> None:
    payer = make_payer(session)
    claim = charged(session, number="CL1", payer=payer, status=ClaimStatus.pending, service_date=OCTOBER)
    close_month(session, OCTOBER)
    remittances, audits = count(session, Remittance), count(session, AuditEvent)
    with pytest.raises(MonthClosed, match=r"October 2026 is closed .* dated 10/31/2026 .* nothing was changed"):
        post_paper_eob(session, eob(payer.id, date(2026, 10, 31)), today=TODAY, now=NOW,  # type: ignore[arg-type]
                       actor=ACTOR)
    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert stored is not None and stored.paid_cents == 0 and stored.status is ClaimStatus.pending
    assert len(postings(session, claim)) == 1
    assert (count(session, Remittance), count(session, AuditEvent)) == (remittances, audits)


def test_the_manager_posts_into_a_closed_month_with_a_reason_and_it_is_audited(session: Session) -> None:
    payer = make_payer(session)
    claim = charged(session, number="CL1", payer=payer, status=ClaimStatus.pending, service_date=OCTOBER)
    close_month(session, OCTOBER)
    post_paper_eob(session, eob(payer.id, date(2026, 10, 31)), today=TODAY, now=NOW,  # type: ignore[arg-type]
                   actor=MANAGER, override_reason="  check  found in October's mail ")
    assert postings(session, claim)[1][:2] == (date(2026, 10, 31), PostingKind.payment)
    overrides = [c for e, c in audit_events(session, "month_close") if e.action == "post_into_closed"]
    assert [(o["day"], o["reason"]) for o in overrides] == [("2026-10-31", "check found in October's mail")]
    assert [e.entity_id for e, _ in audit_events(session, "month_close")] == [202610]


def test_a_biller_with_a_reason_is_still_refused(session: Session) -> None:
    payer = make_payer(session)
    charged(session, number="CL1", payer=payer, status=ClaimStatus.pending, service_date=OCTOBER)
    close_month(session, OCTOBER)
    with pytest.raises(MonthClosed, match="only the manager"):
        post_paper_eob(session, eob(payer.id, date(2026, 10, 31)), today=TODAY, now=NOW,  # type: ignore[arg-type]
                       actor=BILLER, override_reason="late")


# --- the status flow: payments by hand, write-off, sent to the patient, reopen ---------------------------


def move(session: Session, claim: Claim, **change) -> None:  # type: ignore[no-untyped-def]
    change_status(session, claim.id, StatusChange(**change), today=TODAY, now=NOW, actor=ACTOR,  # type: ignore[arg-type]
                  expected_version=None)


def test_write_off_and_reopen_post_today_and_the_journal_matches(session: Session) -> None:
    claim = charged(session, status=ClaimStatus.pending, service_date=date(2026, 10, 20))
    move(session, claim, to=ClaimStatus.partly_paid, paid_cents=10_000)
    move(session, claim, to=ClaimStatus.closed, close_reason=CloseReason.written_off, note="not worth chasing")
    move(session, claim, to=ClaimStatus.pending)
    assert postings(session, claim) == [(date(2026, 10, 20), PostingKind.charge, "", 15_000),
                                        (TODAY, PostingKind.payment, "", -10_000),
                                        (TODAY, PostingKind.write_off, "", -5_000),
                                        (TODAY, PostingKind.write_off, "", 5_000)]
    assert journal_matches_claims(session) == []


def test_a_claim_sent_to_the_patient_leaves_the_insurance_journal(session: Session) -> None:
    claim = charged(session, status=ClaimStatus.denied, denial_code="27", denied_on=TODAY)
    move(session, claim, to=ClaimStatus.closed, close_reason=CloseReason.sent_to_patient, note="statement")
    assert postings(session, claim)[-1] == (TODAY, PostingKind.patient_share, "", -15_000)
    assert journal_sum(session, claim) == 0
    shares = session.exec(select(LedgerEntry.amount_cents).where(LedgerEntry.claim_id == claim.id)).all()
    assert shares == [15_000]  # the patient's ledger took it
    assert journal_matches_claims(session) == []


def test_reopening_a_claim_written_off_before_the_amount_was_kept_puts_its_balance_back(session: Session) -> None:
    claim = charged(session, status=ClaimStatus.closed, close_reason=CloseReason.written_off, paid_cents=5_000,
                    service_date=date(2026, 3, 2), last_activity=date(2026, 4, 1))
    assert postings(session, claim)[-1] == (date(2026, 4, 1), PostingKind.write_off, "", -10_000)
    move(session, claim, to=ClaimStatus.pending)
    assert postings(session, claim)[-1] == (TODAY, PostingKind.write_off, "", 10_000)
    assert journal_sum(session, claim) == 10_000 and journal_matches_claims(session) == []


def test_a_status_change_in_a_closed_month_rolls_back_whole(session: Session) -> None:
    claim = charged(session, status=ClaimStatus.pending)
    close_month(session, TODAY.replace(day=1))  # November closed early: today is in it
    audits = count(session, AuditEvent)
    with pytest.raises(MonthClosed, match="November 2026 is closed"):
        move(session, claim, to=ClaimStatus.paid, paid_cents=15_000)
    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert stored is not None and stored.status is ClaimStatus.pending and stored.paid_cents == 0
    assert len(postings(session, claim)) == 1 and count(session, AuditEvent) == audits


def test_a_status_change_that_moves_no_money_posts_nothing(session: Session) -> None:
    claim = charged(session, status=ClaimStatus.submitted)
    close_month(session, TODAY.replace(day=1))
    move(session, claim, to=ClaimStatus.accepted)  # no money: the closed month does not stand in the way
    assert len(postings(session, claim)) == 1


# --- the claims import -----------------------------------------------------------------------------------

HEADER = "claim,patient_last,patient_first,dob,payer,service_date,billed,paid,status,submitted_on,codes,diagnoses"


def test_an_imported_claim_posts_its_charge_and_payment_and_an_update_posts_the_change(
        session: Session, tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(f"{HEADER}\nC-1,Lovelace,Ada,05/17/1980,Aetna,2026-11-02,165.00,40.00,partly_paid,2026-11-03,"
                    "99213,E11.9\n", encoding="utf-8")
    import_claims(session, path, today=TODAY, now=NOW, actor=ACTOR)
    claim = session.exec(select(Claim).where(Claim.number == "C-1")).one()
    assert postings(session, claim) == [(date(2026, 11, 2), PostingKind.charge, "", 16_500),
                                        (date(2026, 11, 3), PostingKind.payment, "", -4_000)]
    path.write_text(f"{HEADER}\nC-1,Lovelace,Ada,05/17/1980,Aetna,2026-11-02,165.00,165.00,paid,2026-11-03,"
                    "99213,E11.9\n", encoding="utf-8")
    import_claims(session, path, today=TODAY, now=NOW, actor=ACTOR)
    assert postings(session, claim)[-1] == (TODAY, PostingKind.payment, "", -12_500)
    assert journal_matches_claims(session) == []


def test_an_imported_claim_from_a_closed_month_is_charged_today(session: Session, tmp_path: Path) -> None:
    close_month(session, OCTOBER)
    path = tmp_path / "claims.csv"
    path.write_text(f"{HEADER}\nC-2,Lovelace,Ada,05/17/1980,Aetna,2026-10-30,100.00,,submitted,2026-10-31,"
                    "99213,E11.9\n", encoding="utf-8")
    import_claims(session, path, today=TODAY, now=NOW, actor=ACTOR)
    claim = session.exec(select(Claim).where(Claim.number == "C-2")).one()
    assert postings(session, claim) == [(TODAY, PostingKind.charge, "", 10_000)]


# --- the patient ledger -----------------------------------------------------------------------------------


def test_a_desk_payment_in_a_closed_month_is_refused_and_nothing_is_written(session: Session) -> None:
    patient = make_patient(session)
    close_month(session, TODAY.replace(day=1))
    with pytest.raises(MonthClosed, match="a payment of \\$20.00 dated 11/23/2026"):
        ledger.take_payment(session, patient.id, 2_000, PayMethod.cash, today=TODAY, actor=ACTOR,  # type: ignore[arg-type]
                            now=NOW)
    session.rollback()
    assert count(session, LedgerEntry) == 0


def test_courtesy_on_the_first_day_of_an_open_month_after_a_closed_one_is_taken(session: Session) -> None:
    patient = make_patient(session)
    close_month(session, OCTOBER)
    session.add(LedgerEntry(patient_id=patient.id, day=date(2026, 10, 15), at=NOW, actor=ACTOR,
                            kind=EntryKind.refund, amount_cents=5_000, reason="opening"))
    session.commit()
    ledger.courtesy(session, patient.id, 1_000, "hardship", today=date(2026, 11, 1), actor=ACTOR,  # type: ignore[arg-type]
                    now=NOW)
    with pytest.raises(MonthClosed, match="October 2026 is closed"):
        ledger.courtesy(session, patient.id, 1_000, "hardship", today=date(2026, 10, 31), actor=ACTOR,  # type: ignore[arg-type]
                        now=NOW)


def test_a_void_of_an_entry_in_a_closed_month_is_dated_today(session: Session) -> None:
    patient = make_patient(session)
    paid = ledger.take_payment(session, patient.id, 2_000, PayMethod.cash, today=date(2026, 10, 30),  # type: ignore[arg-type]
                               actor=ACTOR, now=NOW)
    close_month(session, OCTOBER)
    ledger.void(session, paid.entry_id, "wrong patient", today=TODAY, actor=ACTOR, now=NOW)
    void = session.exec(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.void)).one()
    assert void.day == TODAY and void.amount_cents == 2_000


def test_a_late_posted_eobs_patient_share_reaches_the_ledger_on_the_check_date(session: Session) -> None:
    """A check dated 10/30 entered on 11/23: the claim's share leaves insurance A/R and enters the patient's
    ledger on the same day, so October and November both balance."""
    from officemgr.services.ar_rollforward import roll_forward

    payer = make_payer(session)
    claim = charged(session, number="CL1", payer=payer, status=ClaimStatus.pending, service_date=date(2026, 10, 5),
                    billed_cents=15_000)
    share = PaperEob(payer_id=payer.id, check_number="P-2", paid_on=date(2026, 10, 30), claim_number="CL1",  # type: ignore[arg-type]
                     paid_cents=10_000, adjustments=[EobAdjustment(group="CO", carc="45", cents=3_000),
                                                     EobAdjustment(group="PR", carc="2", cents=2_000)])
    post_paper_eob(session, share, today=TODAY, now=NOW, actor=ACTOR)
    entries = session.exec(select(LedgerEntry).where(LedgerEntry.claim_id == claim.id)).all()
    assert [(e.day, e.kind, e.amount_cents) for e in entries] == [(date(2026, 10, 30), EntryKind.patient_share, 2_000)]
    for month in (OCTOBER, date(2026, 11, 1)):
        assert roll_forward(session, month, actor=ACTOR).balances


def test_a_paper_eob_dated_before_the_date_of_service_is_refused(session: Session) -> None:
    payer = make_payer(session)
    claim = charged(session, number="CL1", payer=payer, status=ClaimStatus.pending, service_date=date(2026, 11, 3))
    with pytest.raises(ServiceError, match=r"paid_on: the check date 10/30/2026 is before the claim's date of "
                                           r"service 11/03/2026"):
        post_paper_eob(session, eob(payer.id, date(2026, 10, 30)), today=TODAY, now=NOW, actor=ACTOR)  # type: ignore[arg-type]
    assert len(postings(session, claim)) == 1
