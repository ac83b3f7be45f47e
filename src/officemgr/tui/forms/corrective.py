"""Log a corrective action for one staff member (the manager's)."""

from __future__ import annotations

from typing import Any

from officemgr.models.people import CorrectiveKind
from officemgr.services.corrective import CorrectiveCreate
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldSpec, RecordForm, SaveCall


class CorrectiveForm(RecordForm[CorrectiveCreate]):
    FORM_TITLE = "Corrective action"

    def __init__(self, ctx: AppContext, save: SaveCall[CorrectiveCreate], staff_id: int, name: str) -> None:
        self.staff_id = staff_id
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Corrective action: {name}"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("happened_on", "Date", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("kind", "Kind", kind="select", options=[(k.label, k) for k in CorrectiveKind]),
            FieldSpec("policy", "Policy involved", optional=True),
            FieldSpec("detail", "What happened"),
            FieldSpec("resolution", "What was agreed", optional=True),
            FieldSpec("follow_up", "Follow-up date", optional=True, kind="date", placeholder="MM/DD/YYYY"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"happened_on": self.ctx.today, "kind": CorrectiveKind.coaching}

    def build(self, values: dict[str, Any]) -> CorrectiveCreate:
        return CorrectiveCreate.model_validate({**values, "staff_id": self.staff_id,
                                                "policy": values["policy"] or "",
                                                "resolution": values["resolution"] or ""})
