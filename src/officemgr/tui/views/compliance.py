"""Compliance tab: every recurring duty with when it is due, most urgent first."""

from __future__ import annotations

from rich.text import Text
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label

from officemgr.services import compliance
from officemgr.services.compliance import TaskRow
from officemgr.store import read_session
from officemgr.tui.forms.completion import CompletionForm
from officemgr.tui.widgets.base import TabView, plain, select_key, selected_key

STATE_STYLE = {"overdue": "bold red", "due today": "bold yellow", "due this week": "yellow"}


class ComplianceView(TabView):
    BINDINGS = [
        *TabView.BINDINGS,
        Binding("d", "done", "Mark done", id="compliance_done"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.rows: dict[int, TaskRow] = {}

    def compose(self) -> ComposeResult:
        yield Label("", classes="view-title", id="compliance-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="tasks")
        yield from self.compose_filter()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Duty", "Area", "Due", "When", "Last done", "Evidence", "Owner")
        super().on_mount()

    def fetch(self, session: Session) -> list[TaskRow]:
        return compliance.task_status(session, self.today)

    def show(self, data: list[TaskRow]) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = {}
        for row in data:
            if not self.matches(row.title, row.category.label, row.state, row.owner_role):
                continue
            self.rows[row.task_id] = row
            style = STATE_STYLE.get(row.state, "")
            table.add_row(
                plain(row.title, style),
                Text(row.category.label),
                Text(f"{row.due:%m/%d/%Y}" if row.due else "—"),
                Text(row.when, style=style),
                Text(f"{row.last_done:%m/%d/%Y}" if row.last_done else "never"),
                plain(row.evidence),
                plain(row.owner_role.replace("_", " ")),
                key=str(row.task_id),
            )
        table.move_cursor(row=min(keep, max(0, table.row_count - 1)))
        overdue = sum(1 for r in data if r.state == "overdue")
        today = sum(1 for r in data if r.state == "due today")
        self.query_one("#compliance-title", Label).update(
            Text(f"{len(data)} recurring duties · {overdue} overdue · {today} due today")
        )
        self.set_status("d marks the selected duty done · enter shows its history · / filter")

    def selected(self) -> TaskRow | None:
        key = selected_key(self.query_one(DataTable))
        return self.rows.get(int(key)) if key else None

    def focus_record(self, record_id: int | None) -> None:
        select_key(self.query_one(DataTable), record_id)

    def action_done(self) -> None:
        row = self.selected()
        if row is not None:
            self.app.push_screen(CompletionForm(row), self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.say("Recorded as done")
            self.reload()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._history(int(event.row_key.value or 0))

    @work(thread=True, exclusive=True, group="history")
    def _history(self, task_id: int) -> None:
        with read_session(self.engine) as session:
            done = compliance.history(session, task_id, limit=5)
        lines = [
            f"{c.due_date:%m/%d} done {c.done_at:%m/%d %H:%M} by {c.done_by}"
            + (" (late)" if compliance.is_late(c) else "")
            + (f": {c.reading or c.evidence}" if c.reading or c.evidence else "")
            for c in done
        ]
        self.app.call_from_thread(self.say, "\n".join(lines) or "Never done yet")
