"""The patient ledger and the drawer (services/ledger.py): every balance is the sum of its entries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from factories import NOW, TODAY, EraClaim, make_claim, make_patient, make_payer, write_835
from officemgr.models import AuditEvent, ClaimStatus, CloseReason, EntryKind, LedgerEntry, PayMethod, UserRole
from officemgr.services import era, ledger
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError

DESK = Actor("hb", {UserRole.front_desk}, workstation="desk1")
MANAGER = Actor("tt", {UserRole.manager}, workstation="office")


@pytest.fixture(autouse=True)
def every_ledger_balances(session: Session) -> Iterator[None]:
    """After each test: each patient's balance is the sum of their entries, and every entry was audited."""
    yield
    session.rollback()
    for patient_id, total in session.exec(select(LedgerEntry.patient_id, func.sum(LedgerEntry.amount_cents))
                                          .group_by(LedgerEntry.patient_id)):
        assert ledger.balance(session, patient_id) == total
        shown = ledger.entries(session, patient_id)
        assert not shown or shown[0].balance_cents == total
        assert shown[-1].balance_cents == shown[-1].amount_cents  # the oldest entry starts from zero
    entries = len(session.exec(select(LedgerEntry)).all())
    assert len(session.exec(select(AuditEvent).where(AuditEvent.entity == "ledger_entry")).all()) == entries


def test_a_copay_at_the_desk_is_a_receipt_and_a_credit_until_the_visit_is_billed(session: Session) -> None:
    patient = make_patient(session)
    receipt = ledger.take_payment(session, patient.id, 2500, "card", "4242 auth 0815", today=TODAY, actor=DESK,
                                  now=NOW)
    assert (receipt.amount_cents, receipt.balance_cents, receipt.taken_by) == (2500, -2500, "hb@desk1")
    assert receipt.number == f"R{TODAY:%y%m%d}-{receipt.entry_id}"
    assert ledger.balance(session, patient.id) == -2500


def test_the_patients_share_follows_the_claim(session: Session) -> None:
    patient = make_patient(session)
    claim = make_claim(session, payer=make_payer(session), patient=patient, billed_cents=20000,
                       status=ClaimStatus.paid, paid_cents=12000, adjusted_cents=5000, patient_resp_cents=3000)
    assert ledger.follow_claim(session, claim, day=TODAY, actor=DESK, now=NOW) == 3000
    assert ledger.follow_claim(session, claim, day=TODAY, actor=DESK, now=NOW) == 0  # nothing new: no entry
    claim.patient_resp_cents = 1000  # a corrected remittance
    assert ledger.follow_claim(session, claim, day=TODAY, actor=DESK, now=NOW) == -2000
    claim.close_reason, claim.status = CloseReason.sent_to_patient, ClaimStatus.closed
    # The payer's unpaid rest goes to the patient too: 20000 - 12000 - 5000 - 1000 = 2000 more.
    assert ledger.follow_claim(session, claim, day=TODAY, actor=DESK, now=NOW) == 2000
    session.commit()
    assert ledger.balance(session, patient.id) == 3000
    kinds = [e.kind for e in ledger.entries(session, patient.id)]
    assert kinds == [EntryKind.sent_to_patient, EntryKind.patient_share, EntryKind.patient_share]


@pytest.mark.parametrize(("cents", "method", "reference", "words"), [
    (0, "cash", "", "between"), (-500, "cash", "", "between"), (10_000_001, "cash", "", "between"),
    (1000, "check", " ", "check number"), (1000, "card", "visa", "last four"),
    (1000, "card", "42\x1b[0m42", "control character"),
])
def test_bad_payments_are_refused_and_nothing_is_written(session: Session, cents: int, method: str, reference: str,
                                                         words: str) -> None:
    patient = make_patient(session)
    with pytest.raises(ServiceError, match=words):
        ledger.take_payment(session, patient.id, cents, method, reference, today=TODAY, actor=DESK, now=NOW)
    assert session.exec(select(LedgerEntry)).all() == []


def test_a_payment_applied_to_another_patients_claim_is_refused(session: Session) -> None:
    patient, other = make_patient(session), make_patient(session, first_name="Bo")
    claim = make_claim(session, payer=make_payer(session), patient=other)
    with pytest.raises(ServiceError, match="not this patient's"):
        ledger.take_payment(session, patient.id, 1000, "cash", claim_id=claim.id, today=TODAY, actor=DESK, now=NOW)


def test_voids_and_refunds_are_the_managers_with_a_reason(session: Session) -> None:
    patient = make_patient(session)
    paid = ledger.take_payment(session, patient.id, 4000, "cash", today=TODAY, actor=DESK, now=NOW)
    with pytest.raises(NotAllowed, match="manager"):
        ledger.void(session, paid.entry_id, "typed twice", today=TODAY, actor=DESK, now=NOW)
    with pytest.raises(ServiceError, match="say why"):
        ledger.void(session, paid.entry_id, "  ", today=TODAY, actor=MANAGER, now=NOW)
    with pytest.raises(ServiceError, match="credit is \\$40.00"):
        ledger.refund(session, patient.id, 4001, "cash", "overpaid", today=TODAY, actor=MANAGER, now=NOW)
    ledger.refund(session, patient.id, 1500, "check", "overpaid copay", reference="1042", today=TODAY,
                  actor=MANAGER, now=NOW)
    assert ledger.balance(session, patient.id) == -2500
    ledger.void(session, paid.entry_id, "card, not cash", today=TODAY, actor=MANAGER, now=NOW)
    with pytest.raises(ServiceError, match="already voided"):
        ledger.void(session, paid.entry_id, "again", today=TODAY, actor=MANAGER, now=NOW)
    assert ledger.balance(session, patient.id) == 1500
    assert [e.voided for e in ledger.entries(session, patient.id)] == [False, False, True]


def test_small_balances_are_written_off_up_to_the_setting_exactly(session: Session) -> None:
    patient = make_patient(session)
    claim = make_claim(session, payer=make_payer(session), patient=patient, patient_resp_cents=501)
    ledger.follow_claim(session, claim, day=TODAY, actor=DESK, now=NOW)
    session.commit()
    with pytest.raises(ServiceError, match=r"\$5.01 is more than a small balance"):
        ledger.write_off_small(session, patient.id, today=TODAY, actor=DESK, now=NOW)
    ledger.take_payment(session, patient.id, 1, "cash", today=TODAY, actor=DESK, now=NOW)
    assert ledger.write_off_small(session, patient.id, today=TODAY, actor=DESK, now=NOW) == 500
    assert ledger.balance(session, patient.id) == 0
    with pytest.raises(ServiceError, match="owes nothing"):
        ledger.write_off_small(session, patient.id, today=TODAY, actor=DESK, now=NOW)


def test_a_courtesy_discount_is_at_most_what_is_owed(session: Session) -> None:
    patient = make_patient(session)
    claim = make_claim(session, payer=make_payer(session), patient=patient, patient_resp_cents=8000)
    ledger.follow_claim(session, claim, day=TODAY, actor=DESK, now=NOW)
    session.commit()
    with pytest.raises(NotAllowed):
        ledger.courtesy(session, patient.id, 1000, "hardship", today=TODAY, actor=DESK, now=NOW)
    with pytest.raises(ServiceError, match=r"owes \$80.00"):
        ledger.courtesy(session, patient.id, 8001, "hardship", today=TODAY, actor=MANAGER, now=NOW)
    ledger.courtesy(session, patient.id, 3000, "hardship", today=TODAY, actor=MANAGER, now=NOW)
    assert ledger.balance(session, patient.id) == 5000


def test_the_days_takings_and_the_drawer_count(session: Session) -> None:
    patient = make_patient(session)
    ledger.take_payment(session, patient.id, 2500, "cash", today=TODAY, actor=DESK, now=NOW)
    wrong = ledger.take_payment(session, patient.id, 4000, "cash", today=TODAY, actor=DESK, now=NOW)
    ledger.take_payment(session, patient.id, 10000, "check", "2201", today=TODAY, actor=DESK, now=NOW)
    ledger.take_payment(session, patient.id, 3000, "card", "4242", today=TODAY, actor=DESK, now=NOW)
    ledger.void(session, wrong.entry_id, "typed twice", today=TODAY, actor=MANAGER, now=NOW)
    takings = ledger.day_takings(session, TODAY)
    assert takings.by_method == {PayMethod.cash: 2500, PayMethod.check: 10000, PayMethod.card: 3000}
    assert (takings.total_cents, takings.deposit_cents) == (15500, 12500)
    count = ledger.close_drawer(session, TODAY, 2000, 10000, note="$5 short", actor=DESK, now=NOW)
    assert (count.cash_over_cents, count.checks_over_cents, count.balanced) == (-500, 0, False)
    with pytest.raises(ServiceError, match="already closed"):
        ledger.close_drawer(session, TODAY, 2500, 10000, actor=DESK, now=NOW)


def test_a_remittances_patient_share_lands_on_the_ledger_and_a_reversal_takes_it_back(session: Session,
                                                                                      tmp_path: Path) -> None:
    patient = make_patient(session)
    make_claim(session, number="CL300", patient=patient, status=ClaimStatus.pending, billed_cents=15_000)
    paid = write_835(tmp_path / "paid.835", [EraClaim("CL300", "1", 15_000, 10_000, adjustments=[
        ("CO", "45", 2_000), ("PR", "2", 2_500), ("PR", "3", 500)])])
    era.post_file(session, paid, today=TODAY, now=NOW, actor="biller")
    assert ledger.balance(session, patient.id) == 3_000
    assert [e.kind for e in ledger.entries(session, patient.id)] == [EntryKind.patient_share]
    back = write_835(tmp_path / "back.835", [EraClaim("CL300", "22", -15_000, -10_000, adjustments=[
        ("CO", "45", -2_000), ("PR", "2", -2_500), ("PR", "3", -500)])], check="12346", control=2)
    era.post_file(session, back, today=TODAY, now=NOW, actor="biller")
    assert ledger.balance(session, patient.id) == 0
