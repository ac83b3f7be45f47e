"""A mend for Textual's DataTable (textual 8.2.8, pinned).

DataTable caches each rendered row under a counter that adding rows advances and measuring them does not. A
frame drawn between the two (a busy machine, a data load landing just before a refresh) renders the new rows
cut to the old column widths; a table whose height does not follow its rows is never resized afterwards, so
those rows stay cut ("C2026  Herrera" for "C2026-000504  Herrera, Charlotte") until each is drawn again.
Measuring now advances the counter whenever a column's width changed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from textual.widgets import DataTable


def _forgets_old_widths(measure: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(measure)
    def measure_then_forget(table: DataTable[Any], *args: Any) -> None:
        before = [column.content_width for column in table.columns.values()]
        measure(table, *args)
        if [column.content_width for column in table.columns.values()] != before:
            table._update_count += 1
            table.refresh()

    return measure_then_forget


_MENDED: list[bool] = []


def mend_datatable() -> None:
    """Once per process (make_app calls it): every DataTable forgets its renders when its columns widen."""
    if _MENDED:
        return
    for name in ("_update_dimensions", "_update_column_widths"):
        setattr(DataTable, name, _forgets_old_widths(getattr(DataTable, name)))
    _MENDED.append(True)
