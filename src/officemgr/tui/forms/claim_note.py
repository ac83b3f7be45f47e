"""A follow-up note on a claim: what was done and when to look at it again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from officemgr.models import ClaimNoteCreate, ClaimStatus, NoteAction
from officemgr.services.billing import ClaimDetail, QueueRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldSpec, RecordForm, SaveCall


@dataclass(frozen=True)
class ClaimRef:
    """What a claim form needs to know about its claim, from a queue row or from the claim view."""

    claim_id: int
    version: int
    number: str
    status: ClaimStatus
    patient_name: str
    payer_name: str
    balance_cents: int

    @classmethod
    def from_row(cls, row: QueueRow) -> ClaimRef:
        return cls(row.claim_id, row.version, row.number, row.status, row.patient_name, row.payer_name,
                   row.balance_cents)

    @classmethod
    def from_detail(cls, detail: ClaimDetail) -> ClaimRef:
        c = detail.claim
        return cls(c.id, c.version, c.number, c.status, detail.patient_name, detail.payer.name, c.balance_cents)


class ClaimNoteForm(RecordForm[ClaimNoteCreate]):
    def __init__(self, ctx: AppContext, save: SaveCall[ClaimNoteCreate], row: QueueRow | ClaimRef) -> None:
        self.FORM_TITLE = f"Follow-up on claim {row.number} ({row.patient_name}, {row.payer_name})"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("action", "Action", kind="select", options=[(a.label, a) for a in NoteAction]),
            FieldSpec("text", "Note", optional=True),
            FieldSpec("next_follow_up", "Next follow-up date", optional=True, kind="date",
                      placeholder="MM/DD/YYYY (the claim leaves the queue until then)"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"action": NoteAction.note}

    def build(self, values: dict[str, Any]) -> ClaimNoteCreate:
        return ClaimNoteCreate.model_validate({**values, "text": values["text"] or "", "today": self.ctx.today})
