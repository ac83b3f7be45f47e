"""`?`: every key of every tab in one list."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Label

GLOBAL_KEYS = [
    ("1 … 6", "switch tab: Huddle, Schedule, Staff, Inventory, Billing, Compliance"),
    ("ctrl+p", "command palette"),
    ("ctrl+l", "lock: the sign-in screen (your PIN brings you back; another name switches user)"),
    ("?", "this list"),
    ("q", "quit"),
    ("/", "filter the current table; escape clears"),
    ("↑ ↓ j k", "move in a table"),
    ("enter", "open the selected record"),
    ("tab / shift+tab", "next / previous field in a form"),
    ("ctrl+s", "save a form"),
    ("escape", "cancel a form, close a window"),
]


def _key_label(key: str) -> str:
    return {"left_square_bracket": "[", "right_square_bracket": "]", "slash": "/", "question_mark": "?",
            "pagedown": "PgDn", "pageup": "PgUp"}.get(key, key)


class KeysScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="keys_close")]

    def __init__(self, tabs: list[tuple[str, type[Widget]]]) -> None:
        super().__init__()
        self.tabs = tabs

    def compose(self) -> ComposeResult:
        with Vertical(classes="form keys"):
            yield Label("Keys", classes="form-title")
            yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Where", "Key", "What it does")
        for key, what in GLOBAL_KEYS:
            table.add_row("Everywhere", Text(key), Text(what))
        for label, view in self.tabs:
            for binding in view.BINDINGS:
                if isinstance(binding, Binding) and binding.description and binding.show:
                    keys = " ".join(_key_label(k) for k in binding.key.split(","))
                    table.add_row(label, Text(keys), Text(binding.description))
        table.focus()
