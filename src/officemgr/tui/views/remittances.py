"""Remittances (Billing key r, or the palette): each posted 835 and paper EOB, newest first, a page at a time; u the
claim payments that matched no claim.

Keys: PgDn/PgUp page, enter opens the remittance (its checks, provider-level adjustments, claim payments) or, on an
unmatched payment, the claims it may be for (m there posts it on one, after a question), u switches the two lists,
m on an unmatched payment opens its candidates too, p types in a paper EOB. Seeing needs the billing area; posting
by hand needs the biller or manager role, and the keys say so to anyone else.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Label, Static

from officemgr.services import payers as payer_service
from officemgr.services import remittance_list, remittances
from officemgr.services.format import money, plural
from officemgr.services.remittance_list import (
    Candidate,
    RemittanceDetail,
    RemittancePage,
    RemittanceRow,
    UnmatchedList,
    UnmatchedRow,
)
from officemgr.services.remittances import PaperEob
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.eob import EobForm
from officemgr.tui.views.remittance_detail import (
    SCREEN_CSS,
    CandidatesScreen,
    RemittanceDetailScreen,
    day,
    refusal,
)
from officemgr.tui.widgets.base import ListScreen, clip, plain, selected_key
from officemgr.tui.widgets.paged_table import PagedTable, page_status

LIST_COLUMNS = ("Imported", "Payer", "Check/EFT", "Check date", "Amount", "Claims", "Not posted", "PLB", "File")
UNMATCHED_COLUMNS = ("Claim sent", "Patient (payer's)", "Service", "Paid", "Charge", "Payer", "Check", "Why")
# On a narrower screen (80 columns at the desk) fewer, shorter columns, so none is cut off at the right: the line
# under the table still gives the highlighted row in full.
WIDE_MIN = 140
NARROW_LIST_COLUMNS = ("Imported", "Payer", "Check/EFT", "Amount", "Claims", "Unposted")
NARROW_UNMATCHED_COLUMNS = ("Claim sent", "Patient", "Paid", "Why")
UNMATCHED_SHOWN = 200  # the newest unmatched payments listed; the status line gives the count of all
HINTS = {"list": "PgDn/PgUp page · enter open · u unmatched payments · p paper EOB · escape close",
         "unmatched": "enter or m the claims it may be for (m there matches) · u all remittances · p paper EOB · "
                      "escape close"}


class RemittancesScreen(ListScreen):
    """Dismisses with True when it posted anything."""

    DEFAULT_CSS = SCREEN_CSS.format(name="RemittancesScreen")
    BINDINGS = [
        Binding("escape", "close", "Close", id="remits_close"),
        Binding("u", "switch", "Unmatched / all", id="remits_switch"),
        Binding("m", "match", "Match", id="remits_match"),
        Binding("p", "paper", "Paper EOB", id="remits_paper"),
    ]

    def __init__(self, ctx: AppContext, *, unmatched: bool = False) -> None:
        super().__init__(ctx)
        self.mode = "unmatched" if unmatched else "list"
        self.page = 0
        self.data: RemittancePage | UnmatchedList | None = None
        self.listed: dict[str, RemittanceRow] = {}
        self.unmatched: dict[str, UnmatchedRow] = {}
        self.narrow = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="remit"):
            yield Label(Text("Remittances"), classes="form-title", id="remits-title")
            yield PagedTable(id="remits-table", classes="remit-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="remits-row", classes="remit-line")
            yield Static(Text("loading…"), id="remits-status", classes="remit-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.narrow = self.app.size.width < WIDE_MIN
        self._columns()
        self.query_one(PagedTable).focus()
        self.reload()

    def on_resize(self) -> None:
        narrow = self.app.size.width < WIDE_MIN
        if narrow != self.narrow:
            self.narrow = narrow
            self._columns()
            if self.data is not None:
                self.show(self.data)

    def _columns(self) -> None:
        table = self.query_one(PagedTable)
        table.clear(columns=True)
        if self.mode == "list":
            table.add_columns(*(NARROW_LIST_COLUMNS if self.narrow else LIST_COLUMNS))
        else:
            table.add_columns(*(NARROW_UNMATCHED_COLUMNS if self.narrow else UNMATCHED_COLUMNS))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """m works on the unmatched payments: it leaves the footer while the remittances are listed."""
        return not (action == "match" and self.mode != "unmatched")

    # -- loading ------------------------------------------------------------------------------------------

    def fetch(self, session: Session) -> RemittancePage | UnmatchedList:
        if self.mode == "unmatched":
            return remittance_list.unmatched(session, limit=UNMATCHED_SHOWN, actor=self.ctx.actor)
        return remittance_list.remittances(session, page=self.page, actor=self.ctx.actor)

    def show(self, data: RemittancePage | UnmatchedList) -> None:
        if isinstance(data, RemittancePage) != (self.mode == "list"):
            return  # loaded for the other list, before u switched
        self.data = data
        table = self.query_one(PagedTable)
        keep = table.cursor_row
        table.clear()
        if isinstance(data, RemittancePage):
            self.page = data.page
            self.listed = {str(row.remittance_id): row for row in data.rows}
            for row in data.rows:
                table.add_row(*_list_cells(row, narrow=self.narrow), key=str(row.remittance_id))
            title = Text("Remittances: posted 835s and paper EOBs, newest first")
            status = page_status(data.offset, len(data.rows), data.total)
            empty = "No remittance posted yet: import an 835 (officemgr import era FILE), or p for a paper EOB."
        else:
            self.unmatched = {str(row.payment.remittance_claim_id): row for row in data.rows}
            for unmatched_row in data.rows:
                table.add_row(*_unmatched_cells(unmatched_row, narrow=self.narrow),
                              key=str(unmatched_row.payment.remittance_claim_id))
            title = Text("Unmatched payments: claim payments not posted, newest first")
            status = page_status(0, len(data.rows), data.total)
            if data.total > len(data.rows):
                status += f" (the newest {len(data.rows):,} listed)"
            empty = "Every claim payment is posted: nothing to match."
        table.move_cursor(row=min(keep, max(0, table.row_count - 1)))
        self.query_one("#remits-title", Label).update(title)
        self.query_one("#remits-status", Static).update(Text(f"{status} · {HINTS[self.mode]}"))
        if not table.row_count:
            self.query_one("#remits-row", Static).update(Text(empty, style="dim"))

    @on(PagedTable.RowHighlighted, "#remits-table")
    def _highlighted(self, event: PagedTable.RowHighlighted) -> None:
        key = str(event.row_key.value)
        line = Text("")
        if self.mode == "list" and key in self.listed:
            line = _list_line(self.listed[key])
        elif self.mode == "unmatched" and key in self.unmatched:
            line = _unmatched_line(self.unmatched[key])
        self.query_one("#remits-row", Static).update(line)

    # -- keys ---------------------------------------------------------------------------------------------

    def on_paged_table_page_requested(self, event: PagedTable.PageRequested) -> None:
        event.stop()
        data = self.data
        if not isinstance(data, RemittancePage):
            return
        wanted = min(max(0, data.page + event.delta), data.last_page)
        if wanted != data.page:
            self.page = wanted
            self.reload()

    def action_switch(self) -> None:
        self.mode = "unmatched" if self.mode == "list" else "list"
        self.data = None
        self._columns()
        self.query_one("#remits-row", Static).update(Text(""))
        self.query_one("#remits-status", Static).update(Text("loading…"))
        self.refresh_bindings()
        self.reload()

    @on(PagedTable.RowSelected, "#remits-table")
    def _selected(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        key = str(event.row_key.value)
        if self.mode == "list" and key in self.listed:
            self._open_remittance(self.listed[key].remittance_id)
        elif self.mode == "unmatched" and key in self.unmatched:
            self._open_candidates(self.unmatched[key])

    def _open_remittance(self, remittance_id: int) -> None:
        def fetch(session: Session) -> RemittanceDetail:
            return remittance_list.remittance(session, remittance_id, actor=self.ctx.actor)

        self.read(fetch, lambda detail: self.app.push_screen(RemittanceDetailScreen(self.ctx, detail)), group="open")

    def _open_candidates(self, paid: UnmatchedRow) -> None:
        payment_id = paid.payment.remittance_claim_id

        def fetch(session: Session) -> tuple[Candidate, ...]:
            return remittance_list.candidates(session, payment_id, actor=self.ctx.actor)

        def match(session: Session, remittance_claim_id: int, claim_id: int) -> str:
            return remittances.match_by_hand(session, remittance_claim_id, claim_id, today=self.ctx.today,
                                             now=self.ctx.now(), actor=self.ctx.actor)

        def push(found: tuple[Candidate, ...]) -> None:
            self.app.push_screen(CandidatesScreen(self.ctx, paid, found, match), self._after_posting)

        self.read(fetch, push, group="open")

    def _after_posting(self, posted: bool | None) -> None:
        if posted:
            self.saved()

    def action_match(self) -> None:
        if self.mode != "unmatched":
            return
        why = refusal(self.ctx.actor, "matching a payment to a claim")
        if why is not None:
            self.say(why, "error")
            return
        key = selected_key(self.query_one(PagedTable))
        if key in self.unmatched:
            self._open_candidates(self.unmatched[key])

    def action_paper(self) -> None:
        why = refusal(self.ctx.actor, "posting a paper EOB")
        if why is not None:
            self.say(why, "error")
            return

        def save(session: Session, eob: PaperEob, override_reason: str) -> str:
            return remittances.post_paper_eob(session, eob, today=self.ctx.today, now=self.ctx.now(),
                                              actor=self.ctx.actor, override_reason=override_reason)

        def read(session: Session) -> list[tuple[str, int]]:
            return [(p.name, p.payer_id) for p in payer_service.payers(session)]

        def push(choices: list[tuple[str, int]]) -> None:
            form = EobForm(self.ctx, save, payers=choices, today=self.ctx.today)
            self.app.push_screen(form, lambda saved: self._after_paper(form, saved))

        self.read(read, push, group="open")

    def _after_paper(self, form: EobForm, saved: bool | None) -> None:
        if saved and isinstance(form.result, str):
            self.say(form.result)
            self.page = 0
            self.saved()

    def action_close(self) -> None:
        self.dismiss(self.changed)


def _list_cells(row: RemittanceRow, *, narrow: bool) -> list[Text]:
    plb = Text(money(-row.plb_cents) if row.plb_cents else "", justify="right")
    not_posted = Text(f"{row.not_posted:,}" if row.not_posted else "", justify="right",
                      style="bold yellow" if row.not_posted else "")
    if narrow:
        return [Text(f"{row.imported_at:%m/%d/%y}"), plain(clip(row.payer, 14)), plain(clip(row.check_number, 12)),
                Text(money(row.paid_cents), justify="right"), Text(f"{row.claims:,}", justify="right"), not_posted]
    return [Text(f"{row.imported_at:%m/%d/%y}"), plain(clip(row.payer, 18)), plain(clip(row.check_number, 14)),
            Text(f"{row.paid_on:%m/%d/%y}" if row.paid_on else "—"), Text(money(row.paid_cents), justify="right"),
            Text(f"{row.claims:,}", justify="right"), not_posted, plb, plain(clip(row.source, 24))]


def _list_line(row: RemittanceRow) -> Text:
    line = Text(f"Imported {row.imported_at:%m/%d/%Y %H:%M} · ")
    line.append_text(plain(row.source))
    line.append(" · ")
    line.append_text(plain(row.payer or "payer not named"))
    line.append(" · check ")
    line.append_text(plain(row.check_number or "—"))
    if row.paid_on:
        line.append(f" of {row.paid_on:%m/%d/%Y}")
    line.append(f" · {money(row.paid_cents)} · {plural(row.claims, 'claim payment')}, {row.posted:,} posted, "
                f"{row.not_posted:,} not")
    if row.plb_cents:
        line.append(f" · provider adjustments {money(-row.plb_cents)}")
    return line


def _unmatched_cells(row: UnmatchedRow, *, narrow: bool) -> list[Text]:
    p = row.payment
    if narrow:
        return [plain(clip(p.claim_number, 12)), plain(clip(p.patient_name, 16)),
                Text(money(p.paid_cents), justify="right"), plain(clip(row.why, 24))]
    return [plain(clip(p.claim_number, 16)), plain(clip(p.patient_name, 20)), Text(day(p.service_date)),
            Text(money(p.paid_cents), justify="right"), Text(money(p.charge_cents), justify="right"),
            plain(clip(row.payer, 16)), plain(clip(row.check_number, 12)), plain(clip(row.why, 40))]


def _unmatched_line(row: UnmatchedRow) -> Text:
    p = row.payment
    line = Text(f"{money(p.paid_cents)} on claim number ")
    line.append_text(plain(p.claim_number))
    line.append(" · ")
    line.append_text(plain(p.patient_name or "no patient name"))
    line.append(f" · service {day(p.service_date)} · {p.status} · ")
    line.append_text(plain(row.payer or "payer not named"))
    line.append(" check ")
    line.append_text(plain(row.check_number or "—"))
    line.append(f" · imported {row.imported_at:%m/%d/%Y} from ")
    line.append_text(plain(row.source))
    line.append(" · ")
    line.append_text(plain(row.why, "bold"))
    return line
