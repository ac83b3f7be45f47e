from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    audit_events,
    make_claim,
    make_patient,
    make_payer,
)
from officemgr.models import Claim, ClaimNote, ClaimNoteCreate, ClaimStatus, NoteAction, Payer
from officemgr.services import billing
from officemgr.services.common import ServiceError, StaleEdit


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def _claim(status: ClaimStatus, service_date: date, denied_on: date | None = None) -> Claim:
    return Claim(number="X", patient_id=1, payer_id=1, service_date=service_date, billed_cents=100, status=status,
                 denied_on=denied_on)


MEDICARE = Payer(name="Medicare", timely_filing_days=365, appeal_days=120)
COMMERCIAL = Payer(name="Commercial", timely_filing_days=90, appeal_days=180)


# --- claim_deadline -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [ClaimStatus.draft, ClaimStatus.submitted, ClaimStatus.rejected])
def test_timely_filing_deadline_counts_from_the_service_date_until_filed(status):
    assert billing.claim_deadline(_claim(status, date(2025, 11, 24)), MEDICARE) == date(2026, 11, 24)
    assert billing.claim_deadline(_claim(status, date(2026, 9, 1)), COMMERCIAL) == date(2026, 11, 30)


@pytest.mark.parametrize(("service_date", "weekday"), [(date(2025, 11, 28), "Sat"), (date(2025, 11, 29), "Sun")])
def test_a_weekend_filing_deadline_moves_to_monday(service_date, weekday):
    raw = service_date + timedelta(days=365)
    assert f"{raw:%a}" == weekday
    assert billing.claim_deadline(_claim(ClaimStatus.submitted, service_date), MEDICARE) == date(2026, 11, 30)


def test_appeal_deadline_counts_from_the_denial_date():
    claim = _claim(ClaimStatus.denied, date(2026, 1, 5), denied_on=date(2026, 6, 1))
    # 180 days after 06/01 is Saturday 11/28: moved to Monday 11/30
    assert billing.claim_deadline(claim, COMMERCIAL) == date(2026, 11, 30)
    claim = _claim(ClaimStatus.denied, date(2026, 1, 5), denied_on=date(2026, 6, 3))
    assert billing.claim_deadline(claim, COMMERCIAL) == date(2026, 11, 30)  # Monday itself
    claim = _claim(ClaimStatus.denied, date(2026, 1, 5), denied_on=date(2026, 10, 1))
    assert billing.claim_deadline(claim, MEDICARE) == date(2027, 1, 29)


@pytest.mark.parametrize(
    "status",
    [ClaimStatus.accepted, ClaimStatus.pending, ClaimStatus.paid, ClaimStatus.partly_paid, ClaimStatus.appealed,
     ClaimStatus.closed],
)
def test_no_deadline_once_filed_and_not_denied(status):
    assert billing.claim_deadline(_claim(status, date(2026, 1, 5)), MEDICARE) is None


def test_a_denied_claim_without_a_denial_date_has_no_deadline():
    assert billing.claim_deadline(_claim(ClaimStatus.denied, date(2026, 1, 5)), MEDICARE) is None


def test_next_weekday():
    assert billing.next_weekday(date(2026, 11, 27)) == date(2026, 11, 27)  # Friday
    assert billing.next_weekday(date(2026, 11, 28)) == date(2026, 11, 30)
    assert billing.next_weekday(date(2026, 11, 29)) == date(2026, 11, 30)


# --- aging_bucket -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "bucket"),
    [(0, "0–30"), (30, "0–30"), (31, "31–60"), (60, "31–60"), (61, "61–90"), (90, "61–90"), (91, "91–120"),
     (120, "91–120"), (121, "120+"), (800, "120+")],
)
def test_aging_bucket_boundaries(age, bucket):
    assert billing.aging_bucket(TODAY - timedelta(days=age), TODAY) == bucket


# --- work_queue ---------------------------------------------------------------------------------------


def test_work_queue_orders_by_deadline_then_balance_then_age_with_no_deadline_last(session):
    payer = make_payer(session, name="Aetna")
    patient = make_patient(session)

    def claim(number, deadline, billed, age, status=ClaimStatus.submitted):
        return make_claim(session, number=number, patient=patient, payer=payer, deadline=deadline,
                          billed_cents=billed, service_date=days(-age), status=status)

    claim("NONE-SMALL", None, 500, 40, ClaimStatus.pending)
    claim("D5-SMALL", days(5), 1_000, 10)
    claim("NONE-BIG-NEW", None, 90_000, 20, ClaimStatus.pending)
    claim("D2", days(2), 100, 10)
    claim("D5-BIG", days(5), 50_000, 10)
    claim("NONE-BIG-OLD", None, 90_000, 70, ClaimStatus.accepted)
    claim("D5-SMALL-OLD", days(5), 1_000, 50)
    claim("PASSED", days(-3), 10, 10, ClaimStatus.denied)

    page = billing.work_queue(session, TODAY)

    assert [r.number for r in page.rows] == [
        "PASSED", "D2", "D5-BIG", "D5-SMALL-OLD", "D5-SMALL", "NONE-BIG-OLD", "NONE-BIG-NEW", "NONE-SMALL"]
    assert (page.total, page.offset) == (8, 0)
    first = page.rows[0]
    assert (first.days_to_deadline, first.deadline, first.status, first.payer_name, first.patient_name) == (
        -3, days(-3), ClaimStatus.denied, "Aetna", "Lovelace, Ada")
    old = page.rows[5]
    assert (old.deadline, old.days_to_deadline, old.bucket, old.balance_cents) == (None, None, "61–90", 90_000)


def test_work_queue_balance_is_billed_minus_paid(session):
    make_claim(session, number="A", billed_cents=10_000, paid_cents=9_000, status=ClaimStatus.partly_paid)
    make_claim(session, number="B", billed_cents=5_000, paid_cents=0, status=ClaimStatus.pending)
    rows = billing.work_queue(session, TODAY).rows
    assert [(r.number, r.balance_cents) for r in rows] == [("B", 5_000), ("A", 1_000)]


def test_work_queue_pages(session):
    for n in range(5):
        make_claim(session, number=f"C{n}", deadline=days(n + 1))

    page = billing.work_queue(session, TODAY, offset=2, limit=2)
    assert ([r.number for r in page.rows], page.offset, page.total) == (["C2", "C3"], 2, 5)
    last = billing.work_queue(session, TODAY, offset=4, limit=2)
    assert ([r.number for r in last.rows], last.total) == (["C4"], 5)
    beyond = billing.work_queue(session, TODAY, offset=10, limit=2)
    assert (beyond.rows, beyond.total) == ([], 5)


def test_work_queue_leaves_out_closed_and_snoozed_claims(session):
    make_claim(session, number="DUE-TODAY", next_follow_up=TODAY)
    make_claim(session, number="WAS-DUE", next_follow_up=days(-4))
    make_claim(session, number="SNOOZED", next_follow_up=days(1))
    make_claim(session, number="PAID", status=ClaimStatus.paid, paid_cents=15_000)
    make_claim(session, number="CLOSED", status=ClaimStatus.closed)
    make_claim(session, number="PLAIN")

    page = billing.work_queue(session, TODAY)

    assert sorted(r.number for r in page.rows) == ["DUE-TODAY", "PLAIN", "WAS-DUE"]
    assert page.total == 3
    # tomorrow the snoozed claim comes back
    assert "SNOOZED" in {r.number for r in billing.work_queue(session, days(1)).rows}


def test_work_queue_text_filter(session):
    aetna = make_payer(session, name="Aetna")
    cigna = make_payer(session, name="Cigna")
    ada = make_patient(session, first_name="Ada", last_name="Lovelace")
    alan = make_patient(session, first_name="Alan", last_name="Turing")
    make_claim(session, number="CL-100", patient=ada, payer=aetna)
    make_claim(session, number="CL-200", patient=alan, payer=cigna, status=ClaimStatus.denied,
               denial_code="CO-197", denied_on=days(-2))
    make_claim(session, number="CL-300", patient=alan, payer=aetna)

    def numbers(text):
        page = billing.work_queue(session, TODAY, text=text)
        assert page.total == len(page.rows)
        return sorted(r.number for r in page.rows)

    assert numbers("turing") == ["CL-200", "CL-300"]
    assert numbers("ADA") == ["CL-100"]
    assert numbers("aetna") == ["CL-100", "CL-300"]
    assert numbers("cl-2") == ["CL-200"]
    assert numbers("denied") == ["CL-200"]
    assert numbers("co-197") == ["CL-200"]
    assert numbers("turing aetna") == ["CL-300"]
    assert numbers("nobody") == []
    assert numbers("") == ["CL-100", "CL-200", "CL-300"]


def test_deadlines_within_and_follow_ups_due(session):
    make_claim(session, number="PASSED", deadline=days(-1))
    make_claim(session, number="IN15", deadline=days(15))
    make_claim(session, number="IN16", deadline=days(16))
    make_claim(session, number="NONE", deadline=None, status=ClaimStatus.pending, next_follow_up=TODAY)
    make_claim(session, number="PAID", deadline=days(3), status=ClaimStatus.paid)
    make_claim(session, number="LATER", deadline=days(40), next_follow_up=days(2))

    assert [r.number for r in billing.deadlines_within(session, TODAY)] == ["PASSED", "IN15"]
    assert billing.follow_ups_due(session, TODAY) == 1


# --- refresh_deadlines --------------------------------------------------------------------------------


def test_refresh_deadlines_recomputes_open_claims_only(session):
    payer = make_payer(session, timely_filing_days=90, appeal_days=60)
    draft = make_claim(session, payer=payer, status=ClaimStatus.draft, service_date=date(2026, 9, 1), deadline=None)
    denied = make_claim(session, payer=payer, status=ClaimStatus.denied, denied_on=date(2026, 11, 2),
                        deadline=date(2020, 1, 1))
    pending = make_claim(session, payer=payer, status=ClaimStatus.pending, deadline=date(2020, 1, 1))
    correct = make_claim(session, payer=payer, status=ClaimStatus.submitted, service_date=date(2026, 10, 5))
    closed = make_claim(session, payer=payer, status=ClaimStatus.closed, deadline=date(2020, 1, 1))

    assert billing.refresh_deadlines(session) == 3

    stored = {c.id: c.deadline for c in session.exec(select(Claim).execution_options(populate_existing=True))}
    assert stored == {
        draft.id: date(2026, 11, 30),
        denied.id: date(2027, 1, 1),
        pending.id: None,
        correct.id: date(2027, 1, 4),  # 90 days after 10/05 is Sunday 01/03
        closed.id: date(2020, 1, 1),
    }
    assert billing.refresh_deadlines(session) == 0

    # a payer's limit changes: the claims follow
    payer.timely_filing_days = 120
    session.add(payer)
    session.commit()
    assert billing.refresh_deadlines(session) == 2
    session.expire_all()
    assert session.get(Claim, draft.id).deadline == date(2026, 12, 30)


# --- add_note -----------------------------------------------------------------------------------------


def test_note_input_refuses_a_past_follow_up_date_and_an_empty_note():
    with pytest.raises(ValidationError, match="the next follow-up date cannot be in the past"):
        ClaimNoteCreate(text="called", next_follow_up=days(-1), today=TODAY)
    with pytest.raises(ValidationError, match="write what happened, or pick an action"):
        ClaimNoteCreate(text="   ", today=TODAY)
    assert ClaimNoteCreate(action=NoteAction.resubmitted, today=TODAY).text == ""
    assert ClaimNoteCreate(text="x", next_follow_up=TODAY, today=TODAY).next_follow_up == TODAY


def test_add_note_snoozes_the_claim_bumps_its_version_and_audits(session):
    claim = make_claim(session, number="CL-1")
    later = datetime(2026, 11, 23, 11, 0)
    data = ClaimNoteCreate(action=NoteAction.called_payer, text=" spoke to Kim, reprocessing ",
                           next_follow_up=days(7), today=TODAY)

    note = billing.add_note(session, claim.id, data, now=later, actor="biller", expected_version=1)

    stored_note = session.exec(select(ClaimNote)).one()
    assert stored_note.id == note.id
    assert (stored_note.claim_id, stored_note.at, stored_note.actor, stored_note.action, stored_note.text,
            stored_note.next_follow_up) == (claim.id, later, "biller", NoteAction.called_payer,
                                            "spoke to Kim, reprocessing", days(7))
    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert (stored.next_follow_up, stored.last_activity, stored.version) == (days(7), TODAY, 2)
    [(event, changes)] = audit_events(session)
    assert (event.actor, event.entity, event.entity_id, event.action, event.at) == (
        "biller", "claim", claim.id, "note", later)
    assert changes == {"action": "called_payer", "note_id": note.id, "next_follow_up": [None, "2026-11-30"]}
    # snoozed: out of today's queue, back on the follow-up date
    assert billing.work_queue(session, TODAY).total == 0
    assert [r.claim_id for r in billing.work_queue(session, days(7)).rows] == [claim.id]


def test_add_note_without_a_follow_up_keeps_the_claim_in_the_queue(session):
    claim = make_claim(session, number="CL-1")
    data = ClaimNoteCreate(text="left a voicemail", today=TODAY)

    note = billing.add_note(session, claim.id, data, now=NOW, actor=ACTOR, expected_version=None)

    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert (stored.next_follow_up, stored.last_activity, stored.version) == (None, TODAY, 2)
    [(event, changes)] = audit_events(session)
    assert (event.entity, event.entity_id, event.action) == ("claim", claim.id, "note")
    assert changes == {"action": "note", "note_id": note.id}
    assert [r.claim_id for r in billing.work_queue(session, TODAY).rows] == [claim.id]
    detail = billing.claim_detail(session, claim.id)
    assert [n.text for n in detail.notes] == ["left a voicemail"]
    assert (detail.patient_name, detail.payer.id) == ("Lovelace, Ada", claim.payer_id)


def test_add_note_refuses_a_stale_version_and_a_missing_claim(session):
    claim = make_claim(session)
    data = ClaimNoteCreate(text="x", today=TODAY)
    with pytest.raises(StaleEdit):
        billing.add_note(session, claim.id, data, now=NOW, actor=ACTOR, expected_version=7)
    session.rollback()
    assert session.exec(select(ClaimNote)).all() == []
    assert audit_events(session) == []
    with pytest.raises(ServiceError, match="no longer exists"):
        billing.add_note(session, 999, data, now=NOW, actor=ACTOR, expected_version=None)
