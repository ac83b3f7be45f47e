"""The day grid's cells: what each slot says and in which colour."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from rich.console import Console
from rich.style import Style

from officemgr.models import ApptStatus
from officemgr.services.schedule import ApptRow
from officemgr.tui.widgets.schedule_grid import GridColumn, build_grid

DAY = date(2026, 11, 23)
VISIT = ApptRow(id=1, version=1, provider_id=7, start=datetime(2026, 11, 23, 9, 0), end=datetime(2026, 11, 23, 9, 15),
                patient_id=3, patient_name="Ng, Ann", patient_initials="A.N.", patient_age=40, type_name="Follow-up",
                status=ApptStatus.booked, reason="", double_booked=False)


def styled(cell) -> list[tuple[str, Style | None]]:  # type: ignore[no-untyped-def]
    console = Console(width=60)
    return [(s.text, s.style) for s in console.render(cell, console.options.update(width=40))]


def nine_o_clock(appointments: list[ApptRow]):  # type: ignore[no-untyped-def]
    grid = build_grid([GridColumn("Dr Ng", DAY, 7, None, appointments)], lambda row: row.patient_name)
    return grid.cells[grid.times.index(VISIT.start.time())][1]


def test_a_booked_visit_reads_plainly_and_only_a_double_books_count_is_red() -> None:
    plain = styled(nine_o_clock([VISIT]))
    assert "".join(text for text, _ in plain) == "B Ng, Ann · Follow-up"
    assert all(style is None or style.color is None for _, style in plain)

    second = replace(VISIT, id=2, patient_name="Li, Bo", double_booked=True)
    doubled = styled(nine_o_clock([replace(VISIT, double_booked=True), second]))
    assert "".join(text for text, _ in doubled) == "2× B Ng, Ann · Follow-up"
    red = [text for text, style in doubled if style is not None and style.color is not None
           and style.color.name == "red"]
    assert red == ["2× "]
