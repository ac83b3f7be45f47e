"""Paged tables show the right rows: the billing queue at the start, the middle, the end and back, and after a text
filter; the audit log across events that share a time. Each page is checked row by row against the service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from unittest.mock import patch

import pytest
from rich.console import Console
from rich.text import Text
from sqlalchemy import event
from sqlalchemy.engine import Engine
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.render import measure
from textual.strip import Strip
from textual.widgets import DataTable, Static, _data_table

from factories import make_claim, make_patient, make_payer
from officemgr import store
from officemgr.services import audit, billing
from officemgr.services.common import record
from officemgr.tui.app import make_app
from officemgr.tui.widgets.base import plain
from officemgr.tui.widgets.fast_table import FastTable
from officemgr.tui.widgets.paged_table import PagedTable
from officemgr.tui.widgets.schedule_grid import Cell
from officemgr.tui.widgets.tables import mend_datatable
from ui_support import SIZE, TODAY, settle

PAGE = billing.PAGE


async def press(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*keys)
    await settle(pilot)


def keys(table: DataTable) -> list[str]:  # type: ignore[type-arg]
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)]


def status(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector, Static).render())


def queue_ids(engine: Engine, text: str = "") -> list[str]:
    """Every claim id in the queue, in the service's own order."""
    with store.read_session(engine) as session:
        flt = billing.QueueFilter(text=text)
        total = billing.work_queue(session, TODAY, filters=flt, actor="tests").total
        return [str(row.claim_id) for row in billing.work_queue(session, TODAY, limit=total, filters=flt,
                                                                actor="tests").rows]


async def test_the_queue_pages_to_the_end_and_back_in_the_services_order(demo_engine) -> None:  # type: ignore[no-untyped-def]
    expected = queue_ids(demo_engine)
    total = len(expected)
    last = (total - 1) // PAGE * PAGE  # the offset of the last page
    assert last >= 2 * PAGE  # a first, a middle and a last page
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        queue = app.query_one("#queue", DataTable)

        def shows(offset: int) -> bool:
            end = min(offset + PAGE, total)
            return (keys(queue) == expected[offset:end]
                    and status(app, "#view-billing #status").startswith(f"rows {offset + 1:,}–{end:,} of {total:,}"))

        assert shows(0)
        await press(pilot, "pagedown")
        assert shows(PAGE)
        await press(pilot, *["pagedown"] * (last // PAGE - 1))
        assert shows(last)
        await press(pilot, "pagedown")  # nothing after the last page
        assert shows(last)
        await press(pilot, "pageup")
        assert shows(last - PAGE)
        await press(pilot, *["pageup"] * (last // PAGE))  # back past the first page stays on it
        assert shows(0)


async def test_pgdn_on_a_full_last_page_stays_there(practice_engine) -> None:  # type: ignore[no-untyped-def]
    engine = practice_engine
    with store.write_session(engine) as session:
        patient, payer = make_patient(session), make_payer(session)
        for _ in range(2 * PAGE):
            make_claim(session, patient=patient, payer=payer)
        session.commit()
    app = make_app(engine, today=TODAY)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "5", "pagedown", "pagedown")
            assert app.query_one("#queue", DataTable).row_count == PAGE
            assert status(app, "#view-billing #status").startswith(f"rows {PAGE + 1}–{2 * PAGE} of {2 * PAGE}")
    finally:
        engine.dispose()


async def test_another_page_is_not_counted_again_until_something_is_saved(practice_engine) -> None:  # type: ignore[no-untyped-def]
    engine = practice_engine
    with store.write_session(engine) as session:
        patient, payer = make_patient(session), make_payer(session)
        for _ in range(2 * PAGE + 5):
            make_claim(session, patient=patient, payer=payer)
        session.commit()
    counts: list[str] = []

    def counted(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT COUNT(CLAIM.ID)"):
            counts.append(statement)

    event.listen(engine, "before_cursor_execute", counted)
    app = make_app(engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        assert len(counts) == 1
        await press(pilot, "pagedown", "pagedown", "pageup")
        assert len(counts) == 1
        assert status(app, "#view-billing #status").startswith(f"rows {PAGE + 1}–{2 * PAGE} of {2 * PAGE + 5}")
        with store.write_session(engine) as session:  # another workstation adds a claim
            make_claim(session, patient=patient, payer=payer)
            session.commit()
        app.changed_elsewhere()
        await settle(pilot)
        await press(pilot, "pagedown")
        assert len(counts) == 2
        assert status(app, "#view-billing #status").startswith(f"rows {2 * PAGE + 1}–{2 * PAGE + 6} of {2 * PAGE + 6}")


async def test_a_text_filter_shows_the_first_page_of_the_matching_claims(demo_engine) -> None:  # type: ignore[no-untyped-def]
    everyone = queue_ids(demo_engine)
    with store.read_session(demo_engine) as session:
        payer = billing.work_queue(session, TODAY, actor="tests").rows[0].payer_name.split()[0]
    expected = queue_ids(demo_engine, payer)
    assert 0 < len(expected) < len(everyone)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "5", "pagedown")  # from the second page: the filter starts again at the first
        await press(pilot, "slash", *payer, "enter")
        queue = app.query_one("#queue", DataTable)
        end = min(PAGE, len(expected))
        assert keys(queue) == expected[:end]
        assert status(app, "#view-billing #status").startswith(
            f"rows 1–{end} of {len(expected):,} matching '{payer}'")


@pytest.fixture
def ties(practice_engine) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """130 events written ten at a time: every page boundary falls among events with the same time."""
    engine = practice_engine
    with store.write_session(engine) as session:
        for i in range(130):
            record(session, actor="ann", entity="claim", entity_id=i + 1, action="update",
                   changes={"note": ["", f"n{i}"]}, now=datetime(2026, 11, 1, 8) + timedelta(minutes=i // 10))
        session.commit()
    yield engine
    engine.dispose()


async def test_the_audit_log_pages_through_events_with_the_same_time_without_gaps(ties) -> None:  # type: ignore[no-untyped-def]
    with store.read_session(ties) as session:
        expected = [str(row.id) for row in audit.audit_page(session, audit.AuditFilter(), limit=1000,
                                                            actor="tests").rows]
    assert len(expected) == 130
    app = make_app(ties, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p", *"audit log")
        await press(pilot, "enter")
        table = app.screen.query_one("#audit-table", DataTable)
        for offset, end in ((0, 50), (50, 100), (100, 130)):
            assert keys(table) == expected[offset:end]
            assert status(app, "#audit-status").startswith(f"rows {offset + 1}–{end} of 130")
            await press(pilot, "pagedown")
        assert keys(table) == expected[100:]  # the last page stays
        await press(pilot, "pageup")
        assert keys(table) == expected[50:100]


class CellsApp(App[None]):
    """A PagedTable holding every kind of cell the views put in a table, with the cursor on its second row."""

    CELLS = [
        [Text("C-1001"), plain("O'Brien, Ann [b]x[/b]"), Text("$1,234.00", justify="right"), Text("")],
        [Text("—", style="dim"), Text("12/01 · 8 d", style="bold red"), Text("", style="bold"),
         Text("ok ", justify="right")],
        [Text("left", justify="left"), Text("left styled", style="italic", justify="left"),
         Text("wider than its column by far"), Text("two\nlines")],
        [Text("Zoë – ünïcode"), Text("centred", justify="center"), Text("x", style="reverse", justify="right"),
         Text("tab\there")],
        # The schedule grid's own cells: runs over a style, cut to the column, and empty.
        [Cell("·", "dim green"), Cell("", "", ("2× ", "bold red"), ("B Zoë Ünïcode · Follow-up", "bold yellow")),
         Cell("a block reason wider than its column", "dim italic"), Cell()],
    ]

    def compose(self) -> ComposeResult:
        yield PagedTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        table.add_column("A")
        table.add_column("B")
        table.add_column("C", width=12)
        table.add_column("D", width=8)
        for n, cells in enumerate(self.CELLS):
            table.add_row(*cells, key=str(n))
        table.move_cursor(row=1)


async def test_paged_table_cells_render_as_the_datatable_renders_them() -> None:
    """PagedTable lays out one-line Text cells itself: each line must match DataTable's own rendering."""
    app = CellsApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PagedTable)
        style = table.rich_style

        def line(render, row: int) -> Strip:  # type: ignore[no-untyped-def]
            table._cell_render_cache.clear()
            segments = [segment for column, c in enumerate(table.ordered_columns)
                        for segment in render(table, row, column, table._get_row_style(row, style),
                                              c.get_render_width(table), cursor=row == 1)[0]]
            return Strip(segments).simplify()

        for row in range(len(CellsApp.CELLS)):
            assert line(PagedTable._render_cell, row) == line(DataTable._render_cell, row), row
        with patch.object(DataTable, "_render_cell", side_effect=AssertionError("laid out by Rich")):
            line(PagedTable._render_cell, len(CellsApp.CELLS) - 1)  # the grid's cells: none goes through Rich
        table._cell_render_cache.clear()
        assert "C-1001" in table.render_line(1).text and "$1,234.00" in table.render_line(1).text


class BothApp(App[None]):
    """The same cells in a FastTable and in a plain DataTable, side by side at the same width."""

    CSS = "DataTable { width: 48; height: 8; }"
    AUTO_FOCUS = None  # a focused table draws its cursor and background otherwise

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield FastTable(cursor_type="row", zebra_stripes=True, id="fast")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="plain")

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_columns("A", "B", "C", "D")
            table.add_rows(CellsApp.CELLS)
            table.move_cursor(row=1)


async def test_a_fast_table_draws_every_line_as_a_datatable_draws_it() -> None:
    """FastTable keeps the styles DataTable looks up for each line for the length of one drawing, and a line away
    from the cursor under one key wherever the cursor is: the lines are the same, header included, as it moves."""
    app = BothApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        fast, plain_table = app.query_one("#fast", DataTable), app.query_one("#plain", DataTable)
        region = Region(0, 0, 48, 8)

        def same() -> bool:
            return [s.simplify() for s in fast.render_lines(region)] == [
                s.simplify() for s in plain_table.render_lines(region)]

        assert same() and fast.render_lines(region)[0].text.startswith(" A")
        for table in (fast, plain_table):  # lines drawn before the cursor moved are drawn again where it matters
            table.move_cursor(row=3)
        await pilot.pause()
        assert same()
        for table in (fast, plain_table):
            table.cursor_type = "cell"
            table.move_cursor(row=0, column=2)
        await pilot.pause()
        assert same()


def test_a_text_cell_is_measured_as_rich_measures_it() -> None:
    mend_datatable()
    console = Console(width=80)
    cells = [cell for row in CellsApp.CELLS for cell in row] + [Text("a\nlonger line"), Text("日本語 wide")]
    for cell in cells:
        assert _data_table.measure(console, cell, 1) == measure(console, cell, 1), repr(cell)
