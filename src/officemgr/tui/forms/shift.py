"""A shift (who works when) and a time-off request."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from officemgr.models import Shift, ShiftCreate, TimeOffCreate
from officemgr.services import roster, settings
from officemgr.services.staff import active_staff
from officemgr.store import read_session
from officemgr.tui.forms.base import FieldSpec, RecordForm


def _people(app) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    with read_session(app.engine) as session:
        return [(f"{p.name} ({p.role.label})", p.id) for p in active_staff(session)]


class ShiftForm(RecordForm):
    def __init__(self, *, staff_id: int | None, day: date, shift: Shift | None = None) -> None:
        self.staff_id, self.day, self.shift = staff_id, day, shift
        self.FORM_TITLE = "Edit shift" if shift else "Add a shift"
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("staff_id", "Who", kind="select", options=_people(self.app)),
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

    def build(self, values: dict[str, Any]) -> BaseModel:
        return ShiftCreate.model_validate(values)

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, ShiftCreate)
        now, actor = self.app.now(), self.app.actor  # type: ignore[attr-defined]
        if self.shift is None:
            roster.add_shift(session, model, now=now, actor=actor)
        else:
            roster.update_shift(session, self.shift.id, model, now=now, actor=actor,
                                expected_version=self.shift.version)


class TimeOffForm(RecordForm):
    FORM_TITLE = "Request time off"

    def __init__(self, *, staff_id: int | None, day: date) -> None:
        self.staff_id, self.day = staff_id, day
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        with read_session(self.app.engine) as session:  # type: ignore[attr-defined]
            kinds = settings.get(session, "time_off_kinds")
        return [
            FieldSpec("staff_id", "Who", kind="select", options=_people(self.app)),
            FieldSpec("kind", "Kind", kind="select", options=[(k, k) for k in kinds]),
            FieldSpec("start_date", "First day", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("end_date", "Last day", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("hours", "Paid hours", optional=True, placeholder="8 per weekday if empty"),
            FieldSpec("note", "Note", optional=True),
        ]

    def initial(self) -> dict[str, Any]:
        return {"staff_id": self.staff_id, "start_date": self.day, "end_date": self.day}

    def build(self, values: dict[str, Any]) -> BaseModel:
        return TimeOffCreate.model_validate({**values, "note": values["note"] or ""})

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, TimeOffCreate)
        roster.request_time_off(session, model, now=self.app.now(), actor=self.app.actor)  # type: ignore[attr-defined]
