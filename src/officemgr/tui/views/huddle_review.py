"""Review mode: the huddle's items one at a time, each ending in a decision.

`space` reviewed, `a` assign an action, `s` snooze, `enter` open the record in its tab (escape there comes
back to the same item), `n`/`p` or arrows move without deciding, `f` finish. Starting the review starts
(or resumes) today's huddle record; each decision is saved as it is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from officemgr.models.huddle import ReviewOutcome
from officemgr.services import huddle_actions, staff
from officemgr.services.common import ServiceError, database_refusal
from officemgr.services.format import plural
from officemgr.services.huddle import Huddle, HuddleItem
from officemgr.store import read_session, write_session
from officemgr.tui.forms.huddle import ActionForm, FinishForm, SnoozeForm
from officemgr.tui.widgets.base import plain

SCREEN_NAME = "huddle-review"
BACK_ACTION = f"app.push_screen('{SCREEN_NAME}')"
OUTCOME_TEXT = {ReviewOutcome.reviewed: "reviewed", ReviewOutcome.action: "action assigned",
                ReviewOutcome.snoozed: "snoozed"}


@dataclass(frozen=True)
class Step:
    section: str
    item: HuddleItem


@dataclass(frozen=True)
class Started:
    huddle_id: int
    started_at: object
    outcomes: dict[str, ReviewOutcome]
    staff: list[tuple[str, int]]
    attendees: str


class ReviewScreen(Screen[bool]):
    DEFAULT_CSS = """
    ReviewScreen { align: center middle; }
    ReviewScreen > .review { width: 90%; max-width: 130; height: auto; border: thick $accent;
                             background: $panel; padding: 1 2; }
    ReviewScreen #review-section { color: $accent; text-style: bold; }
    ReviewScreen #review-item { text-style: bold; margin: 1 0 0 0; }
    ReviewScreen #review-reason { margin: 0 0 1 0; }
    ReviewScreen #review-progress, ReviewScreen #review-hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("space", "decide('reviewed')", "Reviewed", id="review_reviewed"),
        Binding("a", "assign", "Action", id="review_action"),
        Binding("s", "snooze", "Snooze", id="review_snooze"),
        Binding("enter", "open", "Open record", id="review_open"),
        Binding("n,right,down", "move(1)", "Next", id="review_next"),
        Binding("p,left,up", "move(-1)", "Previous", id="review_previous"),
        Binding("A", "actions", "Actions list", id="review_actions"),
        Binding("f", "finish", "Finish", id="review_finish"),
        Binding("escape", "leave", "Leave review", id="review_leave"),
    ]

    def __init__(self, data: Huddle) -> None:
        super().__init__()
        self.data = data
        self.steps = [Step(s.title, item) for s in data.sections for item in s.items]
        self.index = 0
        self.huddle_id: int | None = None
        self.started_at = None
        self.outcomes: dict[str, ReviewOutcome] = {}
        self.staff: list[tuple[str, int]] = []
        self.attendees = ""
        self.busy = False
        self.finished = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="review"):
            yield Label(Text(f"Huddle for {self.data.today:%A %B %-d}"), classes="form-title")
            yield Static("", id="review-section")
            yield Static("", id="review-item")
            yield Static("", id="review-reason")
            yield Static("", id="review-progress")
            yield Static(Text("space reviewed · a action · s snooze · enter open the record (escape comes back) · "
                              "n/p next/previous · A actions list · f finish · escape leave"), id="review-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_step()
        self._start()

    def on_screen_resume(self) -> None:
        drop_back_key(self.app)
        self.refresh_step()

    # -- database work

    @work(thread=True, exclusive=True, group="review-start")
    def _start(self) -> None:
        app = self.app
        try:
            with write_session(app.engine) as session:  # type: ignore[attr-defined]
                record = huddle_actions.start(session, self.data.today, now=app.now(),  # type: ignore[attr-defined]
                                              actor=app.actor)  # type: ignore[attr-defined]
                huddle_id, started_at = record.id, record.started_at
            with read_session(app.engine) as session:  # type: ignore[attr-defined]
                started = Started(huddle_id, started_at, dict(huddle_actions.reviewed(session, huddle_id)),
                                  *_people(session, self.data.today))
        except ServiceError as exc:
            app.call_from_thread(self._cannot_start, str(exc))
            return
        except SQLAlchemyError as exc:
            app.call_from_thread(self._cannot_start, f"Could not start the huddle: {database_refusal(exc)}")
            return
        app.call_from_thread(self._started, started)

    def _cannot_start(self, message: str) -> None:
        self.app.notify(message, severity="error", markup=False)
        self.dismiss(False)

    def _started(self, started: Started) -> None:
        self.huddle_id = started.huddle_id
        self.started_at = started.started_at
        self.outcomes = started.outcomes
        self.staff = started.staff
        self.attendees = started.attendees
        undecided = next((n for n, step in enumerate(self.steps) if step.item.key not in self.outcomes), None)
        self.index = undecided if undecided is not None else 0
        self.refresh_step()

    @work(thread=True, group="review-mark")
    def _mark(self, key: str, outcome: ReviewOutcome) -> None:
        app = self.app
        try:
            with write_session(app.engine) as session:  # type: ignore[attr-defined]
                huddle_actions.mark(session, self.huddle_id, key, outcome, now=app.now())  # type: ignore[arg-type, attr-defined]
        except (ServiceError, SQLAlchemyError) as exc:
            message = str(exc) if isinstance(exc, ServiceError) else database_refusal(exc)
            app.call_from_thread(self.app.notify, message, severity="error", markup=False)

    # -- showing

    @property
    def step(self) -> Step | None:
        return self.steps[self.index] if 0 <= self.index < len(self.steps) else None

    def progress(self) -> str:
        actions = sum(1 for o in self.outcomes.values() if o is ReviewOutcome.action)
        minutes = 0
        if self.started_at is not None:
            minutes = max(0, int((self.app.now() - self.started_at).total_seconds() // 60))  # type: ignore[attr-defined, operator]
        return (f"{len(self.outcomes)} of {len(self.steps)} reviewed · {plural(actions, 'action')} · "
                f"{minutes} min")

    def refresh_step(self) -> None:
        if not self.is_mounted:
            return
        step = self.step
        section = self.query_one("#review-section", Static)
        item = self.query_one("#review-item", Static)
        reason = self.query_one("#review-reason", Static)
        if step is None:
            section.update(Text("Nothing to review today" if not self.steps else "All items seen"))
            item.update(Text("press f to finish and save the huddle"))
            reason.update("")
        else:
            section.update(plain(f"{step.section} · item {self.index + 1} of {len(self.steps)}"))
            item.update(plain(("! " if step.item.urgent else "") + step.item.text,
                              "bold red" if step.item.urgent else ""))
            line = plain(step.item.reason)
            outcome = self.outcomes.get(step.item.key)
            if outcome is not None:
                line.append(f"  ({OUTCOME_TEXT[outcome]})", style="dim")
            reason.update(line)
        self.query_one("#review-progress", Static).update(Text(self.progress()))

    # -- keys

    def _ready(self) -> Step | None:
        if self.huddle_id is None:
            self.app.notify("Starting the huddle, one moment…", markup=False)
            return None
        return self.step

    def action_decide(self, outcome: str) -> None:
        step = self._ready()
        if step is None:
            return
        self.outcomes[step.item.key] = ReviewOutcome(outcome)
        self._mark(step.item.key, ReviewOutcome(outcome))
        self._advance()

    def _advance(self) -> None:
        if self.index >= len(self.steps) - 1:
            self.index = len(self.steps)
            self.refresh_step()
            self.action_finish()
            return
        self.index += 1
        self.refresh_step()

    def action_move(self, by: int) -> None:
        self.index = max(0, min(len(self.steps) - 1, self.index + by))
        self.refresh_step()

    def action_assign(self) -> None:
        step = self._ready()
        if step is None:
            return
        if not self.staff:
            self.app.notify("No active staff to assign to: add staff first.", severity="warning", markup=False)
            return
        form = ActionForm(self.data.today, what=step.item.text, item_key=step.item.key, staff=self.staff,
                          huddle_id=self.huddle_id)
        self.app.push_screen(form, lambda saved: self._after(saved, step, ReviewOutcome.action))

    def action_snooze(self) -> None:
        step = self._ready()
        if step is not None:
            form = SnoozeForm(self.data.today, text=step.item.text, item_key=step.item.key, huddle_id=self.huddle_id)
            self.app.push_screen(form, lambda saved: self._after(saved, step, ReviewOutcome.snoozed))

    def _after(self, saved: bool | None, step: Step, outcome: ReviewOutcome) -> None:
        if saved:
            self.outcomes[step.item.key] = outcome
            self.app.notify("Action assigned" if outcome is ReviewOutcome.action else "Snoozed", markup=False)
            self._advance()

    def action_open(self) -> None:
        step = self.step
        if step is None:
            return
        app = self.app
        if not app.is_screen_installed(SCREEN_NAME):
            app.install_screen(self, name=SCREEN_NAME)
        app.pop_screen()
        app.jump_to(step.item.tab, step.item.record_id)  # type: ignore[attr-defined]
        add_back_key(app)

    def action_actions(self) -> None:
        from officemgr.tui.views.huddle_actions import ActionsScreen

        self.app.push_screen(ActionsScreen())

    def action_finish(self) -> None:
        if self.huddle_id is None or self.busy:
            return
        self.busy = True
        self.app.push_screen(FinishForm(self.huddle_id, self.data, self.attendees), self._finished)

    def _finished(self, saved: bool | None) -> None:
        self.busy = False
        if saved:
            self.finished = True
            self.app.notify(f"Huddle saved: {len(self.outcomes)} of {plural(len(self.steps), 'item')} reviewed",
                            markup=False)
            self._close(True)

    def action_leave(self) -> None:
        self._close(False)

    def _close(self, saved: bool) -> None:
        app = self.app
        self.dismiss(saved)
        # Popped first (a screen on the stack cannot be uninstalled); uninstalled, it is then removed.
        app.uninstall_screen(SCREEN_NAME)
        app.view("huddle").reload()  # type: ignore[attr-defined]


def _people(session: Session, today) -> tuple[list[tuple[str, int]], str]:  # type: ignore[no-untyped-def]
    """Owner options (active staff) and today's staff on shift, for the attendees line."""
    options = [(person.name, person.id) for person in staff.active_staff(session)]
    on_shift = ", ".join(row.name for row in staff.roster_day(session, today) if row.working)
    return options, on_shift


def add_back_key(app) -> None:  # type: ignore[no-untyped-def]
    """While the review waits behind a jump, escape on the main screen brings it back."""
    main = app.screen_stack[0]
    main._bindings.bind("escape", BACK_ACTION, "Back to the huddle review", priority=True)
    main.refresh_bindings()


def drop_back_key(app) -> None:  # type: ignore[no-untyped-def]
    main = app.screen_stack[0]
    keys = main._bindings.key_to_bindings
    kept = [b for b in keys.get("escape", []) if b.action != BACK_ACTION]
    if kept:
        keys["escape"] = kept
    else:
        keys.pop("escape", None)
    main.refresh_bindings()
