"""Mark a compliance task done, with who did it and the evidence."""

from __future__ import annotations

from typing import Any

from officemgr.models import CompletionCreate
from officemgr.services.compliance import TaskRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall


class CompletionForm(RecordForm[CompletionCreate]):
    def __init__(self, ctx: AppContext, save: SaveCall[CompletionCreate], task: TaskRow, *,
                 screening: str | None = None) -> None:
        """`screening`: whom the monthly OIG exclusion check covers, read by the view (None for other duties)."""
        self.duty = task
        self.screening = screening
        self.FORM_TITLE = f"Done: {task.title} (due {task.due:%m/%d/%Y})" if task.due else f"Done: {task.title}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        evidence = f"Evidence: {self.duty.evidence}" if self.duty.evidence else "Evidence"
        return [
            FieldSpec("done_by", "Done by (name or initials)"),
            FieldSpec("evidence", evidence, optional=not self.duty.evidence),
            FieldSpec("reading", "Reading (e.g. 4.5 C), if any", optional=True),
        ]

    def initial(self) -> dict[str, Any]:
        values: dict[str, Any] = {"done_by": self.ctx.actor.name}  # the person, as one signs a log
        if self.screening is not None:
            # The monthly exclusion check must cover every active staff member: say how many it covered.
            values["evidence"] = f"LEIE search saved; {self.screening}"
        return values

    def build(self, values: dict[str, Any]) -> CompletionCreate:
        if self.duty.due is None:
            raise FieldErrors({"__form__": "this task has no further due dates"})
        if self.duty.evidence and not (values["evidence"] or values["reading"]):
            raise FieldErrors({"evidence": f"required: {self.duty.evidence}"})
        return CompletionCreate.model_validate({
            **values, "task_id": self.duty.task_id, "due_date": self.duty.due,
            "evidence": values["evidence"] or "", "reading": values["reading"] or "",
        })
