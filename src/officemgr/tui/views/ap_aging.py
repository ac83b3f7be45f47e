"""A/P aging (from the practice money screen, $ then p): what the practice owes each vendor by days past the due
date, with totals, and the bills overdue and due within a week. x writes the paid bills of a period as a CSV file
for the accountant (beside the database unless a folder is given; an existing file is replaced only when asked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.outfiles import OutputRefused, write_private
from officemgr.plaintext import visible
from officemgr.services import inventory_export, payables_report
from officemgr.services.common import ServiceError
from officemgr.services.format import money, plural
from officemgr.services.payables_report import ApAging, BillsDue
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.recurring_bill import ExportDefaults, PaidExport, PaidExportForm
from officemgr.tui.views.huddle import sheet_folder
from officemgr.tui.widgets.base import ListScreen, plain


@dataclass(frozen=True)
class AgingData:
    aging: ApAging
    overdue: BillsDue
    due_soon: BillsDue


@dataclass(frozen=True)
class Written:
    path: Path
    rows: int


class ApAgingScreen(ListScreen):
    DEFAULT_CSS = """
    ApAgingScreen { align: center middle; }
    ApAgingScreen > .aging {
        width: 95%;
        max-width: 130;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    ApAgingScreen #aging-due { height: auto; margin-bottom: 1; }
    ApAgingScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="aging_close"),
        Binding("x", "export", "Export paid bills", id="aging_export"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.form: PaidExportForm | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="aging"):
            yield Label(Text(f"A/P aging on {self.ctx.today:%m/%d/%Y}: open bills by days past the due date"),
                        classes="form-title")
            yield Static(Text("Loading…"), id="aging-due")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="aging-table")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#aging-table", DataTable)
        # The total next to the vendor: on an 80-column screen the buckets to the right may scroll.
        table.add_columns("Vendor", "Total", *payables_report.BUCKETS)
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> AgingData:
        actor, today = self.ctx.actor, self.ctx.today
        overdue, due_soon = payables_report.due_and_overdue(session, today=today, actor=actor)
        return AgingData(payables_report.ap_aging(session, today=today, actor=actor), overdue, due_soon)

    def show(self, data: AgingData) -> None:
        lines = [
            payables_report.due_line(data.overdue, "overdue") if data.overdue.count else "No bill is overdue.",
            payables_report.due_line(data.due_soon, f"due in the next {payables_report.DUE_SOON_DAYS} days")
            if data.due_soon.count else f"No bill is due in the next {payables_report.DUE_SOON_DAYS} days.",
            "x: export paid bills for the accountant (CSV)"]
        self.query_one("#aging-due", Static).update(Text("\n".join(lines)))
        table: DataTable[Any] = self.query_one("#aging-table", DataTable)
        table.clear()
        for r in data.aging.rows:
            table.add_row(plain(r.vendor[:20]), Text(money(r.total), justify="right"),
                          *(Text(money(c), justify="right") for c in r.buckets), key=str(r.vendor_id))
        if not data.aging.rows:
            table.add_row(Text("No open bills"), *(Text("") for _ in range(6)))
        totals = data.aging.totals
        table.add_row(Text(f"Total ({plural(totals.bills, 'bill')})", style="bold"),
                      Text(money(totals.total), justify="right", style="bold"),
                      *(Text(money(c), justify="right", style="bold") for c in totals.buckets), key="total")

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_export(self) -> None:
        month = self.ctx.today.replace(day=1)
        first = month - relativedelta(months=1)
        last = month - timedelta(days=1)
        name = f"paid-bills-{first:%Y-%m-%d}-to-{last:%Y-%m-%d}.csv"
        self.form = PaidExportForm(ExportDefaults(first, last, name))
        self.app.push_screen(self.form, self._export_asked)

    def _export_asked(self, asked: bool | None) -> None:
        if not asked or self.form is None or not isinstance(self.form.result, PaidExport):
            return
        choice: PaidExport = self.form.result
        ctx = self.ctx
        typed = Path(choice.path).expanduser()
        path = typed if typed.is_absolute() else sheet_folder(ctx) / typed

        def write(session: Session) -> Written:
            text, rows = payables_report.paid_bills_export(session, choice.first, choice.last, actor=ctx.actor)
            try:
                write_private(path, text.encode("utf-8"), force=choice.replace)
            except OutputRefused as exc:
                message = str(exc).replace("add --force to replace it", "tick Replace to write over it")
                raise ServiceError(f"nothing was written: {message}") from None
            inventory_export.record_export(session, "bills", file=path.name, rows=rows, now=ctx.now(),
                                           actor=ctx.actor)
            return Written(path, rows)

        self.run_write(write, then=self._written, group="aging-export")

    def _written(self, done: Written) -> None:
        self.say(visible(f"Wrote {plural(done.rows, 'payment')} to {done.path}"))
