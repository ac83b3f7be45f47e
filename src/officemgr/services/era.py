"""Remittances: post an X12 835 file (electronic remittance advice) to the claims it pays.

`era_read.parse(path)` reads and checks the file and touches no database (services.era_x12 holds the X12
checks); `post_file(...)` posts what it read, in one transaction, and returns what happened.

Reading (services.era_read, services.era_x12): a file that is not a sound 835, or whose money does not add up,
is refused whole; nothing is posted.

Posting, per claim payment (CLP), matched to a claim by the claim number the practice sent (CLP01):
    CLP02 1, 2, 3 (and 19-21)  processed: the payment (CLP04) adds to paid, CO adjustments to the contractual
                               adjustments, PR to the patient's responsibility (other groups are listed);
                               the claim is paid when nothing is left to collect, else partly paid; a payment
                               below the payer's fee schedule (services.fees) leaves it partly paid and underpaid
    CLP02 4                    denied: the largest adjustment gives the denial code and group (a zero CAS
                               placeholder before it does not), the remittance date
                               (DTM*405, else BPR16, else today) is the denial date, so the appeal deadline runs
    CLP02 22                   reversal of an earlier payment (its amounts zero or negative, else the file is
                               refused): its amounts are subtracted, the claim goes back to pending
Secondary claims: a primary payment (1, 19) that leaves a patient share, for a patient whose secondary plan covers
the date of service, names that plan's payer as the claim's secondary (a crossover, 19, was billed to it by the
primary). A payment processed as secondary (2, 3, 20, 21) posts against the secondary, never as a second primary
payment: it adds to what the secondary paid, its CO to the contractual adjustments, its PR becomes the patient's
share (what is left after both), other groups (OA 23, the primary's impact) are listed; the secondary has answered.
A reversal undoes the earlier payment it negates: of the payer's posted payments on the claim not reversed yet, the
latest of the amount it takes back; that payment's status code says whether it was the secondary's (back to the
share the primary left, not answered) or the primary's as above. A reversal with no such payment, or taking back
more than was posted, is held for review. A denial (4) from the secondary's payer only marks it answered.
The status change must be a legal one (services.claim_flow.TRANSITIONS; staying in the same status is fine,
e.g. a second payment on a paid claim): a draft or rejected claim cannot be paid, a closed one only reopened by
a reversal, a denied one is paid only after an appeal. Such a payment is listed as a problem and not posted
(the manager posts it by hand in the app). Every claim payment is stored
(RemittanceClaim), matched or not: a payment for no known claim is listed, never dropped. Each posted claim
gets a history event and an audit event. The same file twice (same SHA-256) posts nothing the second time. The
repeat guard is per check and per claim payment, not per file: a check posted before (same check/EFT trace number,
payer and amount, e.g. in the file saved again or in a file that bundles it with a new check) is skipped and said
so, and so is a claim payment posted before from the same payer's check number. A claim payment that would leave
more paid and adjusted than billed, or a claim number shared by several payment loops in the file (beyond
reversals, one primary answer and one secondary answer, from one payer or two), is held for review: listed with
the unmatched payments, not posted. A claim's secondary answer posts after its primary answer in the same file.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from officemgr.models import (
    OPEN_STATUSES,
    Claim,
    ClaimEvent,
    ClaimStatus,
    InsurancePlan,
    Payer,
    PlanRank,
    ProviderAdjustment,
    Remittance,
    RemittanceClaim,
)
from officemgr.models.billing import RemittanceCheck
from officemgr.services import fees, ledger
from officemgr.services.billing import FilingState, claim_deadline
from officemgr.services.claim_flow import allowed_next
from officemgr.services.claim_postings import ClaimMoney, open_day, post_change
from officemgr.services.common import apply_update, record
from officemgr.services.era_read import (
    DENIED,
    NOT_POSTED,
    PROCESSED,
    REVERSAL,
    Adjustment,
    ClaimPayment,
    Payment,
    PlbItem,
    Remit,
    parse,
)
from officemgr.services.era_x12 import EraRefused
from officemgr.services.format import money

PRIMARY = ("1", "19")  # processed as primary; 19: and forwarded to the secondary (a crossover)
CROSSOVER = "19"
SECONDARY = ("2", "3", "20", "21")  # processed as secondary or tertiary (20, 21: and forwarded): the secondary's

# Why a claim in these states takes no payment (the legal moves themselves are services.claim_flow's).
REFUSED_STATUSES = {
    ClaimStatus.draft: "it is a draft (never sent)",
    ClaimStatus.rejected: "it was rejected by the clearinghouse and never reached the payer",
    ClaimStatus.closed: "it is closed",
}


class AlreadyPosted(EraRefused):
    """The same file (same SHA-256) was posted before."""



@dataclass(frozen=True)
class Unmatched:
    """A claim payment not posted for someone to look at: no claim has its number, or it is held for review."""

    claim_number: str
    paid_cents: int
    reason: str = "no claim with this number"


@dataclass
class EraResult:
    file_name: str
    payer_name: str
    check_number: str
    check_cents: int  # what the checks in the file add up to (BPR02)
    claims: int  # claim payments in the file
    posted: int = 0  # claims posted
    paid_cents: int = 0  # payments posted, net (reversals subtract)
    reversed_cents: int = 0  # what the reversals took back (positive)
    denied: int = 0
    reversals: int = 0
    underpaid: int = 0
    unmatched: list[Unmatched] = field(default_factory=list)  # no claim, or held for review (the reason says)
    held: int = 0  # of `unmatched`, the claim payments held for review
    skipped: list[str] = field(default_factory=list)  # checks and claim payments already posted from earlier files
    skipped_claims: int = 0  # claim payments not posted because they were posted before
    dated_today: list[str] = field(default_factory=list)  # checks dated in a closed month, posted on today instead
    problems: list[str] = field(default_factory=list)  # claims matched but not posted (or posted with a caveat)
    warnings: list[str] = field(default_factory=list)  # pyx12 findings that did not change what was posted
    provider_adjustments: list[PlbItem] = field(default_factory=list)  # PLB on the checks posted (kept, shown)



# --- posting ------------------------------------------------------------------------------------------


def post_file(session: Session, path: Path | str, *, today: date, now: datetime, actor: str) -> EraResult:
    """Post every claim payment of an 835 file in one transaction; EraRefused (nothing posted) when it cannot.

    A check (payer, check/EFT number, amount) or a claim payment posted from an earlier file is skipped and said
    so; when every check was, the file is AlreadyPosted."""
    remit = parse(path)
    try:
        _refuse_the_same_file(session, remit)
        earlier = [_earlier_check(session, payment) for payment in remit.payments]
        if remit.payments and all(earlier):
            said = "; ".join(_already(payment, check) for payment, check in zip(remit.payments, earlier, strict=True)
                             if check is not None)
            raise AlreadyPosted(f"{remit.file_name}: {said}; nothing was posted this time")
        remittance = Remittance(file_hash=remit.file_hash, file_name=remit.file_name[:200], imported_at=now,
                                actor=actor, payer_name=remit.payer_name[:80], check_number=remit.check_number[:50],
                                paid_cents=remit.paid_cents)
        session.add(remittance)
        session.flush()
        assert remittance.id is not None, "the flush gives the remittance its id"
        result = EraResult(remit.file_name, remit.payer_name, remit.check_number, remit.paid_cents,
                           len(remit.claims), warnings=list(remit.warnings))
        claims = _match(session, remit.claims)
        known = Known.read(session, claims, remit.payments)
        to_post = [(payment.payer_name, paid) for payment, check in zip(remit.payments, earlier, strict=True)
                   if check is None for paid in payment.claims]
        shared = _shared_numbers(to_post)
        with_primary = _after_the_primary([paid for _, paid in to_post])
        later: list[tuple[RemittanceCheck, Payment, ClaimPayment]] = []
        for payment, check in zip(remit.payments, earlier, strict=True):
            if check is not None:
                result.skipped.append(_already(payment, check))
                result.skipped_claims += len(payment.claims)
                continue
            check_row = RemittanceCheck(remittance_id=remittance.id, payer_name=payment.payer_name[:80],
                                        check_number=payment.check_number[:50], paid_cents=payment.paid_cents,
                                        paid_on=payment.paid_on)
            session.add(check_row)
            session.flush()
            assert check_row.id is not None
            for item in payment.provider_adjustments:
                session.add(ProviderAdjustment(check_id=check_row.id, reason=item.reason, reference=item.reference,
                                               amount_cents=item.cents))
            result.provider_adjustments += payment.provider_adjustments
            record(session, actor=actor, entity="remittance_check", entity_id=check_row.id, action="create",
                   changes={"remittance_id": remittance.id, "payer_name": check_row.payer_name,
                            "check_number": check_row.check_number, "paid_cents": check_row.paid_cents,
                            **({"provider_adjustments": [[i.reason, i.reference, i.cents]
                                                         for i in payment.provider_adjustments]}
                               if payment.provider_adjustments else {})}, now=now)
            posted_before = known.posted_before(session, payment)
            for paid in payment.claims:
                if (paid.number[:38].upper(), paid.status_code, paid.paid_cents) in posted_before:
                    result.skipped.append(f"claim {paid.number}: its {money(paid.paid_cents)} payment on check "
                                          f"{payment.check_number} was already posted from an earlier file")
                    result.skipped_claims += 1
                    continue
                if paid.status_code in SECONDARY and paid.number.upper() in with_primary:
                    later.append((check_row, payment, paid))
                    continue
                _post(session, known, remittance, check_row, payment, paid, claims.get(paid.number.upper()), result,
                      held=shared.get(paid.number.upper()), today=today, now=now, actor=actor)
        for check_row, payment, paid in later:
            _post(session, known, remittance, check_row, payment, paid, claims.get(paid.number.upper()), result,
                  held=shared.get(paid.number.upper()), today=today, now=now, actor=actor)
        known.audit(session, now=now, actor=actor)
        follow_ledger(session, known, actor=actor, now=now)
        record(session, actor=actor, entity="remittance", entity_id=remittance.id,
               action="import", changes={"file": remit.file_name, "sha256": remit.file_hash,
                                         "check": remit.check_number, "payer": remit.payer_name,
                                         "check_cents": remit.paid_cents, "claims": result.claims,
                                         "posted": result.posted, "paid_cents": result.paid_cents,
                                         "unmatched": len(result.unmatched) - result.held, "held": result.held,
                                         "skipped": result.skipped}, now=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def _refuse_the_same_file(session: Session, remit: Remit) -> None:
    """AlreadyPosted when these very bytes were posted before."""
    earlier = session.exec(select(Remittance).where(col(Remittance.file_hash) == remit.file_hash)).first()
    if earlier is not None:
        check = f", check {earlier.check_number}" if earlier.check_number else ""
        raise AlreadyPosted(f"{remit.file_name} was already posted on {earlier.imported_at:%m/%d/%Y} by "
                            f"{earlier.actor} ({earlier.file_name}{check}); nothing was posted this time")


@dataclass(frozen=True)
class _EarlierCheck:
    imported_at: datetime
    actor: str
    file_name: str


def _earlier_check(session: Session, payment: Payment) -> _EarlierCheck | None:
    """Where this check was posted before: the same check or EFT trace number (TRN02) from the same payer for the
    same amount is the same payment, whichever file (or copy of a file, with other line endings) it came in."""
    if not payment.check_number:
        return None
    found = session.exec(
        select(Remittance)
        .join(RemittanceCheck, col(RemittanceCheck.remittance_id) == col(Remittance.id))
        .where(col(RemittanceCheck.check_number) == payment.check_number[:50],
               col(RemittanceCheck.payer_name) == payment.payer_name[:80],
               col(RemittanceCheck.paid_cents) == payment.paid_cents)
        .order_by(col(Remittance.id))
    ).first()
    return None if found is None else _EarlierCheck(found.imported_at, found.actor, found.file_name)


def _already(payment: Payment, earlier: _EarlierCheck) -> str:
    payer = f" from {payment.payer_name}" if payment.payer_name else ""
    return (f"check {payment.check_number}{payer} for {money(payment.paid_cents)} was already posted on "
            f"{earlier.imported_at:%m/%d/%Y} by {earlier.actor} (from {earlier.file_name})")


class Known:
    """What posting reads from the database, read once per file (per check for the repeat guard), not once per
    claim payment; and the claims' audit events, written after one flush gives their history events ids."""

    def __init__(self, payers: dict[int, Payer], expected: dict[int, int | None],
                 secondary_plans: dict[int, list[InsurancePlan]] | None = None) -> None:
        self.payers = payers
        self.expected = expected
        self.secondary_plans = secondary_plans or {}  # by patient id: their secondary plans, oldest first
        self.pending: list[tuple[int, ClaimEvent, dict[str, Any]]] = []
        # Claims posted, with the day their postings count on: the ledger follows their patient share on that day,
        # so a month's share out of insurance A/R is the same month's share into the patients' ledgers.
        self.followed: list[tuple[Claim, date]] = []
        self.rows: list[dict[str, Any]] = []  # RemittanceClaim rows, inserted many a statement

    @classmethod
    def read(cls, session: Session, claims: dict[str, Claim], payments: tuple[Payment, ...]) -> Known:
        matched = list(claims.values())
        plans: dict[int, list[InsurancePlan]] = {}
        patients = sorted({claim.patient_id for claim in matched})
        for plan in session.exec(select(InsurancePlan).where(col(InsurancePlan.patient_id).in_(patients),
                                                             col(InsurancePlan.rank) == PlanRank.secondary)
                                 .order_by(col(InsurancePlan.id))):
            plans.setdefault(plan.patient_id, []).append(plan)
        ids = sorted({claim.payer_id for claim in matched}
                     | {claim.secondary_payer_id for claim in matched if claim.secondary_payer_id is not None}
                     | {plan.payer_id for found in plans.values() for plan in found})
        payers = {payer.id: payer for payer in session.exec(select(Payer).where(col(Payer.id).in_(ids)))
                  if payer.id is not None}
        return cls(payers, fees.expected_for(session, matched), plans)

    def secondary_payer(self, claim: Claim) -> int | None:
        """The payer of the patient's secondary plan that covers the claim's date of service, or None."""
        for plan in self.secondary_plans.get(claim.patient_id, []):
            if plan.covers(claim.service_date):
                return plan.payer_id
        return None

    def is_payer(self, payer_id: int | None, payer_name: str) -> bool:
        """Whether the check's payer (by the name it sends) is this payer."""
        payer = self.payers.get(payer_id) if payer_id is not None else None
        return payer is not None and _name_key(payer.name) == _name_key(payer_name)

    def history(self, session: Session, claim_id: int) -> list[Posted]:
        """The claim's posted payments, oldest first, those of this file not yet written included."""
        rows = [Posted(_name_key(payer), code, paid, share) for payer, code, paid, share in session.exec(
            select(RemittanceCheck.payer_name, RemittanceClaim.status_code, RemittanceClaim.paid_cents,
                   RemittanceClaim.patient_resp_cents)
            .join(RemittanceCheck, col(RemittanceCheck.id) == col(RemittanceClaim.check_id))
            .where(col(RemittanceClaim.claim_id) == claim_id, col(RemittanceClaim.posted))
            .order_by(col(RemittanceClaim.id)))]
        for row in self.rows:
            check = session.get(RemittanceCheck, row["check_id"]) if row["check_id"] is not None else None
            if row["claim_id"] == claim_id and row["posted"] and check is not None:
                rows.append(Posted(_name_key(check.payer_name), row["status_code"], row["paid_cents"],
                                   row["patient_resp_cents"]))
        return rows

    def posted_before(self, session: Session, payment: Payment) -> set[tuple[str, str, int]]:
        """(claim number upper-cased, claim status code, payment) of each claim payment posted before from this
        payer's check number: a check re-sent for another amount (a claim added to it) must not pay its claims
        twice."""
        if not payment.check_number:
            return set()
        self.write_rows(session)  # an earlier check of this file may have posted them
        rows = session.exec(
            select(RemittanceClaim.claim_number, RemittanceClaim.status_code, RemittanceClaim.paid_cents)
            .join(RemittanceCheck, col(RemittanceCheck.id) == col(RemittanceClaim.check_id))
            .where(col(RemittanceCheck.check_number) == payment.check_number[:50],
                   col(RemittanceCheck.payer_name) == payment.payer_name[:80],
                   col(RemittanceClaim.posted))
        ).all()
        return {(number.upper(), status, cents) for number, status, cents in rows}

    def write_rows(self, session: Session) -> None:
        if self.rows:
            session.execute(insert(RemittanceClaim), self.rows)
            self.rows.clear()

    def audit(self, session: Session, *, now: datetime, actor: str) -> None:
        self.write_rows(session)
        session.flush()
        for claim_id, event, changes in self.pending:
            changes["event_id"] = event.id
            record(session, actor=actor, entity="claim", entity_id=claim_id, action="remittance",
                   changes=changes, now=now)
        self.pending.clear()


def _shared_numbers(payments: list[tuple[str, ClaimPayment]]) -> dict[str, str]:
    """Why each claim number paid by several loops in the checks to post, (payer name, claim payment), is held for
    review. A reversal (CLP02 22) and its correction is how payers correct a payment, and a claim's primary and
    secondary may both answer in one file (the same payer or two); besides reversals, a second primary answer or
    a second secondary one is not."""
    loops = Counter(paid.number.upper() for _, paid in payments if paid.number)
    answers: dict[str, Counter[bool]] = {}
    payers: dict[str, set[str]] = {}
    for payer, paid in payments:
        if paid.number and paid.status_code != REVERSAL:
            number = paid.number.upper()
            answers.setdefault(number, Counter())[paid.status_code in SECONDARY] += 1
            payers.setdefault(number, set()).add(_name_key(payer))
    held = {}
    for number, kinds in answers.items():
        if max(kinds.values()) > 1:
            among = f" from {len(payers[number])} payers" if len(payers[number]) > 1 else ""
            held[number] = f"{loops[number]} payment loops in this file{among} share the claim number"
    return held


def _after_the_primary(payments: list[ClaimPayment]) -> set[str]:
    """Claim numbers (upper-cased) a primary answer pays in these claim payments: a secondary answer on them posts
    after it, whatever the file's order, so that it finds the share the primary left."""
    return {paid.number.upper() for paid in payments if paid.number and paid.status_code in PRIMARY}


def _match(session: Session, payments: list[ClaimPayment]) -> dict[str, Claim]:
    """Claims by upper-cased number (the claim number the practice sent; payers may change its case)."""
    numbers = {p.number.upper() for p in payments if p.number}
    if not numbers:
        return {}
    found: dict[str, Claim] = {}
    exact = {p.number for p in payments}
    for claim in session.exec(select(Claim).where(func.upper(col(Claim.number)).in_(numbers)).order_by(col(Claim.id))):
        key = claim.number.upper()
        if key not in found or claim.number in exact:
            found[key] = claim
    return found


def _post(session: Session, known: Known, remittance: Remittance, check_row: RemittanceCheck, payment: Payment,
          paid: ClaimPayment, claim: Claim | None, result: EraResult, *, held: str | None, today: date, now: datetime,
          actor: str) -> None:
    assert remittance.id is not None, "post_file flushed the remittance"
    row: dict[str, Any] = {
        "remittance_id": remittance.id, "check_id": check_row.id, "posted": False, "claim_number": paid.number[:38],
        "claim_id": claim.id if claim else None, "status_code": paid.status_code, "charge_cents": paid.charge_cents,
        "paid_cents": paid.paid_cents, "patient_resp_cents": paid.total("PR") or paid.patient_resp_cents,
        "adjustments": json.dumps([[a.group, a.carc, a.cents] for a in paid.adjustments]), "note": "",
        "patient_name": paid.patient_name, "member_id": paid.member_id, "service_date": paid.service_date,
        "matched_by": ""}
    known.rows.append(row)
    if claim is None:
        row["note"] = "no claim with this number"
        result.unmatched.append(Unmatched(paid.number, paid.paid_cents))
        return
    plan = plan_payment(session, known, claim, paid, payment.paid_on or today, payer_name=payment.payer_name,
                        held=held)
    if plan.held is not None:
        row["note"] = f"held for review: {plan.held}"[:300]
        result.unmatched.append(Unmatched(paid.number, paid.paid_cents, f"held for review: {plan.held}"))
        result.held += 1
        return
    if plan.refusal is not None:
        row["note"] = f"not posted: {plan.refusal}"[:300]
        result.problems.append(f"claim {claim.number} ({claim.status.label}, {money(paid.paid_cents)}) was not "
                               f"posted: {plan.refusal}")
        return
    source = f"835 check {payment.check_number}" if payment.check_number else f"835 {remittance.file_name}"
    day, moved = open_day(session, payment.paid_on, today)
    if moved and payment.paid_on is not None and payment.check_number not in result.dated_today:
        result.dated_today.append(payment.check_number)
        result.problems.append(f"check {payment.check_number} is dated {payment.paid_on:%m/%d/%Y}, in a closed "
                               f"month: posted on {today:%m/%d/%Y} instead (the month's report stays as it was)")
    notes = post_payment(session, known, claim, paid, plan, source=source, remittance_id=remittance.id,
                         check_number=payment.check_number, day=day, today=today, now=now, actor=actor)
    row["posted"] = True
    result.posted += 1
    result.paid_cents += paid.paid_cents
    if paid.status_code == DENIED:
        result.denied += 1
    elif paid.status_code == REVERSAL:
        result.reversals += 1
        result.reversed_cents -= paid.paid_cents
    elif claim.underpaid_cents:
        result.underpaid += 1
    result.problems += [f"claim {claim.number}: {note}" for note in notes if not note.startswith("underpaid")]
    row["note"] = "; ".join(notes)[:300]


@dataclass(frozen=True)
class Plan:
    """What one claim payment would do to its claim (nothing changed yet): the new values and notes on anything
    odd; or why it is not posted: held for review (over-billed, a shared number) or refused (an illegal change)."""

    values: dict[str, Any]
    notes: list[str]
    held: str | None = None
    refusal: str | None = None
    said: tuple[str, ...] = ()  # what the claim's history says besides the adjustments (not a problem)


def plan_payment(session: Session, known: Known, claim: Claim, paid: ClaimPayment, remitted_on: date, *,
                 payer_name: str, held: str | None = None) -> Plan:
    """Plan one claim payment from `payer_name`'s check, from an 835 or by hand (services.remittances): the one set
    of posting rules. A secondary payment, denial or reversal is posted against the claim's secondary."""
    said: tuple[str, ...] = ()
    code = paid.status_code
    if code == REVERSAL:
        return _plan_reversal(session, known, claim, paid, payer_name=payer_name, held=held)
    if code in SECONDARY:
        values, notes, said = _secondary_outcome(known, claim, paid, remitted_on)
    elif code == DENIED and _from_secondary(known, claim, payer_name):
        values, notes = {"status": claim.status, "secondary_answered_on": remitted_on}, []
        said = ("denied by the secondary: the patient share is the patient's",)
    else:
        values, notes = _outcome(known.expected.get(claim.id or 0), claim, paid, remitted_on)
        if code in PRIMARY and values["patient_resp_cents"] > 0:
            values, said = _secondary_to_bill(known, claim, code, values, remitted_on)
    held = held or _over_billed(claim, paid, values)
    return Plan(values, notes, held, None if held is not None else _refusal(claim, paid, values), said)


def _name_key(name: str) -> str:
    """A payer's name as a check and the payer list may both spell it (case and spaces aside)."""
    return " ".join(name.upper().split())[:80]


def _secondary_to_bill(known: Known, claim: Claim, code: str, values: dict[str, Any], remitted_on: date
                       ) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A primary payment left a patient share: the patient's secondary plan may pay it (a crossover, CLP02 19: the
    primary billed it for us)."""
    payer_id = claim.secondary_payer_id or known.secondary_payer(claim)
    if payer_id is None:
        return values, ()
    name = known.payers[payer_id].name
    values = {**values, "secondary_payer_id": payer_id}
    if code == CROSSOVER and claim.secondary_billed_on is None:
        return {**values, "secondary_billed_on": remitted_on}, (f"forwarded by the payer to the secondary {name}",)
    return values, (() if claim.secondary_billed_on else (f"bill the secondary {name}",))


def _secondary_outcome(known: Known, claim: Claim, paid: ClaimPayment, remitted_on: date
                       ) -> tuple[dict[str, Any], list[str], tuple[str, ...]]:
    """A payment processed as secondary (CLP02 2, 3, 20, 21): it pays (part of) the patient share the primary left;
    its patient responsibility (PR) is what the patient still owes after both; its contractual adjustments (CO)
    add to the claim's; the others (OA 23, the prior payer's impact) are listed, not posted."""
    notes: list[str] = []
    said: tuple[str, ...] = ("posted as the secondary's payment",)
    values: dict[str, Any] = {"patient_resp_cents": max(0, paid.total("PR")),
                              "secondary_answered_on": remitted_on}
    for attribute, amount, what in (("secondary_paid_cents", paid.paid_cents, "paid"),
                                    ("adjusted_cents", paid.total("CO"), "contractual adjustments")):
        had = getattr(claim, attribute)
        if had + amount < 0:
            notes.append(f"the remittance takes back {money(-amount)} of {what} but only {money(had)} was posted; "
                         "set to $0.00, check this claim")
        values[attribute] = max(0, had + amount)
    if claim.secondary_payer_id is None:
        payer_id = known.secondary_payer(claim)
        if payer_id is not None:
            values["secondary_payer_id"] = payer_id
        else:
            notes.append("a secondary payment on a claim with no secondary plan on file: posted as the secondary's; "
                         "check the patient's insurance")
    values["status"] = _settled_status(claim, values)
    return values, notes, said


def _settled_status(claim: Claim, values: dict[str, Any]) -> ClaimStatus:
    """Paid when nothing is left to collect from the payers, else partly paid; a closed claim stays closed."""
    left = claim.billed_cents - claim.paid_cents - claim.written_off_cents - sum(
        values.get(name, getattr(claim, name)) for name in ("secondary_paid_cents", "adjusted_cents",
                                                           "patient_resp_cents"))
    if left <= 0:
        return ClaimStatus.closed if claim.status is ClaimStatus.closed else ClaimStatus.paid
    return ClaimStatus.partly_paid


@dataclass(frozen=True)
class Posted:
    """A claim payment posted on a claim: its payer (services.era._name_key), claim status code, payment and
    patient share."""

    payer: str
    code: str
    paid_cents: int
    share_cents: int


def _to_reverse(history: list[Posted], payer_name: str, paid_cents: int) -> tuple[Posted | None, int]:
    """The earlier payment a reversal of `paid_cents` (zero or less) from `payer_name` undoes: of the payer's
    payments on the claim not reversed yet, the latest of -`paid_cents` (its status code says whether it was the
    primary's or the secondary's), None when there is none; and the patient share the primary's payments still
    standing left."""
    standing: list[Posted] = []

    def undo(payer: str, cents: int) -> Posted | None:
        for at in range(len(standing) - 1, -1, -1):
            if standing[at].payer == payer and standing[at].paid_cents == -cents:
                return standing.pop(at)
        return None

    for row in history:
        if row.code == REVERSAL:
            undo(row.payer, row.paid_cents)
        elif row.code in PROCESSED:
            standing.append(row)
    share = sum(row.share_cents for row in standing if row.code in PRIMARY)
    return undo(_name_key(payer_name), paid_cents), max(0, share)


def _plan_reversal(session: Session, known: Known, claim: Claim, paid: ClaimPayment, *, payer_name: str,
                   held: str | None) -> Plan:
    """A reversal (CLP02 22) undoes the earlier payment it negates. The primary's: its payment, CO and PR come
    off (the PR from the share the primary's payments left, which the secondary's answer may have lowered) and the
    claim is pending again. The secondary's: what it paid and adjusted comes off, it has not
    answered, and the patient share is again what the primary left. Held for review when no earlier payment
    matches, or when it would take back more than was posted."""
    undone, primary_share = _to_reverse(known.history(session, claim.id or 0), payer_name, paid.paid_cents)
    if undone is None:
        return Plan({}, [], held or f"no earlier payment of {money(-paid.paid_cents)} from {payer_name} on this "
                                    "claim to reverse")
    said: tuple[str, ...] = ()
    if undone.code in SECONDARY:
        amounts, too_much = _take_back((
            ("secondary_paid_cents", claim.secondary_paid_cents, paid.paid_cents, "paid"),
            ("adjusted_cents", claim.adjusted_cents, paid.total("CO"), "contractual adjustments")))
        values: dict[str, Any] = {"patient_resp_cents": primary_share, "secondary_answered_on": None, **amounts}
        values["status"] = _settled_status(claim, values)
        said = ("reverses the secondary's payment",)
    else:
        amounts, too_much = _take_back((
            ("paid_cents", claim.paid_cents, paid.paid_cents, "paid"),
            ("adjusted_cents", claim.adjusted_cents, paid.total("CO"), "contractual adjustments"),
            ("patient_resp_cents", primary_share, paid.total("PR"), "patient responsibility")))
        if "patient_resp_cents" in amounts:
            amounts["patient_resp_cents"] = min(claim.patient_resp_cents, amounts["patient_resp_cents"])
        values = {"status": ClaimStatus.pending, **amounts, "underpaid_cents": 0}
    held = held or too_much or _over_billed(claim, paid, values)
    return Plan(values, [], held, None if held is not None else _refusal(claim, paid, values), said)


def _take_back(taken: tuple[tuple[str, int, int, str], ...]) -> tuple[dict[str, int], str | None]:
    """The claim's amounts after a reversal takes back `taken` ((attribute, what was posted, cents, what)); or why
    it cannot: it takes back more than was posted."""
    values = {}
    for attribute, had, cents, what in taken:
        if had + cents < 0:
            return {}, f"the reversal takes back {money(-cents)} of {what} but only {money(had)} was posted"
        values[attribute] = had + cents
    return values, None


def _from_secondary(known: Known, claim: Claim, payer_name: str) -> bool:
    """Whether a denial comes from the claim's secondary payer (when it is also the primary's payer: once the
    secondary was billed)."""
    if not known.is_payer(claim.secondary_payer_id, payer_name):
        return False
    return not known.is_payer(claim.payer_id, payer_name) or claim.secondary_billed_on is not None


def follow_ledger(session: Session, known: Known, *, actor: str, now: datetime, override_reason: str = "") -> None:
    """The patients' ledgers brought to the posted claims' shares, each on the day its claim's postings count on."""
    by_day: dict[date, list[Claim]] = {}
    for claim, day in known.followed:
        by_day.setdefault(day, []).append(claim)
    for day in sorted(by_day):
        ledger.follow_claims(session, by_day[day], day=day, actor=actor, now=now, override_reason=override_reason)


def post_payment(session: Session, known: Known, claim: Claim, paid: ClaimPayment, plan: Plan, *, source: str,
                 remittance_id: int, check_number: str, day: date, today: date, now: datetime, actor: str,
                 journal: str = "era", override_reason: str = "") -> list[str]:
    """Post a planned claim payment (neither held nor refused) on its claim: the new values, its postings dated
    `day` with `journal` as their source (services.claim_postings: MonthClosed in a closed month unless the
    manager gives `override_reason`), a history event and, at `known.audit`, an audit event; the ledger follows
    the claim when the caller calls ledger.follow_claims with `known.followed`. Returns the notes (the plan's, and
    a charge that is not the claim's)."""
    assert plan.held is None and plan.refusal is None, "only a payment that may post is posted"
    assert claim.id is not None, "a claim read from the database has its id"
    values, notes = dict(plan.values), list(plan.notes)
    payer = known.payers[claim.payer_id]  # a claim's payer is a foreign key
    old_status = claim.status
    new_status: ClaimStatus = values["status"]
    if new_status in _CLEARS_DENIAL:
        values.update(denial_code=None, denial_group=None)
    if old_status is ClaimStatus.closed and new_status is not ClaimStatus.closed:
        values.update(close_reason=None, close_note="", written_off_cents=0)
    after = FilingState(status=new_status, service_date=claim.service_date,
                        denied_on=values.get("denied_on", claim.denied_on))
    values["deadline"] = claim_deadline(after, payer)
    if new_status in OPEN_STATUSES:
        values["next_follow_up"] = None  # the remittance is news: the claim is back in today's queue
    values["last_activity"] = today
    before = ClaimMoney.of(claim)
    changes = apply_update(claim, values, expected_version=None)
    if not changes:
        claim.version += 1
    post_change(session, claim, before, day=day, source=journal, now=now, actor=actor,
                override_reason=override_reason)
    known.followed.append((claim, day))  # its patient share goes on the ledger with the others, once all are posted
    if paid.status_code != REVERSAL and paid.charge_cents != claim.billed_cents:
        notes.append(f"the remittance's charge {money(paid.charge_cents)} is not the claim's "
                     f"{money(claim.billed_cents)}: posted, but check the claim number")
    listed = ", ".join(a.as_text() for a in paid.adjustments)
    text = "; ".join([source, *([listed] if listed else []), *plan.said, *notes])
    event = ClaimEvent(claim_id=claim.id, at=now, actor=actor, from_status=old_status.value,
                       to_status=new_status.value, amount_cents=paid.paid_cents,
                       code=(claim.denial_code or "")[:10] if paid.status_code == DENIED else "",
                       text=_clip(text, 300))
    session.add(event)
    changes.update({"remittance_id": remittance_id, "check": check_number,
                    "claim_status_code": paid.status_code, "amount_cents": paid.paid_cents})
    known.pending.append((claim.id, event, changes))  # audited once the flush has given the event its id
    return notes


def _over_billed(claim: Claim, paid: ClaimPayment, values: dict[str, Any]) -> str | None:
    """Why a payment (of any kind the claim takes) that would leave more paid and adjusted than was billed is
    held, or None."""
    if paid.status_code in NOT_POSTED:
        return None
    settled = sum(values.get(name, getattr(claim, name))
                  for name in ("paid_cents", "secondary_paid_cents", "adjusted_cents", "patient_resp_cents"))
    if settled <= claim.billed_cents:
        return None
    return (f"it would leave {money(settled)} paid and adjusted on a claim billed at {money(claim.billed_cents)}; "
            "was it posted already?")


def _refusal(claim: Claim, paid: ClaimPayment, values: dict[str, Any]) -> str | None:
    """Why this payment cannot be posted on the claim, or None: the status change must be a legal one."""
    if paid.status_code in NOT_POSTED:
        return f"{NOT_POSTED[paid.status_code]} (claim status code {paid.status_code})"
    old, new = claim.status, values["status"]
    if new == old or new in allowed_next(old):
        return None
    why = f"{REFUSED_STATUSES[old]}; " if old in REFUSED_STATUSES else ""
    legal = allowed_next(old)
    moves = f"a {old.label} claim can go to {_labels(legal)}, not {new.label}" if legal else \
        f"a {old.label} claim cannot change status"
    return f"{why}{moves} (post it by hand in the app once the claim allows it)"


def _labels(statuses: tuple[ClaimStatus, ...]) -> str:
    names = [s.label for s in statuses]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def denial_reason(adjustments: tuple[Adjustment, ...]) -> Adjustment | None:
    """Why a claim was denied: the largest adjustment (the first of equals), not a zero placeholder (CO*42*0*0)
    before the real reason; the first adjustment when all are zero."""
    if not adjustments:
        return None
    largest = max(adjustments, key=lambda a: abs(a.cents))
    return largest if largest.cents else adjustments[0]


def _outcome(expected: int | None, claim: Claim, paid: ClaimPayment, remitted_on: date
             ) -> tuple[dict[str, Any], list[str]]:
    """The claim's new values after this payment (nothing changed yet), and notes on anything odd. `expected` is
    what the payer's fee schedule says the claim should be paid (fees.expected_for), None when it says nothing."""
    if paid.status_code == DENIED:
        # The adjustments of a denial are what is disputed: they are listed (history, remittance), not posted.
        reason = denial_reason(paid.adjustments)
        return {"status": ClaimStatus.denied, "paid_cents": max(0, claim.paid_cents + paid.paid_cents),
                "denial_code": reason.carc if reason else None, "denial_group": reason.group if reason else None,
                "denied_on": remitted_on, "underpaid_cents": 0}, []
    notes: list[str] = []
    amounts = {}
    for attribute, amount, what in (("paid_cents", paid.paid_cents, "paid"),
                                    ("adjusted_cents", paid.total("CO"), "contractual adjustments"),
                                    ("patient_resp_cents", paid.total("PR"), "patient responsibility")):
        had = getattr(claim, attribute)
        if had + amount < 0:
            notes.append(f"the remittance takes back {money(-amount)} of {what} but only {money(had)} was posted; "
                         "set to $0.00, check this claim")
        amounts[attribute] = max(0, had + amount)
    shortfall = 0 if expected is None else max(0, expected - amounts["paid_cents"] - amounts["patient_resp_cents"])
    balance = claim.billed_cents - sum(amounts.values())
    status = ClaimStatus.paid if balance <= 0 and shortfall == 0 else ClaimStatus.partly_paid
    if shortfall:
        notes.append(f"underpaid by {money(shortfall)} against the fee schedule")
    return {"status": status, **amounts, "underpaid_cents": shortfall}, notes


# Leaving a denial behind: the claim no longer carries the denial code (its history keeps it), as in claim_flow.
_CLEARS_DENIAL = (ClaimStatus.pending, ClaimStatus.paid, ClaimStatus.partly_paid)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
