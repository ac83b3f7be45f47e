"""Log a vaccine fridge/freezer reading (unit, time, reading, the data logger's min/max, initials, note),
and add a unit to the log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from rich.text import Text

from officemgr.models import StorageKind
from officemgr.models.validation import parse_date, parse_time
from officemgr.services.temperature import FUTURE_SLACK, ReadingCreate, UnitCreate, UnitRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall, validation_errors


def parse_when(text: str, today: date) -> datetime:
    """'08:05' or '8:05 AM' (today), or a date and a time: '11/20/2026 08:05'. ValueError says the format."""
    text = (text or "").strip()
    if not text:
        raise ValueError("when it was read, e.g. 08:05 (today) or 11/20/2026 08:05")
    head, _, tail = text.partition(" ")
    day = parse_date(head) if tail else None
    clock = tail if day is not None else text
    try:
        hhmm = parse_time(clock)
    except ValueError:
        raise ValueError("a time looks like 08:05 or 8:05 AM (today), or 11/20/2026 08:05") from None
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day or today, datetime.min.time()).replace(hour=hour, minute=minute)


class TemperatureForm(RecordForm[ReadingCreate]):
    """Dismisses with True once saved; `result` then holds what the save call returned (the reading and any
    incident)."""

    FORM_TITLE = "Log a vaccine temperature reading"

    def __init__(self, ctx: AppContext, save: SaveCall[ReadingCreate], units: list[UnitRow], *,
                 unit_id: int | None, now: datetime, initials: str = "") -> None:
        self.units = units
        self.unit_id = unit_id
        self.when = now
        self.default_initials = initials
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("unit_id", "Unit", kind="select", options=[_unit_option(u) for u in self.units]),
            FieldSpec("at", "Time read", placeholder="08:05, or 11/20/2026 08:05"),
            FieldSpec("reading_c", "Reading now (°C, or add F)", placeholder="4.5 or 40 F"),
            FieldSpec("min_c", "Min since last check", optional=True, placeholder="from the data logger"),
            FieldSpec("max_c", "Max since last check", optional=True, placeholder="from the data logger"),
            FieldSpec("initials", "Initials of who read it", placeholder="e.g. MJ"),
            FieldSpec("note", "Note", optional=True, placeholder="e.g. door found ajar; action taken"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"unit_id": self.unit_id, "at": f"{self.when:%H:%M}", "initials": self.default_initials}

    def build(self, values: dict[str, Any]) -> ReadingCreate:
        errors: dict[str, str] = {}
        try:
            at = parse_when(values["at"] or "", self.when.date())
        except ValueError as exc:
            errors["at"] = str(exc)
            at = None
        if at is not None and at > self.when + FUTURE_SLACK:
            errors["at"] = "that time has not come yet; enter when the thermometer was read"
        if values["unit_id"] is None:
            errors["unit_id"] = "choose the fridge or freezer"
        try:
            # Validated even when the time or unit is wrong, so every bad field is named at once.
            model = ReadingCreate.model_validate({**values, "unit_id": values["unit_id"] or 0, "at": at or self.when,
                                                  "note": values["note"] or ""})
        except ValidationError as exc:
            raise FieldErrors({**validation_errors(exc), **errors}) from None
        if errors:
            raise FieldErrors(errors)
        return model


def _unit_option(unit: UnitRow) -> tuple[Any, int]:
    """A unit as a choice. Unit names are user text: rich Text, so a name is never read as markup (a Select
    shows any renderable, though FieldSpec names its labels str)."""
    return Text(f"{unit.name} ({unit.range_label})"), unit.id


class UnitForm(RecordForm[UnitCreate]):
    """Add a vaccine fridge or freezer to the log."""

    FORM_TITLE = "Add a vaccine fridge or freezer"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("name", "Name", placeholder="e.g. Vaccine fridge 2"),
            FieldSpec("kind", "Kind", kind="select", options=[(k.value, k) for k in StorageKind]),
            FieldSpec("location", "Where", optional=True, placeholder="e.g. Lab"),
        ]

    def build(self, values: dict[str, Any]) -> UnitCreate:
        return UnitCreate.model_validate({**values, "location": values["location"] or ""})
