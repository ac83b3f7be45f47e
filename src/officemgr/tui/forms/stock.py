"""Stock in and out of one item: receive (into a lot, with its expiry), use and waste.

The forms get the item as a StockRow and its lots as read in a worker, so opening them never reads the
database on the UI thread; the write goes through services.movements in the form's worker.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from officemgr.models import ReceiveCreate, UseCreate
from officemgr.models.validation import parse_expiry
from officemgr.services import movements
from officemgr.services.inventory import StockRow
from officemgr.services.movements import LotStock
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, validation_errors

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


def _validate(schema: type[BaseModel], values: dict[str, Any], errors: dict[str, str]) -> BaseModel:
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


class StockForm(RecordForm):
    """What receive and use share: the item, today, and what was done (for the caller's message)."""

    def __init__(self, row: StockRow, today: date) -> None:
        self.row = row
        self.today = today
        self.result = ""
        super().__init__()

    def context(self) -> tuple[Any, str]:
        return self.app.now(), self.app.actor  # type: ignore[attr-defined]


class ReceiveForm(StockForm):
    def __init__(self, row: StockRow, today: date) -> None:
        super().__init__(row, today)
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

    def build(self, values: dict[str, Any]) -> BaseModel:
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

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, ReceiveCreate)
        now, actor = self.context()
        lot = movements.receive(session, self.row.item_id, model, today=self.today, now=now, actor=actor)
        where = f" into lot {lot.lot_number} (expires {lot.expires:%m/%d/%Y})" if lot.lot_number else ""
        self.result = f"Received {model.quantity} {self.row.unit} of {self.row.name}{where}"


class UseForm(StockForm):
    """Use (`waste=False`) or waste stock, first-expiring first or from a chosen lot."""

    def __init__(self, row: StockRow, today: date, lots: list[LotStock], *, waste: bool) -> None:
        self.waste = waste
        # Use never takes an expired lot (the service refuses it); waste is how expired lots leave the shelf.
        self.lots = [lot for lot in lots if waste or not lot.expired(today)]
        super().__init__(row, today)
        self.FORM_TITLE = f"{'Waste' if waste else 'Use'} {row.name} ({row.unit})"

    def fields(self) -> list[FieldSpec]:
        verb = "wasted" if self.waste else "used"
        specs = [FieldSpec("quantity", f"Quantity {verb} ({self.row.unit})", placeholder="how many")]
        if self.row.tracks_lots:
            options = [("First to expire (FEFO)", FEFO)]
            options += [(lot_label(lot, self.today), lot.lot_id) for lot in self.lots]
            specs.append(FieldSpec("lot_id", "Lot", kind="select", options=options))
        reason = FieldSpec("reason", "Reason", optional=not self.waste,
                           placeholder="e.g. expired, broken vial" if self.waste else "optional")
        return [*specs, reason]

    def initial(self) -> dict[str, Any]:
        return {"lot_id": FEFO}

    def build(self, values: dict[str, Any]) -> BaseModel:
        errors: dict[str, str] = {}
        values = _text(values, "reason")
        if self.waste and not values["reason"]:
            errors["reason"] = WASTE_REASON
        if values.get("lot_id") == FEFO:
            values["lot_id"] = None
        return _validate(UseCreate, {**values, "waste": self.waste}, errors)

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, UseCreate)
        now, actor = self.context()
        taken = movements.take(session, self.row.item_id, model, today=self.today, now=now, actor=actor)
        lots = ", ".join(f"lot {number}: {qty}" for number, qty in taken if number)
        verb = "Wasted" if self.waste else "Used"
        self.result = f"{verb} {model.quantity} {self.row.unit} of {self.row.name}" + (f" ({lots})" if lots else "")
