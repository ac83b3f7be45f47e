"""Mends for Textual's DataTable (textual 8.2.8, pinned).

DataTable caches each rendered row under a counter that adding rows advances and measuring them does not. A
frame drawn between the two (a busy machine, a data load landing just before a refresh) renders the new rows
cut to the old column widths; a table whose height does not follow its rows is never resized afterwards, so
those rows stay cut ("C2026  Herrera" for "C2026-000504  Herrera, Charlotte") until each is drawn again.
Measuring now advances the counter whenever a column's width changed.

DataTable measures every new cell through Rich's general measure (console options built, words split): most of
what a page of new rows costs before it is drawn. A Text cell's width is now read from its lines directly, the
width Text.__rich_measure__ gives.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.text import Text
from textual.widgets import DataTable, _data_table


def _forgets_old_widths(measure: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(measure)
    def measure_then_forget(table: DataTable[Any], *args: Any) -> None:
        before = [column.content_width for column in table.columns.values()]
        measure(table, *args)
        if [column.content_width for column in table.columns.values()] != before:
            table._update_count += 1
            table.refresh()

    return measure_then_forget


def _measures_text_directly(measure: Callable[..., int]) -> Callable[..., int]:
    @functools.wraps(measure)
    def measure_text(console: Console, renderable: RenderableType, default: int, **kwargs: Any) -> int:
        if type(renderable) is Text:
            lines = renderable.plain.splitlines()
            return max(map(cell_len, lines)) if lines else 0
        return measure(console, renderable, default, **kwargs)

    return measure_text


_MENDED: list[bool] = []


def mend_datatable() -> None:
    """Once per process (make_app calls it): every DataTable forgets its renders when its columns widen, and
    measures its Text cells directly."""
    if _MENDED:
        return
    for name in ("_update_dimensions", "_update_column_widths"):
        setattr(DataTable, name, _forgets_old_widths(getattr(DataTable, name)))
    _data_table.measure = _measures_text_directly(_data_table.measure)
    _MENDED.append(True)
