"""The audit log (palette: "Audit log"): every write, newest first, a page at a time. Read only: no key here
changes or removes anything (the database refuses that too).

PgDn/PgUp page by keyset, f filters by record, person and dates, F clears them, enter shows one event's every
field (old and new), escape closes. Changes hold whatever users typed, so every cell is plain text, never markup.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.services import audit
from officemgr.services.audit import AuditFilter, AuditPage, AuditRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.audit_filter import AuditFilterForm
from officemgr.tui.widgets.base import ListScreen, plain, selected_key
from officemgr.tui.widgets.paged_table import PagedTable, page_status

PAGE = 50
SUMMARY_WIDTH = 90  # the Changes column shows the start; enter shows every field
HINT = "PgDn/PgUp page · enter every field · f filter · F clear filters · escape close"


class AuditLogScreen(ListScreen):
    """Dismisses with False: nothing here changes anything."""

    DEFAULT_CSS = """
    AuditLogScreen > .audit {
        width: 96%;
        height: 94%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    AuditLogScreen #audit-table {
        height: 1fr;
    }
    AuditLogScreen #audit-status {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="audit_close"),
        Binding("f", "filters", "Filter", id="audit_filter"),
        Binding("F", "clear_filters", "Clear filters", id="audit_clear"),
    ]

    def __init__(self, ctx: AppContext, flt: AuditFilter | None = None) -> None:
        super().__init__(ctx)
        self.flt = flt or AuditFilter()
        # The key each page shown so far starts after (None: the newest event); the last one is on screen.
        self.starts: list[tuple[datetime, int] | None] = [None]
        self.page: AuditPage | None = None
        self.rows: dict[str, AuditRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="audit"):
            yield Label(Text("Audit log: who changed what, when"), classes="form-title")
            yield PagedTable(id="audit-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text("loading…"), id="audit-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        table.add_columns("When", "Who", "Record", "Action", "Changes")
        table.focus()
        self.reload()

    # -- loading ------------------------------------------------------------------------------------------

    def fetch(self, session: Session) -> AuditPage:
        return audit.audit_page(session, self.flt, actor=self.ctx.actor, before=self.starts[-1], limit=PAGE)

    def show(self, page: AuditPage) -> None:
        self.page = page
        table = self.query_one(PagedTable)
        table.clear()
        self.rows = {str(row.id): row for row in page.rows}
        for row in page.rows:
            summary = row.summary if len(row.summary) <= SUMMARY_WIDTH else row.summary[: SUMMARY_WIDTH - 1] + "…"
            table.add_row(plain(f"{row.at:%m/%d/%Y %H:%M}"), plain(row.actor), plain(row.record), plain(row.action),
                          plain(summary), key=str(row.id))
        status = page_status(self.first_row, len(page.rows), page.total)
        if self.flt.active:
            status += f" · filtered: {self.flt.describe()}"
        self.query_one("#audit-status", Static).update(Text(f"{status} · {HINT}"))

    @property
    def first_row(self) -> int:
        """How many rows come before this page."""
        return (len(self.starts) - 1) * PAGE

    # -- keys ---------------------------------------------------------------------------------------------

    def on_paged_table_page_requested(self, event: PagedTable.PageRequested) -> None:
        event.stop()
        page = self.page
        if page is None:
            return
        if event.delta > 0 and page.rows and self.first_row + len(page.rows) < page.total:
            self.starts.append(page.rows[-1].key)
            self.reload()
        elif event.delta < 0 and len(self.starts) > 1:
            self.starts.pop()
            self.reload()

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_filters(self) -> None:
        self.read(lambda session: audit.choices(session, actor=self.ctx.actor), self._open_filters,
                  group="audit-filters")

    def _open_filters(self, choices: tuple[list[str], list[str]]) -> None:
        entities, actors = choices
        form = AuditFilterForm(self.flt, entities=entities, actors=actors)
        self.app.push_screen(form, lambda applied: self._filtered(
            form.result if applied and isinstance(form.result, AuditFilter) else None))

    def _filtered(self, flt: AuditFilter | None) -> None:
        if flt is not None:
            self._show(flt)

    def action_clear_filters(self) -> None:
        if self.flt.active:
            self._show(AuditFilter())

    def _show(self, flt: AuditFilter) -> None:
        self.flt = flt
        self.starts = [None]
        self.reload()

    @on(DataTable.RowSelected, "#audit-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = selected_key(self.query_one(PagedTable))
        if key in self.rows:
            self.app.push_screen(AuditEventScreen(self.rows[key]))


class AuditEventScreen(ModalScreen[None]):
    """One event: who, when, which record, and every field it changed with the old and new value."""

    DEFAULT_CSS = """
    AuditEventScreen > .audit-event {
        width: 110;
        height: 80%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    AuditEventScreen #event-fields {
        height: 1fr;
    }
    AuditEventScreen #event-hint {
        color: $text-muted;
    }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="audit_event_close")]

    def __init__(self, row: AuditRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical(classes="audit-event"):
            yield Label(Text(f"{row.record}: {row.action} by {row.actor} on {row.at:%m/%d/%Y at %H:%M:%S}"),
                        classes="form-title", id="event-title")
            yield DataTable(id="event-fields", cursor_type="row", zebra_stripes=True)
            yield Static(Text("escape close"), id="event-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#event-fields", DataTable)
        table.add_columns("Field", "Old", "New")
        for name, old, new in audit.field_lines(self.row):
            table.add_row(plain(name), plain("" if old is None else old), plain(new))
        if not table.row_count:
            table.add_row(plain("(no fields recorded)"), plain(""), plain(""))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
