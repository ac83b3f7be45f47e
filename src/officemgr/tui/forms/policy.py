"""A policy's new version (the manager's), and a signature the manager records for someone from paper."""

from __future__ import annotations

from typing import Any

from officemgr.models.people import Role
from officemgr.services.policies import SignatureCreate, VersionCreate
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldSpec, RecordForm, SaveCall


class VersionForm(RecordForm[VersionCreate]):
    FORM_TITLE = "New policy version"

    def __init__(self, ctx: AppContext, save: SaveCall[VersionCreate], task_id: int, title: str) -> None:
        self.task_id = task_id
        super().__init__(ctx, save)
        self.FORM_TITLE = f"New version: {title}"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("label", "Version", placeholder="e.g. v2 or 2026-12"),
            FieldSpec("effective", "Effective", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("summary", "What changed", optional=True),
            FieldSpec("document", "Document", optional=True, placeholder="a file path, or the text itself"),
            # No role ticked: it applies to everyone.
            *(FieldSpec(f"role_{r.value}", f"For {r.label}", kind="check") for r in Role),
        ]

    def initial(self) -> dict[str, Any]:
        return {"effective": self.ctx.today}

    def build(self, values: dict[str, Any]) -> VersionCreate:
        roles = [r for r in Role if values[f"role_{r.value}"]]
        return VersionCreate.model_validate({"task_id": self.task_id, "label": values["label"],
                                             "effective": values["effective"], "summary": values["summary"] or "",
                                             "document": values["document"] or "", "roles": roles})


class SignatureForm(RecordForm[SignatureCreate]):
    FORM_TITLE = "Record a signature"

    def __init__(self, ctx: AppContext, save: SaveCall[SignatureCreate], version_id: int, staff_id: int,
                 what: str) -> None:
        self.version_id, self.staff_id = version_id, staff_id
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Signed on paper: {what}"

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("signed_on", "Signed on", kind="date", placeholder="MM/DD/YYYY")]

    def initial(self) -> dict[str, Any]:
        return {"signed_on": self.ctx.today}

    def build(self, values: dict[str, Any]) -> SignatureCreate:
        return SignatureCreate.model_validate({"version_id": self.version_id, "staff_id": self.staff_id,
                                               "signed_on": values["signed_on"]})
