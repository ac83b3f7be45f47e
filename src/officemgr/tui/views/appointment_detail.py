"""One appointment: who, when, status, and its timed history (waiting time, moves, undos)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from officemgr.services import schedule
from officemgr.services.schedule import AppointmentDetail
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import DatabaseWork


class AppointmentScreen(DatabaseWork, ModalScreen[bool]):
    BINDINGS = [Binding("escape,q", "close", "Close", id="appointment_close")]

    def __init__(self, ctx: AppContext, appt_id: int) -> None:
        super().__init__()
        self.ctx = ctx
        self.appt_id = appt_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="form wide"):
            yield Label("Appointment", classes="form-title", id="appt-title")
            yield Static("", id="appt-summary")
            yield Label("History", classes="subtitle")
            yield DataTable(id="appt-history", classes="short", cursor_type="row")
            yield Static(Text("escape closes"), classes="form-hint")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("When", "Who", "What", "Note")
        self.read(lambda session: schedule.appointment_detail(session, self.appt_id), self._show)

    def _show(self, appt: AppointmentDetail | None) -> None:
        if appt is None:
            self.dismiss(False)
            return
        self.query_one("#appt-title", Label).update(
            Text(f"{appt.patient_name} · {appt.type_name} with {appt.provider_name}"))
        wait = schedule.waiting_minutes(appt.events)
        lines = [
            f"{appt.start:%A %m/%d/%Y %H:%M}–{appt.end:%H:%M} · {appt.status.letter} {appt.status.label}"
            + (" · DOUBLE-BOOKED" if appt.double_booked else ""),
            f"Reason: {appt.reason or '—'} · phone {appt.phone or '—'} · DOB {appt.dob:%m/%d/%Y}",
            f"Waited {wait} min from arrival to room" if wait is not None else "Waiting time: not roomed yet",
        ]
        if appt.cancel_reason:
            lines.append(f"Cancelled: {appt.cancel_reason}")
        if appt.verified_on:
            lines.append(f"Insurance verified {appt.verified_on:%m/%d/%Y} by {appt.verified_by}")
        self.query_one("#appt-summary", Static).update(Text("\n".join(lines)))
        table = self.query_one(DataTable)
        for e in appt.events:
            what = {
                "create": f"booked for {e.to_start:%m/%d %H:%M}" if e.to_start else "booked",
                "status": f"{e.from_status.replace('_', ' ')} → {e.to_status.replace('_', ' ')}",
                "move": f"moved {e.from_start:%m/%d %H:%M} → {e.to_start:%m/%d %H:%M}"
                if e.from_start and e.to_start else "moved",
                "undo": "undo",
            }[e.kind.value]
            table.add_row(Text(f"{e.at:%m/%d %H:%M}"), Text(e.actor), Text(what), Text(e.note))
        if not appt.events:
            table.add_row(Text("no recorded changes", style="dim"), "", "", "")
        table.focus()

    def action_close(self) -> None:
        self.dismiss(False)
