"""The operating budget for a year (Practice money → g): categories × months in whole dollars, with totals.

[ and ] change the year; e edits the selected cell (on the category or total column: one amount for every
month); c plans this year from another with a percentage change; x writes the year as CSV, i reads one in.
The services check that only the manager changes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.services import budget
from officemgr.services.budget import MONTHS, BudgetRow
from officemgr.services.format import money
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.budget import Amount, AmountForm, BudgetFile, CopyForm, CopyPlan, FileForm
from officemgr.tui.views.huddle import sheet_folder
from officemgr.tui.widgets.base import ListScreen

TOTAL = "total"  # the key of the totals row


def dollars(cents: int) -> str:
    """Whole dollars, to the nearest (half a dollar away from zero, so an actual and its variance agree); the
    exact amount shows under the grid."""
    whole = (abs(cents) + 50) // 100
    return f"{'-' if cents < 0 and whole else ''}{whole:,}"


class BudgetScreen(ListScreen):
    DEFAULT_CSS = """
    BudgetScreen > .budget {
        width: 98%;
        height: 95%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    BudgetScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="budget_close"),
        Binding("left_square_bracket", "year(-1)", "Year back", id="budget_back"),
        Binding("right_square_bracket", "year(1)", "Year on", id="budget_on"),
        Binding("e", "edit", "Edit", id="budget_edit"),
        Binding("c", "copy", "Copy a year", id="budget_copy"),
        Binding("x", "export", "Export CSV", id="budget_export"),
        Binding("i", "import", "Import CSV", id="budget_import"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.year = ctx.today.year
        self.rows: dict[str, BudgetRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="budget"):
            yield Label("", classes="form-title", id="budget-title")
            yield DataTable(cursor_type="cell", zebra_stripes=True, id="budget-grid")
            yield Static("", id="budget-cell", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#budget-grid", DataTable)
        table.add_column("Category", key="category")
        for name in MONTHS:
            table.add_column(name.capitalize(), key=name)
        table.add_column("Total", key=TOTAL)
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> list[BudgetRow]:
        return budget.budget_year(session, self.year, actor=self.ctx.actor)

    def show(self, data: list[BudgetRow]) -> None:
        self.query_one("#budget-title", Label).update(
            Text(f"Budget {self.year}, whole dollars · [ ] year · e edit · c copy · x export · i import"))
        table: DataTable[Any] = self.query_one("#budget-grid", DataTable)
        keep = table.cursor_coordinate
        table.clear()
        self.rows = {row.category.value: row for row in data}
        for row in data:
            table.add_row(Text(row.category.label), *(Text(dollars(c), justify="right") for c in row.months),
                          Text(dollars(row.total_cents), justify="right", style="bold"), key=row.category.value)
        months = [sum(row.months[m] for row in data) for m in range(12)]
        table.add_row(Text("Total", style="bold"), *(Text(dollars(c), justify="right", style="bold") for c in months),
                      Text(dollars(sum(months)), justify="right", style="bold"), key=TOTAL)
        table.cursor_coordinate = keep
        self._describe()

    def on_data_table_cell_highlighted(self, _event: DataTable.CellHighlighted) -> None:
        self._describe()

    def _selected(self) -> tuple[BudgetRow | None, int | None]:
        """The selected category (None on the totals row) and month (None on the category or total column)."""
        table: DataTable[Any] = self.query_one("#budget-grid", DataTable)
        if not table.row_count:
            return None, None
        coordinate = table.cursor_coordinate
        key = table.coordinate_to_cell_key(coordinate).row_key.value or ""
        column = coordinate.column
        return self.rows.get(key), (column if 1 <= column <= 12 else None)

    def _describe(self) -> None:
        row, month = self._selected()
        if row is None:
            text = "The totals row adds up the categories: select a category to change it"
        elif month is None:
            text = f"{row.category.label} {self.year}: {money(row.total_cents)} — e sets one amount for every month"
        else:
            text = f"{row.category.label}, {MONTHS[month - 1].capitalize()} {self.year}: {money(row.months[month - 1])}"
        self.query_one("#budget-cell", Static).update(Text(text))

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_year(self, step: int) -> None:
        if budget.FIRST_YEAR <= self.year + step <= budget.LAST_YEAR:
            self.year += step
            self.reload()

    def action_edit(self) -> None:
        row, month = self._selected()
        if row is None:
            self.say("Select a category's month (or its name, for every month) to change it")
            return
        year, category, actor, ctx = self.year, row.category, self.ctx.actor, self.ctx
        if month is None:
            same = len(set(row.months)) == 1

            def save_row(session: Session, value: Amount) -> int:
                return budget.set_row(session, year, category, [value.cents] * 12, now=ctx.now(), actor=actor)

            form = AmountForm(ctx, save_row, what=f"{category.label}, every month of {year}",
                              cents=row.months[0] if same else 0)
        else:
            chosen: int = month

            def save_one(session: Session, value: Amount) -> bool:
                return budget.set_amount(session, year, chosen, category, value.cents, now=ctx.now(), actor=actor)

            form = AmountForm(ctx, save_one, what=f"{category.label}, {MONTHS[month - 1].capitalize()} {year}",
                              cents=row.months[month - 1])
        self.app.push_screen(form, self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.saved()

    def action_copy(self) -> None:
        year, ctx = self.year, self.ctx

        def save(session: Session, plan: CopyPlan) -> int:
            return budget.copy_year(session, plan.from_year, year, plan.percent, now=ctx.now(), actor=ctx.actor,
                                    replace=plan.replace)

        self.app.push_screen(CopyForm(ctx, save, year=year), self._after_form)

    def _where(self, path: Path) -> Path:
        """A name typed without a folder goes beside the database (as the printed sheets do)."""
        return path if path.is_absolute() else sheet_folder(self.ctx) / path

    def action_export(self) -> None:
        year, ctx = self.year, self.ctx

        def save(session: Session, chosen: BudgetFile) -> Path:
            return budget.export_budget_file(session, year, self._where(chosen.path), now=ctx.now(),
                                             actor=ctx.actor, force=chosen.overwrite)

        form = FileForm(ctx, save, title=f"Export the {year} budget as CSV", writing=True,
                        path=sheet_folder(ctx) / f"budget-{year}.csv")
        self.app.push_screen(form, lambda done: self.say(f"Budget written to {form.result}") if done else None)

    def action_import(self) -> None:
        year, ctx = self.year, self.ctx

        def save(session: Session, chosen: BudgetFile) -> int:
            return budget.import_budget_csv(session, self._where(chosen.path), year, now=ctx.now(), actor=ctx.actor)

        form = FileForm(ctx, save, title=f"Import the {year} budget from a CSV file", writing=False,
                        path=sheet_folder(ctx) / f"budget-{year}.csv")

        def done(saved: bool | None) -> None:
            if saved:
                self.say(f"Budget {year} imported: {form.result} amounts changed")
                self.saved()

        self.app.push_screen(form, done)

