"""Runs the bench: the demo database (built once per scale and cached), the probes, the huddle build."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypedDict

TODAY = date(2026, 11, 23)  # fixed, so runs on different days compare
SEED = 1
KEY_PROCESSES = 3  # fresh app processes for the key figures (each repeats every key itself)
IMPORT_RUNS = 3  # the imports take seconds each: at most this many runs of them


@dataclass
class BenchReport:
    scale: str
    runs: int
    samples: dict[str, list[float]] = field(default_factory=dict)  # figure id -> samples
    failures: list[str] = field(default_factory=list)


class Summary(TypedDict):
    median: float
    min: float
    max: float
    runs: int


class BenchError(Exception):
    """The bench could not run (a probe failed); the message says which and why."""


def cached_database(scale: str) -> Path:
    """The demo database of `scale`, built once into the temporary folder and reused."""
    path = Path(tempfile.gettempdir()) / "officemgr-bench" / f"{scale}-seed{SEED}-{TODAY}.db"
    if not path.exists():
        from officemgr import demo, store

        path.parent.mkdir(parents=True, exist_ok=True)
        building = path.with_suffix(".building")
        building.unlink(missing_ok=True)
        engine = store.open_database(path=building)
        demo.fill(engine, today=TODAY, seed=SEED, scale=scale)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        building.replace(path)  # a half-built file is never taken for the cache
    return path


def _probe(database: Path, work: Path, *args: str) -> dict[str, Any]:
    """One probe process on a fresh copy of the database; its launch time is stamped as `launched`."""
    copy = work / "office.db"
    for stale in work.glob("office.db*"):
        stale.unlink()
    shutil.copyfile(database, copy)
    # The copy's 190 MB written out before the launch, not by the kernel during the start it measures.
    os.sync()
    launched = time.monotonic()
    command = [sys.executable, "-m", "officemgr.tui.bench.probe", args[0], str(copy), str(TODAY), *args[1:]]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BenchError(f"the {args[0]} probe failed: {last}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "launched": launched}


def _huddle_ms(database: Path, work: Path, runs: int) -> list[float]:
    from officemgr import store
    from officemgr.services import settings
    from officemgr.services.huddle import huddle

    shutil.copyfile(database, work / "huddle.db")
    engine = store.open_database(path=work / "huddle.db")
    os.sync()  # the copy and the day's backup the open made, written out before the builds are timed
    times = []
    try:
        with store.read_session(engine) as session:
            privacy = "huddle" in settings.get(session, "privacy_tabs")
        for _ in range(runs + 1):
            # A session of its own each time, as the Huddle tab reads: nothing it read before is held.
            with store.read_session(engine) as session:
                start = time.perf_counter()
                huddle(session, TODAY, privacy=privacy, actor="bench")
                times.append((time.perf_counter() - start) * 1000)
    finally:
        engine.dispose()
    return times[1:]


def run_bench(scale: str, *, runs: int, database: Path | None = None) -> BenchReport:
    """Measure on the demo database of `scale` (or on `database`, a copy of which each probe gets)."""
    source = database or cached_database(scale)
    report = BenchReport(scale, runs)
    add = report.samples.setdefault
    with tempfile.TemporaryDirectory(prefix="officemgr-bench-") as folder:
        work = Path(folder)
        report.samples["huddle_build"] = _huddle_ms(source, work, runs)
        from officemgr.bench.imports import import_seconds

        report.samples.update(import_seconds(source, work, TODAY, min(runs, IMPORT_RUNS)))
        # Interleaved, one warm-up each: the two apps see the same machine in the same minute.
        for i in range(runs + 1):
            app = _probe(source, work, "start")
            bare = _probe(source, work, "bare-start")
            if i:
                add("start", []).append((app["first_frame"] - app["launched"]) * 1000)
                add("start_huddle", []).append((app["huddle"] - app["launched"]) * 1000)
                add("bare_start", []).append((bare["first_frame"] - bare["launched"]) * 1000)
                add("peak_memory_start", []).append(app["peak_rss_mb"])
        for _ in range(min(runs, KEY_PROCESSES)):
            _add_keys(report, _probe(source, work, "keys", str(runs)))
    return report


def _add_keys(report: BenchReport, found: dict[str, Any]) -> None:
    """Each key gives two figures: `X` the CPU it costs until settled, `X_frame` the wall time to its next frame."""
    add = report.samples.setdefault
    for prefix, part in (("", found), ("bare_", found["bare"])):
        for tab, figure in part["tabs"].items():
            add(f"{prefix}tab_{tab}", []).append(figure["cpu_ms"])
            add(f"{prefix}tab_{tab}_frame", []).append(figure["frame_ms"])
            if "wall_ms" in figure:
                add(f"tab_{tab}_wall", []).append(figure["wall_ms"])
        for tab, keys in part["keys"].items():
            for key, costs in keys.items():
                add(f"{prefix}{key}_{tab}", []).extend(cpu for cpu, _ in costs)
                add(f"{prefix}{key}_{tab}_frame", []).extend(frame for _, frame in costs)
    for flow in ("filter", "form", "book", "note"):
        add(flow, []).extend(cpu for cpu, _ in found[flow])
        add(f"{flow}_frame", []).extend(frame for _, frame in found[flow])
    add("bare_filter", []).extend(cpu for cpu, _ in found["bare"]["filter"])
    add("bare_filter_frame", []).extend(frame for _, frame in found["bare"]["filter"])
    add("peak_memory", []).append(found["peak_rss_mb"])
    report.failures.extend(found["failures"])


def summary(samples: list[float]) -> Summary:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "runs": len(samples)}
