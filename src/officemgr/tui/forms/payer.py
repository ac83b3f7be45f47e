"""Add or edit a payer: its timely-filing limit (in days or calendar months), appeal limit (in days), phone and
portal note."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from officemgr.models import PayerCreate
from officemgr.services.payers import PayerRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall, validation_errors

LIMIT_ERROR = "a whole number of days from 1 to 3650, e.g. 365"
MONTHS_ERROR = "a whole number of months from 1 to 120, e.g. 12"
UNITS = [("days", "days"), ("months", "months")]


class PayerForm(RecordForm[PayerCreate]):
    """Add (row=None) or edit a payer. Dismisses with True once saved; `result` then holds what `save` returned."""

    def __init__(self, ctx: AppContext, save: SaveCall[PayerCreate], row: PayerRow | None = None) -> None:
        self.row = row
        self.FORM_TITLE = f"Edit {row.name}" if row else "Add a payer"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("name", "Name", placeholder="e.g. Blue Cross, Medicare"),
            FieldSpec("timely_filing", "Timely filing", placeholder="how long from service to file, e.g. 365"),
            FieldSpec("filing_unit", "Counted in", kind="select", options=UNITS),
            FieldSpec("appeal_days", "Appeal limit (days)", placeholder="days from a denial to appeal, e.g. 180"),
            FieldSpec("phone", "Phone", optional=True, placeholder="provider services line, e.g. 555-123-4567"),
            FieldSpec("portal_note", "Portal note", optional=True, placeholder="portal address, login hint"),
        ]

    def initial(self) -> dict[str, Any]:
        row = self.row
        if row is None:
            return {"filing_unit": "days", "appeal_days": "180"}
        in_months = row.timely_filing_months is not None
        limit = row.timely_filing_months if in_months else row.timely_filing_days
        return {"name": row.name, "timely_filing": str(limit), "filing_unit": "months" if in_months else "days",
                "appeal_days": str(row.appeal_days), "phone": row.phone, "portal_note": row.portal_note}

    def build(self, values: dict[str, Any]) -> PayerCreate:
        data = {k: ("" if v is None else v) for k, v in values.items()}
        in_months = data.pop("filing_unit") == "months"
        data["timely_filing_months" if in_months else "timely_filing_days"] = data.pop("timely_filing")
        try:
            return PayerCreate.model_validate(data)
        except ValidationError as exc:
            errors = validation_errors(exc)
        # The limit's error shows under the one field that holds it, in the unit chosen.
        if {"timely_filing_days", "timely_filing_months"} & errors.keys():
            errors.pop("timely_filing_days", None)
            errors.pop("timely_filing_months", None)
            errors["timely_filing"] = MONTHS_ERROR if in_months else LIMIT_ERROR
        if "appeal_days" in errors:
            errors["appeal_days"] = LIMIT_ERROR
        raise FieldErrors(errors)
