"""A DataTable that draws a page of one-line cells quickly: a new page, a page key or a refill repaints every cell
at once, and DataTable renders each one through Rich's general layout (Styled, Padding, wrapping, two line splits):
~0.1 ms a cell, most of such a key's cost. FastTable builds the segments of a one-line Text cell that fits its
column (or of a OneLine cell) directly, the same segments that path gives (tests/test_paging.py compares the two);
anything else still goes through DataTable. It also keeps what DataTable looks up again for every line (the header's
styles, the column order) for one drawing, and draws again only the lines a cursor move changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._types import SegmentLines
from textual.color import Color
from textual.coordinate import Coordinate
from textual.css.styles import RenderStyles
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import Column, RowKey

ELSEWHERE = Coordinate(-2, -2)  # a cursor on no row of the table, the header (-1) included


class OneLine:
    """A cell that draws itself as one line of styled runs, which FastTable lays out without Rich."""

    __slots__ = ()

    def runs(self, console: Console, width: int) -> list[tuple[str, Style]]:
        """The line's (text, style) runs, cut to `width` cells."""
        raise NotImplementedError


class FastTable(DataTable[Any]):
    # While render_lines() runs, the styles DataTable looks up afresh for every line (each walks the DOM); set on the
    # class since DataTable's __init__ already asks for some of them.
    _pass: dict[object, Any] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A cell's style before its own (row, column meta, zebra stripe, cursor) is the same on every page.
        self._cell_styles: dict[tuple[object, ...], tuple[Style, Style, Style]] = {}

    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style: Style, cursor_location: Coordinate,
                            hover_location: Coordinate) -> tuple[SegmentLines, SegmentLines]:
        # DataTable keeps each drawn line under the cursor's place, so a cursor or page key draws every line on show
        # again. A row or cell cursor elsewhere than this row draws nothing here: such lines share one place.
        if self.cursor_type in ("row", "cell"):
            found = self._row_locations.get(row_key)
            row_index = -1 if found is None else found  # the header is no row of the table's
            if cursor_location.row != row_index:
                cursor_location = ELSEWHERE
            if hover_location.row != row_index:
                hover_location = ELSEWHERE
        return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._pass = {}
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    def _in_pass(self, key: object, compute: Callable[[], Any]) -> Any:
        if self._pass is None:
            return compute()
        if key not in self._pass:
            self._pass[key] = compute()
        return self._pass[key]

    @property
    def rich_style(self) -> Style:
        style: Style = self._in_pass("rich_style", lambda: super(FastTable, self).rich_style)
        return style

    @property
    def background_colors(self) -> tuple[Color, Color]:
        colors: tuple[Color, Color] = self._in_pass("background_colors",
                                                    lambda: super(FastTable, self).background_colors)
        return colors

    @property
    def ordered_columns(self) -> list[Column]:
        # Looked up again for every line and every cell drawn, each time key by key.
        columns: list[Column] = self._in_pass("ordered_columns", lambda: super(FastTable, self).ordered_columns)
        return columns

    def get_component_styles(self, *names: str) -> RenderStyles:
        # DataTable asks for the header's styles on every line it draws, and each ask merges the CSS afresh.
        styles: RenderStyles = self._in_pass(("component", names),
                                             lambda: super(FastTable, self).get_component_styles(*names))
        return styles

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        kind = -1 if row_index == -1 else (0 if row_index < self.fixed_rows else 1 + row_index % 2)
        style: Style = self._in_pass(("row_style", kind, base_style),
                                     lambda: super(FastTable, self)._get_row_style(row_index, base_style))
        return style

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> SegmentLines:
        if row_index < 0 or column_index < 0:  # the header and row labels: few, and styled their own way
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        assert row_key is not None and column_key is not None, "a cell drawn is a cell the table holds"
        key = (row_key, column_key, base_style, cursor, hover,
               self._show_hover_cursor, self._update_count, self._pseudo_class_state)
        cached = self._cell_render_cache.get(key)
        if cached is not None:
            return cached
        cell = self._get_row_renderables(row_index).cells[column_index]
        padding = self.cell_padding
        inner = width - 2 * padding
        one_line = self.rows[row_key].height == 1
        if one_line and isinstance(cell, OneLine) and inner > 0:
            runs = cell.runs(self.app.console, inner)
            if not any("\n" in text for text, _ in runs):
                lines = [self._runs_line(runs, inner, row_index, column_index, base_style, cursor, hover)]
                self._cell_render_cache[key] = lines
                return lines
        text = self._one_line(cell, inner) if one_line else None
        if text is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        pre, post, blank = self._cell_style(row_index, column_index, base_style, cursor, hover)
        plain, style, room = text
        pad = " " * padding
        # What Styled(Padding(cell)) gives once Strip.simplify() has joined the runs that share a style.
        if style is None:
            line = [Segment(f"{pad}{plain}{' ' * room}{pad}", blank)]
        else:
            line = [Segment(pad, blank), Segment(plain, (pre + style) + post if post else pre + style),
                    Segment(" " * room + pad, blank)]
            line = [segment for segment in line if segment.text]
        lines = [line]
        self._cell_render_cache[key] = lines
        return lines

    def _runs_line(self, runs: list[tuple[str, Style]], inner: int, row_index: int, column_index: int,
                   base_style: Style, cursor: bool, hover: bool) -> list[Segment]:
        """A OneLine cell's runs as Styled(Padding(cell)) lays them out: each over the cell's styles, then
        blanks to the column's width."""
        pre, post, blank = self._cell_style(row_index, column_index, base_style, cursor, hover)
        pad = " " * self.cell_padding
        used = sum(cell_len(text) for text, _ in runs)
        line = [Segment(pad, blank),
                *(Segment(text, pre + style + post if post else pre + style) for text, style in runs),
                Segment(" " * (inner - used) + pad, blank)]
        return [segment for segment in line if segment.text]

    def _cell_style(self, row_index: int, column_index: int, base_style: Style, cursor: bool,
                    hover: bool) -> tuple[Style, Style, Style]:
        """The styles DataTable puts before a cell's own (with its row and column as meta) and after it, and
        the two together (what a space in the cell gets)."""
        fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
        component, post = self._get_styles_to_render_cell(
            False, False, fixed, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
        key = (row_index, column_index, base_style, component, post)
        found = self._cell_styles.get(key)
        if found is None:
            if len(self._cell_styles) > 4096:
                self._cell_styles.clear()
            pre = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component
            found = self._cell_styles[key] = (pre, post, pre + post if post else pre)
        return found

    def _one_line(self, cell: object, width: int) -> tuple[str, Style | None, int] | None:
        """(text, its style, spaces after it) for a Text cell that Rich lays out as one line within `width`;
        None for anything else."""
        if type(cell) is not Text or cell.spans or cell.no_wrap is False or width <= 0:
            return None
        plain = cell.plain
        length = cell_len(plain)
        justify = cell.justify or "default"  # DataTable's console options never set one
        if length > width or "\n" in plain or "\t" in plain or justify not in ("default", "left", "right"):
            return None
        if justify == "right" and plain != plain.rstrip():
            return None  # Rich strips trailing space before it right-justifies
        style = self.app.console.get_style(cell.style) if cell.style else None
        room = width - length
        if justify == "left" and style is not None:  # the spaces take the text's style
            plain, room = plain + " " * room, 0
        elif justify == "right":
            plain, room = " " * room + plain, 0
        return plain, style, room
