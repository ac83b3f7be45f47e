"""`officemgr bench` runs every measurement once on the small demo and reports each figure, with its budget,
in the table and in the JSON file. Times are not asserted: they belong to the machine."""

from __future__ import annotations

import json

import pytest
from textual.widgets import DataTable, Input

from officemgr.bench import imports, runner
from officemgr.bench.report import figures
from officemgr.cli import main
from officemgr.tui.bench.bare import ROWS, BareApp

TABS = ("huddle", "schedule", "staff", "inventory", "billing", "compliance")
LATER = [t for t in TABS if t != "huddle"]
# The budgets: the start's first frame and the Huddle's data against the bare app's start, every key's next frame,
# each tab's data on screen, each key's work against the bare app's same key. The rest is for reading.
BUDGETED = {"start": 1.5, "start_huddle": 2.5, "huddle_build": 100.0, "peak_memory": 200.0,
            "import_appointments": 10.0, "import_era": 10.0, "filter": 2.0,
            **{f"{flow}_frame": 50.0 for flow in ("filter", "form", "book", "note")},
            **{f"tab_{t}_frame": 50.0 for t in LATER}, **{f"tab_{t}_wall": 100.0 for t in LATER},
            **{f"tab_{t}": 2.0 for t in LATER},
            **{f"{k}_{t}_frame": 50.0 for k in ("row", "page") for t in TABS},
            **{f"{k}_{t}": 2.0 for k in ("row", "page") for t in TABS}}
WITH_BARE = {"start", "start_huddle", "filter", "filter_frame", "tab_schedule", "tab_billing_frame", "row_huddle",
             "row_billing_frame", "page_schedule", "page_billing_frame"}


@pytest.mark.slow(reason="runs the whole bench end to end: each probe is a fresh app process on the demo")
def test_bench_reports_every_figure_against_its_budget(demo_db, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runner, "cached_database", lambda scale: demo_db)
    monkeypatch.setattr(imports, "APPOINTMENTS", 50)  # the figures' sizes take seconds; the test runs the path
    monkeypatch.setattr(imports, "CLAIMS", 20)
    out = tmp_path / "bench.json"
    assert main(["bench", "--scale", "small", "--runs", "1", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    found = data["figures"]
    assert set(found) == {fig.id for fig in figures()}
    for name, entry in found.items():
        assert entry["median"] > 0 and entry["min"] <= entry["median"] <= entry["max"], name
        assert entry["budget"] == BUDGETED.get(name), name
        assert ("ok" in entry) == (name in BUDGETED), name
    for name in WITH_BARE:
        assert found[name]["bare_median"] > 0 and found[name]["ratio"] > 0, name
    assert data["failures"] == []
    assert data["machine"]["cpus"] > 0
    # The imports per 1,000 rows: the same runs over the rows each file holds (50 appointments, 20 claims here).
    assert found["import_appointments_per_1000"]["median"] == pytest.approx(
        found["import_appointments"]["median"] * 1000 / 50)
    assert found["import_era_per_1000"]["median"] == pytest.approx(found["import_era"]["median"] * 1000 / 20)
    table = capsys.readouterr().out
    for entry in found.values():
        assert entry["label"] in table
    assert table.count(" ok") + table.count(" OVER") == len(BUDGETED)


def test_bench_refuses_zero_runs(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["bench", "--runs", "0"]) == 2
    assert "--runs must be 1 or more" in capsys.readouterr().err


def test_an_existing_json_file_is_refused_before_anything_is_measured(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    def never(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("measured although the file would be refused")

    monkeypatch.setattr(runner, "run_bench", never)
    out = tmp_path / "bench.json"
    out.write_text("earlier figures")

    assert main(["bench", "--runs", "1", "--json", str(out)]) == 1

    assert "already exists; add --force" in capsys.readouterr().err and out.read_text() == "earlier figures"


async def test_the_bare_apps_filter_refills_its_table_with_the_rows_holding_the_text() -> None:
    app = BareApp(rows=ROWS)
    async with app.run_test() as pilot:
        await pilot.press("5", "slash", *"CELL 19", "enter")
        await pilot.pause()
        table = app.query_one("#table-t5", DataTable)
        # Every word in some cell of the row, in any case: only row 19 holds "19"; the other tabs keep theirs.
        assert [table.get_row_at(r)[0] for r in range(table.row_count)] == ["row 19 cell 0"]
        assert app.query_one("#table-t4", DataTable).row_count == ROWS and table.has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == ROWS and not app.query_one("#filter", Input).display
