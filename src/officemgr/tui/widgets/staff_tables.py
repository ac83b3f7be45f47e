"""Filling the Staff tab's tables: roster, week grid of shifts, time off, credentials."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from officemgr.models import TimeOffStatus
from officemgr.services.roster import StaffWeek, TimeOffRow
from officemgr.services.staff import CredentialRow, RosterRow
from officemgr.tui.widgets.base import plain

TIME_OFF_STYLE = {TimeOffStatus.requested: "bold yellow", TimeOffStatus.approved: "green",
                  TimeOffStatus.denied: "dim"}


def fill_roster(table: DataTable[Any], rows: list[RosterRow]) -> None:
    table.cursor_type = "row"
    table.add_columns("Name", "Role", "Shift", "Out", "Alert")
    for row in rows:
        table.add_row(
            plain(row.name, "bold red" if row.alert else ""),
            plain(row.role.label + (" (provider)" if row.is_provider else "")),
            plain(row.shift or "—"),
            plain(row.off, "yellow"),
            plain(row.alert, "bold red"),
            key=str(row.staff_id),
        )


def fill_week(table: DataTable[Any], rows: list[StaffWeek], today: date) -> None:
    table.cursor_type = "cell"
    table.add_column("Who", width=24)
    for cell in rows[0].days if rows else []:
        table.add_column(Text(f"{cell.day:%a %m/%d}", style="bold" if cell.day == today else ""), width=13)
    table.add_column("Hours", width=6)
    for row in rows:
        cells = [plain(f"! {row.name}" if row.lapsed else row.name, "bold red" if row.lapsed else "")]
        for day in row.days:
            if day.off is not None:
                cells.append(plain(f"OFF {day.off.kind}", "yellow"))
            else:
                cells.append(Text(", ".join(f"{s.start:%H:%M}–{s.end:%H:%M}" for s in day.shifts) or "·",
                                  style="" if day.shifts else "dim"))
        cells.append(Text(f"{row.hours:.1f}", style="bold red" if row.hours > 40 else ""))
        table.add_row(*cells, key=str(row.staff_id))


def fill_time_off(table: DataTable[Any], rows: list[TimeOffRow]) -> None:
    table.cursor_type = "row"
    table.add_columns("Who", "Kind", "From", "To", "Hours", "Status", "Decided by", "Note")
    for row in rows:
        table.add_row(plain(row.name), plain(row.kind), Text(f"{row.start_date:%a %m/%d/%Y}"),
                      Text(f"{row.end_date:%a %m/%d/%Y}"), Text(f"{row.hours:g}"),
                      Text(row.status.value, style=TIME_OFF_STYLE[row.status]), plain(row.decided_by),
                      plain(row.note), key=str(row.id))


def fill_credentials(table: DataTable[Any], rows: list[CredentialRow]) -> None:
    for c in rows:
        style = "bold red" if c.expired else ("yellow" if c.days_left <= 30 else "")
        table.add_row(Text(f"{c.expires:%m/%d/%Y}"), plain(f"{c.staff_name}: {c.kind.label} {c.number}"),
                      Text(c.warning, style=style))
