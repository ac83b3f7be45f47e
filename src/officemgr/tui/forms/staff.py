"""Add or edit a staff member."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from textual import on
from textual.widgets import Checkbox, Select

from officemgr.models import Role, StaffCreate
from officemgr.models.people import PROVIDER_ROLES, PayType
from officemgr.services.staff import StaffRecord
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall


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
            FieldSpec("pay_type", "Pay type", kind="select", options=[(p.label, p) for p in PayType]),
            FieldSpec("exempt", "Exempt from overtime (FLSA)", kind="check"),
            FieldSpec("pto_hours_per_year", "PTO allowance (hours a year)"),
            FieldSpec("active", "Active", kind="check"),
        ]

    def initial(self) -> dict[str, Any]:
        if self.person is None:
            return {"active": True, "pay_type": PayType.hourly,
                    "pto_hours_per_year": StaffCreate.model_fields["pto_hours_per_year"].default}
        return asdict(self.person)

    @on(Select.Changed, "#f-role")
    def _providers_by_role(self, event: Select.Changed) -> None:
        # A new physician or NP/PA sees patients unless the user unticks the box; an edit keeps what is on file.
        if self.person is None and isinstance(event.value, Role):
            self.query_one("#f-is_provider", Checkbox).value = event.value in PROVIDER_ROLES

    def build(self, values: dict[str, Any]) -> StaffCreate:
        if values["is_provider"] and not values["npi"]:
            raise FieldErrors({"npi": "a provider needs an NPI (or untick \"Sees patients\")"})
        values = {**values, "phone": values["phone"] or "", "email": values["email"] or ""}
        return StaffCreate.model_validate(values)
