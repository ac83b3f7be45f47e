"""Add or edit a payer: its timely-filing and appeal limits (in days), phone and portal note."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from officemgr.models import PayerCreate
from officemgr.services.payers import LIMIT_FIELDS, PayerRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall, validation_errors

LIMIT_ERROR = "a whole number of days from 1 to 3650, e.g. 365"


class PayerForm(RecordForm[PayerCreate]):
    """Add (row=None) or edit a payer. Dismisses with True once saved; `result` then holds what `save` returned."""

    def __init__(self, ctx: AppContext, save: SaveCall[PayerCreate], row: PayerRow | None = None) -> None:
        self.row = row
        self.FORM_TITLE = f"Edit {row.name}" if row else "Add a payer"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("name", "Name", placeholder="e.g. Blue Cross, Medicare"),
            FieldSpec("timely_filing_days", "Timely filing (days)", placeholder="days from service to file, e.g. 365"),
            FieldSpec("appeal_days", "Appeal limit (days)", placeholder="days from a denial to appeal, e.g. 180"),
            FieldSpec("phone", "Phone", optional=True, placeholder="provider services line, e.g. 555-123-4567"),
            FieldSpec("portal_note", "Portal note", optional=True, placeholder="portal address, login hint"),
        ]

    def initial(self) -> dict[str, Any]:
        row = self.row
        if row is None:
            return {"appeal_days": "180"}
        return {"name": row.name, "timely_filing_days": str(row.timely_filing_days),
                "appeal_days": str(row.appeal_days), "phone": row.phone, "portal_note": row.portal_note}

    def build(self, values: dict[str, Any]) -> PayerCreate:
        data = {k: ("" if v is None else v) for k, v in values.items()}
        try:
            return PayerCreate.model_validate(data)
        except ValidationError as exc:
            errors = validation_errors(exc)
        for name in LIMIT_FIELDS:
            if name in errors:
                errors[name] = LIMIT_ERROR
        raise FieldErrors(errors)
