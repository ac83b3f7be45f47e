"""One person's evaluations (the manager's): what is due next, each evaluation with its average rating and sign-off,
and goals past their due date. d records the evaluation due, s the employee's sign-off of the selected one, g marks
its first open goal done, t edits the competencies of the person's role, escape closes. Opened from the Huddle's
evaluation item and the credentials screen's evaluation action, with the form already open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.services import credentials, evaluations
from officemgr.services.credentials import EvaluationDue
from officemgr.services.evaluations import EvaluationDetail, EvaluationDone, PersonEvaluations, SignOff
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.evaluation import EvaluationForm, SignOffForm, TemplateForm
from officemgr.tui.widgets.base import ListScreen, plain, selected_key


@dataclass(frozen=True)
class EvaluationData:
    person: PersonEvaluations
    due: EvaluationDue | None


class EvaluationScreen(ListScreen):
    DEFAULT_CSS = """
    EvaluationScreen > .evaluation {
        width: 95%;
        max-width: 150;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    EvaluationScreen #evaluation-list { height: 1fr; }
    EvaluationScreen #evaluation-detail { height: auto; max-height: 8; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="evaluation_close"),
        Binding("d", "record", "Record evaluation", id="evaluation_record"),
        Binding("s", "sign", "Employee signs", id="evaluation_sign"),
        Binding("g", "goal_done", "Goal done", id="evaluation_goal"),
        Binding("t", "template", "Competencies", id="evaluation_template"),
    ]

    def __init__(self, ctx: AppContext, staff_id: int, name: str, *, open_form: bool = False) -> None:
        super().__init__(ctx)
        self.staff_id, self.person = staff_id, name
        self.open_form = open_form
        self.data: EvaluationData | None = None
        self.rows: dict[str, EvaluationDetail] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="evaluation"):
            yield Label(Text(f"Evaluations: {self.person} (manager only)"), classes="form-title", id="evaluation-title")
            yield Static("", id="evaluation-due")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="evaluation-list")
            yield Static("", id="evaluation-detail")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#evaluation-list", DataTable)
        table.add_columns("Due", "Kind", "Done", "Reviewer", "Average", "Signed", "Goals")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> EvaluationData:
        person = evaluations.person_evaluations(session, self.staff_id, self.ctx.today, actor=self.ctx.actor)
        due = credentials.evaluations_due(session, self.ctx.today, within_days=None, staff_id=self.staff_id)
        return EvaluationData(person, due[0] if due else None)

    def show(self, data: EvaluationData) -> None:
        self.data = data
        self.person = data.person.staff_name
        self.query_one("#evaluation-title", Label).update(Text(f"Evaluations: {self.person} (manager only)"))
        due = data.due
        lines = Text()
        if due is None:
            lines.append("No evaluation due (no hire date on file)")
        else:
            when = f"overdue since {due.due:%m/%d/%Y}" if due.overdue else f"due {due.due:%m/%d/%Y}"
            lines.append(f"Next: {due.kind.label} {when} — press d to record it", style="bold red" if due.overdue
                         else "bold")
        for goal in data.person.goals_overdue:
            lines.append("\nGoal past due: ", style="bold red")
            lines.append(f"{goal.goal} (due {goal.due:%m/%d/%Y})")
        self.query_one("#evaluation-due", Static).update(lines)
        table: DataTable[Any] = self.query_one("#evaluation-list", DataTable)
        keep = selected_key(table)
        table.clear()
        self.rows = {str(e.evaluation_id): e for e in data.person.history}
        for e in data.person.history:
            average = f"{sum(r.rating for r in e.ratings) / len(e.ratings):.1f}" if e.ratings else ""
            open_goals = sum(1 for g in e.goals if g.done_on is None)
            table.add_row(Text(f"{e.due:%m/%d/%Y}"), Text(e.kind.label), Text(f"{e.done_on:%m/%d/%Y}" if e.done_on
                                                                               else "not done"),
                          plain(e.reviewer), Text(average), Text(f"{e.signed_on:%m/%d/%Y}" if e.signed_on else ""),
                          Text(f"{len(e.goals)} ({open_goals} open)" if e.goals else ""), key=str(e.evaluation_id))
        if not data.person.history:
            table.add_row(Text("No evaluations yet"), *(Text("") for _ in range(6)))
        elif keep in self.rows:
            table.move_cursor(row=table.get_row_index(keep))
        self.show_detail()
        if self.open_form:
            self.open_form = False
            self.action_record()

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def _selected(self) -> EvaluationDetail | None:
        return self.rows.get(selected_key(self.query_one("#evaluation-list", DataTable)) or "")

    def show_detail(self) -> None:
        row = self._selected()
        text = Text()
        if row is not None:
            for r in row.ratings:
                text.append(f"{r.rating} {r.competency}", style="bold")
                text.append(f"  {r.comment}\n" if r.comment else "\n")
            if row.note:
                text.append(f"Overall: {row.note}\n")
            for g in row.goals:
                state = f"done {g.done_on:%m/%d/%Y}" if g.done_on else (f"due {g.due:%m/%d/%Y}" if g.due else "open")
                text.append(f"Goal: {g.goal} ({state})\n", style="red" if g.overdue else "")
            if row.employee_comments:
                text.append(f"Employee: {row.employee_comments}")
        self.query_one("#evaluation-detail", Static).update(text)

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_record(self) -> None:
        due = self.data.due if self.data else None
        if self.data is None or due is None:
            self.say("No evaluation is due for this person")
            return
        staff_id, when = self.staff_id, due.due

        def save(session: Session, model: EvaluationDone) -> None:
            evaluations.complete_evaluation(session, model, now=self.ctx.now(), actor=self.ctx.actor)

        self.app.push_screen(EvaluationForm(self.ctx, save, staff_id=staff_id, name=self.person, due=when,
                                            what=due.kind.label, competencies=self.data.person.competencies,
                                            reviewer=getattr(self.ctx.actor, "name", "")), self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.saved()

    def action_sign(self) -> None:
        row = self._selected()
        if row is None or row.done_on is None:
            self.say("Select a done evaluation for the employee to sign")
            return
        if row.signed_on is not None:
            self.say(f"Already signed on {row.signed_on:%m/%d/%Y}")
            return
        evaluation_id, version = row.evaluation_id, row.version

        def save(session: Session, model: SignOff) -> None:
            evaluations.sign_off(session, evaluation_id, model, now=self.ctx.now(), actor=self.ctx.actor,
                                 expected_version=version)

        self.app.push_screen(SignOffForm(self.ctx, save, name=self.person, done_on=row.done_on), self._after_form)

    def action_goal_done(self) -> None:
        row = self._selected()
        goal = next((g for g in row.goals if g.done_on is None), None) if row else None
        if goal is None:
            self.say("The selected evaluation has no open goal")
            return
        goal_id = goal.goal_id
        self.run_write(lambda session: evaluations.complete_goal(session, goal_id, today=self.ctx.today,
                                                                 now=self.ctx.now(), actor=self.ctx.actor),
                       f"Goal done: {goal.goal}", group="evaluation-write")

    def action_template(self) -> None:
        if self.data is None:
            return
        role = self.data.person.role

        def save(session: Session, lines: list[str]) -> None:
            evaluations.save_template(session, role.value, "\n".join(lines), now=self.ctx.now(),
                                      actor=self.ctx.actor)

        self.app.push_screen(TemplateForm(self.ctx, save, label=role.label,
                                          competencies=self.data.person.competencies), self._after_form)
