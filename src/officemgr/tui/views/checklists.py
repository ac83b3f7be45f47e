"""One person's onboarding and leaving checklists (the manager's): space or d marks the task done today, u undoes
it, s starts the onboarding checklist (from the hire date) or the leaving one (from the last day), t edits the
templates of the person's role. Pushed from the Staff tab (key l); x there ends the employment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models.lifecycle import ChecklistKind
from officemgr.services import checklists, staff
from officemgr.services.checklists import TaskRow, TemplateItemInput, TemplateRow
from officemgr.services.staff import StaffRecord
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.checklists import TemplateItemForm
from officemgr.tui.widgets.base import ListScreen, plain, select_key, selected_key

# A hire this recent (or still to start) without an onboarding checklist is offered one.
OFFER_DAYS = 30
# The task column's width, so due, done and owner stay on an 80-column screen.
TASK_WIDTH = 29


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def offers_onboarding(person: StaffRecord, started: bool, today: date) -> bool:
    """Whether to offer starting onboarding: not started yet, and hired within the last 30 days or to start later."""
    return (not started and person.hire_date is not None and person.hire_date >= today - timedelta(days=OFFER_DAYS)
            and person.end_date is None)


@dataclass(frozen=True)
class PersonChecklists:
    person: StaffRecord
    tasks: list[TaskRow]


CSS = """
{name} > .checklists {{
    width: 95%;
    max-width: 130;
    height: 90%;
    border: thick $accent;
    background: $panel;
    padding: 0 1;
}}
{name} #checklist-note {{
    height: auto;
    color: $warning;
}}
"""


class ChecklistScreen(ListScreen):
    DEFAULT_CSS = CSS.format(name="ChecklistScreen")
    BINDINGS = [
        Binding("escape", "close", "Close", id="checklists_close"),
        Binding("space", "done", "Done today", id="checklists_done"),
        Binding("d", "done", "Done today", show=False, id="checklists_done_d"),
        Binding("u", "undo", "Undo done", id="checklists_undo"),
        Binding("s", "start", "Start onboarding/leaving", id="checklists_start"),
        Binding("t", "templates", "Templates", id="checklists_templates"),
    ]

    def __init__(self, ctx: AppContext, staff_id: int, name: str) -> None:
        super().__init__(ctx)
        self.staff_id, self.person_name = staff_id, name
        self.data: PersonChecklists | None = None
        self.rows: dict[str, TaskRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="checklists"):
            yield Label(Text(f"Checklists: {self.person_name}"), classes="form-title", id="checklist-title")
            yield Static("", id="checklist-note")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="checklist-tasks")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#checklist-tasks", DataTable)
        table.add_columns("Due", "Done", "Task", "Owner", "Checklist")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> PersonChecklists | None:
        person = staff.staff_record(session, self.staff_id)
        if person is None:
            return None
        return PersonChecklists(person, checklists.tasks(session, self.staff_id, actor=self.ctx.actor))

    def show(self, data: PersonChecklists | None) -> None:
        if data is None:
            self.say("That staff member no longer exists", "warning")
            self.dismiss(self.changed)
            return
        self.data = data
        today = self.ctx.today
        person = data.person
        table: DataTable[Any] = self.query_one("#checklist-tasks", DataTable)
        key = selected_key(table)
        table.clear()
        self.rows = {str(t.id): t for t in data.tasks}
        for t in data.tasks:
            late = t.overdue(today)
            due = Text(f"{t.due:%m/%d/%y}" + (" late" if late else ""), style="bold red" if late else "")
            # Initials keep the row on an 80-column screen; the audit log has the whole name.
            done = f"{t.done_on:%m/%d} {''.join(w[:1] for w in t.done_by.split()[:2])}" if t.done_on else ""
            table.add_row(due, plain(done), plain(_short(t.what, TASK_WIDTH)), plain(_short(t.owner, 14)),
                          Text(t.kind.label), key=str(t.id))
        if not data.tasks:
            table.add_row(Text(""), Text(""), Text("No checklist yet — press s to start one"), Text(""), Text(""))
        select_key(table, key)
        hired = f"hired {person.hire_date:%m/%d/%Y}" if person.hire_date else "no hire date"
        left = f" · last day {person.end_date:%m/%d/%Y} ({person.end_reason})" if person.end_date else ""
        self.query_one("#checklist-title", Label).update(
            Text(f"Checklists: {person.name} ({person.role.label}) · {hired}{left}"))
        started = {t.kind for t in data.tasks}
        note = ""
        if offers_onboarding(person, ChecklistKind.onboarding in started, today):
            note = "No onboarding checklist yet for this new hire: press s to start it from the hire date."
        elif person.end_date is not None and ChecklistKind.leaving not in started:
            note = "No leaving checklist yet: press s to start it from the last day."
        open_count = sum(1 for t in data.tasks if t.done_on is None)
        overdue = sum(1 for t in data.tasks if t.overdue(today))
        status = f"{open_count} open, {overdue} overdue" if data.tasks else ""
        self.query_one("#checklist-note", Static).update(Text(" · ".join(x for x in (note, status) if x)))

    def _selected(self) -> TaskRow | None:
        return self.rows.get(selected_key(self.query_one("#checklist-tasks", DataTable)) or "")

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_done(self) -> None:
        task = self._selected()
        if task is None or task.done_on is not None:
            self.say("Select an open task to mark done")
            return
        task_id, version, today = task.id, task.version, self.ctx.today
        self.run_write(lambda session: checklists.mark_done(
            session, task_id, today, today=today, now=self.ctx.now(), actor=self.ctx.actor, expected_version=version),
            f"Done today: {task.what}", group="checklist-write")

    def action_undo(self) -> None:
        task = self._selected()
        if task is None or task.done_on is None:
            self.say("Select a done task to undo")
            return
        task_id, version = task.id, task.version
        self.run_write(lambda session: checklists.undo_done(
            session, task_id, now=self.ctx.now(), actor=self.ctx.actor, expected_version=version),
            f"Open again: {task.what}", group="checklist-write")

    def action_start(self) -> None:
        if self.data is None:
            return
        person = self.data.person
        started = {t.kind for t in self.data.tasks}
        if ChecklistKind.onboarding not in started and person.end_date is None:
            kind, start = ChecklistKind.onboarding, person.hire_date or self.ctx.today
        elif person.end_date is not None and ChecklistKind.leaving not in started:
            kind, start = ChecklistKind.leaving, person.end_date
        elif person.end_date is None:
            self.say("Onboarding is under way. To start the leaving checklist, end the employment (x on the Staff "
                     "tab)")
            return
        else:
            self.say("Both checklists are started")
            return
        staff_id = self.staff_id
        self.run_write(lambda session: checklists.start_checklist(
            session, staff_id, kind, start, now=self.ctx.now(), actor=self.ctx.actor),
            f"{kind.label} checklist started from {start:%m/%d/%Y}", group="checklist-write")

    def action_templates(self) -> None:
        if self.data is None:
            return
        self.app.push_screen(TemplateScreen(self.ctx, self.data.person.role.value, self.data.person.role.label))


class TemplateScreen(ListScreen):
    """The onboarding and leaving templates as a role gets them (its own items and the every-role ones): a adds,
    e or enter edits, delete removes. A change applies to checklists started afterwards."""

    DEFAULT_CSS = CSS.format(name="TemplateScreen")
    BINDINGS = [
        Binding("escape", "close", "Close", id="templates_close"),
        Binding("a", "add", "Add item", id="templates_add"),
        Binding("e", "edit", "Edit item", id="templates_edit"),
        Binding("delete", "remove", "Remove item", id="templates_remove"),
    ]

    def __init__(self, ctx: AppContext, role: str, role_label: str) -> None:
        super().__init__(ctx)
        self.role, self.role_label = role, role_label
        self.rows: dict[str, TemplateRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="checklists"):
            yield Label(Text(f"Checklist templates for {self.role_label} (and every role)"), classes="form-title")
            yield Static(Text("Changes apply to checklists started afterwards."), id="checklist-note")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="template-items")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#template-items", DataTable)
        table.add_columns("Checklist", "Due", "Task", "Owner", "For")
        table.focus()
        # The defaults are written the first time anyone looks, so they can be edited like any other item.
        self.run_write(lambda session: checklists.ensure_defaults(session, now=self.ctx.now(), actor=self.ctx.actor),
                       then=lambda _added: self.reload(), group="template-write")

    def fetch(self, session: Session) -> list[TemplateRow]:
        return [*checklists.template(session, ChecklistKind.onboarding, self.role, actor=self.ctx.actor),
                *checklists.template(session, ChecklistKind.leaving, self.role, actor=self.ctx.actor)]

    def show(self, data: list[TemplateRow]) -> None:
        table: DataTable[Any] = self.query_one("#template-items", DataTable)
        key = selected_key(table)
        table.clear()
        self.rows = {str(r.id): r for r in data}
        for r in data:
            table.add_row(Text(r.kind.label), Text(r.when), plain(_short(r.what, TASK_WIDTH)),
                          plain(_short(r.owner, 10)), Text(_short(r.role_label, 12)), key=str(r.id))
        select_key(table, key)

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def _form_closed(self, saved: bool | None) -> None:
        if saved:
            self.saved()

    def action_add(self) -> None:
        def save(session: Session, data: TemplateItemInput) -> None:
            checklists.add_template_item(session, data, now=self.ctx.now(), actor=self.ctx.actor)

        self.app.push_screen(TemplateItemForm(self.ctx, save, role=self.role), self._form_closed)

    def _selected(self) -> TemplateRow | None:
        row = self.rows.get(selected_key(self.query_one("#template-items", DataTable)) or "")
        if row is None:
            self.say("Select an item first")
        return row

    def action_edit(self) -> None:
        row = self._selected()
        if row is None:
            return
        item_id, version = row.id, row.version

        def save(session: Session, data: TemplateItemInput) -> None:
            checklists.update_template_item(session, item_id, data, now=self.ctx.now(), actor=self.ctx.actor,
                                            expected_version=version)

        self.app.push_screen(TemplateItemForm(self.ctx, save, role=self.role, item=row), self._form_closed)

    def action_remove(self) -> None:
        row = self._selected()
        if row is None:
            return
        item_id, version = row.id, row.version
        self.run_write(lambda session: checklists.remove_template_item(
            session, item_id, now=self.ctx.now(), actor=self.ctx.actor, expected_version=version),
            f"Removed: {row.what}", group="template-write")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()
