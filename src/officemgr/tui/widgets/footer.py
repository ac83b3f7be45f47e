"""Textual's footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """The bindings signal fires on every focus move (twice on a tab switch), and each rebuild mounts and
    styles every key again: 10-20 ms on a tab with many keys, for a footer that mostly looks the same."""

    _showing: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            # Every binding, shown or not: the palette key on the right is one the footer shows without `show`.
            showing = tuple((binding.key, binding.description, binding.show, enabled, tooltip)
                            for _, binding, enabled, tooltip in screen.active_bindings.values())
            if showing == self._showing:
                return
            self._showing = showing
        super().bindings_changed(screen)
