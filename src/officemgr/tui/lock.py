"""The lock screen (hides everything until the PIN is typed) and the form that sets or changes the PIN.

argon2 takes tens of milliseconds by design, so both check the PIN in a worker thread; the result is taken once the
worker has finished (Worker.StateChanged), since closing the screen from inside the worker would cancel it.
Wrong PINs go through the app's PinGate, which outlives any one lock screen: locking again does not reset the wait.
"""

from __future__ import annotations

import time

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from officemgr.services import pin
from officemgr.services.common import ServiceError, database_refusal
from officemgr.store import read_session, write_session

PROMPT = "Type the PIN and press Enter to unlock."


def _wait_words(seconds: float) -> str:
    whole = int(seconds + 0.999)
    return f"{whole} s" if whole < 120 else f"{(whole + 59) // 60} min"


class LockScreen(Screen[None]):
    """A full, opaque screen: no header, footer, tab or form shows through. Escape does not unlock."""

    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background; }
    LockScreen > Vertical { width: 50; height: auto; border: thick $accent; padding: 1 2; }
    LockScreen #lock-title { text-style: bold; margin-bottom: 1; }
    LockScreen #lock-message { color: $error; height: auto; margin-top: 1; }
    """
    # Screen's own tab/shift+tab would move focus nowhere useful; nothing else is bound here on purpose.
    BINDINGS: list[Binding] = []

    def __init__(self) -> None:
        super().__init__(id="lock-screen")
        self.countdown: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("officemgr is locked", id="lock-title")
            yield Label(PROMPT)
            yield Input(password=True, max_length=pin.MAX_DIGITS, placeholder="PIN", id="lock-pin")
            yield Static("", id="lock-message")

    def on_mount(self) -> None:
        self._tick()

    @property
    def gate(self) -> pin.PinGate:
        return self.app.pin_gate  # type: ignore[attr-defined, no-any-return]

    def _say(self, text: str) -> None:
        self.query_one("#lock-message", Static).update(Text(text))

    def _tick(self) -> None:
        """While a wait runs: the input is off and the message counts down; after it, the input is back."""
        field = self.query_one("#lock-pin", Input)
        left = self.gate.wait_left(time.monotonic())
        if left > 0:
            field.disabled = True
            self._say(f"Too many wrong PINs: try again in {_wait_words(left)}")
            if self.countdown is None:
                self.countdown = self.set_interval(1.0, self._tick)
            return
        if self.countdown is not None:
            self.countdown.stop()
            self.countdown = None
            self._say("")
        field.disabled = False
        field.focus()

    @on(Input.Submitted, "#lock-pin")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed, event.input.value = event.value, ""
        if self.gate.wait_left(time.monotonic()) > 0 or not typed:
            return
        event.input.disabled = True
        self._check(typed)

    @work(thread=True, exclusive=True, group="pin")
    def _check(self, typed: str) -> bool | str:
        """True or False, or what went wrong reading the database."""
        try:
            with read_session(self.app.engine) as session:  # type: ignore[attr-defined]
                return pin.check_pin(session, typed)
        except SQLAlchemyError as exc:
            return f"Could not read the database ({exc.__class__.__name__})"

    @on(Worker.StateChanged)
    def _checked(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.SUCCESS:
            return
        result = event.worker.result
        if result is True:
            self.gate.succeeded()
            self.dismiss()
            return
        if result is False:
            self.gate.failed(time.monotonic())
        self._say("Wrong PIN" if result is False else str(result))
        self._tick()


class SetPinScreen(ModalScreen[bool]):
    """Set the PIN (or change it: the current one first). Escape: not now. Dismissed with True once saved."""

    DEFAULT_CSS = """
    SetPinScreen .pin-error { color: $error; height: auto; display: none; }
    SetPinScreen Input { width: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="pin_save"),
        Binding("escape", "cancel", "Not now", id="pin_cancel"),
    ]

    def __init__(self, *, change: bool) -> None:
        super().__init__()
        self.change = change

    def compose(self) -> ComposeResult:
        title = "Change the PIN" if self.change else "Set a PIN to lock officemgr"
        with Vertical(classes="form"):
            yield Label(title, classes="form-title")
            yield Label(f"The PIN unlocks the screen (ctrl+l locks it). {pin.MIN_DIGITS} to {pin.MAX_DIGITS} digits.")
            fields = [("current", "Current PIN")] if self.change else []
            for name, label in [*fields, ("new", "New PIN"), ("again", "New PIN again")]:
                yield Label(label)
                yield Input(password=True, max_length=pin.MAX_DIGITS, id=f"pin-{name}")
                yield Static("", id=f"e-{name}", classes="pin-error")
            yield Static(Text("enter or ctrl+s save · escape not now · tab next field"), classes="form-hint")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def _value(self, name: str) -> str:
        return self.query_one(f"#pin-{name}", Input).value

    def _error(self, name: str, text: str) -> None:
        line = self.query_one(f"#e-{name}", Static)
        line.update(Text(text))
        line.display = bool(text)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "pin-again":
            self.action_save()
        else:
            self.focus_next()

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_save(self) -> None:
        for name in ("current", "new", "again"):
            if self.change or name != "current":
                self._error(name, "")
        new = self._value("new")
        try:
            pin.check_format(new)
        except ServiceError as exc:
            self._error("new", str(exc))
            return
        if self._value("again") != new:
            self._error("again", "the two PINs differ; type the same PIN twice")
            return
        left = self.app.pin_gate.wait_left(time.monotonic())  # type: ignore[attr-defined]
        if self.change and left > 0:
            self._error("current", f"Too many wrong PINs: try again in {_wait_words(left)}")
            return
        self._save(self._value("current") if self.change else None, new)

    @work(thread=True, exclusive=True, group="pin")
    def _save(self, current: str | None, new: str) -> tuple[str, str] | None:
        """None once saved, else (the field to show it next to, why not)."""
        app = self.app
        try:
            with write_session(app.engine) as session:  # type: ignore[attr-defined]
                if current is not None and not pin.check_pin(session, current):
                    return "current", ""
                pin.set_pin(session, new, actor=app.actor, now=app.now())  # type: ignore[attr-defined]
        except ServiceError as exc:
            return "new", str(exc)
        except SQLAlchemyError as exc:
            return "again", database_refusal(exc)
        return None

    @on(Worker.StateChanged)
    def _saved(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.SUCCESS:
            return
        gate = self.app.pin_gate  # type: ignore[attr-defined]
        if event.worker.result is None:
            if self.change:
                gate.succeeded()
            self.dismiss(True)
            return
        name, why = event.worker.result
        if name == "current":
            wait = gate.failed(time.monotonic())
            why = "Wrong PIN" + (f": try again in {_wait_words(wait)}" if wait else "")
        self._error(name, why)
