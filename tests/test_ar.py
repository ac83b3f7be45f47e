from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import event

from factories import ACTOR, NOW, TODAY, make_claim, make_claim_event, make_payer
from officemgr.models import ClaimStatus
from officemgr.services import ar, settings

S = ClaimStatus


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def at_day(n: int) -> datetime:
    return datetime.combine(ago(n), time(10))


@pytest.fixture
def book(session):
    """Open claims of two payers at the bucket boundaries, and claims that are not A/R."""
    aetna = make_payer(session, name="Aetna")
    cigna = make_payer(session, name="Cigna")

    def claim(payer, age, billed, status=S.pending, **kw):
        return make_claim(session, payer=payer, service_date=ago(age), billed_cents=billed, status=status, **kw)

    claim(aetna, 30, 10_000)
    claim(aetna, 31, 20_000, S.partly_paid, paid_cents=5_000, adjusted_cents=3_000)  # 12,000 left
    claim(aetna, 120, 5_000, patient_resp_cents=1_000)  # 4,000 left
    claim(aetna, 121, 7_000, S.denied)
    claim(cigna, 60, 3_000, S.submitted)
    claim(cigna, 61, 4_000, S.appealed)
    claim(cigna, 90, 1_000, S.partly_paid, paid_cents=1_000)  # nothing left: not listed
    claim(cigna, 91, 2_500, S.draft)
    claim(aetna, 10, 99_999, S.paid, paid_cents=50_000)  # not open
    claim(cigna, 10, 88_888, S.closed)
    make_payer(session, name="Nothing owed")
    return aetna, cigna


def test_aging_by_payer_and_bucket(session, book):
    aetna, cigna = book

    table = ar.aging(session, TODAY, actor="tests")

    assert table.labels == ["0–30", "31–60", "61–90", "91–120", "120+"]
    assert [(r.payer_id, r.payer, r.cents, r.total) for r in table.rows] == [
        (aetna.id, "Aetna", [10_000, 12_000, 0, 4_000, 7_000], 33_000),
        (cigna.id, "Cigna", [0, 3_000, 4_000, 2_500, 0], 9_500),
    ]
    assert (table.totals, table.total, table.counted_from) == (
        [10_000, 15_000, 4_000, 6_500, 7_000], 42_500, "date of service")


def test_aging_with_custom_edges(session, book):
    settings.put(session, "aging_bucket_edges", [45, 90], now=NOW, actor=ACTOR)
    table = ar.aging(session, TODAY, actor="tests")
    assert table.labels == ["0–45", "46–90", "90+"]
    assert [(r.payer, r.cents) for r in table.rows] == [("Aetna", [22_000, 0, 11_000]), ("Cigna", [0, 7_000, 2_500])]
    assert table.totals == [22_000, 7_000, 13_500]


def test_aging_from_submission(session):
    payer = make_payer(session, name="Medicare")
    make_claim(session, payer=payer, service_date=ago(100), submitted_on=ago(30), billed_cents=1_000)
    make_claim(session, payer=payer, service_date=ago(100), submitted_on=ago(31), billed_cents=2_000)
    make_claim(session, payer=payer, service_date=ago(40), status=S.draft, billed_cents=4_000)  # not submitted
    assert ar.aging(session, TODAY, actor="tests").rows[0].cents == [0, 4_000, 0, 3_000, 0]

    settings.put(session, "aging_from", "submission", now=NOW, actor=ACTOR)

    table = ar.aging(session, TODAY, actor="tests")
    assert (table.rows[0].cents, table.counted_from) == ([1_000, 6_000, 0, 0, 0], "submission")


def test_aging_of_an_empty_book(session):
    table = ar.aging(session, TODAY, actor="tests")
    assert (table.rows, table.totals, table.total) == ([], [0, 0, 0, 0, 0], 0)


def _count_claim_queries(engine, run):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        result = run()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return result, len([s for s in statements if "FROM claim" in s or "FROM (SELECT claim" in s])


def test_aging_and_kpis_are_grouped_queries(session, engine, book):
    table, queries = _count_claim_queries(engine, lambda: ar.aging(session, TODAY, actor="tests"))
    assert (table.total, queries) == (42_500, 1)
    result, queries = _count_claim_queries(engine, lambda: ar.kpis(session, TODAY, actor="tests"))
    assert (len(result), queries) == (3, 7)  # A/R, 12-month charges, settled sums, submitted and denied (two each)


# --- KPIs ------------------------------------------------------------------------------------------------


def test_kpis_on_a_hand_computed_set(session):
    payer = make_payer(session)
    # 12 months = the 365 days ending today: services from 11/24/2025 (364 days ago) count
    make_claim(session, payer=payer, service_date=ago(10), billed_cents=36_500, status=S.pending)
    make_claim(session, payer=payer, service_date=ago(100), billed_cents=200_000, paid_cents=150_000,
               adjusted_cents=50_000, status=S.paid)
    make_claim(session, payer=payer, service_date=ago(364), billed_cents=128_500, paid_cents=100_000,
               adjusted_cents=20_000, patient_resp_cents=8_500, status=S.closed)
    make_claim(session, payer=payer, service_date=ago(365), billed_cents=10_000, paid_cents=10_000, status=S.paid)
    make_claim(session, payer=payer, service_date=ago(400), billed_cents=50_000, status=S.closed)

    days_in_ar, denial_rate, net_collection = ar.kpis(session, TODAY, actor="tests")

    # charges 36,500 + 200,000 + 128,500 = 365,000 cents: 1,000 a day; A/R 36,500 → 36.5 days
    assert days_in_ar.name == "Days in A/R"
    assert days_in_ar.value == pytest.approx(36.5)
    assert (days_in_ar.target, days_in_ar.unit, days_in_ar.better, days_in_ar.ok) == (40.0, "days", "lower", True)
    assert days_in_ar.detail == "A/R $365; 12-month charges $3,650"
    assert "÷ 365" in days_in_ar.how
    # settled services only (older than 90 days): payments 250,000 ÷ (328,500 − 70,000) = 96.7 %
    assert net_collection.name == "Net collection rate"
    assert net_collection.value == pytest.approx(250_000 / 258_500 * 100)
    assert (net_collection.target, net_collection.unit, net_collection.better, net_collection.ok) == (
        95.0, "%", "higher", True)
    assert net_collection.how == (
        "payments ÷ (charges − contractual adjustments), for services in the last 12 months older than 90 days")
    # nothing submitted in the last 12 months: no denial rate yet
    assert (denial_rate.name, denial_rate.value, denial_rate.ok, denial_rate.detail) == (
        "Denial rate", None, None, "0 of 0 claims")


def test_denial_rate_from_history_and_from_claims_without_history(session):
    payer = make_payer(session)
    # 18 claims submitted in the window, known only by their claim fields; one of them denied
    for _ in range(18):
        make_claim(session, payer=payer, submitted_on=ago(30), status=S.pending)
    make_claim(session, payer=payer, submitted_on=ago(30), denied_on=ago(5), denial_code="16", status=S.denied)
    # one claim with history: submitted, rejected, resubmitted, denied, appealed, denied again: 1 of 1
    worked = make_claim(session, payer=payer, submitted_on=ago(40), status=S.denied, denied_on=ago(3))
    for day, old, new in [(60, "draft", "submitted"), (59, "submitted", "rejected"), (40, "rejected", "submitted"),
                          (20, "pending", "denied"), (10, "denied", "appealed"), (3, "appealed", "denied")]:
        make_claim_event(session, worked, from_status=old, to_status=new, at=at_day(day))
    # outside the 12 months: submitted 365 days ago, and a claim whose whole history is older
    make_claim(session, payer=payer, submitted_on=ago(365), status=S.pending)
    old = make_claim(session, payer=payer, submitted_on=ago(400), denied_on=ago(380), status=S.denied)
    make_claim_event(session, old, from_status="draft", to_status="submitted", at=at_day(400))
    make_claim_event(session, old, to_status="denied", at=at_day(380))
    # submitted on the first day of the window counts
    make_claim(session, payer=payer, submitted_on=ago(364), status=S.pending)

    _, denial_rate, _ = ar.kpis(session, TODAY, actor="tests")

    # 18 + 1 + 1 + 1 = 21 submitted; 2 denied → 9.52 %
    assert denial_rate.value == pytest.approx(2 / 21 * 100)
    assert (denial_rate.target, denial_rate.unit, denial_rate.better, denial_rate.ok, denial_rate.detail) == (
        5.0, "%", "lower", False, "2 of 21 claims")
    assert denial_rate.how == "claims denied ÷ claims submitted, in the last 12 months"


def test_kpi_targets_come_from_the_setting(session):
    payer = make_payer(session)
    make_claim(session, payer=payer, service_date=ago(10), billed_cents=36_500, status=S.pending,
               submitted_on=ago(8))
    make_claim(session, payer=payer, service_date=ago(91), billed_cents=328_500, paid_cents=295_650,
               status=S.paid, submitted_on=ago(89))
    settings.put(session, "kpi_targets", {"days_in_ar": 30, "denial_rate_pct": 1.0, "net_collection_pct": 80.0},
                 now=NOW, actor=ACTOR)

    days_in_ar, denial_rate, net_collection = ar.kpis(session, TODAY, actor="tests")

    assert (days_in_ar.value, days_in_ar.target, days_in_ar.ok) == (pytest.approx(36.5), 30.0, False)
    assert (denial_rate.value, denial_rate.target, denial_rate.ok) == (0.0, 1.0, True)
    assert (net_collection.value, net_collection.target, net_collection.ok) == (pytest.approx(90.0), 80.0, True)


def test_kpis_of_an_empty_book(session):
    assert [(k.name, k.value, k.ok) for k in ar.kpis(session, TODAY, actor="tests")] == [
        ("Days in A/R", None, None), ("Denial rate", None, None), ("Net collection rate", None, None)]
