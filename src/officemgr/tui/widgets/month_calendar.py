"""A month as a grid of weeks: each day lists what falls due, done ✓ or missed ✗."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from officemgr.services.compliance import DueOn

SHOWN_PER_DAY = 4
CELL_WIDTH = 20


def month_span(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def fill_month(table: DataTable[Any], month: date, due: dict[date, list[DueOn]], today: date) -> None:
    table.cursor_type = "cell"
    for name in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
        table.add_column(name, width=CELL_WIDTH)
    for week in calendar.Calendar().monthdatescalendar(month.year, month.month):
        table.add_row(*(_day_cell(day, month, due.get(day, []), today) for day in week),
                      height=SHOWN_PER_DAY + 1, key=f"week-{week[0]}")


def _day_cell(day: date, month: date, items: list[DueOn], today: date) -> Text:
    style = "bold reverse" if day == today else ("dim" if day.month != month.month else "bold")
    cell = Text(f"{day.day}\n", style=style)
    if day.month != month.month:
        return cell
    for item in items[:SHOWN_PER_DAY]:
        if item.done:
            mark, colour = ("✓ late " if item.late else "✓ "), ("yellow" if item.late else "green")
        elif item.due < today:
            mark, colour = "✗ ", "bold red"
        else:
            mark, colour = "· ", ""
        cell.append(f"{mark}{item.title}"[:CELL_WIDTH - 1] + "\n", style=colour)
    if len(items) > SHOWN_PER_DAY:
        cell.append(f"+{len(items) - SHOWN_PER_DAY} more", style="italic")
    return cell
