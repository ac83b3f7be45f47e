"""Review mode: the huddle's items one at a time, each ending in a decision.

`space` reviewed, `a` assign an action, `s` snooze, `enter` open the record in its tab (escape there comes
back to the same item), `n`/`p` or arrows move without deciding, `f` finish. Starting the review starts
(or resumes) today's huddle record; each decision is saved as it is made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from officemgr.models.huddle import ActionCreate, HuddleFinish, ReviewOutcome
from officemgr.services import huddle_actions
from officemgr.services.format import plural
from officemgr.services.huddle import Huddle, HuddleItem
from officemgr.services.huddle_actions import ReviewStart
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import DatabaseWork, Refused, Session
from officemgr.tui.forms.huddle import ActionForm, FinishForm, SnoozeForm, Until
from officemgr.tui.messages import OpenRecord
from officemgr.tui.widgets.base import plain

SCREEN_NAME = "huddle-review"
BACK_ACTION = f"app.push_screen('{SCREEN_NAME}')"
OUTCOME_TEXT = {ReviewOutcome.reviewed: "reviewed", ReviewOutcome.action: "action assigned",
                ReviewOutcome.snoozed: "snoozed"}


@dataclass(frozen=True)
class Step:
    section: str
    item: HuddleItem


# How services.common.database_refusal words a write the database itself refused (not a ServiceError).


class ReviewScreen(DatabaseWork, Screen[bool]):
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

    def __init__(self, ctx: AppContext, data: Huddle, *, closed: Callable[[], object]) -> None:
        """`closed`: called when the review ends (saved or left), so the Huddle tab reloads."""
        super().__init__()
        self.ctx = ctx
        self.data = data
        self.closed = closed
        self.steps = [Step(s.title, item) for s in data.sections for item in s.items]
        self.index = 0
        self.huddle_id: int | None = None
        self.started_at: datetime | None = None
        self.outcomes: dict[str, ReviewOutcome] = {}
        self.staff: list[tuple[str, int]] = []
        self.attendees = ""
        self.action_due = data.today
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

    def _start(self) -> None:
        ctx, today = self.ctx, self.data.today
        self.run_write(lambda session: huddle_actions.start_review(session, today, now=ctx.now(), actor=ctx.actor),
                       then=self._started, group="review-start")

    def when_refused(self, message: Refused) -> None:
        if self.huddle_id is not None:  # a decision was not saved
            super().when_refused(message)
            return
        text = message.message
        if message.by_database:
            text = f"Could not start the huddle: {text}"
        self.say(text, "error")
        self.dismiss(False)

    def _started(self, started: ReviewStart) -> None:
        self.huddle_id = started.huddle_id
        self.started_at = started.started_at
        self.outcomes = dict(started.outcomes)
        self.staff = started.owners
        self.attendees = started.on_shift
        self.action_due = started.action_due
        undecided = next((n for n, step in enumerate(self.steps) if step.item.key not in self.outcomes), None)
        self.index = undecided if undecided is not None else 0
        self.refresh_step()

    def _mark(self, huddle_id: int, key: str, outcome: ReviewOutcome) -> None:
        ctx = self.ctx
        self.run_write(lambda session: huddle_actions.mark(session, huddle_id, key, outcome, now=ctx.now()),
                       then=_nothing, group="review-mark")

    # -- showing

    @property
    def step(self) -> Step | None:
        return self.steps[self.index] if 0 <= self.index < len(self.steps) else None

    def progress(self) -> str:
        actions = sum(1 for o in self.outcomes.values() if o is ReviewOutcome.action)
        minutes = 0
        if self.started_at is not None:
            minutes = max(0, int((self.ctx.now() - self.started_at).total_seconds() // 60))
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

    def _ready(self) -> tuple[int, Step] | None:
        """The running huddle's id and the step on screen; None (and why, if it is still starting) otherwise."""
        if self.huddle_id is None:
            self.say("Starting the huddle, one moment…")
            return None
        step = self.step
        return (self.huddle_id, step) if step is not None else None

    def action_decide(self, outcome: str) -> None:
        ready = self._ready()
        if ready is None:
            return
        huddle_id, step = ready
        self.outcomes[step.item.key] = ReviewOutcome(outcome)
        self._mark(huddle_id, step.item.key, ReviewOutcome(outcome))
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
        ready = self._ready()
        if ready is None:
            return
        huddle_id, step = ready
        if not self.staff:
            self.say("No active staff to assign to: add staff first.", "warning")
            return
        ctx, key = self.ctx, step.item.key

        def save(session: Session, model: ActionCreate) -> None:
            now = ctx.now()
            huddle_actions.add_action(session, model, today=ctx.today, now=now, actor=ctx.actor, huddle_id=huddle_id)
            if key:
                huddle_actions.mark(session, huddle_id, key, ReviewOutcome.action, now=now)

        form = ActionForm(ctx, save, what=step.item.text, item_key=key, staff=self.staff,
                          due=self.action_due)
        self.app.push_screen(form, lambda saved: self._after(saved, step, ReviewOutcome.action))

    def action_snooze(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        huddle_id, step = ready
        ctx, key = self.ctx, step.item.key

        def save(session: Session, model: Until) -> None:
            now = ctx.now()
            huddle_actions.snooze(session, key, model.until, today=ctx.today, now=now, actor=ctx.actor)
            huddle_actions.mark(session, huddle_id, key, ReviewOutcome.snoozed, now=now)

        form = SnoozeForm(ctx, save, text=step.item.text)
        self.app.push_screen(form, lambda saved: self._after(saved, step, ReviewOutcome.snoozed))

    def _after(self, saved: bool | None, step: Step, outcome: ReviewOutcome) -> None:
        if saved:
            self.outcomes[step.item.key] = outcome
            self.say("Action assigned" if outcome is ReviewOutcome.action else "Snoozed")
            self._advance()

    def action_open(self) -> None:
        step = self.step
        if step is None:
            return
        app = self.app
        if not app.is_screen_installed(SCREEN_NAME):
            app.install_screen(self, name=SCREEN_NAME)
        app.pop_screen()
        # To the app itself: this screen, popped, no longer passes messages up.
        app.post_message(OpenRecord(step.item.tab, step.item.record_id))
        add_back_key(app)

    def action_actions(self) -> None:
        from officemgr.tui.views.huddle_actions import ActionsScreen

        self.app.push_screen(ActionsScreen(self.ctx))

    def action_finish(self) -> None:
        if self.huddle_id is None or self.busy:
            return
        self.busy = True
        ctx, huddle_id, snapshot = self.ctx, self.huddle_id, self.data

        def save(session: Session, model: HuddleFinish) -> None:
            huddle_actions.finish(session, huddle_id, model, snapshot, now=ctx.now(), actor=ctx.actor)

        unreviewed = sum(1 for step in self.steps if step.item.key not in self.outcomes)
        form = FinishForm(ctx, save, self.attendees, unreviewed=unreviewed, total=len(self.steps))
        self.app.push_screen(form, self._finished)

    def _finished(self, saved: bool | None) -> None:
        self.busy = False
        if saved:
            self.finished = True
            self.say(f"Huddle saved: {len(self.outcomes)} of {plural(len(self.steps), 'item')} reviewed")
            self._close(True)

    def action_leave(self) -> None:
        self._close(False)

    def _close(self, saved: bool) -> None:
        app = self.app
        self.dismiss(saved)
        # Popped first (a screen on the stack cannot be uninstalled); uninstalled, it is then removed.
        app.uninstall_screen(SCREEN_NAME)
        self.closed()


def _nothing(_: object) -> None:
    """After a decision is saved: nothing more to show (the screen moved on when it was made)."""


def add_back_key(app: App[Any]) -> None:
    """While the review waits behind a jump, escape on the main screen brings it back."""
    main = app.screen_stack[0]
    main._bindings.bind("escape", BACK_ACTION, "Back to the huddle review", priority=True)
    main.refresh_bindings()


def drop_back_key(app: App[Any]) -> None:
    main = app.screen_stack[0]
    keys = main._bindings.key_to_bindings
    kept = [b for b in keys.get("escape", []) if b.action != BACK_ACTION]
    if kept:
        keys["escape"] = kept
    else:
        keys.pop("escape", None)
    main.refresh_bindings()
