"""Payers (services.payers): the list with open claims and balance, adding, and editing limits, which moves the
stored deadline of that payer's open claims only (weekend-adjusted), with an audit event for each write."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from sqlmodel import select

from factories import ACTOR, NOW, TODAY, audit_events, make_claim, make_payer
from officemgr.models import Claim, ClaimStatus, Payer, PayerCreate
from officemgr.services import payers
from officemgr.services.common import ServiceError, StaleEdit

SERVICE = date(2026, 11, 3)  # + 365 days is Wed 11/03/2027; + 368 is Sat 11/06/2027
DENIED = date(2026, 11, 10)  # + 60 days is Sat 01/09/2027


def data(**overrides) -> PayerCreate:  # type: ignore[no-untyped-def]
    values = dict(name="Aetna", timely_filing_days=365, appeal_days=180, phone="", portal_note="")
    values.update(overrides)
    return PayerCreate(**values)


def deadline(session, claim_id: int) -> date | None:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(Claim, claim_id).deadline


# --- schema -------------------------------------------------------------------------------------------


def test_the_schema_cleans_input() -> None:
    model = data(name="  Cigna ", phone="1 (555) 123-4567", portal_note="  cignaforhcp.com ")
    assert (model.name, model.phone, model.portal_note) == ("Cigna", "(555) 123-4567", "cignaforhcp.com")


@pytest.mark.parametrize("bad", [
    {"name": "  "},
    {"timely_filing_days": 0},
    {"timely_filing_days": 3651},
    {"timely_filing_days": "abc"},
    {"timely_filing_days": None},  # no limit at all
    {"timely_filing_months": 12},  # both units
    {"timely_filing_days": None, "timely_filing_months": 0},
    {"timely_filing_days": None, "timely_filing_months": 121},
    {"appeal_days": -1},
    {"phone": "555-1234"},
    {"portal_note": "x" * 301},
])
def test_the_schema_refuses_bad_input(bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        data(**bad)


def test_the_schema_takes_the_limit_in_months_instead_of_days() -> None:
    model = data(timely_filing_days=None, timely_filing_months=12)
    assert (model.timely_filing_days, model.timely_filing_months) == (None, 12)


# --- the list -----------------------------------------------------------------------------------------


def test_list_counts_open_claims_and_balance_per_payer(session) -> None:  # type: ignore[no-untyped-def]
    aetna = make_payer(session, name="aetna", phone="(555) 123-4567")
    bcbs = make_payer(session, name="Blue Cross")
    make_payer(session, name="Cigna")
    make_claim(session, payer=aetna, billed_cents=10_000, paid_cents=2_500, status=ClaimStatus.partly_paid)
    make_claim(session, payer=aetna, billed_cents=5_000, status=ClaimStatus.denied, denied_on=DENIED)
    make_claim(session, payer=aetna, billed_cents=9_000, paid_cents=9_000, status=ClaimStatus.paid)
    make_claim(session, payer=bcbs, billed_cents=8_000, adjusted_cents=3_000, patient_resp_cents=1_000)
    make_claim(session, payer=bcbs, billed_cents=1_000, paid_cents=2_000, status=ClaimStatus.pending)  # overpaid

    rows = payers.payers(session)
    assert [(r.name, r.open_claims, r.open_balance_cents) for r in rows] == [
        ("aetna", 2, 12_500), ("Blue Cross", 2, 4_000), ("Cigna", 0, 0)]
    assert (rows[0].payer_id, rows[0].phone, rows[0].timely_filing_days, rows[0].version) == (aetna.id,
                                                                                           "(555) 123-4567", 365, 1)


# --- add ----------------------------------------------------------------------------------------------


def test_add_saves_and_audits(session) -> None:  # type: ignore[no-untyped-def]
    payer = payers.add_payer(session, data(phone="555.123.4567", portal_note="availity"), now=NOW, actor=ACTOR)
    session.expire_all()
    stored = session.get(Payer, payer.id)
    assert (stored.name, stored.timely_filing_days, stored.appeal_days, stored.phone, stored.portal_note) == (
        "Aetna", 365, 180, "(555) 123-4567", "availity")
    [(event, changes)] = audit_events(session, "payer")
    assert (event.action, event.entity_id, event.actor, event.at) == ("create", payer.id, ACTOR, NOW)
    assert changes["timely_filing_days"] == 365 and changes["name"] == "Aetna"


def test_add_refuses_a_name_clash_in_any_case(session) -> None:  # type: ignore[no-untyped-def]
    make_payer(session, name="Aetna")
    with pytest.raises(ServiceError, match="already a payer called Aetna"):
        payers.add_payer(session, data(name="AETNA"), now=NOW, actor=ACTOR)
    session.rollback()
    assert len(session.exec(select(Payer)).all()) == 1
    assert audit_events(session, "payer") == []


# --- update -------------------------------------------------------------------------------------------


def test_new_limits_move_open_claims_deadlines_weekend_adjusted(session) -> None:  # type: ignore[no-untyped-def]
    payer = make_payer(session, name="Aetna", timely_filing_days=365, appeal_days=180)
    other = make_payer(session, name="Cigna", timely_filing_days=365)
    filing = make_claim(session, payer=payer, service_date=SERVICE, status=ClaimStatus.submitted)
    denied = make_claim(session, payer=payer, service_date=SERVICE, status=ClaimStatus.denied, denied_on=DENIED)
    pending = make_claim(session, payer=payer, service_date=SERVICE, status=ClaimStatus.pending,
                         deadline=date(2027, 3, 3))  # stale: an open claim's deadline is recomputed
    paid = make_claim(session, payer=payer, service_date=SERVICE, status=ClaimStatus.paid, deadline=date(2027, 1, 1))
    closed = make_claim(session, payer=payer, service_date=SERVICE, status=ClaimStatus.closed,
                        deadline=date(2027, 2, 2))
    elsewhere = make_claim(session, payer=other, service_date=SERVICE, deadline=date(2030, 1, 1))  # stale on purpose
    assert deadline(session, filing.id) == date(2027, 11, 3)

    payers.update_payer(session, payer.id, data(timely_filing_days=368, appeal_days=60), now=NOW, actor=ACTOR,
                        expected_version=1)

    assert deadline(session, filing.id) == date(2027, 11, 8)  # Sat 11/06/2027 -> Monday
    assert deadline(session, denied.id) == date(2027, 1, 11)  # Sat 01/09/2027 -> Monday
    assert deadline(session, pending.id) is None  # filed and not denied: no deadline
    assert deadline(session, paid.id) == date(2027, 1, 1)  # closed claims are left alone
    assert deadline(session, closed.id) == date(2027, 2, 2)
    assert deadline(session, elsewhere.id) == date(2030, 1, 1)  # another payer's claims are not touched
    stored = session.get(Payer, payer.id)
    assert (stored.timely_filing_days, stored.appeal_days, stored.version) == (368, 60, 2)
    [(event, changes)] = audit_events(session, "payer")
    assert (event.action, event.entity_id, event.actor) == ("update", payer.id, ACTOR)
    assert changes == {"timely_filing_days": [365, 368], "appeal_days": [180, 60]}


def test_phone_edit_leaves_deadlines_and_audits_only_the_phone(session) -> None:  # type: ignore[no-untyped-def]
    payer = make_payer(session, name="Aetna")
    claim = make_claim(session, payer=payer, service_date=SERVICE, deadline=date(2030, 1, 1))
    payers.update_payer(session, payer.id, data(phone="5551234567"), now=NOW, actor=ACTOR, expected_version=1)
    assert deadline(session, claim.id) == date(2030, 1, 1)
    [(_, changes)] = audit_events(session, "payer")
    assert changes == {"phone": ["", "(555) 123-4567"]}


def test_update_refuses_a_stale_version_and_changes_nothing(session) -> None:  # type: ignore[no-untyped-def]
    payer = make_payer(session, name="Aetna")
    claim = make_claim(session, payer=payer, service_date=SERVICE)
    with pytest.raises(StaleEdit):
        payers.update_payer(session, payer.id, data(timely_filing_days=90), now=NOW, actor=ACTOR,
                            expected_version=payer.version + 1)
    session.rollback()
    assert session.get(Payer, payer.id).timely_filing_days == 365
    assert deadline(session, claim.id) == date(2027, 11, 3)
    assert audit_events(session, "payer") == []


def test_update_refuses_another_payers_name_and_a_missing_payer(session) -> None:  # type: ignore[no-untyped-def]
    make_payer(session, name="Aetna")
    cigna = make_payer(session, name="Cigna")
    with pytest.raises(ServiceError, match="already a payer called Aetna"):
        payers.update_payer(session, cigna.id, data(name="aetna "), now=NOW, actor=ACTOR, expected_version=1)
    session.rollback()
    # Renaming a payer to a new spelling of its own name is fine.
    payers.update_payer(session, cigna.id, data(name="CIGNA"), now=NOW, actor=ACTOR, expected_version=1)
    assert session.get(Payer, cigna.id).name == "CIGNA"
    with pytest.raises(ServiceError, match="no longer exists"):
        payers.update_payer(session, 9999, data(), now=NOW, actor=ACTOR, expected_version=1)


def test_today_is_a_monday() -> None:
    assert TODAY.weekday() == 0
