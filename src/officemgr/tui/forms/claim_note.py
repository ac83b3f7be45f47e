"""A follow-up note on a claim: what was done and when to look at it again."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from officemgr.models import ClaimNoteCreate, NoteAction
from officemgr.services import billing
from officemgr.services.billing import QueueRow
from officemgr.tui.forms.base import FieldSpec, RecordForm


class ClaimNoteForm(RecordForm):
    def __init__(self, row: QueueRow) -> None:
        self.row = row
        self.FORM_TITLE = f"Follow-up on claim {row.number} ({row.patient_name}, {row.payer_name})"
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("action", "Action", kind="select", options=[(a.label, a) for a in NoteAction]),
            FieldSpec("text", "Note", optional=True),
            FieldSpec("next_follow_up", "Next follow-up date", optional=True, kind="date",
                      placeholder="MM/DD/YYYY"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"action": NoteAction.note}

    def build(self, values: dict[str, Any]) -> BaseModel:
        return ClaimNoteCreate.model_validate(
            {**values, "text": values["text"] or "", "today": self.app.today}  # type: ignore[attr-defined]
        )

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, ClaimNoteCreate)
        billing.add_note(session, self.row.claim_id, model, now=self.app.now(),  # type: ignore[attr-defined]
                         actor=self.app.actor, expected_version=self.row.version)  # type: ignore[attr-defined]
