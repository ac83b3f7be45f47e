"""A claim with its lines, diagnoses and follow-up history (read-only)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from officemgr.services.billing import ClaimDetail
from officemgr.services.format import money


class ClaimScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="claim_close")]

    def __init__(self, detail: ClaimDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        d, c = self.detail, self.detail.claim
        with Vertical(classes="form wide"):
            yield Label(Text(f"Claim {c.number} · {d.patient_name} · {d.payer.name}"), classes="form-title")
            deadline = f" · deadline {c.deadline:%m/%d/%Y}" if c.deadline else ""
            yield Static(Text(
                f"Service {c.service_date:%m/%d/%Y} · status {c.status.label} · billed {money(c.billed_cents)} · "
                f"paid {money(c.paid_cents)} · balance {money(c.balance_cents)}{deadline}"
            ))
            yield Static(Text(
                f"Diagnoses: {', '.join(d.diagnoses) or '—'} · denial: {c.denial_code or '—'} · "
                f"payer phone {d.payer.phone or '—'} · {d.payer.portal_note}"
            ))
            yield Label("Lines", classes="subtitle")
            yield DataTable(id="lines", classes="short", cursor_type="row")
            yield Label("History", classes="subtitle")
            yield DataTable(id="notes", classes="short", cursor_type="row")
            yield Static(Text("escape closes · n on the queue adds a follow-up"), classes="form-hint")

    def on_mount(self) -> None:
        lines = self.query_one("#lines", DataTable)
        lines.add_columns("Code", "Modifiers", "Units", "Charge")
        for line in self.detail.lines:
            lines.add_row(Text(line.code), Text(line.modifiers), Text(str(line.units)), Text(money(line.charge_cents)))
        notes = self.query_one("#notes", DataTable)
        notes.add_columns("When", "Who", "Action", "Note", "Next follow-up")
        for note in self.detail.notes:
            notes.add_row(Text(f"{note.at:%m/%d/%Y %H:%M}"), Text(note.actor), Text(note.action.label),
                          Text(note.text), Text(f"{note.next_follow_up:%m/%d/%Y}" if note.next_follow_up else ""))
        if not self.detail.notes:
            notes.add_row(Text("no follow-ups yet", style="dim"), "", "", "", "")
        notes.focus()
