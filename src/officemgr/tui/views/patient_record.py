"""One patient's record: who they are, their insurance (and what a booking would be warned of), their balance and
ledger, and their visits. Keys: $ take a payment (a receipt page is written), i add a plan, v record today's
eligibility check of the plan in force, w write off a small balance, l a payment plan; the corrections (x void,
r refund, c courtesy, C collections, E end the plan) are in patient_money.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import EligibilityCheck, PlanCreate
from officemgr.outfiles import OutputRefused
from officemgr.services import insurance, ledger, payers, statements
from officemgr.services.access import Area, may
from officemgr.services.format import money
from officemgr.services.ledger import Receipt
from officemgr.services.patient_money import MoneyStanding, money_standing
from officemgr.services.patient_record import PatientRecord, patient_record
from officemgr.services.patients import age_on
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.desk_money import (
    EligibilityForm,
    PaymentEntry,
    PaymentForm,
    PaymentPlanForm,
    PlanForm,
    PlanTerms,
)
from officemgr.tui.views.huddle import sheet_folder
from officemgr.tui.views.patient_money import RecordMoney, owed_words
from officemgr.tui.widgets.base import plain, select_key, selected_key


class PatientRecordScreen(RecordMoney):
    DEFAULT_CSS = """
    PatientRecordScreen > .record { width: 95%; max-width: 130; height: 95%; border: thick $accent;
        background: $panel; padding: 0 1; }
    PatientRecordScreen #record-body { height: 1fr; }
    PatientRecordScreen .record-part { height: auto; margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="record_close"),
        Binding("dollar_sign", "pay", "Payment", id="record_pay"),
        Binding("i", "add_plan", "Add insurance", id="record_plan"),
        Binding("v", "verify", "Eligibility", id="record_verify"),
        Binding("w", "write_off", "Small balance", id="record_write_off"),
        Binding("l", "payment_plan", "Payment plan", id="record_plan_pay"),
        # patient_money's corrections
        Binding("E", "end_plan", "End plan", id="record_end_plan"),
        Binding("x", "void", "Void", id="record_void"),
        Binding("r", "refund", "Refund", id="record_refund"),
        Binding("c", "courtesy", "Courtesy", id="record_courtesy"),
        Binding("C", "collections", "Collections", id="record_collections"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="record"):
            yield Label(Text("Patient"), classes="form-title", id="record-title")
            with VerticalScroll(id="record-body"):
                yield Static("", id="record-who", classes="record-part")
                yield Static("", id="record-plans", classes="record-part")
                yield Static("", id="record-money", classes="record-part")
                yield DataTable(id="record-ledger", cursor_type="row", zebra_stripes=True)
                yield Static("", id="record-visits", classes="record-part")
            yield Static(Text("$ payment · w small balance · l payment plan · E end it · escape close\n"
                              "i add insurance · v eligibility checked today\n"
                              "tab, ↑↓ an entry: x void it · r refund · c courtesy · C collections"),
                         classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#record-ledger", DataTable)
        table.add_columns("Date", "What", "Amount", "Balance", "By")
        # Ten rows, scrolling: the app's stylesheet gives tables the rest of their screen, which here (inside a
        # scrolling record) would be one line.
        table.styles.height = 11
        self.reload()

    def fetch(self, session: Session) -> tuple[PatientRecord, MoneyStanding | None]:
        ctx = self.ctx
        record = patient_record(session, self.patient_id, today=ctx.today, now=ctx.now(), actor=ctx.actor)
        standing = money_standing(session, self.patient_id, actor=ctx.actor) \
            if may(ctx.actor, Area.desk_money, write=False) else None
        return record, standing

    def show(self, data: tuple[PatientRecord, MoneyStanding | None]) -> None:
        record, self.standing = data
        self.record = r = record
        known_as = f' "{r.preferred_name}"' if r.preferred_name else ""
        self.query_one("#record-title", Label).update(
            Text(f"{r.name}{known_as} · born {r.dob:%m/%d/%Y} ({age_on(r.dob, self.ctx.today)}) · #{r.account}"))
        who = Text()
        for label, value in (("Phone", r.phones), ("E-mail", r.email), ("Address", r.address),
                             ("Guarantor", r.guarantor), ("Emergency", r.emergency), ("Note", r.note)):
            if value:
                who.append(f"{label}: ", style="bold")
                who.append_text(plain(value))
                who.append("\n")
        who.rstrip()
        self.query_one("#record-who", Static).update(who if who.plain else Text("No contact details yet."))
        plans = Text("Insurance\n", style="bold")
        for plan in r.plans:
            checked = (f" · checked {plan.verified_on:%m/%d/%Y}: {plan.verified_result.label}"
                       if plan.verified_on and plan.verified_result else " · not checked")
            dates = f" · {plan.dates}" if plan.effective or plan.termination else ""
            plans.append_text(plain(f"  {plan.summary}{dates}{checked}\n"))
        if not r.plans:
            plans.append("  none on file: i adds one\n")
        if r.coverage_warning:
            plans.append(f"  ! {r.coverage_warning}", style="bold")
        plans.rstrip()
        self.query_one("#record-plans", Static).update(plans)
        owed = Text("Balance ", style="bold")
        if r.balance_cents is None:
            owed.append("(the front desk, billing and the manager see it)", style="dim")
        else:
            owed.append(owed_words(r.balance_cents), style="bold red" if r.balance_cents > 0 else "")
        standing = self.standing
        if standing is not None and standing.plan is not None:
            owed.append(f"\nPayment plan: {standing.plan.summary}")
        if standing is not None and standing.referral is not None:
            sent = standing.referral
            owed.append(f"\nSent to collections {sent.day:%m/%d/%Y}: {money(sent.amount_cents)} to ")
            owed.append_text(plain(sent.agency))
        self.query_one("#record-money", Static).update(owed)
        table = self.query_one("#record-ledger", DataTable)
        chosen = selected_key(table)
        table.clear()
        self.entries = {str(e.id): e for e in r.entries}
        for e in r.entries:
            what = plain(e.what + (f" · {e.reason}" if e.reason else ""), "strike" if e.voided else "")
            table.add_row(Text(f"{e.day:%m/%d/%Y}"), what, Text(money(e.amount_cents), justify="right"),
                          Text(money(e.balance_cents), justify="right"), plain(e.actor.split("@", 1)[0]),
                          key=str(e.id))
        select_key(table, chosen)
        visits = Text("Visits\n", style="bold")
        for label, rows in (("next", r.upcoming), ("past", r.past)):
            for v in rows:
                visits.append_text(plain(f"  {label}: {v.start:%m/%d/%Y %H:%M} {v.what} ({v.status})\n"))
        if not (r.upcoming or r.past):
            visits.append("  none yet")
        visits.rstrip()
        self.query_one("#record-visits", Static).update(visits)

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_pay(self) -> None:
        r = self.record
        if r is None:
            return
        ctx, folder = self.ctx, sheet_folder(self.ctx)

        def save(session: Session, entry: PaymentEntry) -> tuple[Receipt, str]:
            receipt = ledger.take_payment(session, r.id, entry.cents, entry.method, entry.reference, today=ctx.today,
                                          actor=ctx.actor, now=ctx.now())
            try:
                where = str(statements.save_receipt(folder, receipt, statements.practice_details(session)))
            except OutputRefused as exc:
                where = f"no receipt page: {exc}"
            return receipt, where

        form = PaymentForm(ctx, save, name=r.name, suggested_cents=max(0, r.balance_cents or 0))
        self.app.push_screen(form, lambda saved: self._paid(form.result) if saved else None)

    def _paid(self, result: Any) -> None:
        receipt, where = result
        self.say(f"Receipt {receipt.number}: {money(receipt.amount_cents)} {receipt.method.value} ({where})")
        self.saved()

    def action_add_plan(self) -> None:
        self.read(lambda session: [(p.name, p.payer_id) for p in payers.payers(session)], self._plan_form)

    def _plan_form(self, options: list[tuple[str, int]]) -> None:
        ctx, patient_id = self.ctx, self.patient_id

        def save(session: Session, data: PlanCreate) -> object:
            return insurance.add_coverage(session, patient_id, data, actor=ctx.actor, now=ctx.now())

        self.app.push_screen(PlanForm(ctx, save, options), lambda saved: self._done(saved, "Plan added"))

    def action_verify(self) -> None:
        r = self.record
        in_force = [p for p in r.plans if p.termination is None or p.termination >= self.ctx.today] if r else []
        if not in_force:
            self.say("No plan in force to check: i adds one.", "warning")
            return
        plan, ctx = in_force[0], self.ctx

        def save(session: Session, check: EligibilityCheck) -> object:
            return insurance.record_eligibility(session, plan.id, check, today=ctx.today, actor=ctx.actor,
                                                now=ctx.now())

        form = EligibilityForm(ctx, save, plan=plan.summary)
        self.app.push_screen(form, lambda saved: self._done(saved, "Eligibility check saved"))

    def action_write_off(self) -> None:
        ctx, patient_id = self.ctx, self.patient_id
        self.run_write(lambda session: ledger.write_off_small(session, patient_id, today=ctx.today, actor=ctx.actor,
                                                              now=ctx.now()),
                       then=lambda cents: self._done(True, f"Wrote off {money(cents)}"))

    def action_payment_plan(self) -> None:
        r = self.record
        if r is None:
            return
        ctx = self.ctx

        def save(session: Session, terms: PlanTerms) -> object:
            return statements.add_payment_plan(session, r.id, terms.cents, terms.day_of_month, start=ctx.today,
                                               actor=ctx.actor, now=ctx.now())

        form = PaymentPlanForm(ctx, save, name=r.name)
        self.app.push_screen(form, lambda saved: self._done(saved, "Payment plan saved: a missed month shows on the "
                                                                   "Huddle"))

    def _done(self, saved: bool | None, message: str) -> None:
        if saved:
            self.say(message)
            self.saved()
