"""Register or edit a patient: names, date of birth, sex, address, phones, how to reach them, the emergency
contact and, for a minor, the guarantor.

A look-alike already on file (same name and date of birth, or date of birth and phone) refuses the save with the
record's account number; ticking "Different person" and saving again registers the new one anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from officemgr.models import ContactBy, PatientCreate, Sex
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldSpec, RecordForm, SaveCall

SEXES = [("female", Sex.female.value), ("male", Sex.male.value), ("unknown", Sex.unknown.value)]
CONTACT = [(c.value, c.value) for c in ContactBy]


@dataclass(frozen=True)
class PatientEntry:
    data: PatientCreate
    different_person: bool


class PatientForm(RecordForm[PatientEntry]):
    """Add (start=None) or edit. Dismisses with True once saved; `result` holds what `save` returned."""

    def __init__(self, ctx: AppContext, save: SaveCall[PatientEntry], start: PatientCreate | None = None,
                 *, title: str = "") -> None:
        self.start = start
        self.FORM_TITLE = title or ("Edit the patient" if start else "Register a new patient")
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        specs = [
            FieldSpec("last_name", "Last name (legal)"),
            FieldSpec("first_name", "First name (legal)"),
            FieldSpec("preferred_name", "Preferred name", optional=True, placeholder="what they like to be called"),
            FieldSpec("dob", "Date of birth", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("sex", "Sex", kind="select", options=SEXES),
            FieldSpec("phone", "Home phone", optional=True, placeholder="555-123-4567"),
            FieldSpec("mobile", "Mobile", optional=True, placeholder="555-123-4567"),
            FieldSpec("email", "E-mail", optional=True),
            FieldSpec("contact_by", "Contact by", kind="select", options=CONTACT),
            FieldSpec("address", "Street", optional=True),
            FieldSpec("city", "City", optional=True),
            FieldSpec("state", "State", optional=True, placeholder="two letters, e.g. OH"),
            FieldSpec("zip_code", "ZIP", optional=True),
            FieldSpec("emergency_name", "Emergency contact", optional=True),
            FieldSpec("emergency_phone", "Their phone", optional=True),
            FieldSpec("emergency_relation", "Relation", optional=True, placeholder="e.g. spouse"),
            FieldSpec("guarantor_name", "Guarantor", optional=True, placeholder="who pays, if not the patient "
                                                                               "(required under 18)"),
            FieldSpec("guarantor_relation", "Relation", optional=True, placeholder="e.g. mother"),
            FieldSpec("guarantor_phone", "Their phone", optional=True),
            FieldSpec("note", "Note", optional=True),
        ]
        if self.start is None:
            specs.append(FieldSpec("different_person", "Different person", kind="check"))
        return specs

    def initial(self) -> dict[str, Any]:
        if self.start is None:
            return {"sex": Sex.unknown.value, "contact_by": ContactBy.phone.value}
        values = self.start.model_dump()
        values["sex"], values["contact_by"] = self.start.sex.value, self.start.contact_by.value
        return values

    def build(self, values: dict[str, Any]) -> PatientEntry:
        different = bool(values.pop("different_person", False))
        data = {k: ("" if v is None else v) for k, v in values.items()}
        return PatientEntry(PatientCreate.model_validate(data), different)
