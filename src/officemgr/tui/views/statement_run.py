"""The statement run: who a statement goes to today (balance, age of the oldest charge, the notice it carries),
and `s` writes them (one page each and the mailing service's list) and marks them sent."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.plaintext import visible
from officemgr.services import statements
from officemgr.services.format import money
from officemgr.services.statements import StatementDue, StatementRun
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.views.huddle import sheet_folder
from officemgr.tui.widgets.base import ListScreen, plain


class StatementRunScreen(ListScreen):
    DEFAULT_CSS = """
    StatementRunScreen > .statements { width: 95%; max-width: 120; height: 95%; border: thick $accent;
        background: $panel; padding: 0 1; }
    StatementRunScreen #statements-due { height: 1fr; }
    StatementRunScreen #statements-message { height: auto; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="statements_close"),
        Binding("s", "send", "Send statements", id="statements_send"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.due: list[StatementDue] = []
        self.sending = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="statements"):
            yield Label(Text(f"Statement run · {self.ctx.today:%m/%d/%Y}"), classes="form-title")
            yield Static("", id="statements-summary")
            yield DataTable(id="statements-due", cursor_type="row", zebra_stripes=True)
            yield Static("", id="statements-message")
            yield Static(Text("s write the statements and mark them sent · escape close"), classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#statements-due", DataTable).add_columns("Patient", "Account", "Balance", "Oldest",
                                                                 "Notice", "Last sent")
        self.reload()

    def fetch(self, session: Session) -> list[StatementDue]:
        return statements.statements_due(session, self.ctx.today)

    def show(self, due: list[StatementDue]) -> None:
        self.due = due
        total = sum(d.balance_cents for d in due)
        summary = (f"{len(due)} statement{'s' if len(due) != 1 else ''} due, {money(total)} in all: s writes one page "
                   f"each and a mailing list into {sheet_folder(self.ctx)}" if due
                   else "No statement is due today (a balance over the minimum, not sent within the cycle).")
        self.query_one("#statements-summary", Static).update(Text(visible(summary)))
        table = self.query_one("#statements-due", DataTable)
        table.clear()
        self.query_one("#statements-message", Static).update("")
        for d in due:
            table.add_row(plain(d.name), plain(d.account), Text(money(d.balance_cents), justify="right"),
                          Text(f"{d.oldest_days} days", justify="right"), Text(d.dunning.label),
                          Text(f"{d.last_sent:%m/%d/%Y}" if d.last_sent else "never"))

    @on(DataTable.RowHighlighted, "#statements-due")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.due):
            d = self.due[event.cursor_row]
            self.query_one("#statements-message", Static).update(
                plain(f"{d.name}'s statement says: {statements.MESSAGES[d.dunning]}"))

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_send(self) -> None:
        if self.sending:
            return
        if not self.due:
            self.say("No statement is due today.", "warning")
            return
        self.sending = True
        ctx, folder = self.ctx, sheet_folder(self.ctx)
        self.run_write(lambda session: statements.run_statements(session, folder, today=ctx.today, actor=ctx.actor,
                                                                 now=ctx.now()), then=self._sent)

    def _sent(self, run: StatementRun) -> None:
        self.sending = False
        pages = run.count
        where = run.files[0].parent if run.files else sheet_folder(self.ctx)
        mailing = f" and {run.mailing_csv.name} for the mailing service" if run.mailing_csv else ""
        self.say(visible(f"{pages} statement page{'s' if pages != 1 else ''} ({money(run.total_cents)}){mailing} "
                         f"written to {where}; marked sent"))
        self.saved()

    def write_refused(self) -> None:
        self.sending = False
        super().write_refused()
