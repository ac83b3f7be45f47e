"""The concerns and incidents log: open complaints, incidents, near misses and temperature excursions,
nearest deadline first, with keys to log one (n), acknowledge (a), set its owner (o), close it with a
resolution (c), show closed ones too (h) and open one's details with every deadline (enter).

`ConcernsScreen(ctx, concern_id=None, *, show_closed=False)` is pushed by the Compliance tab; it dismisses with
True when it saved anything, so the caller can reload what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import ConcernStatus
from officemgr.services import concerns
from officemgr.services.concerns import ConcernAssign, ConcernCreate, ConcernRow, Deadline
from officemgr.services.format import plural
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.concerns import CloseForm, CloseInput, ConcernForm, OwnerForm
from officemgr.tui.widgets.base import ListScreen, plain, select_key, selected_key

# The deadline first and the summary last: a long summary must not push the deadline out of sight.
COLUMNS = ("#", "Next deadline", "Status", "Kind", "Category", "Owner", "Summary")
SUMMARY_WIDTH = 44  # the table shows this much of a summary; enter shows it whole
OWNER_WIDTH = 24
# A deadline this close (or past) shows in red.
NEAR_DAYS = 2
NEAR_STYLE = "bold red"
STATUS_STYLE = {ConcernStatus.open: "yellow", ConcernStatus.acknowledged: "", ConcernStatus.closed: "dim"}


@dataclass(frozen=True)
class ConcernData:
    open: list[ConcernRow]
    closed: list[ConcernRow] | None  # None while closed ones are hidden

    @property
    def rows(self) -> list[ConcernRow]:
        return self.open + (self.closed or [])


def deadline_text(deadline: Deadline | None) -> Text:
    if deadline is None:
        return Text("—", style="dim")
    return Text(deadline.words, style=NEAR_STYLE if deadline.days_left <= NEAR_DAYS else "")


class ConcernsScreen(ListScreen):
    # Its own classes, not the forms' (the app stylesheet sizes `.form` for forms and `.status` to one line).
    DEFAULT_CSS = """
    ConcernsScreen > .concerns {
        width: 95%;
        max-width: 160;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    ConcernsScreen #concern-table {
        height: 1fr;
    }
    ConcernsScreen .concerns-line {
        height: auto;
    }
    ConcernsScreen #concern-hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="concerns_close"),
        Binding("n", "new", "Log concern", id="concerns_new"),
        Binding("a", "acknowledge", "Acknowledge", id="concerns_acknowledge"),
        Binding("o", "owner", "Owner", id="concerns_owner"),
        Binding("c", "close_concern", "Close with resolution", id="concerns_close_concern"),
        Binding("h", "toggle_closed", "Show/hide closed", id="concerns_toggle_closed"),
        Binding("enter", "details", "Details", id="concerns_details"),
    ]

    def __init__(self, ctx: AppContext, concern_id: int | None = None, *, show_closed: bool = False) -> None:
        """`concern_id`: put the cursor on that concern once loaded; `show_closed`: list closed ones too."""
        super().__init__(ctx)
        self.focus_id = concern_id
        self.show_closed = show_closed
        self.data: ConcernData | None = None
        self.rows: dict[int, ConcernRow] = {}

    # -- layout

    def compose(self) -> ComposeResult:
        with Vertical(classes="concerns"):
            yield Label(Text("Concerns and incidents"), classes="form-title", id="concern-title")
            yield Static(Text("loading…"), id="concern-summary", classes="concerns-line")
            yield DataTable(id="concern-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text("n log · a acknowledge · o owner · c close with resolution · h show/hide closed · "
                              "enter details · escape close"), id="concern-hint", classes="concerns-line")
        yield Footer()

    def on_mount(self) -> None:
        table = self.table
        table.add_columns(*COLUMNS)
        table.focus()
        self.reload()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#concern-table", DataTable)

    # -- loading

    def fetch(self, session: Session) -> ConcernData:
        return ConcernData(concerns.open_concerns(session, self.ctx.today),
                           concerns.closed_concerns(session) if self.show_closed else None)

    def show(self, data: ConcernData) -> None:
        self.data = data
        table = self.table
        keep = selected_key(table)
        table.clear()
        self.rows = {}
        for row in data.rows:
            self.rows[row.id] = row
            table.add_row(*self._cells(row), key=str(row.id))
        wanted = self.focus_id if self.focus_id is not None else keep
        self.focus_id = None
        if not select_key(table, wanted) and table.row_count:
            table.move_cursor(row=0)
        self.query_one("#concern-summary", Static).update(self._summary(data))

    def _cells(self, row: ConcernRow) -> list[Text]:
        if row.status is ConcernStatus.closed:
            deadline = Text(f"closed {row.closed_on:%m/%d/%Y}" if row.closed_on else "closed", style="dim")
        else:
            deadline = deadline_text(row.nearest)
        kind = row.kind.label + (" · breach" if row.possible_breach else "") + (" · injury" if row.work_injury else "")
        return [Text(str(row.id)), deadline, Text(row.status.value, style=STATUS_STYLE[row.status]), Text(kind),
                Text(row.category.label), plain(_clip(row.owner, OWNER_WIDTH) or "—"),
                plain(_clip(row.summary, SUMMARY_WIDTH))]

    def _summary(self, data: ConcernData) -> Text:
        text = Text()
        near = sum(1 for r in data.open if r.nearest is not None and r.nearest.days_left <= NEAR_DAYS)
        text.append(f"{plural(len(data.open), 'open concern')}, nearest deadline first")
        if near:
            text.append(f" · {near} due within {NEAR_DAYS} days or overdue", style=NEAR_STYLE)
        if data.closed is None:
            text.append(" · closed ones hidden (h shows them)")
        else:
            text.append(f" · then {len(data.closed):,} closed, newest first")
            if len(data.closed) >= concerns.CLOSED_SHOWN:
                text.append(f" (the {concerns.CLOSED_SHOWN} most recent)")
        return text

    # -- keys

    def selected(self) -> ConcernRow | None:
        key = selected_key(self.table)
        return self.rows.get(int(key)) if key else None

    def _open_selected(self, verb: str) -> ConcernRow | None:
        row = self.selected()
        if row is None:
            self.say(f"No concern to {verb}: the list is empty.", "warning")
            return None
        if row.status is ConcernStatus.closed:
            self.say(f"Concern #{row.id} is already closed.", "warning")
            return None
        return row

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_toggle_closed(self) -> None:
        self.show_closed = not self.show_closed
        self.reload()

    def action_new(self) -> None:
        ctx = self.ctx

        def save(session: Session, model: ConcernCreate) -> int:
            return concerns.log_concern(session, model, today=ctx.today, now=ctx.now(), actor=ctx.actor).id

        form = ConcernForm(ctx, save)
        self.app.push_screen(form, lambda saved: self._after(
            saved, "Concern logged", form.result if isinstance(form.result, int) else None))

    def action_acknowledge(self) -> None:
        row = self._open_selected("acknowledge")
        if row is None:
            return
        if row.status is ConcernStatus.acknowledged:
            self.say(f"Concern #{row.id} is already acknowledged.", "warning")
            return
        ctx = self.ctx
        self.run_write(lambda s: concerns.acknowledge(s, row.id, now=ctx.now(), actor=ctx.actor,
                                                      expected_version=row.version),
                       f"Concern #{row.id} acknowledged")

    def action_owner(self) -> None:
        row = self._open_selected("give an owner")
        if row is None:
            return
        ctx = self.ctx

        def save(session: Session, model: ConcernAssign) -> ConcernRow:
            return concerns.assign(session, row.id, model.owner, now=ctx.now(), actor=ctx.actor,
                                   expected_version=row.version)

        self.app.push_screen(OwnerForm(ctx, save, row),
                             lambda saved: self._after(saved, f"Owner of #{row.id} set", row.id))

    def action_close_concern(self) -> None:
        row = self._open_selected("close")
        if row is None:
            return
        ctx = self.ctx

        def save(session: Session, model: CloseInput) -> ConcernRow:
            return concerns.close(session, row.id, model.resolution, now=ctx.now(), actor=ctx.actor,
                                  expected_version=row.version, breach_outcome=model.breach_outcome)

        self.app.push_screen(CloseForm(ctx, save, row),
                             lambda saved: self._after(saved, f"Concern #{row.id} closed", row.id))

    def action_details(self) -> None:
        row = self.selected()
        if row is not None:
            self.app.push_screen(ConcernDetailScreen(row))

    @on(DataTable.RowSelected, "#concern-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_details()

    # -- writing

    def _after(self, saved: bool | None, message: str, concern_id: int | None) -> None:
        if not saved:
            return
        self.changed = True
        self.focus_id = concern_id
        self.say(message)
        self.reload()


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


class ConcernDetailScreen(ModalScreen[None]):
    """One concern with every field and every deadline still running (read-only)."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="concern_detail_close")]

    def __init__(self, row: ConcernRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(classes="form wide"):
            yield Label(Text(f"Concern #{self.row.id} · {self.row.title}"), classes="form-title")
            with VerticalScroll(classes="detail"):
                yield Static(detail_text(self.row), id="concern-detail")
            yield Static(Text("escape closes"), classes="form-hint")


def detail_text(row: ConcernRow) -> Text:
    """Every field of `row` as plain text (user text is never parsed as markup)."""
    text = Text()

    def line(label: str, value: str, style: str = "") -> None:
        text.append(f"{label}: ", style="bold")
        text.append(value, style=style)
        text.append("\n")

    line("Summary", row.summary)
    line("Kind", f"{row.kind.label} · {row.category.label}"
         + (" · possible breach of PHI" if row.possible_breach else "")
         + (" · staff work injury" if row.work_injury else ""))
    line("Status", row.status.value + (f" on {row.closed_on:%m/%d/%Y}" if row.closed_on else ""),
         STATUS_STYLE[row.status])
    line("Discovered", f"{row.discovered_on:%m/%d/%Y} (logged {row.reported_on:%m/%d/%Y})")
    line("Reported by", row.reporter or "—")
    line("Owner", row.owner or "—")
    if row.status is not ConcernStatus.closed:
        text.append("Deadlines:", style="bold")
        if not row.deadlines:
            text.append(" none running", style="dim")
        text.append("\n")
        for deadline in row.deadlines:
            text.append(f"  {deadline.label}: {deadline.due:%m/%d/%Y} · ")
            text.append_text(deadline_text(deadline))
            text.append("\n")
    if row.detail:
        line("Detail", row.detail)
    if row.status is ConcernStatus.closed:
        if row.possible_breach:
            outcome = row.breach_outcome
            line("Breach outcome", outcome.label if outcome else "not recorded")
        line("Resolution", row.resolution or "—")
    return text
