"""A claim with its lines, diagnoses (each checked against ICD-10-CM) and one history of notes and status changes.

The ICD-10-CM code set takes over a second to load the first time, so the diagnoses are checked in a worker
that posts its findings back (DiagnosesChecked), and their flags appear when it is done. `n` and `s` close the
screen asking the Billing tab for the follow-up note or the status form; the tab opens this screen again
afterwards. The claim's secondary (services.secondary) is read when the screen opens; `b` bills it here, when it
is to bill, and the screen shows the claim again as it is after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from officemgr.services import billing, icd, secondary
from officemgr.services.billing import ClaimDetail
from officemgr.services.format import money
from officemgr.services.secondary import SecondaryInfo
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import DatabaseWork, Session
from officemgr.tui.widgets.base import plain

HINT = "n follow-up note · s change status · escape closes"


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    what: Text
    detail: str
    follow_up: date | None


def history(detail: ClaimDetail) -> list[HistoryEntry]:
    """Notes and status events in one list, newest first."""
    entries = [HistoryEntry(n.at, n.actor, Text(n.action.label), n.text, n.next_follow_up) for n in detail.notes]
    for e in detail.events:
        parts = []
        if e.code:
            parts.append(f"CARC {e.code}")
        if e.amount_cents:
            parts.append(money(e.amount_cents))
        if e.text:
            parts.append(e.text)
        what = Text(f"{e.from_status.replace('_', ' ')} → {e.to_status.replace('_', ' ')}", style="bold")
        entries.append(HistoryEntry(e.at, e.actor, what, " · ".join(parts), None))
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def icd_flag(check: icd.IcdCheck | None) -> Text:
    """One diagnosis check as a cell: red when the code is not in ICD-10-CM or cannot be billed."""
    if check is None:
        return Text("could not check (the ICD-10-CM code set did not load)", style="yellow")
    if not check.valid:
        return Text(f"✗ {check.message or 'not an ICD-10-CM code'}", style="bold red")
    if not check.billable:
        return Text(f"! {check.message or 'not billable: use a more specific code'}", style="bold red")
    return Text(f"✓ {check.description}")


class DiagnosesChecked(Message, bubble=False):
    """The claim's diagnoses were checked: by code, the finding (None when the code set could not be loaded)."""

    def __init__(self, checks: dict[str, icd.IcdCheck | None]) -> None:
        super().__init__()
        self.checks = checks


class _WithContext(Protocol):
    @property
    def ctx(self) -> AppContext: ...


def secondary_text(info: SecondaryInfo) -> Text:
    """The claim's secondary in two short lines (the view fits 80 columns): its payer and where it stands, then
    what the primary did (what the secondary is billed with)."""
    payer = info.payer or "no secondary plan on file"
    return Text(f"Secondary {payer} · {info.state}\n  the primary paid {money(info.primary_paid_cents)}, adjusted "
                f"{money(info.adjusted_cents)} · patient share {money(info.patient_share_cents)}",
                style="bold" if info.to_bill else "")


@dataclass(frozen=True)
class _Reloaded:
    detail: ClaimDetail
    secondary: SecondaryInfo | None


class ClaimScreen(DatabaseWork, ModalScreen[str | None]):
    DEFAULT_CSS = """
    ClaimScreen > .form.wide {
        width: 95%;
        max-width: 140;
    }
    ClaimScreen .claim-tables {
        height: auto;
    }
    ClaimScreen .claim-tables > Vertical {
        height: auto;
    }
    ClaimScreen #lines-box {
        width: 36;
    }
    ClaimScreen #dx-box {
        width: 1fr;
        margin-left: 1;
    }
    """
    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="claim_close"),
        Binding("n", "dismiss('note')", "Follow-up note", id="claim_note"),
        Binding("s", "dismiss('status')", "Change status", id="claim_status"),
        Binding("b", "bill_secondary", "Bill secondary", id="claim_bill_secondary"),
    ]

    def __init__(self, detail: ClaimDetail, ctx: AppContext | None = None) -> None:
        super().__init__()
        self.detail = detail
        self.checks: dict[str, icd.IcdCheck | None] = {}
        self.secondary: SecondaryInfo | None = None
        if ctx is not None:
            self.ctx = ctx

    def compose(self) -> ComposeResult:
        d, c = self.detail, self.detail.claim
        with Vertical(classes="form wide"):
            yield Label(Text(f"Claim {c.number} · {d.patient_name} · {d.payer.name}" + (" · paper" if c.paper else "")),
                        classes="form-title")
            yield Static(self._summary(), id="claim-summary")
            if c.denial_code:
                group = f"{c.denial_group}-" if c.denial_group else ""
                meaning = d.denial_meaning or "meaning not in the CARC list"
                yield Static(Text(f"Denied {group}{c.denial_code}: {meaning}", style="bold red"), id="claim-denial")
            yield Static(Text(f"Payer phone {d.payer.phone or '—'}" + (f" · {d.payer.portal_note}"
                                                                         if d.payer.portal_note else "")))
            secondary_line = Static("", id="claim-secondary")
            secondary_line.display = False
            yield secondary_line
            with Horizontal(classes="claim-tables"):
                with Vertical(id="lines-box"):
                    yield Label("Lines", classes="subtitle")
                    yield DataTable(id="lines", classes="short", cursor_type="row")
                with Vertical(id="dx-box"):
                    yield Label("Diagnoses (ICD-10-CM)", classes="subtitle", id="dx-title")
                    yield DataTable(id="diagnoses", classes="short", cursor_type="row")
            yield Label("History, newest first", classes="subtitle")
            yield DataTable(id="history", classes="short", cursor_type="row")
            yield Static(Text(HINT), classes="form-hint", id="claim-hint")

    def on_mount(self) -> None:
        if not hasattr(self, "ctx"):  # opened without one (the Billing tab's call): the app's
            self.ctx = cast(_WithContext, self.app).ctx
        lines = self.query_one("#lines", DataTable)
        lines.add_columns("Code", "Modifiers", "Units", "Charge")
        for line in self.detail.lines:
            lines.add_row(plain(line.code), plain(line.modifiers), Text(str(line.units)),
                          Text(money(line.charge_cents), justify="right"))
        self._show_diagnoses()
        table = self.query_one("#history", DataTable)
        table.add_columns("When", "Who", "What", "Follow-up", "Detail")
        self._show_history()
        table.focus()
        if self.detail.diagnoses:
            self.check_diagnoses()
        claim_id, actor = self.detail.claim.id, self.ctx.actor
        self.read(lambda session: secondary.claim_secondary(session, claim_id, actor=actor), self._show_secondary,
                  group="secondary")

    def _summary(self) -> Text:
        c = self.detail.claim
        deadline = f" · deadline {c.deadline:%m/%d/%Y}" if c.deadline else ""
        written_off = f" · written off {money(c.written_off_cents)}" if c.written_off_cents else ""
        return Text(f"Service {c.service_date:%m/%d/%Y} · status {c.status.label} · billed {money(c.billed_cents)} · "
                    f"paid {money(c.paid_cents)}{written_off} · balance {money(c.balance_cents)}{deadline}")

    def _show_history(self) -> None:
        table = self.query_one("#history", DataTable)
        table.clear()
        entries = history(self.detail)
        for entry in entries:
            table.add_row(Text(f"{entry.at:%m/%d/%Y %H:%M}"), plain(entry.actor), entry.what,
                          Text(f"{entry.follow_up:%m/%d/%Y}" if entry.follow_up else ""), plain(entry.detail))
        if not entries:
            table.add_row(Text("no follow-ups or status changes yet", style="dim"), "", "", "", "")

    def _show_secondary(self, info: SecondaryInfo | None) -> None:
        self.secondary = info
        line = self.query_one("#claim-secondary", Static)
        line.display = info is not None
        line.update(secondary_text(info) if info is not None else "")
        to_bill = info is not None and info.to_bill
        self.query_one("#claim-hint", Static).update(Text(("b bill secondary · " if to_bill else "") + HINT))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`b` is live (and shown) only while the claim's secondary is to bill."""
        if action == "bill_secondary":
            return self.secondary is not None and self.secondary.to_bill
        return True

    def action_bill_secondary(self) -> None:
        if self.secondary is None or not self.secondary.to_bill:
            return
        ctx, claim_id = self.ctx, self.detail.claim.id
        self.secondary = None  # one press bills once: the key is off until the claim is read again
        self.refresh_bindings()
        self.run_write(lambda session: secondary.bill_secondary(session, claim_id, today=ctx.today, now=ctx.now(),
                                                                actor=ctx.actor), then=self._billed)

    def _billed(self, said: str) -> None:
        self.say(said)
        self._reload()

    def write_refused(self) -> None:
        self._reload()

    def _reload(self) -> None:
        claim_id, actor = self.detail.claim.id, self.ctx.actor

        def fetch(session: Session) -> _Reloaded:
            return _Reloaded(billing.claim_detail(session, claim_id, actor=actor),
                             secondary.claim_secondary(session, claim_id, actor=actor))

        self.read(fetch, self._show_reloaded, group="secondary")

    def _show_reloaded(self, found: _Reloaded) -> None:
        self.detail = found.detail
        self.query_one("#claim-summary", Static).update(self._summary())
        self._show_history()
        self._show_secondary(found.secondary)

    def _show_diagnoses(self) -> None:
        table = self.query_one("#diagnoses", DataTable)
        if not table.columns:
            table.add_columns("#", "Code", "Check")
        table.clear()
        for n, code in enumerate(self.detail.diagnoses, start=1):
            flag = icd_flag(self.checks[code]) if code in self.checks else Text("checking…", style="dim")
            table.add_row(Text(str(n)), plain(code), flag)
        if not self.detail.diagnoses:
            table.add_row(Text(""), Text("none on the claim", style="dim"), Text(""))

    def check_diagnoses(self) -> None:
        """Check every diagnosis code (the first check loads the code set: only ever here, off the UI thread)."""
        codes = self.detail.diagnoses

        def work() -> None:
            checks: dict[str, icd.IcdCheck | None] = {}
            try:
                for code in codes:
                    checks[code] = icd.check(code)
            except Exception:  # noqa: BLE001 - a missing or broken code set must not take the claim view down
                checks = {code: checks.get(code) for code in codes}
            self.post_message(DiagnosesChecked(checks))

        self.run_worker(work, thread=True, exclusive=True, group="icd")

    def on_diagnoses_checked(self, message: DiagnosesChecked) -> None:
        if not self.is_mounted:
            return
        self.checks = message.checks
        self._show_diagnoses()
        bad = sum(1 for c in self.checks.values() if c is None or not (c.valid and c.billable))
        title = "Diagnoses (ICD-10-CM)" + (f" · {bad} to fix" if bad else " · all billable")
        self.query_one("#dx-title", Label).update(Text(title, style="bold red" if bad else ""))
