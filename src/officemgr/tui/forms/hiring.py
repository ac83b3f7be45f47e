"""Hiring's forms (the manager's): a job opening, an applicant, a stage move with its note, a note, and a hire."""

from __future__ import annotations

from typing import Any

from officemgr.models.hiring import ApplicantStage
from officemgr.models.people import Role
from officemgr.models.validation import npi_is_valid
from officemgr.services.hiring import (
    ApplicantCreate,
    HireFacts,
    HireInput,
    OpeningCreate,
    StageMove,
    StageNote,
)
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall

DATE = "MM/DD/YYYY"


def _interviewer(ctx: AppContext) -> str:
    """The signed-in person's name: most notes are the manager's own."""
    return str(getattr(ctx.actor, "name", ""))[:60]


class OpeningForm(RecordForm[OpeningCreate]):
    FORM_TITLE = "New job opening"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("title", "Job title", placeholder="Medical assistant"),
            FieldSpec("role", "Role", kind="select", options=[(r.label, r) for r in Role]),
            FieldSpec("hours_per_week", "Hours per week", placeholder="40"),
            FieldSpec("posted_on", "Posted", kind="date", placeholder=DATE),
        ]

    def initial(self) -> dict[str, Any]:
        return {"hours_per_week": 40, "posted_on": self.ctx.today}

    def build(self, values: dict[str, Any]) -> OpeningCreate:
        return OpeningCreate.model_validate(values)


class ApplicantForm(RecordForm[ApplicantCreate]):
    def __init__(self, ctx: AppContext, save: SaveCall[ApplicantCreate], opening_id: int, title: str) -> None:
        self.opening_id = opening_id
        super().__init__(ctx, save)
        self.FORM_TITLE = f"New applicant: {title}"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("first_name", "First name"),
            FieldSpec("last_name", "Last name"),
            FieldSpec("phone", "Phone", optional=True, placeholder="555-123-4567"),
            FieldSpec("email", "E-mail", optional=True, placeholder="name@example.com"),
            FieldSpec("applied_on", "Applied", kind="date", placeholder=DATE),
        ]

    def initial(self) -> dict[str, Any]:
        return {"applied_on": self.ctx.today}

    def build(self, values: dict[str, Any]) -> ApplicantCreate:
        return ApplicantCreate.model_validate({**values, "opening_id": self.opening_id,
                                               "phone": values["phone"] or "", "email": values["email"] or ""})


def _note_fields(date_label: str) -> list[FieldSpec]:
    return [
        FieldSpec("noted_on", date_label, kind="date", placeholder=DATE),
        FieldSpec("interviewer", "Interviewer", optional=True),
        FieldSpec("note", "Note", optional=True),
    ]


class MoveForm(RecordForm[StageMove]):
    """Move to any other open stage, or close as declined or withdrawn (hiring has its own form)."""

    def __init__(self, ctx: AppContext, save: SaveCall[StageMove], name: str, stage: ApplicantStage) -> None:
        self.stage = stage
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Move {name} (now: {stage.label.lower()})"

    def fields(self) -> list[FieldSpec]:
        stages = [s for s in ApplicantStage if s is not self.stage and s is not ApplicantStage.hired]
        return [FieldSpec("stage", "New stage", kind="select", options=[(s.label, s) for s in stages]),
                *_note_fields("Date")]

    def initial(self) -> dict[str, Any]:
        following = [s for s in ApplicantStage if not s.closed and list(ApplicantStage).index(s) >
                     list(ApplicantStage).index(self.stage)]
        return {"stage": following[0] if following else None, "noted_on": self.ctx.today,
                "interviewer": _interviewer(self.ctx)}

    def build(self, values: dict[str, Any]) -> StageMove:
        return StageMove.model_validate({**values, "interviewer": values["interviewer"] or "",
                                         "note": values["note"] or ""})


class NoteForm(RecordForm[StageNote]):
    def __init__(self, ctx: AppContext, save: SaveCall[StageNote], name: str, stage: ApplicantStage) -> None:
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Note on {name} ({stage.label.lower()})"

    def fields(self) -> list[FieldSpec]:
        specs = _note_fields("Date")
        specs[-1].optional = False
        return specs

    def initial(self) -> dict[str, Any]:
        return {"noted_on": self.ctx.today, "interviewer": _interviewer(self.ctx)}

    def build(self, values: dict[str, Any]) -> StageNote:
        if not values["note"]:
            raise FieldErrors({"note": "write the note"})
        return StageNote.model_validate({**values, "interviewer": values["interviewer"] or ""})


class HireForm(RecordForm[HireInput]):
    """The start date, and the NPI only when the opening's role is a provider's."""

    def __init__(self, ctx: AppContext, save: SaveCall[HireInput], facts: HireFacts) -> None:
        self.facts = facts
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Hire {facts.name} as {facts.role.label}"

    def fields(self) -> list[FieldSpec]:
        specs = [FieldSpec("start_date", "Start date", kind="date", placeholder=DATE)]
        if self.facts.needs_npi:
            specs.append(FieldSpec("npi", "NPI", placeholder="10 digits"))
        return specs

    def initial(self) -> dict[str, Any]:
        return {"start_date": self.ctx.today}

    def build(self, values: dict[str, Any]) -> HireInput:
        npi = values.get("npi")
        if self.facts.needs_npi:
            if not npi:
                raise FieldErrors({"npi": f"a {self.facts.role.label} needs an NPI"})
            if not npi_is_valid(npi):
                raise FieldErrors({"npi": "an NPI is 10 digits starting with 1 or 2, and its last digit must "
                                          "check out"})
        return HireInput.model_validate({"start_date": values["start_date"], "npi": npi})
