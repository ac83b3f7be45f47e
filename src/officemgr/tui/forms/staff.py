"""Add or edit a staff member."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from officemgr.models import Role, StaffCreate
from officemgr.services.staff import StaffRecord
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldSpec, RecordForm, SaveCall


class StaffForm(RecordForm[StaffCreate]):
    FORM_TITLE = "Staff member"

    def __init__(self, ctx: AppContext, save: SaveCall[StaffCreate], person: StaffRecord | None = None) -> None:
        self.person = person
        super().__init__(ctx, save)
        if person:
            self.FORM_TITLE = f"Edit {person.name}"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("first_name", "First name"),
            FieldSpec("last_name", "Last name"),
            FieldSpec("role", "Role", kind="select", options=[(r.label, r) for r in Role]),
            FieldSpec("is_provider", "Sees patients (provider)", kind="check"),
            FieldSpec("npi", "NPI (10 digits; required for providers)", optional=True),
            FieldSpec("phone", "Phone", optional=True, placeholder="555-123-4567"),
            FieldSpec("email", "Email", optional=True),
            FieldSpec("hire_date", "Hire date", optional=True, kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("active", "Active", kind="check"),
        ]

    def initial(self) -> dict[str, Any]:
        if self.person is None:
            return {"active": True}
        return asdict(self.person)

    def build(self, values: dict[str, Any]) -> StaffCreate:
        values = {**values, "phone": values["phone"] or "", "email": values["email"] or ""}
        return StaffCreate.model_validate(values)
