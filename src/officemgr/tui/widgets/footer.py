"""Textual's footer, rebuilt only when the keys it shows change, naming who is signed in on its right."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static


class KeysFooter(Footer):
    """The bindings signal fires on every focus move (twice on a tab switch), and each rebuild mounts and
    styles every key again: 10-20 ms on a tab with many keys, for a footer that mostly looks the same."""

    DEFAULT_CSS = """
    KeysFooter .footer-who { dock: right; width: auto; padding: 0 1; text-style: bold; }
    """

    _showing: tuple[Any, ...] | None = None
    _who = ""

    @property
    def who(self) -> str:
        """Who is signed in, as the footer names them: "Ada Lovelace (ada)", "(demo)" after it on a demo."""
        return self._who

    @who.setter
    def who(self, text: str) -> None:
        self._who = text
        for label in self.query(".footer-who").results(Static):
            label.update(Text(text))

    def compose(self) -> ComposeResult:
        yield from super().compose()
        if self._bindings_ready:
            yield Static(Text(self._who), classes="footer-who")

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            # Every binding, shown or not: the palette key on the right is one the footer shows without `show`.
            showing = tuple((binding.key, binding.description, binding.show, enabled, tooltip)
                            for _, binding, enabled, tooltip in screen.active_bindings.values())
            if showing == self._showing:
                return
            self._showing = showing
        super().bindings_changed(screen)
