"""Add or edit equipment that needs regular service, and log a service or check done on it."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from officemgr.models import EquipmentCreate, ServiceCreate
from officemgr.services.equipment import EquipmentRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall, validation_errors

_TEXT_FIELDS = ("serial_number", "location", "service_by", "note")


class EquipmentForm(RecordForm[EquipmentCreate]):
    """Add (row=None) or edit equipment. Dismisses with True once saved; `result` then holds what the save call
    returned."""

    def __init__(self, ctx: AppContext, save: SaveCall[EquipmentCreate], row: EquipmentRow | None = None) -> None:
        self.today = ctx.today
        self.row = row
        self.FORM_TITLE = f"Edit {row.name}" if row else "Add equipment"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("name", "Name", placeholder="e.g. Autoclave, AED, ECG machine"),
            FieldSpec("serial_number", "Serial number", optional=True),
            FieldSpec("location", "Location", optional=True, placeholder="e.g. Sterilization room"),
            FieldSpec("service_every_days", "Service every (days)", placeholder="e.g. 365 for yearly"),
            FieldSpec("service_by", "Serviced by", optional=True, placeholder="vendor or in-house person"),
            FieldSpec("last_service", "Last service", kind="date", optional=True,
                      placeholder="MM/DD/YYYY; blank: due one interval from today"),
            FieldSpec("note", "Note", optional=True),
        ]

    def initial(self) -> dict[str, Any]:
        row = self.row
        if row is None:
            return {}
        return {"name": row.name, "serial_number": row.serial_number, "location": row.location,
                "service_every_days": str(row.service_every_days), "service_by": row.service_by,
                "last_service": row.last_service, "note": row.note}

    def build(self, values: dict[str, Any]) -> EquipmentCreate:
        data = {k: ("" if v is None and k in _TEXT_FIELDS else v) for k, v in values.items()}
        errors: dict[str, str] = {}
        model = None
        try:
            model = EquipmentCreate.model_validate(data)
        except ValidationError as exc:
            errors = validation_errors(exc)
        if errors.get("service_every_days", "").startswith(("must", "enter")):
            errors["service_every_days"] = "a whole number of days from 1 to 3660, e.g. 365"
        last = values["last_service"]
        if isinstance(last, date) and last > self.today:
            errors.setdefault("last_service", f"cannot be later than today ({self.today:%m/%d/%Y})")
        if errors or model is None:
            raise FieldErrors(errors)
        return model


class ServiceForm(RecordForm[ServiceCreate]):
    """Log a service or check; the next one falls due one interval after it."""

    def __init__(self, ctx: AppContext, save: SaveCall[ServiceCreate], row: EquipmentRow) -> None:
        self.today = ctx.today
        self.row = row
        self.FORM_TITLE = f"Log a service of {row.name}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("on", "Done on", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("done_by", "Done by", placeholder="technician, company or initials"),
            FieldSpec("note", "Note", optional=True, placeholder="e.g. passed; spore test negative"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"on": self.today, "done_by": self.row.service_by}

    def build(self, values: dict[str, Any]) -> ServiceCreate:
        errors: dict[str, str] = {}
        model = None
        try:
            model = ServiceCreate.model_validate({**values, "note": values["note"] or "",
                                                  "done_by": values["done_by"] or ""})
        except ValidationError as exc:
            errors = validation_errors(exc)
        if isinstance(values["on"], date) and values["on"] > self.today:
            errors.setdefault("on", f"a service cannot be recorded for a future date (today is "
                                    f"{self.today:%m/%d/%Y})")
        if errors or model is None:
            raise FieldErrors(errors)
        return model
