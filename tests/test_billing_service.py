from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import event
from sqlmodel import select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    audit_events,
    make_carc_codes,
    make_claim,
    make_patient,
    make_payer,
)
from officemgr.models import (
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimNote,
    ClaimNoteCreate,
    ClaimStatus,
    NoteAction,
    Payer,
)
from officemgr.services import billing, claim_flow, settings
from officemgr.services.billing import QueueFilter
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


@pytest.mark.parametrize(
    ("service_date", "payer", "deadline"),
    [
        (date(2024, 2, 29), MEDICARE, date(2025, 2, 28)),  # a leap-day visit: 365 days later is 02/28 (Friday)
        (date(2027, 3, 1), MEDICARE, date(2028, 2, 29)),  # 365 days run into the leap day itself (Tuesday)
        (date(2028, 2, 29), COMMERCIAL, date(2028, 5, 30)),  # 90 days from a leap day: Memorial Day 05/29 -> 05/30
        (date(2028, 1, 15), COMMERCIAL, date(2028, 4, 14)),  # 90 days across February's 29 days
    ],
)
def test_leap_years_count_their_extra_day(service_date, payer, deadline):
    assert billing.claim_deadline(_claim(ClaimStatus.submitted, service_date), payer) == deadline


def test_a_leap_day_deadline_on_a_weekend_moves_to_monday():
    payer = Payer(name="P", timely_filing_days=180, appeal_days=180)
    # 180 days after 02/29/2028 is Sunday 08/27
    assert billing.claim_deadline(_claim(ClaimStatus.draft, date(2028, 2, 29)), payer) == date(2028, 8, 28)
    # an appeal deadline from a leap-day denial
    denied = _claim(ClaimStatus.denied, date(2028, 1, 3), denied_on=date(2028, 2, 29))
    assert billing.claim_deadline(denied, payer) == date(2028, 8, 28)


MEDICARE_MONTHS = Payer(name="Medicare", timely_filing_months=12, appeal_days=120)


@pytest.mark.parametrize(
    ("service_date", "months", "deadline"),
    [
        (date(2023, 3, 15), 12, date(2024, 3, 15)),  # calendar months, not 365 days (2024 is a leap year)
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # no Feb 29 in 2025: the month's last day (Friday)
        (date(2027, 2, 28), 12, date(2028, 2, 28)),  # a Feb 28 visit stays on the 28th in a leap year (Monday)
        (date(2026, 8, 31), 6, date(2027, 3, 1)),  # 6 months after 08/31 is Sunday 02/28: moved to Monday 03/01
        (date(2027, 1, 31), 1, date(2027, 3, 1)),  # one month after 01/31 is the month's last day, Sunday 02/28
        (date(2026, 10, 30), 1, date(2026, 11, 30)),  # 30th to 30th (Monday)
    ],
)
def test_timely_filing_in_months_counts_calendar_months(service_date, months, deadline):
    payer = Payer(name="P", timely_filing_months=months, appeal_days=120)
    assert billing.claim_deadline(_claim(ClaimStatus.submitted, service_date), payer) == deadline


@pytest.mark.parametrize(
    ("service_date", "payer", "deadline", "why"),
    [
        (date(2025, 11, 22), MEDICARE_MONTHS, date(2026, 11, 23), "Sunday 11/22 -> Monday"),
        (date(2025, 11, 21), MEDICARE_MONTHS, date(2026, 11, 23), "Saturday 11/21 -> Monday"),
        (date(2025, 11, 11), MEDICARE_MONTHS, date(2026, 11, 12), "Veterans Day (Wednesday) -> Thursday"),
        (date(2025, 11, 26), MEDICARE_MONTHS, date(2026, 11, 27), "Thanksgiving -> Friday"),
        (date(2025, 12, 25), MEDICARE_MONTHS, date(2026, 12, 28), "Christmas (Friday) -> Monday"),
        (date(2026, 6, 23), COMMERCIAL, date(2026, 9, 21), "exactly 90 days, a Monday: no move"),
        (date(2026, 6, 9), COMMERCIAL, date(2026, 9, 8), "90 days is Labor Day 09/07 -> Tuesday"),
        (date(2026, 1, 4), MEDICARE, date(2027, 1, 4), "exactly 365 days, a Monday: no move"),
    ],
)
def test_a_deadline_on_a_weekend_or_federal_holiday_moves_to_the_next_business_day(service_date, payer, deadline,
                                                                                   why):
    assert billing.claim_deadline(_claim(ClaimStatus.draft, service_date), payer) == deadline, why


def test_an_appeal_deadline_on_a_federal_holiday_moves_past_it():
    # 180 days after 07/08/2026 is Monday 01/04/2027; 180 days after 07/22/2026 is MLK Day, Monday 01/18/2027
    assert billing.claim_deadline(_claim(ClaimStatus.denied, date(2026, 6, 1), denied_on=date(2026, 7, 8)),
                                  COMMERCIAL) == date(2027, 1, 4)
    assert billing.claim_deadline(_claim(ClaimStatus.denied, date(2026, 6, 1), denied_on=date(2026, 7, 22)),
                                  COMMERCIAL) == date(2027, 1, 19)


def test_the_practices_own_closure_does_not_move_a_payers_deadline(session):
    from officemgr.models import ClosureCreate
    from officemgr.services import calendar

    calendar.add_closure(session, ClosureCreate(day=date(2027, 1, 4), reason="Flooded"), now=NOW, actor=ACTOR)
    session.commit()
    claim = _claim(ClaimStatus.draft, date(2026, 1, 4))
    assert billing.claim_deadline(claim, MEDICARE) == date(2027, 1, 4)


def test_filing_limit_text_says_the_unit_the_payer_uses():
    assert billing.filing_limit_text(MEDICARE_MONTHS) == "12 months"
    assert billing.filing_limit_text(Payer(name="P", timely_filing_months=1, appeal_days=1)) == "1 month"
    assert billing.filing_limit_text(MEDICARE) == "365 days"


# --- aging_bucket -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "bucket"),
    [(0, "0–30"), (30, "0–30"), (31, "31–60"), (60, "31–60"), (61, "61–90"), (90, "61–90"), (91, "91–120"),
     (120, "91–120"), (121, "120+"), (800, "120+")],
)
def test_aging_bucket_boundaries(age, bucket):
    assert billing.aging_bucket(TODAY - timedelta(days=age), TODAY) == bucket


@pytest.mark.parametrize(
    ("edges", "labels"),
    [
        ([30, 60, 90, 120], ["0–30", "31–60", "61–90", "91–120", "120+"]),
        ([45, 90], ["0–45", "46–90", "90+"]),
        ([90, 30, 30], ["0–30", "31–90", "90+"]),  # sorted, duplicates dropped
        ([], ["0–30", "31–60", "61–90", "91–120", "120+"]),  # an empty setting falls back to the default
    ],
)
def test_bucket_labels_follow_the_setting(session, edges, labels):
    settings.put(session, "aging_bucket_edges", edges, now=NOW, actor=ACTOR)
    assert billing.bucket_labels(session) == labels


@pytest.mark.parametrize(
    ("age", "bucket"), [(0, "0–45"), (45, "0–45"), (46, "46–90"), (90, "46–90"), (91, "90+"), (400, "90+")]
)
def test_aging_bucket_with_custom_edges(age, bucket):
    assert billing.aging_bucket(TODAY - timedelta(days=age), TODAY, (45, 90)) == bucket


def test_a_future_date_is_in_the_first_bucket():
    assert billing.aging_bucket(TODAY + timedelta(days=3), TODAY) == "0–30"


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

    page = billing.work_queue(session, TODAY, actor="tests")

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
    rows = billing.work_queue(session, TODAY, actor="tests").rows
    assert [(r.number, r.balance_cents) for r in rows] == [("B", 5_000), ("A", 1_000)]


def test_work_queue_pages(session):
    for n in range(5):
        make_claim(session, number=f"C{n}", deadline=days(n + 1))

    page = billing.work_queue(session, TODAY, offset=2, limit=2, actor="tests")
    assert ([r.number for r in page.rows], page.offset, page.total) == (["C2", "C3"], 2, 5)
    last = billing.work_queue(session, TODAY, offset=4, limit=2, actor="tests")
    assert ([r.number for r in last.rows], last.total) == (["C4"], 5)
    beyond = billing.work_queue(session, TODAY, offset=10, limit=2, actor="tests")
    assert (beyond.rows, beyond.total) == ([], 5)


def test_work_queue_leaves_out_closed_and_snoozed_claims(session):
    make_claim(session, number="DUE-TODAY", next_follow_up=TODAY)
    make_claim(session, number="WAS-DUE", next_follow_up=days(-4))
    make_claim(session, number="SNOOZED", next_follow_up=days(1))
    make_claim(session, number="PAID", status=ClaimStatus.paid, paid_cents=15_000)
    make_claim(session, number="CLOSED", status=ClaimStatus.closed)
    make_claim(session, number="PLAIN")

    page = billing.work_queue(session, TODAY, actor="tests")

    assert sorted(r.number for r in page.rows) == ["DUE-TODAY", "PLAIN", "WAS-DUE"]
    assert page.total == 3
    # tomorrow the snoozed claim comes back
    assert "SNOOZED" in {r.number for r in billing.work_queue(session, days(1), actor="tests").rows}


def test_work_queue_text_filter(session):
    aetna = make_payer(session, name="Aetna")
    cigna = make_payer(session, name="Cigna")
    ada = make_patient(session, first_name="Ada", last_name="Lovelace")
    alan = make_patient(session, first_name="Alan", last_name="Turing")
    make_claim(session, number="CL-100", patient=ada, payer=aetna)
    make_claim(session, number="CL-200", patient=alan, payer=cigna, status=ClaimStatus.denied,
               denial_code="197", denial_group="CO", denied_on=days(-2))
    make_claim(session, number="CL-300", patient=alan, payer=aetna)

    def numbers(text):
        page = billing.work_queue(session, TODAY, filters=billing.QueueFilter(text=text), actor="tests")
        assert page.total == len(page.rows)
        return sorted(r.number for r in page.rows)

    assert numbers("turing") == ["CL-200", "CL-300"]
    assert numbers("ADA") == ["CL-100"]
    assert numbers("aetna") == ["CL-100", "CL-300"]
    assert numbers("cl-2") == ["CL-200"]
    assert numbers("denied") == ["CL-200"]
    assert numbers("co-197") == ["CL-200"]
    assert numbers("197") == ["CL-200"]
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
    assert billing.work_queue(session, TODAY, actor="tests").total == 0
    assert [r.claim_id for r in billing.work_queue(session, days(7), actor="tests").rows] == [claim.id]


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
    assert [r.claim_id for r in billing.work_queue(session, TODAY, actor="tests").rows] == [claim.id]
    detail = billing.claim_detail(session, claim.id, actor="tests")
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


# --- the queue: escalation, investigation, reasons, filters -------------------------------------------


def test_claims_near_their_deadline_are_escalated_to_the_top_whatever_their_follow_up(session):
    recent = days(-2)
    make_claim(session, number="NONE-BIG", deadline=None, status=ClaimStatus.pending, billed_cents=900_000,
               last_activity=recent)
    make_claim(session, number="D16-SNOOZED", deadline=days(16), next_follow_up=days(3), last_activity=recent)
    make_claim(session, number="D16-DUE", deadline=days(16), last_activity=recent)
    make_claim(session, number="D15", deadline=days(15), next_follow_up=days(30), last_activity=recent)
    make_claim(session, number="D10-SNOOZED", deadline=days(10), next_follow_up=days(5), last_activity=recent)
    make_claim(session, number="TODAY", deadline=TODAY, next_follow_up=days(5), last_activity=recent)
    make_claim(session, number="PASSED", deadline=days(-2), next_follow_up=days(5), last_activity=recent)

    rows = billing.work_queue(session, TODAY, actor="tests").rows

    assert [(r.number, r.escalated, r.reason) for r in rows] == [
        ("PASSED", True, "deadline passed"),
        ("TODAY", True, "deadline today"),
        ("D10-SNOOZED", True, "deadline in 10 days"),
        ("D15", True, "deadline in 15 days"),
        ("D16-DUE", False, "no follow-up date"),
        ("NONE-BIG", False, "no follow-up date"),
    ]


def test_the_escalation_window_is_a_setting(session):
    make_claim(session, number="D20", deadline=days(20), next_follow_up=days(5), last_activity=TODAY)
    assert billing.work_queue(session, TODAY, actor="tests").total == 0
    settings.put(session, "deadline_escalate_days", 20, now=NOW, actor=ACTOR)
    [row] = billing.work_queue(session, TODAY, actor="tests").rows
    assert (row.number, row.escalated, row.reason) == ("D20", True, "deadline in 20 days")


def test_escalated_first_then_deadline_then_balance_then_age(session):
    # Two escalated claims and, below them, claims ordered by deadline, then balance, then age.
    def claim(number, deadline, billed, age, **kw):
        make_claim(session, number=number, deadline=deadline, billed_cents=billed, service_date=days(-age),
                   last_activity=TODAY, **kw)

    claim("LATE-SMALL", days(40), 100, 10)
    claim("ESC-LATER", days(12), 100, 5)
    claim("LATE-BIG", days(40), 50_000, 10)
    claim("ESC-SOON", days(3), 100, 5, next_follow_up=days(9))
    claim("LATE-BIG-OLD", days(40), 50_000, 19)
    claim("EARLIER", days(30), 100, 1)

    assert [r.number for r in billing.work_queue(session, TODAY, actor="tests").rows] == [
        "ESC-SOON", "ESC-LATER", "EARLIER", "LATE-BIG-OLD", "LATE-BIG", "LATE-SMALL"]


def test_balance_counts_adjustments_and_patient_share(session):
    make_claim(session, number="NET-4000", billed_cents=10_000, adjusted_cents=5_000, patient_resp_cents=1_000,
               status=ClaimStatus.partly_paid, deadline=None)
    make_claim(session, number="NET-5000", billed_cents=5_000, status=ClaimStatus.pending, deadline=None)
    make_claim(session, number="NET-4500", billed_cents=9_000, paid_cents=4_000, patient_resp_cents=500,
               status=ClaimStatus.partly_paid, deadline=None)
    rows = billing.work_queue(session, TODAY, actor="tests").rows
    assert [(r.number, r.balance_cents) for r in rows] == [("NET-5000", 5_000), ("NET-4500", 4_500),
                                                           ("NET-4000", 4_000)]


def test_a_snoozed_claim_comes_back_as_needs_investigation_after_21_days_without_activity(session):
    claim = make_claim(session, number="E", status=ClaimStatus.pending, deadline=None)
    billing.add_note(session, claim.id, ClaimNoteCreate(text="payer says 45 days", next_follow_up=days(45),
                                                        today=TODAY), now=NOW, actor=ACTOR, expected_version=1)

    assert billing.work_queue(session, TODAY, actor="tests").total == 0
    assert billing.work_queue(session, days(20), actor="tests").total == 0
    [row] = billing.work_queue(session, days(21), actor="tests").rows
    assert (row.number, row.reason, row.escalated, row.paper) == (
        "E", "needs investigation: no activity for 21 days", False, False)


def test_a_paper_claim_needs_investigation_after_30_days(session):
    claim = make_claim(session, number="P", status=ClaimStatus.pending, deadline=None, paper=True)
    billing.add_note(session, claim.id, ClaimNoteCreate(text="mailed", next_follow_up=days(60), today=TODAY),
                     now=NOW, actor=ACTOR, expected_version=1)

    assert billing.work_queue(session, days(21), actor="tests").total == 0
    assert billing.work_queue(session, days(29), actor="tests").total == 0
    [row] = billing.work_queue(session, days(30), actor="tests").rows
    assert (row.number, row.reason, row.paper) == ("P", "needs investigation: no activity for 30 days", True)


def test_without_activity_the_submission_then_the_service_date_count(session):
    snooze = {"next_follow_up": days(30), "deadline": None, "status": ClaimStatus.pending}
    make_claim(session, number="SUBMITTED-21", submitted_on=days(-21), service_date=days(-40), **snooze)
    make_claim(session, number="SUBMITTED-20", submitted_on=days(-20), service_date=days(-40), **snooze)
    make_claim(session, number="SERVICE-25", service_date=days(-25), **snooze)
    make_claim(session, number="ACTIVE", last_activity=days(-3), submitted_on=days(-40), service_date=days(-50),
               **snooze)
    rows = billing.work_queue(session, TODAY, actor="tests").rows
    assert sorted((r.number, r.reason) for r in rows) == [
        ("SERVICE-25", "needs investigation: no activity for 25 days"),
        ("SUBMITTED-21", "needs investigation: no activity for 21 days"),
    ]


def test_investigation_thresholds_are_a_setting(session):
    make_claim(session, number="E10", last_activity=days(-10), next_follow_up=days(9), deadline=None,
               status=ClaimStatus.pending)
    make_claim(session, number="P10", last_activity=days(-10), next_follow_up=days(9), deadline=None,
               status=ClaimStatus.pending, paper=True)
    settings.put(session, "investigate_after_days", {"electronic": 10, "paper": 14}, now=NOW, actor=ACTOR)
    assert [r.number for r in billing.work_queue(session, TODAY, actor="tests").rows] == ["E10"]


def test_each_row_says_why_it_is_in_the_queue(session):
    make_carc_codes(session)
    payer = make_payer(session, name="Aetna")
    make_claim(session, number="NEW", payer=payer, service_date=days(-3), deadline=None, status=ClaimStatus.pending)
    make_claim(session, number="DUE", payer=payer, next_follow_up=TODAY, last_activity=days(-7), deadline=None,
               status=ClaimStatus.pending)
    make_claim(session, number="WORKED", payer=payer, last_activity=days(-2), deadline=None,
               status=ClaimStatus.pending)
    make_claim(session, number="SHORT", payer=payer, underpaid_cents=1_250, last_activity=days(-1),
               paid_cents=5_000, status=ClaimStatus.partly_paid, deadline=None)
    make_claim(session, number="DENIED", payer=payer, status=ClaimStatus.denied, denial_code="197",
               denial_group="CO", denied_on=days(-1), last_activity=days(-1), deadline=days(100))
    make_claim(session, number="ODD-CODE", payer=payer, status=ClaimStatus.denied, denial_code="999",
               denied_on=days(-1), last_activity=days(-1), deadline=days(100))

    rows = {r.number: r for r in billing.work_queue(session, TODAY, actor="tests").rows}

    assert {n: r.reason for n, r in rows.items()} == {
        "NEW": "new", "DUE": "follow-up due", "WORKED": "no follow-up date", "SHORT": "underpaid by $12.50",
        "DENIED": "no follow-up date", "ODD-CODE": "no follow-up date"}
    denied = rows["DENIED"]
    assert (denied.denial_code, denied.denial_group, denied.denial_meaning, denied.payer_id, denied.days_to_deadline
            ) == ("197", "CO", "Precertification or authorization absent", payer.id, 100)
    assert (rows["ODD-CODE"].denial_code, rows["ODD-CODE"].denial_meaning) == ("999", "")
    assert (rows["SHORT"].underpaid_cents, rows["SHORT"].balance_cents) == (1_250, 10_000)


def test_queue_filters(session):
    aetna = make_payer(session, name="Aetna")
    cigna = make_payer(session, name="Cigna")
    make_claim(session, number="A-30", payer=aetna, service_date=days(-30), last_activity=TODAY)
    make_claim(session, number="A-31", payer=aetna, service_date=days(-31), last_activity=TODAY,
               status=ClaimStatus.pending, deadline=None)
    make_claim(session, number="C-121", payer=cigna, service_date=days(-121), last_activity=TODAY,
               status=ClaimStatus.denied, denial_code="197", denial_group="CO", denied_on=days(-5))
    make_claim(session, number="C-120", payer=cigna, service_date=days(-120), last_activity=TODAY,
               status=ClaimStatus.denied, denial_code="16", denial_group="CO", denied_on=days(-5))
    make_claim(session, number="C-SNOOZED", payer=cigna, service_date=days(-31), last_activity=TODAY,
               status=ClaimStatus.pending, deadline=None, next_follow_up=days(4))

    def numbers(**kw):
        page = billing.work_queue(session, TODAY, filters=QueueFilter(**kw), actor="tests")
        assert page.total == len(page.rows)
        return sorted(r.number for r in page.rows)

    assert numbers() == ["A-30", "A-31", "C-120", "C-121"]
    assert numbers(payer_id=aetna.id) == ["A-30", "A-31"]
    assert numbers(payer_id=cigna.id) == ["C-120", "C-121"]  # the snoozed one stays out
    assert numbers(status=ClaimStatus.denied) == ["C-120", "C-121"]
    assert numbers(status=ClaimStatus.pending) == ["A-31"]
    assert numbers(bucket="0–30") == ["A-30"]
    assert numbers(bucket="31–60") == ["A-31"]
    assert numbers(bucket="91–120") == ["C-120"]
    assert numbers(bucket="120+") == ["C-121"]
    assert numbers(bucket="61–90") == []
    assert numbers(denial_code="197") == ["C-121"]
    assert numbers(denial_code="co-197") == ["C-121"]
    assert numbers(denial_code="PR-197") == []
    assert numbers(denial_code="16", payer_id=cigna.id, bucket="91–120", status=ClaimStatus.denied) == ["C-120"]
    assert numbers(text="cigna", bucket="120+") == ["C-121"]
    with pytest.raises(ServiceError, match="there is no aging bucket '1–2'; the buckets are 0–30, 31–60"):
        billing.work_queue(session, TODAY, filters=QueueFilter(bucket="1–2"), actor="tests")


def test_bucket_filter_and_row_bucket_follow_the_aging_settings(session):
    make_claim(session, number="SUB-10", service_date=days(-100), submitted_on=days(-10), last_activity=TODAY)
    make_claim(session, number="DRAFT-50", service_date=days(-50), status=ClaimStatus.draft, last_activity=TODAY)
    settings.put(session, "aging_bucket_edges", [14, 60], now=NOW, actor=ACTOR)

    rows = {r.number: r.bucket for r in billing.work_queue(session, TODAY, actor="tests").rows}
    assert rows == {"SUB-10": "60+", "DRAFT-50": "15–60"}

    settings.put(session, "aging_from", "submission", now=NOW, actor=ACTOR)
    rows = {r.number: r.bucket for r in billing.work_queue(session, TODAY, actor="tests").rows}
    assert rows == {"SUB-10": "0–14", "DRAFT-50": "15–60"}  # a draft has no submission: its service date counts
    page = billing.work_queue(session, TODAY, filters=QueueFilter(bucket="0–14"), actor="tests")
    assert [r.number for r in page.rows] == ["SUB-10"]


def test_the_queue_runs_one_query_per_page_and_one_count_whatever_the_number_of_claims(session, engine):
    payer = make_payer(session)
    patient = make_patient(session)
    for n in range(60):
        make_claim(session, number=f"C{n:03d}", payer=payer, patient=patient, deadline=days(n))
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = billing.work_queue(session, TODAY, offset=40, limit=10, actor="tests")
    finally:
        event.remove(engine, "before_cursor_execute", seen)

    assert ([r.number for r in page.rows], page.total) == ([f"C{n:03d}" for n in range(40, 50)], 60)
    claim_queries = [s for s in statements if "FROM claim" in s]
    assert len(claim_queries) == 2
    # The write session's opening: BEGIN IMMEDIATE on SQLite, the workstations' write lock on PostgreSQL.
    others = [s for s in statements
              if s not in claim_queries and not s.startswith(("BEGIN", "SELECT pg_advisory_xact_lock"))]
    assert others and all("FROM setting" in s for s in others)  # settings read by key, nothing else


def test_claim_detail_has_the_status_history_and_the_denial_meaning(session):
    make_carc_codes(session)
    claim = make_claim(session, status=ClaimStatus.pending)
    claim_flow.change_status(session, claim.id, claim_flow.StatusChange(to=ClaimStatus.denied, denial_code="CO-197"),
                             today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    claim_flow.change_status(session, claim.id, claim_flow.StatusChange(to=ClaimStatus.appealed, note="sent notes"),
                             today=TODAY, now=NOW + timedelta(hours=1), actor=ACTOR, expected_version=2)

    detail = billing.claim_detail(session, claim.id, actor="tests")

    assert [(e.from_status, e.to_status, e.code, e.text) for e in detail.events] == [
        ("denied", "appealed", "", "sent notes"), ("pending", "denied", "197", "")]
    assert detail.denial_meaning == "Precertification or authorization absent"
    assert detail.claim.denial_code == "197"


def test_claim_detail_is_a_frozen_read_model_of_the_claim_its_payer_lines_diagnoses_and_notes(session):
    payer = make_payer(session, name="Aetna", timely_filing_days=90, appeal_days=60, phone="(555) 300-1000",
                       portal_note="availity")
    claim = make_claim(session, number="CL-7", payer=payer, service_date=days(-20), billed_cents=18_000,
                       paid_cents=5_000, adjusted_cents=1_000, status=ClaimStatus.denied, denial_code="50",
                       denial_group="CO", denied_on=days(-2), paper=True)
    session.add_all([ClaimLine(claim_id=claim.id, code="99214", modifiers="25", units=1, charge_cents=15_000),
                     ClaimLine(claim_id=claim.id, code="36415", units=2, charge_cents=3_000),
                     ClaimDiagnosis(claim_id=claim.id, position=2, code="I10"),
                     ClaimDiagnosis(claim_id=claim.id, position=1, code="E11.9")])
    session.commit()
    first = billing.add_note(session, claim.id, ClaimNoteCreate(text="called", today=TODAY), now=NOW, actor="lee",
                             expected_version=None)
    second = billing.add_note(session, claim.id, ClaimNoteCreate(action=NoteAction.appealed, next_follow_up=days(30),
                                                                 today=TODAY),
                              now=NOW + timedelta(hours=1), actor="kim", expected_version=None)

    detail = billing.claim_detail(session, claim.id, actor="tests")

    assert detail.claim == billing.ClaimInfo(
        id=claim.id, version=3, number="CL-7", status=ClaimStatus.denied, service_date=days(-20), billed_cents=18_000,
        paid_cents=5_000, balance_cents=12_000, deadline=claim.deadline, denial_code="50", denial_group="CO",
        paper=True, written_off_cents=0)
    assert detail.payer == billing.PayerInfo(id=payer.id, version=1, name="Aetna", timely_filing_days=90,
                                             timely_filing_months=None,
                                             appeal_days=60, phone="(555) 300-1000", portal_note="availity")
    assert detail.lines == (billing.LineRow("99214", "25", 1, 15_000), billing.LineRow("36415", "", 2, 3_000))
    assert detail.diagnoses == ("E11.9", "I10")
    assert detail.notes == (second, first)  # newest first, as add_note returned them
    assert (second.actor, second.action, second.text, second.next_follow_up) == ("kim", NoteAction.appealed, "",
                                                                                 days(30))
    # Nothing in it is a live database row: it is safe to hand to the UI thread.
    for value in (detail, detail.claim, detail.payer, *detail.lines, *detail.notes):
        assert dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen
    with pytest.raises(dataclasses.FrozenInstanceError):
        detail.claim.status = ClaimStatus.paid  # type: ignore[misc]
