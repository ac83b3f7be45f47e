"""When each provider works (weekday hours, blocks, exceptions) and the visit types, editable by key."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from officemgr.services import schedule, templates
from officemgr.services.availability import WEEKDAYS
from officemgr.services.calendar import StrandedBooking
from officemgr.services.schedule import TypeChoice
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.template import BlockForm, HoursForm, TypeForm
from officemgr.tui.views.practice_calendar import StrandedScreen
from officemgr.tui.widgets.base import ListScreen, selected_key


@dataclass(frozen=True)
class TemplateData:
    provider_ids: list[int]
    provider_id: int | None  # the provider shown: the one asked for, or the first when that one is gone
    template: templates.Template | None
    types: list[TypeChoice]


class TemplateScreen(ListScreen):
    BINDINGS = [
        Binding("escape", "close", "Close", id="template_close"),
        Binding("p", "next_provider", "Next provider", id="template_provider"),
        Binding("e", "edit", "Edit", id="template_edit"),
        Binding("a", "add", "Add", id="template_add"),
        Binding("delete,backspace", "remove", "Remove block", id="template_remove"),
    ]

    def __init__(self, ctx: AppContext, provider_id: int | None = None) -> None:
        super().__init__(ctx)
        self.provider_id = provider_id
        self.ids: list[int] = []
        self.data: templates.Template | None = None
        self.types: dict[int, TypeChoice] = {}

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
        self.reload()

    def fetch(self, session: Session) -> TemplateData:
        choices = schedule.booking_choices(session)
        ids = [p.id for p in choices.providers]
        pid = self.provider_id if self.provider_id in ids else (ids[0] if ids else None)
        data = templates.template(session, pid, self.ctx.today) if pid is not None else None
        return TemplateData(ids, pid, data, choices.types)

    def show(self, loaded: TemplateData) -> None:
        data = loaded.template
        self.ids, self.provider_id, self.data = loaded.provider_ids, loaded.provider_id, data
        self.types = {t.id: t for t in loaded.types}
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
        for t in loaded.types:
            kinds.add_row(Text(t.name), Text(str(t.minutes)), key=str(t.id))

    def _focused(self) -> str:
        focused = self.focused
        return focused.id if isinstance(focused, DataTable) and focused.id else "hours"

    def action_next_provider(self) -> None:
        if self.ids and self.provider_id in self.ids:
            self.provider_id = self.ids[(self.ids.index(self.provider_id) + 1) % len(self.ids)]
            self.reload()

    def action_edit(self) -> None:
        which = self._focused()
        key = selected_key(self.query_one(f"#{which}", DataTable))
        if key is None or self.data is None:
            return
        ctx = self.ctx
        if which == "types":
            kind = self.types[int(key)]

            def save_type(session: Session, data: templates.TypeInput) -> None:
                templates.save_type(session, data, type_id=kind.id, now=ctx.now(), actor=ctx.actor)

            self.app.push_screen(TypeForm(ctx, save_type, kind), self._after)
        elif which == "hours":
            weekday, provider_id = int(key), self.data.provider_id

            def save_hours(session: Session, data: templates.HoursInput) -> None:
                templates.set_hours(session, provider_id, data, now=ctx.now(), actor=ctx.actor)

            self.app.push_screen(HoursForm(ctx, save_hours, self.data.provider_name, weekday,
                                           self.data.hours.get(weekday)), self._after)

    def action_add(self) -> None:
        ctx = self.ctx
        if self._focused() == "types":

            def add_type(session: Session, data: templates.TypeInput) -> None:
                templates.save_type(session, data, type_id=None, now=ctx.now(), actor=ctx.actor)

            self.app.push_screen(TypeForm(ctx, add_type), self._after)
        elif self.data is not None:
            provider_id = self.data.provider_id

            def add_block(session: Session, data: templates.BlockInput) -> list[StrandedBooking]:
                # Read before the block is saved: the bookings it will sit over.
                stranded = templates.stranded_by_block(session, provider_id, data, now=ctx.now())
                templates.add_block(session, provider_id, data, now=ctx.now(), actor=ctx.actor)
                return stranded

            form = BlockForm(ctx, add_block, self.data.provider_name)
            name = self.data.provider_name
            self.app.push_screen(form, lambda saved: self._block_added(form, name) if saved else None)

    def _block_added(self, form: BlockForm, provider_name: str) -> None:
        self.changed = True
        self.reload()
        stranded = form.result if isinstance(form.result, list) else []
        if stranded:
            self.app.push_screen(StrandedScreen(stranded, f"{provider_name} blocked"))
        else:
            self.say("Block added: no bookings under it.")

    def action_remove(self) -> None:
        key = selected_key(self.query_one("#blocks", DataTable))
        if self._focused() == "blocks" and key is not None:
            block_id, ctx = int(key), self.ctx
            self.run_write(lambda session: templates.remove_block(session, block_id, now=ctx.now(), actor=ctx.actor))

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.reload()

    def action_close(self) -> None:
        self.dismiss(True)
