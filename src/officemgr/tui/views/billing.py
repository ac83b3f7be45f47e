"""Billing tab: the follow-up work queue of open claims, one page at a time."""

from __future__ import annotations

from rich.text import Text
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label

from officemgr.services import billing
from officemgr.services.billing import PAGE, QueuePage, QueueRow
from officemgr.services.common import ServiceError
from officemgr.services.format import money
from officemgr.store import read_session
from officemgr.tui.forms.claim_note import ClaimNoteForm
from officemgr.tui.views.claim_detail import ClaimScreen
from officemgr.tui.widgets.base import TabView, plain, selected_key
from officemgr.tui.widgets.paged_table import PagedTable, page_status


def deadline_cell(row: QueueRow) -> Text:
    if row.days_to_deadline is None:
        return Text("—", style="dim")
    style = "bold red" if row.days_to_deadline < billing.DEADLINE_WARN_DAYS else ""
    label = "passed" if row.days_to_deadline < 0 else f"{row.days_to_deadline} d"
    return Text(f"{row.deadline:%m/%d/%Y} ({label})", style=style)


class BillingView(TabView):
    BINDINGS = [
        *TabView.BINDINGS,
        Binding("n", "note", "Follow-up note", id="billing_note"),
        Binding("pagedown", "page(1)", "Next page", id="billing_next"),
        Binding("pageup", "page(-1)", "Prev page", id="billing_prev"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.page_offset = 0
        self.rows: dict[int, QueueRow] = {}

    def compose(self) -> ComposeResult:
        yield Label("Claims to work today: nearest deadline first, then balance, then age", classes="view-title")
        yield PagedTable(cursor_type="row", zebra_stripes=True, id="queue")
        yield from self.compose_filter()

    def on_mount(self) -> None:
        self.query_one(PagedTable).add_columns(
            "Claim", "Patient", "Payer", "Service", "Age", "Status", "Balance", "Deadline", "Denial", "Follow-up")
        super().on_mount()

    def fetch(self, session: Session) -> QueuePage:
        return billing.work_queue(session, self.today, offset=self.page_offset, limit=PAGE, text=self.filter_text)

    def show(self, data: QueuePage) -> None:
        table = self.query_one(PagedTable)
        table.clear()
        self.rows = {row.claim_id: row for row in data.rows}
        for row in data.rows:
            table.add_row(
                plain(row.number),
                plain(row.patient_name),
                plain(row.payer_name),
                Text(f"{row.service_date:%m/%d/%Y}"),
                Text(row.bucket),
                Text(row.status.label, style="bold red" if row.status.value in ("denied", "rejected") else ""),
                Text(money(row.balance_cents), justify="right"),
                deadline_cell(row),
                plain(row.denial_code),
                Text(f"{row.next_follow_up:%m/%d/%Y}" if row.next_follow_up else ""),
                key=str(row.claim_id),
            )
        filtered = f" matching '{self.filter_text}'" if self.filter_text else ""
        self.set_status(f"{page_status(data.offset, len(data.rows), data.total)}{filtered} · "
                        "PgDn/PgUp page · enter opens · n follow-up note · / filter")

    def on_paged_table_page_requested(self, event: PagedTable.PageRequested) -> None:
        event.stop()
        self.action_page(event.delta)

    def action_page(self, delta: int) -> None:
        new = max(0, self.page_offset + delta * PAGE)
        if delta > 0 and len(self.rows) < PAGE:
            return
        if new != self.page_offset:
            self.page_offset = new
            self.reload()

    def apply_filter(self, text: str) -> None:
        self.page_offset = 0
        super().apply_filter(text)

    def selected(self) -> QueueRow | None:
        key = selected_key(self.query_one(PagedTable))
        return self.rows.get(int(key)) if key else None

    def focus_record(self, record_id: int | None) -> None:
        if record_id is not None:
            self._open(record_id)

    @on(PagedTable.RowSelected)
    def _selected(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        self._open(int(event.row_key.value or 0))

    @work(thread=True, exclusive=True, group="detail")
    def _open(self, claim_id: int) -> None:
        try:
            with read_session(self.engine) as session:
                detail = billing.claim_detail(session, claim_id)
        except ServiceError as exc:
            self.app.call_from_thread(self.say, str(exc), "error")
            return
        self.app.call_from_thread(self.app.push_screen, ClaimScreen(detail))

    def action_note(self) -> None:
        row = self.selected()
        if row is not None:
            self.app.push_screen(ClaimNoteForm(row), self._after_note)

    def _after_note(self, saved: bool | None) -> None:
        if saved:
            self.say("Follow-up saved")
            self.reload()
