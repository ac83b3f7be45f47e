"""The A/R roll-forward: opening + charges − payments − adjustments = closing, per month, from claims' postings and
the patient ledger; a closed month's recorded A/R shows a later back-dated posting as a difference."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session

from factories import ACTOR, NOW, make_claim, make_patient, make_payer
from officemgr.models import Claim, EntryKind, LedgerEntry, UserRole
from officemgr.models.finance import MonthClose, PostingKind
from officemgr.services import ledger
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.ar_rollforward import (
    ArBalance,
    Line,
    ar_now,
    ar_through,
    journal_matches_claims,
    roll_forward,
    row_of,
)
from officemgr.services.claim_postings import post

MANAGER = Actor("pat", {UserRole.manager})


def posted(session: Session, claim: Claim, day: date, kind: PostingKind, cents: int, group: str = "") -> None:
    post(session, claim, day, kind, cents, group=group, source="test", now=NOW, actor=ACTOR)
    session.commit()


def entry(session: Session, patient_id: int, day: date, kind: EntryKind, cents: int, **more) -> LedgerEntry:  # type: ignore[no-untyped-def]
    row = LedgerEntry(patient_id=patient_id, day=day, at=NOW, actor=ACTOR, kind=kind, amount_cents=cents, **more)
    session.add(row)
    session.commit()
    return row


def test_a_hand_computed_month_rolls_forward_and_its_edges_count_in_the_right_month(session: Session) -> None:
    claim = make_claim(session, billed_cents=150_000)
    posted(session, claim, date(2026, 10, 31), PostingKind.charge, 100_000)  # last day of October: the opening
    posted(session, claim, date(2026, 11, 1), PostingKind.charge, 50_000)  # first day of November
    posted(session, claim, date(2026, 11, 15), PostingKind.adjustment, -12_000, "CO")
    posted(session, claim, date(2026, 11, 30), PostingKind.payment, -30_000)  # last day of November
    posted(session, claim, date(2026, 12, 1), PostingKind.payment, -5_000)  # December's

    month = roll_forward(session, date(2026, 11, 1), actor=ACTOR)

    assert (month.month, month.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert month.insurance.opening_cents == 100_000
    assert month.insurance.lines == (Line("Charges", 50_000), Line("Insurance payments", -30_000),
                                     Line("Adjustments CO", -12_000))
    assert month.insurance.closing_cents == 108_000
    assert month.balances and month.difference_cents == 0 and month.notes == ()
    assert roll_forward(session, date(2026, 12, 17), actor=ACTOR).insurance.opening_cents == 108_000


def test_december_rolls_into_january_of_the_next_year(session: Session) -> None:
    claim = make_claim(session)
    posted(session, claim, date(2026, 12, 31), PostingKind.charge, 20_000)
    posted(session, claim, date(2027, 1, 1), PostingKind.payment, -15_000)
    december = roll_forward(session, date(2026, 12, 1), actor=ACTOR)
    january = roll_forward(session, date(2027, 1, 1), actor=ACTOR)
    assert (december.insurance.opening_cents, december.insurance.closing_cents) == (0, 20_000)
    assert (january.insurance.opening_cents, january.insurance.closing_cents) == (20_000, 5_000)
    assert january.insurance.cents("Insurance payments") == -15_000 and january.balances


def test_february_of_a_leap_year_ends_on_the_29th(session: Session) -> None:
    claim = make_claim(session)
    posted(session, claim, date(2028, 2, 29), PostingKind.charge, 9_000)
    posted(session, claim, date(2028, 3, 1), PostingKind.charge, 1_000)
    february = roll_forward(session, date(2028, 2, 1), actor=ACTOR)
    assert february.last_day == date(2028, 2, 29)
    assert (february.insurance.cents("Charges"), february.insurance.closing_cents) == (9_000, 9_000)
    assert roll_forward(session, date(2028, 3, 1), actor=ACTOR).insurance.opening_cents == 9_000


def test_the_patient_ar_lines_count_a_void_with_what_it_undoes(session: Session) -> None:
    patient = make_patient(session)
    entry(session, patient.id, date(2026, 10, 20), EntryKind.patient_share, 4_000)  # type: ignore[arg-type]
    entry(session, patient.id, date(2026, 11, 2), EntryKind.sent_to_patient, 6_000)  # type: ignore[arg-type]
    paid = entry(session, patient.id, date(2026, 11, 3), EntryKind.payment, -3_000)  # type: ignore[arg-type]
    entry(session, patient.id, date(2026, 11, 4), EntryKind.void, 3_000, voids_id=paid.id)  # type: ignore[arg-type]
    entry(session, patient.id, date(2026, 11, 5), EntryKind.payment, -2_500)  # type: ignore[arg-type]
    entry(session, patient.id, date(2026, 11, 6), EntryKind.courtesy, -500)  # type: ignore[arg-type]
    entry(session, patient.id, date(2026, 11, 7), EntryKind.small_balance, -300)  # type: ignore[arg-type]

    side = roll_forward(session, date(2026, 11, 1), actor=ACTOR).patient

    assert side.opening_cents == 4_000
    assert side.lines == (Line("From insurance (sent to patient)", 6_000), Line("Patient payments", -2_500),
                          Line("Small-balance write-offs", -300), Line("Courtesy discounts", -500))
    assert side.closing_cents == 6_700 and side.difference_cents == 0


def test_a_back_dated_override_after_the_close_shows_as_a_difference(session: Session) -> None:
    claim = make_claim(session)
    posted(session, claim, date(2026, 10, 10), PostingKind.charge, 15_000)
    at_close = ar_through(session, date(2026, 10, 31))
    session.add(MonthClose(month=date(2026, 10, 1), closed_at=datetime(2026, 11, 2, 17), closed_by="pat",
                           insurance_ar_cents=at_close.insurance_cents, patient_ar_cents=at_close.patient_cents))
    session.commit()
    assert roll_forward(session, date(2026, 10, 1), actor=ACTOR).balances

    post(session, claim, date(2026, 10, 30), PostingKind.payment, -4_000, source="test", now=NOW, actor=MANAGER,
         override_reason="found in October's mail")
    session.commit()

    october = roll_forward(session, date(2026, 10, 1), actor=ACTOR)
    assert not october.balances and october.difference_cents == -4_000
    assert october.notes == ("The insurance A/R closes at $110.00, but October 2026 closed with $150.00: postings of "
                             "-$40.00 were dated into it or earlier after it closed (the manager's override, in the "
                             "audit log)",)
    november = roll_forward(session, date(2026, 11, 1), actor=ACTOR)
    assert not november.balances and november.difference_cents == -4_000
    assert "opens at $110.00, but October 2026 closed with $150.00" in november.notes[0]


def test_a_reopened_month_has_no_recorded_figure_to_differ_from(session: Session) -> None:
    claim = make_claim(session)
    posted(session, claim, date(2026, 10, 10), PostingKind.charge, 15_000)
    session.add(MonthClose(month=date(2026, 10, 1), closed_at=datetime(2026, 11, 2, 17), closed_by="pat",
                           insurance_ar_cents=99, reopened_at=datetime(2026, 11, 3, 9), reopened_by="pat"))
    session.commit()
    assert roll_forward(session, date(2026, 10, 1), actor=ACTOR).balances


def test_ar_now_and_through_a_day_sum_both_journals(session: Session) -> None:
    claim = make_claim(session)
    patient = make_patient(session)
    posted(session, claim, date(2026, 11, 1), PostingKind.charge, 15_000)
    posted(session, claim, date(2026, 11, 20), PostingKind.payment, -5_000)
    entry(session, patient.id, date(2026, 11, 20), EntryKind.patient_share, 2_000)  # type: ignore[arg-type]
    assert ar_through(session, date(2026, 11, 19)) == ArBalance(15_000, 0)
    assert ar_now(session) == ArBalance(10_000, 2_000) and ar_now(session).total_cents == 12_000


def test_journal_matches_claims_names_a_claim_changed_without_its_posting(session: Session) -> None:
    good = make_claim(session, billed_cents=10_000)
    bad = make_claim(session, billed_cents=10_000)
    posted(session, good, date(2026, 11, 1), PostingKind.charge, 10_000)
    posted(session, bad, date(2026, 11, 1), PostingKind.charge, 10_000)
    assert journal_matches_claims(session) == []
    bad.paid_cents = 4_000  # a writer that forgot to post
    session.add(bad)
    session.commit()
    assert journal_matches_claims(session) == [bad.id]


def test_the_front_desk_may_not_see_the_roll_forward(session: Session) -> None:
    with pytest.raises(NotAllowed):
        roll_forward(session, date(2026, 11, 1), actor=Actor("kim", {UserRole.front_desk}))


def test_a_desk_payment_lands_in_the_patient_ar_of_its_month(session: Session) -> None:
    patient = make_patient(session)
    entry(session, patient.id, date(2026, 10, 20), EntryKind.patient_share, 4_000)  # type: ignore[arg-type]
    ledger.take_payment(session, patient.id, 1_000, "cash", today=date(2026, 11, 30), actor=ACTOR,  # type: ignore[arg-type]
                        now=NOW)
    assert roll_forward(session, date(2026, 11, 1), actor=ACTOR).patient.closing_cents == 3_000


def test_the_insurance_lines_come_in_report_order(session: Session) -> None:
    claim = make_claim(session)
    posted(session, claim, date(2026, 11, 2), PostingKind.write_off, -100)
    posted(session, claim, date(2026, 11, 2), PostingKind.patient_share, -200)
    posted(session, claim, date(2026, 11, 2), PostingKind.adjustment, 300)
    posted(session, claim, date(2026, 11, 2), PostingKind.adjustment, -400, "OA")
    posted(session, claim, date(2026, 11, 2), PostingKind.adjustment, -500, "CO")
    posted(session, claim, date(2026, 11, 2), PostingKind.charge, 20_000)
    side = roll_forward(session, date(2026, 11, 1), actor=ACTOR).insurance
    assert [line.label for line in side.lines] == [
        "Charges", "Insurance payments", "Adjustments CO", "Adjustments OA", "Overpaid (credit to refund)",
        "To patients (PR and sent to patient)", "Written off"]
    assert side.closing_cents == 19_100 and side.difference_cents == 0


def test_a_share_the_claims_moved_must_reach_the_ledger_in_the_same_month(session: Session) -> None:
    patient = make_patient(session)
    claim = make_claim(session, patient=patient)
    posted(session, claim, date(2026, 11, 2), PostingKind.charge, 10_000)
    posted(session, claim, date(2026, 11, 30), PostingKind.patient_share, -1_500)  # moved on November's last day
    entry(session, patient.id, date(2026, 11, 30), EntryKind.patient_share, 1_000)  # type: ignore[arg-type]
    entry(session, patient.id, date(2026, 12, 1), EntryKind.patient_share, 500)  # type: ignore[arg-type]

    november = roll_forward(session, date(2026, 11, 1), actor=ACTOR)
    assert november.insurance.difference_cents == 0 and november.patient.difference_cents == 0
    assert not november.balances and november.unreceived_cents == november.difference_cents == 500
    assert november.notes == ("Claims moved $15.00 to patients in November 2026, but the patients' ledgers received "
                              "$10.00: a share the ledger took in another month",)
    assert november.line == f"Does not balance by $5.00: {november.notes[0]}"
    december = roll_forward(session, date(2026, 12, 1), actor=ACTOR)
    assert december.unreceived_cents == -500 and december.line.startswith("Does not balance by $5.00: Claims moved "
                                                                          "$0.00 to patients in December 2026")


def test_a_share_sent_to_the_patient_and_received_the_same_day_balances(session: Session) -> None:
    patient = make_patient(session)
    claim = make_claim(session, patient=patient)
    posted(session, claim, date(2026, 12, 31), PostingKind.charge, 10_000)
    posted(session, claim, date(2026, 12, 31), PostingKind.patient_share, -4_000)
    entry(session, patient.id, date(2026, 12, 31), EntryKind.sent_to_patient, 4_000)  # type: ignore[arg-type]
    december = roll_forward(session, date(2026, 12, 1), actor=ACTOR)
    assert december.balances and december.line == "Balances" and december.unreceived_cents == 0
    assert (december.insurance.row_cents("transfers"), december.patient.row_cents("transfers")) == (-4_000, 4_000)


def test_every_line_falls_on_one_row_of_the_report() -> None:
    assert [row_of(label) for label in ("Charges", "Insurance payments", "Patient payments", "Refunds to patients",
                                        "To patients (PR and sent to patient)", "From insurance (patient share)",
                                        "From insurance (sent to patient)")] == [
        "charges", "payments", "payments", "payments", "transfers", "transfers", "transfers"]
    assert {row_of(label) for label in ("Adjustments CO", "Adjustments XY", "Overpaid (credit to refund)",
                                        "Written off", "Small-balance write-offs", "Courtesy discounts")} == {
        "adjustments"}


def test_a_share_held_for_the_secondary_plan_balances_and_is_said(session: Session) -> None:
    """The primary's PR leaves insurance A/R in November; the patient's ledger takes it only when the secondary
    answers in December: both months balance, November's report names what is held."""
    payer, secondary = make_payer(session), make_payer(session, name="Second Plan")
    patient = make_patient(session)
    claim = make_claim(session, patient=patient, payer=payer, service_date=date(2026, 11, 2))
    claim.secondary_payer_id = secondary.id
    session.add(claim)
    session.commit()
    posted(session, claim, date(2026, 11, 2), PostingKind.charge, 10_000)
    posted(session, claim, date(2026, 11, 20), PostingKind.patient_share, -2_000)
    november = roll_forward(session, date(2026, 11, 1), actor=ACTOR)
    assert november.balances, november.notes
    assert (november.held_opening_cents, november.held_closing_cents) == (0, 2_000)
    assert november.held_line == ("Patient shares held for secondary plans on 11/30/2026: $20.00 (in neither A/R "
                                  "until the secondary plan answers)")
    # The secondary pays $15.00 of it on 12/04 (its own payment posting) and leaves $5.00 to the patient.
    claim.secondary_answered_on = date(2026, 12, 4)
    session.add(claim)
    session.commit()
    entry(session, patient.id, date(2026, 12, 4), EntryKind.patient_share, 500)  # type: ignore[arg-type]
    posted(session, claim, date(2026, 12, 4), PostingKind.patient_share, 1_500)
    posted(session, claim, date(2026, 12, 4), PostingKind.payment, -1_500)
    december = roll_forward(session, date(2026, 12, 1), actor=ACTOR)
    assert december.balances, december.notes
    assert (december.held_opening_cents, december.held_closing_cents, december.held_line) == (2_000, 0, "")
    assert roll_forward(session, date(2026, 11, 1), actor=ACTOR).held_closing_cents == 2_000
