"""One measurement in a fresh process: `python -m officemgr.tui.bench.probe KIND [DB TODAY]`, one JSON line out.

KIND is `start` (the app on DB to its first painted huddle), `bare-start` (the bare six-tab app to its first
frame) or `keys` (the app's tabs, keys and forms, then the bare app's keys; see keys.py). Times are
time.monotonic() stamps (one clock for every process on the machine), so the runner can time the whole
process from its launch; CPU figures are milliseconds of process time.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date
from typing import Any

SIZE = (160, 48)


def peak_rss_mb() -> float:
    """This process's own peak resident memory.

    ru_maxrss keeps the parent's peak across fork and exec (a runner that just built the large demo would
    lend the probe its 400 MB), so on Linux the peak of this program's own memory map, VmHWM, is read instead.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def start(db: str, today: date) -> dict[str, Any]:
    """The app as `officemgr --db DB` starts it: stamps its first frame and the frame after the huddle shows.

    The CLI opens the database in a worker after the first frame, so `first_frame` is the tabs painted and taking
    keys, and `huddle` the Huddle's data painted.
    """
    from officemgr import cli
    from officemgr.tui.app import OfficeApp

    stamps: dict[str, float] = {}

    def stamp(name: str, app: OfficeApp) -> None:
        stamps.setdefault(name, time.monotonic())
        if "huddle" in stamps:
            app.exit()

    # Wrapped here rather than hooked in the app, so the bench measures the code as it ships.
    run, mounted, started = OfficeApp.run, OfficeApp.on_mount, OfficeApp._start

    def on_mount(app: OfficeApp) -> None:
        mounted(app)
        app.call_after_refresh(stamp, "first_frame", app)

    def _start(app: OfficeApp) -> None:
        started(app)
        view = app.view("huddle")
        shown = view.show

        def show(data: Any) -> None:
            shown(data)
            app.call_after_refresh(stamp, "huddle", app)

        view.show = show  # type: ignore[method-assign]  # stamps the moment the Huddle's data is on screen

    # This probe process runs one app: its class is stamped in place rather than subclassed, since the CLI builds it.
    stamped = {"on_mount": on_mount, "_start": _start, "run": lambda app, **_: run(app, headless=True, size=SIZE)}
    for name, method in stamped.items():
        setattr(OfficeApp, name, method)
    code = cli.main(["--db", db, "--today", today.isoformat()])
    if code or "huddle" not in stamps:
        raise SystemExit(f"the app did not start on {db} (exit {code})")
    return {**stamps, "peak_rss_mb": peak_rss_mb()}


def bare_start() -> dict[str, Any]:
    from officemgr.tui.bench.bare import BareApp

    stamps: dict[str, float] = {}

    def stamp() -> None:
        stamps["first_frame"] = time.monotonic()
        app.exit()

    app = BareApp(first_frame=stamp)
    app.run(headless=True, size=SIZE)
    return {**stamps, "peak_rss_mb": peak_rss_mb()}


def main(argv: list[str]) -> int:
    kind = argv[0]
    if kind == "bare-start":
        result = bare_start()
    elif kind == "start":
        result = start(argv[1], date.fromisoformat(argv[2]))
    elif kind == "keys":
        import asyncio

        from officemgr.tui.bench.keys import measure_keys

        result = asyncio.run(measure_keys(argv[1], date.fromisoformat(argv[2]), repeats=int(argv[3])))
    else:
        print(f"unknown probe {kind}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
