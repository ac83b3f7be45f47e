"""The ledger's rules at their edges: a claim waiting on its secondary plan, voids and the drawer, which charge a
payment pays, and the same patient twice in an import file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from factories import NOW, TODAY, at, make_appointment, make_claim, make_patient, make_payer
from officemgr.models import (
    ApptStatus,
    AuditEvent,
    ClaimStatus,
    CloseReason,
    EntryKind,
    LedgerEntry,
    Patient,
    PayMethod,
    UserRole,
)
from officemgr.services import ledger, statements
from officemgr.services.access import Actor
from officemgr.services.common import ServiceError
from officemgr.services.huddle import huddle
from officemgr.services.patients_io import PatientsImportRefused, import_patients

DESK = Actor("hb", {UserRole.front_desk}, workstation="desk1")
MANAGER = Actor("tt", {UserRole.manager}, workstation="office")
TUESDAY = TODAY + timedelta(days=1)


@pytest.fixture(autouse=True)
def every_ledger_balances(session: Session) -> Iterator[None]:
    """After each test: each patient's balance is the sum of their entries, and every entry was audited."""
    yield
    session.rollback()
    for patient_id, total in session.exec(select(LedgerEntry.patient_id, func.sum(LedgerEntry.amount_cents))
                                          .group_by(LedgerEntry.patient_id)):
        assert ledger.balance(session, patient_id) == total
        shown = ledger.entries(session, patient_id)
        assert shown[0].balance_cents == total and shown[-1].balance_cents == shown[-1].amount_cents
    entries = len(session.exec(select(LedgerEntry)).all())
    assert len(session.exec(select(AuditEvent).where(AuditEvent.entity == "ledger_entry")).all()) == entries


def _balance_due_today(session: Session, patient: Patient) -> list[str]:
    """What the Huddle says about `patient` (booked today) under the day's schedule."""
    result = huddle(session, TODAY, actor=DESK)
    schedule = next(s for s in result.sections if s.key == "schedule")
    return [i.reason for i in schedule.items if i.key == f"attention:patient:{patient.id}"]


# --- 1. a secondary plan still owes ------------------------------------------------------------------------


def test_a_share_waiting_on_the_secondary_is_not_the_patients_until_the_secondary_answers(session: Session) -> None:
    patient = make_patient(session)
    make_appointment(session, patient=patient, start=at(9, day=TODAY - timedelta(days=40)),
                     status=ApptStatus.checked_out)
    make_appointment(session, patient=patient, start=at(10))
    primary, secondary = make_payer(session, name="Aetna"), make_payer(session, name="Medicare")
    claim = make_claim(session, patient=patient, payer=primary, status=ClaimStatus.paid, billed_cents=20_000,
                       paid_cents=12_000, adjusted_cents=5_000, patient_resp_cents=3_000, deadline=None,
                       secondary_payer_id=secondary.id)
    assert claim.secondary_owed
    assert ledger.follow_claim(session, claim, day=TODAY - timedelta(days=35), actor=DESK, now=NOW) == 0
    session.commit()
    assert ledger.balance(session, patient.id) == 0
    assert statements.statements_due(session, TODAY) == []
    assert not any("balance" in r for r in _balance_due_today(session, patient))
    # The secondary pays $20.00 of the $30.00 and leaves $10.00 to the patient.
    claim.secondary_billed_on, claim.secondary_answered_on = TODAY - timedelta(days=30), TODAY - timedelta(days=5)
    claim.secondary_paid_cents, claim.patient_resp_cents = 2_000, 1_000
    assert ledger.follow_claim(session, claim, day=TODAY - timedelta(days=5), actor=DESK, now=NOW) == 1_000
    session.commit()
    [due] = statements.statements_due(session, TODAY)
    assert (due.patient_id, due.balance_cents, due.oldest_days) == (patient.id, 1_000, 5)
    assert _balance_due_today(session, patient) == ["balance $10.00 due at check-in"]


def test_a_share_already_on_the_ledger_is_taken_back_when_the_claim_waits_on_its_secondary(session: Session) -> None:
    patient = make_patient(session)
    payer, secondary = make_payer(session), make_payer(session, name="Medicare")
    older = make_claim(session, patient=patient, payer=payer, status=ClaimStatus.paid, patient_resp_cents=2_500,
                       service_date=TODAY - timedelta(days=80), deadline=None)
    claim = make_claim(session, patient=patient, payer=payer, status=ClaimStatus.paid, patient_resp_cents=4_000,
                       deadline=None)
    ledger.follow_claim(session, older, day=TODAY - timedelta(days=70), actor=DESK, now=NOW)
    ledger.follow_claim(session, claim, day=TODAY - timedelta(days=10), actor=DESK, now=NOW)
    claim.secondary_payer_id = secondary.id  # the biller found the patient's secondary plan
    assert ledger.follow_claim(session, claim, day=TODAY, actor=DESK, now=NOW) == -4_000
    assert ledger.follow_claim(session, claim, day=TODAY, actor=DESK, now=NOW) == 0
    session.commit()
    assert ledger.balance(session, patient.id) == 2_500
    back = ledger.entries(session, patient.id)[0]
    assert (back.kind, back.amount_cents, back.claim_id) == (EntryKind.patient_share, -4_000, claim.id)
    assert "secondary" in back.reason
    # The take-back cancels this claim's charge, not the older one: that one is still open at 70 days.
    assert statements.patient_aging(session, TODAY) == {"0-30": 0, "31-60": 0, "61-90": 2_500, "91-120": 0,
                                                         "120+": 0}


def test_a_claim_sent_to_the_patient_after_the_secondary_paid_bills_only_what_no_payer_paid(session: Session) -> None:
    patient = make_patient(session)
    claim = make_claim(session, patient=patient, payer=make_payer(session), status=ClaimStatus.closed,
                       close_reason=CloseReason.sent_to_patient, billed_cents=20_000, paid_cents=12_000,
                       adjusted_cents=3_000, patient_resp_cents=500, deadline=None,
                       secondary_payer_id=make_payer(session).id, secondary_answered_on=TODAY,
                       secondary_paid_cents=1_500)
    # 500 the patient's share, and 20000 - 12000 - 1500 - 3000 - 500 = 3000 that no payer paid.
    assert ledger.follow_claim(session, claim, day=TODAY, actor=DESK, now=NOW) == 3_500
    session.commit()
    assert ledger.balance(session, patient.id) == 3_500


# --- 2. voids and the drawer -------------------------------------------------------------------------------


def test_a_payment_voided_before_its_drawer_closes_leaves_the_days_payments_and_deposit(session: Session) -> None:
    patient = make_patient(session)
    ledger.take_payment(session, patient.id, 2_500, "cash", today=TODAY, actor=DESK, now=NOW)
    wrong = ledger.take_payment(session, patient.id, 10_000, "check", "2201", today=TODAY, actor=DESK, now=NOW)
    ledger.take_payment(session, patient.id, 4_000, "check", "2202", today=TODAY, actor=DESK, now=NOW)
    ledger.void(session, wrong.entry_id, "the check bounced at the desk", today=TODAY, actor=MANAGER, now=NOW)
    takings = ledger.day_takings(session, TODAY)
    assert takings.by_method == {PayMethod.cash: 2_500, PayMethod.check: 4_000, PayMethod.card: 0}
    assert (takings.total_cents, takings.deposit_cents) == (6_500, 6_500)
    assert [(p.reference, p.amount_cents) for p in takings.payments] == [("", -2_500), ("2202", -4_000)]
    count = ledger.close_drawer(session, TODAY, 2_500, 4_000, actor=DESK, now=NOW)
    assert (count.recorded_cash_cents, count.recorded_checks_cents, count.balanced) == (2_500, 4_000, True)
    assert ledger.balance(session, patient.id) == -6_500


def test_a_payment_of_an_earlier_open_day_leaves_that_day(session: Session) -> None:
    patient = make_patient(session)
    friday = TODAY - timedelta(days=3)
    wrong = ledger.take_payment(session, patient.id, 3_000, "card", "4242", today=friday, actor=DESK, now=NOW)
    ledger.void(session, wrong.entry_id, "charged the wrong card", today=TODAY, actor=MANAGER, now=NOW)
    assert ledger.day_takings(session, friday).payments == []
    assert ledger.day_takings(session, friday).total_cents == 0
    assert ledger.day_takings(session, TODAY).total_cents == 0
    assert ledger.balance(session, patient.id) == 0


def test_a_void_of_a_closed_days_payment_is_money_out_on_the_day_it_is_voided(session: Session) -> None:
    patient = make_patient(session)
    friday = TODAY - timedelta(days=3)
    ledger.take_payment(session, patient.id, 2_000, "cash", today=friday, actor=DESK, now=NOW)
    check = ledger.take_payment(session, patient.id, 7_550, "check", "3301", today=friday, actor=DESK, now=NOW)
    ledger.close_drawer(session, friday, 2_000, 7_550, actor=DESK, now=NOW)
    before = ledger.day_takings(session, friday)
    ledger.take_payment(session, patient.id, 1_000, "cash", today=TODAY, actor=DESK, now=NOW)
    ledger.void(session, check.entry_id, "the bank returned the check", today=TODAY, actor=MANAGER, now=NOW)
    assert ledger.day_takings(session, friday) == before  # the closed day is as it was counted
    assert before.by_method == {PayMethod.cash: 2_000, PayMethod.check: 7_550, PayMethod.card: 0}
    monday = ledger.day_takings(session, TODAY)
    assert monday.by_method == {PayMethod.cash: 1_000, PayMethod.check: 0, PayMethod.card: 0}
    assert (monday.total_cents, monday.deposit_cents) == (1_000, 1_000)
    assert [p.amount_cents for p in monday.payments] == [-1_000]
    assert [(p.what, p.cents) for p in monday.paid_out] == [("returned check #3301", 7_550)]
    count = ledger.drawer_count(session, friday)
    assert count is not None and count.recorded_checks_cents == 7_550
    assert ledger.balance(session, patient.id) == -3_000


def test_a_void_after_todays_drawer_closed_counts_on_the_next_open_day(session: Session) -> None:
    patient = make_patient(session)
    paid = ledger.take_payment(session, patient.id, 4_000, "cash", today=TODAY, actor=DESK, now=NOW)
    ledger.close_drawer(session, TODAY, 4_000, 0, actor=DESK, now=NOW)
    ledger.void(session, paid.entry_id, "typed twice", today=TODAY, actor=MANAGER, now=NOW)
    assert ledger.day_takings(session, TODAY).by_method[PayMethod.cash] == 4_000
    assert ledger.day_takings(session, TUESDAY).by_method[PayMethod.cash] == -4_000
    assert ledger.balance(session, patient.id) == 0


def test_a_payment_taken_after_the_drawer_closed_goes_in_the_next_days_deposit(session: Session) -> None:
    patient = make_patient(session)
    ledger.take_payment(session, patient.id, 2_000, "cash", today=TODAY, actor=DESK, now=NOW)
    ledger.close_drawer(session, TODAY, 2_000, 0, actor=DESK, now=NOW)

    late = ledger.take_payment(session, patient.id, 1_500, "check", "4410", today=TODAY, actor=DESK, now=NOW)

    assert late.day == TODAY  # the receipt is dated when the patient paid
    assert ledger.day_takings(session, TODAY).total_cents == 2_000
    assert ledger.day_takings(session, TUESDAY).by_method[PayMethod.check] == 1_500
    assert ledger.balance(session, patient.id) == -3_500


def test_a_count_off_from_the_record_needs_a_note_and_a_count_has_bounds(session: Session) -> None:
    patient = make_patient(session)
    ledger.take_payment(session, patient.id, 2_000, "cash", today=TODAY, actor=DESK, now=NOW)

    with pytest.raises(ServiceError, match="note: the count does not match"):
        ledger.close_drawer(session, TODAY, 1_500, 0, actor=DESK, now=NOW)
    with pytest.raises(ServiceError, match=r"cash: a count from \$0.00 to \$100,000.00"):
        ledger.close_drawer(session, TODAY, 2**63, 0, note="typo", actor=DESK, now=NOW)
    with pytest.raises(ServiceError, match="checks: a count from"):
        ledger.close_drawer(session, TODAY, 2_000, -1, note="typo", actor=DESK, now=NOW)
    assert ledger.drawer_count(session, TODAY) is None

    count = ledger.close_drawer(session, TODAY, 1_500, 0, note="$5 to the petty cash box", actor=DESK, now=NOW)
    assert count.cash_over_cents == -500


# --- 3. which charge a payment pays ------------------------------------------------------------------------


def test_a_payment_for_a_claim_pays_that_claims_charge_first(session: Session) -> None:
    patient = make_patient(session)
    payer = make_payer(session)
    older = make_claim(session, patient=patient, payer=payer, status=ClaimStatus.paid, patient_resp_cents=3_000,
                       service_date=TODAY - timedelta(days=70), deadline=None)
    newer = make_claim(session, patient=patient, payer=payer, status=ClaimStatus.paid, patient_resp_cents=2_000,
                       deadline=None)
    ledger.follow_claim(session, older, day=TODAY - timedelta(days=60), actor=DESK, now=NOW)
    ledger.follow_claim(session, newer, day=TODAY - timedelta(days=10), actor=DESK, now=NOW)
    session.commit()
    ledger.take_payment(session, patient.id, 2_000, "card", "4242", claim_id=newer.id, today=TODAY - timedelta(days=5),
                        actor=DESK, now=NOW)
    [due] = statements.statements_due(session, TODAY)
    assert (due.balance_cents, due.oldest_days) == (3_000, 60)
    assert statements.patient_aging(session, TODAY) == {"0-30": 0, "31-60": 3_000, "61-90": 0, "91-120": 0,
                                                         "120+": 0}


def test_a_claim_payment_pays_its_claim_then_the_oldest_and_keeps_the_rest_as_credit() -> None:
    d = date(2026, 1, 1)
    entries = [(d, 1_000, 1), (d + timedelta(1), 2_000, 2), (d + timedelta(2), -2_500, 2)]
    # Claim 2's $20.00 is paid, the $5.00 left pays the oldest (claim 1).
    assert statements.open_charges(entries) == [statements.OpenCharge(d, 500)]
    assert statements.open_charges([*entries, (d + timedelta(3), -900, 2), (d + timedelta(4), 700, 3)]) == [
        statements.OpenCharge(d + timedelta(4), 300)]
    # A payment on account (no claim) still pays the oldest first.
    assert statements.open_charges([(d, 1_000, 1), (d, 2_000, 2), (d, -1_500, None)]) == [
        statements.OpenCharge(d, 1_500)]


# --- 4. the same patient twice in an import file -----------------------------------------------------------

HEADER = "Last,First,Date of birth,Phone,Cell,Sex"


def test_rows_of_one_file_that_are_the_same_person_are_refused_naming_both_lines(session: Session,
                                                                                 tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text("\n".join([
        HEADER,
        "Lopez,Maria,02/28/1990,614-555-0101,,F",
        "Lopez-Diaz,Mary,1990-02-28,,(614) 555 0101,F",  # same birthday, the same phone digits as a mobile
        "Lee,Ann,03/01/1990,6145550101,,F",  # same phone, another birthday: someone else in the household
        "LOPEZ,maria,02/28/1990,,,F",  # same name and birthday
        "Lopez,Maria,02/28/1991,+1 614 555 0102,,F",  # another birthday and phone: another person
    ]) + "\n", encoding="utf-8")
    with pytest.raises(PatientsImportRefused) as refused:
        import_patients(session, path, today=TODAY, now=NOW, actor=DESK)
    message = str(refused.value)
    assert "2 of 5 lines have problems" in message
    assert ("line 3: the same patient is on line 2 (same date of birth and phone (614) 555-0101); keep one of the "
            "two lines") in message
    assert "line 5: the same patient is on line 2 (same name and date of birth)" in message
    assert "line 4" not in message and "line 6" not in message
    assert session.exec(select(Patient)).all() == []
