"""Secondary claims: after the primary's remittance left a patient share (services.era names the patient's
secondary plan's payer on the claim), the claim is billed to that payer with the primary's payment and
adjustments; its remittance answers it (services.era). Until then the patient share is not the patient's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import Session, col, select

from officemgr.models import Claim, ClaimEvent, ClaimStatus, Patient, Payer
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, apply_update, record
from officemgr.services.format import money

LISTED = 50  # claims to bill listed at once (the count says how many there are)


@dataclass(frozen=True)
class ToBill:
    """A claim whose secondary is still to bill, with what the primary did (what the secondary is billed with)."""

    claim_id: int
    number: str
    patient: str
    service_date: date
    secondary_payer: str
    billed_cents: int
    primary_paid_cents: int
    adjusted_cents: int
    patient_share_cents: int
    waiting_days: int  # since the primary's remittance posted (the claim's last activity)


# The primary has answered with a payment: the status narrows the search to an index (ix_claim_status_service).
ANSWERED = (ClaimStatus.paid, ClaimStatus.partly_paid, ClaimStatus.closed)


def _to_bill_filter() -> ColumnElement[bool]:
    return and_(col(Claim.status).in_(ANSWERED), col(Claim.secondary_payer_id).is_not(None),
                col(Claim.secondary_billed_on).is_(None), col(Claim.secondary_answered_on).is_(None),
                col(Claim.patient_resp_cents) > 0)


def to_bill(session: Session, *, today: date, limit: int = LISTED) -> list[ToBill]:
    """The claims whose secondary is still to bill, oldest visit first (at most `limit`; to_bill_count says how
    many there are)."""
    rows = session.exec(
        select(Claim, Patient.first_name, Patient.last_name, Payer.name)
        .join(Patient, col(Patient.id) == col(Claim.patient_id))
        .join(Payer, col(Payer.id) == col(Claim.secondary_payer_id))
        .where(_to_bill_filter())
        .order_by(col(Claim.service_date), col(Claim.id))
        .limit(limit)
    ).all()
    found = []
    for claim, first, last, payer in rows:
        assert claim.id is not None
        since = claim.last_activity or claim.service_date
        found.append(ToBill(claim.id, claim.number, Patient.name_of(first, last), claim.service_date, payer,
                            claim.billed_cents, claim.paid_cents, claim.adjusted_cents, claim.patient_resp_cents,
                            max(0, (today - since).days)))
    return found


def to_bill_count(session: Session) -> int:
    """How many claims have a secondary still to bill."""
    return int(session.exec(select(func.count()).select_from(Claim).where(_to_bill_filter())).one())


def bill_secondary(session: Session, claim_id: int, *, today: date, now: datetime, actor: str) -> str:
    """Record that the claim was billed to its secondary payer today (with the primary's payment and adjustments).
    Returns what was done, in one line; ServiceError with nothing changed when it cannot be."""
    require(actor, Area.billing, what="billing a secondary")
    try:
        claim = session.get(Claim, claim_id)
        if claim is None:
            raise ServiceError("that claim is no longer on file; reload")
        payer = session.get(Payer, claim.secondary_payer_id) if claim.secondary_payer_id is not None else None
        if payer is None:
            raise ServiceError(f"claim {claim.number} has no secondary payer to bill: the patient has no secondary "
                               "plan for the visit, or the primary has not answered yet")
        if claim.secondary_answered_on is not None:
            raise ServiceError(f"claim {claim.number}: the secondary {payer.name} already answered on "
                               f"{claim.secondary_answered_on:%m/%d/%Y}")
        if claim.secondary_billed_on is not None:
            raise ServiceError(f"claim {claim.number} was already billed to the secondary {payer.name} on "
                               f"{claim.secondary_billed_on:%m/%d/%Y}")
        if claim.patient_resp_cents <= 0:
            raise ServiceError(f"claim {claim.number}: the primary left no patient share for the secondary to pay")
        assert claim.id is not None
        changes = apply_update(claim, {"secondary_billed_on": today, "last_activity": today}, expected_version=None)
        event = ClaimEvent(claim_id=claim.id, at=now, actor=actor, from_status=claim.status.value,
                           to_status=claim.status.value,
                           text=f"billed to secondary {payer.name}: the primary paid {money(claim.paid_cents)}, "
                                f"adjusted {money(claim.adjusted_cents)}, patient share "
                                f"{money(claim.patient_resp_cents)}"[:300])
        session.add(event)
        session.flush()
        record(session, actor=actor, entity="claim", entity_id=claim.id, action="bill_secondary",
               changes={**changes, "secondary_payer": payer.name, "event_id": event.id}, now=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return f"Claim {claim.number} billed to the secondary {payer.name} on {today:%m/%d/%Y}."


@dataclass(frozen=True)
class SecondaryInfo:
    """A claim's secondary as the claim view shows it, with what the primary did (what it is billed with)."""

    payer: str  # "" when a secondary payment came for a claim with no secondary plan on file
    billed_on: date | None
    answered_on: date | None
    paid_cents: int
    primary_paid_cents: int
    adjusted_cents: int
    patient_share_cents: int

    @property
    def to_bill(self) -> bool:
        return bool(self.payer) and self.billed_on is None and self.answered_on is None and \
            self.patient_share_cents > 0

    @property
    def state(self) -> str:
        if self.answered_on is not None:
            return f"answered {self.answered_on:%m/%d/%Y}, paid {money(self.paid_cents)}"
        if self.billed_on is not None:
            return f"billed {self.billed_on:%m/%d/%Y}, waiting for its answer"
        return "to bill" if self.to_bill else "nothing left for it to pay"


def claim_secondary(session: Session, claim_id: int, *, actor: str) -> SecondaryInfo | None:
    """The claim's secondary, or None when it has none (no secondary plan named, nothing paid by one)."""
    require(actor, Area.billing, write=False, what="a claim's secondary")
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise ServiceError("that claim is no longer on file; reload")
    if claim.secondary_payer_id is None and claim.secondary_answered_on is None:
        return None
    payer = session.get(Payer, claim.secondary_payer_id) if claim.secondary_payer_id is not None else None
    return SecondaryInfo(payer.name if payer else "", claim.secondary_billed_on, claim.secondary_answered_on,
                         claim.secondary_paid_cents, claim.paid_cents, claim.adjusted_cents, claim.patient_resp_cents)
