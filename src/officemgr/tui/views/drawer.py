"""Closing the drawer: a day's payments by method, the deposit (cash and checks), the count at close and who made
it. Keys: [ ] the day before or after, t today, k count and close the day, w write the deposit slip page."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import PayMethod
from officemgr.outfiles import OutputRefused
from officemgr.plaintext import visible
from officemgr.services import ledger, statements
from officemgr.services.deposit_slip import DrawerDay, drawer_day, over_short, paid_out_lines, save_slip
from officemgr.services.format import money
from officemgr.services.ledger import DrawerCount
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.drawer import Count, DrawerForm
from officemgr.tui.views.huddle import sheet_folder
from officemgr.tui.widgets.base import ListScreen, plain


class DrawerScreen(ListScreen):
    DEFAULT_CSS = """
    DrawerScreen > .drawer { width: 95%; max-width: 110; height: 95%; border: thick $accent; background: $panel;
        padding: 0 1; }
    DrawerScreen #drawer-summary { height: auto; margin-bottom: 1; }
    DrawerScreen #drawer-payments { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="drawer_close"),
        Binding("left_square_bracket", "step(-1)", "Day before", id="drawer_prev"),
        Binding("right_square_bracket", "step(1)", "Day after", id="drawer_next"),
        Binding("t", "today", "Today", id="drawer_today"),
        Binding("k", "count", "Count and close", id="drawer_count"),
        Binding("w", "slip", "Deposit slip", id="drawer_slip"),
    ]

    def __init__(self, ctx: AppContext, day: date | None = None) -> None:
        super().__init__(ctx)
        self.day = day or ctx.today
        self.drawer: DrawerDay | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="drawer"):
            yield Label(Text("Drawer"), classes="form-title", id="drawer-title")
            yield Static("", id="drawer-summary")
            yield DataTable(id="drawer-payments", cursor_type="row", zebra_stripes=True)
            yield Static(Text("[ ] another day · t today · k count and close · w deposit slip · esc close"),
                         classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#drawer-payments", DataTable).add_columns("Receipt", "Paid by", "Reference", "Amount", "By")
        self.reload()

    def fetch(self, session: Session) -> DrawerDay:
        return drawer_day(session, self.day, actor=self.ctx.actor)

    def show(self, drawer: DrawerDay) -> None:
        if drawer.day != self.day:
            return  # a slower load of a day stepped away from
        self.drawer = drawer
        takings = drawer.takings
        state = "closed" if drawer.count else "open"
        self.query_one("#drawer-title", Label).update(Text(f"Drawer for {drawer.day:%a %m/%d/%Y} · {state}"))
        summary = Text()
        summary.append(f"Cash {money(takings.by_method[PayMethod.cash])} · checks "
                       f"{money(takings.by_method[PayMethod.check])} ({len(drawer.checks)}) · card "
                       f"{money(takings.by_method[PayMethod.card])} · total {money(takings.total_cents)}\n")
        summary.append(f"Deposit (cash + checks): {money(takings.deposit_cents)}\n", style="bold")
        for line in paid_out_lines(takings):
            summary.append_text(plain(line))
            summary.append("\n")
        if drawer.count is not None and drawer.closed is not None:
            summary.append_text(self._closed_line(drawer.count))
            summary.append_text(plain(f" by {drawer.closed.actor.split('@', 1)[0]} at {drawer.closed.at:%H:%M}"))
            if drawer.closed.note:
                summary.append_text(plain(f"\nNote: {drawer.closed.note}"))
        else:
            summary.append("Not closed yet: k counts the drawer and closes the day.", style="dim")
        self.query_one("#drawer-summary", Static).update(summary)
        table = self.query_one("#drawer-payments", DataTable)
        table.clear()
        for e in takings.payments:
            assert e.method is not None
            table.add_row(plain(e.receipt), Text(e.method.value), plain(e.reference),
                          Text(money(-e.amount_cents), justify="right"), plain(e.actor.split("@", 1)[0]))

    @staticmethod
    def _closed_line(count: DrawerCount) -> Text:
        return Text(f"Counted cash {money(count.counted_cash_cents)} ({over_short(count.cash_over_cents)}), checks "
                    f"{money(count.counted_checks_cents)} ({over_short(count.checks_over_cents)})",
                    style="" if count.balanced else "bold")

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_step(self, days: int) -> None:
        self.day += timedelta(days=days)
        self.reload()

    def action_today(self) -> None:
        self.day = self.ctx.today
        self.reload()

    def action_count(self) -> None:
        drawer = self.drawer
        if drawer is None or drawer.day != self.day:
            return
        if drawer.closed is not None:
            self.say(f"The drawer for {drawer.day:%m/%d/%Y} was closed by {drawer.closed.actor.split('@', 1)[0]}.",
                     "warning")
            return
        if drawer.day > self.ctx.today:
            self.say("That day has not come yet: close a drawer on the day or after.", "warning")
            return
        ctx, day = self.ctx, drawer.day

        def save(session: Session, count: Count) -> ledger.DrawerCount:
            return ledger.close_drawer(session, day, count.cash_cents, count.checks_cents, note=count.note,
                                       actor=ctx.actor, now=ctx.now())

        form = DrawerForm(ctx, save, day=day, cash_cents=drawer.takings.by_method[PayMethod.cash],
                          checks_cents=drawer.takings.by_method[PayMethod.check], checks=len(drawer.checks))
        self.app.push_screen(form, lambda saved: self._drawer_closed(form.result) if saved else None)

    def _drawer_closed(self, count: object) -> None:
        if isinstance(count, DrawerCount):
            self.say(f"Drawer closed for {count.day:%m/%d/%Y}: {self._closed_line(count).plain}")
        self.saved()

    def action_slip(self) -> None:
        day, actor, folder = self.day, self.ctx.actor, sheet_folder(self.ctx)

        def write(session: Session) -> Path | str:
            drawer = drawer_day(session, day, actor=actor)
            try:
                return save_slip(folder, drawer, statements.practice_details(session))
            except OutputRefused as exc:
                return visible(f"Could not write the deposit slip: {exc}")

        self.read(write, self._slip_written, group="deposit-slip")

    def _slip_written(self, where: Path | str) -> None:
        if isinstance(where, str):
            self.say(where, "error")
        else:
            self.say(visible(f"Deposit slip written: {where}"))
