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
from officemgr.tui.widgets.fast_table import OneLine

STATUS_STYLE = {
    ApptStatus.booked: "",
    ApptStatus.arrived: "bold yellow",
    ApptStatus.in_room: "bold cyan",
    ApptStatus.checked_out: "green",
    ApptStatus.cancelled: "dim strike",
    ApptStatus.no_show: "bold red",
}
FIRST_SLOT, LAST_SLOT = time(8, 0), time(17, 0)


class Cell(OneLine):
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

    def runs(self, console: Console, width: int) -> list[tuple[str, Style]]:
        room = width
        base = console.get_style(self.style) if self.style else Style.null()
        found = []
        for text, style in self.parts:
            if room <= 0:
                break
            if cell_len(text) > room:
                text = set_cell_size(text, room)
            room -= cell_len(text)
            found.append((text, base + console.get_style(style) if style else base))
        return found

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for text, style in self.runs(console, options.max_width):
            yield Segment(text, style)

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
    times: list[time]  # each row's time: a time repeats when two visits in one column start at it
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


def _starting(column: GridColumn) -> dict[time, list[ApptRow]]:
    """The column's visits by start time, the active ones first: each gets a row of its own."""
    found: dict[time, list[ApptRow]] = {}
    for appt in sorted(column.appointments, key=lambda a: (a.status not in ACTIVE, a.start, a.id)):
        found.setdefault(appt.start.time(), []).append(appt)
    return found


def build_grid(columns: list[GridColumn], name: Callable[[ApptRow], str]) -> Grid:
    """The cells, each appointment's patient written as `name` gives it (full name or initials and age).

    Rows are the quarter hours, plus a row at every time a visit starts off the quarter hour, plus a repeated row
    where two visits in one column start together (a cancellation and its rebooking): every visit has a cell."""
    first, last = _span(columns)
    slot = timedelta(minutes=SLOT_MINUTES)
    quarters = set()
    moment = datetime.combine(date.min, first).replace(minute=first.minute - first.minute % SLOT_MINUTES)
    while moment.time() < last and moment.date() == date.min:
        quarters.add(moment.time())
        moment += slot
    starting = [_starting(column) for column in columns]
    moments = sorted(quarters | {t for found in starting for t in found})
    rows = [(t, k) for t in moments for k in range(max([len(found.get(t, [])) for found in starting] + [1]))]
    times = [t for t, _ in rows]
    grid = Grid(times, [[Cell(f"{t:%H:%M}" if k == 0 else "  ″")] for t, k in rows])
    ends = {t: (moments[n + 1] if n + 1 < len(moments) else None) for n, t in enumerate(moments)}
    for c, column in enumerate(columns, start=1):
        for r, (t, k) in enumerate(rows):
            start = datetime.combine(column.day, t)
            following = ends[t]
            end = datetime.combine(column.day, following) if following is not None else start + slot
            here = starting[c - 1].get(t, [])
            grid.cells[r].append(_cell(grid, r, c, column, start, end, here[k] if k < len(here) else None,
                                       k, name))
    return grid


def _blocked(column: GridColumn, appt: ApptRow) -> str:
    """Why the provider cannot see this booked visit (closed, out, off, a block over it), or ""."""
    plan = column.plan
    if plan is None:
        return ""
    block = next((b for b in plan.blocks if b.start < appt.end and b.end > appt.start), None)
    return block.reason if block is not None else ""


def _cell(grid: Grid, r: int, c: int, column: GridColumn, start: datetime, end: datetime, own: ApptRow | None,
          k: int, name: Callable[[ApptRow], str]) -> Cell:
    active = [a for a in column.appointments if a.status in ACTIVE and a.start < end and a.end > start]
    if own is not None and own.status in ACTIVE:
        grid.appointments[(r, c)] = own
        # Only the "2× " of a double-book is red: the visit itself reads in its status's colour.
        doubled = [(f"{len(active)}× ", "bold red")] if any(a.double_booked for a in active) else []
        blocked = _blocked(column, own)
        # A booking the provider cannot keep (closed, out, a block put over it) says so first, in red.
        warning = [(f"✕ {blocked} ", "bold red")] if blocked else []
        return Cell("", "", *warning, *doubled,
                    (f"{own.status.letter} {name(own)} · {own.type_name}", STATUS_STYLE[own.status]))
    if own is not None and (k > 0 or active):
        # A cancelled or no-show visit beside a visit that continues (or starts) here: its own cell to open.
        grid.appointments[(r, c)] = own
        return Cell(f"· {own.status.letter} {name(own)}", STATUS_STYLE[own.status])
    if k > 0:
        return Cell()
    if active:
        # A visit continuing from an earlier row.
        grid.appointments[(r, c)] = active[0]
        return Cell("┆", STATUS_STYLE[active[0].status] or "dim")
    plan = column.plan
    block = next((b for b in plan.blocks if b.start < end and b.end > start), None) if plan else None
    if own is not None and (block is not None or plan is None or plan.hours is None or start < plan.hours[0]
                            or end > plan.hours[1]):
        # A cancelled or no-show visit outside bookable time: still there to open.
        grid.appointments[(r, c)] = own
        return Cell(f"· {own.status.letter} {name(own)}", STATUS_STYLE[own.status])
    if block is not None:
        return Cell(block.reason, "dim italic")
    if plan is None or plan.hours is None or start < plan.hours[0] or end > plan.hours[1]:
        return Cell()
    grid.free[(r, c)] = (column.provider_id, start)
    if own is not None:
        # A cancelled or no-show visit leaves the slot free, but the desk should see what happened.
        grid.appointments[(r, c)] = own
        return Cell(f"· {own.status.letter} {name(own)}", STATUS_STYLE[own.status])
    return Cell("·", "dim green")
