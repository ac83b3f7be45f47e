"""One staff member's corrective-action log (the manager's): a adds an entry, x closes the selected one today,
escape closes. Pushed from the Staff tab (key w), offered to the manager only."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label

from officemgr.services import corrective
from officemgr.services.corrective import CorrectiveCreate, CorrectiveRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.corrective import CorrectiveForm
from officemgr.tui.widgets.base import ListScreen, plain, selected_key


class CorrectiveScreen(ListScreen):
    DEFAULT_CSS = """
    CorrectiveScreen > .corrective {
        width: 95%;
        max-width: 150;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="corrective_close"),
        Binding("a", "add", "Add entry", id="corrective_add"),
        Binding("x", "close_entry", "Close entry today", id="corrective_close_entry"),
    ]

    def __init__(self, ctx: AppContext, staff_id: int, name: str) -> None:
        super().__init__(ctx)
        self.staff_id, self.person = staff_id, name
        self.rows: dict[str, CorrectiveRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="corrective"):
            yield Label(Text(f"Corrective actions: {self.person} (manager only)"), classes="form-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="corrective-log")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#corrective-log", DataTable)
        table.add_columns("Date", "Kind", "Policy", "What happened", "Agreed", "Follow-up", "Closed")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> list[CorrectiveRow]:
        return corrective.corrective_log(session, self.staff_id, actor=self.ctx.actor)

    def show(self, data: list[CorrectiveRow]) -> None:
        table: DataTable[Any] = self.query_one("#corrective-log", DataTable)
        table.clear()
        self.rows = {str(r.id): r for r in data}
        for r in data:
            closed = f"{r.closed_on:%m/%d/%Y} {r.closed_by}" if r.closed_on else "open"
            table.add_row(Text(f"{r.happened_on:%m/%d/%Y}"), Text(r.kind.label), plain(r.policy),
                          plain(r.detail.replace("\n", " ")[:40]), plain(r.resolution.replace("\n", " ")[:30]),
                          Text(f"{r.follow_up:%m/%d/%Y}" if r.follow_up else ""), plain(closed), key=str(r.id))
        if not data:
            # In the wide column: in the first it would stretch the date column off a small screen.
            table.add_row(*(Text("") for _ in range(3)), Text("No entries — press a to add one"),
                          *(Text("") for _ in range(3)))

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_add(self) -> None:
        def save(session: Session, model: CorrectiveCreate) -> None:
            corrective.add_corrective(session, model, today=self.ctx.today, now=self.ctx.now(), actor=self.ctx.actor)

        self.app.push_screen(CorrectiveForm(self.ctx, save, self.staff_id, self.person), self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.saved()

    def action_close_entry(self) -> None:
        row = self.rows.get(selected_key(self.query_one("#corrective-log", DataTable)) or "")
        if row is None or row.closed_on is not None:
            self.say("Select an open entry to close")
            return
        action_id, version = row.id, row.version
        self.run_write(lambda session: corrective.close_corrective(
            session, action_id, self.ctx.today, today=self.ctx.today, now=self.ctx.now(), actor=self.ctx.actor,
            expected_version=version), "Closed today", group="corrective-write")
