"""Next open slot: for a type's length, optionally one provider and a part of the day, from a date on."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Select, Static

from officemgr.models.validation import parse_date
from officemgr.services import availability, schedule
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import DatabaseWork, Session
from officemgr.tui.forms.appointment import AppointmentForm
from officemgr.tui.views.schedule_writes import book
from officemgr.tui.widgets.base import selected_key


class SlotFinder(DatabaseWork, ModalScreen[bool]):
    BINDINGS = [Binding("escape", "close", "Close", id="slots_close")]

    def __init__(self, ctx: AppContext, choices: schedule.BookingChoices, *, from_day: date) -> None:
        """`choices` (schedule.booking_choices) are read in a worker before the screen opens."""
        super().__init__()
        self.ctx = ctx
        self.choices = choices
        self.types = {t.id: t for t in choices.types}
        self.from_day = from_day
        self.slots: list[availability.Slot] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="form wide"):
            yield Label("Next open slot", classes="form-title")
            with Horizontal(classes="field-row"):
                yield Label("Type", classes="field-label")
                yield Select([(t.label, t.id) for t in self.types.values()],
                             value=next(iter(self.types), Select.NULL), allow_blank=False, id="slot-type",
                             compact=True)
            with Horizontal(classes="field-row"):
                yield Label("Provider", classes="field-label")
                yield Select([(p.label, p.id) for p in self.choices.providers], prompt="any provider",
                             id="slot-provider", compact=True)
            with Horizontal(classes="field-row"):
                yield Label("Part of day", classes="field-label")
                yield Select([("morning", "morning"), ("afternoon", "afternoon")], prompt="any time",
                             id="slot-part", compact=True)
            with Horizontal(classes="field-row"):
                yield Label("From", classes="field-label")
                yield Input(f"{self.from_day:%m/%d/%Y}", id="slot-from", compact=True)
            yield Static("", id="slot-error", classes="field-error")
            yield DataTable(id="slot-table", classes="short", cursor_type="row")
            yield Static(Text("enter books the selected slot · tab moves · escape closes"), classes="form-hint")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("When", "Provider", "Length")
        self.search()

    @on(Select.Changed)
    @on(Input.Changed)
    def _changed(self, event: Any) -> None:
        event.stop()
        self.search()

    def criteria(self) -> dict[str, Any] | None:
        kind = self.query_one("#slot-type", Select).value
        provider = self.query_one("#slot-provider", Select).value
        part = self.query_one("#slot-part", Select).value
        day = parse_date(self.query_one("#slot-from", Input).value)
        error = self.query_one("#slot-error", Static)
        error.display = day is None
        if day is None:
            error.update(Text("a date looks like 11/23/2026 or 2026-11-23"))
            return None
        return {
            "minutes": self.types[kind].minutes if kind in self.types else 15,
            "provider_id": None if provider is Select.NULL else provider,
            "part": None if part is Select.NULL else part,
            "from_day": day,
        }

    def search(self) -> None:
        criteria = self.criteria()
        if criteria is None:
            return

        def fetch(session: Session) -> list[availability.Slot]:
            return availability.open_slots(session, limit=12, not_before=self.ctx.now(), **criteria)

        self.read(fetch, self._show, group="slots")

    def _show(self, slots: list[availability.Slot]) -> None:
        self.slots = slots
        table = self.query_one(DataTable)
        table.clear()
        for n, slot in enumerate(slots):
            table.add_row(Text(f"{slot.start:%a %m/%d/%Y %H:%M}"), Text(slot.provider_name),
                          Text(f"{(slot.end - slot.start).seconds // 60} min"), key=str(n))
        if not slots:
            table.add_row(Text("no open slot in the next 60 days", style="dim"), "", "")

    @on(DataTable.RowSelected)
    def _book(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = selected_key(self.query_one(DataTable))
        if key is None or not key.isdigit():
            return
        slot = self.slots[int(key)]
        kind = self.query_one("#slot-type", Select).value
        form = AppointmentForm(self.ctx, book(self.ctx), self.choices, day=slot.start.date(),
                               provider_id=slot.provider_id, start=slot.start,
                               type_id=kind if kind in self.types else None)
        self.app.push_screen(form, self._booked)

    def _booked(self, saved: bool | None) -> None:
        if saved:
            self.dismiss(True)
        else:
            self.search()

    def action_close(self) -> None:
        self.dismiss(False)

