from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import select

from factories import ACTOR, NOW, TODAY, audit_events, make_carc_codes, make_claim, make_claim_event, make_payer
from officemgr.models import CarcCode, ClaimStatus
from officemgr.services import denials
from officemgr.services.claim_flow import StatusChange, change_status
from officemgr.services.common import ServiceError, StaleEdit

S = ClaimStatus


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def at_day(n: int, hour: int = 10) -> datetime:
    return datetime.combine(ago(n), time(hour))


# --- codes and meanings -------------------------------------------------------------------------------


def test_meaning_of_a_code(session):
    make_carc_codes(session)
    assert denials.meaning(session, "197") == "Precertification or authorization absent"
    assert denials.meaning(session, "CO-197") == "Precertification or authorization absent"
    assert denials.meaning(session, " co-45 ") == "Charge exceeds fee schedule"
    assert denials.meaning(session, "999") == ""
    assert denials.meaning(session, "") == ""
    assert denials.meaning(session, None) == ""
    assert denials.meaning(session, "not a code") == ""


def test_codes_in_code_order(session):
    make_carc_codes(session, {"B7": "b7", "197": "a", "16": "b", "2": "c", "A1": "d", "45": "e"})
    assert [c.code for c in denials.codes(session)] == ["2", "16", "45", "197", "A1", "B7"]


def test_edit_a_meaning(session):
    make_carc_codes(session)
    later = NOW + timedelta(hours=2)

    row = denials.set_meaning(session, "197", "  Prior authorization missing: call the payer  ", now=later,
                              actor="biller", expected_version=1)

    session.expire_all()
    stored = session.get(CarcCode, "197")
    assert (row.code, stored.meaning, stored.version) == ("197", "Prior authorization missing: call the payer", 2)
    [(event, changes)] = audit_events(session)
    assert (event.entity, event.entity_id, event.action, event.actor, event.at) == (
        "carc_code", 0, "update", "biller", later)
    assert changes == {"code": "197", "meaning": ["Precertification or authorization absent",
                                                  "Prior authorization missing: call the payer"]}
    assert denials.meaning(session, "CO-197") == "Prior authorization missing: call the payer"


def test_add_a_code_the_practice_meets(session):
    row = denials.set_meaning(session, "pi-b7", "Provider not certified for this procedure on this date",
                              now=NOW, actor=ACTOR)
    assert (row.code, row.version) == ("B7", 1)
    assert [c.code for c in session.exec(select(CarcCode))] == ["B7"]
    [(event, changes)] = audit_events(session)
    assert (event.action, changes) == ("create", {"code": "B7",
                                                  "meaning": "Provider not certified for this procedure on this date"})


def test_an_unchanged_meaning_writes_nothing(session):
    make_carc_codes(session)
    row = denials.set_meaning(session, "16", "Claim lacks information or has billing errors", now=NOW, actor=ACTOR)
    assert row.version == 1
    assert audit_events(session) == []


@pytest.mark.parametrize(
    ("code", "meaning", "version", "error", "message"),
    [
        ("XYZ", "x", None, ServiceError, "a CARC code is a number like 197"),
        ("1234", "x", None, ServiceError, "a CARC code is a number like 197"),
        ("16", "   ", None, ServiceError, "write what the code means"),
        ("16", "x" * 301, None, ServiceError, "keep the meaning under 300 characters"),
        ("16", "new meaning", 3, StaleEdit, "changed by someone else"),
        ("99", "new code", 1, StaleEdit, "changed by someone else"),  # was deleted or never there
    ],
)
def test_bad_meaning_edits_are_refused(session, code, meaning, version, error, message):
    make_carc_codes(session)
    with pytest.raises(error, match=message):
        denials.set_meaning(session, code, meaning, now=NOW, actor=ACTOR, expected_version=version)
    session.rollback()
    assert denials.meaning(session, "16") == "Claim lacks information or has billing errors"
    assert session.get(CarcCode, "99") is None
    assert audit_events(session) == []


# --- counts -------------------------------------------------------------------------------------------


@pytest.fixture
def history(session):
    make_carc_codes(session)
    aetna = make_payer(session, name="Aetna")
    cigna = make_payer(session, name="Cigna")
    p1 = make_claim(session, payer=aetna, billed_cents=10_000, status=S.denied)
    make_claim_event(session, p1, to_status="denied", code="197", at=at_day(10))
    p2 = make_claim(session, payer=aetna, billed_cents=20_000, status=S.appealed)
    make_claim_event(session, p2, to_status="denied", code="197", at=at_day(89, hour=7))  # first day counted
    make_claim_event(session, p2, from_status="denied", to_status="appealed", at=at_day(80))
    p3 = make_claim(session, payer=cigna, billed_cents=5_000, status=S.denied)
    make_claim_event(session, p3, to_status="denied", code="16", at=at_day(90, hour=17))  # one day too old
    p4 = make_claim(session, payer=cigna, billed_cents=7_000, status=S.denied)  # denied twice
    make_claim_event(session, p4, to_status="denied", code="16", at=at_day(40))
    make_claim_event(session, p4, from_status="appealed", to_status="denied", code="45", at=at_day(0))
    # denied without history (imported): counted by its denial date
    make_claim(session, payer=cigna, billed_cents=3_000, status=S.denied, denial_code="197", denied_on=ago(5))
    make_claim(session, payer=aetna, billed_cents=3_000, status=S.denied, denial_code="197", denied_on=ago(90))
    # a history row without a code: the claim's code counts (an unknown one has no meaning)
    p7 = make_claim(session, payer=cigna, billed_cents=1_000, status=S.denied, denial_code="999")
    make_claim_event(session, p7, to_status="denied", at=at_day(2))
    # not denials
    p8 = make_claim(session, payer=aetna, billed_cents=50_000, status=S.paid)
    make_claim_event(session, p8, to_status="paid", amount_cents=50_000, at=at_day(1))
    return aetna, cigna


def test_denial_counts_by_code_and_payer_over_90_days(session, history):
    stats = denials.denial_counts(session, TODAY, actor="tests")

    assert (stats.days, stats.since) == (90, date(2026, 8, 26))
    assert stats.by_code == [
        ("197", "Precertification or authorization absent", 3, 33_000),
        ("16", "Claim lacks information or has billing errors", 1, 7_000),
        ("45", "Charge exceeds fee schedule", 1, 7_000),
        ("999", "", 1, 1_000),
    ]
    assert stats.by_payer == [("Cigna", 4, 18_000), ("Aetna", 2, 30_000)]


def test_denial_counts_over_fewer_days(session, history):
    stats = denials.denial_counts(session, TODAY, days=30, actor="tests")
    assert stats.by_code == [
        ("197", "Precertification or authorization absent", 2, 13_000),
        ("45", "Charge exceeds fee schedule", 1, 7_000),
        ("999", "", 1, 1_000),
    ]
    assert stats.by_payer == [("Cigna", 3, 11_000), ("Aetna", 1, 10_000)]
    assert denials.denial_counts(session, TODAY, days=1,
                                 actor="tests").by_code == [("45", "Charge exceeds fee schedule", 1, 7_000)]
    with pytest.raises(ServiceError, match="at least one day"):
        denials.denial_counts(session, TODAY, days=0, actor="tests")


def test_denial_counts_when_there_are_none(session):
    stats = denials.denial_counts(session, TODAY, actor="tests")
    assert (stats.by_code, stats.by_payer) == ([], [])


def test_a_denial_recorded_in_the_app_is_counted_with_its_meaning(session):
    make_carc_codes(session)
    payer = make_payer(session, name="Medicare")
    claim = make_claim(session, payer=payer, status=S.pending, billed_cents=12_500)
    change_status(session, claim.id, StatusChange(to=S.denied, denial_code="CO-16"), today=TODAY, now=NOW,
                  actor=ACTOR, expected_version=1)

    stats = denials.denial_counts(session, TODAY, actor="tests")

    assert stats.by_code == [("16", "Claim lacks information or has billing errors", 1, 12_500)]
    assert stats.by_payer == [("Medicare", 1, 12_500)]
