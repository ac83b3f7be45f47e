"""Schedule tab: the day's appointments for every provider, moved by day, with the status keys."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label

from officemgr.models import ApptStatus
from officemgr.services import schedule
from officemgr.services.common import ServiceError
from officemgr.services.schedule import ADVANCE, ApptRow, DaySchedule
from officemgr.store import write_session
from officemgr.tui.forms.appointment import AppointmentForm
from officemgr.tui.widgets.base import TabView, plain, select_key, selected_key

STATUS_STYLE = {
    ApptStatus.booked: "",
    ApptStatus.arrived: "bold yellow",
    ApptStatus.in_room: "bold cyan",
    ApptStatus.checked_out: "green",
    ApptStatus.cancelled: "dim strike",
    ApptStatus.no_show: "bold red",
}


def status_cell(status: ApptStatus) -> Text:
    return Text(f"{status.letter} {status.label}", style=STATUS_STYLE[status])


class ScheduleView(TabView):
    BINDINGS = [
        *TabView.BINDINGS,
        Binding("left_square_bracket", "day(-1)", "Prev day", id="schedule_prev"),
        Binding("right_square_bracket", "day(1)", "Next day", id="schedule_next"),
        Binding("t", "today", "Today", id="schedule_today"),
        Binding("a", "add", "Book", id="schedule_add"),
        Binding("d", "advance", "Next status", id="schedule_advance"),
        Binding("x", "set_status('cancelled')", "Cancel appt", id="schedule_cancel"),
        Binding("o", "set_status('no_show')", "No-show", id="schedule_no_show"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.day: date | None = None
        self.rows: dict[int, ApptRow] = {}
        self.pending_select: int | None = None

    def compose(self) -> ComposeResult:
        yield Label("", classes="view-title", id="schedule-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="schedule-table")
        yield from self.compose_filter()

    def on_mount(self) -> None:
        self.day = self.today
        self.query_one(DataTable).add_columns("Time", "Provider", "Patient", "Type", "Status", "Reason", "")
        super().on_mount()

    def fetch(self, session: Session) -> DaySchedule:
        return schedule.day_schedule(session, self.day or self.today)

    def show(self, data: DaySchedule) -> None:
        table = self.query_one(DataTable)
        keep = self.pending_select or self.selected_id()
        table.clear()
        names = {p.provider_id: p.provider_name for p in data.providers}
        self.rows = {}
        for row in data.rows:
            if not self.matches(row.patient_name, names.get(row.provider_id), row.type_name, row.reason,
                                row.status.label):
                continue
            self.rows[row.id] = row
            table.add_row(
                Text(f"{row.start:%H:%M}–{row.end:%H:%M}"),
                plain(names.get(row.provider_id, "")),
                plain(row.patient_name),
                plain(row.type_name),
                status_cell(row.status),
                plain(row.reason),
                Text("double-book", style="bold red") if row.double_booked else Text(""),
                key=str(row.id),
            )
        self._select(keep)
        self.pending_select = None
        when = "today" if data.day == self.today else f"{(data.day - self.today).days:+d} days"
        self.query_one("#schedule-title", Label).update(
            Text(f"{data.day:%A %B %-d, %Y} ({when}) · {len(self.rows)} appointments")
        )
        summary = " · ".join(f"{p.provider_name} {p.booked} booked, {p.open_slots} open" for p in data.providers)
        self.set_status(summary or "No providers yet: add one on the Staff tab")

    def selected_id(self) -> int | None:
        key = selected_key(self.query_one(DataTable))
        return int(key) if key else None

    def _select(self, appt_id: int | None) -> None:
        select_key(self.query_one(DataTable), appt_id)

    def focus_record(self, record_id: int | None) -> None:
        if record_id is None:
            return
        if record_id in self.rows:
            self._select(record_id)
        else:
            # The appointment may be on another day (yesterday's no-shows): load that day first.
            self.pending_select = record_id
            self._load_day_of(record_id)

    @work(thread=True, exclusive=True, group="lookup")
    def _load_day_of(self, appt_id: int) -> None:
        from officemgr.models import Appointment
        from officemgr.store import read_session

        with read_session(self.engine) as session:
            appt = session.get(Appointment, appt_id)
            day = appt.start.date() if appt else None
        if day is not None:
            self.app.call_from_thread(self._go_to, day)

    def _go_to(self, day: date) -> None:
        self.day = day
        self.reload()

    def action_day(self, delta: int) -> None:
        self._go_to((self.day or self.today) + timedelta(days=delta))

    def action_today(self) -> None:
        self._go_to(self.today)

    def action_add(self) -> None:
        self.app.push_screen(AppointmentForm(day=self.day or self.today), self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.say("Appointment booked")
            self.reload()

    def action_advance(self) -> None:
        row = self.rows.get(self.selected_id() or -1)
        if row is None:
            return
        nxt = ADVANCE.get(row.status)
        if nxt is None:
            self.say(f"{row.status.label}: nothing follows", "warning")
            return
        self._change_status(row, nxt)

    def action_set_status(self, value: str) -> None:
        row = self.rows.get(self.selected_id() or -1)
        if row is not None:
            self._change_status(row, ApptStatus(value))

    @work(thread=True, exclusive=True, group="write")
    def _change_status(self, row: ApptRow, status: ApptStatus) -> None:
        try:
            with write_session(self.engine) as session:
                schedule.set_status(session, row.id, status, now=self.now(), actor=self.actor,
                                    expected_version=row.version)
        except ServiceError as exc:
            self.app.call_from_thread(self.say, str(exc), "error")
            return
        except SQLAlchemyError as exc:
            self.app.call_from_thread(self.say, f"Not saved: the database refused it ({exc.__class__.__name__})",
                                      "error")
            return
        self.app.call_from_thread(self.say, f"{row.patient_name}: {status.label}")
        self.app.call_from_thread(self.reload)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self.rows.get(int(event.row_key.value or -1))
        if row:
            self.say(
                f"{row.patient_name} · {row.type_name} · {row.start:%H:%M}–{row.end:%H:%M} · "
                f"{row.status.label}" + (f" · {row.reason}" if row.reason else "")
            )
