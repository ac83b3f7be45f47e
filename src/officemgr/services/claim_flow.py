"""A claim's status flow: which status may follow which, and the one write that moves a claim along it.

draft → submitted → accepted or rejected (a rejection never counts as filed: fix and resubmit) → pending →
paid / partly paid / denied → appealed → closed (paid, written off with a reason, or sent to the patient).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import field_validator, model_validator
from sqlmodel import Session, SQLModel

from officemgr.models import Claim, ClaimEvent, ClaimStatus, CloseReason, Payer
from officemgr.services import ledger
from officemgr.services.billing import ClaimInfo, FilingState, claim_deadline, split_denial_code
from officemgr.services.claim_postings import ClaimMoney, post_change
from officemgr.services.closed_months import MonthClosed
from officemgr.services.common import ServiceError, StaleEdit, apply_update, record
from officemgr.services.denials import CARC_PATTERN
from officemgr.services.format import money

S = ClaimStatus

TRANSITIONS: dict[ClaimStatus, tuple[ClaimStatus, ...]] = {
    # A draft made in error can be closed (written off) without ever being sent.
    S.draft: (S.submitted, S.closed),
    # Accepted or rejected by the clearinghouse; paper claims go straight to the payer (pending), and a
    # remittance may arrive before any acknowledgment was recorded (paid, partly paid, denied).
    S.submitted: (S.accepted, S.rejected, S.pending, S.paid, S.partly_paid, S.denied),
    # Fix and resubmit; or give up on it (a duplicate, a patient who was not ours).
    S.rejected: (S.submitted, S.closed),
    S.accepted: (S.pending, S.paid, S.partly_paid, S.denied),
    S.pending: (S.paid, S.partly_paid, S.denied),
    # Appeal an underpayment; pending again when the payer reverses the payment.
    S.partly_paid: (S.paid, S.denied, S.closed, S.appealed, S.pending),
    # Appeal; close; send a corrected claim (submitted); or pending again when the payer agrees on the phone
    # to reprocess it.
    S.denied: (S.appealed, S.closed, S.submitted, S.pending),
    S.appealed: (S.paid, S.partly_paid, S.denied, S.closed),
    # A reversal or recoupment puts a paid claim back to pending.
    S.paid: (S.closed, S.pending),
    # Reopened after closing (a recoupment, a late reversal).
    S.closed: (S.pending,),
}

DENIAL_GROUPS = {
    "CO": "contractual obligation",
    "PR": "patient responsibility",
    "OA": "other adjustment",
    "PI": "payer-initiated reduction",
    "CR": "correction or reversal",
}
NOTE_MAX = 300
# Leaving a denial behind: the claim no longer carries the denial code (the history keeps it).
_CLEARS_DENIAL = (S.submitted, S.accepted, S.pending, S.paid, S.partly_paid)
_REVERSIBLE = (S.paid, S.partly_paid, S.closed)
# What a write-off's history event says the claim went to (the claim itself is closed, its reason written off).
WRITTEN_OFF = CloseReason.written_off.value


def allowed_next(status: ClaimStatus) -> tuple[ClaimStatus, ...]:
    return TRANSITIONS.get(ClaimStatus(status), ())


def _labels(statuses: tuple[ClaimStatus, ...]) -> str:
    names = [s.label for s in statuses]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


class StatusChange(SQLModel):
    """Move a claim to another status; a denial carries its CARC code, a payment its amount, a close its reason."""

    to: ClaimStatus
    denial_code: str = ""  # "197", or "CO-197" with its group
    denial_group: str = ""  # CO, PR, OA, PI or CR
    paid_cents: int | None = None  # posted with paid / partly paid; negative: a take-back when going back to pending
    close_reason: CloseReason | None = None
    note: str = ""  # required when writing off or sending to the patient
    next_follow_up: date | None = None  # when to look at the claim again (None: it stays in the queue)

    @field_validator("note", mode="before")
    @classmethod
    def _note(cls, value: Any) -> str:
        text: str = (value or "").strip()
        if len(text) > NOTE_MAX:
            raise ValueError(f"keep the note under {NOTE_MAX} characters")
        return text

    @field_validator("denial_group", mode="before")
    @classmethod
    def _group(cls, value: Any) -> str:
        group: str = (value or "").strip().upper()
        if group and group not in DENIAL_GROUPS:
            raise ValueError("the group code is " + ", ".join(f"{k} ({v})" for k, v in DENIAL_GROUPS.items()))
        return group

    @field_validator("denial_code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        value = (value or "").strip().upper()
        if not value:
            return ""
        group, code = split_denial_code(value)
        if (group and group not in DENIAL_GROUPS) or not CARC_PATTERN.match(code):
            raise ValueError("a CARC code is a number like 197 or a letter and a number like B7, "
                             "optionally with its group: CO-197")
        return f"{group}-{code}" if group else code

    @model_validator(mode="after")
    def _check(self) -> StatusChange:
        group, code = split_denial_code(self.denial_code)
        if group and self.denial_group and group != self.denial_group:
            raise ValueError(f"the code says group {group} but the group field says {self.denial_group}")
        if self.denial_code:
            self.denial_code, self.denial_group = code, group or self.denial_group
        if self.to is S.denied and not self.denial_code:
            raise ValueError("a denial needs its CARC code from the remittance (e.g. 197 or CO-197)")
        if self.to is not S.denied and (self.denial_code or self.denial_group):
            raise ValueError("a CARC code goes with a denial only")
        if self.paid_cents is not None:
            if self.to in (S.paid, S.partly_paid):
                if self.paid_cents <= 0:
                    raise ValueError("a payment must be more than $0.00 (leave it empty if nothing was paid)")
            elif self.to is S.pending:
                if self.paid_cents >= 0:
                    raise ValueError("going back to pending, an amount is a take-back: enter it as a negative amount")
            else:
                raise ValueError("a payment is posted only when the claim becomes paid or partly paid")
        if self.to is S.closed:
            if self.close_reason is None:
                raise ValueError("say why the claim is closed: paid, written off, or sent to the patient")
            if self.close_reason is CloseReason.written_off and not self.note:
                raise ValueError("say why the balance is written off")
            if self.close_reason is CloseReason.sent_to_patient and not self.note:
                raise ValueError("say what the patient was sent (e.g. a statement for the deductible)")
        elif self.close_reason is not None:
            raise ValueError("a close reason goes with closing the claim only")
        return self


def change_status(
    session: Session,
    claim_id: int,
    data: StatusChange,
    *,
    today: date,
    now: datetime,
    actor: str,
    expected_version: int | None,
) -> ClaimInfo:
    """Move a claim to `data.to`, post any payment, recompute its deadline, and record the change in the
    claim's history and the audit trail, in one transaction. Refuses an illegal move, naming the legal ones.
    Returns the claim as the change left it."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise ServiceError("that claim no longer exists — reload")
    if expected_version is not None and claim.version != expected_version:
        raise StaleEdit()
    old = claim.status
    to = data.to
    if to == old:
        raise ServiceError(f"the claim is already {old.label}")
    allowed = allowed_next(old)
    if to not in allowed:
        if not allowed:
            raise ServiceError(f"a {old.label} claim cannot change status")
        raise ServiceError(f"a {old.label} claim can go to {_labels(allowed)}, not {to.label}")
    if data.next_follow_up is not None and data.next_follow_up < today:
        raise ServiceError("the next follow-up date cannot be in the past")

    paid = claim.paid_cents
    if data.paid_cents is not None:
        if data.paid_cents < 0:
            if old not in _REVERSIBLE:
                raise ServiceError("a take-back only applies to a claim that was paid")
            if -data.paid_cents > paid:
                raise ServiceError(f"that takes back more than was paid ({money(paid)})")
        elif paid + data.paid_cents > claim.billed_cents:
            raise ServiceError(f"that is more than the claim's billed amount ({money(claim.billed_cents)}); "
                               f"{money(claim.billed_cents - paid)} is left to pay")
        paid += data.paid_cents

    values: dict[str, Any] = {"status": to, "paid_cents": paid, "last_activity": today,
                              "next_follow_up": data.next_follow_up}
    if to is S.submitted:
        values["submitted_on"] = today
    if to is S.denied:
        values.update(denied_on=today, denial_code=data.denial_code, denial_group=data.denial_group or None)
    elif to in _CLEARS_DENIAL:
        values.update(denial_code=None, denial_group=None)
    event_to, event_text = to.value, data.note
    if to is S.closed:
        # A close posts no payment (paid is the claim's), so what is open is the claim's own balance, which counts
        # the secondary plan's payment too.
        balance = claim.balance_cents
        if data.close_reason is CloseReason.paid and balance > 0:
            raise ServiceError(f"{money(balance)} is still open on this claim: post the payment, or close it as "
                               "written off or sent to the patient")
        values.update(close_reason=data.close_reason, close_note=data.note)
        if data.close_reason is CloseReason.written_off:
            # The balance goes as a write-off adjustment with its reason; the history names the write-off.
            values["written_off_cents"] = balance
            event_to, event_text = WRITTEN_OFF, f"wrote off {money(balance)}: {data.note}"
    elif old is S.closed:
        values.update(close_reason=None, close_note="", written_off_cents=0)

    payer = session.get(Payer, claim.payer_id)
    assert payer is not None, "a claim's payer is a foreign key"
    after = FilingState(status=to, service_date=claim.service_date, denied_on=values.get("denied_on", claim.denied_on))
    values["deadline"] = claim_deadline(after, payer)

    before = ClaimMoney.of(claim)
    changes = apply_update(claim, values, expected_version=None)
    source = "close" if to is S.closed else "reopen" if old is S.closed else "status"
    try:
        post_change(session, claim, before, day=today, source=source, now=now, actor=actor)
        ledger.follow_claim(session, claim, day=today, actor=actor, now=now)  # closed to the patient, or reopened
    except MonthClosed:
        session.rollback()  # the claim's new values go with the refused posting
        raise
    event = ClaimEvent(claim_id=claim_id, at=now, actor=actor, from_status=old.value, to_status=event_to,
                       amount_cents=data.paid_cents or 0, code=data.denial_code if to is S.denied else "",
                       text=event_text[:300])
    session.add(event)
    session.flush()
    changes["event_id"] = event.id
    if data.note:
        changes["note"] = data.note
    record(session, actor=actor, entity="claim", entity_id=claim_id, action="status", changes=changes, now=now)
    changed = ClaimInfo.of(claim)
    session.commit()
    return changed
