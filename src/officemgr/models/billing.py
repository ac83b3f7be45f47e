"""Payers, claims (with lines and diagnoses) and follow-up notes. Money is integer cents."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import NaiveDatetime, field_validator, model_validator
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field
from officemgr.models.validation import strip_text


class ClaimStatus(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    rejected = "rejected"
    accepted = "accepted"
    pending = "pending"
    paid = "paid"
    partly_paid = "partly_paid"
    denied = "denied"
    appealed = "appealed"
    closed = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# Claims in these states still need someone to work them.
OPEN_STATUSES = (
    ClaimStatus.draft,
    ClaimStatus.submitted,
    ClaimStatus.rejected,
    ClaimStatus.accepted,
    ClaimStatus.pending,
    ClaimStatus.partly_paid,
    ClaimStatus.denied,
    ClaimStatus.appealed,
)


class NoteAction(str, enum.Enum):
    note = "note"
    called_payer = "called_payer"
    resubmitted = "resubmitted"
    appealed = "appealed"
    sent_to_patient = "sent_to_patient"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Payer(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    timely_filing_days: int = Field(gt=0)
    appeal_days: int = Field(default=180, gt=0)
    phone: str = Field(default="", max_length=20)
    portal_note: str = Field(default="", max_length=300)


class Claim(Versioned, table=True):
    __table_args__ = (
        Index("ix_claim_status_service", "status", "service_date"),
        Index("ix_claim_follow_up", "next_follow_up"),
        Index("ix_claim_deadline", "deadline"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    payer_id: int = Field(foreign_key="payer.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="staff.id")
    service_date: date = Field(index=True)
    billed_cents: int = Field(ge=0)
    paid_cents: int = Field(default=0, ge=0)
    status: ClaimStatus = enum_field(ClaimStatus, default=ClaimStatus.draft)
    submitted_on: date | None = None
    denial_code: str | None = Field(default=None, max_length=10)
    denied_on: date | None = None
    next_follow_up: date | None = None
    last_activity: date | None = None
    paper: bool = False
    # The next hard deadline (timely filing, or appeal after a denial), weekend-adjusted. Derived on
    # every write by services.billing.claim_deadline and stored so the work queue can sort by an index.
    deadline: date | None = None

    @property
    def balance_cents(self) -> int:
        return self.billed_cents - self.paid_cents


class ClaimLine(SQLModel, table=True):
    __tablename__ = "claim_line"
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    # CPT codes are licensed: we store the 5-character code only, never a description.
    code: str = Field(max_length=5)
    modifiers: str = Field(default="", max_length=11)
    units: int = Field(default=1, gt=0)
    charge_cents: int = Field(ge=0)


class ClaimDiagnosis(SQLModel, table=True):
    __tablename__ = "claim_diagnosis"
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    position: int = Field(ge=1, le=12)
    code: str = Field(max_length=8)


class ClaimNote(SQLModel, table=True):
    """Append-only follow-up history of a claim."""

    __tablename__ = "claim_note"
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    at: NaiveDatetime
    actor: str = Field(max_length=60)
    action: NoteAction = enum_field(NoteAction)
    text: str = Field(default="", max_length=1000)
    next_follow_up: date | None = None


class ClaimNoteCreate(SQLModel):
    """A follow-up note: what was done, and when to look at the claim again."""

    action: NoteAction = NoteAction.note
    text: str = ""
    next_follow_up: date | None = None
    today: date

    _text = field_validator("text")(strip_text)

    @model_validator(mode="after")
    def _check(self) -> ClaimNoteCreate:
        if not self.text and self.action is NoteAction.note:
            raise ValueError("write what happened, or pick an action")
        if self.next_follow_up is not None and self.next_follow_up < self.today:
            raise ValueError("the next follow-up date cannot be in the past")
        return self
