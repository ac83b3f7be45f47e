"""Staff meetings, opened from the Staff tab (m): the list (date, title, attendees, actions still open); a plans a
meeting, enter opens it, f finishes the selected one. An open meeting shows its agenda, minutes, attendees and
actions: e edits it, a adds an action (a huddle action: it comes back on the Huddle until done), f finishes it.
A finished meeting is read-only, like a finished huddle; only the manager changes meetings."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models.huddle import ActionCreate
from officemgr.services import meetings
from officemgr.services.access import Area, may
from officemgr.services.calendar import practice_calendar
from officemgr.services.meetings import MeetingDetail, MeetingRow, MeetingWrite
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.huddle import ActionForm
from officemgr.tui.forms.meeting import MeetingForm
from officemgr.tui.widgets.base import ListScreen, plain, selected_key

CSS = """
{name} > .meetings {{
    width: 95%;
    max-width: 150;
    height: 90%;
    border: thick $accent;
    background: $panel;
    padding: 0 1;
}}
"""


class MeetingsScreen(ListScreen):
    DEFAULT_CSS = CSS.format(name="MeetingsScreen")
    BINDINGS = [
        Binding("escape", "close", "Close", id="meetings_close"),
        Binding("a", "add", "Plan a meeting", id="meetings_add"),
        Binding("enter", "open", "Open", id="meetings_open"),
        Binding("f", "finish", "Finish", id="meetings_finish"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.rows: dict[str, MeetingRow] = {}
        self.staff: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="meetings"):
            yield Label(Text("Staff meetings"), classes="form-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="meetings-list")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#meetings-list", DataTable)
        table.add_columns("Date", "Title", "Attended", "Actions open", "")
        table.focus()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "finish"):
            return may(self.ctx.actor, Area.staff)
        return True

    def fetch(self, session: Session) -> tuple[list[MeetingRow], list[tuple[str, int]]]:
        rows = meetings.meetings(session, actor=self.ctx.actor)
        return rows, meetings.active_staff(session, self.ctx.today)

    def show(self, data: tuple[list[MeetingRow], list[tuple[str, int]]]) -> None:
        rows, self.staff = data
        table: DataTable[Any] = self.query_one("#meetings-list", DataTable)
        keep = selected_key(table)
        table.clear()
        self.rows = {str(r.meeting_id): r for r in rows}
        for r in rows:
            state = "finished" if r.finished else ("planned" if r.day > self.ctx.today else "open")
            table.add_row(Text(f"{r.day:%a %m/%d/%Y}"), plain(r.title), Text(str(r.attendees)),
                          Text(str(r.actions_open)), Text(state, style="dim" if r.finished else "bold"),
                          key=str(r.meeting_id))
        if not rows:
            table.add_row(Text("No meetings yet — press a to plan one"), *(Text("") for _ in range(4)))
        elif keep in self.rows:
            table.move_cursor(row=table.get_row_index(keep))

    def _selected(self) -> MeetingRow | None:
        return self.rows.get(selected_key(self.query_one("#meetings-list", DataTable)) or "")

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_add(self) -> None:
        def save(session: Session, model: MeetingWrite) -> None:
            meetings.create_meeting(session, model, now=self.ctx.now(), actor=self.ctx.actor)

        self.app.push_screen(MeetingForm(self.ctx, save, staff=self.staff), self._after)

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.saved()

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self._selected()
        if row is None:
            self.say("No meeting selected")
            return
        self.app.push_screen(MeetingScreen(self.ctx, row.meeting_id), self._after)

    def action_finish(self) -> None:
        row = self._selected()
        if row is None:
            self.say("No meeting selected")
            return
        meeting_id, version = row.meeting_id, row.version
        self.run_write(lambda session: meetings.finish_meeting(session, meeting_id, now=self.ctx.now(),
                                                               actor=self.ctx.actor, expected_version=version),
                       "Meeting finished: read-only from now on", group="meeting-write")


class MeetingScreen(ListScreen):
    DEFAULT_CSS = CSS.format(name="MeetingScreen") + """
    MeetingScreen #meeting-text { height: 1fr; }
    MeetingScreen #meeting-actions { height: auto; max-height: 8; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="meeting_close"),
        Binding("e", "edit", "Edit", id="meeting_edit"),
        Binding("a", "add_action", "Add action", id="meeting_add_action"),
        Binding("f", "finish", "Finish", id="meeting_finish"),
    ]

    def __init__(self, ctx: AppContext, meeting_id: int) -> None:
        super().__init__(ctx)
        self.meeting_id = meeting_id
        self.data: MeetingDetail | None = None
        self.action_due = ctx.today

    def compose(self) -> ComposeResult:
        with Vertical(classes="meetings"):
            yield Label(Text("Staff meeting"), classes="form-title", id="meeting-title")
            with VerticalScroll(id="meeting-text"):
                yield Static("", id="meeting-body")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="meeting-actions")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#meeting-actions", DataTable)
        table.add_columns("Due", "Status", "Who", "Action")
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "add_action", "finish"):
            return may(self.ctx.actor, Area.staff)
        return True

    def fetch(self, session: Session) -> tuple[MeetingDetail, date]:
        detail = meetings.meeting_detail(session, self.meeting_id, self.ctx.today, actor=self.ctx.actor)
        return detail, practice_calendar(session).add_business_days(self.ctx.today, 1)

    def show(self, data: tuple[MeetingDetail, date]) -> None:
        m, self.action_due = data
        self.data = m
        state = f"finished {m.finished_at:%m/%d/%Y %H:%M} — read-only" if m.finished_at else "open"
        self.query_one("#meeting-title", Label).update(Text(f"{m.title}, {m.day:%A %m/%d/%Y} ({state})"))
        body = Text()
        body.append("Agenda: ", style="bold")
        body.append(m.agenda or "(none yet)")
        body.append("\nAttended: ", style="bold")
        body.append(", ".join(m.attendee_names) or "(nobody ticked yet)")
        body.append("\nMinutes: ", style="bold")
        body.append(m.minutes or "(none yet)")
        self.query_one("#meeting-body", Static).update(body)
        table: DataTable[Any] = self.query_one("#meeting-actions", DataTable)
        table.clear()
        for a in m.actions:
            table.add_row(Text(f"{a.due:%m/%d/%Y}"), Text(a.status.value, style="red" if a.overdue else ""),
                          plain(a.owner), plain(a.what), key=str(a.action_id))
        if not m.actions:
            table.add_row(Text(""), Text(""), Text(""), Text("No actions — press a to add one"))

    def _open_meeting(self) -> MeetingDetail | None:
        if self.data is None:
            return None
        if self.data.finished:
            self.say("This meeting is finished and read-only")
            return None
        return self.data

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.saved()

    def action_edit(self) -> None:
        m = self._open_meeting()
        if m is None:
            return
        meeting_id, version = m.meeting_id, m.version

        def save(session: Session, model: MeetingWrite) -> None:
            meetings.update_meeting(session, meeting_id, model, now=self.ctx.now(), actor=self.ctx.actor,
                                    expected_version=version)

        self.app.push_screen(MeetingForm(self.ctx, save, staff=m.staff, meeting=m), self._after)

    def action_add_action(self) -> None:
        m = self._open_meeting()
        if m is None:
            return
        meeting_id = m.meeting_id

        def save(session: Session, model: ActionCreate) -> None:
            meetings.add_meeting_action(session, meeting_id, model, today=self.ctx.today, now=self.ctx.now(),
                                        actor=self.ctx.actor)

        self.app.push_screen(ActionForm(self.ctx, save, what="", item_key="", staff=m.staff, due=self.action_due),
                             self._after)

    def action_finish(self) -> None:
        m = self._open_meeting()
        if m is None:
            return
        meeting_id, version = m.meeting_id, m.version
        self.run_write(lambda session: meetings.finish_meeting(session, meeting_id, now=self.ctx.now(),
                                                               actor=self.ctx.actor, expected_version=version),
                       "Meeting finished: read-only from now on", group="meeting-write")
