"""Secondary claims in 835 posting (services.era): the primary's payment leaves a patient share the secondary plan
may pay; the secondary's payment (CLP02 2, 3, 20, 21) posts against it, not as a second primary payment; a
crossover (19) was billed to it by the primary; reversals (22) undo the payer's last payment; a denial by the
secondary hands the share to the patient."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from audit_guard import AuditGuard
from factories import (
    ACTOR,
    NOW,
    TODAY,
    EraClaim,
    audit_events,
    make_claim,
    make_patient,
    make_payer,
    make_plan,
    write_835,
)
from officemgr.models import Claim, ClaimEvent, ClaimStatus, LedgerEntry, Patient, Payer, UserRole
from officemgr.services import era, huddle, ledger, secondary
from officemgr.services.access import Actor
from officemgr.services.common import ServiceError

PRODUCED = date(2026, 11, 20)  # the remittance date the builder writes (DTM*405)
PRIMARY = "ACME HEALTH PLAN"
SECONDARY = "STATE MEDICAID"
_files = iter(range(1, 1000))


def post(session: Session, tmp_path: Path, claims: list[EraClaim], *, payer: str = PRIMARY,
         check: str | None = None, produced: date = PRODUCED) -> era.EraResult:
    n = next(_files)
    path = write_835(tmp_path / f"remit{n}.835", claims, payer=payer, check=check or f"CHK{n}", produced=produced,
                     control=n)
    return era.post_file(session, path, today=TODAY, now=NOW, actor=ACTOR)


def setup(session: Session, *, plan: bool = True, **claim: Any) -> tuple[Claim, Payer, Patient]:
    """A pending claim of $150.00 to the primary, for a patient with a secondary plan at the secondary payer."""
    primary = make_payer(session, name=PRIMARY)
    secondary = make_payer(session, name=SECONDARY)
    patient = make_patient(session)
    if plan:
        make_plan(session, patient, secondary)
    values: dict[str, Any] = {"number": "CL1", "status": ClaimStatus.pending, "billed_cents": 15_000} | claim
    return make_claim(session, patient=patient, payer=primary, **values), secondary, patient


def fresh(session: Session, claim: Claim) -> Claim:
    session.expire_all()
    found = session.get(Claim, claim.id)
    assert found is not None
    return found


def money_of(claim: Claim) -> tuple[int, int, int, int]:
    return claim.paid_cents, claim.secondary_paid_cents, claim.adjusted_cents, claim.patient_resp_cents


def secondary_of(claim: Claim) -> tuple[int | None, date | None, date | None]:
    return claim.secondary_payer_id, claim.secondary_billed_on, claim.secondary_answered_on


def settled(claim: Claim) -> int:
    return sum(money_of(claim))


def history(session: Session, claim: Claim) -> list[str]:
    return [e.text for e in session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)
                                         .order_by(ClaimEvent.id))]


def ledger_balances(session: Session, claim: Claim) -> None:
    """The ledger's entries add up to the balance; once no secondary is owed, it holds the claim's patient share."""
    entries = session.exec(select(LedgerEntry).where(LedgerEntry.patient_id == claim.patient_id)).all()
    assert sum(e.amount_cents for e in entries) == ledger.balance(session, claim.patient_id)
    if not claim.secondary_owed:
        assert ledger.balance(session, claim.patient_id) == claim.patient_resp_cents


# The primary pays $100.00 of $150.00: $20.00 contractual, $30.00 the patient's (deductible).
PRIMARY_PAID = EraClaim("CL1", "1", 15_000, 10_000, 3_000, [("CO", "45", 2_000), ("PR", "1", 3_000)])
# The secondary pays $25.00 of the $30.00 left; $5.00 is still the patient's; OA 23 is the primary's impact.
SECONDARY_PAID = EraClaim("CL1", "2", 15_000, 2_500, 500, [("OA", "23", 12_000), ("PR", "1", 500)])


def test_a_primary_payment_leaving_a_patient_share_names_the_secondary_to_bill(session: Session,
                                                                              tmp_path: Path) -> None:
    claim, secondary, _ = setup(session)

    result = post(session, tmp_path, [PRIMARY_PAID], check="P1")

    claim = fresh(session, claim)
    assert (claim.status, money_of(claim)) == (ClaimStatus.paid, (10_000, 0, 2_000, 3_000))
    assert secondary_of(claim) == (secondary.id, None, None)
    assert claim.secondary_owed
    assert result.problems == []
    assert history(session, claim) == [f"835 check P1; CO 45 $20.00, PR 1 $30.00; bill the secondary {SECONDARY}"]
    ledger_balances(session, claim)


def test_no_secondary_when_the_plan_does_not_cover_the_visit_or_nothing_is_left(session: Session,
                                                                                tmp_path: Path) -> None:
    claim, secondary, patient = setup(session, plan=False)
    make_plan(session, patient, secondary, termination=claim.service_date - timedelta(days=1))
    other = make_claim(session, number="CL2", patient=patient, payer=session.get(Payer, claim.payer_id),
                       status=ClaimStatus.pending, billed_cents=15_000)
    make_plan(session, make_patient(session, first_name="Bo"), secondary)  # someone else's plan

    post(session, tmp_path, [PRIMARY_PAID, EraClaim("CL2", "1", 15_000, 13_000, 0, [("CO", "45", 2_000)])])

    assert secondary_of(fresh(session, claim)) == (None, None, None)
    assert secondary_of(fresh(session, other)) == (None, None, None)


def test_a_crossover_was_billed_to_the_secondary_by_the_primary(session: Session, tmp_path: Path) -> None:
    claim, secondary, _ = setup(session)

    post(session, tmp_path, [EraClaim("CL1", "19", 15_000, 10_000, 3_000, [("CO", "45", 2_000),
                                                                           ("PR", "1", 3_000)])])

    claim = fresh(session, claim)
    assert secondary_of(claim) == (secondary.id, PRODUCED, None)
    assert (claim.status, money_of(claim)) == (ClaimStatus.paid, (10_000, 0, 2_000, 3_000))
    assert history(session, claim)[-1].endswith(f"forwarded by the payer to the secondary {SECONDARY}")


def test_the_secondary_payment_posts_against_the_secondary_in_a_later_file(session: Session,
                                                                           tmp_path: Path) -> None:
    claim, secondary, _ = setup(session)
    post(session, tmp_path, [PRIMARY_PAID], produced=date(2026, 11, 2))

    with AuditGuard() as guard:
        result = post(session, tmp_path, [SECONDARY_PAID], payer=SECONDARY)

    assert guard.problems == []
    claim = fresh(session, claim)
    # Not a second primary payment: paid stays $100.00; the patient owes what the secondary left.
    assert (claim.status, money_of(claim)) == (ClaimStatus.paid, (10_000, 2_500, 2_000, 500))
    assert settled(claim) == claim.billed_cents and claim.balance_cents == 0
    assert secondary_of(claim) == (secondary.id, None, PRODUCED)
    assert not claim.secondary_owed
    assert (result.posted, result.paid_cents, result.problems) == (1, 2_500, [])
    assert "OA 23 $120.00" in history(session, claim)[-1]
    assert "posted as the secondary's payment" in history(session, claim)[-1]
    ledger_balances(session, claim)
    assert ledger.balance(session, claim.patient_id) == 500


def test_the_secondary_contractual_adjustment_adds_to_the_claims(session: Session, tmp_path: Path) -> None:
    claim, _, _ = setup(session)
    post(session, tmp_path, [PRIMARY_PAID])

    post(session, tmp_path, [EraClaim("CL1", "2", 15_000, 2_000, 0, [("OA", "23", 12_000), ("CO", "45", 1_000)])],
         payer=SECONDARY)

    claim = fresh(session, claim)
    assert money_of(claim) == (10_000, 2_000, 3_000, 0)
    assert settled(claim) == 15_000 and claim.status is ClaimStatus.paid
    ledger_balances(session, claim)


def test_a_secondary_payment_on_a_claim_with_no_secondary_plan_posts_and_says_so(session: Session,
                                                                                  tmp_path: Path) -> None:
    claim, _, _ = setup(session, plan=False)
    post(session, tmp_path, [PRIMARY_PAID])

    result = post(session, tmp_path, [SECONDARY_PAID], payer=SECONDARY)

    claim = fresh(session, claim)
    assert money_of(claim) == (10_000, 2_500, 2_000, 500)
    assert secondary_of(claim) == (None, None, PRODUCED)
    assert result.problems == ["claim CL1: a secondary payment on a claim with no secondary plan on file: posted as "
                               "the secondary's; check the patient's insurance"]
    ledger_balances(session, claim)


def test_a_reversal_of_the_secondary_undoes_the_secondary_only(session: Session, tmp_path: Path) -> None:
    claim, secondary, _ = setup(session)
    post(session, tmp_path, [PRIMARY_PAID])
    post(session, tmp_path, [SECONDARY_PAID], payer=SECONDARY)

    result = post(session, tmp_path, [EraClaim("CL1", "22", -15_000, -2_500, -500,
                                               [("OA", "23", -12_000), ("PR", "1", -500)])], payer=SECONDARY)

    claim = fresh(session, claim)
    assert (claim.status, money_of(claim)) == (ClaimStatus.paid, (10_000, 0, 2_000, 3_000))
    assert secondary_of(claim) == (secondary.id, None, None)
    assert claim.secondary_owed
    assert (result.reversals, result.reversed_cents) == (1, 2_500)
    assert "reverses the secondary's payment" in history(session, claim)[-1]
    ledger_balances(session, claim)


def test_a_reversal_and_the_corrected_secondary_payment_in_one_file(session: Session, tmp_path: Path) -> None:
    claim, secondary, _ = setup(session)
    post(session, tmp_path, [PRIMARY_PAID])
    post(session, tmp_path, [SECONDARY_PAID], payer=SECONDARY)

    post(session, tmp_path, [EraClaim("CL1", "22", -15_000, -2_500, -500, [("OA", "23", -12_000), ("PR", "1", -500)]),
                             EraClaim("CL1", "2", 15_000, 3_000, 0, [("OA", "23", 12_000)])], payer=SECONDARY)

    claim = fresh(session, claim)
    assert (claim.status, money_of(claim)) == (ClaimStatus.paid, (10_000, 3_000, 2_000, 0))
    assert secondary_of(claim) == (secondary.id, None, PRODUCED)
    assert settled(claim) == claim.billed_cents
    ledger_balances(session, claim)
    assert ledger.balance(session, claim.patient_id) == 0


def test_a_reversal_and_the_corrected_primary_payment_in_one_file(session: Session, tmp_path: Path) -> None:
    claim, secondary, _ = setup(session)
    post(session, tmp_path, [PRIMARY_PAID])

    post(session, tmp_path, [EraClaim("CL1", "22", -15_000, -10_000, -3_000, [("CO", "45", -2_000),
                                                                              ("PR", "1", -3_000)]),
                             EraClaim("CL1", "1", 15_000, 11_000, 2_000, [("CO", "45", 2_000), ("PR", "1", 2_000)])])

    claim = fresh(session, claim)
    assert (claim.status, money_of(claim)) == (ClaimStatus.paid, (11_000, 0, 2_000, 2_000))
    assert secondary_of(claim) == (secondary.id, None, None)
    ledger_balances(session, claim)


def test_a_primary_reversal_after_the_secondary_paid_undoes_the_primary(session: Session, tmp_path: Path) -> None:
    claim, secondary, _ = setup(session)
    post(session, tmp_path, [PRIMARY_PAID])
    post(session, tmp_path, [SECONDARY_PAID], payer=SECONDARY)

    post(session, tmp_path, [EraClaim("CL1", "22", -15_000, -10_000, -3_000, [("CO", "45", -2_000),
                                                                              ("PR", "1", -3_000)])])

    claim = fresh(session, claim)
    # The primary's last payment was the primary one: its amounts come off, the secondary's stay.
    assert claim.status is ClaimStatus.pending
    assert (claim.paid_cents, claim.secondary_paid_cents, claim.adjusted_cents) == (0, 2_500, 0)
    assert secondary_of(claim) == (secondary.id, None, PRODUCED)


def test_a_denial_by_the_secondary_leaves_the_share_to_the_patient(session: Session, tmp_path: Path) -> None:
    claim, secondary, _ = setup(session)
    post(session, tmp_path, [PRIMARY_PAID])

    result = post(session, tmp_path, [EraClaim("CL1", "4", 15_000, 0, 0, [("CO", "27", 15_000)])], payer=SECONDARY)

    claim = fresh(session, claim)
    assert (claim.status, claim.denial_code, claim.denied_on) == (ClaimStatus.paid, None, None)
    assert money_of(claim) == (10_000, 0, 2_000, 3_000)
    assert secondary_of(claim) == (secondary.id, None, PRODUCED)
    assert not claim.secondary_owed
    assert result.denied == 1
    assert "denied by the secondary" in history(session, claim)[-1]
    ledger_balances(session, claim)
    assert ledger.balance(session, claim.patient_id) == 3_000


def test_a_denial_by_the_primary_is_still_the_claims(session: Session, tmp_path: Path) -> None:
    claim, _, _ = setup(session)

    post(session, tmp_path, [EraClaim("CL1", "4", 15_000, 0, 0, [("CO", "27", 15_000)])])

    claim = fresh(session, claim)
    assert (claim.status, claim.denial_code, claim.secondary_answered_on) == (ClaimStatus.denied, "27", None)


# --- billing the secondary (services.secondary) and the huddle ----------------------------------------


def test_bill_secondary_records_the_day_the_history_and_the_audit(session: Session, tmp_path: Path) -> None:
    claim, secondary_payer, _ = setup(session)
    post(session, tmp_path, [PRIMARY_PAID])

    with AuditGuard() as guard:
        said = secondary.bill_secondary(session, claim.id, today=TODAY, now=NOW, actor=ACTOR)

    assert guard.problems == []
    assert said == f"Claim CL1 billed to the secondary {SECONDARY} on 11/23/2026."
    claim = fresh(session, claim)
    assert secondary_of(claim) == (secondary_payer.id, TODAY, None)
    assert claim.secondary_owed and claim.status is ClaimStatus.paid
    assert history(session, claim)[-1] == (f"billed to secondary {SECONDARY}: the primary paid $100.00, adjusted "
                                           "$20.00, patient share $30.00")
    (event, changes), = [(e, c) for e, c in audit_events(session, "claim") if e.action == "bill_secondary"]
    assert (event.entity_id, changes["secondary_billed_on"], changes["secondary_payer"]) == \
        (claim.id, [None, "2026-11-23"], SECONDARY)
    assert secondary.to_bill(session, today=TODAY) == []


def test_bill_secondary_refuses_and_changes_nothing(session: Session, tmp_path: Path) -> None:
    claim, _, _ = setup(session)
    lone = make_claim(session, number="CL2", status=ClaimStatus.paid, billed_cents=15_000, paid_cents=15_000)
    post(session, tmp_path, [PRIMARY_PAID])
    secondary.bill_secondary(session, claim.id, today=TODAY, now=NOW, actor=ACTOR)
    answered = make_claim(session, number="CL3", status=ClaimStatus.paid, billed_cents=15_000, paid_cents=12_000,
                          patient_resp_cents=3_000, secondary_payer_id=claim.secondary_payer_id,
                          secondary_answered_on=PRODUCED)
    session.expire_all()
    before = [c.model_dump() for c in session.exec(select(Claim).order_by(Claim.id))], \
        len(audit_events(session)), count_events(session)

    for claim_id, message in ((claim.id, f"already billed to the secondary {SECONDARY} on 11/23/2026"),
                              (lone.id, "CL2 has no secondary payer to bill"),
                              (answered.id, f"the secondary {SECONDARY} already answered on 11/20/2026")):
        with pytest.raises(ServiceError, match=message):
            secondary.bill_secondary(session, claim_id, today=TODAY, now=NOW, actor=ACTOR)

    session.expire_all()
    assert ([c.model_dump() for c in session.exec(select(Claim).order_by(Claim.id))], len(audit_events(session)),
            count_events(session)) == before


def count_events(session: Session) -> int:
    return len(session.exec(select(ClaimEvent)).all())


def test_to_bill_lists_the_oldest_first_with_what_the_primary_did(session: Session, tmp_path: Path) -> None:
    claim, _, patient = setup(session, service_date=TODAY - timedelta(days=10))
    older = make_claim(session, number="CL0", patient=patient, payer=session.get(Payer, claim.payer_id),
                       status=ClaimStatus.pending, billed_cents=20_000, service_date=TODAY - timedelta(days=40))
    post(session, tmp_path, [PRIMARY_PAID, EraClaim("CL0", "1", 20_000, 15_000, 4_000, [("CO", "45", 1_000),
                                                                                        ("PR", "3", 4_000)])])

    rows = secondary.to_bill(session, today=TODAY)

    assert rows == [
        secondary.ToBill(older.id, "CL0", "Lovelace, Ada", TODAY - timedelta(days=40), SECONDARY, 20_000, 15_000,
                         1_000, 4_000, 0),
        secondary.ToBill(claim.id, "CL1", "Lovelace, Ada", TODAY - timedelta(days=10), SECONDARY, 15_000, 10_000,
                         2_000, 3_000, 0),
    ]
    assert [r.number for r in secondary.to_bill(session, today=TODAY, limit=1)] == ["CL0"]
    assert secondary.to_bill_count(session) == 2
    assert secondary.to_bill(session, today=TODAY + timedelta(days=9))[0].waiting_days == 9


def test_the_huddle_says_how_many_secondaries_to_bill_and_the_oldest(session: Session, tmp_path: Path) -> None:
    claim, _, patient = setup(session)
    team = Actor("max", {UserRole.biller}, workstation="office")
    assert [i for i in billing_items(session, team) if i.key == "secondary:claims"] == []
    make_claim(session, number="CL0", patient=patient, payer=session.get(Payer, claim.payer_id),
               status=ClaimStatus.pending, billed_cents=20_000, service_date=date(2026, 10, 1))
    post(session, tmp_path, [PRIMARY_PAID, EraClaim("CL0", "1", 20_000, 15_000, 4_000, [("CO", "45", 1_000),
                                                                                        ("PR", "3", 4_000)])])

    item, = [i for i in billing_items(session, team) if i.key == "secondary:claims"]

    oldest = session.exec(select(Claim).where(Claim.number == "CL0")).one()
    assert (item.text, item.reason, item.tab, item.record_id) == \
        ("Bill secondary: 2 claims", f"oldest CL0 to {SECONDARY}, $40.00 (visit 10/01)", "billing", oldest.id)


def billing_items(session: Session, actor: Actor) -> list[Any]:
    found = [s for s in huddle.huddle(session, TODAY, actor=actor).sections if s.key == "billing"]
    return found[0].items if found else []
