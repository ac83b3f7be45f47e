"""Who is at the keyboard: the sign-in screen (which is also the lock), the first start's manager account, the form
that changes one's own PIN, and emergency access to an area one's roles do not see.

argon2 takes tens of milliseconds by design, so each checks the PIN in a worker thread (dbwork) and acts on its
message. Wrong PINs are counted on the person's account (services.users.sign_in), with the end of the wait they
start: locking again, or quitting and starting the app again, does not reset the wait.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from officemgr.services import pin, users
from officemgr.services.access import Actor, Area, who_may
from officemgr.services.common import ServiceError
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import DatabaseWork, Refused, Session

PROMPT = "Your name (type to find it), then your PIN and Enter."


def _wait_words(seconds: float) -> str:
    whole = int(seconds + 0.999)
    return f"{whole} s" if whole < 120 else f"{(whole + 59) // 60} min"


class PinInput(Input):
    """A PIN field that takes digits only: a letter typed into it goes to the name filter (another person at the
    lock starts typing their name)."""

    class Letter(Message):
        def __init__(self, character: str) -> None:
            super().__init__()
            self.character = character

    async def _on_key(self, event: events.Key) -> None:
        if event.character and event.character.isprintable() and not event.character.isdigit():
            event.stop()
            event.prevent_default()  # Input's own key handler would type it
            self.post_message(self.Letter(event.character))


class SignInScreen(DatabaseWork, Screen[Actor]):
    """A full, opaque screen: no header, footer, tab or form shows through. Escape does not leave it.

    `before`: who was signed in, and `audit` what this screen is for them: "lock" (ctrl+l, idle: they are
    preselected and type only their PIN; another name signs that person in instead and `before` is signed out) or
    "sign_out"; None and "" at the start. Dismissed with the person signed in."""

    DEFAULT_CSS = """
    SignInScreen { align: center middle; background: $background; }
    SignInScreen > Vertical { width: 60; height: auto; border: thick $accent; padding: 0 2; }
    SignInScreen #signin-title { text-style: bold; }
    SignInScreen #signin-names { height: 7; }
    SignInScreen #signin-message { color: $error; height: auto; margin-top: 1; }
    """
    # Screen's own tab/shift+tab would move focus nowhere useful; nothing else is bound here on purpose.
    BINDINGS = []

    def __init__(self, ctx: AppContext, *, before: Actor | None = None, audit: str = "") -> None:
        super().__init__(id="signin-screen")
        self.ctx = ctx
        self.before = before
        self.audit = audit
        self.current = before if audit == "lock" else None
        self.workstation = ctx.actor.workstation
        self.names: list[users.SignInName] = []
        self.waits: dict[str, pin.PinWait] = {}  # per login: the wait each one's last try here left
        self.countdown: Timer | None = None
        self.typing_name = False  # letters typed into the PIN field are going to the name filter

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("officemgr is locked" if self.current else "Sign in to officemgr", id="signin-title")
            yield Static(PROMPT)
            yield Input(placeholder="Type to find your name", id="signin-filter", select_on_focus=False)
            yield OptionList(id="signin-names")
            yield PinInput(password=True, max_length=pin.MAX_DIGITS, placeholder="PIN", id="signin-pin")
            yield Static("", id="signin-message")

    def on_mount(self) -> None:
        if self.audit and self.before is not None:
            before, action, now = self.before, self.audit, self.ctx.now()
            self.run_write(lambda session: users.signed_out(session, before, action=action, now=now),
                           then=lambda _: None, group="signed-out")
        self.read(lambda session: (users.sign_in_names(session), users.waits(session)), self._listed, group="names")

    def _listed(self, found: tuple[list[users.SignInName], dict[str, pin.PinWait]]) -> None:
        self.names, self.waits = found
        self._fill("")
        preselected = self.current is not None and self._pick(self.current.login)
        self._tick()
        self.query_one("#signin-pin" if preselected else "#signin-filter", Input).focus()

    def _fill(self, typed: str) -> None:
        wanted = typed.strip().lower()
        shown = [n for n in self.names if wanted in n.name.lower() or wanted in n.login]
        listed = self.query_one("#signin-names", OptionList)
        listed.clear_options()
        listed.add_options([Option(Text(f"{n.name} ({n.login})"), id=n.login) for n in shown])
        listed.highlighted = 0 if shown else None

    def _pick(self, login: str) -> bool:
        listed = self.query_one("#signin-names", OptionList)
        for index in range(listed.option_count):
            if listed.get_option_at_index(index).id == login:
                listed.highlighted = index
                return True
        return False

    @property
    def login(self) -> str | None:
        listed = self.query_one("#signin-names", OptionList)
        if listed.highlighted is None:
            return None
        return listed.get_option_at_index(listed.highlighted).id

    def _say(self, text: str) -> None:
        self.query_one("#signin-message", Static).update(Text(text))

    @on(PinInput.Letter)
    def _letter(self, event: PinInput.Letter) -> None:
        field = self.query_one("#signin-filter", Input)
        # The first letter starts a new name; the next ones may reach the PIN field before the focus moves.
        field.value = field.value + event.character if self.typing_name else event.character
        self.typing_name = True
        field.cursor_position = len(field.value)
        field.focus()

    @on(Input.Changed, "#signin-filter")
    def _filtered(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#signin-filter")
    @on(OptionList.OptionSelected, "#signin-names")
    def _chosen(self, event: Input.Submitted | OptionList.OptionSelected) -> None:
        event.stop()
        if self.login is None:
            self._say("No name matches: type part of your name or login")
            return
        self._say("")
        self._tick()
        self.typing_name = False
        self.query_one("#signin-pin", Input).focus()

    @on(OptionList.OptionHighlighted, "#signin-names")
    def _highlighted(self) -> None:
        self._tick()

    def _tick(self, now: datetime | None = None) -> None:
        """While the chosen person's wait runs: the PIN is off and the message counts down; after it, it is back."""
        field = self.query_one("#signin-pin", Input)
        login = self.login
        wait = self.waits.get(login or "", pin.PinWait())
        left = wait.seconds_left(now or self.ctx.wall())
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

    @on(Input.Submitted, "#signin-pin")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed, event.input.value = event.value, ""
        login = self.login
        if login is None or not typed:
            return
        event.input.disabled = True
        # Only a lock leaves the one before signed in (a sign-out was audited when this screen opened).
        before, workstation, now, wall = self.current, self.workstation, self.ctx.now(), self.ctx.wall()

        def check(session: Session) -> users.SignIn:
            tried = users.sign_in(session, login, typed, workstation=workstation, now=now, wall=wall)
            if tried.actor is not None and before is not None and before.login != tried.actor.login:
                # Another person at the lock: the one before is signed out ("switch user").
                users.signed_out(session, before, action="sign_out", now=now)
            return tried

        self.run_write(check, then=lambda tried: self._checked(login, tried, wall), group="pin")

    def _checked(self, login: str, tried: users.SignIn, tried_at: datetime) -> None:
        if tried.actor is not None:
            self.dismiss(tried.actor)
            return
        self.waits[login] = tried.wait
        if tried.checked:
            self._say("Wrong PIN")
        if tried.wait.seconds_left(tried_at) > 0:
            self._tick(tried_at)  # a wait it starts is named whole, however long the check took
        else:
            self.query_one("#signin-pin", Input).disabled = False
            self.query_one("#signin-pin", Input).focus()

    def when_refused(self, message: Refused) -> None:
        # On this screen, not as a notification: notifications wait for the sign-in.
        self._say(message.message)
        self._tick()


# An empty compact input is a blank line: each says what goes in it.
PLACEHOLDERS = {"first": "e.g. Pat", "last": "e.g. Smith", "login": "e.g. psmith",
                "reason": "e.g. the patient at the desk disputes a denied claim"}


class _Fields(DatabaseWork):
    """A form of labelled inputs, each with its own error line under it: the first has the focus, enter moves to
    the next and saves from the last."""

    action_save: Callable[[], None]

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input is self.query(Input).last():
            self.action_save()
        else:
            event.input.screen.focus_next()

    def _value(self, name: str) -> str:
        return self.query_one(f"#f-{name}", Input).value

    def _error(self, name: str, text: str) -> None:
        line = self.query_one(f"#e-{name}", Static)
        line.update(Text(text))
        line.display = bool(text)

    def _fields(self, fields: list[tuple[str, str, bool]]) -> ComposeResult:
        """(name, label, secret) for each input, in order."""
        for name, label, secret in fields:
            yield Label(label)
            # Compact (one line each): the first start's five fields fit an 80x24 terminal.
            hint = f"{pin.MIN_DIGITS} to {pin.MAX_DIGITS} digits" if secret else PLACEHOLDERS.get(name, "")
            yield Input(password=secret, max_length=pin.MAX_DIGITS if secret else 300, id=f"f-{name}", compact=True,
                        placeholder=hint)
            yield Static("", id=f"e-{name}", classes="signin-error")

    def _clear(self) -> None:
        for line in self.query(".signin-error").results(Static):
            line.update("")
            line.display = False

    def _new_pin(self) -> str | None:
        """The new PIN typed twice, or None with the error shown under the field."""
        new = self._value("new")
        try:
            pin.check_format(new)
        except ServiceError as exc:
            self._error("new", str(exc))
            return None
        if self._value("again") != new:
            self._error("again", "the two PINs differ; type the same PIN twice")
            return None
        return new


FIELDS_CSS = """
{name} .signin-error {{ color: $error; height: auto; display: none; }}
{name} Input {{ width: 1fr; }}
"""


class FirstStartScreen(_Fields, Screen[Actor]):
    """A new practice's first start: the manager's own account, who is then signed in. Opaque, like the sign-in."""

    DEFAULT_CSS = FIELDS_CSS.format(name="FirstStartScreen") + """
    FirstStartScreen { align: center middle; background: $background; }
    FirstStartScreen > Vertical { width: 60; height: auto; border: thick $accent; padding: 0 2; }
    """
    BINDINGS = [Binding("ctrl+s", "save", "Create", id="first_save")]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(id="first-start")
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Create the manager's account", classes="form-title")
            yield Static(f"You sign in with the login and PIN ({pin.MIN_DIGITS} to {pin.MAX_DIGITS} digits); "
                         "you add the others' accounts later (officemgr users add).")
            yield from self._fields([("first", "First name", False), ("last", "Last name", False),
                                     ("login", "Login (a short name, e.g. jsmith)", False),
                                     ("new", "PIN", True), ("again", "PIN again", True)])

    def action_save(self) -> None:
        self._clear()
        new = self._new_pin()
        if new is None:
            return
        first, last, login = self._value("first"), self._value("last"), self._value("login")
        workstation, now = self.ctx.actor.workstation, self.ctx.now()
        self.run_write(lambda session: users.first_manager(session, first_name=first, last_name=last, login=login,
                                                           new_pin=new, workstation=workstation, now=now),
                       then=self.dismiss, group="first")

    def when_refused(self, message: Refused) -> None:
        self._error("login", message.message)


class ChangePinScreen(_Fields, ModalScreen[bool]):
    """The signed-in person changes their own PIN: the current one first. Escape: not now. True once saved."""

    DEFAULT_CSS = FIELDS_CSS.format(name="ChangePinScreen")
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="pin_save"),
        Binding("escape", "cancel", "Not now", id="pin_cancel"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Label(f"Change my PIN ({self.ctx.actor.login})", classes="form-title")
            yield Label(f"Your PIN signs you in. {pin.MIN_DIGITS} to {pin.MAX_DIGITS} digits.")
            yield from self._fields([("current", "Current PIN", True), ("new", "New PIN", True),
                                     ("again", "New PIN again", True)])
            yield Static(Text("enter or ctrl+s save · escape not now · tab next field"), classes="form-hint")

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_save(self) -> None:
        self._clear()
        new = self._new_pin()
        if new is None:
            return
        current, actor, now, wall = self._value("current"), self.ctx.actor, self.ctx.now(), self.ctx.wall()
        self.run_write(lambda session: users.change_own_pin(session, actor, current, new, now=now, wall=wall),
                       then=lambda tried: self._saved(tried, wall), group="pin")

    def _saved(self, tried: users.SignIn, tried_at: datetime) -> None:
        if tried.actor is not None:
            self.dismiss(True)
            return
        left = tried.wait.seconds_left(tried_at)
        wrong = "Wrong PIN" if tried.checked else "Too many wrong PINs"
        self._error("current", wrong + (f": try again in {_wait_words(left)}" if left else ""))

    def when_refused(self, message: Refused) -> None:
        self._error("new", message.message)


class EmergencyScreen(_Fields, ModalScreen[Actor | None]):
    """Emergency access ("break glass"): names what the person's roles do not open and asks why; the reason goes
    in the audit log and on the next Huddle. Dismissed with the person holding the area opened, or None."""

    DEFAULT_CSS = FIELDS_CSS.format(name="EmergencyScreen")
    BINDINGS = [
        Binding("ctrl+s", "save", "Open", id="emergency_open"),
        Binding("escape", "cancel", "Cancel", id="emergency_cancel"),
    ]

    def __init__(self, ctx: AppContext, area: Area, what: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.area = area
        self.what = what

    def compose(self) -> ComposeResult:
        actor = self.ctx.actor
        held = ", ".join(role.label for role in sorted(actor.roles, key=lambda r: r.value)) or "no role"
        with Vertical(classes="form"):
            yield Label("Emergency access", classes="form-title")
            yield Static(Text(f"{self.what} needs {who_may(self.area, write=False)}; {actor.login} is {held}."),
                         id="emergency-why")
            yield Static("To open it anyway, say why. It is recorded under your name and shown on the next Huddle; "
                         "it ends when you lock or sign out.")
            yield from self._fields([("reason", "Reason", False)])
            yield Static(Text("enter open · escape cancel"), classes="form-hint")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        self._clear()
        actor, area, reason, now = self.ctx.actor, self.area, self._value("reason"), self.ctx.now()
        self.run_write(lambda session: users.break_glass(session, actor, area, reason, now=now),
                       then=self.dismiss, group="emergency")

    def when_refused(self, message: Refused) -> None:
        self._error("reason", message.message)
