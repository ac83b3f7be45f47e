"""Staff tab: who works on the day, who is off, and credentials that expire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label

from officemgr.models import Staff
from officemgr.services import staff
from officemgr.services.staff import CredentialRow, RosterRow
from officemgr.store import read_session
from officemgr.tui.forms.staff import StaffForm
from officemgr.tui.widgets.base import TabView, plain, select_key, selected_key


@dataclass(frozen=True)
class StaffData:
    day: date
    roster: list[RosterRow]
    credentials: list[CredentialRow]


class StaffView(TabView):
    BINDINGS = [
        *TabView.BINDINGS,
        Binding("left_square_bracket", "day(-1)", "Prev day", id="staff_prev"),
        Binding("right_square_bracket", "day(1)", "Next day", id="staff_next"),
        Binding("t", "today", "Today", id="staff_today"),
        Binding("a", "add", "Add staff", id="staff_add"),
        Binding("e", "edit", "Edit staff", id="staff_edit"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.day: date | None = None

    def compose(self) -> ComposeResult:
        yield Label("", classes="view-title", id="staff-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="roster")
        yield Label("Credentials and trainings expired or expiring within 90 days", classes="subtitle")
        yield DataTable(cursor_type="row", classes="short", id="credentials")
        yield from self.compose_filter()

    def on_mount(self) -> None:
        self.day = self.today
        self.query_one("#roster", DataTable).add_columns("Name", "Role", "Shift", "Out", "Alert")
        self.query_one("#credentials", DataTable).add_columns("Name", "Credential", "Number", "Expires", "Status")
        super().on_mount()

    def fetch(self, session: Session) -> StaffData:
        day = self.day or self.today
        return StaffData(day, staff.roster_day(session, day), staff.credentials_expiring(session, self.today))

    def show(self, data: StaffData) -> None:
        roster = self.query_one("#roster", DataTable)
        keep = roster.cursor_row
        roster.clear()
        working = 0
        for row in data.roster:
            if not self.matches(row.name, row.role.label, row.off, row.alert):
                continue
            working += row.working
            roster.add_row(
                plain(row.name, "bold red" if row.alert else ""),
                plain(row.role.label + (" (provider)" if row.is_provider else "")),
                plain(row.shift or "—"),
                plain(row.off, "yellow"),
                plain(row.alert, "bold red"),
                key=str(row.staff_id),
            )
        roster.move_cursor(row=min(keep, max(0, roster.row_count - 1)))
        creds = self.query_one("#credentials", DataTable)
        creds.clear()
        for c in data.credentials:
            if not self.matches(c.staff_name, c.kind.label, c.number):
                continue
            style = "bold red" if c.expired else ("yellow" if c.days_left <= 30 else "")
            creds.add_row(plain(c.staff_name), plain(c.kind.label), plain(c.number),
                          Text(f"{c.expires:%m/%d/%Y}"), Text(c.warning, style=style), key=str(c.credential_id))
        self.query_one("#staff-title", Label).update(
            Text(f"Roster for {data.day:%A %B %-d, %Y} · {working} working · "
                 f"{sum(1 for r in data.roster if r.off)} out")
        )
        self.set_status("a add · e edit · [ ] day · t today")

    def focus_record(self, record_id: int | None) -> None:
        select_key(self.query_one("#roster", DataTable), record_id)

    def action_day(self, delta: int) -> None:
        self.day = (self.day or self.today) + timedelta(days=delta)
        self.reload()

    def action_today(self) -> None:
        self.day = self.today
        self.reload()

    def action_add(self) -> None:
        self.app.push_screen(StaffForm(), self._after_form)

    def action_edit(self) -> None:
        key = selected_key(self.query_one("#roster", DataTable))
        if key is None:
            return
        with read_session(self.engine) as session:
            person = session.get(Staff, int(key))
        if person is not None:
            self.app.push_screen(StaffForm(person), self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.say("Staff member saved")
            self.reload()
