"""Cancel an appointment, saying why (kept in its history)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from officemgr.services.schedule import ApptRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall

REASONS = ["Patient called to cancel", "Patient is sick", "Provider unavailable", "Rescheduled", "Other"]


class CancelReason(BaseModel):
    reason: str


class CancelForm(RecordForm[CancelReason]):
    def __init__(self, ctx: AppContext, save: SaveCall[CancelReason], row: ApptRow) -> None:
        self.row = row
        self.FORM_TITLE = f"Cancel {row.patient_name} at {row.start:%m/%d %H:%M} ({row.type_name})"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("why", "Why", kind="select", options=[(r, r) for r in REASONS]),
            FieldSpec("detail", "Detail", optional=True),
        ]

    def build(self, values: dict[str, Any]) -> CancelReason:
        if not values["why"]:
            raise FieldErrors({"why": "choose a reason"})
        if values["why"] == "Other" and not values["detail"]:
            raise FieldErrors({"detail": "say what happened"})
        detail = f": {values['detail']}" if values["detail"] else ""
        return CancelReason(reason=f"{values['why']}{detail}")
