"""Time slots down, one column per provider (day view) or per day (week view)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from officemgr.models import ApptStatus
from officemgr.services.availability import ACTIVE, ProviderDayPlan
from officemgr.services.schedule import SLOT_MINUTES, ApptRow

STATUS_STYLE = {
    ApptStatus.booked: "",
    ApptStatus.arrived: "bold yellow",
    ApptStatus.in_room: "bold cyan",
    ApptStatus.checked_out: "green",
    ApptStatus.cancelled: "dim strike",
    ApptStatus.no_show: "bold red",
}
FIRST_SLOT, LAST_SLOT = time(8, 0), time(17, 0)


class Cell:
    """One line of styled text for a grid cell, rendered straight to segments.

    A rich Text is wrapped, divided and joined on every paint; the day grid paints hundreds of cells at once.
    `parts` are (text, style) drawn over `style`, as Text(…, style=style) with append(text, style) would be.
    """

    __slots__ = ("parts", "style")

    def __init__(self, text: str = "", style: str = "", *more: tuple[str, str]) -> None:
        self.style = style
        self.parts = ((text, ""), *more) if text else more

    def __str__(self) -> str:
        return "".join(text for text, _ in self.parts)

    def __repr__(self) -> str:
        return f"Cell({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and (self.parts, self.style) == (other.parts, other.style)

    def __hash__(self) -> int:
        return hash((self.parts, self.style))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        room = options.max_width
        base = console.get_style(self.style) if self.style else Style.null()
        for text, style in self.parts:
            if room <= 0:
                break
            if cell_len(text) > room:
                text = set_cell_size(text, room)
            room -= cell_len(text)
            yield Segment(text, base + console.get_style(style) if style else base)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = cell_len(str(self))
        return Measurement(width, width)


def status_cell(status: ApptStatus) -> Text:
    """Status with a letter as well as a colour, so it reads on a monochrome terminal."""
    return Text(f"{status.letter} {status.label}", style=STATUS_STYLE[status])


@dataclass
class GridColumn:
    label: str | Text
    day: date
    provider_id: int
    plan: ProviderDayPlan | None
    appointments: list[ApptRow]


@dataclass
class Grid:
    times: list[time]
    cells: list[list[Cell]]
    # What sits under each (row, column): the appointment shown there, or the free slot's start.
    appointments: dict[tuple[int, int], ApptRow] = field(default_factory=dict)
    free: dict[tuple[int, int], tuple[int, datetime]] = field(default_factory=dict)


def _span(columns: list[GridColumn]) -> tuple[time, time]:
    starts = [c.plan.hours[0].time() for c in columns if c.plan and c.plan.hours]
    ends = [c.plan.hours[1].time() for c in columns if c.plan and c.plan.hours]
    booked = [a for c in columns for a in c.appointments]
    starts += [a.start.time() for a in booked]
    ends += [a.end.time() for a in booked if a.end.date() == a.start.date()]
    return min(starts, default=FIRST_SLOT), max(ends, default=LAST_SLOT)


def build_grid(columns: list[GridColumn], name: Callable[[ApptRow], str]) -> Grid:
    """The cells, each appointment's patient written as `name` gives it (full name or initials and age)."""
    first, last = _span(columns)
    slot = timedelta(minutes=SLOT_MINUTES)
    times = []
    moment = datetime.combine(date.min, first).replace(minute=first.minute - first.minute % SLOT_MINUTES)
    while moment.time() < last and moment.date() == date.min:
        times.append(moment.time())
        moment += slot
    grid = Grid(times, [[Cell(f"{t:%H:%M}")] for t in times])
    for c, column in enumerate(columns, start=1):
        for r, t in enumerate(times):
            start = datetime.combine(column.day, t)
            grid.cells[r].append(_cell(grid, r, c, column, start, start + slot, name))
    return grid


def _cell(grid: Grid, r: int, c: int, column: GridColumn, start: datetime, end: datetime,
          name: Callable[[ApptRow], str]) -> Cell:
    active = [a for a in column.appointments if a.status in ACTIVE and a.start < end and a.end > start]
    if active:
        # A visit starting in this slot is shown over one that continues from an earlier slot.
        starting = [a for a in active if a.start >= start]
        first = starting[0] if starting else active[0]
        grid.appointments[(r, c)] = first
        if first.start < start:
            return Cell("┆", STATUS_STYLE[first.status] or "dim")
        # Only the "2× " of a double-book is red: the visit itself reads in its status's colour.
        doubled = [(f"{len(active)}× ", "bold red")] if any(a.double_booked for a in active) else []
        late = [(f"{first.start:%H:%M} ", "")] if first.start != start else []
        return Cell("", "", *doubled, *late,
                    (f"{first.status.letter} {name(first)} · {first.type_name}", STATUS_STYLE[first.status]))
    plan = column.plan
    block = next((b for b in plan.blocks if b.start < end and b.end > start), None) if plan else None
    if block is not None:
        return Cell(block.reason, "dim italic")
    if plan is None or plan.hours is None or start < plan.hours[0] or end > plan.hours[1]:
        return Cell()
    gone = next((a for a in column.appointments if a.start == start), None)
    grid.free[(r, c)] = (column.provider_id, start)
    if gone is not None:
        # A cancelled or no-show visit leaves the slot free, but the desk should see what happened.
        grid.appointments[(r, c)] = gone
        return Cell(f"· {gone.status.letter} {name(gone)}", STATUS_STYLE[gone.status])
    return Cell("·", "dim green")
