"""The audit log's filters (key f): record kind and id, person, from and to. Nothing is written."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual.widgets import Static

from officemgr.services.audit import AuditFilter
from officemgr.tui.forms.base import FieldErrors, FieldsForm, FieldSpec

DATE_HINT = "a date like 11/23/2026"


class AuditFilterForm(FieldsForm[AuditFilter]):
    """ctrl+s applies the filters (dismisses with True, `result` then holds them); escape leaves them as they
    were. Nothing is saved."""

    FORM_TITLE = "Filter the audit log (blank = any)"

    def __init__(self, current: AuditFilter, *, entities: list[str], actors: list[str]) -> None:
        self.current, self.entities, self.actors = current, entities, actors
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("entity", "Record kind", kind="select", optional=True, options=[(e, e) for e in self.entities]),
            FieldSpec("entity_id", "Record id", optional=True, placeholder="e.g. 12"),
            FieldSpec("actor", "Person", kind="select", optional=True, options=[(a, a) for a in self.actors]),
            FieldSpec("since", "From", kind="date", optional=True, placeholder="MM/DD/YYYY"),
            FieldSpec("until", "To", kind="date", optional=True, placeholder="MM/DD/YYYY"),
        ]

    def initial(self) -> dict[str, Any]:
        values = {"entity": self.current.entity, "entity_id": self.current.entity_id, "actor": self.current.actor,
                  "since": self.current.since, "until": self.current.until}
        # A kind or person no longer offered (none left in the log) cannot be preselected.
        if values["entity"] not in self.entities:
            values["entity"] = None
        if values["actor"] not in self.actors:
            values["actor"] = None
        return {k: v for k, v in values.items() if v is not None}

    def on_mount(self) -> None:
        self.query_one(".form-hint", Static).update(Text("ctrl+s apply · escape leaves the filters as they were · "
                                                         "tab next field"))

    def build(self, values: dict[str, Any]) -> AuditFilter:
        errors: dict[str, str] = {}
        number = values["entity_id"]
        if number is not None and not (number.isdigit() and 0 < int(number) < 2**63):
            errors["entity_id"] = "a record number, e.g. 12"
        for name in ("since", "until"):
            if values[name] is not None and not isinstance(values[name], date):
                errors[name] = DATE_HINT
        if not errors and values["since"] and values["until"] and values["since"] > values["until"]:
            errors["until"] = "on or after the From date"
        if errors:
            raise FieldErrors(errors)
        return AuditFilter(entity=values["entity"], entity_id=int(number) if number else None,
                           actor=values["actor"], since=values["since"], until=values["until"])
