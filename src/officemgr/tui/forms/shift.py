"""A shift (who works when) and a time-off request.

Both offer the active staff as `people` ((label, id), read by the view that opens them); the time-off form also
the practice's kinds of time off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Select, Static

from officemgr.models import ShiftCreate, TimeOffCreate
from officemgr.services import leave
from officemgr.services.leave import RequestBalances
from officemgr.services.roster import OVER_BALANCE_REFUSAL, OverBalance, ShiftRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Refused
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


@dataclass(frozen=True)
class TimeOffRequest:
    """What the time-off form asks for, and what to do when it is over the balance it draws on."""

    data: TimeOffCreate
    over_balance: OverBalance


class TimeOffForm(RecordForm[TimeOffRequest]):
    """The request, with the chosen person's balance for the chosen kind under the fields ("PTO left on 11/23:
    24.0 h; this request: 16.0 h"). Over the balance the service refuses unless "Save it as unpaid" is chosen."""

    FORM_TITLE = "Request time off"

    def __init__(self, ctx: AppContext, save: SaveCall[TimeOffRequest], *, people: list[tuple[str, int]],
                 kinds: list[str], staff_id: int | None, day: date, balances: RequestBalances) -> None:
        self.people, self.kinds, self.staff_id, self.day, self.balances = people, kinds, staff_id, day, balances
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("staff_id", "Who", kind="select", options=self.people),
            FieldSpec("kind", "Kind", kind="select", options=[(k, k) for k in self.kinds]),
            FieldSpec("start_date", "First day", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("end_date", "Last day", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("hours", "Paid hours", optional=True, placeholder="8 per day the practice is open if empty"),
            FieldSpec("over_balance", "If over the balance", kind="select",
                      options=[("Refuse it: save nothing", OverBalance.refuse),
                               ("Save it as unpaid", OverBalance.unpaid)]),
            FieldSpec("note", "Note", optional=True),
        ]

    def initial(self) -> dict[str, Any]:
        return {"staff_id": self.staff_id, "kind": self.kinds[0] if self.kinds else None, "start_date": self.day,
                "end_date": self.day, "over_balance": OverBalance.refuse}

    def on_mount(self) -> None:
        self.query_one(".form", Vertical).mount(Static("", id="leave-balance"), before="#form-error")
        super().on_mount()
        self._show_balance()

    @on(Select.Changed)
    @on(Input.Changed)
    def _show_balance(self) -> None:
        if not self.query("#leave-balance"):
            return
        values = self.collect()
        start, end = values["start_date"], values["end_date"]
        asked: float | None = None
        try:
            asked = float(values["hours"]) if values["hours"] is not None else None
        except ValueError:
            asked = None
        if asked is None and isinstance(start, date) and isinstance(end, date):
            asked = leave.request_hours(self.balances.calendar, start, end, None)
        staff_id = values["staff_id"] if isinstance(values["staff_id"], int) else None
        self.query_one("#leave-balance", Static).update(Text(self.balances.line(staff_id, values["kind"], asked)))

    def fit_fields(self) -> None:
        # The balance line under the fields takes a row of the room the fields may scroll in.
        super().fit_fields()
        scroll = self.query_one(".form-fields", VerticalScroll)
        if self.query("#leave-balance") and scroll.styles.max_height is not None:
            scroll.styles.max_height = max(3, int(scroll.styles.max_height.value) - 1)

    def when_refused(self, message: Refused) -> None:
        super().when_refused(message)
        if OVER_BALANCE_REFUSAL in message.message:  # on to the choice that would save it
            self.query_one("#f-over_balance", Select).focus()

    def build(self, values: dict[str, Any]) -> TimeOffRequest:
        # The form hands a select's value on as plain text: back to the choice it names.
        choice = OverBalance(values.pop("over_balance") or OverBalance.refuse)
        return TimeOffRequest(TimeOffCreate.model_validate({**values, "note": values["note"] or ""}), choice)
