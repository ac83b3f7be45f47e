"""The forms of bills to pay: a vendor's invoice (choosing a received purchase order fills in its vendor, what was
received and the budget category), approving one with its differences from the order, a payment, and voiding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from textual import on
from textual.widget import Widget
from textual.widgets import Input, Select

from officemgr.models.finance import BudgetCategory
from officemgr.models.payables import PayoutMethod
from officemgr.models.payment_terms import BadTerms, parse_terms
from officemgr.services.bills import BillCreate, BillPaymentCreate, Difference, OrderChoice, VendorChoice
from officemgr.services.format import money
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Refused, Session
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall
from officemgr.tui.forms.closed_month import REASON, ClosedMonthWatch, offer_reason, reason_field, show_reason

NO_ORDER = 0  # the order picker's value for a bill that pays no purchase order (no order has id 0)


@dataclass(frozen=True)
class BillStart:
    """What an edited bill holds now (a new one starts empty)."""

    vendor_id: int
    purchase_order_id: int | None
    invoice_number: str
    invoice_date: date
    due_date: date
    amount_cents: int
    category: BudgetCategory
    description: str
    note: str


class BillIn(BaseModel):
    bill: BillCreate
    override_reason: str = ""


BillCall = Callable[[Session, BillCreate, str], object]


class BillForm(RecordForm[BillIn]):
    """A vendor's invoice, new or changed. Dated in a closed month (as entered, or as it was) it is refused; the
    manager is then offered a reason field to save it anyway (audited)."""

    FORM_TITLE = "Enter a bill"

    def __init__(self, ctx: AppContext, save: BillCall, *, vendors: list[VendorChoice],
                 orders: list[OrderChoice], start: BillStart | None = None) -> None:
        self.vendors, self.orders, self.start = vendors, {o.id: o for o in orders}, start
        self.month_watch: ClosedMonthWatch[BillIn, object] = ClosedMonthWatch(
            lambda session, data: save(session, data.bill, data.override_reason))
        super().__init__(ctx, self.month_watch)
        if start is not None:
            self.FORM_TITLE = f"Change bill: invoice {start.invoice_number}"

    def fields(self) -> list[FieldSpec]:
        orders: list[tuple[str, Any]] = [("No purchase order", NO_ORDER)]
        orders += [(o.label, o.id) for o in self.orders.values()]
        return [
            FieldSpec("purchase_order_id", "Purchase order", kind="select", options=orders),
            FieldSpec("vendor_id", "Vendor", kind="select", options=[(f"{v.name} · {v.terms}", v.id)
                                                                     for v in self.vendors]),
            FieldSpec("invoice_number", "Invoice #", placeholder="as printed on the invoice"),
            FieldSpec("invoice_date", "Invoice date", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("due_date", "Due date", kind="date", optional=True, placeholder="blank: from the vendor's terms"),
            FieldSpec("amount_cents", "Amount", placeholder="e.g. 1,250.00"),
            FieldSpec("category", "Budget category", kind="select", optional=True,
                      options=[(c.label, c) for c in BudgetCategory]),
            FieldSpec("description", "Description", optional=True),
            FieldSpec("note", "Note", optional=True),
            reason_field(),
        ]

    def initial(self) -> dict[str, Any]:
        start = self.start
        if start is None:
            return {"purchase_order_id": NO_ORDER, "invoice_date": self.ctx.today}
        return {"purchase_order_id": start.purchase_order_id or NO_ORDER, "vendor_id": start.vendor_id,
                "invoice_number": start.invoice_number, "invoice_date": start.invoice_date,
                "due_date": start.due_date, "amount_cents": f"{start.amount_cents / 100:.2f}",
                "category": start.category, "description": start.description, "note": start.note}

    def on_mount(self) -> None:
        show_reason(self, False)

    def when_refused(self, message: Refused) -> None:
        super().when_refused(message)
        offer_reason(self, self.ctx, self.month_watch)
        # The reason is the last of many fields: on a small terminal its row (label and input) is below the fold
        # until scrolled to, once it is laid out.
        row = self.query_one(f"#f-{REASON}", Input).parent
        if isinstance(row, Widget):
            self.call_after_refresh(row.scroll_visible)

    @on(Select.Changed, "#f-purchase_order_id")
    def _order_chosen(self, event: Select.Changed) -> None:
        """An order fills in its vendor, the value received and its category (each still changeable)."""
        order = self.orders.get(event.value) if isinstance(event.value, int) else None
        if order is None or (self.start is not None and self.start.purchase_order_id == order.id):
            return
        self.query_one("#f-vendor_id", Select).value = order.vendor_id
        self.query_one("#f-amount_cents", Input).value = f"{order.received_cents / 100:.2f}"
        self.query_one("#f-category", Select).value = order.category

    def build(self, values: dict[str, Any]) -> BillIn:
        errors: dict[str, str] = {}
        if values["vendor_id"] is None:
            errors["vendor_id"] = "choose the vendor"
        invoiced, due = values["invoice_date"], values["due_date"]
        if isinstance(invoiced, date) and isinstance(due, date) and due < invoiced:
            errors["due_date"] = f"cannot be before the invoice date ({invoiced:%m/%d/%Y})"
        if errors:
            raise FieldErrors(errors)
        bill = BillCreate.model_validate({**values, "purchase_order_id": values["purchase_order_id"] or None,
                                          "description": values["description"] or "", "note": values["note"] or ""})
        return BillIn(bill=bill, override_reason=values[REASON] or "")


class Approval(BaseModel):
    acknowledge: bool


class ApproveForm(RecordForm[Approval]):
    """Approving a bill: its differences from the order (or a likely duplicate) are listed in the title and must be
    ticked as checked; with none, saving is the approval."""

    def __init__(self, ctx: AppContext, save: SaveCall[Approval], *, what: str,
                 differences: list[Difference]) -> None:
        self.differences = differences
        if differences:
            listed = "\n".join(f"• {d.text}" for d in differences)
            self.FORM_TITLE = f"Approve {what}? It differs:\n{listed}"
        else:
            self.FORM_TITLE = f"Approve {what} for payment? It matches its order (ctrl+s approves)"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("acknowledge", "Checked, approve anyway" if self.differences else "Approve", kind="check")]

    def initial(self) -> dict[str, Any]:
        return {"acknowledge": not self.differences}

    def build(self, values: dict[str, Any]) -> Approval:
        if not values["acknowledge"]:
            raise FieldErrors({"acknowledge": "tick this once the differences are checked (or escape)"
                               if self.differences else "tick this to approve (or escape)"})
        return Approval(acknowledge=True)


class PaymentIn(BaseModel):
    payment: BillPaymentCreate
    override_reason: str = ""


PayCall = Callable[[Session, BillPaymentCreate, str], object]


class PaymentForm(RecordForm[PaymentIn]):
    """A payment of an approved bill. Dated in a closed month it is refused; the manager is then offered a reason
    field to post it anyway (audited)."""

    def __init__(self, ctx: AppContext, pay: PayCall, *, what: str, open_cents: int) -> None:
        self.open_cents = open_cents
        self.month_watch: ClosedMonthWatch[PaymentIn, object] = ClosedMonthWatch(
            lambda session, data: pay(session, data.payment, data.override_reason))
        self.FORM_TITLE = f"Pay {what}: {money(open_cents)} owed"
        super().__init__(ctx, self.month_watch)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("paid_on", "Paid on", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("amount_cents", "Amount", optional=True, placeholder="blank: all that is owed"),
            FieldSpec("method", "Method", kind="select", options=[(m.label, m) for m in PayoutMethod]),
            FieldSpec("reference", "Check # / reference", optional=True, placeholder="required for a check"),
            reason_field(),
        ]

    def initial(self) -> dict[str, Any]:
        return {"paid_on": self.ctx.today, "amount_cents": f"{self.open_cents / 100:.2f}",
                "method": PayoutMethod.check}

    def on_mount(self) -> None:
        show_reason(self, False)

    def when_refused(self, message: Refused) -> None:
        super().when_refused(message)
        offer_reason(self, self.ctx, self.month_watch)

    def build(self, values: dict[str, Any]) -> PaymentIn:
        if values["method"] == PayoutMethod.check and not values["reference"]:
            raise FieldErrors({"reference": "a check payment needs the check number"})
        payment = BillPaymentCreate.model_validate({
            "paid_on": values["paid_on"], "amount_cents": values["amount_cents"], "method": values["method"],
            "reference": values["reference"] or ""})
        return PaymentIn(payment=payment, override_reason=values["override_reason"] or "")


class VoidReason(BaseModel):
    reason: str
    override_reason: str = ""


class VoidBillForm(RecordForm[VoidReason]):
    """Voiding a bill, with why. A bill dated in a closed month is refused; the manager is then offered a reason
    field to void it anyway (audited)."""

    def __init__(self, ctx: AppContext, save: SaveCall[VoidReason], *, what: str) -> None:
        self.FORM_TITLE = f"Void {what}"
        self.month_watch: ClosedMonthWatch[VoidReason, object] = ClosedMonthWatch(save)
        super().__init__(ctx, self.month_watch)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("reason", "Why", placeholder="e.g. entered twice, not ours"), reason_field()]

    def on_mount(self) -> None:
        show_reason(self, False)

    def when_refused(self, message: Refused) -> None:
        super().when_refused(message)
        offer_reason(self, self.ctx, self.month_watch)

    def build(self, values: dict[str, Any]) -> VoidReason:
        if not values["reason"]:
            raise FieldErrors({"reason": "say why the bill is void"})
        return VoidReason(reason=values["reason"], override_reason=values[REASON] or "")


class TermsIn(BaseModel):
    vendor_id: int
    terms: str


class TermsForm(RecordForm[TermsIn]):
    """A vendor's payment terms ("net 30", "2/10 net 30", "net 15 EOM", "10 prox", "due on receipt"): choosing the
    vendor shows its terms now."""

    FORM_TITLE = "A vendor's payment terms (bills entered from now on are due by them)"

    def __init__(self, ctx: AppContext, save: SaveCall[TermsIn], *, vendors: list[VendorChoice],
                 vendor_id: int | None = None) -> None:
        self.vendors, self.vendor_id = {v.id: v for v in vendors}, vendor_id
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        vendors = [(v.name, v.id) for v in self.vendors.values()]
        return [FieldSpec("vendor_id", "Vendor", kind="select", options=vendors),
                FieldSpec("terms", "Terms", placeholder="e.g. net 30, 2/10 net 30, net 15 EOM, 10 prox")]

    def initial(self) -> dict[str, Any]:
        chosen = self.vendors.get(self.vendor_id) if self.vendor_id is not None else None
        return {"vendor_id": self.vendor_id, "terms": chosen.terms if chosen else ""}

    @on(Select.Changed, "#f-vendor_id")
    def _vendor_chosen(self, event: Select.Changed) -> None:
        chosen = self.vendors.get(event.value) if isinstance(event.value, int) else None
        if chosen is not None:
            self.query_one("#f-terms", Input).value = chosen.terms

    def build(self, values: dict[str, Any]) -> TermsIn:
        if values["vendor_id"] is None:
            raise FieldErrors({"vendor_id": "choose the vendor"})
        try:
            parse_terms(values["terms"])
        except BadTerms as exc:
            raise FieldErrors({"terms": str(exc)}) from None
        return TermsIn(vendor_id=values["vendor_id"], terms=values["terms"])

