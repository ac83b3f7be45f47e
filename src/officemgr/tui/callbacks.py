"""A mend for Textual's callbacks (textual 8.2.8, pinned).

Every call_later, call_after_refresh and set_timer wraps its callback in a new functools.partial, and Textual counts
a callback's parameters with inspect.signature, keeping the count on the object it was handed: a partial that is
never seen again. So each of those calls paid for a signature (about 0.07 ms here). Pilot's waits post one to every
widget on the screen, about 80 in this app, at each key and pause: 5-10 ms of the 40-50 ms of CPU that a key doing
nothing cost in the bench. A partial's count is now its function's count, which Textual keeps on the function.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual import _callback

_textual_count = _callback.count_parameters


def count_parameters(func: Callable[..., Any]) -> int:
    """What textual._callback.count_parameters returns, without a signature for each new partial."""
    if isinstance(func, partial):
        inner = func.func
        # A builtin's bound method has no __func__ for Textual's count to keep it on: counted as before.
        if not hasattr(inner, "__self__") or hasattr(inner, "__func__"):
            return count_parameters(inner) - (len(func.args) + len(func.keywords))
    return _textual_count(func)


def mend_callbacks() -> None:
    """Once per process (make_app calls it; calling it again changes nothing)."""
    _callback.count_parameters = count_parameters
