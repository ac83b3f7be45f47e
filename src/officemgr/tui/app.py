"""The officemgr Textual app. `make_app` is the one factory: the CLI, the tests and the snapshots use it.

This module imports Textual and nothing heavier, so a real start paints the tabs before SQLAlchemy, the models,
the services and the views are loaded: the CLI passes `open_engine`, which a worker runs after the first frame,
with the first tab's view module imported beside it and the other tabs' once its data is on screen. Tests pass an
open engine and get the views at once.
"""

from __future__ import annotations

import gc
import importlib
import socket
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.widgets import Header, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from officemgr.errors import StoreError
from officemgr.tui.callbacks import mend_callbacks
from officemgr.tui.collector import RestingCollector
from officemgr.tui.commands import OfficeCommands, PatientCommands
from officemgr.tui.context import AppContext, Clock, Desk, WriteCount, wall_clock
from officemgr.tui.keys import KeysScreen
from officemgr.tui.messages import OpenRecord, RunInTab
from officemgr.tui.widgets.footer import KeysFooter
from officemgr.tui.widgets.tables import mend_datatable

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from officemgr.services.access import Actor, Area
    from officemgr.tui.dbwork import Practice
    from officemgr.tui.widgets.base import TabView

# (key, label, view class as "module:Class" under officemgr.tui.views, imported when the app is ready)
TABS = (
    ("huddle", "Huddle", "huddle:HuddleView"),
    ("schedule", "Schedule", "schedule:ScheduleView"),
    ("staff", "Staff", "staff:StaffView"),
    ("inventory", "Inventory", "inventory:InventoryView"),
    ("billing", "Billing", "billing:BillingView"),
    ("compliance", "Compliance", "compliance:ComplianceView"),
)


TAB_KEYS = frozenset(key for key, _, _ in TABS)


def view_class(key: str) -> type[TabView]:
    module, name = {k: where for k, _, where in TABS}[key].split(":")
    view: type[TabView] = getattr(importlib.import_module(f"officemgr.tui.views.{module}"), name)
    return view


class OfficeApp(App[None]):
    CSS_PATH = "officemgr.tcss"
    TITLE = "officemgr"
    COMMANDS = App.COMMANDS | {OfficeCommands, PatientCommands}
    BINDINGS = [
        *(Binding(str(n), f"show_tab('{key}')", label, id=f"tab_{key}", show=False)
          for n, (key, label, _) in enumerate(TABS, start=1)),
        Binding("question_mark", "keys", "Keys", id="keys"),
        Binding("ctrl+f", "patients", "Patients", id="patients", show=False),
        Binding("dollar_sign", "finances", "Practice money", id="finances", show=False),
        Binding("comma", "settings", "Settings", id="settings", show=False),
        Binding("q", "quit", "Quit", id="quit"),
        # Priority: locks from every screen and form, even with an input focused.
        Binding("ctrl+l", "lock", "Lock", id="lock", show=False, priority=True),
    ]
    IDLE_CHECK_SECONDS = 5.0  # how often the idle lock looks at the time of the last input
    # How long the change watcher waits between looks (SQLite) or at most for a notice (PostgreSQL, which wakes it
    # at once): another workstation's change shows within a second.
    CHANGE_WAIT_SECONDS = 1.0
    # The other tabs' view modules are imported once the first tab's data is on screen, or after this long at most
    # (its read refused or slow).
    VIEWS_AT_THE_LATEST = 5.0

    def __init__(self, practice: Practice | None, *, today: date, actor: Actor | None, clock: Clock | None,
                 open_engine: Callable[[], Engine] | None = None, live: bool = False, preload: bool = False,
                 skip_closed_demo_day: bool = False, wall: Clock | None = None) -> None:
        super().__init__()
        self.wall = wall or datetime.now
        self.practice: Practice | None = None
        self.context: AppContext | None = None
        self.clock = clock
        self.skip_closed_demo_day = skip_closed_demo_day
        self.opening_notes: list[str] = []  # said once the app is on screen (the open appends what it repaired)
        self.open_engine = open_engine
        self.live = live
        self.preload = preload
        self.preloading = False  # the other tabs are loading in the background (see _preload)
        # Moves on every write, ours or another workstation's: a tab loaded at an older count reloads when opened.
        self.writes = WriteCount()
        self.watcher: Any = None
        self._forget_writes: Callable[[], None] | None = None
        self.today = today
        self.workstation = socket.gethostname()
        # Who was handed in (tests, scripts); None: the open decides (a demo's manager, else a sign-in).
        self.given_actor = actor
        self.desk: Desk | None = None
        self.signed_in = False
        self.emergency_ended = False  # the lock ended emergency access: what it opened closes at the sign-in
        # Every tab's view module is imported (the CLI imports them in a worker once the first tab's data shows).
        self.views_imported = practice is not None
        self.views_importing = practice is not None  # that import has begun
        self.collector_held = False  # the opening holds off the garbage collector (see _open)
        self.collector = RestingCollector()
        self.sub_title = f"{today:%A %B %-d, %Y}"
        self.locked = False
        self.last_input = time.monotonic()
        # Notifications that arrive while locked may name a patient: they wait for the unlock.
        self.held: list[tuple[str, dict[str, Any]]] = []
        self.has_users = False
        self.idle_seconds = 0.0
        self.boot_error: str | None = None  # why the database could not be opened (the CLI prints it)
        if practice is not None:
            self._take(practice)

    def _take(self, practice: Practice) -> None:
        self.practice = practice
        if practice.demo and self.skip_closed_demo_day and practice.next_open_day != self.today:
            # A demo opened on a weekend or holiday shows the next day the practice is open, not an empty one.
            self.opening_notes.append(f"{self.today:%A %B %-d} the practice is closed: the demo opens on "
                                      f"{practice.next_open_day:%A %B %-d}.")
            self.today = practice.next_open_day
            self.sub_title = f"{self.today:%A %B %-d, %Y}"
        from officemgr.services.access import Actor

        actor = self.given_actor or practice.demo_manager
        self.signed_in = actor is not None
        # Until someone signs in the desk holds no one: no role, so no tab and no data.
        self.desk = Desk(actor or Actor("", (), workstation=self.workstation))
        self.context = AppContext(practice.engine, self.today, self.clock or wall_clock(self.today), self.desk,
                                  self.writes, self.wall)
        self.has_users, self.idle_seconds = practice.has_users, practice.idle_minutes * 60

    @property
    def actor(self) -> Actor:
        """The person signed in now (the audit log's "who" for what the app writes)."""
        return self.ctx.actor

    @property
    def engine(self) -> Engine:
        assert self.practice is not None, "the database is not open yet"
        return self.practice.engine

    @property
    def ctx(self) -> AppContext:
        assert self.context is not None, "the database is not open yet"
        return self.context

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="huddle"):
            for n, (key, label, _) in enumerate(TABS, start=1):
                with TabPane(f"{n} {label}", id=key):
                    if self.practice is not None and self.signed_in:
                        yield self._view(key, active="huddle")
                    else:
                        # Until the database is open and someone has signed in: no view, so no data read.
                        yield Static(Text("Opening the practice's database…"), classes="opening")
        yield KeysFooter()

    def _view(self, key: str, *, active: str) -> TabView:
        # Tabs not on show load when first opened: six loads at once would hold up the first paint.
        return view_class(key)(ctx=self.ctx, id=f"view-{key}", lazy=key != active)

    def on_mount(self) -> None:
        if self.practice is not None:
            self._start()
        else:
            # After the first frame: the tabs show while the database opens and the views load.
            self.call_after_refresh(self._open)

    @work(thread=True, exclusive=True, group="open")
    def _open(self) -> None:
        assert self.open_engine is not None
        # The opening builds several hundred thousand objects that live as long as the process (SQLAlchemy, the
        # models, the services, the views): the collector's full passes over them cost a third of a second here. It
        # is held until the views are imported, when they are frozen out of its passes.
        self.collector_held = gc.isenabled()
        gc.disable()
        from officemgr.tui.dbwork import read_practice

        try:
            practice = read_practice(self.open_engine(), self.today, workstation=self.workstation)
        except StoreError as exc:
            self.call_from_thread(self._refused, str(exc))
            return
        except OSError as exc:  # the daily backup's folder or file refused by the system (full disk, permissions)
            self.call_from_thread(self._refused, f"cannot use {exc.filename or 'the database'}: {exc.strerror or exc}")
            return
        # The tab on show first (the Huddle, unless a key moved on); the others' modules once its data is on screen.
        first = self.call_from_thread(lambda: self.query_one(TabbedContent).active)
        view_class(first)
        self.post_message(self.Opened(practice, first))

    def _import_views(self) -> None:
        """Import every tab's view module in a worker (once), then give the other tabs their views."""
        if not self.views_importing:
            self.views_importing = True
            self._import_view_modules()

    @work(thread=True, exclusive=True, group="views")
    def _import_view_modules(self) -> None:
        for key, _, _ in TABS:
            view_class(key)
        self.post_message(self.ViewsImported())

    def _refused(self, message: str) -> None:
        self.boot_error = message
        self._release_collector()
        self.exit(return_code=1)

    def _release_collector(self) -> None:
        if self.collector_held:
            self.collector_held = False
            gc.enable()

    class Opened(Message):
        """The database is open and the view module of `first`, the tab on show, is imported."""

        def __init__(self, practice: Practice, first: str) -> None:
            super().__init__()
            self.practice = practice
            self.first = first

    class ViewsImported(Message):
        """Every tab's view module is imported: the other tabs can have their views."""

    async def on_office_app_opened(self, message: Opened) -> None:
        self._take(message.practice)
        if self.signed_in:
            await self._mount_views(only=message.first)
        self._start()
        if self.has_view(message.first) and self.view(message.first).started:
            # The other tabs' modules cost the interpreter a few hundred ms: imported beside the first tab's read
            # and paint they would hold them up, so they wait for its data to be on screen (or for a tab key).
            first = self.view(message.first)
            first.after_load(lambda: self.call_after_refresh(self._bring_other_views))
            self.set_timer(self.VIEWS_AT_THE_LATEST, self._bring_other_views)
        else:
            self._import_views()

    async def on_office_app_views_imported(self) -> None:
        self.views_imported = True
        if self.signed_in:
            await self._mount_views()
        self._release_collector()

    async def _mount_views(self, only: str | None = None) -> None:
        """Put each tab's view in place of its "Opening" line (`only`: just that tab's)."""
        active = self.query_one(TabbedContent).active
        mounted = False
        for pane in self.query(TabPane):
            if pane.id in TAB_KEYS and (only is None or pane.id == only) and pane.query(".opening"):
                await pane.query(".opening").remove()
                await pane.mount(self._view(pane.id, active=active))
                mounted = True
        if self.focused is None and self.signed_in and self.has_view(active):
            self.view(active).focus_table()  # a tab key moved to this tab before it had its view
        if only is None and mounted:
            # Everything loaded so far (SQLAlchemy, the models, Textual, the views) lives as long as the process:
            # out of the collector's full passes, which otherwise stall a key for 50-100 ms at random.
            gc.freeze()
            self.collector.start()
            self._preload()

    def _bring_other_views(self) -> None:
        """The first tab's data is on screen, a tab key wants its view, or the wait is over: every tab gets its view.
        Their modules are imported first if need be (the views come when they are in); else the views are mounted
        from the app's queue, one request after the other: the timer runs in a task of its own, and two mounts at
        once would put a view in twice."""
        if not self.views_imported:
            self._import_views()
        elif self.signed_in:
            self.call_later(self._mount_views)

    def _preload(self) -> None:
        """Once the tab on show has its data, every other tab the person may open loads in the background, one after
        the other: its key then shows data already there, a read and a paint sooner (100-200 ms on the large demo).
        A tab opened later shows what it has at once and reloads if anything was saved since, as before."""
        if not (self.preload and self.signed_in and self.views_imported) or self.preloading:
            return
        active = self.query_one(TabbedContent).active
        if self.has_view(active):
            self.preloading = True
            self.view(active).after_load(lambda: self.call_after_refresh(self._preload_next))

    def _preload_next(self) -> None:
        from officemgr.services.access import tabs_for

        self.preloading = False
        if self.locked:
            return  # the unlock goes on with it
        for key in tabs_for(self.ctx.actor):
            if self.has_view(key) and not self.view(key).started:
                self.preloading = True
                view = self.view(key)
                view.reload()
                view.after_load(lambda: self.call_after_refresh(self._preload_next))
                return

    def _start(self) -> None:
        """The practice is open: the person signed in sees their tabs (else the sign-in or first-start screen
        shows first), the idle lock runs."""
        from officemgr import audit_chain
        from officemgr.tui.dbwork import after_writes

        assert self.practice is not None
        if self.signed_in:
            self._show_person()
            self.view(self.query_one(TabbedContent).active).focus_table()
            self._preload()
        else:
            # Before anything else is said: the notes below wait for the sign-in, as on a lock.
            self._sign_in_first()
        self.set_interval(self.IDLE_CHECK_SECONDS, self._check_idle)
        self._forget_writes = after_writes(self.engine, self._wrote)
        if self.live:
            self._watch_changes()
        for note in self.opening_notes:
            self.notify(note, markup=False, timeout=30)
        for notice in audit_chain.notices(self.engine):
            self.notify(notice, title="Audit log", severity="error", timeout=60, markup=False)

    def _sign_in_first(self) -> None:
        from officemgr.tui.signin import FirstStartScreen, SignInScreen

        assert self.practice is not None
        self.locked = True
        if self.practice.has_users:
            self.push_screen(SignInScreen(self.ctx), self._signed_in)
        else:
            self.push_screen(FirstStartScreen(self.ctx), self._signed_in)

    async def _signed_in(self, actor: Actor | None) -> None:
        """Someone signed in (at the start, or at the lock: the same person or another): their tabs, their name."""
        assert actor is not None, "the sign-in screens are left only by signing in"
        before = self.ctx.actor
        self.ctx.desk.actor = actor
        self.has_users = True
        if not self.signed_in:
            self.signed_in = True
            self._show_person()  # first: the tab on show is one the person may open
            active = self.query_one(TabbedContent).active
            await self._mount_views(only=active)
            # As at the opening: the other tabs' views once this tab's data is on screen. Mounted beside its first
            # read they held it up (about 200 of the 930 ms from the PIN check to the Huddle's data on the large demo).
            self.view(active).after_load(lambda: self.call_after_refresh(self._bring_other_views))
            self.set_timer(self.VIEWS_AT_THE_LATEST, self._bring_other_views)
        else:
            self._show_person()
        switched = bool(before.login) and before.login != actor.login
        if switched or self.emergency_ended:
            # What the one before left open closes (or what emergency access opened), and every tab reloads as
            # the person's when opened (the one on show now).
            while len(self.screen_stack) > 1:
                await self.pop_screen()
            self.writes.bump()
            self.changed_elsewhere()
        if switched:
            self.held = []  # what the one before did is not the next person's to read
        self.emergency_ended = False
        active = self.query_one(TabbedContent).active
        if self.has_view(active):
            self.view(active).focus_table()
        self._unlocked()
        self._preload()

    def _show_person(self) -> None:
        """Only the tabs the person signed in may see, and their name in the footer."""
        from officemgr.services.access import tabs_for

        assert self.practice is not None
        allowed = tabs_for(self.ctx.actor)
        tabs = self.query_one(TabbedContent)
        if allowed and tabs.active not in allowed:
            tabs.active = allowed[0]
        for key in TAB_KEYS:
            if key in allowed:
                tabs.show_tab(key)
            else:
                tabs.hide_tab(key)
        actor = self.ctx.actor
        self.query_one(KeysFooter).who = f"{actor.name} ({actor.login})" + (" (demo)" if self.practice.demo else "")

    # -- other workstations

    def _wrote(self) -> None:
        # In the writing thread: only the count moves (the tab that wrote reloads itself).
        self.writes.bump()

    @work(thread=True, exclusive=True, group="changes", name="change watcher")
    def _watch_changes(self) -> None:
        from officemgr import changes

        watcher = self.watcher = changes.watch(self.engine)
        if watcher is None:
            return
        worker = get_current_worker()
        try:
            while not worker.is_cancelled:
                if watcher.wait(self.CHANGE_WAIT_SECONDS) and not worker.is_cancelled:
                    self.call_from_thread(self.changed_elsewhere)
        finally:
            watcher.close()

    def on_unmount(self) -> None:
        self._release_collector()
        self.collector.stop()
        if self._forget_writes is not None:
            self._forget_writes()
        if self.watcher is not None:
            self.watcher.stop()  # the process waits for the watcher's thread before it ends

    def changed_elsewhere(self) -> None:
        """Another workstation saved something: the tab on show reloads now, the others when next opened."""
        self.writes.bump()
        active = self.query_one(TabbedContent).active
        if self.has_view(active) and self.view(active).started:
            self.view(active).reload()

    # -- the lock

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseEvent)):
            self.last_input = time.monotonic()
        await super().on_event(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While locked no app key works (tabs, palette, keys, quit) but tab and shift+tab, which move between the
        # sign-in's own fields. While the database opens, only the tabs and quit do: nothing else to act on yet.
        if action in {"focus_next", "focus_previous"}:
            return True
        return not self.locked and (self.practice is not None or action in {"show_tab", "quit"})

    def _check_idle(self) -> None:
        self.collector.tick(self.last_input)
        if self.has_users and not self.locked and self.idle_seconds > 0 \
                and time.monotonic() - self.last_input >= self.idle_seconds:
            self.action_lock()

    def action_lock(self) -> None:
        self._lock("lock")

    def action_sign_out(self) -> None:
        self._lock("sign_out")

    def _lock(self, audit: str) -> None:
        """The sign-in screen over everything: "lock" keeps the person preselected, "sign_out" does not."""
        if self.locked:
            return
        if not self.has_users:
            self.notify("No one has a sign-in on this practice yet, so the screen cannot lock: the manager adds "
                        "users with `officemgr users add`.", severity="warning", markup=False)
            return
        self.locked = True
        self.clear_notifications()
        for key in ("huddle", "schedule"):
            if self.has_view(key):
                self.view(key).conceal()
        from officemgr.services.access import Actor
        from officemgr.tui.signin import SignInScreen

        before = self.ctx.actor
        # Emergency access ends here: whoever signs in next has only their roles' tabs, and what it opened closes.
        self.emergency_ended = bool(before.emergency)
        self.ctx.desk.actor = Actor(before.login, before.roles, name=before.name, staff_id=before.staff_id,
                                    workstation=before.workstation, user_id=before.user_id)
        self._show_person()
        # On top of whatever shows (a form, the palette, a window): after the unlock the user is back there.
        self.push_screen(SignInScreen(self.ctx, before=before, audit=audit), self._signed_in)

    def _unlocked(self) -> None:
        self.locked = False
        self.last_input = time.monotonic()
        held, self.held = self.held, []
        for message, options in held:
            self.notify(message, **options)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        if self.locked:
            self.held.append((message, {"title": title, "severity": severity, "timeout": timeout, "markup": markup}))
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def action_change_pin(self) -> None:
        from officemgr.tui.signin import ChangePinScreen

        self.push_screen(ChangePinScreen(self.ctx), self._pin_saved)

    def _pin_saved(self, saved: bool | None) -> None:
        if saved:
            self.notify("Your new PIN is saved: use it at the next sign-in.")

    def action_emergency(self, tab: str) -> None:
        """Emergency access to a tab the person's roles do not show."""
        from officemgr.services.access import TAB_AREA

        label = {key: label for key, label, _ in TABS}[tab]
        self.emergency(TAB_AREA[tab], f"the {label} tab", lambda: self.action_show_tab(tab))

    def emergency(self, area: Area, what: str, then: Callable[[], object]) -> None:
        """Ask why, open `area` for the person (break glass, audited), then `then`."""
        from officemgr.tui.signin import EmergencyScreen

        def opened(actor: Actor | None) -> None:
            if actor is None:
                return
            self.ctx.desk.actor = actor
            self._show_person()
            self.notify(f"Emergency access to {area.label} is open until you lock or sign out; it is in the audit "
                        "log under your name.", severity="warning", markup=False)
            then()

        self.push_screen(EmergencyScreen(self.ctx, area, what), opened)

    def view(self, key: str) -> TabView:
        from officemgr.tui.widgets.base import TabView

        return self.query_one(f"#view-{key}", TabView)

    def has_view(self, key: str) -> bool:
        """False while the tab still says "Opening" (its view is mounted, loading, once its module is in)."""
        return self.practice is not None and bool(self.query(f"#view-{key}"))

    def action_show_tab(self, key: str) -> None:
        from officemgr.services.access import tabs_for

        if self.practice is not None and key not in tabs_for(self.ctx.actor):
            self.action_emergency(key)
            return
        self.query_one(TabbedContent).active = key
        if not self.has_view(key):
            return
        self.view(key).activated()
        self.view(key).focus_table()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # A tab opened by mouse or by the tab bar's own keys loads too (other screens' tabs are not ours).
        if event.pane.id in TAB_KEYS and self.has_view(event.pane.id):
            self.view(event.pane.id).activated()
        elif event.pane.id in TAB_KEYS and self.practice is not None:
            self._bring_other_views()  # the first tab's data is not on screen yet (or its read refused): no more wait

    def on_open_record(self, message: OpenRecord) -> None:
        self.jump_to(message.tab, message.record_id)

    def on_run_in_tab(self, message: RunInTab) -> None:
        self.run_in_tab(message.tab, message.action)

    def jump_to(self, tab: str, record_id: int | None) -> None:
        """From the huddle: open `tab` with its record selected (once the tab's data is there)."""
        self.action_show_tab(tab)
        if self._showing(tab):
            view = self.view(tab)
            view.after_load(lambda: view.focus_record(record_id))

    def run_in_tab(self, tab: str, action: str | None) -> None:
        """From the command palette: open `tab`, then run one of its view's actions (on its loaded data)."""
        self.action_show_tab(tab)
        if action is not None and self._showing(tab):
            view = self.view(tab)
            view.after_load(lambda: self.call_later(self.run_action, action, view))

    def _showing(self, tab: str) -> bool:
        """The tab is on show with its view (not hidden from the person, who was offered emergency access)."""
        return self.query_one(TabbedContent).active == tab and self.has_view(tab)

    def action_patients(self) -> None:
        from officemgr.tui.views.patients import PatientsScreen

        self.push_screen(PatientsScreen(self.ctx))

    def action_patient_record(self, patient_id: int) -> None:
        """A patient the palette found: their record (what it saved shows on the tab underneath)."""
        from officemgr.tui.views.patient_record import PatientRecordScreen

        self.push_screen(PatientRecordScreen(self.ctx, patient_id),
                         lambda changed: self.changed_elsewhere() if changed else None)

    def action_finances(self) -> None:
        from officemgr.services.access import Area, may
        from officemgr.tui.views.finances import FinancesScreen

        if not may(self.ctx.actor, Area.finance, write=False):
            self.notify("The practice's money is for the manager, the biller and the auditor.", severity="warning",
                        markup=False)
            return
        self.push_screen(FinancesScreen(self.ctx), lambda changed: self.changed_elsewhere() if changed else None)

    def action_settings(self) -> None:
        from officemgr.tui.views.settings import SettingsScreen

        self.push_screen(SettingsScreen(self.ctx), self._after_settings)

    def _after_settings(self, changed: bool | None) -> None:
        if changed:
            self.changed_elsewhere()
            self._reread_idle_lock()

    @work(thread=True, exclusive=True, group="idle-setting")
    def _reread_idle_lock(self) -> None:
        """The idle lock is the one setting the app holds (the rest are read where used): take a change at once."""
        from officemgr.tui.dbwork import idle_lock_minutes

        minutes = idle_lock_minutes(self.ctx.engine)
        self.call_from_thread(setattr, self, "idle_seconds", minutes * 60)

    def action_drawer(self) -> None:
        from officemgr.tui.views.drawer import DrawerScreen

        if self._desk_money("The drawer"):
            self.push_screen(DrawerScreen(self.ctx))

    def action_statement_run(self) -> None:
        from officemgr.tui.views.statement_run import StatementRunScreen

        if self._desk_money("The statement run"):
            self.push_screen(StatementRunScreen(self.ctx))

    def _desk_money(self, what: str) -> bool:
        """Whether the signed-in person may see patients' money; if not, they are told who may."""
        from officemgr.services.access import Area, may

        if may(self.ctx.actor, Area.desk_money, write=False):
            return True
        self.notify(f"{what} is for the front desk, billing and the manager.", severity="warning", markup=False)
        return False

    def action_concerns(self) -> None:
        from officemgr.services.access import Area, may
        from officemgr.tui.views.concerns import ConcernsScreen

        if not may(self.ctx.actor, Area.concerns, write=False):
            self.emergency(Area.concerns, "concerns and incidents", self.action_concerns)
            return
        self.push_screen(ConcernsScreen(self.ctx))

    def action_audit_log(self) -> None:
        from officemgr.services.access import Area, may
        from officemgr.tui.views.audit_log import AuditLogScreen

        if not may(self.ctx.actor, Area.audit, write=False):
            self.emergency(Area.audit, "the audit log", self.action_audit_log)
            return
        self.push_screen(AuditLogScreen(self.ctx))

    def action_remittances(self) -> None:
        from officemgr.services.access import Area, may
        from officemgr.tui.views.remittances import RemittancesScreen

        if not may(self.ctx.actor, Area.billing, write=False):
            self.emergency(Area.billing, "the remittances", self.action_remittances)
            return
        self.push_screen(RemittancesScreen(self.ctx))

    def action_practice_calendar(self) -> None:
        from officemgr.tui.views.practice_calendar import PracticeCalendarScreen

        self.push_screen(PracticeCalendarScreen(self.ctx))

    def action_keys(self) -> None:
        self.push_screen(KeysScreen([(label, view_class(key)) for key, label, _ in TABS]))


def make_app(engine: Engine | None = None, *, today: date | None = None, clock: Clock | None = None,
             actor: str | None = None, secure: bool = False, open_engine: Callable[[], Engine] | None = None,
             live: bool = False, preload: bool = False, skip_closed_demo_day: bool = False,
             wall: Clock | None = None) -> OfficeApp:
    """The app on an open `engine` (tests, scripts), or on the one `open_engine` returns in a worker after the
    first frame (the CLI: the tabs paint at once; a refusal ends the app with `boot_error` set).

    `actor`: who is signed in. An `Actor` as it is; a plain str (and the default, unless `secure`) is a test and
    script convenience only: that login as a manager, with no account or workstation behind it (the audit log
    names it as given).
    `secure` (the real CLI run, which passes no actor): the open decides who is signed in: a demo database's
    manager; on a practice without users the first-start screen creates the manager's account; otherwise the
    sign-in screen shows before any data.
    `live`: watch for other workstations' changes and refresh (the CLI run; tests of it ask for it).
    `preload`: load the other tabs in the background once the first shows (the CLI run; tests of it ask for it).
    `clock`: what "now" is (default: the wall-clock time on `today`); tests pass a fixed one.
    `wall`: the real time the wait after wrong PINs counts in (default: the system's); tests pass a fixed one.
    `skip_closed_demo_day` (the CLI without --today): a demo practice opened on a day the practice calendar closes
    opens on the next open day instead.
    """
    if (engine is None) == (open_engine is None):
        raise TypeError("make_app needs an engine or open_engine, not both")
    mend_datatable()
    mend_callbacks()
    practice = None
    day = today or date.today()
    signed_in: Actor | None = None
    if actor is not None or not secure:
        from officemgr.models.users import UserRole
        from officemgr.services.access import Actor

        signed_in = actor if isinstance(actor, Actor) else Actor(actor or "manager", {UserRole.manager})
    if engine is not None:
        from officemgr.tui.dbwork import read_practice

        practice = read_practice(engine, day, workstation=socket.gethostname())
    return OfficeApp(practice, today=day, actor=signed_in, clock=clock, open_engine=open_engine,
                     live=live, preload=preload, skip_closed_demo_day=skip_closed_demo_day, wall=wall)
