"""The bench's figures against their budgets (DESIGN.md): a table to read and a dict for --json."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from typing import NotRequired, TypedDict

from officemgr.bench.runner import BenchReport, summary

TABS = ("huddle", "schedule", "staff", "inventory", "billing", "compliance")
KEY_BUDGET_MS = 50.0  # every key's next frame
IMPORT_BUDGET_S = 10.0  # an import of the sizes in bench.imports, from the file to the commit (issue 20)
DATA_BUDGET_MS = 100.0  # a tab's data on screen after its key (issue 25)
WORK_RATIO = 2.0  # a key's processor work against the bare app's same key (issue 25)


@dataclass(frozen=True)
class Figure:
    id: str
    label: str
    unit: str
    budget: float | None = None  # on the median, or on the ratio to the bare app when `ratio_budget`
    bare: str | None = None  # the bare app's figure it is set against
    ratio_budget: bool = False


class Entry(TypedDict):
    """One figure as measured, in the table and the --json file."""

    label: str
    unit: str
    median: float
    min: float
    max: float
    runs: int
    budget: float | None
    bare_median: NotRequired[float]
    ratio: NotRequired[float]
    budget_on: NotRequired[str]  # "ratio" or "median"
    ok: NotRequired[bool]  # only for a figure with a budget


class Machine(TypedDict):
    platform: str
    python: str
    cpus: int | None


class BenchData(TypedDict):
    scale: str
    runs: int
    figures: dict[str, Entry]
    failures: list[str]
    machine: Machine


def figures() -> list[Figure]:
    """Budgeted: the start's first frame and the Huddle's data (against the bare app), every key's next frame
    (DESIGN.md), each tab's data on screen, and each key's work against the bare app's same key (issue 25). The
    rest says what the imports and memory cost."""
    tabs = [(t, t.title()) for t in TABS]
    later = [(t, label) for t, label in tabs if t != "huddle"]
    flows = (("filter", "Billing queue filtered by text"), ("form", "Booking form opened"),
             ("book", "Appointment booked, ctrl+s"), ("note", "Claim note posted, ctrl+s"))
    return [
        Figure("start", "Start to first frame: tabs painted, keys work", "ms", 1.5, "bare_start", ratio_budget=True),
        Figure("start_huddle", "Start to the Huddle's data on screen", "ms", 2.5, "bare_start", ratio_budget=True),
        Figure("huddle_build", "Huddle build (in process)", "ms", 100.0),
        Figure("import_appointments", "Import 10,000 appointments (.csv)", "s", IMPORT_BUDGET_S),
        Figure("import_era", "Post an 835 of 5,000 claim payments", "s", IMPORT_BUDGET_S),
        Figure("import_appointments_per_1000", "Import appointments, per 1,000 rows", "s"),
        Figure("import_era_per_1000", "Post an 835, per 1,000 claims", "s"),
        *(Figure(f"tab_{t}_frame", f"{label} tab: next frame after its key", "ms", KEY_BUDGET_MS,
                 f"bare_tab_{t}_frame") for t, label in later),
        *(Figure(f"row_{t}_frame", f"{label}: cursor down/up, next frame", "ms", KEY_BUDGET_MS,
                 f"bare_row_{t}_frame") for t, label in tabs),
        *(Figure(f"page_{t}_frame", f"{label}: page down/up, next frame", "ms", KEY_BUDGET_MS,
                 f"bare_page_{t}_frame") for t, label in tabs),
        *(Figure(f"{flow}_frame", f"{label}: next frame", "ms", KEY_BUDGET_MS,
                 "bare_filter_frame" if flow == "filter" else None) for flow, label in flows),
        *(Figure(f"tab_{t}_wall", f"{label} tab: its data on screen (wall)", "ms", DATA_BUDGET_MS)
          for t, label in later),
        *(Figure(f"tab_{t}", f"{label} tab first load, work (CPU)", "ms", WORK_RATIO, f"bare_tab_{t}",
                 ratio_budget=True) for t, label in later),
        *(Figure(f"row_{t}", f"{label}: cursor down/up, work (CPU)", "ms", WORK_RATIO, f"bare_row_{t}",
                 ratio_budget=True) for t, label in tabs),
        *(Figure(f"page_{t}", f"{label}: page down/up, work (CPU)", "ms", WORK_RATIO, f"bare_page_{t}",
                 ratio_budget=True) for t, label in tabs),
        Figure("filter", "Billing queue filtered by text: work (CPU)", "ms", WORK_RATIO, "bare_filter",
               ratio_budget=True),
        *(Figure(flow, f"{label}: work (CPU)", "ms") for flow, label in flows if flow != "filter"),
        Figure("peak_memory_start", "Peak memory at first painted Huddle", "MB"),
        Figure("peak_memory", "Peak memory after every tab and flow", "MB", 200.0),
    ]


def as_dict(report: BenchReport) -> BenchData:
    """Every figure with median, min, max, runs, budget, ok (and the bare app's median and the ratio)."""
    out: dict[str, Entry] = {}
    for fig in figures():
        found = report.samples.get(fig.id)
        if not found:
            continue
        figure = summary(found)
        entry: Entry = {"label": fig.label, "unit": fig.unit, "median": figure["median"], "min": figure["min"],
                        "max": figure["max"], "runs": figure["runs"], "budget": fig.budget}
        bare = report.samples.get(fig.bare or "")
        if bare:
            entry["bare_median"] = summary(bare)["median"]
            entry["ratio"] = entry["median"] / entry["bare_median"]
        if fig.budget is not None:
            judged = entry.get("ratio") if fig.ratio_budget else entry["median"]
            entry["budget_on"] = "ratio" if fig.ratio_budget else "median"
            entry["ok"] = judged is not None and judged <= fig.budget
        out[fig.id] = entry
    return {"scale": report.scale, "runs": report.runs, "figures": out, "failures": report.failures,
            "machine": {"platform": platform.platform(), "python": platform.python_version(),
                        "cpus": os.cpu_count()}}


def table(data: BenchData) -> str:
    head = ("Figure", "median", "min–max", "budget", "", "bare", "ratio")
    rows = [head]
    for entry in data["figures"].values():
        unit = entry["unit"]
        budget = "" if entry["budget"] is None else (
            f"≤ {entry['budget']:g}x bare" if entry.get("budget_on") == "ratio" else f"< {entry['budget']:g} {unit}")
        verdict = "" if "ok" not in entry else ("ok" if entry["ok"] else "OVER")
        rows.append((entry["label"], f"{_number(entry['median'])} {unit}",
                     f"{_number(entry['min'])}–{_number(entry['max'])}",
                     budget, verdict, f"{entry['bare_median']:.1f}" if "bare_median" in entry else "",
                     f"{entry['ratio']:.2f}x" if "ratio" in entry else ""))
    widths = [max(len(row[c]) for row in rows) for c in range(len(head))]
    runs = f"{data['runs']} run" + ("" if data["runs"] == 1 else "s")
    lines = [f"officemgr bench: {data['scale']} demo, {runs} after a warm-up "
             f"({data['machine']['cpus']} CPUs, Python {data['machine']['python']})"]
    for row in rows:
        lines.append("  ".join(cell.ljust(w) if c == 0 else cell.rjust(w) for c, (cell, w) in
                               enumerate(zip(row, widths, strict=True))).rstrip())
    lines += [f"did not happen: {failure}" for failure in data["failures"]]
    lines.append("Next frame: wall time from a key to the next frame the app produces (the budget). "
                 "Work (CPU): process CPU time, all threads, that a key causes up to the settled screen.")
    return "\n".join(lines)


def _number(value: float) -> str:
    # Seconds per 1,000 rows are fractions of a second: two decimals where one would round half of it away.
    return f"{value:.2f}" if value < 1 else f"{value:.1f}"
