"""Compliance tab: every duty and policy with when it is due, or the month as a calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label

from officemgr.models import CompletionCreate, TaskCreate
from officemgr.services import compliance, staff_duties
from officemgr.services.compliance import CompletionRow, DueOn, TaskRow
from officemgr.services.staff_duties import TrainingDue
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.completion import CompletionForm
from officemgr.tui.forms.task import CorrectionForm, TaskForm
from officemgr.tui.widgets.base import TabView, plain, select_key, selected_key
from officemgr.tui.widgets.fast_table import FastTable
from officemgr.tui.widgets.month_calendar import fill_month, month_span

STATE_STYLE = {"overdue": "bold red", "due today": "bold yellow", "due this week": "yellow"}


@dataclass(frozen=True)
class ListData:
    tasks: list[TaskRow]
    training: list[TrainingDue]


@dataclass(frozen=True)
class MonthData:
    month: date
    due: dict[date, list[DueOn]]


class ComplianceView(TabView):
    BINDINGS = [
        *TabView.BINDINGS,
        Binding("d", "done", "Mark done", id="compliance_done"),
        Binding("v", "switch_view", "List/month", id="compliance_view"),
        Binding("left_square_bracket", "month(-1)", "Prev month", id="compliance_prev"),
        Binding("right_square_bracket", "month(1)", "Next month", id="compliance_next"),
        Binding("a", "add(False)", "Add duty", id="compliance_add"),
        Binding("P", "add(True)", "Add policy", id="compliance_add_policy"),
        Binding("x", "retire", "Retire", id="compliance_retire"),
        Binding("k", "correct", "Correct last entry", id="compliance_correct"),
        Binding("l", "temperatures", "Temperature log", id="compliance_temperature"),
        Binding("i", "concerns", "Concerns & incidents", id="compliance_concerns"),
        Binding("s", "policy_versions", "Policy sign-offs", id="compliance_policy_versions"),
    ]

    def __init__(self, *, ctx: AppContext, lazy: bool = False, **kwargs: Any) -> None:
        super().__init__(ctx=ctx, lazy=lazy, **kwargs)
        self.rows: dict[int, TaskRow] = {}
        self.mode = "list"
        self.month: date | None = None

    def compose(self) -> ComposeResult:
        yield Label("", classes="view-title", id="compliance-title")
        yield FastTable(zebra_stripes=True, id="tasks")
        yield from self.compose_filter()

    def on_mount(self) -> None:
        self.month = self.ctx.today.replace(day=1)
        super().on_mount()

    def fetch(self, session: Session) -> ListData | MonthData:
        today = self.ctx.today
        if self.mode == "month":
            first, last = month_span(self.month or today)
            return MonthData(first, compliance.month_due(session, first, last, today))
        return ListData(compliance.task_status(session, today), staff_duties.training_due(session, today))

    def show(self, data: ListData | MonthData) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_coordinate
        table.clear(columns=True)
        if isinstance(data, MonthData):
            fill_month(table, data.month, data.due, self.ctx.today)
            missed = sum(1 for items in data.due.values() for i in items if not i.done and i.due < self.ctx.today)
            self._title(f"{data.month:%B %Y}: what falls due when · ✓ done · ✗ missed · [ ] month · v list")
            self.set_status(f"{missed} missed this month so far · {sum(len(v) for v in data.due.values())} due")
        else:
            self._show_list(table, data)
        table.cursor_coordinate = keep

    def _show_list(self, table: DataTable[Any], listing: ListData) -> None:
        table.cursor_type = "row"
        table.add_columns("Duty or policy", "Area", "Due", "When", "Last done", "Evidence", "Owner")
        self.rows = {}
        data = listing.tasks
        for row in data:
            if not self.matches(row.title, row.category.label, row.state, row.owner_role, row.owner):
                continue
            self.rows[row.task_id] = row
            style = STATE_STYLE.get(row.state, "")
            table.add_row(
                plain(("Policy: " if row.is_policy else "") + row.title, style),
                Text(row.category.label),
                Text(f"{row.due:%m/%d/%Y}" if row.due else "—"),
                Text(row.when, style=style),
                Text(f"{row.last_done:%m/%d/%Y}" if row.last_done else "never"),
                plain(row.evidence),
                plain(row.owner or row.owner_role.replace("_", " ")),
                key=str(row.task_id),
            )
        for due in listing.training:
            if not self.matches(due.staff_name, due.label, "training"):
                continue
            style = "bold red" if due.missing or due.expired else "yellow"
            table.add_row(plain(f"Training: {due.label} — {due.staff_name}", style), Text("Staff"),
                          Text(f"{due.expires:%m/%d/%Y}" if due.expires else "—"), Text(due.status(), style=style),
                          Text(""), Text("record it on the Staff tab (3, then k)"), plain(due.role.label),
                          key=f"training-{due.staff_id}-{due.kind.value}")
        overdue = sum(1 for r in data if r.state == "overdue")
        today = sum(1 for r in data if r.state == "due today")
        policies = sum(1 for r in data if r.is_policy)
        self._title(f"{len(data) - policies} recurring duties and {policies} policies · {overdue} overdue · "
                    f"{today} due today")
        self.set_status("d done · enter history · a add duty · P add policy · x retire · k correct · "
                        "l temperatures · i concerns · v month")

    def _title(self, text: str) -> None:
        self.query_one("#compliance-title", Label).update(Text(text))

    def selected(self) -> TaskRow | None:
        if self.mode != "list":
            self.say("Switch to the list (v) to act on one item", "warning")
            return None
        key = selected_key(self.query_one(DataTable))
        if key and key.startswith("training-"):
            self.say("A training is recorded as a credential: Staff tab (3), then k", "warning")
            return None
        return self.rows.get(int(key)) if key else None

    def focus_record(self, record_id: int | None) -> None:
        if self.mode != "list":
            self.mode = "list"
            self.reload()
            return
        select_key(self.query_one(DataTable), record_id)

    def action_switch_view(self) -> None:
        self.mode = "month" if self.mode == "list" else "list"
        self.reload()

    def action_month(self, delta: int) -> None:
        if self.mode == "month":
            month = self.month or self.ctx.today
            self.month = (month + timedelta(days=32 * delta if delta > 0 else -1)).replace(day=1)
            self.reload()

    def action_done(self) -> None:
        row = self.selected()
        if row is None:
            return
        if compliance.is_temperature_log(row.title):
            self.say("The temperature log duty is done by logging the readings: press l for the Temperature log "
                     "(a day's readings complete that day)", "warning")
            return
        ctx = self.ctx

        def screening(session: Session) -> str | None:
            """Whom the monthly OIG exclusion check covers, for its evidence line."""
            if "OIG" not in row.title:
                return None
            found = staff_duties.oig_screening(session, ctx.today)
            return found.covers if found is not None else None

        def save(session: Session, model: CompletionCreate) -> CompletionRow:
            return compliance.complete(session, model, now=ctx.now(), actor=ctx.actor)

        self.open_after_read(screening, lambda covers: CompletionForm(ctx, save, row, screening=covers),
                             lambda _form, saved: self._after(saved))

    def action_add(self, policy: bool) -> None:
        ctx = self.ctx

        def save(session: Session, model: TaskCreate) -> None:
            compliance.add_task(session, model, now=ctx.now(), actor=ctx.actor)

        self.app.push_screen(TaskForm(ctx, save, policy=policy), self._after)

    def action_retire(self) -> None:
        row = self.selected()
        if row is not None:
            ctx = self.ctx
            self.run_write(lambda session: compliance.retire_task(
                session, row.task_id, now=ctx.now(), actor=ctx.actor, expected_version=row.version),
                f"Retired: {row.title} (its history stays)")

    def action_correct(self) -> None:
        row = self.selected()
        if row is not None:
            self.read(lambda session: compliance.last_entry(session, row.task_id),
                      lambda last: self._correct(row, last), group="open")

    def _correct(self, row: TaskRow, last: CompletionRow | None) -> None:
        if last is None:
            self.say("Nothing recorded yet to correct", "warning")
            return
        ctx = self.ctx

        def save(session: Session, model: CompletionCreate) -> CompletionRow:
            return compliance.correct(session, last.id, model, now=ctx.now(), actor=ctx.actor)

        self.app.push_screen(CorrectionForm(ctx, save, row.title, last), self._after)

    def action_temperatures(self) -> None:
        from officemgr.tui.views.temperature import TemperatureScreen

        self.app.push_screen(TemperatureScreen(self.ctx), self._after)

    def action_concerns(self) -> None:
        from officemgr.tui.views.concerns import ConcernsScreen

        self.app.push_screen(ConcernsScreen(self.ctx), self._after)

    def action_policy_versions(self) -> None:
        from officemgr.tui.views.policies import PolicyVersionsScreen

        row = self.selected()
        if row is None:
            return
        if not row.is_policy:
            self.say("Select a policy (P adds one): its versions are what staff sign", "warning")
            return
        self.app.push_screen(PolicyVersionsScreen(self.ctx, row.task_id, row.title), self._after)

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.reload()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if (event.row_key.value or "").isdigit():
            self._history(int(event.row_key.value or 0))

    def _history(self, task_id: int) -> None:
        self.read(lambda session: compliance.history(session, task_id, limit=5), self._show_history, group="history")

    def _show_history(self, done: list[CompletionRow]) -> None:
        lines = [
            f"{c.due_date:%m/%d} done {c.done_at:%m/%d %H:%M} by {c.done_by}"
            + (" (late)" if compliance.is_late(c) else "")
            + (f" (corrects entry {c.corrects_id})" if c.corrects_id else "")
            + (f": {c.reading or c.evidence}" if c.reading or c.evidence else "")
            for c in done
        ]
        self.say("\n".join(lines) or "Never done yet")
