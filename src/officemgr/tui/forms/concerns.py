"""The concerns log's forms: log a complaint, incident or near miss; set its owner; close it with what was
done (a possible breach also with its outcome: notified, or low probability per a risk assessment)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from officemgr.models import ConcernCategory, ConcernKind
from officemgr.services.concerns import (
    LOGGED_KINDS,
    BreachOutcome,
    ConcernAssign,
    ConcernCreate,
    ConcernRow,
    close_problems,
)
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall

_TEXT_FIELDS = ("summary", "detail", "reporter", "owner")


class ConcernForm(RecordForm[ConcernCreate]):
    """Log a concern. Dismisses with True once saved; `result` then holds what the save call returned."""

    FORM_TITLE = "Log a complaint, incident or near miss"

    def __init__(self, ctx: AppContext, save: SaveCall[ConcernCreate]) -> None:
        self.today: date = ctx.today
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("kind", "Kind", kind="select", options=[(k.label, k) for k in LOGGED_KINDS]),
            FieldSpec("category", "Category", kind="select",
                      options=[(c.label, c) for c in ConcernCategory if c is not ConcernCategory.vaccine_storage]),
            FieldSpec("summary", "Summary", placeholder="what happened, in a line"),
            FieldSpec("detail", "Detail", optional=True, placeholder="who, where, what was done so far"),
            FieldSpec("discovered_on", "Discovered (learned of it) on", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("reporter", "Reported by", optional=True, placeholder="e.g. Patient, by phone"),
            FieldSpec("owner", "Owner", optional=True, placeholder="who works it"),
            FieldSpec("possible_breach", "Possible breach of PHI", kind="check"),
            FieldSpec("work_injury", "Staff work injury (OSHA 301)", kind="check"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"kind": ConcernKind.complaint, "discovered_on": self.today}

    def build(self, values: dict[str, Any]) -> ConcernCreate:
        data = {k: ("" if v is None and k in _TEXT_FIELDS else v) for k, v in values.items()}
        return ConcernCreate.model_validate(data, context={"today": self.today})


class OwnerForm(RecordForm[ConcernAssign]):
    """Set who owns a concern."""

    def __init__(self, ctx: AppContext, save: SaveCall[ConcernAssign], row: ConcernRow) -> None:
        self.row = row
        self.FORM_TITLE = f"Owner of concern #{row.id}: {row.summary}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("owner", "Owner", placeholder="a name or a role, e.g. Office manager")]

    def initial(self) -> dict[str, Any]:
        return {"owner": self.row.owner}

    def build(self, values: dict[str, Any]) -> ConcernAssign:
        return ConcernAssign.model_validate({"owner": values["owner"] or ""})


class CloseInput(BaseModel):
    """What the close form collected, already checked by `concerns.close_problems`."""

    resolution: str
    breach_outcome: BreachOutcome | None = None


class CloseForm(RecordForm[CloseInput]):
    """Close a concern with what was done; a possible breach also asks for its outcome."""

    def __init__(self, ctx: AppContext, save: SaveCall[CloseInput], row: ConcernRow) -> None:
        self.row = row
        what = "possible breach" if row.possible_breach else row.kind.label
        self.FORM_TITLE = f"Close {what} #{row.id}: {row.summary}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        if self.row.kind is ConcernKind.temperature:
            hint = "action taken: vaccines quarantined, manufacturer called, …"
        elif self.row.possible_breach:
            hint = "who was notified and when, or what the risk assessment found"
        else:
            hint = "what was done"
        specs = [FieldSpec("resolution", "Resolution", placeholder=hint)]
        if self.row.possible_breach:
            specs.append(FieldSpec("breach_outcome", "Breach outcome", kind="select",
                                   options=[(o.label, o) for o in BreachOutcome]))
        return specs

    def build(self, values: dict[str, Any]) -> CloseInput:
        resolution = values["resolution"] or ""
        outcome = values.get("breach_outcome")
        problems = close_problems(self.row, resolution, outcome)
        if problems:
            raise FieldErrors(problems)
        return CloseInput(resolution=resolution, breach_outcome=outcome)
