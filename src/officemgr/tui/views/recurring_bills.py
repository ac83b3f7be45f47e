"""Recurring bills (from the practice money screen, $ then r): rent, service contracts, software. Keys: a add,
e edit, x end, g generate now (make the bills due within the next 7 days; each waits for approval), escape closes.
Generating is the manager's; whoever may see the practice's money may look."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.services import inventory, recurring_bills
from officemgr.services.format import money, plural
from officemgr.services.recurring_bills import Generated, RecurringIn, RecurringRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.recurring_bill import EndDate, EndRecurringForm, RecurringBillForm
from officemgr.tui.widgets.base import ListScreen, plain, selected_key

EVERY = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}


@dataclass(frozen=True)
class RecurringData:
    rows: list[RecurringRow]
    vendors: list[tuple[str, int]]
    waiting: int


class RecurringBillsScreen(ListScreen):
    DEFAULT_CSS = """
    RecurringBillsScreen { align: center middle; }
    RecurringBillsScreen > .recurring {
        width: 95%;
        max-width: 130;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    RecurringBillsScreen #recurring-waiting { height: auto; margin-bottom: 1; }
    RecurringBillsScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="recurring_close"),
        Binding("a", "add", "Add", id="recurring_add"),
        Binding("e", "edit", "Edit", id="recurring_edit"),
        Binding("x", "end", "End", id="recurring_end"),
        Binding("g", "generate", "Generate now", id="recurring_generate"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.rows: dict[str, RecurringRow] = {}
        self.vendors: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="recurring"):
            yield Label(Text("Recurring bills: rent, contracts, software"), classes="form-title")
            yield Static(Text("Loading…"), id="recurring-waiting")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="recurring-list")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#recurring-list", DataTable)
        # What a manager scans for first on the left: an 80-column screen scrolls the vendor and dates into view.
        table.add_columns("What", "Amount", "Every", "Last made", "Vendor", "Runs")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> RecurringData:
        actor, today = self.ctx.actor, self.ctx.today
        return RecurringData(recurring_bills.recurring_list(session, actor=actor),
                             [(v.name, v.vendor_id) for v in inventory.vendors(session)],
                             recurring_bills.waiting(session, today, actor=actor))

    def show(self, data: RecurringData) -> None:
        self.vendors = data.vendors
        waiting = (f"{plural(data.waiting, 'bill')} to make now (dated within "
                   f"{recurring_bills.GENERATE_AHEAD_DAYS} days): press g" if data.waiting
                   else "Every bill due within the next 7 days is made.")
        self.query_one("#recurring-waiting", Static).update(Text(waiting))
        table: DataTable[Any] = self.query_one("#recurring-list", DataTable)
        table.clear()
        self.rows = {str(r.id): r for r in data.rows}
        today = self.ctx.today
        for r in data.rows:
            style = "dim" if r.ended(today) else ""
            day = "last day" if r.day_of_month == 31 else f"day {r.day_of_month}"
            runs = f"{r.start:%m/%d/%Y}–" + (f"{r.end:%m/%d/%Y}" if r.end else "")
            table.add_row(plain(r.description[:24], style), plain(money(r.amount_cents), style),
                          plain(f"{EVERY[r.frequency.value]}, {day}", style),
                          plain(f"{r.last_period:%m/%Y}" if r.last_period else "none yet", style),
                          plain(r.vendor[:24], style), plain(runs, style), key=str(r.id))
        if not data.rows:
            table.add_row(Text("None yet — press a to add rent, a contract…"), *(Text("") for _ in range(5)))

    def selected(self) -> RecurringRow | None:
        return self.rows.get(selected_key(self.query_one("#recurring-list", DataTable)) or "")

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_add(self) -> None:
        if not self.vendors:
            self.say("Add the vendor first (Inventory tab, vendors), then the recurring bill", "warning")
            return
        ctx = self.ctx

        def save(session: Session, model: RecurringIn) -> int:
            return recurring_bills.add_recurring(session, model, now=ctx.now(), actor=ctx.actor)

        self.app.push_screen(RecurringBillForm(ctx, save, self.vendors), self._after_form)

    def action_edit(self) -> None:
        row = self.selected()
        if row is None:
            self.say("Select a recurring bill to edit")
            return
        ctx, recurring_id, version = self.ctx, row.id, row.version

        def save(session: Session, model: RecurringIn) -> None:
            recurring_bills.edit_recurring(session, recurring_id, model, now=ctx.now(), actor=ctx.actor,
                                           expected_version=version)

        self.app.push_screen(RecurringBillForm(ctx, save, self.vendors, row), self._after_form)

    def action_end(self) -> None:
        row = self.selected()
        if row is None:
            self.say("Select a recurring bill to end")
            return
        ctx, recurring_id, version = self.ctx, row.id, row.version

        def save(session: Session, model: EndDate) -> None:
            recurring_bills.end_recurring(session, recurring_id, model.end, now=ctx.now(), actor=ctx.actor,
                                          expected_version=version)

        self.app.push_screen(EndRecurringForm(ctx, save, row), self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.saved()

    def action_generate(self) -> None:
        ctx = self.ctx
        self.run_write(lambda session: recurring_bills.generate_due(session, today=ctx.today, now=ctx.now(),
                                                                    actor=ctx.actor),
                       then=self._generated, group="recurring-generate")

    def _generated(self, done: Generated) -> None:
        if done.made:
            self.say(f"Made {plural(len(done.made), 'bill')} for {money(sum(m.amount_cents for m in done.made))}; "
                     "each waits for approval")
        else:
            self.say("No recurring bill is due within the next 7 days")
        for note in done.notes:
            self.say(note, "warning")
        self.saved()
