from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select

from factories import ACTOR, NOW, TODAY, audit_events, make_claim, make_payer
from officemgr.models import Claim, ClaimEvent, ClaimStatus, CloseReason
from officemgr.services import billing
from officemgr.services.claim_flow import TRANSITIONS, StatusChange, allowed_next, change_status
from officemgr.services.common import ServiceError, StaleEdit
from officemgr.services.format import money

S = ClaimStatus
SERVICE_DATE = TODAY - timedelta(days=20)  # 11/03/2026
FILING_DEADLINE = date(2027, 2, 1)  # 90 days after the date of service (a Monday)
APPEAL_DEADLINE = date(2027, 1, 22)  # 60 days after a denial today (a Friday)
PAID_BEFORE = 5_000


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def payer(session):
    return make_payer(session, name="Commercial", timely_filing_days=90, appeal_days=60)


def claim_in(session, payer, status: ClaimStatus, **overrides) -> Claim:
    """A claim in `status` with what a claim in that status carries (a payment, a denial, a close reason)."""
    fields: dict = {"service_date": SERVICE_DATE, "billed_cents": 15_000, "status": status}
    if status is not S.draft:
        fields["submitted_on"] = SERVICE_DATE + timedelta(days=2)
    if status in (S.paid, S.partly_paid, S.closed):
        fields["paid_cents"] = PAID_BEFORE
    if status in (S.denied, S.appealed):
        fields.update(denial_code="16", denial_group="CO", denied_on=days(-3))
    if status is S.closed:
        fields.update(close_reason=CloseReason.written_off, close_note="old")
    fields.update(overrides)
    return make_claim(session, payer=payer, **fields)


def valid_change(to: ClaimStatus) -> StatusChange:
    """The input a move to `to` needs to be valid on its own."""
    if to is S.denied:
        return StatusChange(to=to, denial_code="CO-197")
    if to is S.closed:
        return StatusChange(to=to, close_reason=CloseReason.written_off, note="under $10, not worth billing")
    if to in (S.paid, S.partly_paid):
        return StatusChange(to=to, paid_cents=1_000)
    return StatusChange(to=to)


def move(session, claim, data, *, today=TODAY, now=NOW, version=None):
    return change_status(session, claim.id, data, today=today, now=now, actor=ACTOR,
                         expected_version=claim.version if version is None else version)


def stored(session, claim_id) -> Claim:
    session.expire_all()
    return session.get(Claim, claim_id)


LEGAL = [(a, b) for a, nexts in TRANSITIONS.items() for b in nexts]
ILLEGAL = [(a, b) for a in ClaimStatus for b in ClaimStatus if b not in TRANSITIONS[a]]


def test_the_transition_table():
    assert set(TRANSITIONS) == set(ClaimStatus)
    # the flow the issue asks for, all in
    required = {
        S.draft: {S.submitted}, S.submitted: {S.accepted, S.rejected}, S.rejected: {S.submitted},
        S.accepted: {S.pending, S.paid, S.partly_paid, S.denied}, S.pending: {S.paid, S.partly_paid, S.denied},
        S.partly_paid: {S.paid, S.denied, S.closed}, S.denied: {S.appealed, S.closed},
        S.appealed: {S.paid, S.partly_paid, S.denied, S.closed}, S.paid: {S.closed},
    }
    for status, nexts in required.items():
        assert nexts <= set(allowed_next(status)), status
    # what a biller needs beyond that: reversals and reopening, a corrected claim after a denial
    assert S.pending in allowed_next(S.paid)
    assert allowed_next(S.closed) == (S.pending,)
    assert S.submitted in allowed_next(S.denied)
    # nothing goes back to draft, and rejected never leads to a paid status without a resubmission
    assert all(S.draft not in nexts for nexts in TRANSITIONS.values())
    assert set(allowed_next(S.rejected)) == {S.submitted, S.closed}
    assert all(status not in allowed_next(status) for status in ClaimStatus)
    assert len(LEGAL) + len(ILLEGAL) == len(ClaimStatus) ** 2


@pytest.mark.parametrize(("old", "new"), LEGAL, ids=[f"{a.value}->{b.value}" for a, b in LEGAL])
def test_every_legal_transition(session, payer, old, new):
    claim = claim_in(session, payer, old)
    before = (claim.submitted_on, claim.denied_on, claim.denial_code, claim.denial_group)
    data = valid_change(new)

    result = move(session, claim, data)

    after = stored(session, claim.id)
    assert result.id == claim.id
    assert (after.status, after.version, after.last_activity) == (new, 2, TODAY)
    payment = 1_000 if new in (S.paid, S.partly_paid) else 0
    base = PAID_BEFORE if old in (S.paid, S.partly_paid, S.closed) else 0
    assert after.paid_cents == base + payment
    assert after.submitted_on == (TODAY if new is S.submitted else before[0])
    assert after.denied_on == (TODAY if new is S.denied else before[1])
    if new is S.denied:
        assert (after.denial_code, after.denial_group) == ("197", "CO")
    elif new in (S.submitted, S.accepted, S.pending, S.paid, S.partly_paid):
        assert (after.denial_code, after.denial_group) == (None, None)
    else:
        assert (after.denial_code, after.denial_group) == before[2:]
    expected_deadline = {S.submitted: FILING_DEADLINE, S.rejected: FILING_DEADLINE, S.denied: APPEAL_DEADLINE}
    assert after.deadline == expected_deadline.get(new)
    if new is S.closed:
        assert (after.close_reason, after.close_note) == (CloseReason.written_off, "under $10, not worth billing")
        assert (after.written_off_cents, after.balance_cents) == (claim.billed_cents - base, 0)
    elif old is S.closed:
        assert (after.close_reason, after.close_note) == (None, "")

    [event] = session.exec(select(ClaimEvent)).all()
    # A write-off's history names it (issue 19, workflow 8): "→ written off", with what it wrote off and why.
    to, text = (("written_off", f"wrote off {money(claim.billed_cents - base)}: {data.note}") if new is S.closed
                else (new.value, data.note))
    assert (event.claim_id, event.at, event.actor, event.from_status, event.to_status, event.amount_cents,
            event.code, event.text) == (claim.id, NOW, ACTOR, old.value, to, payment,
                                        "197" if new is S.denied else "", text)
    [(audit, changes)] = audit_events(session)
    assert (audit.entity, audit.entity_id, audit.action, audit.actor, audit.at) == (
        "claim", claim.id, "status", ACTOR, NOW)
    assert changes["status"] == [old.value, new.value]
    assert changes["event_id"] == event.id


@pytest.mark.parametrize(("old", "new"), ILLEGAL, ids=[f"{a.value}->{b.value}" for a, b in ILLEGAL])
def test_every_illegal_transition_is_refused_and_changes_nothing(session, payer, old, new):
    claim = claim_in(session, payer, old)
    snapshot = stored(session, claim.id).model_dump()

    with pytest.raises(ServiceError) as refused:
        move(session, claim, valid_change(new))

    message = str(refused.value)
    if old == new:
        assert message == f"the claim is already {old.label}"
    else:
        assert message.startswith(f"a {old.label} claim can go to ")
        assert message.endswith(f", not {new.label}") or message.endswith(f" not {new.label}")
        for allowed in TRANSITIONS[old]:
            assert allowed.label in message
    session.rollback()
    assert stored(session, claim.id).model_dump() == snapshot
    assert session.exec(select(ClaimEvent)).all() == []
    assert audit_events(session) == []


def test_the_refusal_names_the_legal_moves(session, payer):
    claim = claim_in(session, payer, S.submitted)
    with pytest.raises(ServiceError, match="^a submitted claim can go to accepted, rejected, pending, paid, "
                                          "partly paid or denied, not closed$"):
        move(session, claim, valid_change(S.closed))
    closed = claim_in(session, payer, S.closed)
    with pytest.raises(ServiceError, match="^a closed claim can go to pending, not paid$"):
        move(session, closed, valid_change(S.paid))


def test_a_claim_through_its_life(session, payer):
    """draft → submitted → rejected → submitted → accepted → pending → denied → appealed → partly paid → closed."""
    claim = claim_in(session, payer, S.draft)
    assert claim.deadline == FILING_DEADLINE

    def step(to, today, **kw):
        move(session, claim, StatusChange(to=to, **kw), today=today, now=datetime.combine(today, time(9)))
        return stored(session, claim.id)

    c = step(S.submitted, days(1))
    assert (c.submitted_on, c.deadline) == (days(1), FILING_DEADLINE)
    c = step(S.rejected, days(2), note="subscriber ID not found")
    # a rejection is not a filing: the timely-filing deadline still runs from the date of service
    assert (c.status, c.deadline, c.submitted_on) == (S.rejected, FILING_DEADLINE, days(1))
    c = step(S.submitted, days(3), note="fixed the member ID")
    assert (c.submitted_on, c.deadline) == (days(3), FILING_DEADLINE)
    c = step(S.accepted, days(4))
    assert c.deadline is None  # filed in time: no filing deadline any more
    c = step(S.pending, days(5))
    c = step(S.denied, date(2026, 12, 1), denial_code="50", denial_group="co")
    # the appeal deadline runs from the denial date: 12/01 + 60 days = Saturday 01/30, moved to Monday 02/01
    assert (c.denied_on, c.deadline, c.denial_code, c.denial_group) == (
        date(2026, 12, 1), date(2027, 2, 1), "50", "CO")
    c = step(S.appealed, date(2026, 12, 3), note="letter of medical necessity")
    assert (c.deadline, c.denial_code) == (None, "50")
    c = step(S.partly_paid, date(2027, 1, 10), paid_cents=9_000)
    assert (c.paid_cents, c.denial_code, c.balance_cents) == (9_000, None, 6_000)
    c = step(S.closed, date(2027, 1, 11), close_reason=CloseReason.sent_to_patient, note="statement for $60")
    assert (c.status, c.close_reason, c.close_note, c.deadline, c.version) == (
        S.closed, CloseReason.sent_to_patient, "statement for $60", None, 10)

    events = session.exec(select(ClaimEvent).order_by(ClaimEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        ("draft", "submitted"), ("submitted", "rejected"), ("rejected", "submitted"), ("submitted", "accepted"),
        ("accepted", "pending"), ("pending", "denied"), ("denied", "appealed"), ("appealed", "partly_paid"),
        ("partly_paid", "closed")]
    assert [e.amount_cents for e in events if e.amount_cents] == [9_000]
    assert [changes["status"][1] for _, changes in audit_events(session, "claim")] == [e.to_status for e in events]
    assert billing.work_queue(session, date(2027, 1, 11), actor="tests").total == 0


def test_a_corrected_claim_after_a_denial_is_resubmitted_within_timely_filing(session, payer):
    claim = claim_in(session, payer, S.denied, deadline=APPEAL_DEADLINE)
    move(session, claim, StatusChange(to=S.submitted, note="corrected claim, frequency code 7"))
    c = stored(session, claim.id)
    assert (c.status, c.deadline, c.submitted_on, c.denial_code, c.denied_on) == (
        S.submitted, FILING_DEADLINE, TODAY, None, days(-3))


# --- payments --------------------------------------------------------------------------------------------


def test_payments_add_up_and_cannot_exceed_the_billed_amount(session, payer):
    claim = claim_in(session, payer, S.pending)
    move(session, claim, StatusChange(to=S.partly_paid, paid_cents=10_000))
    with pytest.raises(ServiceError, match=r"more than the claim's billed amount \(\$150.00\); \$50.00 is left"):
        move(session, claim, StatusChange(to=S.paid, paid_cents=5_001))
    move(session, claim, StatusChange(to=S.paid, paid_cents=5_000))
    assert stored(session, claim.id).paid_cents == 15_000
    assert [e.amount_cents for e in session.exec(select(ClaimEvent).order_by(ClaimEvent.id))] == [10_000, 5_000]


def test_a_reversal_takes_the_payment_back_and_reopens_the_claim(session, payer):
    claim = claim_in(session, payer, S.paid, paid_cents=15_000)
    with pytest.raises(ServiceError, match=r"takes back more than was paid \(\$150.00\)"):
        move(session, claim, StatusChange(to=S.pending, paid_cents=-15_001))
    move(session, claim, StatusChange(to=S.pending, paid_cents=-15_000, note="payer reversal"))
    c = stored(session, claim.id)
    assert (c.status, c.paid_cents) == (S.pending, 0)
    [event] = session.exec(select(ClaimEvent)).all()
    assert (event.amount_cents, event.text) == (-15_000, "payer reversal")
    [(_, changes)] = audit_events(session)
    assert changes["paid_cents"] == [15_000, 0]


def test_a_take_back_needs_a_paid_claim(session, payer):
    claim = claim_in(session, payer, S.denied)
    with pytest.raises(ServiceError, match="a take-back only applies to a claim that was paid"):
        move(session, claim, StatusChange(to=S.pending, paid_cents=-100))


def test_closing_as_paid_needs_a_zero_balance(session, payer):
    claim = claim_in(session, payer, S.paid, paid_cents=12_000)
    with pytest.raises(ServiceError, match=r"\$30.00 is still open on this claim"):
        move(session, claim, StatusChange(to=S.closed, close_reason=CloseReason.paid))
    settled = claim_in(session, payer, S.paid, paid_cents=12_000, adjusted_cents=2_000, patient_resp_cents=1_000)
    move(session, settled, StatusChange(to=S.closed, close_reason=CloseReason.paid))
    assert stored(session, settled.id).close_reason is CloseReason.paid
    assert stored(session, claim.id).status is S.paid


def test_a_claim_the_secondary_finished_paying_closes_as_paid(session, payer):
    secondary = make_payer(session, name="Medigap")
    # $150.00 billed: the primary paid $100.00 and adjusted $20.00, the secondary paid the $30.00 patient share.
    claim = claim_in(session, payer, S.paid, paid_cents=10_000, adjusted_cents=2_000, secondary_payer_id=secondary.id,
                     secondary_billed_on=days(-10), secondary_answered_on=days(-1), secondary_paid_cents=3_000)
    move(session, claim, StatusChange(to=S.closed, close_reason=CloseReason.paid))
    c = stored(session, claim.id)
    assert (c.status, c.close_reason, c.written_off_cents, c.balance_cents) == (S.closed, CloseReason.paid, 0, 0)


def test_a_write_off_after_the_secondary_paid_writes_off_only_what_is_left(session, payer):
    secondary = make_payer(session, name="Medigap")
    claim = claim_in(session, payer, S.partly_paid, paid_cents=10_000, adjusted_cents=2_000,
                     secondary_payer_id=secondary.id, secondary_billed_on=days(-10), secondary_answered_on=days(-1),
                     secondary_paid_cents=2_000)
    move(session, claim, StatusChange(to=S.closed, close_reason=CloseReason.written_off, note="secondary's limit"))
    c = stored(session, claim.id)
    assert (c.written_off_cents, c.balance_cents) == (1_000, 0)
    event = session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)).one()
    assert event.text == "wrote off $10.00: secondary's limit"


def test_reopening_a_closed_claim_clears_its_close_reason(session, payer):
    claim = claim_in(session, payer, S.closed)
    move(session, claim, StatusChange(to=S.pending, note="recoupment letter"))
    c = stored(session, claim.id)
    assert (c.status, c.close_reason, c.close_note) == (S.pending, None, "")
    [(_, changes)] = audit_events(session)
    assert changes["close_reason"] == ["written_off", None]


# --- follow-up, versions -----------------------------------------------------------------------------------


def test_a_status_change_can_set_the_next_follow_up(session, payer):
    claim = claim_in(session, payer, S.accepted, next_follow_up=days(-2))
    move(session, claim, StatusChange(to=S.pending, next_follow_up=days(14)))
    assert stored(session, claim.id).next_follow_up == days(14)
    assert billing.work_queue(session, TODAY, actor="tests").total == 0
    with pytest.raises(ServiceError, match="the next follow-up date cannot be in the past"):
        move(session, claim, StatusChange(to=S.paid, next_follow_up=days(-1)))


def test_a_status_change_without_a_follow_up_puts_the_claim_back_in_the_queue(session, payer):
    claim = claim_in(session, payer, S.pending, next_follow_up=days(10))
    move(session, claim, valid_change(S.denied))
    assert stored(session, claim.id).next_follow_up is None
    [row] = billing.work_queue(session, TODAY, actor="tests").rows
    assert (row.number, row.denial_code, row.deadline) == (claim.number, "197", APPEAL_DEADLINE)


def test_a_stale_version_and_a_missing_claim_are_refused(session, payer):
    claim = claim_in(session, payer, S.pending)
    with pytest.raises(StaleEdit):
        move(session, claim, valid_change(S.paid), version=5)
    session.rollback()
    assert stored(session, claim.id).status is S.pending
    assert session.exec(select(ClaimEvent)).all() == []
    with pytest.raises(ServiceError, match="no longer exists"):
        change_status(session, 999, valid_change(S.paid), today=TODAY, now=NOW, actor=ACTOR, expected_version=None)
    # no expected version: no check
    change_status(session, claim.id, valid_change(S.paid), today=TODAY, now=NOW, actor=ACTOR, expected_version=None)
    assert stored(session, claim.id).status is S.paid


# --- input validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"to": S.denied}, "a denial needs its CARC code"),
        ({"to": S.denied, "denial_code": "abc"}, "a CARC code is a number like 197"),
        ({"to": S.denied, "denial_code": "1234"}, "a CARC code is a number like 197"),
        ({"to": S.denied, "denial_code": "XX-197"}, "a CARC code is a number like 197"),
        ({"to": S.denied, "denial_code": "197", "denial_group": "ZZ"}, "the group code is CO .contractual"),
        ({"to": S.denied, "denial_code": "CO-197", "denial_group": "PR"},
         "the code says group CO but the group field says PR"),
        ({"to": S.paid, "denial_code": "45"}, "a CARC code goes with a denial only"),
        ({"to": S.closed}, "say why the claim is closed: paid, written off, or sent to the patient"),
        ({"to": S.closed, "close_reason": "written_off", "note": "  "}, "say why the balance is written off"),
        ({"to": S.closed, "close_reason": "sent_to_patient"}, "say what the patient was sent"),
        ({"to": S.pending, "close_reason": "paid"}, "a close reason goes with closing the claim only"),
        ({"to": S.paid, "paid_cents": 0}, r"a payment must be more than \$0.00"),
        ({"to": S.denied, "denial_code": "16", "paid_cents": 100}, "a payment is posted only when the claim becomes"),
        ({"to": S.pending, "paid_cents": 100}, "going back to pending, an amount is a take-back"),
        ({"to": S.appealed, "note": "x" * 301}, "keep the note under 300 characters"),
        ({"to": "lost"}, "Input should be"),
    ],
)
def test_status_change_input_is_checked(fields, message):
    with pytest.raises(ValidationError, match=message):
        StatusChange(**fields)


def test_status_change_input_is_normalized():
    data = StatusChange(to=S.denied, denial_code=" co-197 ")
    assert (data.denial_code, data.denial_group) == ("197", "CO")
    data = StatusChange(to=S.denied, denial_code="b7", denial_group="oa")
    assert (data.denial_code, data.denial_group) == ("B7", "OA")
    data = StatusChange(to=S.closed, close_reason="written_off", note="  bad debt  ")
    assert (data.close_reason, data.note) == (CloseReason.written_off, "bad debt")
    assert StatusChange(to=S.paid).paid_cents is None


def test_writing_off_records_the_adjustment_and_reopening_takes_it_back(session, payer):
    # Workflow 8: before, a written-off claim kept its balance and its history said "partly paid → closed".
    claim = make_claim(session, payer=payer, number="WO-1", service_date=SERVICE_DATE, billed_cents=10_000,
                       paid_cents=6_000, adjusted_cents=1_000, status=S.partly_paid)
    move(session, claim, StatusChange(to=S.closed, close_reason=CloseReason.written_off, note="small balance"))

    after = stored(session, claim.id)
    assert (after.written_off_cents, after.balance_cents, after.paid_cents) == (3_000, 0, 6_000)
    [event] = session.exec(select(ClaimEvent)).all()
    assert (event.from_status, event.to_status, event.text) == ("partly_paid", "written_off",
                                                                 "wrote off $30.00: small balance")
    assert billing.claim_detail(session, claim.id, actor="tests").claim.balance_cents == 0

    move(session, after, StatusChange(to=S.pending))
    reopened = stored(session, claim.id)
    assert (reopened.written_off_cents, reopened.balance_cents, reopened.close_reason) == (0, 3_000, None)


def test_closing_as_sent_to_the_patient_writes_nothing_off(session, payer):
    claim = make_claim(session, payer=payer, number="SP-1", service_date=SERVICE_DATE, billed_cents=10_000,
                       paid_cents=6_000, status=S.partly_paid)
    move(session, claim, StatusChange(to=S.closed, close_reason=CloseReason.sent_to_patient, note="statement"))
    after = stored(session, claim.id)
    assert (after.written_off_cents, after.balance_cents) == (0, 4_000)
    [event] = session.exec(select(ClaimEvent)).all()
    assert event.to_status == "closed"
