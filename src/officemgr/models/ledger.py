"""The patient ledger: what each patient owes and paid, entry by entry, and each day's drawer count.

Every entry carries a signed amount in cents: what the patient owes is positive (their share of a visit, a refund
of their credit), what reduces it negative (a payment, a write-off or discount). A patient's balance is the sum of
their entries, always: nothing stores a balance that could drift from it. An entry is never changed or removed
(a merge of two records of one patient moves it to the record kept, audited); a mistake is undone by a void, an
entry of the opposite amount that names the one it voids.
"""

from __future__ import annotations

import enum
from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from officemgr.models.base import enum_field, nullable_enum


class EntryKind(str, enum.Enum):
    patient_share = "patient_share"  # deductible, coinsurance or copay the payer's remittance gave the patient
    sent_to_patient = "sent_to_patient"  # a claim's balance billed to the patient (no insurance pays it)
    payment = "payment"
    refund = "refund"  # money given back from a credit
    small_balance = "small_balance"  # a write-off of a balance too small to bill
    courtesy = "courtesy"  # a discount the practice chose to give, with the reason
    void = "void"  # undoes one earlier entry (voids_id)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class PayMethod(str, enum.Enum):
    cash = "cash"
    check = "check"
    card = "card"


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        Index("ix_ledger_entry_patient", "patient_id", "id"),
        Index("ix_ledger_entry_day", "day"),
    )
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    day: date  # the business day it counts on (the drawer, the statement, the aging)
    at: NaiveDatetime
    actor: str = Field(max_length=60)
    kind: EntryKind = enum_field(EntryKind)
    amount_cents: int  # + the patient owes more, - the patient owes less
    claim_id: int | None = Field(default=None, foreign_key="claim.id", index=True)
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id")
    method: PayMethod | None = Field(default=None, sa_column=nullable_enum(PayMethod))
    reference: str = Field(default="", max_length=60)  # check number, or card's last four and its reference
    reason: str = Field(default="", max_length=300)
    receipt: str = Field(default="", max_length=20)  # a payment's receipt number
    voids_id: int | None = Field(default=None, foreign_key="ledger_entry.id", unique=True)


class DrawerClose(SQLModel, table=True):
    """The count of the day's cash and checks at close, beside what the ledger recorded for the day."""

    __tablename__ = "drawer_close"
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    at: NaiveDatetime
    actor: str = Field(max_length=60)
    counted_cash_cents: int = Field(ge=0)
    counted_checks_cents: int = Field(ge=0)
    recorded_cash_cents: int
    recorded_checks_cents: int
    note: str = Field(default="", max_length=300)


class Dunning(str, enum.Enum):
    """How firmly a statement asks, by the age of the oldest unpaid charge."""

    statement = "statement"
    past_due_30 = "past_due_30"
    past_due_60 = "past_due_60"
    past_due_90 = "past_due_90"
    final_notice = "final_notice"

    @property
    def label(self) -> str:
        return DUNNING_LABELS[self]


DUNNING_LABELS = {Dunning.statement: "statement", Dunning.past_due_30: "30 days past due",
                  Dunning.past_due_60: "60 days past due", Dunning.past_due_90: "90 days past due",
                  Dunning.final_notice: "final notice"}


class Statement(SQLModel, table=True):
    """One statement sent to a patient: the balance it asked for, and how firmly."""

    __table_args__ = (Index("ix_statement_patient_day", "patient_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    day: date
    balance_cents: int
    oldest_days: int  # age of the oldest unpaid charge on the day
    dunning: Dunning = enum_field(Dunning)
    actor: str = Field(max_length=60)


class CollectionReferral(SQLModel, table=True):
    """A balance the manager sent to a collection agency: the amount, the day and to whom."""

    __tablename__ = "collection_referral"
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    day: date
    amount_cents: int = Field(gt=0)
    agency: str = Field(max_length=80)
    actor: str = Field(max_length=60)


class PaymentPlan(SQLModel, table=True):
    """A patient pays `amount_cents` on `day_of_month` each month from `start` until the balance is paid."""

    __tablename__ = "payment_plan"
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    amount_cents: int = Field(gt=0)
    day_of_month: int = Field(ge=1, le=31)  # 29-31: the month's last day in shorter months
    start: date
    ended: date | None = None
    note: str = Field(default="", max_length=300)
    version: int = 1
