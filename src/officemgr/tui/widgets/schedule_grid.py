"""Time slots down, one column per provider (day view) or per day (week view)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

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
    cells: list[list[Text]]
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
    t = datetime.combine(date.min, first).replace(minute=first.minute - first.minute % SLOT_MINUTES)
    while t.time() < last and t.date() == date.min:
        times.append(t.time())
        t += slot
    grid = Grid(times, [[Text(f"{t:%H:%M}")] for t in times])
    for c, column in enumerate(columns, start=1):
        for r, t in enumerate(times):
            start = datetime.combine(column.day, t)
            grid.cells[r].append(_cell(grid, r, c, column, start, start + slot, name))
    return grid


def _cell(grid: Grid, r: int, c: int, column: GridColumn, start: datetime, end: datetime,
          name: Callable[[ApptRow], str]) -> Text:
    active = [a for a in column.appointments if a.status in ACTIVE and a.start < end and a.end > start]
    if active:
        # A visit starting in this slot is shown over one that continues from an earlier slot.
        starting = [a for a in active if a.start >= start]
        first = starting[0] if starting else active[0]
        grid.appointments[(r, c)] = first
        if first.start < start:
            return Text("┆", style=STATUS_STYLE[first.status] or "dim")
        doubled = any(a.double_booked for a in active)
        label = Text(f"{len(active)}× " if doubled else "", style="bold red")
        if first.start != start:
            label.append(f"{first.start:%H:%M} ")
        label.append(f"{first.status.letter} {name(first)} · {first.type_name}",
                     style=STATUS_STYLE[first.status])
        return label
    plan = column.plan
    block = next((b for b in plan.blocks if b.start < end and b.end > start), None) if plan else None
    if block is not None:
        return Text(block.reason, style="dim italic")
    if plan is None or plan.hours is None or start < plan.hours[0] or end > plan.hours[1]:
        return Text("")
    gone = next((a for a in column.appointments if a.start == start), None)
    grid.free[(r, c)] = (column.provider_id, start)
    if gone is not None:
        # A cancelled or no-show visit leaves the slot free, but the desk should see what happened.
        grid.appointments[(r, c)] = gone
        return Text(f"· {gone.status.letter} {name(gone)}", style=STATUS_STYLE[gone.status])
    return Text("·", style="dim green")
