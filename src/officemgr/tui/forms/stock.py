"""Stock in and out of one item: receive (into a lot, with its expiry), use and waste.

The forms get the item as a StockRow and its lots as read in a worker, so opening them never reads the
database on the UI thread; the view that opens one hands it the save call (services.movements), which returns
what to tell the user.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from officemgr.models import ReceiveCreate, UseCreate
from officemgr.models.validation import parse_expiry
from officemgr.services.inventory import StockRow
from officemgr.services.movements import LotStock
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall, validation_errors

FEFO = "fefo"  # the lot select's default: let the service draw first-expiring first
EXPIRY_HELP = "a date like 11/30/2026 or a month like 11/2026"
WASTE_REASON = "say why it was wasted (expired, broken, temperature excursion…)"


def lot_label(lot: LotStock, today: date) -> str:
    expiry = f"{lot.expires:%m/%d/%Y}" if lot.expires else "no expiry"
    label = f"{lot.lot_number or 'stock'} · {expiry} · {lot.quantity} left"
    return label + " · EXPIRED" if lot.expired(today) else label


def _text(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """Optional text left empty comes back from the form as None; the schemas want ""."""
    return {**values, **{name: values.get(name) or "" for name in names}}


M = TypeVar("M", bound=BaseModel)


def _validate(schema: type[M], values: dict[str, Any], errors: dict[str, str]) -> M:
    """The schema's own errors and the form's (`errors`) reported together, next to their fields."""
    try:
        model = schema.model_validate(values)
    except ValidationError as exc:
        # A schema-wide message the form already shows next to its field is not repeated below the form.
        found = {name: message for name, message in validation_errors(exc).items() if message not in errors.values()}
        raise FieldErrors({**found, **errors}) from None
    if errors:
        raise FieldErrors(errors)
    return model


class ReceiveForm(RecordForm[ReceiveCreate]):
    """Receive stock of one item; its save call returns what was done (for the caller's message)."""

    def __init__(self, ctx: AppContext, save: SaveCall[ReceiveCreate], row: StockRow) -> None:
        self.row = row
        self.today = ctx.today
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Receive {row.name} ({row.unit})"

    def fields(self) -> list[FieldSpec]:
        specs = [FieldSpec("quantity", f"Quantity received ({self.row.unit})", placeholder="how many")]
        if self.row.tracks_lots:
            specs += [
                FieldSpec("lot_number", "Lot number (from the package)"),
                FieldSpec("expires", "Expiry", placeholder="11/2026 or 11/30/2026"),
                FieldSpec("manufacturer", "Manufacturer", optional=True),
            ]
        return [*specs, FieldSpec("reason", "Note", optional=True, placeholder="optional")]

    def build(self, values: dict[str, Any]) -> ReceiveCreate:
        errors: dict[str, str] = {}
        values = _text(values, "lot_number", "manufacturer", "reason")
        if self.row.tracks_lots:
            if not values["lot_number"]:
                errors["lot_number"] = "enter the lot number printed on the package"
            text = values["expires"]
            expires = parse_expiry(text) if text else None
            if not text:
                errors["expires"] = f"enter the expiry from the package: {EXPIRY_HELP}"
            elif expires is None:
                errors["expires"] = EXPIRY_HELP
            elif expires < self.today:
                errors["expires"] = f"this lot expired on {expires:%m/%d/%Y}: do not receive it, return it"
            values["expires"] = expires
        return _validate(ReceiveCreate, values, errors)


class UseForm(RecordForm[UseCreate]):
    """Use (`waste=False`) or waste stock, first-expiring first or from a chosen lot; its save call returns what
    was done (for the caller's message)."""

    def __init__(self, ctx: AppContext, save: SaveCall[UseCreate], row: StockRow, lots: list[LotStock], *,
                 waste: bool) -> None:
        self.row = row
        self.today = ctx.today
        self.waste = waste
        # Use never takes an expired lot (the service refuses it); waste is how expired lots leave the shelf.
        self.lots = [lot for lot in lots if waste or not lot.expired(self.today)]
        super().__init__(ctx, save)
        self.FORM_TITLE = f"{'Waste' if waste else 'Use'} {row.name} ({row.unit})"

    def fields(self) -> list[FieldSpec]:
        verb = "wasted" if self.waste else "used"
        specs = [FieldSpec("quantity", f"Quantity {verb} ({self.row.unit})", placeholder="how many")]
        if self.row.tracks_lots:
            options: list[tuple[str, str | int]] = [("First to expire (FEFO)", FEFO)]
            options += [(lot_label(lot, self.today), lot.lot_id) for lot in self.lots]
            specs.append(FieldSpec("lot_id", "Lot", kind="select", options=options))
        reason = FieldSpec("reason", "Reason", optional=not self.waste,
                           placeholder="e.g. expired, broken vial" if self.waste else "optional")
        return [*specs, reason]

    def initial(self) -> dict[str, Any]:
        return {"lot_id": FEFO}

    def build(self, values: dict[str, Any]) -> UseCreate:
        errors: dict[str, str] = {}
        values = _text(values, "reason")
        if self.waste and not values["reason"]:
            errors["reason"] = WASTE_REASON
        if values.get("lot_id") == FEFO:
            values["lot_id"] = None
        return _validate(UseCreate, {**values, "waste": self.waste}, errors)
