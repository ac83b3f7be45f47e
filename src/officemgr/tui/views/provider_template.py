"""When each provider works (weekday hours, blocks, exceptions) and the visit types, editable by key."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from officemgr.models import AppointmentType
from officemgr.services import schedule, templates
from officemgr.services.availability import WEEKDAYS
from officemgr.services.common import ServiceError
from officemgr.store import read_session, write_session
from officemgr.tui.forms.template import BlockForm, HoursForm, TypeForm
from officemgr.tui.widgets.base import selected_key


class TemplateScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="template_close"),
        Binding("p", "next_provider", "Next provider", id="template_provider"),
        Binding("e", "edit", "Edit", id="template_edit"),
        Binding("a", "add", "Add", id="template_add"),
        Binding("delete,backspace", "remove", "Remove block", id="template_remove"),
    ]

    def __init__(self, provider_id: int | None = None) -> None:
        super().__init__()
        self.provider_id = provider_id
        self.data: templates.Template | None = None
        self.types: dict[int, AppointmentType] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="form wide"):
            yield Label("", classes="form-title", id="template-title")
            yield Label("Hours by weekday (e edits)", classes="subtitle")
            yield DataTable(id="hours", classes="short", cursor_type="row")
            yield Label("Blocks and exceptions (a adds, delete removes)", classes="subtitle")
            yield DataTable(id="blocks", classes="short", cursor_type="row")
            yield Label("Visit types and their default length (a adds, e edits)", classes="subtitle")
            yield DataTable(id="types", classes="short", cursor_type="row")
            yield Static(Text("tab moves between the lists · p next provider · escape closes"), classes="form-hint")

    def on_mount(self) -> None:
        self.query_one("#hours", DataTable).add_columns("Weekday", "Hours")
        self.query_one("#blocks", DataTable).add_columns("When", "From", "To", "Reason")
        self.query_one("#types", DataTable).add_columns("Type", "Minutes")
        self.load()

    @work(thread=True, exclusive=True, group="template")
    def load(self) -> None:
        with read_session(self.app.engine) as session:  # type: ignore[attr-defined]
            ids = [p.id for p in schedule.providers(session)]
            if self.provider_id not in ids:
                self.provider_id = ids[0] if ids else None
            data = templates.template(session, self.provider_id, self.app.today) if self.provider_id else None  # type: ignore[attr-defined]
            types = schedule.appointment_types(session)
        self.app.call_from_thread(self._show, data, types, ids)

    def _show(self, data: templates.Template | None, types: list[AppointmentType], ids: list[int]) -> None:
        self.data, self.ids = data, ids
        self.types = {t.id: t for t in types}
        title = f"{data.provider_name}: hours and blocks" if data else "No providers yet (add one on the Staff tab)"
        self.query_one("#template-title", Label).update(Text(title))
        hours = self.query_one("#hours", DataTable)
        hours.clear()
        blocks = self.query_one("#blocks", DataTable)
        blocks.clear()
        if data:
            for day, name in enumerate(WEEKDAYS):
                row = data.hours.get(day)
                hours.add_row(Text(name), Text(f"{row.start:%H:%M}–{row.end:%H:%M}" if row else "off"),
                              key=str(day))
            for b in [*data.weekly_blocks, *data.exceptions]:
                when = (f"every {WEEKDAYS[b.weekday].removesuffix('s')}" if b.weekday is not None
                        else f"{b.day:%a %m/%d/%Y}")
                blocks.add_row(Text(when), Text(f"{b.start:%H:%M}"), Text(f"{b.end:%H:%M}"), Text(b.reason),
                               key=str(b.id))
        kinds = self.query_one("#types", DataTable)
        kinds.clear()
        for t in types:
            kinds.add_row(Text(t.name), Text(str(t.minutes)), key=str(t.id))

    def _focused(self) -> str:
        focused = self.focused
        return focused.id if isinstance(focused, DataTable) and focused.id else "hours"

    def action_next_provider(self) -> None:
        if getattr(self, "ids", None):
            self.provider_id = self.ids[(self.ids.index(self.provider_id) + 1) % len(self.ids)]
            self.load()

    def action_edit(self) -> None:
        which = self._focused()
        key = selected_key(self.query_one(f"#{which}", DataTable))
        if key is None or self.data is None:
            return
        if which == "types":
            self.app.push_screen(TypeForm(self.types[int(key)]), self._after)
        elif which == "hours":
            weekday = int(key)
            self.app.push_screen(HoursForm(self.data.provider_id, self.data.provider_name, weekday,
                                           self.data.hours.get(weekday)), self._after)

    def action_add(self) -> None:
        if self._focused() == "types":
            self.app.push_screen(TypeForm(), self._after)
        elif self.data is not None:
            self.app.push_screen(BlockForm(self.data.provider_id, self.data.provider_name,
                                           self.app.today), self._after)  # type: ignore[attr-defined]

    def action_remove(self) -> None:
        key = selected_key(self.query_one("#blocks", DataTable))
        if self._focused() == "blocks" and key is not None:
            self._remove(int(key))

    @work(thread=True, exclusive=True, group="template-write")
    def _remove(self, block_id: int) -> None:
        try:
            with write_session(self.app.engine) as session:  # type: ignore[attr-defined]
                templates.remove_block(session, block_id, now=self.app.now(), actor=self.app.actor)  # type: ignore[attr-defined]
        except ServiceError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error", markup=False)
        self.app.call_from_thread(self.load)

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.load()

    def action_close(self) -> None:
        self.dismiss(True)
