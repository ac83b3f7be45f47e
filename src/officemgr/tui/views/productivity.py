"""Provider productivity (from the Practice money screen, key q): a table per provider with a total row, and bars of
visits and work RVUs. Keys: d day, w week, m month, [ ] the period before or after, t today, i import an RVU file
(the CMS physician fee schedule .csv, or the practice's code,modifier,work_rvu list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.services import productivity, rvu_import
from officemgr.services.productivity import COLUMNS, Productivity, ProviderFigures, Span, period_of
from officemgr.services.rvu_import import RvuImportResult
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm
from officemgr.tui.widgets.base import ListScreen, plain

EIGHTHS = " ▏▎▍▌▋▊▉"
BAR_WIDTH = 20
NAME_WIDTH = 16


def bar(value: float, most: float, width: int = BAR_WIDTH) -> str:
    """`value` of `most` as a bar of block characters `width` wide at most (eighths of a cell at its end)."""
    if most <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / most * width * 8))
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


def chart(rows: tuple[ProviderFigures, ...]) -> Text:
    """One line per provider: their visits and their work RVUs as bars, each scaled to the busiest provider."""
    text = Text()
    text.append(f"{'':{NAME_WIDTH}} {'Visits':<{BAR_WIDTH + 6}} Work RVUs\n", style="bold")
    most_visits = max((r.visits for r in rows), default=0)
    most_rvus = max((r.work_rvus for r in rows), default=0.0)
    for r in rows:
        name = r.name if len(r.name) <= NAME_WIDTH else r.name[:NAME_WIDTH - 1] + "…"
        text.append_text(plain(f"{name:<{NAME_WIDTH}} "))
        text.append(f"{bar(r.visits, most_visits):<{BAR_WIDTH}}", style="green")
        text.append(f" {r.visits:>4,}  ")
        text.append(f"{bar(r.work_rvus, most_rvus):<{BAR_WIDTH}}", style="cyan")
        text.append(f" {r.work_rvus:>7,.2f}\n")
    if not rows:
        text.append("No providers (staff with the physician or NP/PA role).", style="dim")
    return text


class ProductivityScreen(ListScreen):
    DEFAULT_CSS = """
    ProductivityScreen > .productivity { width: 100%; max-width: 130; height: 100%; border: thick $accent;
        background: $panel; padding: 0 1; }
    ProductivityScreen VerticalScroll { height: 1fr; }
    ProductivityScreen #productivity-table { height: auto; max-height: 14; }
    ProductivityScreen #productivity-chart { height: auto; margin-top: 1; }
    ProductivityScreen #productivity-note { height: auto; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="productivity_close"),
        Binding("d", "span('day')", "Day", id="productivity_day"),
        Binding("w", "span('week')", "Week", id="productivity_week"),
        Binding("m", "span('month')", "Month", id="productivity_month"),
        Binding("left_square_bracket", "step(-1)", "Before", id="productivity_prev"),
        Binding("right_square_bracket", "step(1)", "After", id="productivity_next"),
        Binding("t", "today", "Today", id="productivity_today"),
        Binding("i", "import_rvu", "Import RVUs", id="productivity_import"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.period = period_of(Span.month, ctx.today)

    def compose(self) -> ComposeResult:
        with Vertical(classes="productivity"):
            yield Label(Text("Provider productivity"), classes="form-title", id="productivity-title")
            with VerticalScroll():
                yield DataTable(id="productivity-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="productivity-note")
                yield Static("", id="productivity-chart")
            yield Static(Text("d day · w week · m month · [ ] before, after · t today · i import RVUs"),
                         classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#productivity-table", DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> Productivity:
        return productivity.productivity(session, self.period, actor=self.ctx.actor)

    def show(self, result: Productivity) -> None:
        if result.period != self.period:
            return  # a slower load of a period stepped away from
        self.query_one("#productivity-title", Label).update(
            Text(f"Provider productivity · {result.period.label}"))
        table: DataTable[Any] = self.query_one("#productivity-table", DataTable)
        table.clear()
        for row in (*result.providers, result.total):
            cells = productivity.row_cells(row)
            style = "bold" if row.provider_id is None else ""
            table.add_row(plain(cells[0]), *(Text(c, justify="right", style=style) for c in cells[1:]),
                          key=str(row.provider_id or "total"))
        note = productivity.notes(result)
        self.query_one("#productivity-note", Static).update(Text(f"{note[:1].upper()}{note[1:]}." if note else "",
                                                                 style="dim"))
        self.query_one("#productivity-chart", Static).update(chart(result.providers))

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_span(self, span: str) -> None:
        self.period = period_of(Span(span), self._anchor())
        self.reload()

    def _anchor(self) -> date:
        """The day a switch of span keeps: today when it is in the period shown, else the period's first day."""
        today = self.ctx.today
        return today if self.period.first <= today <= self.period.last else self.period.first

    def action_step(self, steps: int) -> None:
        self.period = self.period.moved(steps)
        self.reload()

    def action_today(self) -> None:
        self.period = period_of(self.period.span, self.ctx.today)
        self.reload()

    def action_import_rvu(self) -> None:
        today, actor, now = self.ctx.today, self.ctx.actor, self.ctx.now

        def save(session: Session, choice: RvuFile) -> RvuImportResult:
            text = rvu_import.read_rvu_file(Path(choice.path).expanduser())
            year = choice.year or rvu_import.title_year(text) or today.year
            return rvu_import.import_rvu(session, text, year=year, now=now(), actor=actor)

        form = RvuImportForm(self.ctx, save)
        self.app.push_screen(form, lambda saved: self._imported(form, saved))

    def _imported(self, form: RvuImportForm, saved: bool | None) -> None:
        if saved and isinstance(form.result, RvuImportResult):
            done = form.result
            replaced = f", replacing {done.replaced:,}" if done.replaced else ""
            skipped = f"; {done.skipped:,} without a work RVU skipped" if done.skipped else ""
            self.say(f"Imported {done.rates:,} work RVU rates for {done.year}{replaced}{skipped}")
            self.saved()


@dataclass(frozen=True)
class RvuFile:
    path: str
    year: int | None  # None: the year in the file's title, else this year


class RvuImportForm(RecordForm[RvuFile]):
    FORM_TITLE = "Import work RVUs (CMS physician fee schedule RVU file, .csv)"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("path", "File", placeholder="e.g. ~/Downloads/PPRRVU26_JAN.csv"),
            FieldSpec("year", "Year", optional=True, placeholder="blank: the year in the file's title"),
        ]

    def build(self, values: dict[str, Any]) -> RvuFile:
        errors = {}
        path, year = values["path"] or "", values["year"]
        if not path:
            errors["path"] = "name the file: the PPRRVU .csv of the CMS release, or your code,modifier,work_rvu list"
        if year is not None and not (year.isdigit() and 2000 <= int(year) <= 2100):
            errors["year"] = "a year between 2000 and 2100, like 2026 (or blank)"
        if errors:
            raise FieldErrors(errors)
        return RvuFile(path, int(year) if year is not None else None)
