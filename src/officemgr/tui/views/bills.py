"""Bills to pay (from the Practice money screen, key b): the vendors' invoices, a page at a time; o open, d due in the
next 7 days, u overdue, p paid, l all; n the next page, f the first. a enters a bill, e changes one not yet
approved, enter shows one (its lines, differences from its order, payments), A approves, y records a payment,
x voids, t changes a vendor's payment terms. Overdue open bills are red, those due within 7 days yellow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models.payables import BillStatus
from officemgr.services import bills
from officemgr.services.bills import (
    OPEN,
    BillCreate,
    BillDetail,
    BillFilter,
    BillPage,
    BillPaymentCreate,
    BillRow,
    OrderChoice,
    VendorChoice,
)
from officemgr.services.format import money
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.bill import (
    Approval,
    ApproveForm,
    BillForm,
    BillStart,
    PaymentForm,
    TermsForm,
    TermsIn,
    VoidBillForm,
    VoidReason,
)
from officemgr.tui.widgets.base import ListScreen, clip, plain, select_key, selected_key

# The figures before the invoice date, so Amount, Open and Status fit 80 columns (Dated scrolls into view).
COLUMNS = ("Vendor", "Invoice #", "Due", "Amount", "Open", "Status", "Dated")
PAGE = 40


@dataclass(frozen=True)
class Choices:
    vendors: list[VendorChoice]
    orders: list[OrderChoice]
    detail: BillDetail | None = None  # the bill being changed


def _what(row: BillRow) -> str:
    return f"invoice {row.invoice_number} from {row.vendor}"


class BillsScreen(ListScreen):
    DEFAULT_CSS = """
    BillsScreen > .bills {
        width: 95%;
        max-width: 150;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="bills_close"),
        Binding("a", "add", "Enter bill", id="bills_add"),
        Binding("e", "edit", "Change", id="bills_edit"),
        Binding("A", "approve", "Approve", id="bills_approve"),
        Binding("y", "pay", "Pay", id="bills_pay"),
        Binding("x", "void", "Void", id="bills_void"),
        Binding("o", "show('open')", "Open", id="bills_open"),
        Binding("d", "show('due_soon')", "Due soon", id="bills_due"),
        Binding("u", "show('overdue')", "Overdue", id="bills_overdue"),
        Binding("p", "show('paid')", "Paid", id="bills_paid"),
        Binding("l", "show('all')", "All", id="bills_all"),
        Binding("t", "terms", "Vendor terms", id="bills_terms"),
        Binding("n", "next_page", "Next page", id="bills_next"),
        Binding("f", "first_page", "First page", show=False, id="bills_first"),
    ]

    def __init__(self, ctx: AppContext, which: BillFilter = BillFilter.open) -> None:
        super().__init__(ctx)
        self.which = which
        self.after: tuple[date, int] | None = None  # where the page on show starts (None: the first)
        self.page_number = 1
        self.next_key: tuple[date, int] | None = None
        self.rows: dict[str, BillRow] = {}
        self.keep: str | None = None  # the row to select after a reload

    def compose(self) -> ComposeResult:
        with Vertical(classes="bills"):
            yield Label(Text("Bills to pay"), id="bills-title", classes="form-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="bills-table")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#bills-table", DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> BillPage:
        return bills.bills_page(session, self.which, after_key=self.after, limit=PAGE, today=self.ctx.today,
                                actor=self.ctx.actor)

    def show(self, data: BillPage) -> None:
        today = self.ctx.today
        table: DataTable[Any] = self.query_one("#bills-table", DataTable)
        table.clear()
        self.next_key = data.next_key
        self.rows = {str(r.id): r for r in data.rows}
        for r in data.rows:
            style = "red" if r.overdue(today) else "yellow" if r.due_soon(today) else ""
            table.add_row(plain(clip(r.vendor, 14)), plain(clip(r.invoice_number, 12)),
                          Text(f"{r.due_date:%m/%d/%y}", style=style), Text(money(r.amount_cents), justify="right"),
                          Text(money(r.open_cents) if r.status in OPEN else "", justify="right"),
                          Text(r.status.label, style=style), Text(f"{r.invoice_date:%m/%d/%y}"), key=str(r.id))
        if not data.rows:
            table.add_row(Text(""), Text(f"No {self.which.label} bills — a enters one"),
                          *(Text("") for _ in range(5)))
        select_key(table, self.keep)
        more = "  ·  n next page" if data.next_key else ""
        self.query_one("#bills-title", Label).update(
            Text(f"Bills to pay: {self.which.label}, page {self.page_number}{more}"))

    def selected(self) -> BillRow | None:
        return self.rows.get(selected_key(self.query_one("#bills-table", DataTable)) or "")

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_show(self, which: str) -> None:
        self.which, self.after, self.page_number, self.keep = BillFilter(which), None, 1, None
        self.reload()

    def action_next_page(self) -> None:
        if self.next_key is None:
            self.say("This is the last page")
            return
        self.after, self.page_number, self.keep = self.next_key, self.page_number + 1, None
        self.reload()

    def action_first_page(self) -> None:
        self.after, self.page_number = None, 1
        self.reload()

    # --- detail ---------------------------------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self.selected()
        if row is None:
            return
        bill_id = row.id
        self.read(lambda s: bills.bill_detail(s, bill_id, today=self.ctx.today, actor=self.ctx.actor),
                  lambda detail: self.app.push_screen(BillDetailScreen(detail)), group="open")

    # --- entering and changing ------------------------------------------------------------------------------------

    def _choices(self, session: Session, bill_id: int | None) -> Choices:
        actor = self.ctx.actor
        detail = None if bill_id is None else bills.bill_detail(session, bill_id, today=self.ctx.today, actor=actor)
        paid_order = None if detail is None else detail.bill.purchase_order_id
        return Choices(bills.vendor_choices(session, actor=actor),
                       bills.order_choices(session, actor=actor, also=paid_order), detail)

    def action_add(self) -> None:
        def save(session: Session, model: BillCreate, reason: str) -> int:
            return bills.enter_bill(session, model, today=self.ctx.today, now=self.ctx.now(), actor=self.ctx.actor,
                                    override_reason=reason)

        def push(choices: Choices) -> None:
            if not choices.vendors:
                self.say("No vendors yet: add them with the inventory import first", "warning")
                return
            self.app.push_screen(BillForm(self.ctx, save, vendors=choices.vendors, orders=choices.orders),
                                 self._after("Bill entered"))

        self.read(lambda s: self._choices(s, None), push, group="open")

    def action_edit(self) -> None:
        row = self.selected()
        if row is None:
            self.say("Select a bill to change")
            return
        if row.status is not BillStatus.entered:
            self.say(f"This bill is {row.status.label.lower()}: only a bill not yet approved can be changed "
                     "(void it and enter it again)", "warning")
            return
        bill_id, version = row.id, row.version

        def save(session: Session, model: BillCreate, reason: str) -> None:
            bills.update_bill(session, bill_id, model, expected_version=version, today=self.ctx.today,
                              now=self.ctx.now(), actor=self.ctx.actor, override_reason=reason)

        def push(choices: Choices) -> None:
            assert choices.detail is not None
            b, d = choices.detail.bill, choices.detail
            start = BillStart(b.vendor_id, b.purchase_order_id, b.invoice_number, b.invoice_date, b.due_date,
                              b.amount_cents, b.category, d.description, d.note)
            self.keep = str(bill_id)
            self.app.push_screen(BillForm(self.ctx, save, vendors=choices.vendors, orders=choices.orders,
                                          start=start), self._after("Bill changed"))

        self.read(lambda s: self._choices(s, bill_id), push, group="open")

    def action_terms(self) -> None:
        row = self.selected()

        def push(choices: Choices) -> None:
            versions = {v.id: v.version for v in choices.vendors}

            def save(session: Session, model: TermsIn) -> str:
                return bills.set_vendor_terms(session, model.vendor_id, model.terms,
                                              expected_version=versions.get(model.vendor_id, 0), now=self.ctx.now(),
                                              actor=self.ctx.actor)

            if not choices.vendors:
                self.say("No vendors yet: add them with the inventory import first", "warning")
                return
            self.app.push_screen(TermsForm(self.ctx, save, vendors=choices.vendors,
                                           vendor_id=row.vendor_id if row else None), self._after("Terms saved"))

        self.read(lambda s: self._choices(s, None), push, group="open")

    def _after(self, done: str) -> Callable[[bool | None], None]:
        def after(saved: bool | None) -> None:
            if saved:
                self.say(done)
                self.saved()

        return after

    # --- approving, paying, voiding -------------------------------------------------------------------------------

    def action_approve(self) -> None:
        row = self.selected()
        if row is None or row.status is not BillStatus.entered:
            self.say("Select a bill waiting for approval (status Entered)")
            return
        bill_id, version, what = row.id, row.version, _what(row)

        def save(session: Session, model: Approval) -> None:
            bills.approve_bill(session, bill_id, acknowledge=model.acknowledge, now=self.ctx.now(),
                               actor=self.ctx.actor, expected_version=version)

        def push(detail: BillDetail) -> None:
            self.keep = str(bill_id)
            self.app.push_screen(ApproveForm(self.ctx, save, what=what, differences=detail.differences),
                                 self._after("Approved for payment"))

        self.read(lambda s: bills.bill_detail(s, bill_id, today=self.ctx.today, actor=self.ctx.actor), push,
                  group="open")

    def action_pay(self) -> None:
        row = self.selected()
        if row is None or row.status is not BillStatus.approved:
            self.say("Select an approved bill to pay (approve it first with A)")
            return
        bill_id = row.id

        def pay(session: Session, payment: BillPaymentCreate, reason: str) -> int:
            return bills.pay_bill(session, bill_id, payment, today=self.ctx.today, now=self.ctx.now(),
                                  actor=self.ctx.actor, override_reason=reason)

        self.keep = str(bill_id)
        self.app.push_screen(PaymentForm(self.ctx, pay, what=_what(row), open_cents=row.open_cents),
                             self._after("Payment recorded"))

    def action_void(self) -> None:
        row = self.selected()
        if row is None or row.status not in OPEN:
            self.say("Select an unpaid bill to void")
            return
        bill_id, version = row.id, row.version

        def save(session: Session, model: VoidReason) -> None:
            bills.void_bill(session, bill_id, model.reason, now=self.ctx.now(), actor=self.ctx.actor,
                            expected_version=version, override_reason=model.override_reason)

        self.app.push_screen(VoidBillForm(self.ctx, save, what=_what(row)), self._after("Bill voided"))


class BillDetailScreen(ModalScreen[None]):
    """One bill: what it is, its lines, how it differs from its order, and its payments. Escape closes."""

    DEFAULT_CSS = """
    BillDetailScreen { align: center middle; }
    BillDetailScreen > .bill-detail {
        width: 90%;
        max-width: 110;
        height: 85%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="bill_detail_close")]

    def __init__(self, detail: BillDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        b = self.detail.bill
        with Vertical(classes="bill-detail"):
            yield Label(plain(f"Invoice {b.invoice_number} from {b.vendor}"), classes="form-title")
            with VerticalScroll():
                yield Static(self.text(), id="bill-detail-text")
        yield Footer()

    def text(self) -> Text:
        d, b = self.detail, self.detail.bill
        out = Text()

        def line(label: str, value: str = "", style: str = "") -> None:
            out.append(label, style="bold")
            out.append(value + "\n", style=style)

        line("Status: ", f"{b.status.label}" + (f", paid {d.paid_on:%m/%d/%Y}" if d.paid_on else ""))
        line("Invoice date: ", f"{b.invoice_date:%m/%d/%Y}   Due: {b.due_date:%m/%d/%Y}")
        line("Amount: ", f"{money(b.amount_cents)}   Open: {money(b.open_cents if b.status in OPEN else 0)}")
        line("Budget category: ", b.category.label)
        if b.purchase_order_id is not None:
            line("Pays purchase order: ", str(b.purchase_order_id))
        line("Entered by: ", d.entered_by + (f"   Approved by: {d.approved_by}" if d.approved_by else ""))
        for label, value in (("Description: ", d.description), ("Note: ", d.note),
                             ("Accepted at approval: ", d.match_note)):
            if value:
                line(label, value.replace("\n", " / "))
        if d.lines:
            line("\nLines")
            for bl in d.lines:
                out.append(f"  {bl.name}: {bl.quantity} × {money(bl.unit_cost_cents)} = "
                           f"{money(bl.quantity * bl.unit_cost_cents)}\n")
        line("\nDifferences")
        if d.differences:
            for diff in d.differences:
                out.append(f"  • {diff.text}\n", style="yellow")
        else:
            out.append("  none\n")
        line("\nPayments")
        if d.payments:
            for p in d.payments:
                ref = f" {p.reference}" if p.reference else ""
                out.append(f"  {p.paid_on:%m/%d/%Y}  {money(p.amount_cents)}  {p.method.label}{ref}  ({p.actor})\n")
        else:
            out.append("  none\n")
        return out

    def action_close(self) -> None:
        self.dismiss(None)
