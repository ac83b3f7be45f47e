"""Messages a view posts to ask the app to move elsewhere (the app handles them; views never call the App)."""

from __future__ import annotations

from textual.message import Message


class OpenRecord(Message):
    """Open `tab` with `record_id` selected once the tab's data is there (the Huddle's `enter`)."""

    def __init__(self, tab: str, record_id: int | None) -> None:
        super().__init__()
        self.tab = tab
        self.record_id = record_id


class RunInTab(Message):
    """Open `tab`, then run one of its view's actions on its loaded data (the command palette)."""

    def __init__(self, tab: str, action: str | None) -> None:
        super().__init__()
        self.tab = tab
        self.action = action
