"""Add or edit a staff member."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from officemgr.models import Role, Staff, StaffCreate
from officemgr.services import staff
from officemgr.tui.forms.base import FieldSpec, RecordForm


class StaffForm(RecordForm):
    FORM_TITLE = "Staff member"

    def __init__(self, person: Staff | None = None) -> None:
        self.person = person
        super().__init__()
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
        return self.person.model_dump()

    def build(self, values: dict[str, Any]) -> BaseModel:
        values = {**values, "phone": values["phone"] or "", "email": values["email"] or ""}
        return StaffCreate.model_validate(values)

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, StaffCreate)
        now, actor = self.app.now(), self.app.actor  # type: ignore[attr-defined]
        if self.person is None:
            staff.add_staff(session, model, now=now, actor=actor)
        else:
            staff.update_staff(session, self.person.id, model, now=now, actor=actor,
                               expected_version=self.person.version)
