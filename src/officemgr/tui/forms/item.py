"""Add or edit a supply item (its settings, not its stock: stock moves by receiving and using)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from officemgr.models import ItemCategory, ItemCreate
from officemgr.models.validation import parse_money
from officemgr.services.inventory import ItemRecord
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall


def dollars_to_cents(text: str | None) -> int:
    cents = parse_money(text or "0")
    if cents is None:
        raise FieldErrors({"unit_cost": "an amount in dollars and cents, not negative, e.g. 12.50"})
    return cents


class ItemForm(RecordForm[ItemCreate]):
    FORM_TITLE = "Supply item"

    def __init__(self, ctx: AppContext, save: SaveCall[ItemCreate], item: ItemRecord | None = None, *,
                 vendors: list[tuple[str, int]]) -> None:
        """`vendors`: (name, id) choices, read by the caller off the UI thread."""
        self.item = item
        self.vendor_options = vendors
        super().__init__(ctx, save)
        if item:
            self.FORM_TITLE = f"Edit {item.name}"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("name", "Name"),
            FieldSpec("category", "Category", kind="select",
                      options=[(c.value.title(), c) for c in ItemCategory]),
            FieldSpec("unit", "Unit", placeholder="box, each, vial…"),
            FieldSpec("par", "Par level (stock after a delivery)"),
            FieldSpec("reorder_point", "Reorder point"),
            FieldSpec("vendor_id", "Vendor", kind="select", options=self.vendor_options, optional=True),
            FieldSpec("sku", "Vendor SKU", optional=True),
            FieldSpec("unit_cost", "Unit cost ($)", placeholder="12.50", optional=True),
            FieldSpec("location", "Location", optional=True),
            FieldSpec("tracks_lots", "Tracks lots and expiry (vaccines, medications, test kits)", kind="check"),
        ]

    def initial(self) -> dict[str, Any]:
        if self.item is None:
            return {"unit": "each", "par": "0", "reorder_point": "0"}
        values = asdict(self.item)
        values["unit_cost"] = f"{self.item.unit_cost_cents / 100:.2f}"
        return values

    def build(self, values: dict[str, Any]) -> ItemCreate:
        cents = dollars_to_cents(values.pop("unit_cost"))
        values = {**values, "unit_cost_cents": cents, "sku": values["sku"] or "",
                  "location": values["location"] or ""}
        return ItemCreate.model_validate(values)
