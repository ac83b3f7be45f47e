"""Purchase orders to vendors: one order per vendor, lines per item, received into lots."""

from __future__ import annotations

import enum
from datetime import date

from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field


class OrderStatus(str, enum.Enum):
    draft = "draft"
    ordered = "ordered"
    partly_received = "partly_received"
    received = "received"
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# Orders whose remaining quantities are still expected from the vendor.
OPEN_ORDER_STATUSES = (OrderStatus.ordered, OrderStatus.partly_received)


class PurchaseOrder(Versioned, table=True):
    __tablename__ = "purchase_order"
    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    status: OrderStatus = enum_field(OrderStatus, default=OrderStatus.draft, index=True)
    created_on: date
    # The day it was placed with the vendor: the order counts against that month's supplies budget.
    ordered_on: date | None = Field(default=None, index=True)
    received_on: date | None = None
    note: str = Field(default="", max_length=200)


class PurchaseOrderLine(SQLModel, table=True):
    __tablename__ = "purchase_order_line"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="purchase_order.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    quantity: int = Field(gt=0)
    received: int = Field(default=0, ge=0)
    unit_cost_cents: int = Field(ge=0)
