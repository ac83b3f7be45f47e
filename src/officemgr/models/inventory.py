"""Vendors, items, stock lots and the movements that change them."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import NaiveDatetime, field_validator, model_validator
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field
from officemgr.models.payment_terms import parse_terms
from officemgr.models.validation import clean_email, clean_phone, require_text, strip_text


class ItemCategory(str, enum.Enum):
    clinical = "clinical"
    office = "office"
    vaccine = "vaccine"
    medication = "medication"
    equipment = "equipment"


class MovementKind(str, enum.Enum):
    receive = "receive"
    use = "use"
    waste = "waste"
    adjust = "adjust"


class Vendor(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=120)
    account_number: str = Field(default="", max_length=40)
    # Payment terms as the vendor states them ("net 30", "due on receipt", "2/10 net 30", "net 15 EOM"):
    # models.payment_terms reads them into a bill's due date.
    terms: str = Field(default="net 30", max_length=30)


class ItemBase(SQLModel):
    name: str = Field(max_length=80)
    category: ItemCategory = enum_field(ItemCategory)
    unit: str = Field(default="each", max_length=20)
    par: int = Field(default=0, ge=0)
    reorder_point: int = Field(default=0, ge=0)
    vendor_id: int | None = Field(default=None, foreign_key="vendor.id")
    sku: str = Field(default="", max_length=40)
    unit_cost_cents: int = Field(default=0, ge=0)
    tracks_lots: bool = False
    location: str = Field(default="", max_length=40)


class Item(ItemBase, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    active: bool = True


class ItemCreate(ItemBase):
    _name = field_validator("name", "unit")(require_text)
    _text = field_validator("sku", "location")(strip_text)

    @model_validator(mode="after")
    def _par_covers_reorder_point(self) -> ItemCreate:
        if self.par < self.reorder_point:
            raise ValueError("par level must be at least the reorder point")
        return self


class StockLot(Versioned, table=True):
    __tablename__ = "stock_lot"
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    # Items that do not track lots keep a single lot row with no number and no expiry.
    lot_number: str | None = Field(default=None, max_length=40)
    expires: date | None = Field(default=None, index=True)
    quantity: int = Field(default=0, ge=0)
    received_on: date | None = None
    manufacturer: str = Field(default="", max_length=60)


class StockMovement(SQLModel, table=True):
    """Append-only: every change to a lot's quantity, signed (+ in, - out)."""

    __tablename__ = "stock_movement"
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    lot_id: int | None = Field(default=None, foreign_key="stock_lot.id")
    kind: MovementKind = enum_field(MovementKind)
    quantity: int
    at: NaiveDatetime = Field(index=True)
    reason: str = Field(default="", max_length=200)
    actor: str = Field(default="", max_length=60)
    # Set when the stock came in on a purchase order, so an order's deliveries can be traced.
    order_id: int | None = Field(default=None, foreign_key="purchase_order.id", index=True)


class VendorCreate(SQLModel):
    name: str = Field(max_length=80)
    phone: str = ""
    email: str = Field(default="", max_length=120)
    account_number: str = Field(default="", max_length=40)
    terms: str = "net 30"

    _name = field_validator("name")(require_text)
    _phone = field_validator("phone")(clean_phone)
    _email = field_validator("email")(clean_email)
    _account = field_validator("account_number")(strip_text)

    @field_validator("terms")
    @classmethod
    def _terms(cls, value: str) -> str:
        """Terms as the vendor prints them, kept the one way payment_terms writes them ("Net 30 days" -> "net 30")."""
        return parse_terms(value).text  # BadTerms is a ValueError: pydantic shows its message


class ReceiveCreate(SQLModel):
    """Stock coming in: into a new lot for lot-tracked items, into the item's one lot otherwise."""

    quantity: int = Field(gt=0, le=100_000)
    lot_number: str = Field(default="", max_length=40)
    expires: date | None = None
    manufacturer: str = Field(default="", max_length=60)
    reason: str = Field(default="", max_length=200)

    _text = field_validator("lot_number", "manufacturer", "reason")(strip_text)


class UseCreate(SQLModel):
    """Stock going out: used (from a chosen lot, or first-expiring first) or wasted with a reason."""

    quantity: int = Field(gt=0, le=100_000)
    lot_id: int | None = None
    waste: bool = False
    reason: str = Field(default="", max_length=200)

    _text = field_validator("reason")(strip_text)

    @model_validator(mode="after")
    def _waste_needs_reason(self) -> UseCreate:
        if self.waste and not self.reason:
            raise ValueError("say why it was wasted (expired, broken, temperature excursion…)")
        return self
