"""At checkout: when should this patient come back (a recall the front desk calls when it is due)."""

from __future__ import annotations

from typing import Any

from officemgr.models.schedule import RecallCreate
from officemgr.services.common import ServiceError
from officemgr.services.frontdesk import recall_from_interval
from officemgr.services.schedule import ApptRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall


class RecallForm(RecordForm[RecallCreate]):
    def __init__(self, ctx: AppContext, save: SaveCall[RecallCreate], row: ApptRow) -> None:
        self.row = row
        self.FORM_TITLE = f"Recall {row.patient_name}: back in how long, for what"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("interval", "Back in", placeholder="12 months, 6 weeks, 1 year"),
            FieldSpec("reason", "For", placeholder="Annual physical, diabetes follow-up…"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"reason": self.row.type_name}

    def build(self, values: dict[str, Any]) -> RecallCreate:
        try:
            return recall_from_interval(self.row.patient_id, values["interval"] or "", self.ctx.today,
                                        reason=values["reason"] or "", provider_id=self.row.provider_id)
        except ServiceError as exc:
            raise FieldErrors({"interval": str(exc)}) from None
