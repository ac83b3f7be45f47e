"""The corrections to a patient's account from their record: x void the selected ledger entry, r refund a credit,
c courtesy discount, C send the balance to collections (the manager's), E end the payment plan (the desk's). Each
says the balance after it saved."""

from __future__ import annotations

from textual.widgets import DataTable

from officemgr.services import ledger, statements
from officemgr.services.access import Area, may
from officemgr.services.format import money
from officemgr.services.ledger import EntryRow
from officemgr.services.patient_money import MoneyStanding
from officemgr.services.patient_record import PatientRecord
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.corrections import (
    Agency,
    CollectionsForm,
    CourtesyForm,
    Discount,
    EndPlanForm,
    Reason,
    Refund,
    RefundForm,
    VoidForm,
)
from officemgr.tui.widgets.base import ListScreen, selected_key


def owed_words(cents: int) -> str:
    """'$25.00 due', '$5.00 credit', '$0.00'."""
    return money(abs(cents)) + (" credit" if cents < 0 else " due" if cents else "")


class RecordMoney(ListScreen):
    """The record's money actions; PatientRecordScreen binds their keys (after its own, for the footer's order) and
    fills `record`, `standing` and the ledger table."""


    def __init__(self, ctx: AppContext, patient_id: int) -> None:
        super().__init__(ctx)
        self.patient_id = patient_id
        self.record: PatientRecord | None = None
        self.standing: MoneyStanding | None = None
        self.entries: dict[str, EntryRow] = {}

    def _account(self, *, manager: bool, what: str) -> PatientRecord | None:
        """The record if its account is on screen and the user may do `what`; else None, having said why."""
        r = self.record
        if r is None:
            return None
        if manager and not may(self.ctx.actor, Area.money_corrections):
            self.say(f"{what} needs the manager: ask them to sign in (ctrl+l locks this screen).", "warning")
            return None
        if r.balance_cents is None or not may(self.ctx.actor, Area.desk_money):
            self.say(f"{what} needs the front desk, billing or the manager.", "warning")
            return None
        return r

    def _corrected(self, saved: bool | None, message: str, balance: object) -> None:
        """After a correction's form closed: `balance` is what its save returned, the balance after it."""
        if saved and isinstance(balance, int):
            self.say(f"{message} · balance now {owed_words(balance)}")
            self.saved()

    def action_void(self) -> None:
        r = self._account(manager=True, what="Voiding an entry")
        if r is None:
            return
        entry = self.entries.get(selected_key(self.query_one("#record-ledger", DataTable)) or "")
        if entry is None:
            self.say("Choose the entry to void in the ledger first.", "warning")
            return
        if entry.kind not in ledger.CORRECTABLE:
            self.say(f"A {entry.kind.label} entry cannot be voided here: choose a payment, refund, write-off or "
                     "discount.", "warning")
            return
        if entry.voided:
            self.say("That entry was already voided.", "warning")
            return
        ctx, entry_id, patient_id = self.ctx, entry.id, r.id

        def save(session: Session, model: Reason) -> int:
            ledger.void(session, entry_id, model.reason, today=ctx.today, actor=ctx.actor, now=ctx.now())
            return ledger.balance(session, patient_id)

        receipt = f", receipt {entry.receipt}" if entry.receipt else ""
        what = f"{entry.what} of {money(abs(entry.amount_cents))} on {entry.day:%m/%d/%Y}{receipt}"
        form = VoidForm(ctx, save, what=what)
        self.app.push_screen(form, lambda saved: self._corrected(saved, f"Voided {what}", form.result))

    def action_refund(self) -> None:
        r = self._account(manager=True, what="A refund")
        if r is None or r.balance_cents is None:
            return
        if r.balance_cents >= 0:
            self.say(f"{r.name} has no credit to refund (balance {owed_words(r.balance_cents)}).", "warning")
            return
        ctx, patient_id = self.ctx, r.id

        def save(session: Session, model: Refund) -> int:
            ledger.refund(session, patient_id, model.cents, model.method, model.reason, reference=model.reference,
                          today=ctx.today, actor=ctx.actor, now=ctx.now())
            return ledger.balance(session, patient_id)

        form = RefundForm(ctx, save, name=r.name, credit_cents=-r.balance_cents)
        self.app.push_screen(form, lambda saved: self._corrected(saved, "Refund saved", form.result))

    def action_courtesy(self) -> None:
        r = self._account(manager=True, what="A courtesy discount")
        if r is None or r.balance_cents is None:
            return
        if r.balance_cents <= 0:
            self.say(f"{r.name} owes nothing to discount.", "warning")
            return
        ctx, patient_id = self.ctx, r.id

        def save(session: Session, model: Discount) -> int:
            ledger.courtesy(session, patient_id, model.cents, model.reason, today=ctx.today, actor=ctx.actor,
                            now=ctx.now())
            return ledger.balance(session, patient_id)

        form = CourtesyForm(ctx, save, name=r.name, owed_cents=r.balance_cents)
        self.app.push_screen(form, lambda saved: self._corrected(saved, "Courtesy discount saved", form.result))

    def action_collections(self) -> None:
        r = self._account(manager=True, what="Sending a balance to collections")
        if r is None or r.balance_cents is None:
            return
        if r.balance_cents <= 0:
            self.say(f"{r.name} owes nothing to send to collections.", "warning")
            return
        ctx, patient_id = self.ctx, r.id

        def save(session: Session, model: Agency) -> int:
            statements.send_to_collections(session, patient_id, model.name, today=ctx.today, actor=ctx.actor,
                                           now=ctx.now())
            return ledger.balance(session, patient_id)

        form = CollectionsForm(ctx, save, name=r.name, owed_cents=r.balance_cents)
        self.app.push_screen(form, lambda saved: self._corrected(saved, "Sent to collections", form.result))

    def action_end_plan(self) -> None:
        r = self._account(manager=False, what="Ending a payment plan")
        if r is None:
            return
        plan = self.standing.plan if self.standing else None
        if plan is None:
            self.say(f"{r.name} has no payment plan running.", "warning")
            return
        ctx, plan_id, patient_id = self.ctx, plan.id, r.id

        def save(session: Session, _: None) -> int:
            statements.end_payment_plan(session, plan_id, today=ctx.today, actor=ctx.actor, now=ctx.now())
            return ledger.balance(session, patient_id)

        form = EndPlanForm(ctx, save, name=r.name, plan=plan.summary)
        self.app.push_screen(form, lambda saved: self._corrected(saved, "Payment plan ended", form.result))
