"""The lock screen (hides everything until the PIN is typed) and the form that sets or changes the PIN.

argon2 takes tens of milliseconds by design, so both check the PIN in a worker thread (dbwork) and act on its
message. Wrong PINs are counted in the database (services.pin.try_pin), with the end of the wait they start: locking
again, or quitting and starting the app again, does not reset the wait.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from officemgr.services import pin
from officemgr.services.common import ServiceError
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import DatabaseWork, Refused, Session

PROMPT = "Type the PIN and press Enter to unlock."


def _wait_words(seconds: float) -> str:
    whole = int(seconds + 0.999)
    return f"{whole} s" if whole < 120 else f"{(whole + 59) // 60} min"


class LockScreen(DatabaseWork, Screen[None]):
    """A full, opaque screen: no header, footer, tab or form shows through. Escape does not unlock."""

    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background; }
    LockScreen > Vertical { width: 50; height: auto; border: thick $accent; padding: 1 2; }
    LockScreen #lock-title { text-style: bold; margin-bottom: 1; }
    LockScreen #lock-message { color: $error; height: auto; margin-top: 1; }
    """
    # Screen's own tab/shift+tab would move focus nowhere useful; nothing else is bound here on purpose.
    BINDINGS = []

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(id="lock-screen")
        self.ctx = ctx
        self.wait = pin.PinWait()
        self.countdown: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("officemgr is locked", id="lock-title")
            yield Label(PROMPT)
            yield Input(password=True, max_length=pin.MAX_DIGITS, placeholder="PIN", id="lock-pin")
            yield Static("", id="lock-message")

    def on_mount(self) -> None:
        self._tick()
        # A wait started before (by this app, or one that was closed meanwhile) still runs.
        self.read(pin.pin_wait, self._waiting, group="pin-wait")

    def _waiting(self, wait: pin.PinWait) -> None:
        self.wait = wait
        self._tick()

    def _say(self, text: str) -> None:
        self.query_one("#lock-message", Static).update(Text(text))

    def _tick(self, now: datetime | None = None) -> None:
        """While a wait runs: the input is off and the message counts down; after it, the input is back."""
        field = self.query_one("#lock-pin", Input)
        left = self.wait.seconds_left(now or self.ctx.now())
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
        if self.wait.seconds_left(self.ctx.now()) > 0 or not typed:
            return
        event.input.disabled = True
        actor, now = self.ctx.actor, self.ctx.now()
        self.run_write(lambda session: pin.try_pin(session, typed, actor=actor, now=now),
                       then=lambda tried: self._checked(tried, now), group="pin")

    def _checked(self, tried: pin.PinTry, tried_at: datetime) -> None:
        if tried.right:
            self.dismiss()
            return
        self.wait = tried.wait
        if tried.checked:
            self._say("Wrong PIN")
        self._tick(tried_at)  # a wait it starts is named whole, however long the check took

    def when_refused(self, message: Refused) -> None:
        # On this screen, not as a notification: notifications wait for the unlock.
        self._say(message.message)
        self._tick()


class SetPinScreen(DatabaseWork, ModalScreen[bool]):
    """Set the PIN (or change it: the current one first). Escape: not now. Dismissed with True once saved."""

    DEFAULT_CSS = """
    SetPinScreen .pin-error { color: $error; height: auto; display: none; }
    SetPinScreen Input { width: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="pin_save"),
        Binding("escape", "cancel", "Not now", id="pin_cancel"),
    ]

    def __init__(self, ctx: AppContext, *, change: bool) -> None:
        super().__init__()
        self.ctx = ctx
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
        current = self._value("current") if self.change else None
        actor, now = self.ctx.actor, self.ctx.now()

        def save(session: Session) -> pin.PinTry:
            """The current PIN's try (counted like the lock screen's); the new PIN is saved only after a right one."""
            tried = pin.PinTry(right=True, checked=False, wait=pin.PinWait())
            if current is not None:
                tried = pin.try_pin(session, current, actor=actor, now=now)
                if not tried.right:
                    return tried
            pin.set_pin(session, new, actor=actor, now=now)
            return tried

        self.run_write(save, then=lambda tried: self._saved(tried, now), group="pin")

    def _saved(self, tried: pin.PinTry, tried_at: datetime) -> None:
        if tried.right:
            self.dismiss(True)
            return
        left = tried.wait.seconds_left(tried_at)
        wrong = "Wrong PIN" if tried.checked else "Too many wrong PINs"
        self._error("current", wrong + (f": try again in {_wait_words(left)}" if left else ""))

    def when_refused(self, message: Refused) -> None:
        self._error("new", message.message)
