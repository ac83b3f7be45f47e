"""Mark a compliance task done, with who did it and the evidence."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from officemgr.models import CompletionCreate
from officemgr.services import compliance, staff_duties
from officemgr.services.compliance import TaskRow
from officemgr.store import read_session
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm


class CompletionForm(RecordForm):
    def __init__(self, task: TaskRow) -> None:
        self.duty = task
        self.FORM_TITLE = f"Done: {task.title} (due {task.due:%m/%d/%Y})" if task.due else f"Done: {task.title}"
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        evidence = f"Evidence: {self.duty.evidence}" if self.duty.evidence else "Evidence"
        return [
            FieldSpec("done_by", "Done by (name or initials)"),
            FieldSpec("evidence", evidence, optional=not self.duty.evidence),
            FieldSpec("reading", "Reading (e.g. 4.5 C), if any", optional=True),
        ]

    def initial(self) -> dict[str, Any]:
        values = {"done_by": self.app.actor}  # type: ignore[attr-defined]
        if "OIG" in self.duty.title:
            # The monthly exclusion check must cover every active staff member: say how many it covered.
            with read_session(self.app.engine) as session:  # type: ignore[attr-defined]
                screening = staff_duties.oig_screening(session, self.app.today)  # type: ignore[attr-defined]
            if screening is not None:
                values["evidence"] = f"LEIE search saved; {screening.covers}"
        return values

    def build(self, values: dict[str, Any]) -> BaseModel:
        if self.duty.due is None:
            raise FieldErrors({"__form__": "this task has no further due dates"})
        if self.duty.evidence and not (values["evidence"] or values["reading"]):
            raise FieldErrors({"evidence": f"required: {self.duty.evidence}"})
        return CompletionCreate.model_validate({
            **values, "task_id": self.duty.task_id, "due_date": self.duty.due,
            "evidence": values["evidence"] or "", "reading": values["reading"] or "",
        })

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, CompletionCreate)
        compliance.complete(session, model, now=self.app.now(), actor=self.app.actor)  # type: ignore[attr-defined]
