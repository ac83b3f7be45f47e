"""Posting a claim payment by hand: a stored 835 payment that matched no claim, matched to one by the biller; and
a paper EOB typed in. Both post through the same rules as an 835 (services.era: plan_payment, post_payment): a
legal status change, the over-billing hold, the fee schedule, the claim's history and audit, the patient ledger.

Each is one transaction: refused (ServiceError, a plain message) with nothing changed, or posted and committed.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime

from pydantic import field_validator, model_validator
from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, col, select

from officemgr.models import Claim, Payer, Remittance, RemittanceClaim
from officemgr.models.billing import RemittanceCheck
from officemgr.models.validation import require_text
from officemgr.services.access import Area, require
from officemgr.services.claim_postings import open_day
from officemgr.services.common import ServiceError, created_fields, record
from officemgr.services.era import Known, Plan, follow_ledger, plan_payment, post_payment
from officemgr.services.era_read import GROUPS, REVERSAL, Adjustment, ClaimPayment
from officemgr.services.format import money

# The claim status codes (CLP02) a paper EOB is typed in with.
PAPER_STATUSES = {"1": "processed as primary", "2": "processed as secondary", "4": "denied", "22": "reversal"}
_CARC = re.compile(r"[A-Za-z0-9]{1,5}")


class EobAdjustment(SQLModel):
    """One adjustment (CAS) on a paper EOB: its group, reason code and amount (negative: a payer's correction)."""

    group: str
    carc: str
    cents: int

    @field_validator("group", mode="before")
    @classmethod
    def _group(cls, value: object) -> str:
        text = value.strip().upper() if isinstance(value, str) else ""
        if text not in GROUPS:
            raise ValueError(f"the group is one of {', '.join(GROUPS)}")
        return text

    @field_validator("carc", mode="before")
    @classmethod
    def _carc(cls, value: object) -> str:
        text = value.strip().upper() if isinstance(value, str) else ""
        if not _CARC.fullmatch(text):
            raise ValueError("the reason code is 1 to 5 letters or digits (e.g. 45)")
        return text


class PaperEob(SQLModel):
    """A paper EOB typed in by hand: one claim's payment from one payer's check."""

    payer_id: int
    check_number: str = Field(max_length=50)
    paid_on: date
    claim_number: str = Field(max_length=30)  # the practice's claim number (matched whatever its case)
    status_code: str = "1"
    charge_cents: int | None = None  # None: the claim's billed amount
    paid_cents: int
    adjustments: list[EobAdjustment] = []

    _texts = field_validator("check_number", "claim_number")(require_text)

    @field_validator("status_code", mode="before")
    @classmethod
    def _status(cls, value: object) -> str:
        text = str(value).strip() if isinstance(value, (str, int)) else ""
        if text not in PAPER_STATUSES:
            raise ValueError("the claim status is one of " + ", ".join(f"{code} ({meaning})"
                                                                      for code, meaning in PAPER_STATUSES.items()))
        return text

    @model_validator(mode="after")
    def _amounts(self) -> PaperEob:
        reversal = self.status_code == REVERSAL
        if self.paid_cents < 0 and not reversal:
            raise ValueError("paid_cents: a payment cannot be negative; money taken back is a reversal (22)")
        if self.paid_cents > 0 and reversal:
            raise ValueError("paid_cents: a reversal takes the payment back: enter it as a negative amount")
        if self.charge_cents is not None:
            problem = adjustments_problem(self.charge_cents, self.paid_cents, self.adjustments)
            if problem:
                raise ValueError(problem)
        return self


def adjustments_problem(charge_cents: int, paid_cents: int, adjustments: list[EobAdjustment]) -> str | None:
    """Why the adjustments do not explain the charge less the payment, or None when they do."""
    total = sum(a.cents for a in adjustments)
    if charge_cents - paid_cents == total:
        return None
    return (f"adjustments: the charge {money(charge_cents)} less the payment {money(paid_cents)} is "
            f"{money(charge_cents - paid_cents)}, but the adjustments add up to {money(total)}")


def match_by_hand(session: Session, remittance_claim_id: int, claim_id: int, *, today: date, now: datetime,
                  actor: str) -> str:
    """Post a stored claim payment that was not posted (no claim had its number, or it was held) on `claim_id`.
    Returns what was posted, in one line; ServiceError with nothing changed when it cannot be."""
    require(actor, Area.billing, what="matching a payment to a claim")
    try:
        row = session.get(RemittanceClaim, remittance_claim_id)
        if row is None:
            raise ServiceError("that payment is no longer on file; reload")
        if row.posted:
            on = session.get(Claim, row.claim_id) if row.claim_id is not None else None
            raise ServiceError(f"that payment was already posted{f' on claim {on.number}' if on else ''}")
        claim = session.get(Claim, claim_id)
        if claim is None:
            raise ServiceError("that claim is no longer on file; reload")
        check = session.get(RemittanceCheck, row.check_id) if row.check_id is not None else None
        remittance = session.get(Remittance, row.remittance_id)
        assert remittance is not None and remittance.id is not None, "a claim payment belongs to its remittance"
        payer_name = check.payer_name if check is not None else remittance.payer_name
        check_number = check.check_number if check is not None else remittance.check_number
        paid = ClaimPayment(0, claim.number, row.status_code, row.charge_cents, row.paid_cents,
                            row.patient_resp_cents, _adjustments(row.adjustments), row.patient_name, row.member_id,
                            row.service_date)
        _refuse_a_repeat(session, claim, payer_name, check_number, row.status_code)
        known = Known.read(session, {claim.number.upper(): claim}, ())
        plan = _planned(session, known, claim, paid, (check.paid_on if check else None) or today, payer_name)
        day, _ = open_day(session, check.paid_on if check else None, today)  # as the 835 would have posted it
        notes = post_payment(session, known, claim, paid, plan, source=f"check {check_number} matched by hand",
                             remittance_id=remittance.id, check_number=check_number, day=day, today=today, now=now,
                             actor=actor, journal="match")
        assert row.id is not None
        before = {"posted": row.posted, "claim_id": row.claim_id, "matched_by": row.matched_by, "note": row.note}
        row.posted, row.claim_id, row.matched_by = True, claim.id, actor[:60]
        row.note = "; ".join(["matched by hand", *notes])[:300]
        session.add(row)
        record(session, actor=actor, entity="remittance_claim", entity_id=row.id, action="match",
               changes={name: [old, getattr(row, name)] for name, old in before.items()}, now=now)
        _follow(session, known, now=now, actor=actor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return _summary(paid, payer_name, check_number, claim)


def post_paper_eob(session: Session, eob: PaperEob, *, today: date, now: datetime, actor: str,
                   override_reason: str = "") -> str:
    """Post a paper EOB typed in by hand on its claim, dated its paid-on day (the user chose it: one in a closed
    month is refused, MonthClosed, unless the manager gives `override_reason`). Returns what was posted, in one
    line; ServiceError with nothing changed when it cannot be."""
    require(actor, Area.billing, what="posting a paper EOB")
    try:
        payer = session.get(Payer, eob.payer_id)
        if payer is None:
            raise ServiceError("that payer is no longer on file; reload")
        claim = session.exec(select(Claim).where(func.upper(col(Claim.number)) == eob.claim_number.upper())
                             .order_by(col(Claim.id))).first()
        if claim is None:
            raise ServiceError(f"claim_number: no claim is numbered {eob.claim_number}")
        if eob.paid_on < claim.service_date:
            raise ServiceError(f"paid_on: the check date {eob.paid_on:%m/%d/%Y} is before the claim's date of service "
                               f"{claim.service_date:%m/%d/%Y}; check the date and the claim number")
        reversal = eob.status_code == REVERSAL
        charge = eob.charge_cents if eob.charge_cents is not None else \
            (-claim.billed_cents if reversal else claim.billed_cents)
        problem = adjustments_problem(charge, eob.paid_cents, eob.adjustments)
        if problem:
            raise ServiceError(problem)
        _refuse_a_repeat(session, claim, payer.name, eob.check_number, eob.status_code)
        adjustments = tuple(Adjustment(a.group, a.carc, a.cents) for a in eob.adjustments)
        paid = ClaimPayment(0, claim.number, eob.status_code, charge, eob.paid_cents,
                            sum(a.cents for a in adjustments if a.group == "PR"), adjustments,
                            service_date=claim.service_date)
        known = Known.read(session, {claim.number.upper(): claim}, ())
        plan = _planned(session, known, claim, paid, eob.paid_on, payer.name)
        remittance = Remittance(file_hash=f"paper:{uuid.uuid4().hex}",  # a file's hash is 64 hex digits: no clash
                                file_name=f"paper EOB {eob.check_number} by {actor}"[:200], imported_at=now,
                                actor=actor, payer_name=payer.name, check_number=eob.check_number,
                                paid_cents=eob.paid_cents, paper=True)
        session.add(remittance)
        session.flush()
        assert remittance.id is not None
        check = RemittanceCheck(remittance_id=remittance.id, payer_name=payer.name, check_number=eob.check_number,
                                paid_cents=eob.paid_cents, paid_on=eob.paid_on)
        session.add(check)
        session.flush()
        assert check.id is not None
        notes = post_payment(session, known, claim, paid, plan, source=f"paper EOB check {eob.check_number}",
                             remittance_id=remittance.id, check_number=eob.check_number,
                             day=min(eob.paid_on, today), today=today, now=now, actor=actor, journal="eob",
                             override_reason=override_reason)
        session.add(RemittanceClaim(
            remittance_id=remittance.id, check_id=check.id, posted=True, claim_number=claim.number,
            claim_id=claim.id, status_code=eob.status_code, charge_cents=charge, paid_cents=eob.paid_cents,
            patient_resp_cents=paid.patient_resp_cents, note="; ".join(notes)[:300], service_date=claim.service_date,
            adjustments=json.dumps([[a.group, a.carc, a.cents] for a in adjustments]), matched_by=actor[:60]))
        record(session, actor=actor, entity="remittance", entity_id=remittance.id, action="create",
               changes=created_fields(remittance), now=now)
        record(session, actor=actor, entity="remittance_check", entity_id=check.id, action="create",
               changes=created_fields(check), now=now)
        _follow(session, known, now=now, actor=actor, override_reason=override_reason)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return _summary(paid, payer.name, eob.check_number, claim)


def _adjustments(stored: str) -> tuple[Adjustment, ...]:
    return tuple(Adjustment(str(group), str(carc), int(cents)) for group, carc, cents in json.loads(stored or "[]"))


def _refuse_a_repeat(session: Session, claim: Claim, payer_name: str, check_number: str, status_code: str) -> None:
    """The same payer's check posted on this claim before, with the same claim status, is a repeat."""
    earlier = session.exec(
        select(RemittanceClaim.id)
        .join(RemittanceCheck, col(RemittanceCheck.id) == col(RemittanceClaim.check_id))
        .where(col(RemittanceClaim.claim_id) == claim.id, col(RemittanceClaim.posted),
               col(RemittanceClaim.status_code) == status_code,
               col(RemittanceCheck.check_number) == check_number[:50],
               col(RemittanceCheck.payer_name) == payer_name[:80])
    ).first()
    if earlier is not None:
        raise ServiceError(f"check {check_number} from {payer_name} was already posted on claim {claim.number}; "
                           "it is not posted twice")


def _planned(session: Session, known: Known, claim: Claim, paid: ClaimPayment, remitted_on: date,
             payer_name: str) -> Plan:
    plan = plan_payment(session, known, claim, paid, remitted_on, payer_name=payer_name)
    if plan.held is not None:
        raise ServiceError(f"claim {claim.number} was not posted: {plan.held}")
    if plan.refusal is not None:
        raise ServiceError(f"claim {claim.number} was not posted: {plan.refusal}")
    return plan


def _follow(session: Session, known: Known, *, now: datetime, actor: str, override_reason: str = "") -> None:
    """The claim's audit event, and the patient ledger brought to the claim's patient share (on the day its
    postings count on)."""
    known.audit(session, now=now, actor=actor)
    follow_ledger(session, known, actor=actor, now=now, override_reason=override_reason)


def _summary(paid: ClaimPayment, payer_name: str, check_number: str, claim: Claim) -> str:
    return (f"Posted {money(paid.paid_cents)} from {payer_name} check {check_number} on claim {claim.number}: "
            f"{claim.status.label}.")
