"""The insurance A/R journal: one dated ClaimPosting per change of a claim's balance.

Every writer of a claim's money snapshots it (`ClaimMoney.of`) before the change and calls `post_change` after
it: the differences are posted, by kind, dated on the business day they count on. A posting dated in a closed
month passes services.closed_months.guard first: refused (the caller's whole change rolls back) unless the manager
gives a reason.

What a claim's postings sum to is what the A/R aging counts of it (`ClaimMoney.due`): its balance, never below
zero — an overpayment's excess is a credit the practice holds (to refund), not A/R, posted as an adjustment with
no CARC group — and nothing once it is closed: a balance sent to the patient moved to the patient's ledger (a
patient-share posting); any other closed claim's balance is written off (a write-off posting). The one case the
aging and the journal part on: a claim marked paid by hand with a balance left (the aging skips it, the journal
keeps it until it is closed). The derivation from totals alone (for claims written before the journal) is
officemgr.claim_journal's, which migration 0021 and the demo run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection
from sqlmodel import Session

from officemgr.claim_journal import backfill_claims
from officemgr.models import Claim, ClaimStatus, CloseReason
from officemgr.models.finance import ClaimPosting, PostingKind
from officemgr.services.closed_months import closed_month, guard
from officemgr.services.format import money

__all__ = ["ClaimMoney", "backfill", "backfill_claims", "open_day", "post", "post_change", "postings_for_change"]

SOURCE_MAX = 20


@dataclass(frozen=True)
class ClaimMoney:
    """A claim's money fields at one moment."""

    billed: int
    paid: int  # by the primary and the secondary
    adjusted: int
    patient_resp: int
    written_off: int
    sent: int  # the balance moved to the patient's ledger when the claim was closed as sent to the patient
    # The balance of a claim closed otherwise: none now (a write-off sets written_off), but a claim written off
    # before that column existed (0014), or closed by the billing system for no reason given (the claims import).
    left_closed: int = 0

    @classmethod
    def of(cls, claim: Claim) -> ClaimMoney:
        rest = claim.balance_cents if claim.status is ClaimStatus.closed else 0
        sent = rest if claim.close_reason is CloseReason.sent_to_patient else 0
        return cls(claim.billed_cents, claim.paid_cents + claim.secondary_paid_cents, claim.adjusted_cents,
                   claim.patient_resp_cents, claim.written_off_cents, sent, rest - sent)

    @property
    def raw(self) -> int:
        return self.billed - self.paid - self.adjusted - self.patient_resp - self.written_off

    @property
    def credit(self) -> int:
        """An overpayment's excess: held apart, not A/R."""
        return max(0, -self.raw)

    @property
    def due(self) -> int:
        """What the insurance A/R counts of the claim: what its postings sum to."""
        return self.raw + self.credit - self.sent - self.left_closed


def postings_for_change(before: ClaimMoney, after: ClaimMoney, *, group: str = "CO"
                        ) -> list[tuple[PostingKind, str, int]]:
    """(kind, CARC group, cents) moving a claim's journal from `before` to `after`; they sum to the change in
    `due`. Adjustments are contractual (CO) unless `group` says otherwise."""
    rows = [(PostingKind.charge, "", after.billed - before.billed),
            (PostingKind.payment, "", before.paid - after.paid),
            (PostingKind.adjustment, group, before.adjusted - after.adjusted),
            (PostingKind.patient_share, "", before.patient_resp - after.patient_resp),
            (PostingKind.write_off, "", before.written_off + before.left_closed - after.written_off
             - after.left_closed),
            (PostingKind.adjustment, "", after.credit - before.credit),
            (PostingKind.patient_share, "", before.sent - after.sent)]
    return [row for row in rows if row[2]]


def open_day(session: Session, day: date | None, today: date) -> tuple[date, bool]:
    """The day a posting from a payer's document dated `day` counts on: that day, unless it is missing, in the
    future, or in a closed month — then today (a late remittance is posted in the open month: its money arrived
    now). The flag says it was moved to today."""
    if day is None or day > today:
        return today, False
    if day < today and closed_month(session, day) is not None:
        return today, True
    return day, False


def post(session: Session, claim: Claim, day: date, kind: PostingKind, amount_cents: int, *, group: str = "",
         source: str, now: datetime, actor: str, override_reason: str = "") -> ClaimPosting:
    """One posting on `claim` dated `day`, refused (MonthClosed) in a closed month unless the manager gives a
    reason. The caller commits."""
    assert claim.id is not None, "a claim is posted once it has its id"
    guard(session, day, what=f"a {kind.value.replace('_', ' ')} of {money(abs(amount_cents))} on claim "
                             f"{claim.number}", actor=actor, now=now, override_reason=override_reason)
    row = ClaimPosting(claim_id=claim.id, day=day, kind=kind, carc_group=group, amount_cents=amount_cents,
                       source=source[:SOURCE_MAX], at=now, actor=actor[:60])
    session.add(row)
    return row


def post_change(session: Session, claim: Claim, before: ClaimMoney, *, day: date, source: str, now: datetime,
                actor: str, group: str = "CO", override_reason: str = "") -> int:
    """Post what changed on `claim` since `before` (its money before the caller changed it), dated `day`; one
    guard for the lot. Returns the change in what the claim owes (cents). The caller commits."""
    assert claim.id is not None, "a claim is posted once it has its id"
    rows = postings_for_change(before, ClaimMoney.of(claim), group=group)
    if not rows:
        return 0
    change = sum(cents for _, _, cents in rows)
    guard(session, day, what=f"a change of {money(change)} to claim {claim.number}'s balance", actor=actor,
          now=now, override_reason=override_reason)
    session.add_all([ClaimPosting(claim_id=claim.id, day=day, kind=kind, carc_group=g, amount_cents=cents,
                                  source=source[:SOURCE_MAX], at=now, actor=actor[:60]) for kind, g, cents in rows])
    return change


def backfill(connection_or_session: Connection | Session, *, at: datetime, actor: str = "backfill") -> int:
    """Postings for every claim that has none, from its totals (officemgr.claim_journal.backfill_claims). Returns
    how many claims got postings. The caller commits."""
    conn = connection_or_session.connection() if isinstance(connection_or_session, Session) \
        else connection_or_session
    return backfill_claims(conn, at=at, actor=actor)
