"""The officemgr Textual app. `make_app` is the one factory: the CLI, the tests and the snapshots use it."""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, TabbedContent, TabPane

from officemgr.services import pin, settings
from officemgr.store import read_session
from officemgr.tui.commands import OfficeCommands
from officemgr.tui.keys import KeysScreen
from officemgr.tui.lock import LockScreen, SetPinScreen
from officemgr.tui.views.billing import BillingView
from officemgr.tui.views.compliance import ComplianceView
from officemgr.tui.views.huddle import HuddleView
from officemgr.tui.views.inventory import InventoryView
from officemgr.tui.views.schedule import ScheduleView
from officemgr.tui.views.staff import StaffView

TABS = (
    ("huddle", "Huddle", HuddleView),
    ("schedule", "Schedule", ScheduleView),
    ("staff", "Staff", StaffView),
    ("inventory", "Inventory", InventoryView),
    ("billing", "Billing", BillingView),
    ("compliance", "Compliance", ComplianceView),
)


class OfficeApp(App[None]):
    CSS_PATH = "officemgr.tcss"
    TITLE = "officemgr"
    COMMANDS = App.COMMANDS | {OfficeCommands}
    BINDINGS = [
        *(Binding(str(n), f"show_tab('{key}')", label, id=f"tab_{key}", show=False)
          for n, (key, label, _) in enumerate(TABS, start=1)),
        Binding("question_mark", "keys", "Keys", id="keys"),
        Binding("q", "quit", "Quit", id="quit"),
        # Priority: locks from every screen and form, even with an input focused.
        Binding("ctrl+l", "lock", "Lock", id="lock", show=False, priority=True),
    ]
    IDLE_CHECK_SECONDS = 5.0  # how often the idle lock looks at the time of the last input

    def __init__(self, engine: Engine, *, today: date, actor: str, secure: bool, pin_set: bool,
                 idle_minutes: float, offer_pin: bool = True) -> None:
        super().__init__()
        self.engine = engine
        self.today = today
        self.actor = actor
        self.sub_title = f"{today:%A %B %-d, %Y}"
        self.secure = secure
        self.pin_set = pin_set
        self.offer_pin = offer_pin
        self.idle_seconds = idle_minutes * 60
        self.pin_gate = pin.PinGate()
        self.locked = False
        self.last_input = time.monotonic()
        # Notifications that arrive while locked may name a patient: they wait for the unlock.
        self.held: list[tuple[str, dict[str, Any]]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="huddle"):
            for n, (key, label, view) in enumerate(TABS, start=1):
                with TabPane(f"{n} {label}", id=key):
                    # Hidden tabs load when first opened: six loads at once would hold up the first paint.
                    yield view(id=f"view-{key}", lazy=key != "huddle")
        yield Footer()

    def on_mount(self) -> None:
        self.view("huddle").focus_table()
        self.set_interval(self.IDLE_CHECK_SECONDS, self._check_idle)
        if self.secure and self.pin_set:
            self.action_lock()
        elif self.secure and self.offer_pin:
            self.action_set_pin()

    # -- the lock

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseEvent)):
            self.last_input = time.monotonic()
        await super().on_event(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While locked no app key works (tabs, palette, keys, quit): the lock screen handles its own input.
        return not self.locked

    def _check_idle(self) -> None:
        if self.pin_set and not self.locked and self.idle_seconds > 0 \
                and time.monotonic() - self.last_input >= self.idle_seconds:
            self.action_lock()

    def action_lock(self) -> None:
        if self.locked:
            return
        if not self.pin_set:
            self.notify("No PIN is set, so the screen cannot lock: set one with 'Set or change the PIN' in the "
                        "command palette (ctrl+p) or with `officemgr set-pin`.", severity="warning", markup=False)
            return
        self.locked = True
        self.clear_notifications()
        for key in ("huddle", "schedule"):
            self.view(key).conceal()
        # On top of whatever shows (a form, the palette, a window): after the unlock the user is back there.
        self.push_screen(LockScreen(), lambda _: self._unlocked())

    def _unlocked(self) -> None:
        self.locked = False
        self.last_input = time.monotonic()
        held, self.held = self.held, []
        for message, options in held:
            self.notify(message, **options)

    def notify(self, message: str, **options: Any) -> None:  # type: ignore[override]
        if self.locked:
            self.held.append((message, options))
            return
        super().notify(message, **options)

    def action_set_pin(self) -> None:
        self.push_screen(SetPinScreen(change=self.pin_set), self._pin_saved)

    def _pin_saved(self, saved: bool | None) -> None:
        if saved:
            self.pin_set = True
            idle = f", and it locks itself after {self.idle_seconds / 60:g} idle minutes" if self.idle_seconds else ""
            self.notify(f"PIN saved: ctrl+l locks the screen{idle}.")

    def now(self) -> datetime:
        """The wall-clock time on the app's `today` (so a demo dated --today stays consistent)."""
        return datetime.combine(self.today, datetime.now().time().replace(microsecond=0))

    def view(self, key: str):  # type: ignore[no-untyped-def]
        return self.query_one(f"#view-{key}")

    def action_show_tab(self, key: str) -> None:
        self.query_one(TabbedContent).active = key
        self.view(key).activated()
        self.view(key).focus_table()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # A tab opened by mouse or by the tab bar's own keys loads too (other screens' tabs are not ours).
        if event.pane.id in {key for key, _, _ in TABS}:
            self.view(event.pane.id).activated()

    def jump_to(self, tab: str, record_id: int | None) -> None:
        """From the huddle: open `tab` with its record selected (once the tab's data is there)."""
        self.action_show_tab(tab)
        view = self.view(tab)
        view.after_load(lambda: view.focus_record(record_id))

    def run_in_tab(self, tab: str, action: str | None) -> None:
        """From the command palette: open `tab`, then run one of its view's actions (on its loaded data)."""
        self.action_show_tab(tab)
        if action is not None:
            view = self.view(tab)
            view.after_load(lambda: self.call_later(self.run_action, action, view))

    def action_keys(self) -> None:
        self.push_screen(KeysScreen([(label, view) for _, label, view in TABS]))


def make_app(engine: Engine, *, today: date | None = None, actor: str = "manager", secure: bool = False) -> OfficeApp:
    """`secure` (the real CLI run only): start locked when a PIN is set, else offer to set one (not on a demo)."""
    # Read before the app starts, so a secure start never paints a frame of data before the lock.
    with read_session(engine) as session:
        pin_set = pin.pin_is_set(session)
        idle_minutes = settings.get(session, "lock_idle_minutes")
        demo = settings.get(session, "demo_data")
    return OfficeApp(engine, today=today or date.today(), actor=actor, secure=secure, pin_set=pin_set,
                     idle_minutes=idle_minutes, offer_pin=not demo)
