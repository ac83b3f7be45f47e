"""Leave balances (Staff tab, key b): every active person's PTO and sick leave, accrued, used and left; Enter opens
the person's ledger for the leave year, p edits the plan (the person's or their role's), a adjusts by hand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import Role
from officemgr.services import leave, leave_edit, staff
from officemgr.services.leave import Balance, BalanceRow, Ledger
from officemgr.services.leave_edit import AdjustmentInput, PlanInput
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.leave import AdjustmentForm, PlanForm
from officemgr.tui.widgets.base import ListScreen, plain, selected_key

LEAVE_CSS = """
{name} > .leave {{
    width: 95%;
    max-width: 150;
    height: 90%;
    border: thick $accent;
    background: $panel;
    padding: 0 1;
}}
{name} .leave-line {{
    height: auto;
    color: $text-muted;
}}
"""


def _h(value: float, places: int = 2) -> Text:
    return Text(f"{value:.{places}f}", style="bold red" if value < 0 else "")


class LeaveScreen(ListScreen):
    DEFAULT_CSS = LEAVE_CSS.format(name="LeaveScreen")
    BINDINGS = [
        Binding("escape", "close", "Close", id="leave_close"),
        Binding("enter", "ledger", "Ledger", id="leave_ledger", priority=True),
        Binding("p", "plan", "Edit plan", id="leave_plan"),
        Binding("a", "adjust", "Adjustment", id="leave_adjust"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.rows: dict[str, BalanceRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="leave"):
            yield Label(Text(f"Leave balances on {self.ctx.today:%m/%d/%Y} (hours)"), classes="form-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="leave-list")
            yield Static(Text("Accrued: carried over, earned this leave year and adjusted. enter ledger · p edit plan "
                              "· a adjustment · escape close"), classes="leave-line")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#leave-list", DataTable)
        table.add_columns("Name", "PTO accrued", "used", "left", "Sick accrued", "used", "left")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> list[BalanceRow]:
        return leave.balance_list(session, self.ctx.today, actor=self.ctx.actor)

    def show(self, data: list[BalanceRow]) -> None:
        table: DataTable[Any] = self.query_one("#leave-list", DataTable)
        table.clear()
        self.rows = {str(r.staff_id): r for r in data}
        for r in data:
            pto, sick = r.pto, r.sick
            table.add_row(plain(r.name), *(_h(value, 1) for value in (
                pto.carried + pto.accrued + pto.adjusted, pto.used, pto.left,
                sick.carried + sick.accrued + sick.adjusted, sick.used, sick.left)), key=str(r.staff_id))

    def _selected(self) -> BalanceRow | None:
        row = self.rows.get(selected_key(self.query_one("#leave-list", DataTable)) or "")
        if row is None:
            self.say("Select a person first")
        return row

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_ledger(self) -> None:
        row = self._selected()
        if row is not None:
            self.app.push_screen(LedgerScreen(self.ctx, row.staff_id, row.name))

    def action_plan(self) -> None:
        row = self._selected()
        if row is None:
            return
        staff_id = row.staff_id

        def save(session: Session, model: PlanInput) -> None:
            leave_edit.save_plan(session, model, now=self.ctx.now(), actor=self.ctx.actor)

        def read(session: Session) -> Role | None:
            person = staff.staff_record(session, staff_id)
            return person.role if person else None

        self.read(read, lambda role: self._plan_form(row, role, save) if role else self.reload(), group="plan")

    def _plan_form(self, row: BalanceRow, role: Role, save: Any) -> None:
        self.app.push_screen(PlanForm(self.ctx, save, staff_id=row.staff_id, name=row.name, role=role,
                                      plans={row.pto.kind: row.pto.plan, row.sick.kind: row.sick.plan}),
                             self._after_form)

    def action_adjust(self) -> None:
        row = self._selected()
        if row is None:
            return

        def save(session: Session, model: AdjustmentInput) -> None:
            leave_edit.add_adjustment(session, model, today=self.ctx.today, now=self.ctx.now(), actor=self.ctx.actor)

        self.app.push_screen(AdjustmentForm(self.ctx, save, staff_id=row.staff_id, name=row.name), self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.saved()


@dataclass(frozen=True)
class Ledgers:
    pto: Ledger
    sick: Ledger


class LedgerScreen(ListScreen):
    """One person's PTO and sick leave for the leave year holding today: what carried over, each accrual, each
    absence used and each adjustment, with the plan each follows."""

    DEFAULT_CSS = LEAVE_CSS.format(name="LedgerScreen")
    BINDINGS = [Binding("escape", "close", "Close", id="ledger_close")]

    def __init__(self, ctx: AppContext, staff_id: int, name: str) -> None:
        super().__init__(ctx)
        self.staff_id, self.person = staff_id, name

    def compose(self) -> ComposeResult:
        with Vertical(classes="leave"):
            yield Label(Text(f"Leave ledger: {self.person}"), classes="form-title")
            yield Static("", id="ledger-plans", classes="leave-line")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="ledger")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#ledger", DataTable)
        table.add_columns("Date", "Kind", "Hours", "Balance", "What")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> Ledgers:
        today = self.ctx.today
        return Ledgers(*(leave.ledger(session, self.staff_id, kind, today, actor=self.ctx.actor)
                         for kind in (leave.LeaveKind.pto, leave.LeaveKind.sick)))

    def show(self, data: Ledgers) -> None:
        self.query_one("#ledger-plans", Static).update(Text("\n".join(
            _summary(ledger.balance) for ledger in (data.pto, data.sick))))
        table: DataTable[Any] = self.query_one("#ledger", DataTable)
        table.clear()
        for ledger in (data.pto, data.sick):
            running = 0.0
            for line in ledger.lines:
                running += line.hours
                table.add_row(Text(f"{line.day:%m/%d/%Y}"), Text(ledger.balance.kind.value.upper()), _h(line.hours),
                              _h(running), plain(line.what))

    def action_close(self) -> None:
        self.dismiss(False)


def _summary(balance: Balance) -> str:
    """'PTO 01/01/2026–12/31/2026: left 24.00 h (8.00 requested) · 3.08 h each pay period, …'"""
    pending = f" ({balance.requested:.2f} requested)" if balance.requested else ""
    return (f"{balance.kind.label} {balance.year_start:%m/%d/%Y}–{balance.year_end:%m/%d/%Y}: left "
            f"{balance.left:.2f} h{pending} · {balance.plan.describe()}")
