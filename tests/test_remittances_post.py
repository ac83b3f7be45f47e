"""Posting a claim payment by hand (services.remittances): an unmatched 835 payment matched to its claim, and a
paper EOB typed in; both through the 835's posting rules, all or nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, func, select

from audit_guard import AuditGuard
from factories import (
    ACTOR,
    NOW,
    TODAY,
    EraClaim,
    audit_events,
    make_claim,
    make_patient,
    make_payer,
    make_plan,
    write_835,
)
from officemgr.models import AuditEvent, Claim, ClaimEvent, ClaimStatus, LedgerEntry, Remittance, RemittanceClaim
from officemgr.models.billing import RemittanceCheck
from officemgr.models.users import UserRole
from officemgr.services import era, ledger
from officemgr.services.access import Actor
from officemgr.services.common import ServiceError
from officemgr.services.remittances import EobAdjustment, PaperEob, match_by_hand, post_paper_eob

PAID_ON = date(2026, 11, 18)


def count(session: Session, model: Any) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def snapshot(session: Session) -> tuple[Any, ...]:
    """Everything a posting may write: to compare before and after a refusal."""
    session.expire_all()
    claims = [c.model_dump() for c in session.exec(select(Claim).order_by(Claim.id))]
    rows = [r.model_dump() for r in session.exec(select(RemittanceClaim).order_by(RemittanceClaim.id))]
    return (claims, rows, count(session, Remittance), count(session, RemittanceCheck), count(session, ClaimEvent),
            count(session, AuditEvent), count(session, LedgerEntry))


def unmatched_row(session: Session, tmp_path: Path, claim: EraClaim, *, check: str = "777") -> RemittanceClaim:
    """An 835 payment posted with a claim number no claim has: stored, not posted."""
    era.post_file(session, write_835(tmp_path / f"{check}.835", [claim], check=check, payer="AETNA"), today=TODAY,
                  now=NOW, actor=ACTOR)
    row = session.exec(select(RemittanceClaim).where(RemittanceClaim.claim_number == claim.number)).one()
    assert not row.posted and row.claim_id is None
    return row


def eob(payer_id: int, **overrides: Any) -> PaperEob:
    values: dict[str, Any] = {"payer_id": payer_id, "check_number": "123", "paid_on": PAID_ON,
                              "claim_number": "c-1001", "paid_cents": 12_000,
                              "adjustments": [{"group": "CO", "carc": "45", "cents": 2_000},
                                              {"group": "PR", "carc": "2", "cents": 1_000}]}
    return PaperEob(**(values | overrides))


def ledger_matches_claims(session: Session, patient_id: int) -> None:
    """The ledger balances: the sum of its entries is the balance; and, once no secondary is owed (services.ledger
    may hold a share back until then), it holds each claim's patient share."""
    session.expire_all()
    claims = session.exec(select(Claim).where(Claim.patient_id == patient_id)).all()
    entries = session.exec(select(LedgerEntry).where(LedgerEntry.patient_id == patient_id)).all()
    assert sum(e.amount_cents for e in entries) == ledger.balance(session, patient_id)
    if not any(c.secondary_owed for c in claims):
        assert ledger.balance(session, patient_id) == sum(c.patient_resp_cents for c in claims)


# --- matching by hand ---------------------------------------------------------------------------------


def test_match_by_hand_posts_the_stored_payment_on_the_chosen_claim(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="C-1001", status=ClaimStatus.pending, billed_cents=15_000)
    row = unmatched_row(session, tmp_path, EraClaim("X-TYPO", "1", 15_000, 12_000, 1_000,
                                                    [("CO", "45", 2_000), ("PR", "2", 1_000)]))

    with AuditGuard() as guard:
        said = match_by_hand(session, row.id, claim.id, today=TODAY, now=NOW, actor=ACTOR)

    assert guard.problems == []
    assert said == "Posted $120.00 from AETNA check 777 on claim C-1001: paid."
    session.expire_all()
    claim = session.get(Claim, claim.id)
    assert (claim.status, claim.paid_cents, claim.adjusted_cents, claim.patient_resp_cents) == \
        (ClaimStatus.paid, 12_000, 2_000, 1_000)
    assert claim.paid_cents + claim.adjusted_cents + claim.patient_resp_cents == claim.billed_cents
    row = session.get(RemittanceClaim, row.id)
    assert (row.posted, row.claim_id, row.matched_by, row.claim_number) == (True, claim.id, ACTOR, "X-TYPO")
    event = session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)).one()
    assert (event.to_status, event.amount_cents) == ("paid", 12_000)
    assert event.text.startswith("check 777 matched by hand; CO 45 $20.00, PR 2 $10.00")
    match = [changes for e, changes in audit_events(session, "remittance_claim") if e.action == "match"]
    assert match == [{"posted": [False, True], "claim_id": [None, claim.id], "matched_by": ["", ACTOR],
                      "note": ["no claim with this number", "matched by hand"]}]
    assert [c["amount_cents"] for e, c in audit_events(session, "claim") if e.action == "remittance"] == [12_000]
    ledger_matches_claims(session, claim.patient_id)
    assert ledger.balance(session, claim.patient_id) == 1_000


def test_the_biller_matches_by_hand_and_the_front_desk_may_not(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="C-1001", status=ClaimStatus.pending, billed_cents=15_000)
    row = unmatched_row(session, tmp_path, EraClaim("X-TYPO", "1", 15_000, 15_000))
    before = snapshot(session)

    with pytest.raises(ServiceError, match="needs the manager or biller role"):
        match_by_hand(session, row.id, claim.id, today=TODAY, now=NOW, actor=Actor("fay", {UserRole.front_desk}))
    assert snapshot(session) == before

    match_by_hand(session, row.id, claim.id, today=TODAY, now=NOW, actor=Actor("bea", {UserRole.biller}))
    session.expire_all()
    assert session.get(RemittanceClaim, row.id).matched_by == "bea"


def test_match_by_hand_refuses_a_payment_already_posted(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="C-1001", status=ClaimStatus.pending, billed_cents=15_000)
    row = unmatched_row(session, tmp_path, EraClaim("X-TYPO", "1", 15_000, 15_000))
    match_by_hand(session, row.id, claim.id, today=TODAY, now=NOW, actor=ACTOR)
    other = make_claim(session, number="C-1002", status=ClaimStatus.pending, billed_cents=15_000)
    before = snapshot(session)

    with pytest.raises(ServiceError, match="already posted on claim C-1001"):
        match_by_hand(session, row.id, other.id, today=TODAY, now=NOW, actor=ACTOR)

    assert snapshot(session) == before


def test_match_by_hand_refuses_an_illegal_status_change_and_leaves_the_row(session: Session,
                                                                            tmp_path: Path) -> None:
    draft = make_claim(session, number="C-1001", status=ClaimStatus.draft, billed_cents=15_000)
    row = unmatched_row(session, tmp_path, EraClaim("X-TYPO", "1", 15_000, 15_000))
    before = snapshot(session)

    with pytest.raises(ServiceError, match="C-1001 was not posted: it is a draft"):
        match_by_hand(session, row.id, draft.id, today=TODAY, now=NOW, actor=ACTOR)

    assert snapshot(session) == before
    session.expire_all()
    assert session.get(RemittanceClaim, row.id).posted is False


def test_match_by_hand_holds_a_payment_that_would_pay_more_than_billed(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="C-1001", status=ClaimStatus.paid, billed_cents=15_000, paid_cents=15_000)
    row = unmatched_row(session, tmp_path, EraClaim("X-TYPO", "1", 15_000, 15_000))
    before = snapshot(session)

    with pytest.raises(ServiceError, match=r"would leave \$300.00 paid and adjusted on a claim billed at \$150.00"):
        match_by_hand(session, row.id, claim.id, today=TODAY, now=NOW, actor=ACTOR)

    assert snapshot(session) == before


# --- paper EOBs ---------------------------------------------------------------------------------------


def test_a_paper_eob_posts_like_an_835(session: Session) -> None:
    payer = make_payer(session, name="AETNA")
    claim = make_claim(session, number="C-1001", payer=payer, status=ClaimStatus.pending, billed_cents=15_000)

    with AuditGuard() as guard:
        said = post_paper_eob(session, eob(payer.id), today=TODAY, now=NOW, actor=ACTOR)

    assert guard.problems == []
    assert said == "Posted $120.00 from AETNA check 123 on claim C-1001: paid."
    session.expire_all()
    claim = session.get(Claim, claim.id)
    assert (claim.status, claim.paid_cents, claim.adjusted_cents, claim.patient_resp_cents) == \
        (ClaimStatus.paid, 12_000, 2_000, 1_000)
    remittance = session.exec(select(Remittance)).one()
    assert (remittance.paper, remittance.file_name, remittance.payer_name, remittance.paid_cents) == \
        (True, f"paper EOB 123 by {ACTOR}", "AETNA", 12_000)
    assert remittance.file_hash.startswith("paper:") and len(remittance.file_hash) <= 64
    check = session.exec(select(RemittanceCheck)).one()
    assert (check.remittance_id, check.check_number, check.paid_on) == (remittance.id, "123", PAID_ON)
    row = session.exec(select(RemittanceClaim)).one()
    assert (row.posted, row.claim_id, row.check_id, row.status_code, row.charge_cents, row.paid_cents,
            row.patient_resp_cents) == (True, claim.id, check.id, "1", 15_000, 12_000, 1_000)
    assert json.loads(row.adjustments) == [["CO", "45", 2_000], ["PR", "2", 1_000]]
    event = session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)).one()
    assert event.text.startswith("paper EOB check 123; CO 45 $20.00, PR 2 $10.00")
    ledger_matches_claims(session, claim.patient_id)


def test_a_paper_eob_refuses_adjustments_that_do_not_add_up(session: Session) -> None:
    payer = make_payer(session, name="AETNA")
    make_claim(session, number="C-1001", payer=payer, status=ClaimStatus.pending, billed_cents=15_000)
    before = snapshot(session)
    short = eob(payer.id, adjustments=[{"group": "CO", "carc": "45", "cents": 2_000}])

    with pytest.raises(ServiceError) as refused:
        post_paper_eob(session, short, today=TODAY, now=NOW, actor=ACTOR)

    assert str(refused.value) == ("adjustments: the charge $150.00 less the payment $120.00 is $30.00, but the "
                                  "adjustments add up to $20.00")
    assert snapshot(session) == before
    with pytest.raises(ValidationError, match="the charge \\$100.00 less the payment \\$120.00 is -\\$20.00"):
        eob(payer.id, charge_cents=10_000)


def test_a_paper_eob_refuses_a_repeat_of_the_same_check(session: Session) -> None:
    payer = make_payer(session, name="AETNA")
    make_claim(session, number="C-1001", payer=payer, status=ClaimStatus.pending, billed_cents=15_000)
    post_paper_eob(session, eob(payer.id, paid_cents=6_000, adjustments=[
        {"group": "CO", "carc": "45", "cents": 9_000}]), today=TODAY, now=NOW, actor=ACTOR)
    before = snapshot(session)

    with pytest.raises(ServiceError, match="check 123 from AETNA was already posted on claim C-1001"):
        post_paper_eob(session, eob(payer.id, paid_cents=6_000, adjustments=[
            {"group": "CO", "carc": "45", "cents": 9_000}]), today=TODAY, now=NOW, actor=ACTOR)

    assert snapshot(session) == before


def test_a_paper_eob_refuses_an_unknown_claim_and_a_closed_one(session: Session) -> None:
    payer = make_payer(session, name="AETNA")
    make_claim(session, number="C-2", payer=payer, status=ClaimStatus.closed, billed_cents=15_000)
    before = snapshot(session)

    with pytest.raises(ServiceError, match="claim_number: no claim is numbered c-1001"):
        post_paper_eob(session, eob(payer.id), today=TODAY, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="C-2 was not posted: it is closed"):
        post_paper_eob(session, eob(payer.id, claim_number="C-2"), today=TODAY, now=NOW, actor=ACTOR)

    assert snapshot(session) == before


@pytest.mark.parametrize(("change", "message"), [
    ({"adjustments": [{"group": "XX", "carc": "45", "cents": 3_000}]}, "the group is one of CO, PR, OA, PI, CR"),
    ({"adjustments": [{"group": "CO", "carc": "4-5", "cents": 3_000}]}, "1 to 5 letters or digits"),
    ({"status_code": "7"}, "the claim status is one of 1 .processed as primary."),
    ({"paid_cents": -100}, "a payment cannot be negative"),
    ({"check_number": "12\x1b3"}, "check_number"),
    ({"check_number": "  "}, "check_number"),
])
def test_a_paper_eob_says_what_is_wrong_with_it(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        eob(1, **change)


def test_an_eob_adjustment_is_upper_cased() -> None:
    assert EobAdjustment(group=" pr", carc="pr1 ", cents=5).model_dump() == {"group": "PR", "carc": "PR1",
                                                                            "cents": 5}


def test_a_paper_eob_from_the_secondary_posts_against_the_secondary_and_a_reversal_undoes_it(
        session: Session) -> None:
    primary, medicaid = make_payer(session, name="AETNA"), make_payer(session, name="MEDICAID")
    patient = make_patient(session)
    make_plan(session, patient, medicaid)
    claim = make_claim(session, number="C-1001", patient=patient, payer=primary, status=ClaimStatus.pending,
                       billed_cents=15_000)
    post_paper_eob(session, eob(primary.id), today=TODAY, now=NOW, actor=ACTOR)
    assert fresh(session, claim).secondary_payer_id == medicaid.id

    said = post_paper_eob(session, eob(medicaid.id, check_number="M-9", status_code="2", paid_cents=1_000,
                                       adjustments=[{"group": "OA", "carc": "23", "cents": 14_000}]),
                          today=TODAY, now=NOW, actor=ACTOR)

    assert said == "Posted $10.00 from MEDICAID check M-9 on claim C-1001: paid."
    claim = fresh(session, claim)
    assert (claim.paid_cents, claim.secondary_paid_cents, claim.adjusted_cents, claim.patient_resp_cents) == \
        (12_000, 1_000, 2_000, 0)
    assert claim.secondary_answered_on == PAID_ON
    ledger_matches_claims(session, claim.patient_id)

    post_paper_eob(session, eob(medicaid.id, check_number="M-10", status_code="22", paid_cents=-1_000,
                                adjustments=[{"group": "OA", "carc": "23", "cents": -14_000}]),
                   today=TODAY, now=NOW, actor=ACTOR)

    claim = fresh(session, claim)
    assert (claim.paid_cents, claim.secondary_paid_cents, claim.adjusted_cents, claim.patient_resp_cents) == \
        (12_000, 0, 2_000, 1_000)
    assert (claim.status, claim.secondary_answered_on) == (ClaimStatus.paid, None)
    ledger_matches_claims(session, claim.patient_id)


def fresh(session: Session, claim: Claim) -> Claim:
    session.expire_all()
    found = session.get(Claim, claim.id)
    assert found is not None
    return found
