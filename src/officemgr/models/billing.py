"""Payers, claims (with lines and diagnoses) and follow-up notes. Money is integer cents."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import NaiveDatetime, field_validator, model_validator
from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field, nullable_enum
from officemgr.models.validation import clean_phone, require_text, strip_free_text


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


class CloseReason(str, enum.Enum):
    """How a claim left the work queue for good."""

    paid = "paid"
    written_off = "written_off"
    sent_to_patient = "sent_to_patient"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Payer(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    # The timely-filing limit, in days or in calendar months: exactly one is set (PayerCreate checks it).
    timely_filing_days: int | None = Field(default=None, gt=0)
    timely_filing_months: int | None = Field(default=None, gt=0)
    appeal_days: int = Field(default=180, gt=0)
    phone: str = Field(default="", max_length=20)
    portal_note: str = Field(default="", max_length=300)


SECONDARY_TO_BILL = "secondary_payer_id IS NOT NULL AND secondary_billed_on IS NULL AND secondary_answered_on IS NULL"


class Claim(Versioned, table=True):
    __table_args__ = (
        Index("ix_claim_status_service", "status", "service_date"),
        Index("ix_claim_follow_up", "next_follow_up"),
        Index("ix_claim_deadline", "deadline"),
        # The A/R denial rate counts claims submitted and denied in the last 12 months.
        Index("ix_claim_submitted_on", "submitted_on"),
        Index("ix_claim_denied_on", "denied_on"),
        # The Huddle's "bill the secondary" line: the few claims with a secondary still to bill, found without
        # reading the paid and closed claims the status index alone leaves (42 ms of the Huddle on the large demo).
        Index("ix_claim_secondary_to_bill", "status", "service_date",
              sqlite_where=text(SECONDARY_TO_BILL), postgresql_where=text(SECONDARY_TO_BILL)),
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
    close_reason: CloseReason | None = Field(default=None, sa_column=nullable_enum(CloseReason))
    close_note: str = Field(default="", max_length=300)  # why it was written off, or what the patient was sent
    denial_group: str | None = Field(default=None, max_length=2)  # CARC group: CO, PR, OA, PI, CR
    adjusted_cents: int = Field(default=0, ge=0)  # contractual adjustments (CO) posted from remittances
    patient_resp_cents: int = Field(default=0, ge=0)  # deductible, coinsurance, co-pay (PR)
    # The balance written off when the claim was closed as written off (its reason is close_note); 0 once reopened.
    written_off_cents: int = Field(default=0, ge=0)
    # What the payer paid below its contracted fee schedule (after patient responsibility), 0 when not underpaid.
    underpaid_cents: int = Field(default=0, ge=0)
    # The next hard deadline (timely filing, or appeal after a denial), weekend-adjusted. Derived on
    # every write by services.billing.claim_deadline and stored so the work queue can sort by an index.
    deadline: date | None = None
    # The patient's secondary plan's payer, set when the primary's remittance leaves a patient share that plan
    # may pay. Billed on: when the claim went to it (by hand, or by the primary as a crossover: CLP02 19).
    # Answered on: when its remittance (CLP02 2 or 3) posted or it was closed. Its payment is kept apart from the
    # primary's; until it answers, the patient share is not billed to the patient.
    secondary_payer_id: int | None = Field(default=None, foreign_key="payer.id")
    secondary_billed_on: date | None = None
    secondary_answered_on: date | None = None
    secondary_paid_cents: int = Field(default=0, ge=0)

    @property
    def balance_cents(self) -> int:
        """What is still to collect from the payers: billed less paid (by the primary and the secondary),
        contractual adjustments, patient share and what was written off."""
        return max(0, self.billed_cents - self.paid_cents - self.secondary_paid_cents - self.adjusted_cents
                   - self.patient_resp_cents - self.written_off_cents)

    @property
    def secondary_owed(self) -> bool:
        """A secondary plan is still to bill or to answer: the patient share is not the patient's yet."""
        return self.secondary_payer_id is not None and self.secondary_answered_on is None


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
    text: str = Field(default="", max_length=1000)
    next_follow_up: date | None = None
    today: date

    _text = field_validator("text")(strip_free_text)

    @model_validator(mode="after")
    def _check(self) -> ClaimNoteCreate:
        if not self.text and self.action is NoteAction.note:
            raise ValueError("write what happened, or pick an action")
        if self.next_follow_up is not None and self.next_follow_up < self.today:
            raise ValueError("the next follow-up date cannot be in the past")
        return self


class ClaimEvent(SQLModel, table=True):
    """Append-only history of a claim's status changes and posted payments (notes are ClaimNote)."""

    __tablename__ = "claim_event"
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    at: NaiveDatetime = Field(index=True)
    actor: str = Field(max_length=60)
    from_status: str = Field(max_length=12)
    to_status: str = Field(max_length=12, index=True)
    amount_cents: int = 0  # a payment posted with the change (negative for a reversal)
    code: str = Field(default="", max_length=10)  # the CARC code of a denial
    text: str = Field(default="", max_length=300)


class CarcCode(Versioned, table=True):
    """Claim adjustment reason codes and what they mean, editable by the practice (seeded with the common ones)."""

    __tablename__ = "carc_code"
    code: str = Field(primary_key=True, max_length=5)
    meaning: str = Field(max_length=300)


class Remittance(SQLModel, table=True):
    """One imported X12 835 file; its hash makes a second import of the same file post nothing."""

    id: int | None = Field(default=None, primary_key=True)
    file_hash: str = Field(max_length=64, unique=True)
    file_name: str = Field(max_length=200)
    imported_at: NaiveDatetime
    actor: str = Field(max_length=60)
    payer_name: str = Field(default="", max_length=80)
    check_number: str = Field(default="", max_length=50)
    paid_cents: int = 0
    paper: bool = False  # a paper EOB entered by hand (file_name says so), not an 835 file


class RemittanceCheck(SQLModel, table=True):
    """One check or EFT (one 835 transaction) posted from a remittance file. The repeat guard is per check: the
    same payer, check/EFT number and amount in a later file is not posted again."""

    __tablename__ = "remittance_check"
    __table_args__ = (Index("ix_remittance_check_number", "check_number", "payer_name"),)
    id: int | None = Field(default=None, primary_key=True)
    remittance_id: int = Field(foreign_key="remittance.id", index=True)
    payer_name: str = Field(default="", max_length=80)
    check_number: str = Field(max_length=50)
    paid_cents: int = 0
    paid_on: date | None = None  # DTM*405, else BPR16: the check or EFT date


class ProviderAdjustment(SQLModel, table=True):
    """A provider-level adjustment (PLB) on a check: interest paid, a withhold, a forward balance, a recovered
    overpayment. Positive: taken from the check; negative: added to it (interest)."""

    __tablename__ = "provider_adjustment"
    id: int | None = Field(default=None, primary_key=True)
    check_id: int = Field(foreign_key="remittance_check.id", index=True)
    reason: str = Field(max_length=5)  # PLB03-1, e.g. L6 interest, WO withhold, FB forward balance, 72 refund
    reference: str = Field(default="", max_length=50)  # PLB03-2: the payer's reference (a claim, an account)
    amount_cents: int


class RemittanceClaim(SQLModel, table=True):
    """One claim payment in a remittance; claim_id is None when no claim matched (listed, never dropped)."""

    __tablename__ = "remittance_claim"
    __table_args__ = (Index("ix_remittance_claim_posted", "posted"),)
    id: int | None = Field(default=None, primary_key=True)
    remittance_id: int = Field(foreign_key="remittance.id", index=True)
    check_id: int | None = Field(default=None, foreign_key="remittance_check.id", index=True)
    posted: bool = False  # False: unmatched, held for review or refused (the note says why)
    claim_number: str = Field(max_length=38)
    claim_id: int | None = Field(default=None, foreign_key="claim.id", index=True)
    status_code: str = Field(max_length=2)  # CLP02: 1 primary, 2 secondary, 4 denied, 22 reversal...
    charge_cents: int = 0
    paid_cents: int = 0
    patient_resp_cents: int = 0
    adjustments: str = Field(default="[]", max_length=2000)  # JSON [[group, carc, cents], ...]
    note: str = Field(default="", max_length=300)
    # What the payer says about the claim, to find it when the number matched nothing: NM1*QC (patient last,
    # first; member id) and the service date (DTM*232, else the first service line's DTM*472).
    patient_name: str = Field(default="", max_length=80)
    member_id: str = Field(default="", max_length=50)
    service_date: date | None = None
    matched_by: str = Field(default="", max_length=60)  # who matched it by hand (empty: matched by its number)


class FeeSchedule(SQLModel, table=True):
    """A payer's contracted allowed amount per procedure code and modifier."""

    __tablename__ = "fee_schedule"
    __table_args__ = (UniqueConstraint("payer_id", "code", "modifier", name="uq_fee_schedule_code"),)
    id: int | None = Field(default=None, primary_key=True)
    payer_id: int = Field(foreign_key="payer.id", index=True)
    code: str = Field(max_length=5)
    modifier: str = Field(default="", max_length=2)
    allowed_cents: int = Field(ge=0)


class PayerCreate(SQLModel):
    """A payer as the office manager enters it: its filing and appeal limits drive every open claim's deadline."""

    name: str = Field(max_length=80)
    timely_filing_days: int | None = Field(default=None, ge=1, le=3650)
    timely_filing_months: int | None = Field(default=None, ge=1, le=120)
    appeal_days: int = Field(default=180, ge=1, le=3650)
    phone: str = Field(default="", max_length=20)
    portal_note: str = Field(default="", max_length=300)

    _name = field_validator("name")(require_text)
    _phone = field_validator("phone")(clean_phone)
    _note = field_validator("portal_note")(strip_free_text)

    @model_validator(mode="after")
    def _one_filing_limit(self) -> PayerCreate:
        if (self.timely_filing_days is None) == (self.timely_filing_months is None):
            raise ValueError("give the timely-filing limit in days or in months")
        return self
