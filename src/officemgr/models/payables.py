"""Bills the practice owes its vendors (accounts payable): entered, approved, paid; recurring ones made each period."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field
from officemgr.models.finance import BudgetCategory


class BillStatus(str, enum.Enum):
    entered = "entered"  # waiting for approval
    approved = "approved"  # may be paid (in part or in full)
    paid = "paid"
    void = "void"  # entered by mistake, or a duplicate; kept with the reason

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PayoutMethod(str, enum.Enum):
    check = "check"
    ach = "ach"
    card = "card"
    cash = "cash"

    @property
    def label(self) -> str:
        return {"ach": "ACH / bank transfer"}.get(self.value, self.value.capitalize())


class Frequency(str, enum.Enum):
    monthly = "monthly"
    quarterly = "quarterly"
    yearly = "yearly"

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "yearly": 12}[self.value]


class RecurringBill(Versioned, table=True):
    """A bill that comes every period for the same amount (rent, a service contract, software): one bill is made
    per period from `start` on, dated on `day_of_month` (29–31: the month's last day in shorter months)."""

    __tablename__ = "recurring_bill"
    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    description: str = Field(max_length=120)
    category: BudgetCategory = enum_field(BudgetCategory)
    amount_cents: int = Field(gt=0)
    frequency: Frequency = enum_field(Frequency, default=Frequency.monthly)
    day_of_month: int = Field(default=1, ge=1, le=31)
    start: date
    end: date | None = None
    active: bool = True


class Bill(Versioned, table=True):
    """One vendor invoice. `invoice_key` is the invoice number with case, spaces, punctuation and leading zeros
    taken out: "INV-0012" and "inv 12" are one invoice, entered once per vendor."""

    __table_args__ = (UniqueConstraint("vendor_id", "invoice_key"), UniqueConstraint("recurring_id", "period"))
    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    invoice_number: str = Field(max_length=40)
    invoice_key: str = Field(max_length=40)
    invoice_date: date
    due_date: date = Field(index=True)
    amount_cents: int = Field(gt=0)
    paid_cents: int = Field(default=0, ge=0)  # the sum of its payments
    category: BudgetCategory = enum_field(BudgetCategory)
    status: BillStatus = enum_field(BillStatus, default=BillStatus.entered, index=True)
    purchase_order_id: int | None = Field(default=None, foreign_key="purchase_order.id", index=True)
    recurring_id: int | None = Field(default=None, foreign_key="recurring_bill.id")
    period: date | None = None  # a recurring bill's period (its first day)
    description: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=500)
    entered_at: NaiveDatetime
    entered_by: str = Field(max_length=60)
    approved_at: NaiveDatetime | None = None
    approved_by: str = Field(default="", max_length=60)
    # Differences from the purchase order and what was received, as the approver saw them ("" none).
    match_note: str = Field(default="", max_length=500)
    paid_on: date | None = None  # the day the last payment made it paid

    @property
    def open_cents(self) -> int:
        return max(0, self.amount_cents - self.paid_cents)


class BillLine(SQLModel, table=True):
    """A line of a bill for a purchase order: what the vendor billed for one item, matched to what was ordered
    and received."""

    __tablename__ = "bill_line"
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="item.id")
    description: str = Field(default="", max_length=120)
    quantity: int = Field(gt=0)
    unit_cost_cents: int = Field(ge=0)


class BillPayment(SQLModel, table=True):
    __tablename__ = "bill_payment"
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True)
    paid_on: date = Field(index=True)
    amount_cents: int = Field(gt=0)
    method: PayoutMethod = enum_field(PayoutMethod)
    reference: str = Field(default="", max_length=40)  # the check number, or the transfer's confirmation
    at: NaiveDatetime
    actor: str = Field(max_length=60)
