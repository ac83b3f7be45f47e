"""The day grid's cells: what each slot says and in which colour."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

from rich.console import Console
from rich.style import Style

from officemgr.models import ApptStatus
from officemgr.services.availability import Block, ProviderDayPlan
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


def _at(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 23, hour, minute)


def test_every_visit_has_a_cell_even_off_the_quarter_hour_beside_another() -> None:
    # Fri 11/20 in the demo: a 13:40 no-show and a 13:35 cancellation while a 13:30 visit runs.
    running = replace(VISIT, id=1, start=_at(13, 30), end=_at(14, 0))
    cancelled = replace(VISIT, id=2, start=_at(13, 35), end=_at(13, 50), status=ApptStatus.cancelled)
    no_show = replace(VISIT, id=3, start=_at(13, 40), end=_at(13, 55), status=ApptStatus.no_show)
    rebooked = replace(VISIT, id=4, start=_at(14, 0), end=_at(14, 15))
    gone = replace(VISIT, id=5, start=_at(14, 0), end=_at(14, 15), status=ApptStatus.cancelled)
    visits = [running, cancelled, no_show, rebooked, gone]
    grid = build_grid([GridColumn("Dr Ng", DAY, 7, None, visits)], lambda row: row.patient_name)
    reachable = {appt.id for appt in grid.appointments.values()}
    assert reachable == {1, 2, 3, 4, 5}
    rows = {str(cells[0]): [str(cell) for cell in cells[1:]] for cells in grid.cells}
    assert rows["13:35"] == ["· C Ng, Ann"] and rows["13:40"] == ["· N Ng, Ann"]
    # Two visits starting together: a second 14:00 row holds the cancelled one.
    assert [str(cells[0]) for cells in grid.cells].count("  ″") == 1


def test_a_booking_under_a_closure_or_block_says_so_in_red() -> None:
    plan = ProviderDayPlan(7, DAY, (_at(8, 0), _at(17, 0)),
                           [Block(_at(0, 0), datetime.combine(DAY, time.max), "out: Conference", closed=True)])
    cell = build_grid([GridColumn("Dr Ng", DAY, 7, plan, [VISIT])], lambda row: row.patient_name).cells
    shown = next(cells[1] for cells in cell if str(cells[0]) == "09:00")
    parts = styled(shown)
    assert "".join(text for text, _ in parts) == "✕ out: Conference B Ng, Ann · Follow-up"
    assert parts[0][1] is not None and parts[0][1].color is not None and parts[0][1].color.name == "red"
