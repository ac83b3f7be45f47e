"""A patient's insurance plans, eligibility checks and the booking warning (services/insurance.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from factories import NOW, TODAY, make_patient, make_payer
from officemgr.models import AuditEvent, Eligibility, InsurancePlan, UserRole
from officemgr.services import insurance
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError

DESK = Actor("hb", {UserRole.front_desk}, workstation="desk1")


def _plan(payer: int, **values: object) -> dict[str, object]:
    return {"payer_id": payer, "member_id": "W123456789", "copay_cents": 2500, **values}


def test_primary_and_secondary_plans_in_rank_order(session: Session) -> None:
    patient, aetna, medicare = make_patient(session), make_payer(session, name="Aetna"), make_payer(session,
                                                                                                   name="Medicare")
    insurance.add_coverage(session, patient.id, _plan(medicare.id, rank="secondary"), actor=DESK, now=NOW)
    insurance.add_coverage(session, patient.id, _plan(aetna.id), actor=DESK, now=NOW)
    assert [p.payer for p in insurance.plans_on(session, patient.id, TODAY)] == ["Aetna", "Medicare"]
    assert insurance.plans_on(session, patient.id, TODAY)[0].summary == "primary: Aetna #W123456789, copay $25.00"
    assert session.exec(select(AuditEvent).where(AuditEvent.entity == "insurance_plan")).all()[0].actor == "hb@desk1"


def test_two_primary_plans_for_the_same_days_are_refused_but_back_to_back_is_fine(session: Session) -> None:
    patient, payer = make_patient(session), make_payer(session)
    insurance.add_coverage(session, patient.id, _plan(payer.id, termination=date(2026, 10, 31)), actor=DESK, now=NOW)
    with pytest.raises(ServiceError, match="already has a primary plan"):
        insurance.add_coverage(session, patient.id, _plan(payer.id, effective=date(2026, 10, 31)), actor=DESK,
                               now=NOW)
    insurance.add_coverage(session, patient.id, _plan(payer.id, member_id="NEW1", effective=date(2026, 11, 1)),
                           actor=DESK, now=NOW)
    assert [p.member_id for p in insurance.plans_on(session, patient.id, date(2026, 10, 31))] == ["W123456789"]
    assert [p.member_id for p in insurance.plans_on(session, patient.id, date(2026, 11, 1))] == ["NEW1"]


@pytest.mark.parametrize(("values", "words"), [
    ({"member_id": " "}, "required"),
    ({"effective": date(2026, 5, 1), "termination": date(2026, 4, 30)}, "ends before it starts"),
    ({"relationship": "child"}, "holds the plan"),
    ({"copay_cents": -1}, "copay_cents"),
    ({"payer_id": 9999}, "choose a payer"),
])
def test_bad_plans_are_refused_in_words(session: Session, values: dict[str, object], words: str) -> None:
    patient, payer = make_patient(session), make_payer(session)
    with pytest.raises(ServiceError, match=words):
        insurance.add_coverage(session, patient.id, _plan(payer.id, **values), actor=DESK, now=NOW)
    assert session.exec(select(InsurancePlan)).all() == []


def test_the_booking_warning_follows_the_plan_and_its_check(session: Session) -> None:
    patient, payer = make_patient(session), make_payer(session)
    assert "no insurance on file" in (insurance.warning(session, patient.id, TODAY) or "")
    plan = insurance.add_coverage(session, patient.id, _plan(payer.id, termination=TODAY + timedelta(days=10)),
                                  actor=DESK, now=NOW)
    assert "not verified within 30 days" in (insurance.warning(session, patient.id, TODAY) or "")
    insurance.record_eligibility(session, plan.id, {"result": "active", "by": "portal"}, today=TODAY, actor=DESK,
                                 now=NOW)
    assert insurance.warning(session, patient.id, TODAY) is None
    # The window's edge: a check 30 days before the visit still counts, 31 does not.
    assert insurance.warning(session, patient.id, TODAY + timedelta(days=30)) is not None  # ended by then
    assert f"coverage ended {TODAY + timedelta(days=10):%m/%d/%Y}" in (
        insurance.warning(session, patient.id, TODAY + timedelta(days=11)) or "")
    insurance.record_eligibility(session, plan.id, {"result": Eligibility.inactive, "by": "call"}, today=TODAY,
                                 actor=DESK, now=NOW)
    assert "said inactive" in (insurance.warning(session, patient.id, TODAY) or "")


def test_a_check_counts_for_exactly_the_window(session: Session) -> None:
    patient, payer = make_patient(session), make_payer(session)
    plan = insurance.add_coverage(session, patient.id, _plan(payer.id), actor=DESK, now=NOW)
    insurance.record_eligibility(session, plan.id, {"result": "active", "by": "portal"}, today=TODAY, actor=DESK,
                                 now=NOW)
    assert insurance.warning(session, patient.id, TODAY + timedelta(days=30)) is None
    assert insurance.warning(session, patient.id, TODAY + timedelta(days=31)) is not None
    assert insurance.warning(session, patient.id, TODAY - timedelta(days=1)) is not None  # checked after the visit


def test_a_biller_cannot_change_a_patients_insurance(session: Session) -> None:
    patient, payer = make_patient(session), make_payer(session)
    with pytest.raises(NotAllowed):
        insurance.add_coverage(session, patient.id, _plan(payer.id), actor=Actor("wm", {UserRole.biller}), now=NOW)
