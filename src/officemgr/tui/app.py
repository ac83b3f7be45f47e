"""The officemgr Textual app. `make_app` is the one factory: the CLI, the tests and the snapshots use it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.engine import Engine
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, TabbedContent, TabPane

from officemgr.tui.commands import OfficeCommands
from officemgr.tui.keys import KeysScreen
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
    ]

    def __init__(self, engine: Engine, *, today: date, actor: str) -> None:
        super().__init__()
        self.engine = engine
        self.today = today
        self.actor = actor
        self.sub_title = f"{today:%A %B %-d, %Y}"

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="huddle"):
            for n, (key, label, view) in enumerate(TABS, start=1):
                with TabPane(f"{n} {label}", id=key):
                    yield view(id=f"view-{key}")
        yield Footer()

    def on_mount(self) -> None:
        self.view("huddle").focus_table()

    def now(self) -> datetime:
        """The wall-clock time on the app's `today` (so a demo dated --today stays consistent)."""
        return datetime.combine(self.today, datetime.now().time().replace(microsecond=0))

    def view(self, key: str):  # type: ignore[no-untyped-def]
        return self.query_one(f"#view-{key}")

    def action_show_tab(self, key: str) -> None:
        self.query_one(TabbedContent).active = key
        self.view(key).focus_table()

    def jump_to(self, tab: str, record_id: int | None) -> None:
        """From the huddle: open `tab` with its record selected."""
        self.action_show_tab(tab)
        self.view(tab).focus_record(record_id)

    def run_in_tab(self, tab: str, action: str | None) -> None:
        """From the command palette: open `tab`, then run one of its view's actions."""
        self.action_show_tab(tab)
        if action is not None:
            self.call_later(self.run_action, action, self.view(tab))

    def action_keys(self) -> None:
        self.push_screen(KeysScreen([(label, view) for _, label, view in TABS]))


def make_app(engine: Engine, *, today: date | None = None, actor: str = "manager") -> OfficeApp:
    return OfficeApp(engine, today=today or date.today(), actor=actor)
