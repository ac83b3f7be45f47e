"""Cancel an appointment, saying why (kept in its history)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from officemgr.models import ApptStatus
from officemgr.services import schedule
from officemgr.services.schedule import ApptRow
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm

REASONS = ["Patient called to cancel", "Patient is sick", "Provider unavailable", "Rescheduled", "Other"]


class CancelReason(BaseModel):
    reason: str


class CancelForm(RecordForm):
    def __init__(self, row: ApptRow) -> None:
        self.row = row
        self.FORM_TITLE = f"Cancel {row.patient_name} at {row.start:%m/%d %H:%M} ({row.type_name})"
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("why", "Why", kind="select", options=[(r, r) for r in REASONS]),
            FieldSpec("detail", "Detail", optional=True),
        ]

    def build(self, values: dict[str, Any]) -> BaseModel:
        if not values["why"]:
            raise FieldErrors({"why": "choose a reason"})
        if values["why"] == "Other" and not values["detail"]:
            raise FieldErrors({"detail": "say what happened"})
        detail = f": {values['detail']}" if values["detail"] else ""
        return CancelReason(reason=f"{values['why']}{detail}")

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, CancelReason)
        schedule.set_status(session, self.row.id, ApptStatus.cancelled, now=self.app.now(),  # type: ignore[attr-defined]
                            actor=self.app.actor, expected_version=self.row.version,  # type: ignore[attr-defined]
                            reason=model.reason)
