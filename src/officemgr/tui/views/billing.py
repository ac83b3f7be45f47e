"""Billing tab: the follow-up work queue of open claims, one page at a time, and (key v) the A/R view.

Queue keys: enter opens a claim, n adds a follow-up note, s changes its status, f filters by payer, status,
bucket or denial code (F or escape clears), / filters by text, PgDn/PgUp page, c the CARC codes.
Whatever a form needs from the database is read in a worker before the form opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from officemgr.models import ClaimNoteCreate, ClaimStatus
from officemgr.services import billing, claim_flow, denials
from officemgr.services import payers as payer_service
from officemgr.services.billing import PAGE, ClaimDetail, ClaimInfo, NoteRow, QueueFilter, QueuePage, QueueRow
from officemgr.services.claim_flow import StatusChange
from officemgr.services.common import ServiceError
from officemgr.services.format import money
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.base import FieldsForm
from officemgr.tui.forms.claim_note import ClaimNoteForm, ClaimRef
from officemgr.tui.forms.claim_status import ClaimStatusForm, Filters, QueueFilterForm
from officemgr.tui.views.billing_ar import ArData, ArPanel, fetch_ar
from officemgr.tui.views.carc_codes import CarcScreen
from officemgr.tui.views.claim_detail import ClaimScreen
from officemgr.tui.views.payers import PayersScreen
from officemgr.tui.views.remittances import RemittancesScreen
from officemgr.tui.widgets.base import TabView, clip, plain, selected_key
from officemgr.tui.widgets.paged_table import PagedTable, page_status

# The claim, its deadline (with the year) and its balance first: what decides the work stays in view at 80 columns.
COLUMNS = ("Claim", "Deadline", "Balance", "Patient", "Payer", "Why", "Status", "Age", "Service", "Denial",
           "Follow-up")
TITLE = "Claims to work today: nearest deadline first, then balance, then age"


def deadline_cell(row: QueueRow) -> Text:
    """'12/01 · 8 d' (bold red under 15 days or passed); the year shows in the claim view."""
    if row.days_to_deadline is None or row.deadline is None:
        return Text("—", style="dim")
    style = "bold red" if row.days_to_deadline < billing.DEADLINE_WARN_DAYS else ""
    label = "passed" if row.days_to_deadline < 0 else f"{row.days_to_deadline} d"
    return Text(f"{row.deadline:%m/%d/%y} · {label}", style=style)


def denial_text(row: QueueRow) -> str:
    return f"{row.denial_code} {row.denial_meaning}".strip() if row.denial_code else ""


def queue_cells(row: QueueRow) -> list[Text]:
    """The row as it fits 160 columns: long text is clipped (the line under the table shows it whole)."""
    reason = row.reason.replace("needs investigation: no activity for ", "no activity ").replace(" days", " d")
    why = Text(clip(("! " if row.escalated else "") + reason, 22), style="bold red" if row.escalated else "")
    return [
        plain(row.number),
        deadline_cell(row),
        Text(money(row.balance_cents), justify="right"),
        plain(clip(row.patient_name, 16)),
        plain(clip(row.payer_name, 16)),
        why,
        Text(row.status.label, style="bold red" if row.status in (ClaimStatus.denied, ClaimStatus.rejected) else ""),
        Text(row.bucket),
        Text(f"{row.service_date:%m/%d/%y}"),
        plain(clip(denial_text(row), 16)),
        Text(f"{row.next_follow_up:%m/%d}" if row.next_follow_up else ""),
    ]


def row_line(row: QueueRow) -> Text:
    """The highlighted claim in full: why it is in the queue, its deadline, its denial."""
    line = Text(f"{row.number}{' (paper)' if row.paper else ''} · {row.patient_name} · {row.payer_name}: ")
    line.append(("! " if row.escalated else "") + row.reason, style="bold red" if row.escalated else "bold")
    if row.deadline:
        line.append(f" · deadline {row.deadline:%m/%d/%Y}")
    if row.denial_code:
        group = f"{row.denial_group}-" if getattr(row, "denial_group", "") else ""
        line.append(f" · denied {group}{row.denial_code}: {row.denial_meaning or 'meaning not in the CARC list'}")
    return line


@dataclass(frozen=True)
class Counted:
    """A queue page with what its total was counted for: the filters and the write count when the read began."""

    page: QueuePage
    filters: QueueFilter
    writes: int


def result_of(screen: Screen[bool]) -> object:
    """What a form's save call returned once it closed (None for any other screen)."""
    return screen.result if isinstance(screen, FieldsForm) else None


class BillingView(TabView):
    BINDINGS = [
        *TabView.BINDINGS,
        Binding("n", "note", "Follow-up note", id="billing_note"),
        Binding("s", "status", "Change status", id="billing_status"),
        Binding("f", "filters", "Filter by payer, status…", id="billing_filters"),
        Binding("F", "clear_filter", "Clear filters", id="billing_clear_filters"),
        Binding("v", "switch", "Queue / A/R", id="billing_switch"),
        Binding("c", "carc", "CARC codes", id="billing_carc"),
        Binding("p", "payers", "Payers", id="billing_payers"),
        Binding("r", "remittances", "Remittances", id="billing_remittances"),
        Binding("pagedown", "page(1)", "Next page", id="billing_next"),
        Binding("pageup", "page(-1)", "Prev page", id="billing_prev"),
    ]

    def __init__(self, *, ctx: AppContext, lazy: bool = False, **kwargs: Any) -> None:
        super().__init__(ctx=ctx, lazy=lazy, **kwargs)
        self.page_offset = 0
        self.rows: dict[int, QueueRow] = {}
        self.total = 0  # claims in the queue, on every page
        # (filters, write count, total) of the page on show: another page of it needs no count.
        self.counted: tuple[QueueFilter, int, int] | None = None
        self.filters = Filters()
        self.payer_names: dict[int, str] = {}
        self.mode = "queue"  # or "ar"
        self.title_shown = Text(TITLE)

    def compose(self) -> ComposeResult:
        yield Label(TITLE, classes="view-title", id="billing-title")
        yield PagedTable(cursor_type="row", zebra_stripes=True, id="queue")
        yield Static("", id="billing-row", classes="status")
        yield from self.compose_filter()

    def on_mount(self) -> None:
        self.query_one(PagedTable).add_columns(*COLUMNS)
        super().on_mount()

    # -- loading: the queue page, or everything the A/R view shows

    def queue_filter(self) -> QueueFilter:
        f = self.filters
        return QueueFilter(payer_id=f.payer_id, status=f.status, bucket=f.bucket, denial_code=f.denial_code,
                           text=self.filter_text)

    def fetch(self, session: Session) -> Counted | ArData:
        if self.mode == "ar":
            return fetch_ar(session, self.ctx.today, self.ctx.actor)
        filters, writes, counted = self.queue_filter(), self.loaded_at, self.counted
        known = counted[2] if counted is not None and counted[:2] == (filters, writes) else None
        return Counted(billing.work_queue(session, self.ctx.today, actor=self.ctx.actor, offset=self.page_offset,
                                          limit=PAGE, filters=filters, total=known), filters, writes)

    def show(self, loaded: Counted | ArData) -> None:
        if isinstance(loaded, ArData):
            if self.mode == "ar":
                self.query_one(ArPanel).show(loaded)
            return
        if self.mode != "queue":
            return
        data = loaded.page
        table = self.query_one(PagedTable)
        keep = table.cursor_row
        table.clear()
        self.rows = {row.claim_id: row for row in data.rows}
        self.total = data.total
        self.counted = (loaded.filters, loaded.writes, data.total)
        for row in data.rows:
            table.add_row(*queue_cells(row), key=str(row.claim_id))
        table.move_cursor(row=min(keep, max(0, table.row_count - 1)))
        if not data.rows:
            self.query_one("#billing-row", Static).update(Text("No claims to work" + (" with these filters" if (
                self.filter_text or self.filters != Filters()) else " today"), style="dim"), layout=False)
        on = self.filters.describe(self.payer_names)
        if self.filter_text:
            on = f"{on}, " if on else ""
            on += f"text '{self.filter_text}'"
        title = Text(TITLE)
        if on:
            title.append(f" · filtered: {on} (F clears)", style="bold yellow")
        if title != self.title_shown:  # a Label's width follows its text: an update lays the screen out again
            self.title_shown = title
            self.query_one("#billing-title", Label).update(title)
        filtered = f" matching '{self.filter_text}'" if self.filter_text else ""
        escalated = sum(1 for row in data.rows if row.escalated)
        self.set_status(f"{page_status(data.offset, len(data.rows), data.total)}{filtered}"
                        + (f" · {escalated} escalated (!) on this page" if escalated else "")
                        + " · PgDn/PgUp page · enter opens · n note · s status · f filters · v A/R · c CARC codes")

    @on(PagedTable.RowHighlighted, "#queue")
    def _highlighted(self, event: PagedTable.RowHighlighted) -> None:
        row = self.rows.get(int(event.row_key.value or 0))
        # One line high (.status) whatever the claim: no layout of the whole screen on every cursor move.
        self.query_one("#billing-row", Static).update(row_line(row) if row else Text(""), layout=False)

    def focus_table(self) -> None:
        if self.mode == "ar":
            self.query_one("#aging", DataTable).focus()
        else:
            self.query_one(PagedTable).focus()

    # -- queue vs A/R

    def action_switch(self) -> None:
        queue = self.query_one(PagedTable)
        if self.mode == "queue":
            self.mode = "ar"
            queue.display = self.query_one("#billing-row").display = False
            self.query_one("#filter", Input).display = False
            if not self.query(ArPanel):
                self.mount(ArPanel(id="ar"), after=queue)
            self.query_one(ArPanel).display = True
            self.title_shown = Text("A/R at a glance · v back to the work queue")
            self.query_one("#billing-title", Label).update(self.title_shown)
            self.set_status("v work queue · enter on a payer: its claims in the queue · c CARC codes")
            self.call_after_refresh(self.focus_table)
        else:
            self.mode = "queue"
            self.query_one(ArPanel).display = False
            queue.display = self.query_one("#billing-row").display = True
            self.focus_table()
        self.refresh_bindings()
        self.reload()

    @on(DataTable.RowSelected, "#aging")
    def _payer_selected(self, event: DataTable.RowSelected) -> None:
        """enter on a payer's aging row: that payer's claims in the work queue."""
        event.stop()
        key = event.row_key.value
        if key and key.isdigit():
            name = str(event.data_table.get_row(key)[0])
            self.payer_names[int(key)] = name
            self.filters = Filters(payer_id=int(key))
            self.page_offset = 0
            self.action_switch()

    QUEUE_ACTIONS = frozenset({"note", "status", "filters", "start_filter", "page"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The queue's keys leave the footer while the A/R view is shown."""
        return not (self.mode == "ar" and action in self.QUEUE_ACTIONS)

    def in_queue(self) -> bool:
        if self.mode != "queue":
            self.say("That works on the work queue: press v to go back to it.", "warning")
        return self.mode == "queue"

    # -- paging and filters

    def on_paged_table_page_requested(self, event: PagedTable.PageRequested) -> None:
        event.stop()
        self.action_page(event.delta)

    def action_page(self, delta: int) -> None:
        if self.mode != "queue":
            return
        new = max(0, self.page_offset + delta * PAGE)
        if delta > 0 and self.page_offset + len(self.rows) >= self.total:
            return
        if new != self.page_offset:
            self.page_offset = new
            self.set_status(f"Loading rows {new + 1:,}–{min(new + PAGE, self.total):,} of {self.total:,}…")
            self.reload_after_frame()

    def apply_filter(self, text: str) -> None:
        self.page_offset = 0
        self.filter_text = text
        self.set_status(f"Filtering the queue by '{text}'…" if text else "Loading the whole queue…")
        self.reload_after_frame()

    def action_start_filter(self) -> None:
        if self.in_queue():
            super().action_start_filter()

    def action_clear_filter(self) -> None:
        """escape or F: clear the text filter and every `f` filter."""
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        if self.filter_text or self.filters != Filters():
            self.filters = Filters()
            self.page_offset = 0
            self.filter_text = ""
            self.reload()
        self.focus_table()

    def action_filters(self) -> None:
        if not self.in_queue():
            return

        def read(session: Session) -> tuple[list[tuple[str, int]], list[str]]:
            payers = [(p.name, p.payer_id) for p in payer_service.payers(session)]
            return payers, billing.bucket_labels(session)

        def make(data: tuple[list[tuple[str, int]], list[str]]) -> Screen[bool]:
            self.payer_names.update({pid: name for name, pid in data[0]})
            return QueueFilterForm(self.filters, payers=data[0], buckets=data[1])

        self.open_after_read(read, make, self._after_filters)

    def _after_filters(self, form: Screen[bool], applied: bool | None) -> None:
        chosen = result_of(form)
        if applied and isinstance(chosen, Filters) and chosen != self.filters:
            self.filters = chosen
            self.page_offset = 0
            self.reload()
        self.focus_table()

    # -- a claim: open, note, status

    def selected(self) -> QueueRow | None:
        key = selected_key(self.query_one(PagedTable))
        return self.rows.get(int(key)) if key else None

    def focus_record(self, record_id: int | None) -> None:
        if record_id is not None:
            self._open(record_id)

    @on(PagedTable.RowSelected, "#queue")
    def _selected(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        self._open(int(event.row_key.value or 0))

    def _open(self, claim_id: int) -> None:
        def fetch(session: Session) -> ClaimDetail | ServiceError:
            try:
                return billing.claim_detail(session, claim_id, actor=self.ctx.actor)
            except ServiceError as exc:  # gone meanwhile: the service's words say so
                return exc

        self.read(fetch, self._show_claim, group="detail")

    def _show_claim(self, found: ClaimDetail | ServiceError) -> None:
        if isinstance(found, ServiceError):
            self.say(str(found), "error")
            return
        ref = ClaimRef.from_detail(found)
        self.app.push_screen(ClaimScreen(found), lambda asked: self._from_claim(ref, asked))

    def _from_claim(self, ref: ClaimRef, asked: str | None) -> None:
        """The claim view closed asking for a note or a status change: open that form, then the claim again."""
        if asked == "note":
            self.app.push_screen(self._note_form(ref), lambda saved: self._after_note(saved, ref.claim_id))
        elif asked == "status":
            self._status(ref, reopen=True)

    def _note_form(self, claim: QueueRow | ClaimRef) -> ClaimNoteForm:
        def save(session: Session, note: ClaimNoteCreate) -> NoteRow:
            return billing.add_note(session, claim.claim_id, note, now=self.ctx.now(), actor=self.ctx.actor,
                                    expected_version=claim.version)

        return ClaimNoteForm(self.ctx, save, claim)

    def action_note(self) -> None:
        row = self.selected() if self.in_queue() else None
        if row is not None:
            self.app.push_screen(self._note_form(row), self._after_note)

    def _after_note(self, saved: bool | None, reopen: int | None = None) -> None:
        if saved:
            self.say("Follow-up saved")
            self.reload()
        if reopen is not None:
            self._open(reopen)

    def action_status(self) -> None:
        row = self.selected() if self.in_queue() else None
        if row is not None:
            self._status(ClaimRef.from_row(row), reopen=False)

    def _status(self, ref: ClaimRef, *, reopen: bool) -> None:
        if not claim_flow.allowed_next(ref.status):
            self.say(f"Claim {ref.number} is {ref.status.label}: its status cannot change any more.", "warning")
            return

        def save(session: Session, change: StatusChange) -> ClaimInfo:
            return claim_flow.change_status(session, ref.claim_id, change, today=self.ctx.today, now=self.ctx.now(),
                                            actor=self.ctx.actor, expected_version=ref.version)

        def after(form: Screen[bool], saved: bool | None) -> None:
            changed = result_of(form)
            if saved and isinstance(changed, ClaimInfo):
                self.say(f"Claim {ref.number}: {ref.status.label} → {changed.status.label}")
                self.reload()
            if reopen:
                self._open(ref.claim_id)

        self.open_after_read(lambda session: {c.code: c.meaning for c in denials.codes(session)},
                             lambda carc: ClaimStatusForm(self.ctx, save, ref, carc=carc), after)

    def action_payers(self) -> None:
        self.app.push_screen(PayersScreen(self.ctx), lambda changed: self.reload() if changed else None)

    def action_remittances(self) -> None:
        self.app.push_screen(RemittancesScreen(self.ctx), lambda changed: self.reload() if changed else None)

    def action_carc(self) -> None:
        self.app.push_screen(CarcScreen(self.ctx), lambda changed: self.reload() if changed else None)

