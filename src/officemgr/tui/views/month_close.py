"""Month-end close (Practice money, key m): a month's checklist with what the data says beside each step; space or
enter ticks (a note optional) or unticks, c closes the month, o reopens it, p previews the month's report, w writes
it to a file; [ and ] change the month (it opens on the last ended month)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Markdown, Static

from officemgr.services import month_close, month_report
from officemgr.services.format import money
from officemgr.services.month_close import MonthStatus
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.month_close import (
    CloseChoice,
    CloseForm,
    ReopenForm,
    ReopenReason,
    ReportFile,
    ReportFileForm,
    TickForm,
    TickNote,
)
from officemgr.tui.views.huddle import sheet_folder
from officemgr.tui.widgets.base import ListScreen, plain, selected_key


class MonthCloseScreen(ListScreen):
    DEFAULT_CSS = """
    MonthCloseScreen > .month-close {
        width: 95%;
        max-width: 150;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    MonthCloseScreen #close-state { margin: 0 0 1 0; }
    MonthCloseScreen #close-steps { height: auto; max-height: 10; }
    MonthCloseScreen #close-detail { margin: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="month_close_close"),
        Binding("space", "tick", "Tick/untick", id="month_close_toggle"),
        Binding("left_square_bracket", "month(-1)", "Month before", id="month_close_prev"),
        Binding("right_square_bracket", "month(1)", "Month after", id="month_close_next"),
        Binding("c", "close_month", "Close month", id="month_close_month"),
        Binding("o", "reopen", "Reopen", id="month_close_reopen"),
        Binding("p", "preview", "Preview report", id="month_close_preview"),
        Binding("w", "write", "Write report", id="month_close_write"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.month = month_close.last_ended_month(ctx.today)
        self.status: MonthStatus | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="month-close"):
            yield Label(Text(self._title()), classes="form-title", id="close-title")
            yield Static(Text("Loading…"), id="close-state")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="close-steps")
            yield Static("", id="close-detail")
        yield Footer()

    def _title(self) -> str:
        return f"Month-end close: {self.month:%B %Y}"

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#close-steps", DataTable)
        table.add_columns("Step", "Done", "By", "Note", "What the records say")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> MonthStatus:
        return month_close.month_status(session, self.month, today=self.ctx.today, actor=self.ctx.actor)

    def show(self, data: MonthStatus) -> None:
        if data.month != self.month:
            return  # a load for a month paged away from
        self.status = data
        self.query_one("#close-title", Label).update(Text(self._title()))
        recorded = ""
        if data.closed:
            recorded = (f" · A/R at close: insurance {money(data.insurance_ar_cents)}, patient "
                        f"{money(data.patient_ar_cents)}")
        self.query_one("#close-state", Static).update(plain(data.state + recorded))
        table: DataTable[Any] = self.query_one("#close-steps", DataTable)
        keep = selected_key(table)
        table.clear()
        for item in data.items:
            done = f"{item.done_at:%m/%d %H:%M}" if item.done_at else "—"
            table.add_row(Text(item.label), Text(done), plain(item.done_by), plain(item.note), plain(item.hint),
                          key=item.key)
        if keep is not None:
            table.move_cursor(row=[i.key for i in data.items].index(keep))

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_month(self, step: int) -> None:
        month = self.month + relativedelta(months=step)
        if month > self.ctx.today.replace(day=1):
            self.say("That month has not begun")
            return
        self.month = month
        self.status = None
        self.query_one("#close-title", Label).update(Text(self._title()))
        self.query_one("#close-state", Static).update(Text("Loading…"))
        self.reload()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted step in full under the table: its hint and note are cut in the columns."""
        item = next((i for i in self.status.items if i.key == event.row_key.value), None) if self.status else None
        detail = Text()
        if item is not None:
            detail.append(f"{item.label}: ", style="bold")
            detail.append_text(plain(item.hint or "nothing computed: the manager's judgement"))
            if item.done_at is not None:
                detail.append_text(plain(f"\nTicked by {item.done_by} on {item.done_at:%m/%d/%Y %H:%M}"
                                         + (f": {item.note}" if item.note else "")))
        self.query_one("#close-detail", Static).update(detail)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_tick()

    def action_tick(self) -> None:
        status = self.status
        key = selected_key(self.query_one("#close-steps", DataTable))
        item = next((i for i in status.items if i.key == key), None) if status else None
        if status is None or item is None:
            return
        if status.closed:
            self.say(f"{status.month:%B %Y} is closed: press o to reopen it before changing its checklist")
            return
        month = status.month
        if item.done:
            step = item.key
            self.run_write(lambda session: month_close.untick(session, month, step, today=self.ctx.today,
                                                              now=self.ctx.now(), actor=self.ctx.actor),
                           f"Unticked: {item.label}", group="close-write")
            return

        def save(session: Session, model: TickNote) -> None:
            month_close.tick(session, month, item.key, model.note, today=self.ctx.today, now=self.ctx.now(),
                             actor=self.ctx.actor)

        self.app.push_screen(TickForm(self.ctx, save, item.label), self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.saved()

    def action_close_month(self) -> None:
        status = self.status
        if status is None:
            return
        if status.closed:
            self.say(f"{status.month:%B %Y} is already closed")
            return
        if not status.ended:
            self.say(f"{status.month:%B %Y} has not ended: it can be closed from "
                     f"{status.month + relativedelta(months=1):%m/%d/%Y}")
            return
        month = status.month

        def save(session: Session, model: CloseChoice) -> None:
            month_close.close_month(session, month, today=self.ctx.today, now=self.ctx.now(), actor=self.ctx.actor,
                                    force=model.force)

        self.app.push_screen(CloseForm(self.ctx, save, month, status.unticked), self._after_form)

    def action_reopen(self) -> None:
        status = self.status
        if status is None:
            return
        if not status.closed:
            self.say(f"{status.month:%B %Y} is not closed")
            return
        month = status.month

        def save(session: Session, model: ReopenReason) -> None:
            month_close.reopen_month(session, month, model.reason, now=self.ctx.now(), actor=self.ctx.actor)

        self.app.push_screen(ReopenForm(self.ctx, save, month), self._after_form)

    def action_preview(self) -> None:
        month = self.month

        def build(session: Session) -> str:
            report = month_report.month_report(session, month, today=self.ctx.today, actor=self.ctx.actor)
            return month_report.report_markdown(report)

        self.read(build, lambda text: self.app.push_screen(ReportPreview(month, text)), group="close-preview")

    def action_write(self) -> None:
        month = self.month

        def save(session: Session, model: ReportFile) -> Path:
            return month_report.save_report(session, month, model.path, model.format, today=self.ctx.today,
                                            now=self.ctx.now(), actor=self.ctx.actor, replace=model.replace)

        form = ReportFileForm(self.ctx, save, month, sheet_folder(self.ctx))
        self.app.push_screen(form, lambda saved: self._written(form) if saved else None)

    def _written(self, form: ReportFileForm) -> None:
        self.say(f"Report written: {form.result}")


class ReportPreview(ModalScreen[None]):
    """The month's report as its Markdown shows it, scrolled with the arrow and page keys."""

    DEFAULT_CSS = """
    ReportPreview { align: center middle; }
    ReportPreview > .report-preview {
        width: 95%;
        max-width: 120;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,q", "dismiss_preview", "Close", id="report_preview_close")]

    def __init__(self, month: date, text: str) -> None:
        super().__init__()
        self.month, self.text = month, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="report-preview"):
            yield Label(Text(f"Month-end report: {self.month:%B %Y} (preview)"), classes="form-title")
            with VerticalScroll(id="report-scroll"):
                # User text in it is escaped by the report's Markdown writer; Markdown never reads Rich markup.
                yield Markdown(self.text, id="report-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#report-scroll", VerticalScroll).focus()

    def action_dismiss_preview(self) -> None:
        self.dismiss(None)
