"""A staff meeting: its day, title, agenda and minutes, and who attended (ticked from the active staff)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from officemgr.services.meetings import DEFAULT_TITLE, MeetingDetail, MeetingWrite
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall, validation_errors


class MeetingForm(RecordForm[MeetingWrite]):
    def __init__(self, ctx: AppContext, save: SaveCall[MeetingWrite], *, staff: list[tuple[str, int]],
                 meeting: MeetingDetail | None = None, day: date | None = None) -> None:
        self.staff, self.meeting, self.day = staff, meeting, day
        super().__init__(ctx, save)
        self.FORM_TITLE = "New staff meeting" if meeting is None else f"Staff meeting {meeting.day:%m/%d/%Y}"

    def fields(self) -> list[FieldSpec]:
        specs = [FieldSpec("day", "Date", kind="date", placeholder="MM/DD/YYYY"),
                 FieldSpec("title", "Title"),
                 FieldSpec("agenda", "Agenda", optional=True, placeholder="the topics, in order"),
                 FieldSpec("minutes", "Minutes", optional=True, placeholder="what was said and decided")]
        specs += [FieldSpec(f"attended_{staff_id}", f"Attended: {name}", kind="check") for name, staff_id in self.staff]
        return specs

    def initial(self) -> dict[str, Any]:
        m = self.meeting
        if m is None:
            return {"day": self.day or self.ctx.today, "title": DEFAULT_TITLE}
        values: dict[str, Any] = {"day": m.day, "title": m.title, "agenda": m.agenda, "minutes": m.minutes}
        values.update({f"attended_{staff_id}": True for staff_id in m.attendee_ids})
        return values

    def build(self, values: dict[str, Any]) -> MeetingWrite:
        try:
            return MeetingWrite.model_validate({
                "day": values["day"], "title": values["title"] or "", "agenda": values["agenda"] or "",
                "minutes": values["minutes"] or "",
                "attendee_ids": [staff_id for _, staff_id in self.staff if values[f"attended_{staff_id}"]]})
        except ValidationError as exc:
            raise FieldErrors(validation_errors(exc)) from None
