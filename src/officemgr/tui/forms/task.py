"""Add a compliance duty or a policy to the register; correct a completion entry."""

from __future__ import annotations

from typing import Any

from officemgr.models import CompletionCreate, ComplianceCategory, Role, TaskCreate
from officemgr.services.compliance import CompletionRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldSpec, RecordForm, SaveCall

REPEATS = [
    ("yearly", "FREQ=YEARLY"),
    ("every 2 years", "FREQ=YEARLY;INTERVAL=2"),
    ("every 6 months", "FREQ=MONTHLY;INTERVAL=6"),
    ("monthly", "FREQ=MONTHLY"),
    ("weekly (Monday)", "FREQ=WEEKLY;BYDAY=MO"),
    ("each workday", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"),
]


class TaskForm(RecordForm[TaskCreate]):
    def __init__(self, ctx: AppContext, save: SaveCall[TaskCreate], *, policy: bool) -> None:
        self.policy = policy
        self.FORM_TITLE = "Add a policy to the register" if policy else "Add a recurring duty"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("title", "Title", placeholder="HIPAA privacy policy" if self.policy else "AED monthly check"),
            FieldSpec("category", "Area", kind="select", options=[(c.label, c) for c in ComplianceCategory]),
            FieldSpec("repeat", "Repeats", kind="select", options=REPEATS),
            FieldSpec("rrule", "or an RRULE", optional=True, placeholder="FREQ=MONTHLY;BYMONTHDAY=1"),
            FieldSpec("anchor", "First due", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("evidence", "Evidence kept", optional=True, placeholder="signed review page"),
            FieldSpec("owner_role", "Owner role", kind="select", options=[(r.label, r.value) for r in Role]),
            FieldSpec("owner", "Owner (person)", optional=True),
        ]

    def initial(self) -> dict[str, Any]:
        return {"repeat": "FREQ=YEARLY", "anchor": self.ctx.today, "owner_role": Role.manager.value}

    def build(self, values: dict[str, Any]) -> TaskCreate:
        rule = values.pop("rrule") or values.pop("repeat") or ""
        values.pop("repeat", None)
        return TaskCreate.model_validate({**values, "rrule": rule, "is_policy": self.policy,
                                          "evidence": values["evidence"] or "", "owner": values["owner"] or ""})


class CorrectionForm(RecordForm[CompletionCreate]):
    """A new entry that replaces a mistaken one; the old entry stays, pointed at."""

    def __init__(self, ctx: AppContext, save: SaveCall[CompletionCreate], title: str, wrong: CompletionRow) -> None:
        self.wrong = wrong
        self.FORM_TITLE = f"Correct: {title}, done {wrong.done_at:%m/%d/%Y %H:%M} by {wrong.done_by}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("done_by", "Done by"),
            FieldSpec("evidence", "Evidence", optional=True),
            FieldSpec("reading", "Reading", optional=True),
        ]

    def initial(self) -> dict[str, Any]:
        return {"done_by": self.wrong.done_by, "evidence": self.wrong.evidence, "reading": self.wrong.reading}

    def build(self, values: dict[str, Any]) -> CompletionCreate:
        return CompletionCreate.model_validate({
            "task_id": self.wrong.task_id, "due_date": self.wrong.due_date, "done_by": values["done_by"],
            "evidence": values["evidence"] or "", "reading": values["reading"] or ""})
