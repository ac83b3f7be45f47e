"""The practice calendar (palette: "Practice calendar"): the coming federal holidays and the practice's own closed
days and half days, with `a` to close a day (for everyone or one provider) and `x` to remove a closure.

A closure over booked patients saves (the day is closed whatever is booked) and then lists the bookings it strands,
with phone numbers, to call and reschedule.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import ClosureCreate
from officemgr.services import calendar
from officemgr.services.calendar import CalendarLine, StrandedBooking
from officemgr.services.format import plural
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.closure import ClosureForm
from officemgr.tui.widgets.base import ListScreen, plain, selected_key

COLUMNS = ("Day", "What", "Kind")


class PracticeCalendarScreen(ListScreen):
    BINDINGS = [
        Binding("escape", "close", "Close", id="calendar_close"),
        Binding("a", "add", "Close a day", id="calendar_add"),
        Binding("x,delete", "remove", "Remove closure", id="calendar_remove"),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: dict[str, CalendarLine] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="form listing"):
            yield Label(Text("Practice calendar"), classes="form-title", id="calendar-title")
            yield DataTable(id="calendar-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text("a close a day or a half day (the practice or one provider) · x remove a closure · "
                              "escape close. Weekdays open and holidays worked are the settings open_weekdays and "
                              "open_on_holidays."), classes="form-hint")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#calendar-table", DataTable)

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        self.table.focus()
        self.reload()

    def fetch(self, session: Session) -> list[CalendarLine]:
        return calendar.overview(session, self.ctx.today)

    def show(self, data: list[CalendarLine]) -> None:
        table = self.table
        table.clear()
        self.lines = {}
        for n, line in enumerate(data):
            key = f"c{line.closure_id}" if line.closure_id is not None else f"h{n}"
            self.lines[key] = line
            table.add_row(Text(f"{line.day:%a %m/%d/%Y}"), plain(line.what), plain(line.kind), key=key)
        own = sum(1 for line in data if line.closure_id is not None)
        self.query_one("#calendar-title", Label).update(
            Text(f"Practice calendar · {plural(own, 'closure')} · federal holidays of the next 12 months"))

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_add(self) -> None:
        self.read(calendar.provider_choices, self._open_form, group="open")

    def _open_form(self, providers: list[tuple[str, int]]) -> None:
        ctx = self.ctx

        def save(session: Session, closure: ClosureCreate) -> list[StrandedBooking]:
            stranded = calendar.stranded_bookings(session, closure)
            calendar.add_closure(session, closure, now=ctx.now(), actor=ctx.actor)
            return stranded

        form = ClosureForm(ctx, save, providers)
        self.app.push_screen(form, lambda saved: self._added(form) if saved else None)

    def _added(self, form: ClosureForm) -> None:
        self.changed = True
        self.reload()
        stranded = form.result if isinstance(form.result, list) else []
        if stranded:
            self.app.push_screen(StrandedScreen(stranded))
        else:
            self.say("Day closed: no bookings on it.")

    def action_remove(self) -> None:
        key = selected_key(self.table)
        line = self.lines.get(key) if key else None
        if line is None or line.closure_id is None:
            self.say("Only the practice's own closures can be removed; a federal holiday the practice works is "
                     "the setting open_on_holidays.", "warning")
            return
        closure_id = line.closure_id
        ctx = self.ctx
        self.run_write(lambda session: calendar.remove_closure(session, closure_id, now=ctx.now(), actor=ctx.actor),
                       f"Closure on {line.day:%m/%d/%Y} removed")


class StrandedScreen(ModalScreen[None]):
    """The bookings a new closure left without a provider: the call list to reschedule them."""

    BINDINGS = [Binding("escape", "dismiss", "Close", id="stranded_close")]

    def __init__(self, stranded: list[StrandedBooking], what: str = "Day closed") -> None:
        """`what` heads the list: "Day closed", or a provider's new block."""
        super().__init__()
        self.stranded = stranded
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="form listing"):
            yield Label(Text(f"{self.what}: {plural(len(self.stranded), 'booking')} to call and reschedule"),
                        classes="form-title")
            yield DataTable(id="stranded-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text("They stay booked until moved (Schedule tab, m) or cancelled (x). escape closes."),
                          classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one("#stranded-table", DataTable)
        table.add_columns("Time", "Patient", "Phone", "Provider")
        for booking in self.stranded:
            table.add_row(Text(f"{booking.start:%a %m/%d %H:%M}"), plain(booking.patient), plain(booking.phone or "—"),
                          plain(booking.provider), key=str(booking.appointment_id))
        table.focus()
