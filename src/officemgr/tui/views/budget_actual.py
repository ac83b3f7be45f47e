"""Budget against actual for a month (Practice money → v): per category the month's and the year to date's
budget, actual and variance (budget − actual, red when over), then a bar per category of budget and actual.

[ and ] change the month. Actuals and what they leave out: services.actuals.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.services import actuals
from officemgr.services.actuals import BudgetVsActual, Figures
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.views.budget import dollars
from officemgr.tui.widgets.base import ListScreen

BAR_WIDTH = 40  # characters of the longest bar
LABEL_WIDTH = 17


def variance_cell(figures: Figures) -> Text:
    style = "bold red" if figures.variance_cents < 0 else ("green" if figures.variance_cents > 0 else "")
    return Text(dollars(figures.variance_cents), justify="right", style=style)


def bar(cents: int, most: int) -> str:
    """A bar of block characters, in eighths of a character, as long as `cents` is of `most`."""
    if most <= 0 or cents <= 0:
        return ""
    eighths = max(1, round(8 * BAR_WIDTH * cents / most))
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def chart(report: BudgetVsActual) -> Text:
    """Two bars per category with a budget or spending this month: the budget (dim) and the actual (red when
    over)."""
    lines = [x for x in report.lines if x.month.budget_cents or x.month.actual_cents]
    text = Text()
    if not lines:
        text.append("Nothing planned or spent this month.")
        return text
    most = max(max(x.month.budget_cents, x.month.actual_cents) for x in lines)
    for line in lines:
        over = line.month.actual_cents > line.month.budget_cents
        text.append(f"{line.category.label:<{LABEL_WIDTH}}budget ")
        text.append(bar(line.month.budget_cents, most), style="blue")
        text.append(f" {dollars(line.month.budget_cents)}\n")
        text.append(f"{'':<{LABEL_WIDTH}}actual ")
        text.append(bar(line.month.actual_cents, most), style="bold red" if over else "green")
        text.append(f" {dollars(line.month.actual_cents)}\n")
    return text


class BudgetActualScreen(ListScreen):
    DEFAULT_CSS = """
    BudgetActualScreen > .budget-actual {
        width: 98%;
        height: 95%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    BudgetActualScreen DataTable { height: auto; max-height: 14; }
    BudgetActualScreen VerticalScroll { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="budget_actual_close"),
        Binding("left_square_bracket", "month(-1)", "Month back", id="budget_actual_back"),
        Binding("right_square_bracket", "month(1)", "Month on", id="budget_actual_on"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.month = ctx.today.replace(day=1)

    def compose(self) -> ComposeResult:
        with Vertical(classes="budget-actual"):
            yield Label("", classes="form-title", id="budget-actual-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="budget-actual-table")
            with VerticalScroll():
                yield Static("", id="budget-actual-note")
                yield Static("", id="budget-actual-chart")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#budget-actual-table", DataTable)
        table.add_columns("Category", "Budget", "Actual", "Variance", "%", "YTD budget", "YTD actual",
                          "YTD variance")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> BudgetVsActual:
        return actuals.budget_vs_actual(session, self.month.year, self.month.month, actor=self.ctx.actor,
                                        today=self.ctx.today)

    def show(self, data: BudgetVsActual) -> None:
        shown = date(data.year, data.month, 1)
        self.query_one("#budget-actual-title", Label).update(Text(
            f"Budget vs actual, {shown:%b %Y} and year to date · whole $ · [ ] month"))
        table: DataTable[Any] = self.query_one("#budget-actual-table", DataTable)
        table.clear()
        for line in data.lines:
            table.add_row(*self._cells(Text(line.category.label), line.month, line.ytd), key=line.category.value)
        table.add_row(*self._cells(Text("Total", style="bold"), data.month_total, data.ytd_total), key="total")
        note = ["Variance is budget − actual: red is over budget. Bills paying a purchase order count as the "
                "supplies received."]
        self.query_one("#budget-actual-note", Static).update(Text("\n".join([*note, *data.notes])))
        self.query_one("#budget-actual-chart", Static).update(chart(data))

    @staticmethod
    def _cells(label: Text, month: Figures, ytd: Figures) -> list[Text]:
        return [label, Text(dollars(month.budget_cents), justify="right"),
                Text(dollars(month.actual_cents), justify="right"), variance_cell(month),
                Text(actuals.percent_text(month), justify="right"), Text(dollars(ytd.budget_cents), justify="right"),
                Text(dollars(ytd.actual_cents), justify="right"), variance_cell(ytd)]

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_month(self, step: int) -> None:
        moved = self.month + relativedelta(months=step)
        if 2000 <= moved.year <= 2100:
            self.month = moved
            self.reload()
