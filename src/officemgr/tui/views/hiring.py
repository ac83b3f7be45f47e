"""Hiring (the manager's; pushed from the Staff tab with h): the open job openings with their applicants by stage.
a adds an opening, enter lists its applicants, x closes it, P purges applicants past the retention period (P again
confirms). On the applicants list: a adds one, m moves the selected one to another stage with a note, n adds a
note, H hires (from the offer stage at once; from an earlier stage H again confirms); enter shows the selected
one's notes."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models.hiring import ApplicantStage
from officemgr.services import hiring
from officemgr.services.hiring import (
    ApplicantCreate,
    ApplicantRow,
    HireFacts,
    HireInput,
    NoteRow,
    OpeningCreate,
    OpeningRow,
    Purgeable,
    StageMove,
    StageNote,
)
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.hiring import ApplicantForm, HireForm, MoveForm, NoteForm, OpeningForm
from officemgr.tui.widgets.base import ListScreen, plain, selected_key

NOTES_SHOWN = 5
CSS = """
{name} > .hiring {{
    width: 95%;
    max-width: 150;
    height: 90%;
    border: thick $accent;
    background: $panel;
    padding: 0 1;
}}
{name} DataTable {{
    height: 1fr;
}}
{name} .hiring-status {{
    height: auto;
    max-height: 8;
    color: $text-muted;
}}
"""


class HiringScreen(ListScreen):
    DEFAULT_CSS = CSS.format(name="HiringScreen")
    BINDINGS = [
        Binding("escape", "close", "Close", id="hiring_close"),
        Binding("a", "add", "Add opening", id="hiring_add"),
        Binding("enter", "open", "Applicants", id="hiring_open"),
        Binding("x", "close_opening", "Close opening", id="hiring_close_opening"),
        Binding("P", "purge", "Purge old applicants", id="hiring_purge"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.rows: dict[str, OpeningRow] = {}
        # A purge asked about: P again purges, any other key forgets it.
        self.asked: Purgeable | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="hiring"):
            yield Label(Text("Hiring: open job openings (manager only)"), classes="form-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="openings")
            yield Static(Text("enter lists the opening's applicants: add, move, note and hire them there"),
                         classes="hiring-status", id="hiring-status")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#openings", DataTable)
        # The applicants first after the title: the role is most often the title again, and goes last at 80 columns.
        table.add_columns("Opening", "Applicants by stage", "Hours", "Posted", "Role")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> list[OpeningRow]:
        return hiring.openings(session, actor=self.ctx.actor)

    def show(self, data: list[OpeningRow]) -> None:
        table: DataTable[Any] = self.query_one("#openings", DataTable)
        kept = selected_key(table)
        table.clear()
        self.rows = {str(r.id): r for r in data}
        for r in data:
            table.add_row(plain(r.title), Text(r.summary), Text(f"{r.hours_per_week} h"),
                          Text(f"{r.posted_on:%m/%d/%Y}"), Text(r.role.label), key=str(r.id))
        if not data:
            table.add_row(Text("No open job openings — press a to add one"), *(Text("") for _ in range(4)))
        elif kept in self.rows:
            table.move_cursor(row=table.get_row_index(kept))

    def _selected(self) -> OpeningRow | None:
        return self.rows.get(selected_key(self.query_one("#openings", DataTable)) or "")

    def on_key(self, event: Key) -> None:
        if event.character != "P":
            self.asked = None

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_add(self) -> None:
        def save(session: Session, model: OpeningCreate) -> int:
            return hiring.add_opening(session, model, today=self.ctx.today, now=self.ctx.now(), actor=self.ctx.actor)

        self.app.push_screen(OpeningForm(self.ctx, save), self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.saved()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self._selected()
        if row is None:
            self.say("Add an opening first (a)")
            return
        self.app.push_screen(ApplicantsScreen(self.ctx, row.id, row.title), self._after_form)

    def action_close_opening(self) -> None:
        row = self._selected()
        if row is None:
            self.say("Select an opening to close")
            return
        opening_id, version = row.id, row.version
        self.run_write(lambda session: hiring.close_opening(
            session, opening_id, today=self.ctx.today, now=self.ctx.now(), actor=self.ctx.actor,
            expected_version=version), f"{row.title}: closed today", group="hiring-write")

    def action_purge(self) -> None:
        asked, self.asked = self.asked, None
        if asked is not None:
            self.run_write(lambda session: hiring.purge_applicants(
                session, today=self.ctx.today, now=self.ctx.now(), actor=self.ctx.actor),
                then=self._purged, group="hiring-write")
            return
        self.read(lambda session: hiring.purgeable(session, self.ctx.today, actor=self.ctx.actor), self._ask,
                  group="hiring-purge")

    def _ask(self, due: Purgeable) -> None:
        status = self.query_one("#hiring-status", Static)
        if not due.ids:
            status.update(Text(f"Nothing to purge: no applicant was declined or withdrew before "
                               f"{due.cutoff:%m/%d/%Y} ({due.retention_days} days ago)."))
            return
        self.asked = due
        count = f"{len(due.ids)} applicant{'s' if len(due.ids) != 1 else ''}"
        question = (f"Purge {count} declined or withdrawn before {due.cutoff:%m/%d/%Y} (kept {due.retention_days} "
                    "days), with their notes? Press P again to purge; any other key keeps them.")
        status.update(Text(question))
        self.say(question, "warning")

    def _purged(self, count: int) -> None:
        done = f"Purged {count} applicant{'s' if count != 1 else ''} and their notes"
        self.query_one("#hiring-status", Static).update(Text(done))
        self.say(done)
        self.saved()


class ApplicantsScreen(ListScreen):
    DEFAULT_CSS = CSS.format(name="ApplicantsScreen")
    BINDINGS = [
        Binding("escape", "close", "Back", id="applicants_close"),
        Binding("a", "add", "Add applicant", id="applicants_add"),
        Binding("m", "move", "Move stage", id="applicants_move"),
        Binding("n", "note", "Note", id="applicants_note"),
        Binding("H", "hire", "Hire", id="applicants_hire"),
    ]

    def __init__(self, ctx: AppContext, opening_id: int, title: str) -> None:
        super().__init__(ctx)
        self.opening_id, self.opening_title = opening_id, title
        self.rows: dict[str, ApplicantRow] = {}
        # A hire from before the offer stage asked about: H again goes on, any other key forgets it.
        self.asked: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="hiring"):
            yield Label(Text(f"Applicants: {self.opening_title}"), classes="form-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="applicants")
            yield Static(Text("enter shows the selected applicant's notes"), classes="hiring-status",
                         id="applicants-status")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#applicants", DataTable)
        table.add_columns("Name", "Stage", "Days", "Applied", "Last note")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> list[ApplicantRow]:
        return hiring.applicants(session, self.opening_id, self.ctx.today, actor=self.ctx.actor)

    def show(self, data: list[ApplicantRow]) -> None:
        table: DataTable[Any] = self.query_one("#applicants", DataTable)
        kept = selected_key(table)
        table.clear()
        self.rows = {str(r.id): r for r in data}
        for r in data:
            stage = r.stage.label + (f" {r.closed_on:%m/%d/%Y}" if r.closed_on else "")
            days = "" if r.closed_on else str(r.days_in_stage)
            table.add_row(plain(r.name), Text(stage), Text(days), Text(f"{r.applied_on:%m/%d/%Y}"),
                          plain(r.last_note.replace("\n", " ")[:50]), key=str(r.id))
        if not data:
            table.add_row(Text("No applicants — press a to add one"), *(Text("") for _ in range(4)))
        elif kept in self.rows:
            table.move_cursor(row=table.get_row_index(kept))

    def _selected(self, doing: str) -> ApplicantRow | None:
        row = self.rows.get(selected_key(self.query_one("#applicants", DataTable)) or "")
        if row is None:
            self.say(f"Select an applicant to {doing}")
        return row

    def on_key(self, event: Key) -> None:
        if event.character != "H":
            self.asked = None

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self._selected("see the notes of")
        if row is not None:
            applicant_id, name = row.id, row.name
            self.read(lambda session: hiring.notes_of(session, applicant_id, actor=self.ctx.actor),
                      lambda notes: self._show_notes(name, notes), group="applicant-notes")

    def _show_notes(self, name: str, notes: list[NoteRow]) -> None:
        """The latest notes under the table, one line each (the status line grows to hold them)."""
        lines = [f"{n.noted_on:%m/%d/%Y} {n.stage.label.lower()}{f' ({n.interviewer})' if n.interviewer else ''}: "
                 f"{n.note.replace(chr(10), ' ') or '(moved)'}" for n in notes[-NOTES_SHOWN:]]
        more = len(notes) - NOTES_SHOWN
        head = f"{name}: " + (f"{more} earlier notes, then" if more > 0 else "no notes yet" if not notes else "notes")
        self.query_one("#applicants-status", Static).update(plain("\n".join([head, *lines])))

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.saved()

    def action_add(self) -> None:
        def save(session: Session, model: ApplicantCreate) -> int:
            return hiring.add_applicant(session, model, today=self.ctx.today, now=self.ctx.now(),
                                        actor=self.ctx.actor)

        self.app.push_screen(ApplicantForm(self.ctx, save, self.opening_id, self.opening_title), self._after_form)

    def action_move(self) -> None:
        row = self._selected("move")
        if row is None:
            return
        if row.stage.closed:
            self.say(f"{row.name} is {row.stage.label.lower()}: that is final")
            return
        applicant_id, version = row.id, row.version

        def save(session: Session, model: StageMove) -> None:
            hiring.move_stage(session, applicant_id, model, today=self.ctx.today, now=self.ctx.now(),
                              actor=self.ctx.actor, expected_version=version)

        self.app.push_screen(MoveForm(self.ctx, save, row.name, row.stage), self._after_form)

    def action_note(self) -> None:
        row = self._selected("note on")
        if row is None:
            return
        applicant_id = row.id

        def save(session: Session, model: StageNote) -> None:
            hiring.add_note(session, applicant_id, model, today=self.ctx.today, now=self.ctx.now(),
                            actor=self.ctx.actor)

        self.app.push_screen(NoteForm(self.ctx, save, row.name, row.stage), self._after_form)

    def action_hire(self) -> None:
        asked, self.asked = self.asked, None
        row = self._selected("hire")
        if row is None:
            return
        if row.stage.closed:
            self.say(f"{row.name} is {row.stage.label.lower()}: that is final")
            return
        if row.stage is not ApplicantStage.offer and asked != row.id:
            self.asked = row.id
            question = (f"{row.name} is at {row.stage.label.lower()}, not offer. Press H again to hire anyway; "
                        "any other key does not.")
            self.query_one("#applicants-status", Static).update(Text(question))
            self.say(question, "warning")
            return
        applicant_id = row.id
        self.read(lambda session: hiring.hire_facts(session, applicant_id, actor=self.ctx.actor), self._hire_form,
                  group="hire-open")

    def _hire_form(self, facts: HireFacts) -> None:
        def save(session: Session, model: HireInput) -> int:
            return hiring.hire(session, facts.applicant_id, model, today=self.ctx.today, now=self.ctx.now(),
                               actor=self.ctx.actor, expected_version=facts.version)

        self.query_one("#applicants-status", Static).update("")
        self.app.push_screen(HireForm(self.ctx, save, facts), self._after_hire)

    def _after_hire(self, saved: bool | None) -> None:
        if saved:
            self.say("Hired: the staff record is made (see the Staff tab)")
            self.saved()
