"""A shift (who works when) and a time-off request.

Both offer the active staff as `people` ((label, id), read by the view that opens them); the time-off form also
the practice's kinds of time off.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from officemgr.models import ShiftCreate, TimeOffCreate
from officemgr.services.roster import ShiftRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldSpec, RecordForm, SaveCall


class ShiftForm(RecordForm[ShiftCreate]):
    def __init__(self, ctx: AppContext, save: SaveCall[ShiftCreate], *, people: list[tuple[str, int]],
                 staff_id: int | None, day: date, shift: ShiftRow | None = None) -> None:
        self.people, self.staff_id, self.day, self.shift = people, staff_id, day, shift
        self.FORM_TITLE = "Edit shift" if shift else "Add a shift"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("staff_id", "Who", kind="select", options=self.people),
            FieldSpec("day", "Date", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("start_time", "Starts", placeholder="08:00"),
            FieldSpec("end_time", "Ends", placeholder="5:00 PM"),
            FieldSpec("break_minutes", "Unpaid break (minutes)", placeholder="60"),
        ]

    def initial(self) -> dict[str, Any]:
        if self.shift:
            return {"staff_id": self.shift.staff_id, "day": self.shift.start.date(),
                    "start_time": f"{self.shift.start:%H:%M}", "end_time": f"{self.shift.end:%H:%M}",
                    "break_minutes": self.shift.break_minutes}
        return {"staff_id": self.staff_id, "day": self.day, "start_time": "08:00", "end_time": "17:00",
                "break_minutes": 60}

    def build(self, values: dict[str, Any]) -> ShiftCreate:
        return ShiftCreate.model_validate(values)


class TimeOffForm(RecordForm[TimeOffCreate]):
    FORM_TITLE = "Request time off"

    def __init__(self, ctx: AppContext, save: SaveCall[TimeOffCreate], *, people: list[tuple[str, int]],
                 kinds: list[str], staff_id: int | None, day: date) -> None:
        self.people, self.kinds, self.staff_id, self.day = people, kinds, staff_id, day
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("staff_id", "Who", kind="select", options=self.people),
            FieldSpec("kind", "Kind", kind="select", options=[(k, k) for k in self.kinds]),
            FieldSpec("start_date", "First day", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("end_date", "Last day", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("hours", "Paid hours", optional=True, placeholder="8 per day the practice is open if empty"),
            FieldSpec("note", "Note", optional=True),
        ]

    def initial(self) -> dict[str, Any]:
        return {"staff_id": self.staff_id, "start_date": self.day, "end_date": self.day}

    def build(self, values: dict[str, Any]) -> TimeOffCreate:
        return TimeOffCreate.model_validate({**values, "note": values["note"] or ""})
