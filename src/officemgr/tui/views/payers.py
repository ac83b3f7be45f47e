"""Payers: timely-filing and appeal limits, phone, portal note, and each payer's open claims and balance, with
keys to add (a) and edit (e). Changing a payer's limits moves the deadlines of its open claims.

`PayersScreen(ctx)` is pushed by the Billing tab (key p); it dismisses with True when it saved anything.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import PayerCreate
from officemgr.services import payers
from officemgr.services.billing import PayerInfo, filing_limit_text
from officemgr.services.format import money, plural
from officemgr.services.payers import PayerRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.payer import PayerForm
from officemgr.tui.widgets.base import ListScreen, plain, select_key, selected_key

COLUMNS = ("Payer", "Timely filing", "Appeal", "Phone", "Portal note", "Open claims", "Open balance")


class PayersScreen(ListScreen):
    DEFAULT_CSS = """
    PayersScreen > .payers {
        width: 95%;
        max-width: 150;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    PayersScreen #payer-table {
        height: 1fr;
    }
    PayersScreen #payer-hint {
        height: auto;
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="payers_close"),
        Binding("a", "add", "Add", id="payers_add"),
        Binding("e", "edit", "Edit", id="payers_edit"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.rows: dict[int, PayerRow] = {}
        self.focus_id: int | None = None

    # -- layout

    def compose(self) -> ComposeResult:
        with Vertical(classes="payers"):
            yield Label(Text("Payers"), classes="form-title", id="payer-title")
            yield DataTable(id="payer-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text("a add · e edit (a new filing or appeal limit moves the open claims' deadlines) · "
                              "escape close"), id="payer-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        self.table.focus()
        self.reload()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#payer-table", DataTable)

    # -- loading

    def fetch(self, session: Session) -> list[PayerRow]:
        return payers.payers(session)

    def show(self, rows: list[PayerRow]) -> None:
        table = self.table
        keep = selected_key(table)
        table.clear()
        self.rows = {}
        for row in rows:
            self.rows[row.payer_id] = row
            table.add_row(*_cells(row), key=str(row.payer_id))
        wanted = self.focus_id if self.focus_id is not None else keep
        self.focus_id = None
        if not select_key(table, wanted) and table.row_count:
            table.move_cursor(row=0)
        title = Text(f"Payers · {plural(len(rows), 'payer')}")
        if rows:
            title.append(f" · {plural(sum(r.open_claims for r in rows), 'open claim')}, "
                         f"{money(sum(r.open_balance_cents for r in rows))} open")
        else:
            title.append(" · none yet: press a to add one")
        self.query_one("#payer-title", Label).update(title)

    # -- keys

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_add(self) -> None:
        def save(session: Session, data: PayerCreate) -> PayerInfo:
            return payers.add_payer(session, data, now=self.ctx.now(), actor=self.ctx.actor)

        form = PayerForm(self.ctx, save)
        self.app.push_screen(form, lambda saved: self._after(form, saved, "Payer added"))

    def action_edit(self) -> None:
        key = selected_key(self.table)
        row = self.rows.get(int(key)) if key else None
        if row is None:
            self.say("No payer to edit: press a to add one.", "warning")
            return

        def save(session: Session, data: PayerCreate) -> PayerInfo:
            return payers.update_payer(session, row.payer_id, data, now=self.ctx.now(), actor=self.ctx.actor,
                                       expected_version=row.version)

        form = PayerForm(self.ctx, save, row)
        self.app.push_screen(form, lambda saved: self._after(form, saved, f"{row.name} saved"))

    def _after(self, form: PayerForm, saved: bool | None, message: str) -> None:
        if saved and isinstance(form.result, PayerInfo):
            self.focus_id = form.result.id
            self.say(message)
            self.saved()


def _cells(row: PayerRow) -> list[Text]:
    return [plain(row.name), Text(filing_limit_text(row)), Text(f"{row.appeal_days} days"),
            plain(row.phone or "—"), plain(row.portal_note or "—"), Text(f"{row.open_claims:,}", justify="right"),
            Text(money(row.open_balance_cents), justify="right")]
