"""Move an appointment to another day, time or provider; it keeps its id and history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, field_validator
from sqlmodel import Session

from officemgr.models.validation import parse_time
from officemgr.services import schedule
from officemgr.services.common import ServiceError
from officemgr.services.schedule import ApptRow, Choice
from officemgr.tui.forms.base import FieldSpec, RecordForm


class MoveDestination(BaseModel):
    provider_id: int
    day: date
    start_time: str

    _time = field_validator("start_time")(parse_time)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, datetime.strptime(self.start_time, "%H:%M").time())


class MoveForm(RecordForm):
    def __init__(self, row: ApptRow, providers: list[Choice]) -> None:
        """`providers` (schedule.booking_choices) are read in a worker before the form opens."""
        self.row = row
        self.providers = providers
        self.refused: tuple[datetime, int] | None = None
        self.FORM_TITLE = f"Move {row.patient_name} ({row.type_name}, now {row.start:%a %m/%d %H:%M})"
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("provider_id", "Provider", kind="select", options=[(p.label, p.id) for p in self.providers]),
            FieldSpec("day", "Date", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("start_time", "Time", placeholder="09:30 or 2:15 PM"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"provider_id": self.row.provider_id, "day": self.row.start.date(),
                "start_time": f"{self.row.start:%H:%M}"}

    def build(self, values: dict[str, Any]) -> BaseModel:
        return MoveDestination.model_validate(values)

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, MoveDestination)
        target = (model.start, model.provider_id)
        confirmed = self.refused == target
        try:
            schedule.move(session, self.row.id, start=model.start, provider_id=model.provider_id,
                          now=self.app.now(), actor=self.app.actor,  # type: ignore[attr-defined]
                          expected_version=self.row.version, confirmed=confirmed)
        except ServiceError as exc:
            self.refused = target
            raise ServiceError(f"{exc}. Press ctrl+s again to move it anyway, or change it.") from None
