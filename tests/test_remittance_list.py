"""What the Remittances screen reads (services.remittance_list), on 835 files posted with services.era: the pages
of remittances, one remittance's checks with their provider-level adjustments, the payments that matched no claim,
and the claims each may be for, best first with the reason."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from factories import ACTOR, NOW, TODAY, EraClaim, make_claim, make_patient, make_payer, write_835
from officemgr.models import ClaimStatus
from officemgr.models.users import UserRole
from officemgr.services import era, remittance_list
from officemgr.services.access import Actor, NotAllowed

SERVICE = date(2026, 10, 30)


def post(session: Session, path: Path, *, now: datetime = NOW) -> era.EraResult:
    return era.post_file(session, path, today=TODAY, now=now, actor=ACTOR)


def test_pages_are_newest_first_with_the_total_and_stay_in_bounds(session: Session, tmp_path: Path) -> None:
    make_claim(session, number="CL1", status=ClaimStatus.pending, billed_cents=10_000)
    for n in range(3):
        claims = [EraClaim("CL1" if n == 0 else f"NONE-{n}", "1", 10_000, 10_000)]
        post(session, write_835(tmp_path / f"r{n}.835", claims, check=f"CHK{n}", produced=date(2026, 11, 10 + n)),
             now=NOW + timedelta(minutes=n))

    first = remittance_list.remittances(session, page=0, per_page=2, actor=ACTOR)
    assert first.total == 3
    assert [(r.source, r.check_number, r.paid_on) for r in first.rows] == [
        ("r2.835", "CHK2", date(2026, 11, 12)), ("r1.835", "CHK1", date(2026, 11, 11))]
    second = remittance_list.remittances(session, page=1, per_page=2, actor=ACTOR)
    assert [r.check_number for r in second.rows] == ["CHK0"]
    assert (second.offset, second.last_page) == (2, 1)
    row = second.rows[0]
    assert (row.payer, row.paid_cents, row.claims, row.posted, row.not_posted, row.plb_cents) == (
        "ACME HEALTH PLAN", 10_000, 1, 1, 0, 0)
    assert first.rows[0].not_posted == 1
    # Past the end: the last page; before the start: the first.
    assert remittance_list.remittances(session, page=9, per_page=2, actor=ACTOR).rows == second.rows
    assert remittance_list.remittances(session, page=-1, per_page=2, actor=ACTOR).rows == first.rows


def test_no_remittances_is_an_empty_first_page(session: Session) -> None:
    page = remittance_list.remittances(session, page=3, actor=ACTOR)
    assert (page.rows, page.total, page.page) == ((), 0, 0)


def test_a_remittance_shows_its_provider_adjustments_so_the_check_adds_up(session: Session, tmp_path: Path) -> None:
    make_claim(session, number="CL7", status=ClaimStatus.pending, billed_cents=15_000)
    path = write_835(tmp_path / "plb.835", [
        EraClaim("CL7", "1", 15_000, 10_000, 2_000, adjustments=[("CO", "45", 3_000), ("PR", "1", 2_000)]),
        EraClaim("GONE-9", "4", 8_000, 0, adjustments=[("CO", "50", 8_000)], name=("RIVERA", "ANA"),
                 service=SERVICE),
    ], provider_adjustments=[("WO:CL777", 127), ("L6", -500)])
    post(session, path)
    listed = remittance_list.remittances(session, page=0, actor=ACTOR).rows[0]
    assert (listed.paid_cents, listed.plb_cents) == (10_000 - 127 + 500, -373)

    detail = remittance_list.remittance(session, listed.remittance_id, actor=ACTOR)

    [check] = detail.checks
    assert (check.payer, check.number, check.paid_on, check.paid_cents) == ("ACME HEALTH PLAN", "12345",
                                                                             date(2026, 11, 20), 10_373)
    assert [line.as_text() for line in check.plb] == ["WO overpayment recovery (CL777) -$1.27", "L6 interest $5.00"]
    assert check.adds_up() == "claims $100.00 plus provider adjustments $3.73 = check $103.73"
    paid, denied = detail.claims_of(check)
    assert (paid.claim_number, paid.status, paid.charge_cents, paid.paid_cents, paid.patient_resp_cents) == (
        "CL7", "primary", 15_000, 10_000, 2_000)
    assert paid.adjustments == ("CO 45 $30.00", "PR 1 $20.00")
    assert (paid.posted, paid.outcome, paid.claim_id is not None) == (True, "posted", True)
    assert (denied.status, denied.posted, denied.outcome, denied.claim_id) == (
        "denied", False, "no claim with this number", None)
    assert (denied.patient_name, denied.service_date) == ("RIVERA, ANA", SERVICE)


def test_a_remittance_gone_is_said_in_words(session: Session) -> None:
    with pytest.raises(remittance_list.ServiceError, match="no longer exists"):
        remittance_list.remittance(session, 999, actor=ACTOR)


def test_unmatched_payments_newest_first_with_their_check_and_why(session: Session, tmp_path: Path) -> None:
    make_claim(session, number="CL8", status=ClaimStatus.pending, billed_cents=10_000)
    post(session, write_835(tmp_path / "a.835", [EraClaim("NOPE-A", "1", 5_000, 5_000),
                                                 EraClaim("CL8", "1", 10_000, 10_000)], check="A1"))
    post(session, write_835(tmp_path / "b.835", [EraClaim("NOPE-B", "1", 7_000, 7_000),
                                                 EraClaim("NOPE-C", "1", 6_000, 6_000)], payer="ZETA CARE",
                            check="B2"), now=NOW + timedelta(hours=1))

    found = remittance_list.unmatched(session, limit=2, actor=ACTOR)

    assert found.total == 3
    assert [(r.payment.claim_number, r.payer, r.check_number, r.why) for r in found.rows] == [
        ("NOPE-C", "ZETA CARE", "B2", "no claim with this number"),
        ("NOPE-B", "ZETA CARE", "B2", "no claim with this number")]
    assert found.rows[0].source == "b.835"


def make_candidates(session: Session, tmp_path: Path, *, last: str, first: str, sent: tuple[str, str]) -> int:
    """Claims for a patient named (last, first), and an unmatched 835 payment naming them as `sent`; its id."""
    acme = make_payer(session, name="Acme Health Plan")
    other = make_payer(session, name="Zeta Care")
    patient = make_patient(session, last_name=last, first_name=first, dob=date(1970, 2, 3))
    stranger = make_patient(session, last_name="Nguyen", first_name="Bao")
    make_claim(session, number="C-EXACT", patient=patient, payer=acme, service_date=SERVICE, billed_cents=12_000)
    make_claim(session, number="C-NEAR", patient=patient, payer=other, service_date=SERVICE - timedelta(days=2),
               billed_cents=9_000)
    make_claim(session, number="C-OLD", patient=patient, payer=acme, service_date=SERVICE - timedelta(days=90),
               billed_cents=12_000)
    make_claim(session, number="C-STRANGER", patient=stranger, payer=acme, service_date=SERVICE, billed_cents=12_000)
    make_claim(session, number="C-NOT-HIM", patient=stranger, payer=acme, service_date=SERVICE, billed_cents=5_000)
    post(session, write_835(tmp_path / "c.835", [EraClaim("TYPO-1", "1", 12_000, 10_000,
                                                          adjustments=[("CO", "45", 2_000)], name=sent,
                                                          service=SERVICE)]))
    [row] = remittance_list.unmatched(session, actor=ACTOR).rows
    return row.payment.remittance_claim_id


def test_candidates_best_first_with_the_reasons(session: Session, tmp_path: Path) -> None:
    payment = make_candidates(session, tmp_path, last="O'Brien", first="Mary Ann", sent=("OBRIEN", "MARY"))

    found = remittance_list.candidates(session, payment, actor=ACTOR)

    assert [(c.number, c.reason) for c in found] == [
        ("C-EXACT", "same last name, same first name, same service date, billed = charge, same payer"),
        ("C-NEAR", "same last name, same first name, service date 2 days apart"),
        ("C-OLD", "same last name, same first name, billed = charge, same payer"),
        ("C-STRANGER", "same service date, billed = charge, same payer"),
    ]
    best = found[0]
    assert (best.patient_name, best.dob, best.service_date, best.billed_cents, best.status) == (
        "O'Brien, Mary Ann", date(1970, 2, 3), SERVICE, 12_000, "submitted")
    assert [c.number for c in remittance_list.candidates(session, payment, limit=2, actor=ACTOR)] == [
        "C-EXACT", "C-NEAR"]


def test_a_lower_case_name_with_punctuation_is_found(session: Session, tmp_path: Path) -> None:
    payment = make_candidates(session, tmp_path, last="d'angelo-ruiz", first="luca", sent=("DANGELO RUIZ", "LUCA"))

    found = remittance_list.candidates(session, payment, actor=ACTOR)

    assert found[0].number == "C-EXACT"
    assert found[0].reason.startswith("same last name, same first name, same service date")


def test_the_lists_need_the_billing_role_to_be_seen(session: Session, tmp_path: Path) -> None:
    post(session, write_835(tmp_path / "r.835", [EraClaim("NOPE", "1", 5_000, 5_000)]))
    desk = Actor("kim", {UserRole.front_desk}, workstation="desk1")
    with pytest.raises(NotAllowed, match="the remittances needs"):
        remittance_list.remittances(session, page=0, actor=desk)
    with pytest.raises(NotAllowed):
        remittance_list.unmatched(session, actor=desk)
    auditor = Actor("ann", {UserRole.auditor}, workstation="desk1")
    assert remittance_list.unmatched(session, actor=auditor).total == 1


def test_a_withheld_cent_is_where_the_check_says() -> None:
    """The issue's $150,000.00 check that read "$149,998.73 paid" with the $1.27 nowhere."""
    check = remittance_list.CheckRow(1, "ACME", "EFT1", None, 14_999_873, 15_000_000, (
        remittance_list.PlbLine("WO", "overpayment recovery", "CL777", 127),))
    assert check.adds_up() == "claims $150,000.00 less provider adjustments $1.27 = check $149,998.73"
    short = remittance_list.CheckRow(1, "ACME", "EFT1", None, 14_999_000, 15_000_000, check.plb)
    assert short.adds_up().endswith("= check $149,998.73, but the check is $149,990.00")
