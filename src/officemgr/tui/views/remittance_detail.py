"""What one row of the Remittances screen opens: a remittance (its checks, their provider-level adjustments and
claim payments; enter on a posted one opens its claim), and an unmatched payment with the claims it may be for
(m, then m again, posts it on the highlighted claim).

Payer names, patient names and notes come from files and users: every one is plain text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.services import billing
from officemgr.services.access import Area, NotAllowed, require
from officemgr.services.billing import ClaimDetail
from officemgr.services.format import money, plural
from officemgr.services.remittance_list import Candidate, CheckRow, ClaimPaymentRow, RemittanceDetail, UnmatchedRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import DatabaseWork, Session
from officemgr.tui.views.claim_detail import ClaimScreen
from officemgr.tui.widgets.base import clip, plain, selected_key

SCREEN_CSS = """
{name} > .remit {{
    width: 96%;
    height: 94%;
    border: thick $accent;
    background: $panel;
    padding: 0 1;
}}
{name} .remit-table {{
    height: 1fr;
}}
{name} .remit-line {{
    height: auto;
    max-height: 3;
}}
{name} .remit-hint {{
    color: $text-muted;
}}
"""
PAYMENT_COLUMNS = ("Claim", "Patient", "Service", "Kind", "Charge", "Paid", "Pt share", "Adjustments", "Posted")
CANDIDATE_COLUMNS = ("Claim", "Patient", "Born", "Service", "Billed", "Status", "Payer", "Why")


def day(value: Any) -> str:
    return f"{value:%m/%d/%Y}" if value else "—"


def refusal(actor: str, what: str) -> str | None:
    """Why `actor` may not post by hand (the words the service would say), or None when they may."""
    try:
        require(actor, Area.billing, what=what)
    except NotAllowed as exc:
        return str(exc)
    return None


def payment_line(row: ClaimPaymentRow) -> Text:
    """A claim payment in full, for the line under its table."""
    line = Text(f"Claim {row.claim_number} · ")
    line.append_text(plain(row.patient_name or "no patient name"))
    line.append(f" · service {day(row.service_date)} · {row.status} · charge {money(row.charge_cents)} · paid "
                f"{money(row.paid_cents)} · patient share {money(row.patient_resp_cents)}")
    if row.adjustments:
        line.append(" · " + ", ".join(row.adjustments))
    line.append(" · ")
    line.append_text(plain(row.outcome, "bold" if not row.posted else ""))
    return line


def check_text(check: CheckRow, claims: int) -> Text:
    """'Check 12345 · ACME · 11/20/2026 · $148.73 · 3 claim payments', then how it adds up, then each PLB line."""
    text = Text("Check " if check.check_id is not None else "Payments without a check record ")
    text.append_text(plain(check.number or "(no number)"))
    text.append(" · ")
    text.append_text(plain(check.payer or "payer not named"))
    text.append(f" · {day(check.paid_on)} · {money(check.paid_cents)} · {plural(claims, 'claim payment')}\n  ")
    text.append(check.adds_up(), style="" if check.adds_up().endswith(f"= check {money(check.paid_cents)}") else
                "bold red")
    for item in check.plb:
        text.append("\n  provider adjustment: ")
        text.append_text(plain(item.as_text()))
    return text


class RemittanceDetailScreen(DatabaseWork, ModalScreen[None]):
    DEFAULT_CSS = SCREEN_CSS.format(name="RemittanceDetailScreen") + """
    RemittanceDetailScreen #checks {
        height: auto;
        max-height: 7;
    }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="remit_detail_close")]

    def __init__(self, ctx: AppContext, detail: RemittanceDetail) -> None:
        super().__init__()
        self.ctx = ctx
        self.detail = detail
        self.payments = {str(p.remittance_claim_id): p for p in detail.claims}

    def compose(self) -> ComposeResult:
        head = self.detail.row
        title = Text(f"Remittance of {head.imported_at:%m/%d/%Y %H:%M} · ")
        title.append_text(plain(head.source))
        title.append(" · posted by ")
        title.append_text(plain(self.detail.actor))
        with Vertical(classes="remit"):
            yield Label(title, classes="form-title", id="detail-title")
            with VerticalScroll(id="checks"):
                yield Static(self._checks(), id="checks-text")
            yield DataTable(id="payments", classes="remit-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="payment-line", classes="remit-line")
            yield Static(Text("enter on a posted payment opens its claim · escape close"), classes="remit-hint")
        yield Footer()

    def _checks(self) -> Text:
        text = Text()
        for n, check in enumerate(self.detail.checks):
            if n:
                text.append("\n")
            text.append_text(check_text(check, len(self.detail.claims_of(check))))
        return text

    def on_mount(self) -> None:
        table = self.query_one("#payments", DataTable)
        table.add_columns(*PAYMENT_COLUMNS)
        for check in self.detail.checks:
            for row in self.detail.claims_of(check):
                table.add_row(*_payment_cells(row), key=str(row.remittance_claim_id))
        if not table.row_count:
            self.query_one("#payment-line", Static).update(Text("No claim payments in this remittance.", style="dim"))
        table.focus()

    @on(DataTable.RowHighlighted, "#payments")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self.payments.get(str(event.row_key.value))
        self.query_one("#payment-line", Static).update(payment_line(row) if row else Text(""))

    @on(DataTable.RowSelected, "#payments")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self.payments.get(str(event.row_key.value))
        if row is None:
            return
        claim_id = row.claim_id
        if not row.posted or claim_id is None:
            self.say(f"Claim payment {row.claim_number} was not posted: {row.outcome}. Match it from the unmatched "
                     "payments (u on the Remittances screen).", "warning")
            return

        def fetch(session: Session) -> ClaimDetail:
            return billing.claim_detail(session, claim_id, actor=self.ctx.actor)

        self.read(fetch, self._show_claim, group="claim")

    def _show_claim(self, detail: ClaimDetail) -> None:
        self.app.push_screen(ClaimScreen(detail), self._from_claim)

    def _from_claim(self, asked: str | None) -> None:
        if asked in ("note", "status"):
            self.say("Notes and status changes are made from the Billing tab's work queue.", "warning")

    def action_close(self) -> None:
        self.dismiss(None)


def _payment_cells(row: ClaimPaymentRow) -> list[Text]:
    posted = Text("yes" if row.posted else "no", style="" if row.posted else "bold yellow")
    return [plain(row.claim_number), plain(clip(row.patient_name, 20)), Text(day(row.service_date)),
            Text(clip(row.status, 14)), Text(money(row.charge_cents), justify="right"),
            Text(money(row.paid_cents), justify="right"), Text(money(row.patient_resp_cents), justify="right"),
            plain(clip(", ".join(row.adjustments), 28)), posted]


# --- an unmatched payment and its candidates ---------------------------------------------------------------------


def first_last(candidate: Candidate) -> str:
    return f"{candidate.first_name} {candidate.last_name}".strip()


def confirm_question(paid: UnmatchedRow, candidate: Candidate) -> Text:
    """'Post $100.00 from ACME check 12345 on claim C-1 (Jane Doe, 10/30/2026)?' and how to answer."""
    text = Text(f"Post {money(paid.payment.paid_cents)} from ", style="bold")
    text.append_text(plain(paid.payer or "the payer", "bold"))
    text.append(" check ", style="bold")
    text.append_text(plain(paid.check_number or "(no number)", "bold"))
    text.append(" on claim ", style="bold")
    text.append_text(plain(candidate.number, "bold"))
    text.append(" (", style="bold")
    text.append_text(plain(first_last(candidate), "bold"))
    text.append(f", {candidate.service_date:%m/%d/%Y})?", style="bold")
    text.append(" Press m again to post it; any other key keeps it unmatched.")
    return text


MatchCall = Callable[[Session, int, int], str]


class CandidatesScreen(DatabaseWork, ModalScreen[bool]):
    """An unmatched payment and the claims it may be for, best first. m asks, m again posts it on the highlighted
    claim (with `match`, a function of a session, the payment's id and the claim's); dismisses True once posted."""

    DEFAULT_CSS = SCREEN_CSS.format(name="CandidatesScreen") + """
    CandidatesScreen #payment-head {
        max-height: 6;
    }
    CandidatesScreen #confirm {
        height: auto;
        display: none;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="candidates_close"),
        Binding("m", "match", "Match to this claim", id="candidates_match"),
    ]

    def __init__(self, ctx: AppContext, paid: UnmatchedRow, found: tuple[Candidate, ...], match: MatchCall) -> None:
        super().__init__()
        self.ctx = ctx
        self.paid = paid
        self.found = {str(c.claim_id): c for c in found}
        self.match = match
        self.asking: int | None = None  # the claim the question is about: m again posts on it
        self.posting = False

    def compose(self) -> ComposeResult:
        p = self.paid.payment
        title = Text(f"Unmatched payment {money(p.paid_cents)} · claim number sent ")
        title.append_text(plain(p.claim_number))
        head = Text("Payer ")
        head.append_text(plain(self.paid.payer or "not named"))
        head.append(" · check ")
        head.append_text(plain(self.paid.check_number or "—"))
        head.append(f" of {self.paid.paid_on:%m/%d/%Y} · patient " if self.paid.paid_on else " · patient ")
        head.append_text(plain(p.patient_name or "not named"))
        if p.member_id:
            head.append(" · member ID ")
            head.append_text(plain(p.member_id))
        head.append(f" · service {day(p.service_date)} · {p.status} · charge {money(p.charge_cents)}")
        if p.adjustments:
            head.append(" · " + ", ".join(p.adjustments))
        head.append("\nWhy not posted: ")
        head.append_text(plain(self.paid.why))
        with Vertical(classes="remit"):
            yield Label(title, classes="form-title", id="candidates-title")
            yield Static(head, id="payment-head", classes="remit-line")
            yield DataTable(id="candidates", classes="remit-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="candidate-line", classes="remit-line")
            yield Static("", id="confirm")
            yield Static(Text("m match to the highlighted claim (asks first) · escape close"), classes="remit-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#candidates", DataTable)
        table.add_columns(*CANDIDATE_COLUMNS)
        for candidate in self.found.values():
            table.add_row(*_candidate_cells(candidate), key=str(candidate.claim_id))
        if not self.found:
            self.query_one("#candidate-line", Static).update(Text(
                "No claim of this patient's name, nor of a near service date and this amount: the claim may not be "
                "in officemgr yet (import or enter it, then match the payment here).", style="dim"))
        table.focus()

    @on(DataTable.RowHighlighted, "#candidates")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        candidate = self.found.get(str(event.row_key.value))
        line = Text()
        if candidate is not None:
            line.append_text(plain(candidate.patient_name))
            line.append(f" · born {candidate.dob:%m/%d/%Y} · claim ")
            line.append_text(plain(candidate.number))
            line.append(" · ")
            line.append_text(plain(candidate.payer))
            line.append(" · ")
            line.append(candidate.reason, style="bold")
        self.query_one("#candidate-line", Static).update(line)

    def selected(self) -> Candidate | None:
        key = selected_key(self.query_one("#candidates", DataTable))
        return self.found.get(key) if key else None

    def on_key(self, event: events.Key) -> None:
        # Any key but the second m drops the question (keys reach here before their bindings run).
        if self.asking is not None and event.key != "m":
            self._ask(None)

    def _ask(self, candidate: Candidate | None) -> None:
        self.asking = candidate.claim_id if candidate else None
        line = self.query_one("#confirm", Static)
        line.display = candidate is not None
        line.update(confirm_question(self.paid, candidate) if candidate else Text(""))

    def action_match(self) -> None:
        why = refusal(self.ctx.actor, "matching a payment to a claim")
        if why is not None:
            self.say(why, "error")
            return
        candidate = self.selected()
        if candidate is None:
            self.say("No claim to match it to.", "warning")
            return
        if self.asking != candidate.claim_id:
            self._ask(candidate)
            return
        if self.posting:
            return
        self.posting = True
        self._ask(None)
        payment_id, claim_id, match = self.paid.payment.remittance_claim_id, candidate.claim_id, self.match
        self.run_write(lambda session: match(session, payment_id, claim_id), then=self._posted)

    def _posted(self, said: str) -> None:
        self.posting = False
        self.say(said)
        self.dismiss(True)

    def write_refused(self) -> None:
        self.posting = False

    def action_close(self) -> None:
        self.dismiss(False)


def _candidate_cells(candidate: Candidate) -> list[Text]:
    return [plain(candidate.number), plain(clip(candidate.patient_name, 22)), Text(f"{candidate.dob:%m/%d/%Y}"),
            Text(f"{candidate.service_date:%m/%d/%Y}"), Text(money(candidate.billed_cents), justify="right"),
            Text(candidate.status), plain(clip(candidate.payer, 16)), Text(clip(candidate.reason, 40))]
