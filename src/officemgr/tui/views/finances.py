"""The practice's own money in one place (key $): each line opens its screen; its letter opens it directly.

Every screen listed takes the app's context and nothing else; the services check who may see and change what.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from officemgr.tui.context import AppContext

# (letter, what the manager reads, "module:ScreenClass" under officemgr.tui.views)
ENTRIES: tuple[tuple[str, str, str], ...] = (
    ("b", "Bills to pay: enter, approve, pay", "bills:BillsScreen"),
    ("r", "Recurring bills: rent, contracts, software", "recurring_bills:RecurringBillsScreen"),
    ("p", "A/P aging and paid bills for the accountant", "ap_aging:ApAgingScreen"),
    ("m", "Month-end close: checklist and the month report", "month_close:MonthCloseScreen"),
    ("g", "Budget: plan by category and month", "budget:BudgetScreen"),
    ("v", "Budget vs actual: this month and year to date", "budget_actual:BudgetActualScreen"),
    ("q", "Provider productivity: visits, slot use, RVUs", "productivity:ProductivityScreen"),
    ("s", "Settings: every practice setting, its value and meaning (also ,)", "settings:SettingsScreen"),
)


class FinancesScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    FinancesScreen { align: center middle; }
    FinancesScreen > .finances {
        width: 70;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    FinancesScreen OptionList { height: auto; max-height: 20; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="finances_close")]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="finances"):
            yield Label(Text("The practice's money — press a letter, or choose and press enter"),
                        classes="form-title")
            yield OptionList(*(Option(Text(f"{letter}  {label}"), id=letter) for letter, label, _ in ENTRIES),
                             id="finances-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        if event.character and any(event.character == letter for letter, _, _ in ENTRIES):
            event.stop()
            self.open(event.character)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.open(event.option.id)

    def open(self, letter: str) -> None:
        where = next(path for key, _, path in ENTRIES if key == letter)
        module, name = where.split(":")
        make: Callable[[AppContext], Screen[bool]] = getattr(
            importlib.import_module(f"officemgr.tui.views.{module}"), name)
        self.app.push_screen(make(self.ctx), self._after)

    def _after(self, changed: bool | None) -> None:
        self.changed = self.changed or bool(changed)

    def action_close(self) -> None:
        self.dismiss(self.changed)
