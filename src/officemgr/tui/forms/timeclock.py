"""Ask for (or, the manager for someone else, enter) a fix to one day's punches: the day, in and out, the reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from officemgr.services.timeclock import FixEntry
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldSpec, RecordForm, SaveCall


class FixForm(RecordForm[FixEntry]):
    def __init__(self, ctx: AppContext, save: SaveCall[FixEntry], *, staff_id: int, name: str, day: date,
                 start: str = "", end: str = "", punch_id: int | None = None) -> None:
        self.staff_id, self.day, self.start, self.end, self.punch_id = staff_id, day, start, end, punch_id
        self.FORM_TITLE = f"Punch fix: {name}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("day", "Date", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("start_time", "In at", placeholder="08:00"),
            FieldSpec("end_time", "Out at", placeholder="5:00 PM"),
            FieldSpec("reason", "Reason", placeholder="forgot to punch out"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"day": self.day, "start_time": self.start, "end_time": self.end}

    def build(self, values: dict[str, Any]) -> FixEntry:
        return FixEntry.model_validate({**values, "staff_id": self.staff_id, "punch_id": self.punch_id,
                                        "reason": values["reason"] or ""})
