"""Schedule tab: the day grid (providers side by side), the day list, and one provider's week.

Privacy mode (setting "privacy_tabs"): patients show as initials and age; `v` shows one appointment's name for a
moment, `w` switches between the day grid, the list and the week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.timer import Timer
from textual.widgets import DataTable, Label

from officemgr.models import ApptStatus
from officemgr.models.schedule import RecallCreate
from officemgr.services import frontdesk, schedule, settings
from officemgr.services.schedule import ADVANCE, ApptRow, BookingChoices, DaySchedule, ProviderDay
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.appointment import AppointmentForm
from officemgr.tui.forms.cancel import CancelForm, CancelReason
from officemgr.tui.forms.move import MoveForm
from officemgr.tui.forms.recall import RecallForm
from officemgr.tui.views.appointment_detail import AppointmentScreen
from officemgr.tui.views.schedule_writes import ScheduleWrites, book, move
from officemgr.tui.views.slot_finder import SlotFinder
from officemgr.tui.widgets.base import TabView, plain, select_key, selected_key
from officemgr.tui.widgets.fast_table import FastTable
from officemgr.tui.widgets.schedule_grid import Grid, GridColumn, build_grid, status_cell

MODES = ("day", "list", "week")


@dataclass(frozen=True)
class WeekData:
    provider_name: str
    days: list[ProviderDay]


@dataclass(frozen=True)
class Loaded:
    data: DaySchedule | WeekData
    private: bool  # patients by initials and age


class ScheduleView(ScheduleWrites, TabView):
    BINDINGS = [
        *TabView.BINDINGS,
        Binding("left_square_bracket", "step(-1)", "Back", id="schedule_prev"),
        Binding("right_square_bracket", "step(1)", "Forward", id="schedule_next"),
        Binding("t", "today", "Today", id="schedule_today"),
        Binding("w", "switch_view", "Day/list/week", id="schedule_view"),
        Binding("v", "reveal", "Show name", id="schedule_reveal"),
        Binding("p", "next_provider", "Next provider", id="schedule_provider"),
        Binding("a", "add", "Book", id="schedule_add"),
        Binding("n", "new_here", "Book this slot", id="schedule_new_here"),
        Binding("f", "find_slot", "Next open slot", id="schedule_find"),
        Binding("d", "advance", "Next status", id="schedule_advance"),
        Binding("o", "set_status('no_show')", "No-show", id="schedule_no_show"),
        Binding("x", "cancel_appt", "Cancel appt", id="schedule_cancel"),
        Binding("u", "undo", "Undo last change", id="schedule_undo"),
        Binding("m", "move", "Move", id="schedule_move"),
        Binding("r", "front_desk", "Front-desk lists", id="schedule_front_desk"),
        Binding("h", "hours", "Hours, blocks, types", id="schedule_hours"),
        Binding("c", "recall", "Recall (back in…)", id="schedule_recall"),
        # Hidden: the tab's footer is full; the palette also finds the drawer by name.
        Binding("D", "app.drawer", "Drawer close", id="schedule_drawer", show=False),
    ]
    REVEAL_SECONDS = 10.0  # how long `v` shows a patient's full name

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # `u` undoes the user's own changes since the app opened (the tab is made as the app opens).
        self.opened_at = self.ctx.now()
        self.day: date | None = None
        self.mode = "day"
        self.provider_index = 0
        self.rows: dict[int, ApptRow] = {}
        self.grid: Grid | None = None
        self.pending_select: int | None = None
        self.private = True
        self.revealed: int | None = None
        self.reveal_timer: Timer | None = None
        self.columns: list[GridColumn] = []
        self.drawn: tuple[object, ...] | None = None  # what the table shows, to skip rebuilding it unchanged
        self.booking: AppointmentForm | None = None

    def compose(self) -> ComposeResult:
        yield Label("", classes="view-title", id="schedule-title")
        yield FastTable(zebra_stripes=True, id="schedule-table")
        yield from self.compose_filter()

    def on_mount(self) -> None:
        self.day = self.ctx.today
        super().on_mount()

    # ---- loading

    def fetch(self, session: Session) -> Loaded:
        return Loaded(self._fetch(session), "schedule" in settings.get(session, "privacy_tabs"))

    def _fetch(self, session: Session) -> DaySchedule | WeekData:
        day = self.day or self.ctx.today
        if self.mode == "week":
            ids = [p.id for p in schedule.provider_choices(session)]
            if not ids:
                return WeekData("", [])
            pid = ids[self.provider_index % len(ids)]
            monday = day - timedelta(days=day.weekday())
            days = schedule.week_schedule(session, pid, monday)
            return WeekData(days[0].provider_name, days)
        return schedule.day_schedule(session, day)

    def show(self, loaded: Loaded) -> None:
        # A reload after a write elsewhere (a booking on another day) often brings the same data: rebuilding
        # the table would only repaint every cell.
        drawn = (loaded, self.mode, self.filter_text, self.app.size.width)
        if drawn == self.drawn and self.revealed is None:
            if self.pending_select is not None:
                self._select(self.pending_select)
            self.pending_select = None
            return
        self.drawn = drawn
        data, self.private = loaded.data, loaded.private
        self._stop_reveal()
        table = self.query_one(DataTable)
        keep = self.pending_select or self.selected_id()
        coordinate = table.cursor_coordinate
        table.clear(columns=True)
        self.rows, self.grid = {}, None
        if isinstance(data, WeekData):
            self._show_week(table, data)
        elif self.mode == "list":
            self._show_list(table, data)
        else:
            self._show_day(table, data)
        if not (keep and self._select(keep)):
            table.cursor_coordinate = coordinate
        self.pending_select = None

    def _show_day(self, table: DataTable[Any], data: DaySchedule) -> None:
        table.cursor_type = "cell"
        columns = [GridColumn(provider_label(p), data.day, p.provider_id, p.plan, self._visible(p.appointments))
                   for p in data.providers]
        self._fill_grid(table, columns)
        today = self.ctx.today
        when = "today" if data.day == today else f"{(data.day - today).days:+d} days"
        self._title(f"{data.day:%A %B %-d, %Y} ({when}) · day view · w: list, week")
        self._summarise(data.providers)

    def _show_week(self, table: DataTable[Any], data: WeekData) -> None:
        table.cursor_type = "cell"
        today = self.ctx.today
        columns = [GridColumn(f"{p.plan.day:%a %m/%d}" if p.plan else "", p.plan.day if p.plan else today,
                              p.provider_id, p.plan, self._visible(p.appointments)) for p in data.days]
        self._fill_grid(table, columns)
        first = data.days[0].plan.day if data.days and data.days[0].plan else today
        self._title(f"{data.provider_name}: week of {first:%B %-d, %Y} · p: next provider · w: day view")
        booked = sum(p.booked for p in data.days)
        self.set_status(f"{booked} booked this week · {sum(p.open_slots for p in data.days)} open slots · "
                        "n books the selected free slot")

    def _show_list(self, table: DataTable[Any], data: DaySchedule) -> None:
        table.cursor_type = "row"
        self.patient_column = table.add_columns("Time", "Provider", "Patient", "Type", "Status", "Reason", "")[2]
        names = {p.provider_id: p.provider_name for p in data.providers}
        visible = self._visible(data.rows)
        for row in visible:
            self.rows[row.id] = row
            table.add_row(
                Text(f"{row.start:%H:%M}–{row.end:%H:%M}"), plain(names.get(row.provider_id, "")),
                plain(self.name_of(row)), plain(row.type_name), status_cell(row.status), plain(row.reason),
                Text("double-book", style="bold red") if row.double_booked else Text(""),
                key=str(row.id),
            )
        self._title(f"{data.day:%A %B %-d, %Y} · list · {len(visible)} appointments")
        self._summarise(data.providers)

    def _fill_grid(self, table: DataTable[Any], columns: list[GridColumn]) -> None:
        self.columns = columns
        self.grid = build_grid(columns, self.name_of)
        table.add_column("Time", width=5)
        width = max(14, min(36, (self.app.size.width - 12) // max(1, len(columns)) - 2))
        for column in columns:
            table.add_column(column.label if isinstance(column.label, Text) else Text(column.label), width=width)
        for r, cells in enumerate(self.grid.cells):
            table.add_row(*cells, key=f"slot-{r}")
        for appt in self.grid.appointments.values():
            self.rows[appt.id] = appt

    def name_of(self, appt: ApptRow) -> str:
        return appt.private_name if self.private and appt.id != self.revealed else appt.patient_name

    def _visible(self, appts: list[ApptRow]) -> list[ApptRow]:
        return [a for a in appts if self.matches(a.patient_name, a.type_name, a.reason, a.status.label)]

    def _title(self, text: str) -> None:
        self.query_one("#schedule-title", Label).update(Text(text))

    def _summarise(self, providers: list[ProviderDay]) -> None:
        summary = " · ".join(f"{p.provider_name} {p.booked} booked, {p.open_slots} open" for p in providers)
        self.set_status(summary or "No providers yet: add one on the Staff tab")

    # ---- selection

    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if self.grid is not None:
            appt = self.grid.appointments.get((table.cursor_coordinate.row, table.cursor_coordinate.column))
            return appt.id if appt else None
        key = selected_key(table)
        return int(key) if key else None

    def selected_row(self) -> ApptRow | None:
        """The appointment under the cursor; says so when there is none, since every caller needs one."""
        appt_id = self.selected_id()
        row = self.rows.get(appt_id) if appt_id is not None else None
        if row is None:
            self.say("Put the cursor on an appointment first", "warning")
        return row

    def _select(self, appt_id: int) -> bool:
        table = self.query_one(DataTable)
        if self.grid is None:
            return select_key(table, appt_id)
        cells = [cell for cell, appt in self.grid.appointments.items() if appt.id == appt_id]
        if cells:
            table.cursor_coordinate = Coordinate(*min(cells))
        return bool(cells)

    def focus_record(self, record_id: int | None) -> None:
        if record_id is None:
            return
        if not self._select(record_id):
            # The appointment may be on another day (yesterday's no-shows): load that day first.
            self.pending_select = record_id
            self.load_day_of(record_id)

    # ---- privacy: one appointment's name for a few seconds

    def action_reveal(self) -> None:
        if not self.private:
            self.say("Names show in full on this tab (privacy mode is off for it in the settings).")
            return
        row = self.selected_row()
        if row is None:
            return
        self.conceal()
        self.revealed = row.id
        self._redraw_names()
        self.reveal_timer = self.set_timer(self.REVEAL_SECONDS, self.conceal)

    def conceal(self) -> None:
        """Back to initials (the reveal timed out, the cursor moved or the screen locked)."""
        if self.revealed is not None:
            self._stop_reveal()
            self._redraw_names()

    def _stop_reveal(self) -> None:
        if self.reveal_timer is not None:
            self.reveal_timer.stop()
            self.reveal_timer = None
        self.revealed = None

    def _redraw_names(self) -> None:
        """Rewrite only the cells whose text changed, so the cursor and the scroll stay where they are."""
        table = self.query_one(DataTable)
        if self.grid is None:
            for key in table.rows:
                table.update_cell(key, self.patient_column, plain(self.name_of(self.rows[int(key.value or 0)])),
                                  update_width=True)
            return
        grid = build_grid(self.columns, self.name_of)
        for r, cells in enumerate(grid.cells):
            for c, cell in enumerate(cells):
                if cell != self.grid.cells[r][c]:
                    table.update_cell_at(Coordinate(r, c), cell)
        self.grid = grid

    @on(DataTable.CellHighlighted)
    @on(DataTable.RowHighlighted)
    def _moved(self, event: DataTable.CellHighlighted | DataTable.RowHighlighted) -> None:
        if self.revealed is not None and self.selected_id() != self.revealed:
            self.conceal()

    # ---- navigation

    def go_to(self, day: date) -> None:
        self.day = day
        self.reload()

    def action_step(self, delta: int) -> None:
        days = 7 if self.mode == "week" else 1
        self.go_to((self.day or self.ctx.today) + timedelta(days=delta * days))

    def action_today(self) -> None:
        self.go_to(self.ctx.today)

    def action_switch_view(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.reload()

    def action_next_provider(self) -> None:
        if self.mode == "week":
            self.provider_index += 1
            self.reload()

    @on(DataTable.CellSelected)
    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.CellSelected | DataTable.RowSelected) -> None:
        event.stop()
        appt_id = self.selected_id()
        if appt_id is not None:
            self.app.push_screen(AppointmentScreen(self.ctx, appt_id), self.reload_if_saved)

    # ---- forms and lists

    def booking_form(self, choices: BookingChoices, **where: Any) -> AppointmentForm:
        """The booking form, composed once and renewed for each booking: composing its fifty widgets takes
        longer than a frame; refilling them does not. Installed, so closing it keeps it."""
        if self.booking is None:
            self.booking = AppointmentForm(self.ctx, book(self.ctx), choices, **where)
            self.app.install_screen(self.booking, name=f"booking-{id(self)}")
            return self.booking
        return self.booking.renew(choices, **where)

    def action_add(self) -> None:
        day = self.day or self.ctx.today
        self.open_with_choices(lambda choices: self.booking_form(choices, day=day))

    def action_new_here(self) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_coordinate
        free = self.grid.free.get((cursor.row, cursor.column)) if self.grid else None
        if free is None:
            self.say("Put the cursor on a free slot (·) in the day or week view", "warning")
            return
        provider_id, start = free
        self.open_with_choices(lambda choices: self.booking_form(choices, day=start.date(), provider_id=provider_id,
                                                                 start=start))

    def action_find_slot(self) -> None:
        from_day = max(self.day or self.ctx.today, self.ctx.today)
        self.open_with_choices(lambda choices: SlotFinder(self.ctx, choices, from_day=from_day))

    def action_move(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_with_choices(lambda choices: MoveForm(self.ctx, move(self.ctx, row), row, choices.providers))

    def action_cancel_appt(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        ctx = self.ctx

        def cancel(session: Session, why: CancelReason) -> None:
            schedule.set_status(session, row.id, ApptStatus.cancelled, now=ctx.now(), actor=ctx.actor,
                                expected_version=row.version, reason=why.reason)

        self.app.push_screen(CancelForm(ctx, cancel, row), lambda saved: self._after_cancel(row, saved))

    def _after_cancel(self, row: ApptRow, saved: bool | None) -> None:
        if saved:
            self.reload()
            self.offer_freed_slot(row)

    def action_recall(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        ctx = self.ctx

        def add_recall(session: Session, recall: RecallCreate) -> None:
            frontdesk.add_recall(session, recall, now=ctx.now(), actor=ctx.actor)

        self.app.push_screen(RecallForm(ctx, add_recall, row), self.reload_if_saved)

    def action_front_desk(self) -> None:
        from officemgr.tui.views.frontdesk import FrontDeskScreen

        self.app.push_screen(FrontDeskScreen(self.ctx), self.reload_if_saved)

    def action_hours(self) -> None:
        from officemgr.tui.views.provider_template import TemplateScreen

        column = self.query_one(DataTable).cursor_coordinate.column
        free = next((pid for (r, c), (pid, _) in (self.grid.free.items() if self.grid else []) if c == column), None)
        appt_id = self.selected_id()
        appt = self.rows.get(appt_id) if appt_id is not None else None
        self.app.push_screen(TemplateScreen(self.ctx, appt.provider_id if appt else free), self.reload_if_saved)

    def reload_if_saved(self, saved: bool | None) -> None:
        if saved:
            self.reload()

    def action_advance(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        nxt = ADVANCE.get(row.status)
        if nxt is None:
            self.say(f"{row.status.label}: nothing follows", "warning")
            return
        self.change_status(row, nxt)

    def action_set_status(self, value: str) -> None:
        row = self.selected_row()
        if row is not None:
            self.change_status(row, ApptStatus(value))

    def action_undo(self) -> None:
        self.undo()


def provider_label(day: ProviderDay) -> Text:
    """A provider's column heading, red with the reason when a required credential has lapsed."""
    if day.lapsed:
        return Text(f"! {day.provider_name} ({', '.join(day.lapsed)} expired)", style="bold red")
    return Text(day.provider_name)
