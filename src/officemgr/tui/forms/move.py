"""Move an appointment to another day, time or provider; it keeps its id and history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, field_validator

from officemgr.models.validation import parse_time
from officemgr.services.schedule import ApptRow, Choice
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Refused
from officemgr.tui.forms.base import FieldSpec, RecordForm, SaveCall

# How the save call ends a refusal that saving the same move again overrides.
MOVE_ANYWAY = "Press ctrl+s again to move it anyway, or change it."


class MoveDestination(BaseModel):
    provider_id: int
    day: date
    start_time: str
    confirmed: bool = False  # the same move was refused once and saved again: make it anyway

    _time = field_validator("start_time")(parse_time)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, datetime.strptime(self.start_time, "%H:%M").time())


class MoveForm(RecordForm[MoveDestination]):
    def __init__(self, ctx: AppContext, save: SaveCall[MoveDestination], row: ApptRow,
                 providers: list[Choice]) -> None:
        """`providers` (schedule.booking_choices) are read in a worker before the form opens."""
        self.row = row
        self.providers = providers
        self.attempt: tuple[datetime, int] | None = None
        self.refused: tuple[datetime, int] | None = None
        self.FORM_TITLE = f"Move {row.patient_name} ({row.type_name}, now {row.start:%a %m/%d %H:%M})"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("provider_id", "Provider", kind="select", options=[(p.label, p.id) for p in self.providers]),
            FieldSpec("day", "Date", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("start_time", "Time", placeholder="09:30 or 2:15 PM"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"provider_id": self.row.provider_id, "day": self.row.start.date(),
                "start_time": f"{self.row.start:%H:%M}"}

    def build(self, values: dict[str, Any]) -> MoveDestination:
        target = MoveDestination.model_validate(values)
        self.attempt = (target.start, target.provider_id)
        return target.model_copy(update={"confirmed": self.refused == self.attempt})

    def when_refused(self, message: Refused) -> None:
        # Explained once: the same move saved again is made anyway.
        if message.message.endswith(MOVE_ANYWAY):
            self.refused = self.attempt
        super().when_refused(message)
