"""Statements, dunning by age, collections and payment plans (services/statements.py)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from factories import NOW, TODAY, make_claim, make_patient, make_payer
from officemgr.models import (
    ClaimStatus,
    CollectionReferral,
    Dunning,
    EntryKind,
    LedgerEntry,
    PaymentPlan,
    Statement,
    UserRole,
)
from officemgr.services import ledger, statements
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError

DESK = Actor("hb", {UserRole.front_desk}, workstation="desk1")
MANAGER = Actor("tt", {UserRole.manager}, workstation="office")


def _charge(session: Session, patient_id: int, cents: int, day: date) -> None:
    """A patient share posted on `day` (as a remittance would leave it)."""
    session.add(LedgerEntry(patient_id=patient_id, day=day, at=NOW, actor="t", kind=EntryKind.patient_share,
                            amount_cents=cents))
    session.commit()


def test_payments_pay_the_oldest_charge_first() -> None:
    d = date(2026, 1, 1)
    left = statements.open_charges([(d, 1000), (d + timedelta(1), 2000), (d + timedelta(2), -1500),
                                    (d + timedelta(3), 500)])
    assert left == [statements.OpenCharge(d + timedelta(1), 1500), statements.OpenCharge(d + timedelta(3), 500)]
    # A credit taken before a charge pays it as it comes.
    assert statements.open_charges([(d, -700), (d, 1000)]) == [statements.OpenCharge(d, 300)]
    assert statements.open_charges([(d, 1000), (d, -1000)]) == []


@pytest.mark.parametrize(("days", "level"), [(0, Dunning.statement), (29, Dunning.statement),
                                             (30, Dunning.past_due_30), (59, Dunning.past_due_30),
                                             (60, Dunning.past_due_60), (90, Dunning.past_due_90),
                                             (119, Dunning.past_due_90), (120, Dunning.final_notice)])
def test_dunning_by_the_age_of_the_oldest_unpaid_charge(days: int, level: Dunning) -> None:
    assert statements.dunning_for(days) is level


def test_who_is_due_a_statement(session: Session) -> None:
    owes, little, pending, recent = (make_patient(session, first_name=n) for n in ("Ann", "Bo", "Cy", "Di"))
    _charge(session, owes.id, 1000, TODAY - timedelta(days=45))  # exactly the minimum
    _charge(session, little.id, 999, TODAY)
    claim = make_claim(session, payer=make_payer(session), patient=pending, status=ClaimStatus.pending,
                       patient_resp_cents=4000)
    ledger.follow_claim(session, claim, day=TODAY, actor=DESK, now=NOW)  # insurance still working on it
    session.commit()
    _charge(session, recent.id, 5000, TODAY - timedelta(days=10))
    session.add(Statement(patient_id=recent.id, day=TODAY - timedelta(days=29), balance_cents=5000, oldest_days=0,
                          dunning=Dunning.statement, actor="t"))
    session.commit()
    due = statements.statements_due(session, TODAY)
    assert [(d.patient_id, d.balance_cents, d.oldest_days, d.dunning) for d in due] == [
        (owes.id, 1000, 45, Dunning.past_due_30)]
    # A day later the recent one's cycle (30 days) is over.
    assert [d.patient_id for d in statements.statements_due(session, TODAY + timedelta(days=1))] == [owes.id,
                                                                                                    recent.id]


def test_the_run_writes_a_page_per_patient_and_a_mailing_file_then_marks_them_sent(session: Session,
                                                                                   tmp_path: Path) -> None:
    ann = make_patient(session, first_name="Ann", address="1 Elm St", city="Dayton", state="OH", zip_code="45402")
    kid = make_patient(session, first_name="Leo", dob=date(2015, 1, 1), guarantor_name="=HYPERLINK(1)")
    _charge(session, ann.id, 2500, TODAY - timedelta(days=130))
    _charge(session, kid.id, 4000, TODAY)
    run = statements.run_statements(session, tmp_path, today=TODAY, actor=DESK, now=NOW)
    assert (run.count, run.total_cents, len(run.files)) == (2, 6500, 3)
    page = (tmp_path / f"statement-{ann.account or f'{ann.id:06d}'}-{TODAY:%Y-%m-%d}.html").read_text()
    assert "$25.00" in page and "FINAL NOTICE" in page and "1 Elm St" in page
    assert run.mailing_csv is not None
    rows = list(csv.reader(io.StringIO(run.mailing_csv.read_text())))
    assert rows[0][:2] == ["account", "name"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Ann Lovelace"][6] == "25.00" and by_name["Ann Lovelace"][7] == "final notice"
    assert "'=HYPERLINK(1)" in by_name  # the guarantor, as text a spreadsheet will not run
    assert len(session.exec(select(Statement)).all()) == 2
    again = statements.run_statements(session, tmp_path, today=TODAY, actor=DESK, now=NOW)
    assert (again.count, again.files) == (0, [])


def test_a_file_that_cannot_be_written_sends_nothing(session: Session, tmp_path: Path) -> None:
    patient = make_patient(session)
    _charge(session, patient.id, 2500, TODAY)
    with pytest.raises(ServiceError, match="no statement was sent"):
        statements.run_statements(session, tmp_path / "missing", today=TODAY, actor=DESK, now=NOW)
    assert session.exec(select(Statement)).all() == []


def test_collections_come_after_a_final_notice_and_are_the_managers(session: Session, tmp_path: Path) -> None:
    patient = make_patient(session)
    _charge(session, patient.id, 2500, TODAY - timedelta(days=119))
    statements.run_statements(session, tmp_path, today=TODAY, actor=DESK, now=NOW)  # 90 days past due
    with pytest.raises(NotAllowed):
        statements.send_to_collections(session, patient.id, "ACME Recovery", today=TODAY, actor=DESK, now=NOW)
    with pytest.raises(ServiceError, match="final notice first"):
        statements.send_to_collections(session, patient.id, "ACME Recovery", today=TODAY, actor=MANAGER, now=NOW)
    later = TODAY + timedelta(days=31)
    statements.run_statements(session, tmp_path, today=later, actor=DESK, now=NOW)
    assert statements.send_to_collections(session, patient.id, "ACME Recovery", today=later, actor=MANAGER,
                                          now=NOW) == 2500
    assert session.exec(select(CollectionReferral)).one().agency == "ACME Recovery"
    assert statements.statements_due(session, later + timedelta(days=60)) == []  # no more statements


@pytest.mark.parametrize(("day_of_month", "today", "due"), [
    (15, date(2026, 3, 15), date(2026, 2, 15)),  # due today: not missed yet
    (15, date(2026, 3, 16), date(2026, 3, 15)),
    (31, date(2026, 3, 1), date(2026, 2, 28)),  # the 31st falls on February's last day
    (31, date(2028, 3, 1), date(2028, 2, 29)),  # a leap year
    (30, date(2026, 1, 1), date(2025, 12, 30)),  # across the new year
])
def test_a_plans_due_day_is_the_months_day_or_its_last(day_of_month: int, today: date, due: date) -> None:
    plan = PaymentPlan(patient_id=1, amount_cents=5000, day_of_month=day_of_month, start=date(2025, 1, 1))
    assert statements.last_due(plan, today) == due


def test_a_missed_plan_payment_is_flagged_and_a_full_one_is_not(session: Session) -> None:
    patient = make_patient(session)
    _charge(session, patient.id, 30000, date(2026, 9, 1))
    statements.add_payment_plan(session, patient.id, 5000, 31, start=date(2026, 10, 1), actor=DESK, now=NOW)
    with pytest.raises(ServiceError, match="already has a payment plan"):
        statements.add_payment_plan(session, patient.id, 5000, 1, start=date(2026, 10, 1), actor=DESK, now=NOW)
    at = datetime(2026, 10, 31, 9)
    ledger.take_payment(session, patient.id, 5000, "cash", today=date(2026, 10, 31), actor=DESK, now=at)
    assert statements.missed_plan_payments(session, date(2026, 11, 1)) == []  # paid on the due day
    ledger.take_payment(session, patient.id, 4999, "cash", today=date(2026, 11, 30), actor=DESK, now=at)
    [missed] = statements.missed_plan_payments(session, date(2026, 12, 1))
    assert (missed.due, missed.paid_cents) == (date(2026, 11, 30), 4999)


def test_patient_aging_buckets(session: Session) -> None:
    patient = make_patient(session)
    _charge(session, patient.id, 1000, TODAY - timedelta(days=30))
    _charge(session, patient.id, 2000, TODAY - timedelta(days=31))
    _charge(session, patient.id, 3000, TODAY - timedelta(days=121))
    ledger.take_payment(session, patient.id, 3500, "cash", today=TODAY, actor=DESK, now=NOW)  # pays the 121 and part
    aging = statements.patient_aging(session, TODAY)
    assert aging == {"0-30": 1000, "31-60": 1500, "61-90": 0, "91-120": 0, "120+": 0}


def test_a_paid_off_plan_is_not_missed(session: Session) -> None:
    patient = make_patient(session)
    _charge(session, patient.id, 5_000, date(2026, 9, 1))
    statements.add_payment_plan(session, patient.id, 5_000, 15, start=date(2026, 9, 1), actor=DESK, now=NOW)
    assert [m.patient_id for m in statements.missed_plan_payments(session, date(2026, 11, 16))] == [patient.id]
    ledger.take_payment(session, patient.id, 5_000, "cash", today=date(2026, 11, 20), actor=DESK, now=NOW)
    assert statements.missed_plan_payments(session, date(2026, 12, 16)) == []  # nothing left to pay
