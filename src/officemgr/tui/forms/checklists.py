"""End someone's employment (the last day and why), and add or edit a checklist template item (the manager's)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, field_validator

from officemgr.models.lifecycle import ChecklistKind
from officemgr.models.people import Role
from officemgr.models.validation import strip_text
from officemgr.services.checklists import MANAGER, TemplateItemInput, TemplateRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall


class EndInput(BaseModel):
    end_date: date
    reason: str
    remove_shifts: bool = False

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value: str | None) -> str:
        text = strip_text(value)
        if not text:
            raise ValueError("say why they are leaving")
        if len(text) > 120:
            raise ValueError("at most 120 characters")
        return text


class EndEmploymentForm(RecordForm[EndInput]):
    FORM_TITLE = "End employment"

    def __init__(self, ctx: AppContext, save: SaveCall[EndInput], name: str) -> None:
        super().__init__(ctx, save)
        self.FORM_TITLE = f"End employment: {name} (their last day; the leaving checklist starts from it)"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("end_date", "Last day worked", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("reason", "Reason", placeholder="resigned, retired, let go, end of contract…"),
            FieldSpec("remove_shifts", "Remove their shifts after it", kind="check"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"end_date": self.ctx.today, "remove_shifts": False}

    def build(self, values: dict[str, Any]) -> EndInput:
        return EndInput.model_validate({**values, "reason": values["reason"] or ""})


EVERY_ROLE = "*"  # the select's value for "every role" (stored as "")
ROLE_CHOICES: list[tuple[str, str]] = [("Every role", EVERY_ROLE), *((r.label, r.value) for r in Role)]


class TemplateItemForm(RecordForm[TemplateItemInput]):
    FORM_TITLE = "Checklist item"

    def __init__(self, ctx: AppContext, save: SaveCall[TemplateItemInput], *, role: str,
                 item: TemplateRow | None = None) -> None:
        self.role, self.item = role, item
        super().__init__(ctx, save)
        self.FORM_TITLE = "Edit checklist item" if item else "Add checklist item"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("kind", "Checklist", kind="select", options=[(k.label, k) for k in ChecklistKind]),
            FieldSpec("role", "For", kind="select", options=list(ROLE_CHOICES)),
            FieldSpec("what", "Task"),
            FieldSpec("owner", "Who does it", optional=True, placeholder=f"{MANAGER}, employee, Front desk…"),
            FieldSpec("due_days", "Due, days after the date", placeholder="0 = that day; -2 = two days before"),
            FieldSpec("business_days", "Count business days only", kind="check"),
        ]

    def initial(self) -> dict[str, Any]:
        item = self.item
        if item is None:
            return {"kind": ChecklistKind.onboarding, "role": self.role or EVERY_ROLE, "owner": MANAGER,
                    "due_days": "0", "business_days": False}
        return {"kind": item.kind, "role": item.role or EVERY_ROLE, "what": item.what, "owner": item.owner,
                "due_days": str(item.due_days), "business_days": item.business_days}

    def build(self, values: dict[str, Any]) -> TemplateItemInput:
        text = str(values["due_days"] or "0").strip()
        try:
            days = int(text)
        except ValueError:
            raise FieldErrors({"due_days": "a whole number of days, like 3 or -2"}) from None
        role = values["role"]
        return TemplateItemInput.model_validate({**values, "due_days": days, "owner": values["owner"] or "",
                                                 "what": values["what"] or "",
                                                 "role": "" if role in (EVERY_ROLE, None) else role})
