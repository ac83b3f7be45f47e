"""The huddle's lists: open actions by owner and due date (`d` marks one done), and past huddles (`enter`
opens one read-only: its sections with what was decided, attendees, notes and the actions it created)."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.services import huddle_actions
from officemgr.services.common import ServiceError
from officemgr.services.format import days_from_now, plural
from officemgr.services.huddle_actions import ActionRow, HuddleSummary, PastHuddle
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.widgets.base import ListScreen, plain, select_key, selected_key

OVERDUE_STYLE = "bold red"
LIST_CSS = """
{name} > .huddle-list {{ width: 95%; max-width: 140; height: 90%; border: thick $accent; background: $panel;
                         padding: 0 1; }}
{name} DataTable {{ height: 1fr; }}
{name} .huddle-hint {{ color: $text-muted; height: auto; }}
"""


def due_text(row: ActionRow, today: date) -> Text:
    days = (row.due - today).days
    text = f"{row.due:%m/%d/%Y} · {days_from_now(days)}"
    return Text(text, style=OVERDUE_STYLE if row.overdue else "")


class ActionsScreen(ListScreen):
    """Every open action, by owner then due date; overdue ones red. Dismisses with True if any was done."""

    DEFAULT_CSS = LIST_CSS.format(name="ActionsScreen")
    BINDINGS = [
        Binding("escape", "close", "Close", id="huddle_actions_close"),
        Binding("d", "done", "Mark done", id="huddle_actions_done"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.rows: dict[str, ActionRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="huddle-list"):
            yield Label(Text("Open actions"), classes="form-title", id="actions-title")
            yield DataTable(id="actions-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text("d marks the action done · escape closes"), classes="huddle-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Owner", "What", "Due", "Agreed on")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> list[ActionRow]:
        return sorted(huddle_actions.open_actions(session, self.ctx.today),
                      key=lambda r: (r.owner, r.due, r.action_id))

    def show(self, rows: list[ActionRow]) -> None:
        table = self.query_one(DataTable)
        keep = selected_key(table)
        table.clear()
        self.rows = {}
        for row in rows:
            self.rows[str(row.action_id)] = row
            style = OVERDUE_STYLE if row.overdue else ""
            table.add_row(plain(row.owner, style), plain(row.what, style), due_text(row, self.ctx.today),
                          Text(f"{row.created_on:%m/%d/%Y}"), key=str(row.action_id))
        if not select_key(table, keep) and table.row_count:
            table.move_cursor(row=0)
        overdue = sum(1 for r in rows if r.overdue)
        title = Text(f"Open actions · {plural(len(rows), 'action')}, by owner and due date")
        if overdue:
            title.append(f" · {overdue} overdue", style=OVERDUE_STYLE)
        if not rows:
            title.append(" · none open")
        self.query_one("#actions-title", Label).update(title)

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_done(self) -> None:
        row = self.rows.get(selected_key(self.query_one(DataTable)) or "")
        if row is None:
            self.say("No open action to mark done.", "warning")
            return
        ctx = self.ctx
        self.run_write(lambda s: huddle_actions.complete_action(s, row.action_id, today=ctx.today, now=ctx.now(),
                                                                actor=ctx.actor, expected_version=row.version),
                       f"Done: {row.what}")


class PastHuddlesScreen(ListScreen):
    """Finished huddles, newest first; enter opens one read-only."""

    DEFAULT_CSS = LIST_CSS.format(name="PastHuddlesScreen")
    BINDINGS = [
        Binding("escape", "close", "Close", id="huddle_past_close"),
        Binding("enter", "open", "Open", id="huddle_past_open"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.rows: dict[str, HuddleSummary] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="huddle-list"):
            yield Label(Text("Past huddles"), classes="form-title", id="past-title")
            yield DataTable(id="past-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text("enter opens the huddle (read-only) · escape closes"), classes="huddle-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Day", "Reviewed", "Actions", "Attended", "Finished")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> list[HuddleSummary]:
        return huddle_actions.past(session)

    def show(self, rows: list[HuddleSummary]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.rows = {}
        for row in rows:
            self.rows[str(row.huddle_id)] = row
            finished = f"{row.finished_at:%H:%M}" if row.finished_at else "—"
            table.add_row(Text(f"{row.day:%a %m/%d/%Y}"), Text(f"{row.items_reviewed} of {row.items_total}"),
                          Text(str(row.actions_created)), plain(row.attendees or "—"), Text(finished),
                          key=str(row.huddle_id))
        title = Text(f"Past huddles · {plural(len(rows), 'huddle')}, newest first")
        if not rows:
            title.append(" · none saved yet: finish a review (r on the Huddle tab) to save one")
        self.query_one("#past-title", Label).update(title)

    def action_close(self) -> None:
        self.dismiss(self.changed)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self.rows.get(selected_key(self.query_one(DataTable)) or "")
        if row is None:
            return
        huddle_id, actor = row.huddle_id, self.ctx.actor

        def fetch(session: Session) -> PastHuddle | str:
            """The huddle, or why it cannot be shown."""
            try:
                return huddle_actions.past_detail(session, huddle_id, actor=actor)
            except ServiceError as exc:
                return str(exc)

        self.read(fetch, self._open, group="huddle-past")

    def _open(self, detail: PastHuddle | str) -> None:
        if isinstance(detail, str):
            self.say(detail, "error")
        else:
            self.app.push_screen(PastHuddleScreen(detail))


OUTCOME_MARK = {"reviewed": "✓", "action": "→ action", "snoozed": "z snoozed", "": "· not reviewed"}


class PastHuddleScreen(ModalScreen[None]):
    """One saved huddle, read-only."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="huddle_past_detail_close")]

    def __init__(self, detail: PastHuddle) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        s = self.detail.summary
        with Vertical(classes="form wide"):
            yield Label(Text(f"Huddle of {s.day:%A %m/%d/%Y} · read-only"), classes="form-title")
            with VerticalScroll(classes="detail"):
                yield Static(past_text(self.detail), id="past-detail")
            yield Static(Text("escape closes"), classes="form-hint")


def past_text(detail: PastHuddle) -> Text:
    s = detail.summary
    text = Text()
    text.append("Attended: ", style="bold")
    text.append(s.attendees or "—")
    text.append(f"\nReviewed {s.items_reviewed} of {s.items_total} · {plural(s.actions_created, 'action')} created")
    if s.finished_at:
        text.append(f" · finished {s.finished_at:%H:%M}")
    text.append("\nNotes: ", style="bold")
    text.append(detail.notes or "—")
    text.append("\n")
    for title, items in detail.sections:
        text.append(f"\n{title} ({len(items)})\n", style="bold")
        if not items:
            text.append("  nothing\n", style="dim")
        for item, reason, outcome in items:
            text.append(f"  {OUTCOME_MARK.get(outcome, outcome):<16}", style="dim" if not outcome else "")
            text.append(item)
            if reason:
                text.append(f" — {reason}", style="dim")
            text.append("\n")
    text.append(f"\nActions from this huddle ({len(detail.actions)})\n", style="bold")
    if not detail.actions:
        text.append("  none\n", style="dim")
    for action in detail.actions:
        text.append(f"  {action.owner}: ")
        text.append(action.what)
        text.append(f" · due {action.due:%m/%d/%Y} · {action.status.value}\n",
                    style=OVERDUE_STYLE if action.overdue else "")
    return text
