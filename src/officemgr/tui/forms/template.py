"""Forms for a provider's weekday hours, a block or exception, and a visit type."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from officemgr.models import AppointmentType, ProviderHours
from officemgr.services import templates
from officemgr.services.availability import WEEKDAYS
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm

WEEKDAY_OPTIONS = [(name.removesuffix("s"), n) for n, name in enumerate(WEEKDAYS)]


class HoursForm(RecordForm):
    def __init__(self, provider_id: int, provider_name: str, weekday: int, row: ProviderHours | None) -> None:
        self.provider_id, self.weekday, self.row = provider_id, weekday, row
        self.FORM_TITLE = f"{provider_name}: hours on {WEEKDAYS[weekday]} (leave both empty for a day off)"
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("start", "Starts", optional=True, placeholder="08:00"),
                FieldSpec("end", "Ends", optional=True, placeholder="5:00 PM")]

    def initial(self) -> dict[str, Any]:
        return {"start": f"{self.row.start:%H:%M}", "end": f"{self.row.end:%H:%M}"} if self.row else {}

    def build(self, values: dict[str, Any]) -> BaseModel:
        return templates.HoursInput(weekday=self.weekday, start=values["start"] or None, end=values["end"] or None)

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, templates.HoursInput)
        templates.set_hours(session, self.provider_id, model, now=self.app.now(),  # type: ignore[attr-defined]
                            actor=self.app.actor)  # type: ignore[attr-defined]


class BlockForm(RecordForm):
    def __init__(self, provider_id: int, provider_name: str, today: date) -> None:
        self.provider_id, self.today = provider_id, today
        self.FORM_TITLE = f"{provider_name}: block time (every weekday given, or one date for an exception)"
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("weekday", "Every", kind="select", options=WEEKDAY_OPTIONS, optional=True),
            FieldSpec("day", "or on date", kind="date", optional=True, placeholder="MM/DD/YYYY"),
            FieldSpec("start", "From", placeholder="12:00"),
            FieldSpec("end", "To", placeholder="1:00 PM"),
            FieldSpec("reason", "Reason", placeholder="Lunch, Admin time, Out: conference…"),
        ]

    def build(self, values: dict[str, Any]) -> BaseModel:
        if isinstance(values["day"], date) and values["day"] < self.today:
            raise FieldErrors({"day": "that date has passed"})
        return templates.BlockInput.model_validate(values)

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, templates.BlockInput)
        templates.add_block(session, self.provider_id, model, now=self.app.now(),  # type: ignore[attr-defined]
                            actor=self.app.actor)  # type: ignore[attr-defined]


class TypeForm(RecordForm):
    def __init__(self, kind: AppointmentType | None = None) -> None:
        self.kind = kind
        self.FORM_TITLE = f"Visit type: {kind.name}" if kind else "New visit type"
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("name", "Name"), FieldSpec("minutes", "Default length (minutes)")]

    def initial(self) -> dict[str, Any]:
        return {"name": self.kind.name, "minutes": self.kind.minutes} if self.kind else {}

    def build(self, values: dict[str, Any]) -> BaseModel:
        return templates.TypeInput.model_validate(values)

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, templates.TypeInput)
        templates.save_type(session, model, type_id=self.kind.id if self.kind else None,
                            now=self.app.now(), actor=self.app.actor)  # type: ignore[attr-defined]
