"""Forms for a provider's weekday hours, a block or exception, and a visit type."""

from __future__ import annotations

from datetime import date
from typing import Any

from officemgr.services.availability import WEEKDAYS
from officemgr.services.schedule import TypeChoice
from officemgr.services.templates import BlockInput, Hours, HoursInput, TypeInput
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall

WEEKDAY_OPTIONS = [(name.removesuffix("s"), n) for n, name in enumerate(WEEKDAYS)]


class HoursForm(RecordForm[HoursInput]):
    def __init__(self, ctx: AppContext, save: SaveCall[HoursInput], provider_name: str, weekday: int,
                 row: Hours | None) -> None:
        self.weekday, self.row = weekday, row
        self.FORM_TITLE = f"{provider_name}: hours on {WEEKDAYS[weekday]} (leave both empty for a day off)"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("start", "Starts", optional=True, placeholder="08:00"),
                FieldSpec("end", "Ends", optional=True, placeholder="5:00 PM")]

    def initial(self) -> dict[str, Any]:
        return {"start": f"{self.row.start:%H:%M}", "end": f"{self.row.end:%H:%M}"} if self.row else {}

    def build(self, values: dict[str, Any]) -> HoursInput:
        return HoursInput(weekday=self.weekday, start=values["start"] or None, end=values["end"] or None)


class BlockForm(RecordForm[BlockInput]):
    def __init__(self, ctx: AppContext, save: SaveCall[BlockInput], provider_name: str) -> None:
        self.FORM_TITLE = f"{provider_name}: block time (every weekday given, or one date for an exception)"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("weekday", "Every", kind="select", options=WEEKDAY_OPTIONS, optional=True),
            FieldSpec("day", "or on date", kind="date", optional=True, placeholder="MM/DD/YYYY"),
            FieldSpec("start", "From", placeholder="12:00"),
            FieldSpec("end", "To", placeholder="1:00 PM"),
            FieldSpec("reason", "Reason", placeholder="Lunch, Admin time, Out: conference…"),
        ]

    def build(self, values: dict[str, Any]) -> BlockInput:
        if isinstance(values["day"], date) and values["day"] < self.ctx.today:
            raise FieldErrors({"day": "that date has passed"})
        return BlockInput.model_validate(values)


class TypeForm(RecordForm[TypeInput]):
    def __init__(self, ctx: AppContext, save: SaveCall[TypeInput], kind: TypeChoice | None = None) -> None:
        self.kind = kind
        self.FORM_TITLE = f"Visit type: {kind.name}" if kind else "New visit type"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("name", "Name"), FieldSpec("minutes", "Default length (minutes)")]

    def initial(self) -> dict[str, Any]:
        return {"name": self.kind.name, "minutes": self.kind.minutes} if self.kind else {}

    def build(self, values: dict[str, Any]) -> TypeInput:
        return TypeInput.model_validate(values)
