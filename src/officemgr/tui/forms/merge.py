"""Merge one patient record into another (the Patients screen's `m`): find the record to keep, see both side by
side (who they are, what each holds), and ctrl+s merges: the merged record's visits, claims and balance move to
the one kept (services.patients.merge, audited; `U` on the merged record undoes it).

`MergeScreen(ctx, gone)` dismisses with True once merged; `result` then holds (the record kept, rows moved).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from officemgr.services import ledger, patients
from officemgr.services.access import Area, may
from officemgr.services.format import money
from officemgr.services.patients import PatientHit
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import DatabaseWork, Refused, Saved, Session
from officemgr.tui.widgets.base import plain, select_key, selected_key

# What the comparison counts, by the table name services.patients.FOLLOWERS gives; the rest (ledger entries,
# plans, recalls…) add up as "Other records".
COUNTED = (("appointment", "Visits"), ("claim", "Claims"))
HITS_ROWS_COMPARING = 4  # the list of records to keep, once a comparison needs the room (a header and 3 rows)


@dataclass(frozen=True)
class Side:
    """One record as the comparison shows it: who, what it holds, and its balance (None: not the user's to see)."""

    hit: PatientHit
    counts: dict[str, int]
    balance: int | None


def read_side(session: Session, hit: PatientHit, sees_money: bool) -> Side:
    return Side(hit, patients.follower_counts(session, hit.id),
                ledger.balance(session, hit.id) if sees_money else None)


def may_merge(actor: str) -> bool:
    """A merge moves visits and claims: it needs the schedule and billing both (services.patients.merge)."""
    return may(actor, Area.schedule) and may(actor, Area.billing)


class MergeScreen(DatabaseWork, ModalScreen[bool]):
    DEFAULT_CSS = """
    MergeScreen > .merge { width: 95%; max-width: 110; height: 90%; border: thick $accent; background: $panel;
        padding: 0 1; }
    MergeScreen #merge-compare { margin-top: 1; }
    MergeScreen #merge-message { height: auto; }
    MergeScreen #merge-hint { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="merge_cancel"),
        Binding("ctrl+s", "merge", "Merge", id="merge_save"),
    ]

    def __init__(self, ctx: AppContext, gone: PatientHit) -> None:
        super().__init__()
        self.ctx = ctx
        self.gone = gone
        self.hits: dict[int, PatientHit] = {}
        self.sides: tuple[Side, Side] | None = None
        self.saving = False
        self.result: tuple[PatientHit, int] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="merge"):
            yield Label(Text(f"Merge {self.gone.name} (#{self.gone.account}) into…"), classes="form-title")
            yield Input(placeholder="the record to keep: name, date of birth (MM/DD/YYYY), phone or account number",
                        id="merge-search", compact=True)
            yield DataTable(id="merge-hits", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="merge-compare", cursor_type="none")
            yield Static("", id="merge-message")
            yield Static(Text("type to find · ↓ the list · enter compare · ctrl+s merge · escape cancel"),
                         id="merge-hint")

    def on_mount(self) -> None:
        self.query_one("#merge-hits", DataTable).add_columns("Name", "Born", "Phone", "Account")
        compare = self.query_one("#merge-compare", DataTable)
        compare.add_columns("", "Merged away", "Kept")
        # Set here: the app's stylesheet, which gives every table the rest of its screen, outranks DEFAULT_CSS.
        compare.styles.height = "auto"
        compare.display = False
        self.query_one("#merge-search", Input).focus()

    @on(Input.Changed, "#merge-search")
    def _typed(self, event: Input.Changed) -> None:
        text, gone_id = event.value, self.gone.id
        self.read(lambda session: [h for h in patients.search(session, text) if h.id != gone_id], self._show_hits,
                  group="merge-search")

    @on(Input.Submitted, "#merge-search")
    def _to_list(self, event: Input.Submitted) -> None:
        event.stop()
        table = self.query_one("#merge-hits", DataTable)
        if table.row_count:
            table.focus()

    def _show_hits(self, hits: list[PatientHit]) -> None:
        table = self.query_one("#merge-hits", DataTable)
        keep = selected_key(table)
        table.clear()
        self.hits = {h.id: h for h in hits}
        for h in hits:
            table.add_row(plain(h.name), Text(f"{h.dob:%m/%d/%Y}"), plain(h.phone or "—"), plain(h.account),
                          key=str(h.id))
        select_key(table, keep)

    @on(DataTable.RowSelected, "#merge-hits")
    def _picked(self, event: DataTable.RowSelected) -> None:
        event.stop()
        kept = self.hits.get(int(event.row_key.value or 0))
        if kept is None:
            return
        gone, sees_money = self.gone, may(self.ctx.actor, Area.desk_money, write=False)
        self.read(lambda session: (read_side(session, gone, sees_money), read_side(session, kept, sees_money)),
                  self._compare, group="merge-compare")

    def _compare(self, sides: tuple[Side, Side]) -> None:
        self.sides = sides
        gone, kept = sides
        compare = self.query_one("#merge-compare", DataTable)
        compare.clear()
        lines: list[tuple[str, str, str]] = [
            ("Name", gone.hit.name, kept.hit.name),
            ("Born", f"{gone.hit.dob:%m/%d/%Y}", f"{kept.hit.dob:%m/%d/%Y}"),
            ("Phone", gone.hit.phone or "—", kept.hit.phone or "—"),
            ("Account", gone.hit.account, kept.hit.account),
            *((label, str(gone.counts.get(entity, 0)), str(kept.counts.get(entity, 0))) for entity, label in COUNTED),
            ("Other records", str(_others(gone)), str(_others(kept))),
        ]
        if gone.balance is not None and kept.balance is not None:
            lines.append(("Balance", money(gone.balance), money(kept.balance)))
        for label, left, right in lines:
            compare.add_row(Text(label, style="bold"), plain(left), plain(right))
        compare.display = True
        self.query_one("#merge-hits", DataTable).styles.max_height = HITS_ROWS_COMPARING
        self._message(f"ctrl+s merges {gone.hit.name} (#{gone.hit.account}) into {kept.hit.name} "
                    f"(#{kept.hit.account}): {sum(gone.counts.values())} records move. U on the merged record "
                    "(shown with M) undoes it.", style="bold")

    def action_merge(self) -> None:
        if self.saving:
            return
        if self.sides is None:
            self._message("Choose the record to keep first: find it, then enter.", style="bold red")
            return
        ctx, gone, kept = self.ctx, self.sides[0].hit, self.sides[1].hit
        self.saving = True
        self.run_write(lambda session: patients.merge(session, kept.id, gone.id, actor=ctx.actor, now=ctx.now()),
                       group="merge-save")

    def when_saved(self, message: Saved[Any]) -> None:
        assert self.sides is not None
        self.result = (self.sides[1].hit, int(message.result))
        self.dismiss(True)

    def when_refused(self, message: Refused) -> None:
        self.saving = False
        self._message(message.message, style="bold red")

    def _message(self, text: str, *, style: str) -> None:
        self.query_one("#merge-message", Static).update(Text(text, style=style))

    def action_cancel(self) -> None:
        self.dismiss(False)


def _others(side: Side) -> int:
    counted = {entity for entity, _ in COUNTED}
    return sum(n for entity, n in side.counts.items() if entity not in counted)
