"""The practice's settings (key `,`, or the palette): every setting by area with its value and default; the line
under the table says what the selected one means. enter or e edits it, r (twice) puts it back to its default,
escape closes. Anyone may look; only the manager changes them (the service refuses anyone else anyway). A change
takes effect at once: the services read settings on each call, and the app reloads its tabs when this closes."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.services import settings_catalog
from officemgr.services.access import Area, may, who_may
from officemgr.services.settings_catalog import SettingRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.setting import SettingForm
from officemgr.tui.widgets.base import ListScreen, clip, plain, select_key, selected_key

COLUMNS = ("Area", "Setting", "Value", "Default")
AREA_WIDTH = 15  # "Staff & payroll"


class SettingsScreen(ListScreen):
    DEFAULT_CSS = """
    SettingsScreen > .settings {
        width: 95%;
        max-width: 150;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    SettingsScreen #settings-table {
        height: 1fr;
    }
    SettingsScreen .settings-line {
        height: auto;
        max-height: 6;
    }
    SettingsScreen #settings-confirm {
        color: $error;
        text-style: bold;
    }
    SettingsScreen #settings-hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="settings_close"),
        Binding("e", "edit", "Edit", id="settings_edit"),
        Binding("r", "reset", "Reset to default", id="settings_reset"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.rows: dict[str, SettingRow] = {}
        self.resetting: str | None = None  # r was pressed once on this setting: r again resets it
        self.manager = may(ctx.actor, Area.settings)

    def compose(self) -> ComposeResult:
        with Vertical(classes="settings"):
            yield Label(Text("Practice settings"), classes="form-title")
            yield DataTable(id="settings-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="settings-meaning", classes="settings-line")
            yield Static("", id="settings-confirm", classes="settings-line")
            yield Static(self._hint(), id="settings-hint", classes="settings-line")
        yield Footer()

    def _hint(self) -> Text:
        if self.manager:
            return Text("enter or e edit · r reset to the default · escape close")
        return Text(f"Read-only: changing settings needs {who_may(Area.settings)}. escape closes.")

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        self.table.focus()
        self._ask_reset(None)
        self.reload()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#settings-table", DataTable)

    def fetch(self, session: Session) -> list[SettingRow]:
        return settings_catalog.list_settings(session, actor=self.ctx.actor)

    def show(self, data: list[SettingRow]) -> None:
        table = self.table
        keep = selected_key(table)
        table.clear()
        self.rows = {r.key: r for r in data}
        # What the table has room for: the screen's 95% less the border, padding, cell padding and scroll bar.
        room = max(40, min(150, int(self.app.size.width * 0.95)) - 4 - 2 * len(COLUMNS) - 2 - AREA_WIDTH)
        label_width, value_width = room * 2 // 5, room * 3 // 10
        area = ""
        for r in data:
            shown_area = r.area if r.area != area else ""
            area = r.area
            value = plain(clip(r.value, value_width), "bold" if r.changed else "")
            if not r.editable:
                value.append(" (fixed)", style="dim")
            table.add_row(Text(shown_area, style="bold"), Text(clip(r.label, label_width)), value,
                          plain(clip(r.default, value_width), "dim"), key=r.key)
        if not select_key(table, keep) and table.row_count:
            table.move_cursor(row=0)
        self._describe(self.rows.get(selected_key(table) or ""))

    def _describe(self, row: SettingRow | None) -> None:
        line = self.query_one("#settings-meaning", Static)
        if row is None:
            line.update("")
            return
        text = Text(f"{row.label} ({row.key}): ", style="bold")
        text.append(f"{row.meaning}\n")
        text.append("Now: ")
        text.append_text(plain(row.value))
        text.append(" · default: ")
        text.append_text(plain(row.default))
        if not row.editable:
            text.append(f"\nNot changed here: {row.read_only}.", style="italic")
        elif self.manager:
            text.append(f"\nType: {row.hint}", style="dim")
        line.update(text)

    @on(DataTable.RowHighlighted, "#settings-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(self.rows.get(event.row_key.value or ""))

    @on(DataTable.RowSelected, "#settings-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def selected(self, verb: str) -> SettingRow | None:
        row = self.rows.get(selected_key(self.table) or "")
        if row is None:
            return None
        if not self.manager:
            self.say(f"Changing settings needs {who_may(Area.settings)}; you may look at them.", "warning")
            return None
        if not row.editable:
            self.say(f"{row.label} cannot be {verb} here: {row.read_only}.", "warning")
            return None
        return row

    def action_edit(self) -> None:
        row = self.selected("changed")
        if row is None:
            return
        ctx = self.ctx

        def save(session: Session, text: str) -> SettingRow:
            return settings_catalog.set_setting(session, row.key, text, now=ctx.now(), actor=ctx.actor,
                                                expected_version=row.version)

        self.app.push_screen(SettingForm(ctx, save, row), self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.say("Saved: it takes effect at once")
            self.saved()

    def _ask_reset(self, row: SettingRow | None) -> None:
        self.resetting = row.key if row else None
        line = self.query_one("#settings-confirm", Static)
        line.display = row is not None
        if row is not None:
            text = Text(f"Put {row.label} back to its default (")
            text.append_text(plain(clip(row.default, 60)))
            text.append(")? Press r again to reset; any other key keeps it.")
            line.update(text)

    def on_key(self, event: events.Key) -> None:
        # Any key but the second r drops the question (keys reach here before their bindings run).
        if self.resetting is not None and event.key != "r":
            self._ask_reset(None)

    def action_reset(self) -> None:
        row = self.selected("reset")
        if row is None:
            return
        if self.resetting != row.key:
            if not row.changed:
                self.say(f"{row.label} is already at its default.")
                return
            self._ask_reset(row)
            return
        self._ask_reset(None)
        self.run_write(lambda session: settings_catalog.reset_setting(
            session, row.key, now=self.ctx.now(), actor=self.ctx.actor, expected_version=row.version),
            f"{row.label} is back to its default", group="settings-write")

    def action_close(self) -> None:
        self.dismiss(self.changed)
