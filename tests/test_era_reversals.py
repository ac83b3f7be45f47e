"""Reversals (CLP02 22) and one file answering for a claim from two payers (services.era, services.era_read).

A reversal negates an earlier payment: with positive amounts the file is refused; it undoes the payment it negates
(the payer's latest of that amount not yet reversed), whose status code says the primary's or the secondary's;
with none, or taking back more than was posted, it is held for review and changes nothing. A file may carry a
claim's primary answer and its secondary answer: both post, the primary's first."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    EraClaim,
    era_text,
    make_claim,
    make_patient,
    make_payer,
    make_plan,
)
from officemgr.models import AuditEvent, Claim, ClaimEvent, ClaimStatus, LedgerEntry, RemittanceClaim
from officemgr.services import era, ledger
from officemgr.services.era import EraRefused, Unmatched

PRODUCED = date(2026, 11, 20)  # the remittance date the builder writes (DTM*405)
CIGNA = "CIGNA"
MEDICAID = "STATE MEDICAID"
_files = iter(range(1, 1000))


def post_text(session: Session, tmp_path: Path, text: str) -> era.EraResult:
    path = tmp_path / f"remit{next(_files)}.835"
    path.write_text(text, encoding="ascii")
    return era.post_file(session, path, today=TODAY, now=NOW, actor=ACTOR)


def answer(claims: list[EraClaim], *, payer: str = CIGNA) -> str:
    """One 835 interchange (one check) from `payer`; interchanges joined make a file with several payers."""
    n = next(_files)
    return era_text(claims, payer=payer, check=f"CHK{n}", control=n)


def post(session: Session, tmp_path: Path, claims: list[EraClaim], *, payer: str = CIGNA) -> era.EraResult:
    return post_text(session, tmp_path, answer(claims, payer=payer))


def fresh(session: Session, claim: Claim) -> Claim:
    session.expire_all()
    found = session.get(Claim, claim.id)
    assert found is not None
    return found


def money_of(claim: Claim) -> tuple[int, int, int, int]:
    return claim.paid_cents, claim.secondary_paid_cents, claim.adjusted_cents, claim.patient_resp_cents


def ledger_of(session: Session, claim: Claim) -> tuple[int, list[tuple[Any, int]]]:
    """The patient's balance, after checking that the ledger's entries add up to it; and the entries."""
    entries = session.exec(select(LedgerEntry).where(LedgerEntry.patient_id == claim.patient_id)
                           .order_by(LedgerEntry.id)).all()
    balance = ledger.balance(session, claim.patient_id)
    assert sum(e.amount_cents for e in entries) == balance
    return balance, [(e.kind, e.amount_cents) for e in entries]


def count(session: Session, model: Any) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def untouched(session: Session, claim: Claim) -> tuple[Any, ...]:
    """What a refused or held payment must not change: the claim, its history and the patient ledger."""
    claim = fresh(session, claim)
    return claim.model_dump(), count(session, ClaimEvent), ledger_of(session, claim)


# The demo claim: billed $195.00, the primary paid $110.40, CO $54.60, PR $30.00.
DEMO_PAID = EraClaim("CL7", "1", 19_500, 11_040, 3_000, [("CO", "45", 5_460), ("PR", "2", 3_000)])
DEMO_REVERSED = EraClaim("CL7", "22", -19_500, -11_040, -3_000, [("CO", "45", -5_460), ("PR", "2", -3_000)])


def demo_claim(session: Session, tmp_path: Path) -> Claim:
    claim = make_claim(session, number="CL7", payer=make_payer(session, name=CIGNA), patient=make_patient(session),
                       status=ClaimStatus.pending, billed_cents=19_500)
    post(session, tmp_path, [DEMO_PAID])
    claim = fresh(session, claim)
    assert (claim.status, money_of(claim)) == (ClaimStatus.paid, (11_040, 0, 5_460, 3_000))
    return claim


# --- a reversal's amounts -------------------------------------------------------------------------------


def test_a_reversal_with_positive_amounts_is_refused_naming_the_line_and_changes_nothing(session: Session,
                                                                                        tmp_path: Path) -> None:
    claim = demo_claim(session, tmp_path)
    before = untouched(session, claim), count(session, RemittanceClaim), count(session, AuditEvent)
    text = answer([EraClaim("CL7", "22", 19_500, 11_040, 3_000, [("CO", "45", 5_460), ("PR", "2", 3_000)])])
    clp = next(n for n, segment in enumerate(text.split("~\n"), 1) if segment.startswith("CLP"))

    with pytest.raises(EraRefused) as refused:
        post_text(session, tmp_path, text)

    assert f"line {clp}: claim CL7 is a reversal (CLP02 22) but its charge (CLP03) is $195.00; a reversal takes " \
        "an earlier payment back with amounts of zero or less (and 1 more problem)" in str(refused.value)
    assert f"line {clp}: claim CL7 is a reversal (CLP02 22) but its payment (CLP04) is $110.40; a reversal takes " \
        "an earlier payment back with amounts of zero or less" in refused.value.problems
    assert (untouched(session, claim), count(session, RemittanceClaim), count(session, AuditEvent)) == before
    assert fresh(session, claim).paid_cents == 11_040  # not $220.80


def test_the_demo_claims_reversal_takes_back_exactly_what_was_posted(session: Session, tmp_path: Path) -> None:
    claim = demo_claim(session, tmp_path)
    assert ledger_of(session, claim)[0] == 3_000

    result = post(session, tmp_path, [DEMO_REVERSED])

    claim = fresh(session, claim)
    assert (result.posted, result.reversals, result.reversed_cents, result.held) == (1, 1, 11_040, 0)
    assert (claim.status, money_of(claim)) == (ClaimStatus.pending, (0, 0, 0, 0))
    assert ledger_of(session, claim)[0] == 0


# --- which payment a reversal undoes ----------------------------------------------------------------------


def test_a_reversal_with_no_earlier_payment_of_its_amount_is_held_and_changes_nothing(session: Session,
                                                                                     tmp_path: Path) -> None:
    claim = demo_claim(session, tmp_path)
    before = untouched(session, claim)

    result = post(session, tmp_path, [EraClaim("CL7", "22", -19_500, -10_000, 0, [("CO", "45", -9_500)])])

    assert (result.posted, result.held, result.reversals) == (0, 1, 0)
    assert result.unmatched == [Unmatched("CL7", -10_000, "held for review: no earlier payment of $100.00 from "
                                                          "CIGNA on this claim to reverse")]
    assert untouched(session, claim) == before
    stored = session.exec(select(RemittanceClaim).where(RemittanceClaim.status_code == "22")).one()
    assert (stored.claim_id, stored.posted, stored.note) == (
        claim.id, False, "held for review: no earlier payment of $100.00 from CIGNA on this claim to reverse")


def test_a_payment_reversed_once_is_not_reversed_again(session: Session, tmp_path: Path) -> None:
    claim = demo_claim(session, tmp_path)
    post(session, tmp_path, [DEMO_REVERSED])
    before = untouched(session, claim)

    result = post(session, tmp_path, [DEMO_REVERSED])  # another check taking the same payment back

    assert (result.posted, result.held) == (0, 1)
    assert result.unmatched[0].reason == ("held for review: no earlier payment of $110.40 from CIGNA on this claim "
                                          "to reverse")
    assert untouched(session, claim) == before


def test_a_reversal_from_another_payer_is_held(session: Session, tmp_path: Path) -> None:
    claim = demo_claim(session, tmp_path)
    before = untouched(session, claim)

    result = post(session, tmp_path, [DEMO_REVERSED], payer="AETNA")

    assert result.unmatched == [Unmatched("CL7", -11_040, "held for review: no earlier payment of $110.40 from "
                                                          "AETNA on this claim to reverse")]
    assert untouched(session, claim) == before


def same_payer_claim(session: Session, tmp_path: Path) -> Claim:
    """A $150.00 claim whose primary and secondary are both CIGNA: the primary paid $100.00 (CO $20.00, PR
    $30.00), the secondary $25.00 of the $30.00 ($5.00 the patient's)."""
    cigna = make_payer(session, name=CIGNA)
    patient = make_patient(session)
    make_plan(session, patient, cigna)
    claim = make_claim(session, number="CL1", patient=patient, payer=cigna, status=ClaimStatus.pending,
                       billed_cents=15_000)
    post(session, tmp_path, [EraClaim("CL1", "1", 15_000, 10_000, 3_000, [("CO", "45", 2_000), ("PR", "1", 3_000)])])
    post(session, tmp_path, [EraClaim("CL1", "2", 15_000, 2_500, 500, [("OA", "23", 12_000), ("PR", "1", 500)])])
    claim = fresh(session, claim)
    assert money_of(claim) == (10_000, 2_500, 2_000, 500) and claim.secondary_answered_on == PRODUCED
    return claim


def test_the_primarys_reversal_undoes_the_primary_when_the_secondary_is_the_same_payer(session: Session,
                                                                                     tmp_path: Path) -> None:
    claim = same_payer_claim(session, tmp_path)

    result = post(session, tmp_path, [EraClaim("CL1", "22", -15_000, -10_000, -3_000,
                                               [("CO", "45", -2_000), ("PR", "1", -3_000)])])

    claim = fresh(session, claim)
    assert (result.posted, result.reversals, result.reversed_cents, result.problems) == (1, 1, 10_000, [])
    # The primary's $100.00 and CO come off; the secondary's $25.00 and its answer stay.
    assert (claim.status, money_of(claim)) == (ClaimStatus.pending, (0, 2_500, 0, 0))
    assert claim.secondary_answered_on == PRODUCED
    assert ledger_of(session, claim)[0] == 0


def test_the_secondarys_reversal_undoes_the_secondary_when_the_primary_is_the_same_payer(session: Session,
                                                                                       tmp_path: Path) -> None:
    claim = same_payer_claim(session, tmp_path)

    post(session, tmp_path, [EraClaim("CL1", "22", -15_000, -2_500, -500, [("OA", "23", -12_000), ("PR", "1", -500)])])

    claim = fresh(session, claim)
    assert (claim.status, money_of(claim)) == (ClaimStatus.paid, (10_000, 0, 2_000, 3_000))
    assert (claim.secondary_answered_on, claim.secondary_owed) == (None, True)


def test_when_both_payments_match_the_reversal_undoes_the_latest(session: Session, tmp_path: Path) -> None:
    cigna = make_payer(session, name=CIGNA)
    patient = make_patient(session)
    make_plan(session, patient, cigna)
    claim = make_claim(session, number="CL2", patient=patient, payer=cigna, status=ClaimStatus.pending,
                       billed_cents=10_000)
    post(session, tmp_path, [EraClaim("CL2", "1", 10_000, 2_500, 5_000, [("CO", "45", 2_500), ("PR", "1", 5_000)])])
    post(session, tmp_path, [EraClaim("CL2", "2", 10_000, 2_500, 2_500, [("OA", "23", 5_000), ("PR", "1", 2_500)])])

    post(session, tmp_path, [EraClaim("CL2", "22", -10_000, -2_500, -2_500,
                                      [("OA", "23", -5_000), ("PR", "1", -2_500)])])

    claim = fresh(session, claim)
    assert money_of(claim) == (2_500, 0, 2_500, 5_000)  # the secondary's $25.00 came off, the primary's stays
    assert claim.secondary_answered_on is None


# --- holding for review ----------------------------------------------------------------------------------


def test_a_denial_that_would_leave_more_than_billed_is_held(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="CL3", payer=make_payer(session, name=CIGNA), patient=make_patient(session),
                       status=ClaimStatus.pending, billed_cents=15_000)
    post(session, tmp_path, [EraClaim("CL3", "1", 15_000, 10_000, 0, [("CO", "45", 2_000), ("PI", "50", 3_000)])])
    assert fresh(session, claim).status is ClaimStatus.partly_paid
    before = untouched(session, claim)

    result = post(session, tmp_path, [EraClaim("CL3", "4", 15_000, 6_000, 0, [("CO", "50", 9_000)])])

    assert (result.posted, result.denied, result.held) == (0, 0, 1)
    assert result.unmatched == [Unmatched("CL3", 6_000, "held for review: it would leave $180.00 paid and adjusted "
                                                        "on a claim billed at $150.00; was it posted already?")]
    assert untouched(session, claim) == before


# --- two payers in one file -------------------------------------------------------------------------------

PRIMARY_PAID = EraClaim("CL1", "1", 15_000, 10_000, 3_000, [("CO", "45", 2_000), ("PR", "1", 3_000)])
SECONDARY_PAID = EraClaim("CL1", "2", 15_000, 2_500, 500, [("OA", "23", 12_000), ("PR", "1", 500)])


def two_payers_claim(session: Session) -> Claim:
    cigna, medicaid = make_payer(session, name=CIGNA), make_payer(session, name=MEDICAID)
    patient = make_patient(session)
    make_plan(session, patient, medicaid)
    return make_claim(session, number="CL1", patient=patient, payer=cigna, status=ClaimStatus.pending,
                      billed_cents=15_000)


@pytest.mark.parametrize("secondary_first", [False, True])
def test_the_primary_and_the_secondary_answer_in_one_file_and_both_post(session: Session, tmp_path: Path,
                                                                        secondary_first: bool) -> None:
    claim = two_payers_claim(session)
    primary, secondary = answer([PRIMARY_PAID], payer=CIGNA), answer([SECONDARY_PAID], payer=MEDICAID)

    result = post_text(session, tmp_path, secondary + primary if secondary_first else primary + secondary)

    claim = fresh(session, claim)
    assert (result.posted, result.held, result.paid_cents, result.problems) == (2, 0, 12_500, [])
    assert (claim.status, money_of(claim)) == (ClaimStatus.paid, (10_000, 2_500, 2_000, 500))
    assert sum(money_of(claim)) == claim.billed_cents and claim.balance_cents == 0
    assert (claim.secondary_answered_on, claim.secondary_owed) == (PRODUCED, False)
    assert [e.to_status for e in session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)
                                              .order_by(ClaimEvent.id))] == ["paid", "paid"]
    assert ledger_of(session, claim)[0] == 500  # the secondary's PR, not the primary's $30.00


def test_two_primary_answers_for_one_claim_from_two_payers_are_held(session: Session, tmp_path: Path) -> None:
    claim = two_payers_claim(session)
    before = untouched(session, claim)

    result = post_text(session, tmp_path, answer([PRIMARY_PAID], payer=CIGNA) + answer([PRIMARY_PAID],
                                                                                       payer="AETNA"))

    assert (result.posted, result.held) == (0, 2)
    assert {u.reason for u in result.unmatched} == {
        "held for review: 2 payment loops in this file from 2 payers share the claim number"}
    assert untouched(session, claim) == before
