"""Money paid out at the desk and the deposit: only cash comes out of the drawer; a refund by the practice's own check
or to a card, and a returned check of a closed day, are listed apart, never inside the deposit or the counted checks."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from factories import NOW, TODAY, make_patient, make_staff
from officemgr import store
from officemgr.cli import main
from officemgr.models import PayMethod, Role, UserRole
from officemgr.services import deposit_slip, ledger, users
from officemgr.services.access import Actor

DESK = Actor("hb", {UserRole.front_desk}, workstation="desk1")
MANAGER = Actor("tt", {UserRole.manager}, workstation="office")
FRIDAY = TODAY - timedelta(days=3)


def slip(session: Session, day: date) -> str:
    return deposit_slip.slip_html(deposit_slip.drawer_day(session, day, actor=DESK), {"name": "Main Street"})


def test_a_refund_on_the_practices_check_is_paid_out_apart_from_the_deposit(session: Session) -> None:
    patient = make_patient(session)
    ledger.take_payment(session, patient.id, 3_000, "check", "1042", today=TODAY, actor=DESK, now=NOW)
    ledger.take_payment(session, patient.id, 4_000, "check", "1043", today=TODAY, actor=DESK, now=NOW)
    bounced = ledger.take_payment(session, patient.id, 9_900, "check", "1044", today=TODAY, actor=DESK, now=NOW)
    ledger.void(session, bounced.entry_id, "wrong amount on the check", today=TODAY, actor=MANAGER, now=NOW)
    ledger.refund(session, patient.id, 5_000, "check", "overpaid", reference="5001", today=TODAY, actor=MANAGER,
                  now=NOW)

    takings = ledger.day_takings(session, TODAY)
    assert takings.by_method == {PayMethod.cash: 0, PayMethod.check: 7_000, PayMethod.card: 0}
    assert (takings.deposit_cents, takings.paid_apart_cents) == (7_000, 5_000)
    assert [(p.what, p.cents, p.from_drawer) for p in takings.paid_out] == [("refund by check #5001", 5_000, False)]
    page = slip(session, TODAY)
    assert "<td>Checks (2)</td><td class=n>$70.00</td>" in page
    assert "<td>To deposit</td><td class=n>$70.00</td>" in page
    assert "<p>Paid out: refund by check #5001, $50.00</p>" in page
    count = ledger.close_drawer(session, TODAY, 0, 7_000, actor=DESK, now=NOW)  # balanced: no note needed
    assert (count.recorded_cash_cents, count.recorded_checks_cents, count.balanced) == (0, 7_000, True)
    assert ledger.balance(session, patient.id) == -2_000


def test_a_cash_refund_comes_out_of_the_drawers_cash(session: Session) -> None:
    patient = make_patient(session)
    ledger.take_payment(session, patient.id, 5_000, "cash", today=TODAY, actor=DESK, now=NOW)
    ledger.take_payment(session, patient.id, 2_000, "check", "1042", today=TODAY, actor=DESK, now=NOW)
    ledger.refund(session, patient.id, 1_500, "cash", "overpaid copay", today=TODAY, actor=MANAGER, now=NOW)

    takings = ledger.day_takings(session, TODAY)
    assert takings.by_method == {PayMethod.cash: 3_500, PayMethod.check: 2_000, PayMethod.card: 0}
    assert (takings.deposit_cents, takings.paid_apart_cents) == (5_500, 0)
    assert deposit_slip.paid_out_lines(takings) == ["Paid from the drawer's cash: refund in cash, $15.00"]
    assert "<td>To deposit</td><td class=n>$55.00</td>" in slip(session, TODAY)
    count = ledger.close_drawer(session, TODAY, 3_500, 2_000, actor=DESK, now=NOW)
    assert (count.recorded_cash_cents, count.balanced) == (3_500, True)


def test_a_refund_to_a_card_leaves_the_cards_taken_and_the_deposit(session: Session) -> None:
    patient = make_patient(session)
    ledger.take_payment(session, patient.id, 3_000, "card", "4242 auth 15", today=TODAY, actor=DESK, now=NOW)
    ledger.take_payment(session, patient.id, 1_000, "cash", today=TODAY, actor=DESK, now=NOW)
    ledger.refund(session, patient.id, 1_200, "card", "overpaid", reference="4242 ref 9", today=TODAY,
                  actor=MANAGER, now=NOW)

    takings = ledger.day_takings(session, TODAY)
    assert takings.by_method == {PayMethod.cash: 1_000, PayMethod.check: 0, PayMethod.card: 3_000}
    assert (takings.deposit_cents, takings.paid_apart_cents) == (1_000, 1_200)
    assert deposit_slip.paid_out_lines(takings) == ["Paid out: refund to card 4242 ref 9, $12.00"]


def test_a_returned_check_of_a_closed_day_is_paid_out_not_a_negative_check(session: Session) -> None:
    patient = make_patient(session)
    returned = ledger.take_payment(session, patient.id, 7_550, "check", "3301", today=FRIDAY, actor=DESK, now=NOW)
    ledger.close_drawer(session, FRIDAY, 0, 7_550, actor=DESK, now=NOW)
    ledger.take_payment(session, patient.id, 2_000, "check", "3302", today=TODAY, actor=DESK, now=NOW)
    ledger.take_payment(session, patient.id, 500, "cash", today=TODAY, actor=DESK, now=NOW)
    ledger.void(session, returned.entry_id, "the bank returned the check", today=TODAY, actor=MANAGER, now=NOW)

    takings = ledger.day_takings(session, TODAY)
    assert takings.by_method == {PayMethod.cash: 500, PayMethod.check: 2_000, PayMethod.card: 0}
    assert (takings.deposit_cents, takings.paid_apart_cents) == (2_500, 7_550)
    assert deposit_slip.paid_out_lines(takings) == ["Paid out: returned check #3301, $75.50"]
    page = slip(session, TODAY)
    assert "<td>Checks (1)</td><td class=n>$20.00</td>" in page
    assert "<td>To deposit</td><td class=n>$25.00</td>" in page
    assert ledger.day_takings(session, FRIDAY).by_method[PayMethod.check] == 7_550  # as it was counted
    assert ledger.close_drawer(session, TODAY, 500, 2_000, actor=DESK, now=NOW).balanced
    assert ledger.balance(session, patient.id) == -2_500


def test_a_closed_days_card_and_cash_payments_given_back(session: Session) -> None:
    patient = make_patient(session)
    card = ledger.take_payment(session, patient.id, 4_000, "card", "4242", today=FRIDAY, actor=DESK, now=NOW)
    cash = ledger.take_payment(session, patient.id, 1_000, "cash", today=FRIDAY, actor=DESK, now=NOW)
    ledger.close_drawer(session, FRIDAY, 1_000, 0, actor=DESK, now=NOW)
    ledger.take_payment(session, patient.id, 3_000, "cash", today=TODAY, actor=DESK, now=NOW)
    ledger.void(session, card.entry_id, "charged twice", today=TODAY, actor=MANAGER, now=NOW)
    ledger.void(session, cash.entry_id, "paid for the wrong patient", today=TODAY, actor=MANAGER, now=NOW)

    takings = ledger.day_takings(session, TODAY)
    assert takings.by_method == {PayMethod.cash: 2_000, PayMethod.check: 0, PayMethod.card: 0}
    assert (takings.deposit_cents, takings.paid_apart_cents) == (2_000, 4_000)
    assert deposit_slip.paid_out_lines(takings) == ["Paid out: card payment 4242 reversed, $40.00",
                                                    "Paid from the drawer's cash: cash payment of 11/20/2026 given "
                                                    "back, $10.00"]


def test_a_refund_check_voided_after_its_day_closed_is_money_back_not_a_check_taken(session: Session) -> None:
    patient = make_patient(session)
    ledger.take_payment(session, patient.id, 6_000, "cash", today=FRIDAY, actor=DESK, now=NOW)
    ledger.refund(session, patient.id, 5_000, "check", "overpaid", reference="5001", today=FRIDAY, actor=MANAGER,
                  now=NOW)
    refund = ledger.entries(session, patient.id)[0]
    ledger.close_drawer(session, FRIDAY, 6_000, 0, actor=DESK, now=NOW)
    ledger.void(session, refund.id, "the patient never cashed it", today=TODAY, actor=MANAGER, now=NOW)

    takings = ledger.day_takings(session, TODAY)
    assert takings.by_method == {PayMethod.cash: 0, PayMethod.check: 0, PayMethod.card: 0}
    assert (takings.deposit_cents, takings.paid_apart_cents) == (0, -5_000)
    assert deposit_slip.paid_out_lines(takings) == ["Paid out: refund by check #5001 voided, -$50.00"]
    assert ledger.balance(session, patient.id) == -6_000


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    """pat the manager (PIN 2468); Ada paid two checks on FRIDAY and was refunded $50.00 by the practice's check."""
    db = tmp_path / "office.db"
    engine = store.open_database(path=db)
    at = datetime.combine(FRIDAY, NOW.time())
    with store.write_session(engine) as session:
        pat = users.first_manager(session, first_name="Pat", last_name="Boss", login="pat", new_pin="2468",
                                  workstation="setup", now=at)
        make_staff(session, first_name="Cam", last_name="Nurse", role=Role.nurse)
        ada = make_patient(session, account="000042")
        for cents, number in ((3_000, "1042"), (4_000, "1043")):
            ledger.take_payment(session, ada.id, cents, "check", number, today=FRIDAY, actor=pat, now=at)
        ledger.refund(session, ada.id, 5_000, "check", "overpaid", reference="5001", today=FRIDAY, actor=pat, now=at)
    engine.dispose()
    return db


def test_the_deposit_report_lists_a_refund_check_as_paid_out(practice: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OFFICEMGR_PIN", "2468")
    assert main(["report", "deposits", "--day", f"{FRIDAY}", "--user", "pat", "--db", str(practice)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Desk payments 11/20/2026: $70.00 in 2 payments"
    assert any(line.split() == ["check", "$70.00"] for line in out)
    assert "Deposit (cash and checks): $70.00" in out
    assert "Paid out: refund by check #5001, $50.00" in out
