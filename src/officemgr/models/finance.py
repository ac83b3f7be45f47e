"""The practice's own money: the operating budget, month-end close, and work RVUs per procedure code."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field


class BudgetCategory(str, enum.Enum):
    payroll = "payroll"
    rent = "rent"
    supplies = "supplies"  # office supplies
    medical_supplies = "medical_supplies"
    vaccines = "vaccines"
    equipment = "equipment"
    software = "software"
    insurance = "insurance"
    marketing = "marketing"
    other = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class BudgetAmount(Versioned, table=True):
    """What the practice plans to spend in one category in one month."""

    __tablename__ = "budget_amount"
    __table_args__ = (UniqueConstraint("year", "month", "category"),)
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(ge=2000, le=2100, index=True)
    month: int = Field(ge=1, le=12)
    category: BudgetCategory = enum_field(BudgetCategory)
    amount_cents: int = Field(ge=0)


class MonthClose(Versioned, table=True):
    """A month closed for posting: what A/R stood at when it closed, so the next month's roll-forward starts from
    a figure no later back-dated posting can move unseen. Reopened: closed_at stays, reopened_at is set."""

    __tablename__ = "month_close"
    month: date = Field(primary_key=True)  # the month's first day
    closed_at: NaiveDatetime
    closed_by: str = Field(max_length=60)
    insurance_ar_cents: int = 0
    patient_ar_cents: int = 0
    reopened_at: NaiveDatetime | None = None
    reopened_by: str = Field(default="", max_length=60)
    reopen_reason: str = Field(default="", max_length=300)


class CloseTask(SQLModel, table=True):
    """One step of a month's close checklist, ticked off (key: services.month_close's list)."""

    __tablename__ = "close_task"
    __table_args__ = (UniqueConstraint("month", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(index=True)
    key: str = Field(max_length=30)
    done_at: NaiveDatetime
    done_by: str = Field(max_length=60)
    note: str = Field(default="", max_length=300)


class PostingKind(str, enum.Enum):
    """What moved a claim's balance (the insurance A/R), for the month-end roll-forward."""

    charge = "charge"  # the claim's billed amount, on its date of service
    payment = "payment"  # a payer's payment (primary or secondary); a reversal is a positive payment
    adjustment = "adjustment"  # contractual (CO) and other payer adjustments, by CARC group
    patient_share = "patient_share"  # moved to the patient's ledger (PR): out of insurance A/R, into patient A/R
    write_off = "write_off"  # the balance written off when the claim was closed (or put back on reopening)


class ClaimPosting(SQLModel, table=True):
    """One dated change to a claim's balance. A claim's balance is the sum of its postings (charges positive,
    everything that reduces it negative); nothing is changed or removed once written: a correction is a posting
    of the opposite amount."""

    __tablename__ = "claim_posting"
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    day: date = Field(index=True)  # the business day it counts on (its month's roll-forward)
    kind: PostingKind = enum_field(PostingKind)
    carc_group: str = Field(default="", max_length=2)  # CARC group of an adjustment: CO, PR, OA, PI, CR
    amount_cents: int
    source: str = Field(default="", max_length=20)  # era, eob, close, reopen, import, secondary, backfill
    at: NaiveDatetime
    actor: str = Field(max_length=60)


class RvuRate(SQLModel, table=True):
    """Work RVUs of a CPT/HCPCS code (with its modifier, "" for none) in a year's CMS physician fee schedule. No
    description is kept: CPT descriptions are the AMA's (licensed)."""

    __tablename__ = "rvu_rate"
    __table_args__ = (UniqueConstraint("year", "code", "modifier"),)
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(ge=2000, le=2100)
    code: str = Field(max_length=5, index=True)
    modifier: str = Field(default="", max_length=2)
    work_rvu: float = Field(ge=0)
