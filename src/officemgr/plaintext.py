"""Text that may reach a terminal or a printed page: control and bidirectional-override characters.

An ESC in a name can retitle the terminal or repaint the screen; a right-to-left override makes "gpj.exe" read as
"exe.jpg". Input refuses them (`unsafe_character`); whatever is already stored is shown with them spelled out
(`visible`), so it can be seen and corrected instead of acting on the terminal.
"""

from __future__ import annotations

import html
import re
from typing import Any

# C0 controls, DEL, C1 controls, and the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Free text (a note) may hold line breaks and tabs; a name or a code may not.
_UNSAFE_IN_FREE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_NAMES = {
    "\x00": "a NUL character",
    "\x07": "a bell character",
    "\x08": "a backspace",
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a carriage return",
    "\x1b": "an escape character",
    "\x7f": "a delete character",
}


def _spelled(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def describe(char: str) -> str:
    """The character in words, with its code: 'an escape character (\\x1b)'."""
    if char in _NAMES:
        return f"{_NAMES[char]} ({_spelled(char)})"
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return f"a text-direction override ({_spelled(char)})"
    return f"a control character ({_spelled(char)})"


def unsafe_character(text: str, *, free_text: bool = False) -> str | None:
    """The first character of `text` that must not be stored, in words (see `describe`), or None if there is none.

    `free_text` allows line breaks and tabs (notes, descriptions typed in a text area)."""
    found = (_UNSAFE_IN_FREE_TEXT if free_text else _UNSAFE).search(text)
    return describe(found.group()) if found else None


def visible(text: str, *, free_text: bool = False) -> str:
    """`text` with every control and bidi character written out (ESC becomes the four characters \\x1b).

    Cheap when there is nothing to change, which is nearly always."""
    pattern = _UNSAFE_IN_FREE_TEXT if free_text else _UNSAFE
    if pattern.search(text) is None:
        return text
    return pattern.sub(lambda found: _spelled(found.group()), text)


def html_text(value: object) -> str:
    """User text made literal in an HTML page, control characters spelled out (a line break is only a space there)."""
    return html.escape(visible(str(value), free_text=True), quote=True)


def clipped(text: str, limit: int) -> str:
    """`visible` text cut to `limit` characters with "…": what a message may repeat of a file or a name."""
    shown = visible(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def visible_values(value: Any) -> Any:
    """`visible` through decoded JSON (strings, and the strings in lists and dicts): json.dumps stores ESC as \\u001b,
    so decoding gives the raw character back."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, list):
        return [visible_values(item) for item in value]
    if isinstance(value, dict):
        return {visible(str(name)): visible_values(item) for name, item in value.items()}
    return value
