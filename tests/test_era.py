"""Posting X12 835 remittances (services.era) on 835 files the tests write with factories.write_835."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    EraClaim,
    audit_events,
    era_text,
    make_claim,
    make_claim_line,
    make_fee,
    make_payer,
    write_835,
)
from officemgr.models import AuditEvent, Claim, ClaimEvent, ClaimStatus, ProviderAdjustment, Remittance, RemittanceClaim
from officemgr.models.billing import RemittanceCheck
from officemgr.services import billing, era, fees
from officemgr.services.era import EraRefused, Unmatched

PRODUCED = date(2026, 11, 20)  # the remittance date the builder writes (DTM*405), a Friday


def post(session: Session, path: Path, *, now=NOW):  # type: ignore[no-untyped-def]
    return era.post_file(session, path, today=TODAY, now=now, actor=ACTOR)


def events(session: Session, claim: Claim) -> list[ClaimEvent]:
    return list(session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id).order_by(ClaimEvent.id)))


def count(session: Session, model) -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(func.count()).select_from(model)).one()


def snapshot(session: Session) -> tuple:  # type: ignore[type-arg]
    """Everything a posting may write: to compare before and after a refusal."""
    session.expire_all()
    claims = [c.model_dump() for c in session.exec(select(Claim).order_by(Claim.id))]
    return claims, count(session, Remittance), count(session, RemittanceClaim), count(session, ClaimEvent), \
        count(session, AuditEvent)


# --- reading ------------------------------------------------------------------------------------------


def test_parse_reads_the_payment_and_validates_clean(tmp_path: Path) -> None:
    path = write_835(tmp_path / "remit.835", [
        EraClaim("CL1", "1", 15_000, 10_000, 2_000, [("CO", "45", 3_000)],
                 lines=[("99213", 15_000, 10_000, [("PR", "2", 2_000)])]),
        EraClaim("CL2", "4", 20_000, 0, adjustments=[("CO", "50", 20_000)]),
    ])

    remit = era.parse(path)

    assert (remit.payer_name, remit.check_number, remit.paid_cents) == ("ACME HEALTH PLAN", "12345", 10_000)
    assert remit.payments[0].paid_on == PRODUCED
    first, second = remit.claims
    assert (first.number, first.status_code, first.charge_cents, first.paid_cents) == ("CL1", "1", 15_000, 10_000)
    assert [(a.group, a.carc, a.cents) for a in first.adjustments] == [("CO", "45", 3_000), ("PR", "2", 2_000)]
    assert (second.status_code, second.adjustments[0].carc) == ("4", "50")
    assert remit.warnings == ()  # the builder writes a clean 5010 835: pyx12 finds nothing
    assert len(remit.file_hash) == 64


# --- posting ------------------------------------------------------------------------------------------


def test_paid_in_full(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="CL100", status=ClaimStatus.pending, billed_cents=15_000)
    path = write_835(tmp_path / "remit.835", [EraClaim("CL100", "1", 15_000, 12_000,
                                                       adjustments=[("CO", "45", 3_000)])])

    result = post(session, path)

    assert (result.posted, result.paid_cents, result.denied, result.reversals) == (1, 12_000, 0, 0)
    assert (result.unmatched, result.problems) == ([], [])
    session.refresh(claim)
    assert (claim.status, claim.paid_cents, claim.adjusted_cents, claim.balance_cents) == (ClaimStatus.paid, 12_000,
                                                                                          3_000, 0)
    assert (claim.last_activity, claim.deadline, claim.version) == (TODAY, None, 2)
    [event] = events(session, claim)
    assert (event.from_status, event.to_status, event.amount_cents, event.actor) == ("pending", "paid", 12_000, ACTOR)
    assert event.text == "835 check 12345; CO 45 $30.00"
    [(audit, changes)] = audit_events(session, "claim")
    assert (audit.entity_id, audit.action) == (claim.id, "remittance")
    assert changes["status"] == ["pending", "paid"] and changes["paid_cents"] == [0, 12_000]
    remittance = session.exec(select(Remittance)).one()
    assert (remittance.file_name, remittance.check_number, remittance.paid_cents, remittance.payer_name) == (
        "remit.835", "12345", 12_000, "ACME HEALTH PLAN")
    stored = session.exec(select(RemittanceClaim)).one()
    assert (stored.claim_id, stored.status_code, stored.paid_cents) == (claim.id, "1", 12_000)
    assert json.loads(stored.adjustments) == [["CO", "45", 3_000]]
    assert [a.action for a, _ in audit_events(session, "remittance")] == ["import"]


def test_denied_sets_the_code_group_and_appeal_deadline(session: Session, tmp_path: Path) -> None:
    payer = make_payer(session, appeal_days=30)
    claim = make_claim(session, number="CL200", payer=payer, status=ClaimStatus.accepted, billed_cents=20_000)
    path = write_835(tmp_path / "denial.835", [EraClaim("CL200", "4", 20_000, 0,
                                                        adjustments=[("CO", "50", 20_000)])])

    result = post(session, path)

    assert (result.posted, result.denied, result.paid_cents) == (1, 1, 0)
    session.refresh(claim)
    assert (claim.status, claim.denial_code, claim.denial_group, claim.denied_on) == (ClaimStatus.denied, "50", "CO",
                                                                                      PRODUCED)
    # 11/20 + 30 days is Sunday 12/20: the appeal deadline moves to Monday.
    assert claim.deadline == date(2026, 12, 21)
    assert (claim.adjusted_cents, claim.balance_cents) == (0, 20_000)  # a denial's adjustments are disputed, not posted
    [event] = events(session, claim)
    assert (event.from_status, event.to_status, event.code) == ("accepted", "denied", "50")
    assert billing.work_queue(session, TODAY, actor="tests").total == 1  # open, in the queue


def test_partly_paid_stays_in_the_queue(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="CL300", status=ClaimStatus.pending, billed_cents=15_000,
                       next_follow_up=TODAY + timedelta(days=10))
    path = write_835(tmp_path / "partial.835", [
        EraClaim("CL300", "1", 15_000, 5_000, 2_000, lines=[
            ("99213", 10_000, 5_000, [("CO", "45", 3_000), ("PR", "2", 2_000)]),
            ("93000", 5_000, 0, [("PI", "50", 5_000)]),
        ])])

    result = post(session, path)

    assert (result.posted, result.paid_cents) == (1, 5_000)
    session.refresh(claim)
    assert (claim.status, claim.paid_cents, claim.adjusted_cents, claim.patient_resp_cents) == (
        ClaimStatus.partly_paid, 5_000, 3_000, 2_000)
    assert claim.balance_cents == 5_000  # the PI line is listed, not written off
    assert claim.next_follow_up is None  # news from the payer: back in today's queue
    assert [row.number for row in billing.work_queue(session, TODAY, actor="tests").rows] == ["CL300"]
    [event] = events(session, claim)
    assert event.text == "835 check 12345; CO 45 $30.00, PR 2 $20.00, PI 50 $50.00"


def test_reversal_takes_the_payment_back_to_pending(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="CL400", status=ClaimStatus.pending, billed_cents=15_000)
    post(session, write_835(tmp_path / "paid.835", [EraClaim("CL400", "1", 15_000, 12_000,
                                                             adjustments=[("CO", "45", 3_000)])]))
    reversal = write_835(tmp_path / "reversal.835", [EraClaim("CL400", "22", -15_000, -12_000,
                                                              adjustments=[("CO", "45", -3_000)])], check="67890")

    result = post(session, reversal)

    assert (result.posted, result.reversals, result.paid_cents, result.problems) == (1, 1, -12_000, [])
    session.refresh(claim)
    assert (claim.status, claim.paid_cents, claim.adjusted_cents) == (ClaimStatus.pending, 0, 0)
    last = events(session, claim)[-1]
    assert (last.from_status, last.to_status, last.amount_cents) == ("paid", "pending", -12_000)
    assert last.text.startswith("835 check 67890")


def test_reversal_and_correction_in_one_file_post_in_order(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="CL410", status=ClaimStatus.pending, billed_cents=15_000)
    post(session, write_835(tmp_path / "paid.835", [EraClaim("CL410", "1", 15_000, 12_000,
                                                             adjustments=[("CO", "45", 3_000)])], check="111"))
    path = write_835(tmp_path / "corrected.835", [
        EraClaim("CL410", "22", -15_000, -12_000, adjustments=[("CO", "45", -3_000)]),
        EraClaim("CL410", "1", 15_000, 10_000, adjustments=[("CO", "45", 5_000)]),
    ])

    result = post(session, path)

    assert (result.posted, result.reversals, result.paid_cents) == (2, 1, -2_000)
    session.refresh(claim)
    assert (claim.status, claim.paid_cents, claim.adjusted_cents) == (ClaimStatus.paid, 10_000, 5_000)
    assert [(e.from_status, e.to_status) for e in events(session, claim)][1:] == [("paid", "pending"),
                                                                                 ("pending", "paid")]


def test_a_reversal_of_more_than_was_posted_is_held_for_review(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="CL420", status=ClaimStatus.pending, billed_cents=15_000)
    post(session, write_835(tmp_path / "paid.835", [EraClaim("CL420", "1", 15_000, 12_000,
                                                             adjustments=[("CO", "45", 3_000)])], check="111"))
    before = snapshot(session)
    # It takes back the $120.00 payment, but $50.00 of contractual adjustments where $30.00 was posted.
    path = write_835(tmp_path / "reversal.835", [EraClaim("CL420", "22", -17_000, -12_000,
                                                          adjustments=[("CO", "45", -5_000)])], control=2)

    result = post(session, path)

    assert (result.posted, result.held, result.reversals, result.problems) == (0, 1, 0, [])
    assert result.unmatched == [Unmatched("CL420", -12_000, "held for review: the reversal takes back $50.00 of "
                                          "contractual adjustments but only $30.00 was posted")]
    claims, remittances, stored, claim_events, audits = snapshot(session)
    assert (claims, claim_events) == (before[0], before[3])  # the claim is untouched: still paid $120.00
    assert (remittances, stored, audits) == (before[1] + 1, before[2] + 1, before[4] + 2)
    assert (claim.status, claim.paid_cents, claim.adjusted_cents) == (ClaimStatus.paid, 12_000, 3_000)
    held = session.exec(select(RemittanceClaim).where(RemittanceClaim.status_code == "22")).one()
    assert (held.claim_id, held.posted) == (claim.id, False)


def test_unmatched_payments_are_listed_and_stored(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="CL500", status=ClaimStatus.pending, billed_cents=10_000)
    path = write_835(tmp_path / "remit.835", [
        EraClaim("CL500", "1", 10_000, 10_000),
        EraClaim("NOPE-1", "1", 5_000, 4_000, adjustments=[("CO", "45", 1_000)]),
    ])

    result = post(session, path)

    assert (result.claims, result.posted, result.paid_cents) == (2, 1, 10_000)
    assert result.unmatched == [Unmatched("NOPE-1", 4_000)]
    session.refresh(claim)
    assert claim.status is ClaimStatus.paid
    stored = session.exec(select(RemittanceClaim).where(RemittanceClaim.claim_number == "NOPE-1")).one()
    assert (stored.claim_id, stored.paid_cents, stored.note) == (None, 4_000, "no claim with this number")
    assert json.loads(stored.adjustments) == [["CO", "45", 1_000]]


def test_a_claim_payment_keeps_who_and_when_the_payer_says(session: Session, tmp_path: Path) -> None:
    """An unmatched payment is found by hand from the patient and the service date the payer sent, and the check
    keeps its date."""
    path = write_835(tmp_path / "remit.835", [
        EraClaim("NOPE-2", "1", 5_000, 4_000, adjustments=[("CO", "45", 1_000)], name=("RIVERA", "ANA"),
                 member="XYZ987", service=date(2026, 10, 30)),
    ], produced=date(2026, 11, 18))

    post(session, path)

    stored = session.exec(select(RemittanceClaim)).one()
    assert (stored.patient_name, stored.member_id, stored.service_date) == ("RIVERA, ANA", "XYZ987",
                                                                            date(2026, 10, 30))
    assert session.exec(select(RemittanceCheck.paid_on)).one() == date(2026, 11, 18)


def test_claim_numbers_match_in_any_case(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="ab-7", status=ClaimStatus.pending, billed_cents=10_000)

    result = post(session, write_835(tmp_path / "remit.835", [EraClaim("AB-7", "1", 10_000, 10_000)]))

    assert (result.posted, result.unmatched) == (1, [])
    session.refresh(claim)
    assert claim.status is ClaimStatus.paid


def test_the_same_file_twice_posts_nothing_the_second_time(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="CL600", status=ClaimStatus.pending, billed_cents=10_000)
    text = era_text([EraClaim("CL600", "1", 10_000, 6_000, adjustments=[("CO", "45", 4_000)])])
    first = tmp_path / "remit.835"
    first.write_text(text)
    post(session, first)
    before = snapshot(session)
    again = tmp_path / "remit-copy.835"  # renamed, same bytes
    again.write_text(text)

    with pytest.raises(era.AlreadyPosted) as refused:
        post(session, again, now=NOW + timedelta(days=2))

    assert str(refused.value) == ("remit-copy.835 was already posted on 11/23/2026 by manager (remit.835, check "
                                  "12345); nothing was posted this time")
    assert snapshot(session) == before
    session.refresh(claim)
    assert claim.paid_cents == 6_000


def test_the_same_payment_in_another_file_posts_nothing(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="CL610", status=ClaimStatus.pending, billed_cents=10_000)
    text = era_text([EraClaim("CL610", "1", 10_000, 6_000, adjustments=[("CO", "45", 4_000)])])
    (tmp_path / "remit.835").write_text(text)
    post(session, tmp_path / "remit.835")
    resaved = tmp_path / "remit-crlf.835"
    resaved.write_text(text.replace("~\n", "~\r\n"))  # other bytes, same payment
    other_check = write_835(tmp_path / "other.835", [EraClaim("CL610", "1", 0, 1_000,
                                                              adjustments=[("CO", "45", -1_000)])], check="999")
    before = snapshot(session)

    with pytest.raises(era.AlreadyPosted) as refused:
        post(session, resaved)

    assert str(refused.value) == ("remit-crlf.835: check 12345 from ACME HEALTH PLAN for $60.00 was already posted on "
                                  "11/23/2026 by manager (from remit.835); nothing was posted this time")
    assert snapshot(session) == before
    assert post(session, other_check).posted == 1  # another check for the same claim is news
    session.refresh(claim)
    assert claim.paid_cents == 7_000


def _se_count_wrong(text: str) -> str:
    return text.replace("SE*", "SE*9", 1)


def _truncated(text: str) -> str:
    return text[: text.index("CLP*")]


def _unbalanced_claim(text: str) -> str:
    return text.replace("CAS*CO*45*40.00", "CAS*CO*45*30.00")


def _check_total_off(text: str) -> str:
    return text.replace("BPR*I*60.00*", "BPR*I*65.00*")


def _bad_amount(text: str) -> str:
    return text.replace("*100.00*60.00*", "*100.00*6O.00*")


def _claims_transaction(text: str) -> str:
    return text.replace("ST*835", "ST*837")


def _not_x12(text: str) -> str:
    return "Claim,Paid\nCL700,60.00\n"


def _bad_group(text: str) -> str:
    return text.replace("CAS*CO*45", "CAS*XX*45")


@pytest.mark.parametrize(("damage", "reason"), [
    (_se_count_wrong, "is not a valid 835; nothing was posted: line 16: SE count of 914 for SE02=0001 is wrong. "
                      "I count 14"),
    (_truncated, "is not a valid 835; nothing was posted: line 1: Mandatory segment \"Interchange Control Trailer\""),
    (_unbalanced_claim, "claim CL700 does not balance: charge $100.00 less payment $60.00 is $40.00, but its "
                        "adjustments add up to $30.00"),
    (_check_total_off, "line 4: the check is for $65.00 but its claim payments add up to $60.00"),
    (_bad_amount, "line 13: Data element \"Claim Payment Amount\" (CLP04) is type R, contains an invalid character"),
    (_claims_transaction, "remit.835 is an X12 837 (claim), not an 835 remittance; nothing was posted"),
    (_not_x12, "remit.835 is not an X12 file (it looks like a CSV file, values separated by commas, not an 835 "
               "remittance); nothing was posted"),
    (_bad_group, "line 14: 'XX' is not an adjustment group (CAS01: CO, PR, OA, PI or CR)"),
])
def test_a_malformed_file_is_refused_and_changes_nothing(session: Session, tmp_path: Path, damage,  # type: ignore[no-untyped-def]
                                                         reason: str) -> None:
    make_claim(session, number="CL700", status=ClaimStatus.pending, billed_cents=10_000)
    good = era_text([EraClaim("CL700", "1", 10_000, 6_000, adjustments=[("CO", "45", 4_000)])])
    path = tmp_path / "remit.835"
    path.write_text(damage(good))
    before = snapshot(session)

    with pytest.raises(EraRefused) as refused:
        post(session, path)

    assert reason in str(refused.value)
    assert "\n" not in str(refused.value)  # one readable line
    assert snapshot(session) == before


def test_an_empty_or_missing_file_is_refused(session: Session, tmp_path: Path) -> None:
    empty = tmp_path / "empty.835"
    empty.write_text("  \n")

    with pytest.raises(EraRefused, match="empty.835 is empty; nothing was posted"):
        post(session, empty)
    with pytest.raises(EraRefused, match="there is no file"):
        post(session, tmp_path / "missing.835")
    assert count(session, Remittance) == 0


def test_pyx12_findings_that_do_not_touch_the_money_are_warnings(session: Session, tmp_path: Path) -> None:
    make_claim(session, number="CL710", status=ClaimStatus.pending, billed_cents=10_000)
    text = era_text([EraClaim("CL710", "1", 10_000, 10_000)])
    lines = [line for line in text.split("~\n") if not line.startswith("PER*")]
    lines = [line.replace("SE*13*", "SE*12*") for line in lines]  # the count stays right without PER
    path = tmp_path / "no-contact.835"
    path.write_text("~\n".join(lines))

    result = post(session, path)

    assert result.posted == 1
    assert result.warnings == ['line 10: Mandatory segment "Payer Technical Contact Information" (PER) missing']


@pytest.mark.parametrize(("status", "why"), [
    (ClaimStatus.draft, "it is a draft (never sent); a draft claim can go to submitted or closed, not paid"),
    (ClaimStatus.rejected, "it was rejected by the clearinghouse and never reached the payer; a rejected claim can "
                           "go to submitted or closed, not paid"),
    (ClaimStatus.closed, "it is closed; a closed claim can go to pending, not paid"),
])
def test_a_claim_that_cannot_be_paid_is_listed_not_posted(session: Session, tmp_path: Path, status: ClaimStatus,
                                                          why: str) -> None:
    claim = make_claim(session, number="CL800", status=status, billed_cents=10_000)
    other = make_claim(session, number="CL801", status=ClaimStatus.pending, billed_cents=5_000)
    path = write_835(tmp_path / "remit.835", [EraClaim("CL800", "1", 10_000, 10_000),
                                              EraClaim("CL801", "1", 5_000, 5_000)])

    result = post(session, path)

    assert result.posted == 1
    assert result.problems == [f"claim CL800 ({status.label}, $100.00) was not posted: {why} (post it by hand in "
                               "the app once the claim allows it)"]
    session.refresh(claim)
    session.refresh(other)
    assert (claim.status, claim.paid_cents, claim.version) == (status, 0, 1)
    assert events(session, claim) == []
    assert other.status is ClaimStatus.paid
    stored = session.exec(select(RemittanceClaim).where(RemittanceClaim.claim_id == claim.id)).one()
    assert stored.note.startswith("not posted: ")


def test_a_denied_claim_is_paid_only_through_an_appeal(session: Session, tmp_path: Path) -> None:
    denied = make_claim(session, number="CL810", status=ClaimStatus.denied, billed_cents=10_000,
                        denied_on=TODAY - timedelta(days=5), denial_code="16")
    deadline = denied.deadline
    appealed = make_claim(session, number="CL811", status=ClaimStatus.appealed, billed_cents=10_000,
                          denial_code="16")
    path = write_835(tmp_path / "remit.835", [EraClaim("CL810", "1", 10_000, 10_000),
                                              EraClaim("CL811", "1", 10_000, 10_000)])

    result = post(session, path)

    assert result.posted == 1
    assert result.problems[0].startswith("claim CL810 (denied, $100.00) was not posted: a denied claim can go to "
                                         "appealed, closed, submitted or pending, not paid")
    session.refresh(appealed)
    assert (appealed.status, appealed.denial_code) == (ClaimStatus.paid, None)  # the history keeps the denial
    session.refresh(denied)
    assert (denied.status, denied.paid_cents, denied.deadline) == (ClaimStatus.denied, 0, deadline)


def test_a_second_denial_restarts_the_appeal_clock(session: Session, tmp_path: Path) -> None:
    payer = make_payer(session, appeal_days=60)
    claim = make_claim(session, number="CL820", payer=payer, status=ClaimStatus.appealed, billed_cents=10_000,
                       denial_code="16", denied_on=TODAY - timedelta(days=50))
    path = write_835(tmp_path / "remit.835", [EraClaim("CL820", "4", 10_000, 0, adjustments=[("PR", "27", 10_000)])],
                     produced=date(2026, 11, 18))

    post(session, path)

    session.refresh(claim)
    assert (claim.status, claim.denial_code, claim.denial_group) == (ClaimStatus.denied, "27", "PR")
    # 60 days is Sunday 01/17/2027, and Monday is Martin Luther King Jr. Day: the payer's deadline is Tuesday
    assert (claim.denied_on, claim.deadline) == (date(2026, 11, 18), date(2027, 1, 19))


def test_the_whole_file_is_one_transaction(session: Session, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first = make_claim(session, number="CL900", status=ClaimStatus.pending, billed_cents=10_000)
    make_claim(session, number="CL901", status=ClaimStatus.pending, billed_cents=10_000)
    path = write_835(tmp_path / "remit.835", [EraClaim("CL900", "1", 10_000, 10_000),
                                              EraClaim("CL901", "1", 10_000, 10_000)])
    real = era._outcome
    calls = []

    def failing(expected, claim, paid, remitted_on):  # type: ignore[no-untyped-def]
        calls.append(claim.number)
        if claim.number == "CL901":
            raise RuntimeError("disk on fire")
        return real(expected, claim, paid, remitted_on)

    # The second claim fails after the first was changed in the session: nothing of either is kept.
    monkeypatch.setattr(era, "_outcome", failing)
    before = snapshot(session)

    with pytest.raises(RuntimeError):
        post(session, path)

    assert calls == ["CL900", "CL901"]
    assert snapshot(session) == before
    session.refresh(first)
    assert first.status is ClaimStatus.pending


def test_a_charge_that_differs_from_the_claim_is_posted_with_a_note(session: Session, tmp_path: Path) -> None:
    make_claim(session, number="CL910", status=ClaimStatus.pending, billed_cents=12_000)

    result = post(session, write_835(tmp_path / "remit.835", [EraClaim("CL910", "1", 10_000, 10_000)]))

    assert result.posted == 1
    assert result.problems == ["claim CL910: the remittance's charge $100.00 is not the claim's $120.00: posted, but "
                               "check the claim number"]


def test_provider_adjustments_balance_the_check(session: Session, tmp_path: Path) -> None:
    make_claim(session, number="CL920", status=ClaimStatus.pending, billed_cents=10_000)
    path = write_835(tmp_path / "remit.835", [EraClaim("CL920", "1", 10_000, 10_000)],
                     provider_adjustments=[("L6", 1_500)])

    result = post(session, path)

    assert (result.posted, result.check_cents, result.paid_cents) == (1, 8_500, 10_000)
    # The $15.00 withheld is kept with the check and said, not only checked in the totals.
    [kept] = session.exec(select(ProviderAdjustment)).all()
    check = session.exec(select(RemittanceCheck)).one()
    assert (kept.check_id, kept.reason, kept.reference, kept.amount_cents) == (check.id, "L6", "", 1_500)
    assert [item.as_text() for item in result.provider_adjustments] == ["L6 interest -$15.00"]


def test_a_plb_reference_is_split_on_the_files_own_component_separator(session: Session, tmp_path: Path) -> None:
    make_claim(session, number="CL921", status=ClaimStatus.pending, billed_cents=15_000_000)
    text = era_text([EraClaim("CL921", "1", 15_000_000, 15_000_000)], provider_adjustments=[("WO", 127)])
    text = text.replace("*P*:~", "*P*>~").replace("*WO*", "*WO>CL777*")  # ISA16 '>' as some payers send
    path = tmp_path / "plb.835"
    path.write_text(text, encoding="ascii")

    result = post(session, path)

    kept = session.exec(select(ProviderAdjustment)).one()
    assert (kept.reason, kept.reference, kept.amount_cents) == ("WO", "CL777", 127)
    assert result.check_cents == 14_999_873  # $149,998.73: the $1.27 is on the check's record


# --- underpayment -------------------------------------------------------------------------------------


def test_a_payment_below_the_fee_schedule_is_underpaid_and_stays_open(session: Session, tmp_path: Path) -> None:
    payer = make_payer(session)
    make_fee(session, payer, code="99213", allowed_cents=10_000)
    claim = make_claim(session, number="CL1000", payer=payer, status=ClaimStatus.pending, billed_cents=15_000)
    make_claim_line(session, claim, code="99213", charge_cents=15_000)
    # The payer allowed $80 instead of the contracted $100: $70 paid + $10 coinsurance, $70 written off as CO 45.
    path = write_835(tmp_path / "remit.835", [EraClaim("CL1000", "1", 15_000, 7_000, 1_000,
                                                       adjustments=[("CO", "45", 7_000), ("PR", "2", 1_000)])])

    result = post(session, path)

    assert (result.posted, result.underpaid) == (1, 1)
    session.refresh(claim)
    assert (claim.status, claim.underpaid_cents, claim.balance_cents) == (ClaimStatus.partly_paid, 2_000, 0)
    [event] = events(session, claim)
    assert event.text == "835 check 12345; CO 45 $70.00, PR 2 $10.00; underpaid by $20.00 against the fee schedule"
    assert [row.number for row in billing.work_queue(session, TODAY, actor="tests").rows] == ["CL1000"]
    assert fees.underpayments(session, TODAY, actor="tests") == [fees.UnderpaidRow(payer.id, payer.name, 1, 2_000)]
    stored = session.exec(select(RemittanceClaim)).one()
    assert stored.note == "underpaid by $20.00 against the fee schedule"


def test_a_payment_at_the_fee_schedule_is_paid(session: Session, tmp_path: Path) -> None:
    payer = make_payer(session)
    make_fee(session, payer, code="99213", allowed_cents=10_000)
    claim = make_claim(session, number="CL1010", payer=payer, status=ClaimStatus.pending, billed_cents=15_000)
    make_claim_line(session, claim, code="99213", charge_cents=15_000)
    path = write_835(tmp_path / "remit.835", [EraClaim("CL1010", "1", 15_000, 8_000, 2_000,
                                                       adjustments=[("CO", "45", 5_000), ("PR", "1", 2_000)])])

    result = post(session, path)

    assert result.underpaid == 0
    session.refresh(claim)
    assert (claim.status, claim.underpaid_cents) == (ClaimStatus.paid, 0)


def test_a_later_payment_that_makes_up_the_shortfall_clears_the_underpayment(session: Session,
                                                                             tmp_path: Path) -> None:
    payer = make_payer(session)
    make_fee(session, payer, code="99213", allowed_cents=10_000)
    claim = make_claim(session, number="CL1020", payer=payer, status=ClaimStatus.pending, billed_cents=10_000)
    make_claim_line(session, claim, code="99213", charge_cents=10_000)
    post(session, write_835(tmp_path / "first.835", [EraClaim("CL1020", "1", 10_000, 6_000,
                                                              adjustments=[("CO", "45", 4_000)])]))
    session.refresh(claim)
    assert (claim.status, claim.underpaid_cents) == (ClaimStatus.partly_paid, 4_000)

    post(session, write_835(tmp_path / "second.835", [EraClaim("CL1020", "1", 0, 4_000,
                                                               adjustments=[("CO", "45", -4_000)])], check="555"))

    session.refresh(claim)
    assert (claim.status, claim.paid_cents, claim.adjusted_cents, claim.underpaid_cents) == (ClaimStatus.paid, 10_000,
                                                                                            0, 0)


# --- issue 19: the repeat guard per check and per claim payment, holds, the denial reason -----------------------


def test_a_file_bundling_a_posted_check_with_a_new_one_posts_only_the_new_one(session: Session,
                                                                             tmp_path: Path) -> None:
    # Workflow 14: before, the guard compared the whole file's checks ("12345, 777") and paid the $800 claim again.
    claim = make_claim(session, number="CL900", status=ClaimStatus.pending, billed_cents=80_000)
    other = make_claim(session, number="CL901", status=ClaimStatus.pending, billed_cents=20_000)
    first = era_text([EraClaim("CL900", "1", 80_000, 10_000, adjustments=[("CO", "45", 70_000)])])
    post(session, write_text(tmp_path / "first.835", first))
    second = era_text([EraClaim("CL901", "1", 20_000, 15_000, adjustments=[("CO", "45", 5_000)])], check="777",
                      control=2)

    result = post(session, write_text(tmp_path / "bundle.835", first + second), now=NOW + timedelta(days=1))

    assert (result.claims, result.posted, result.paid_cents, result.skipped_claims) == (2, 1, 15_000, 1)
    assert result.skipped == ["check 12345 from ACME HEALTH PLAN for $100.00 was already posted on 11/23/2026 by "
                              "manager (from first.835)"]
    session.refresh(claim)
    session.refresh(other)
    assert (claim.paid_cents, claim.adjusted_cents) == (10_000, 70_000)  # not $200 paid
    assert (other.status, other.paid_cents) == (ClaimStatus.paid, 15_000)
    assert len(events(session, claim)) == 1

    with pytest.raises(era.AlreadyPosted) as refused:  # both checks posted now: the file again is refused whole
        post(session, write_text(tmp_path / "bundle-again.835", second + first))
    assert str(refused.value) == (
        "bundle-again.835: check 777 from ACME HEALTH PLAN for $150.00 was already posted on 11/24/2026 by manager "
        "(from bundle.835); check 12345 from ACME HEALTH PLAN for $100.00 was already posted on 11/23/2026 by "
        "manager (from first.835); nothing was posted this time")


def test_the_issues_800_claim_does_not_end_with_900_paid(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="CL910", status=ClaimStatus.pending, billed_cents=80_000)
    first = era_text([EraClaim("CL910", "1", 80_000, 80_000)], check="A1")
    post(session, write_text(tmp_path / "real.835", first))
    second = era_text([EraClaim("CL910", "1", 0, 10_000, adjustments=[("CO", "45", -10_000)])], check="B2",
                      control=2)

    result = post(session, write_text(tmp_path / "both.835", first + second))

    session.refresh(claim)
    assert claim.paid_cents == 80_000
    assert result.posted == 0
    assert [u.claim_number for u in result.unmatched] == ["CL910"]  # B2 would overpay it: held for review
    assert result.unmatched[0].reason.startswith("held for review: it would leave $900.00 paid and adjusted")


def test_a_claim_payment_posted_before_on_the_same_check_number_is_skipped(session: Session,
                                                                           tmp_path: Path) -> None:
    # The payer re-sends check 12345 with a claim added: the check's amount differs, its first claim is old news.
    claim = make_claim(session, number="CL920", status=ClaimStatus.pending, billed_cents=10_000)
    added = make_claim(session, number="CL921", status=ClaimStatus.pending, billed_cents=10_000)
    paid_920 = EraClaim("CL920", "1", 10_000, 6_000, adjustments=[("CO", "45", 4_000)])
    post(session, write_835(tmp_path / "remit.835", [paid_920]))

    result = post(session, write_835(tmp_path / "resent.835", [paid_920, EraClaim("CL921", "1", 10_000, 10_000)],
                                     control=2))

    assert (result.posted, result.skipped_claims) == (1, 1)
    assert result.skipped == ["claim CL920: its $60.00 payment on check 12345 was already posted from an earlier file"]
    session.refresh(claim)
    session.refresh(added)
    assert (claim.paid_cents, added.paid_cents) == (6_000, 10_000)


def test_a_payment_above_the_billed_amount_is_held_for_review(session: Session, tmp_path: Path) -> None:
    # Workflow 15: paid + adjustments above the billed amount was posted without a word.
    claim = make_claim(session, number="CL930", status=ClaimStatus.partly_paid, billed_cents=10_000,
                       paid_cents=6_000)
    path = write_835(tmp_path / "remit.835", [EraClaim("CL930", "1", 10_000, 6_000, adjustments=[("CO", "45", 4_000)])])

    result = post(session, path)

    assert (result.posted, result.held) == (0, 1)
    assert result.unmatched == [Unmatched("CL930", 6_000, "held for review: it would leave $160.00 paid and adjusted "
                                          "on a claim billed at $100.00; was it posted already?")]
    session.refresh(claim)
    assert (claim.status, claim.paid_cents, claim.adjusted_cents) == (ClaimStatus.partly_paid, 6_000, 0)
    stored = session.exec(select(RemittanceClaim)).one()
    assert (stored.claim_id, stored.posted) == (claim.id, False)
    assert stored.note.startswith("held for review")


def test_a_payment_that_settles_the_claim_exactly_is_posted(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="CL931", status=ClaimStatus.partly_paid, billed_cents=10_000,
                       paid_cents=6_000)
    path = write_835(tmp_path / "remit.835", [EraClaim("CL931", "1", 4_000, 4_000)])

    result = post(session, path)

    assert (result.posted, result.held) == (1, 0)
    session.refresh(claim)
    assert (claim.status, claim.paid_cents, claim.balance_cents) == (ClaimStatus.paid, 10_000, 0)


def test_several_payment_loops_sharing_a_claim_number_are_held(session: Session, tmp_path: Path) -> None:
    claim = make_claim(session, number="CL940", status=ClaimStatus.pending, billed_cents=30_000)
    path = write_835(tmp_path / "remit.835", [EraClaim("CL940", "1", 10_000, 10_000) for _ in range(3)])

    result = post(session, path)

    assert (result.posted, result.held) == (0, 3)
    assert {u.reason for u in result.unmatched} == {
        "held for review: 3 payment loops in this file share the claim number"}
    session.refresh(claim)
    assert (claim.status, claim.paid_cents) == (ClaimStatus.pending, 0)


def test_the_denial_reason_is_the_largest_adjustment_not_a_zero_placeholder(session: Session,
                                                                            tmp_path: Path) -> None:
    # Workflow 16: a CO*42*0*0 placeholder before the real OA 23 was taken as the reason.
    claim = make_claim(session, number="CL950", status=ClaimStatus.accepted, billed_cents=20_000)
    path = write_835(tmp_path / "denial.835", [EraClaim("CL950", "4", 20_000, 0, adjustments=[
        ("CO", "42", 0), ("OA", "23", 15_000), ("PR", "1", 5_000)])])

    post(session, path)

    session.refresh(claim)
    assert (claim.status, claim.denial_group, claim.denial_code) == (ClaimStatus.denied, "OA", "23")
    assert events(session, claim)[-1].code == "23"


@pytest.mark.parametrize(("adjustments", "reason"), [
    ((), None),
    ((era.Adjustment("CO", "42", 0),), era.Adjustment("CO", "42", 0)),  # only a placeholder: it is all there is
    ((era.Adjustment("CO", "50", 100), era.Adjustment("PR", "27", 100)), era.Adjustment("CO", "50", 100)),
    ((era.Adjustment("CO", "42", 0), era.Adjustment("OA", "23", 1)), era.Adjustment("OA", "23", 1)),
])
def test_denial_reason_edges(adjustments, reason) -> None:  # type: ignore[no-untyped-def]
    assert era.denial_reason(adjustments) == reason


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="ascii")
    return path
