"""Move an appointment to another day, time or provider; it keeps its id and history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, field_validator
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Label

from officemgr.models.validation import parse_time
from officemgr.services import schedule
from officemgr.services.schedule import ApptRow, Choice
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Refused
from officemgr.tui.forms.base import FieldSpec, RecordForm, SaveCall

# How the save call ends a refusal that saving the same move again overrides.
MOVE_ANYWAY = "Press ctrl+s again to move it anyway, or change it."
MOVE_STALE = ("Someone else changed this appointment since you opened this form. Press ctrl+r to reload it "
              "as it is now, then save again.")


class MoveDestination(BaseModel):
    provider_id: int
    day: date
    start_time: str
    version: int  # the appointment's version the form was filled from: a later change refuses the move
    confirmed: bool = False  # the same move was refused once and saved again: make it anyway

    _time = field_validator("start_time")(parse_time)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, datetime.strptime(self.start_time, "%H:%M").time())


class MoveForm(RecordForm[MoveDestination]):
    BINDINGS = [Binding("ctrl+r", "reload", "Reload", id="move_reload")]

    def __init__(self, ctx: AppContext, save: SaveCall[MoveDestination], row: ApptRow,
                 providers: list[Choice]) -> None:
        """`providers` (schedule.booking_choices) are read in a worker before the form opens."""
        self.row = row
        self.providers = providers
        self.attempt: tuple[datetime, int] | None = None
        self.refused: tuple[datetime, int] | None = None
        self.FORM_TITLE = self.title_of(row)
        super().__init__(ctx, save)

    @staticmethod
    def title_of(row: ApptRow) -> str:
        return f"Move {row.patient_name} ({row.type_name}, now {row.start:%a %m/%d %H:%M})"

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
        target = MoveDestination.model_validate({**values, "version": self.row.version})
        self.attempt = (target.start, target.provider_id)
        return target.model_copy(update={"confirmed": self.refused == self.attempt})

    def when_refused(self, message: Refused) -> None:
        # Explained once: the same move saved again is made anyway.
        if message.message.endswith(MOVE_ANYWAY):
            self.refused = self.attempt
        super().when_refused(message)

    def action_reload(self) -> None:
        """The appointment as it is now (after someone else's change): its time, provider and version."""
        appt_id = self.row.id
        self.read(lambda session: schedule.appointment_row(session, appt_id), self._reloaded, group="reload")

    def _reloaded(self, row: ApptRow | None) -> None:
        if row is None:
            self.show_errors({"__form__": "That appointment no longer exists: press escape to close this form."})
            return
        self.row = row
        self.refused = None
        self.query_one(".form-title", Label).update(Text(self.title_of(row)))
        self.refill()
        self.say(f"Reloaded: {row.patient_name} is {row.status.label}, {row.start:%a %m/%d %H:%M}")
