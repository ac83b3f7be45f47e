"""Register or edit a patient: names, date of birth, sex, address, phones, how to reach them, the emergency
contact and, for a minor, the guarantor.

A look-alike already on file (same name and date of birth, or date of birth and phone) refuses the save with the
record's account number and lists the look-alikes: enter on one uses that record instead ("use this one"); ticking
"Different person" and saving again registers the new one anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from officemgr.models import ContactBy, PatientCreate, Sex
from officemgr.models.validation import parse_date
from officemgr.services.patients import DuplicatePatient, PatientHit
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Refused, Saved, Session
from officemgr.tui.forms.base import FieldSpec, RecordForm, SaveCall

SEXES = [("female", Sex.female.value), ("male", Sex.male.value), ("unknown", Sex.unknown.value)]
CONTACT = [(c.value, c.value) for c in ContactBy]
LOOK_ALIKES_SHOWN = 4


@dataclass(frozen=True)
class PatientEntry:
    data: PatientCreate
    different_person: bool


@dataclass(frozen=True)
class LookAlikes:
    """The save was refused: these patients may be the same person (what DuplicatePatient said, and who)."""

    message: str
    matches: list[PatientHit]


def typed_start(text: str) -> dict[str, Any]:
    """A new patient's fields from what the desk typed looking for them: "Newman, Jane" or "Jane Newman" gives the
    names (the last word is the last name), a date gives the date of birth, digits the phone."""
    text = " ".join(text.split())
    born = parse_date(text)
    if born is not None:
        return {"dob": born}
    if text and re.fullmatch(r"[0-9()+. -]+", text):
        return {"phone": text}
    if "," in text:
        last, _, first = text.partition(",")
        return {"last_name": last.strip(), "first_name": first.strip()}
    first, _, last = text.rpartition(" ")
    return {"last_name": last, "first_name": first}


class PatientForm(RecordForm[PatientEntry]):
    """Add (start=None, optionally with `typed` prefilled) or edit. Dismisses with True once saved, or once the desk
    chose a look-alike already on file (`used_existing`); `result` holds the PatientHit either way."""

    BINDINGS = [Binding("ctrl+o", "use_existing", "Use the record on file", id="patient_use_existing")]

    def __init__(self, ctx: AppContext, save: SaveCall[PatientEntry], start: PatientCreate | None = None,
                 *, title: str = "", typed: dict[str, Any] | None = None) -> None:
        self.start = start
        self.typed = typed or {}
        self.FORM_TITLE = title or ("Edit the patient" if start else "Register a new patient")
        self.look_alikes: list[PatientHit] = []
        self.used_existing = False

        def save_or_look_alikes(session: Session, entry: PatientEntry) -> object:
            # A look-alike is an answer to show, not a failure: its people come back with it.
            try:
                return save(session, entry)
            except DuplicatePatient as exc:
                return LookAlikes(str(exc), exc.matches)

        super().__init__(ctx, save_or_look_alikes)

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
            return {"sex": Sex.unknown.value, "contact_by": ContactBy.phone.value, **self.typed}
        values = self.start.model_dump()
        values["sex"], values["contact_by"] = self.start.sex.value, self.start.contact_by.value
        return values

    def on_mount(self) -> None:
        choices = OptionList(id="look-alikes", compact=True)
        choices.display = False
        self.query_one(".form").mount(choices, after="#form-error")

    def build(self, values: dict[str, Any]) -> PatientEntry:
        different = bool(values.pop("different_person", False))
        data = {k: ("" if v is None else v) for k, v in values.items()}
        return PatientEntry(PatientCreate.model_validate(data), different)

    def when_saved(self, message: Saved[Any]) -> None:
        found = message.result
        if not isinstance(found, LookAlikes):
            super().when_saved(message)
            return
        self.saving = False
        self.look_alikes = found.matches[:LOOK_ALIKES_SHOWN]
        choices = self.query_one("#look-alikes", OptionList)
        choices.clear_options()
        # Short enough for one line at 80 columns: the account, the name, the date of birth and the phone.
        choices.add_options([Option(Text(f"Use #{hit.account}: {hit.name} · {hit.dob:%m/%d/%Y} · "
                                         f"{hit.phone or 'no phone'}"), id=str(hit.id)) for hit in self.look_alikes])
        choices.display = True
        choices.highlighted = 0
        self.show_errors({"__form__": f"{found.message}. Enter (or ctrl+o) uses the highlighted record."})
        choices.focus()

    def when_refused(self, message: Refused) -> None:
        # The service names the field a refusal is about ("dob: ..."): the message goes under that field.
        name, _, why = message.message.partition(": ")
        if why and name in {spec.name for spec in self.specs}:
            self.saving = False
            self.show_errors({name: why})
            return
        super().when_refused(message)

    def fit_fields(self) -> None:
        super().fit_fields()
        listed = len(self.look_alikes)
        scroll = self.query_one(".form-fields", VerticalScroll)
        room = scroll.styles.max_height
        if listed and room is not None:
            scroll.styles.max_height = max(3, int(room.value) - listed)

    def action_use_existing(self) -> None:
        if not self.look_alikes:
            return
        choices = self.query_one("#look-alikes", OptionList)
        self._use(self.look_alikes[choices.highlighted or 0])

    @on(OptionList.OptionSelected, "#look-alikes")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._use(next(hit for hit in self.look_alikes if str(hit.id) == event.option.id))

    def _use(self, hit: PatientHit) -> None:
        self.used_existing = True
        self.result = hit
        self.dismiss(True)
