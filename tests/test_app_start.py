"""The real start (the CLI's): the tabs paint before the database opens, which happens in a worker."""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, TabbedContent

import officemgr
from officemgr import store
from officemgr.errors import StoreError
from officemgr.tui.app import make_app
from ui_support import SIZE, TODAY, settle, until

SRC = str(Path(officemgr.__file__).resolve().parents[1])


def _printed_by(probe: str) -> Any:
    """What a fresh interpreter running `probe` (on this source tree) prints as JSON."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_cli_and_the_app_shell_load_no_database_layer() -> None:
    """What the first frame needs: no SQLAlchemy, SQLModel, models, services or views (they cost a second)."""
    probe = ("import json, sys, officemgr.cli, officemgr.tui.app\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', "
             "'alembic') or m.startswith(('officemgr.services', 'officemgr.models', 'officemgr.tui.views', "
             "'officemgr.store')))))")
    assert _printed_by(probe) == []


def test_importing_the_models_builds_no_validator_and_a_deferred_one_still_refuses_bad_input() -> None:
    """The models' pydantic schemas are built on first use, not at import (the start's worker skips them)."""
    probe = ("import json, officemgr.models\n"
             "from sqlmodel import SQLModel\n"
             "def every(cls):\n"
             "    for sub in cls.__subclasses__():\n"
             "        yield sub\n"
             "        yield from every(sub)\n"
             "models = [c for c in every(SQLModel) if c.__module__.startswith('officemgr.models')]\n"
             "print(json.dumps([len(models), sorted(c.__name__ for c in models if c.__pydantic_complete__)]))")
    count, built = _printed_by(probe)
    assert count > 100 and built == []
    from pydantic import ValidationError

    from officemgr.models import Patient, PatientCreate

    with pytest.raises(ValidationError) as refused:
        PatientCreate.model_validate({"first_name": "Ana", "last_name": "Ruiz", "dob": "not a date"})
    assert [error["loc"] for error in refused.value.errors()] == [("dob",)]
    assert Patient.model_validate({"first_name": "Ana", "last_name": "Ruiz", "dob": "1980-02-03"}).dob.year == 1980


def held_open(demo_db, tmp_path):  # type: ignore[no-untyped-def]
    """An open_engine on a copy of the demo that waits for `gate`, so a test can look at the screen first."""
    shutil.copy(demo_db, tmp_path / "office.db")
    gate = threading.Event()
    opened: list = []  # type: ignore[type-arg]

    def open_engine():  # type: ignore[no-untyped-def]
        gate.wait(10)
        opened.append(store.open_database(path=tmp_path / "office.db"))
        return opened[0]

    return gate, opened, open_engine


async def test_the_tabs_paint_first_then_the_huddle_loads(demo_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    gate, opened, open_engine = held_open(demo_db, tmp_path)
    app = make_app(today=TODAY, open_engine=open_engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [str(line.render()) for line in app.query(".opening")] == ["Opening the practice's database…"] * 6
        assert not app.query("#view-huddle")
        await pilot.press("j", "a", "ctrl+p")  # nothing to act on yet: ignored, no error
        gate.set()
        await settle(pilot)
        assert not app.query(".opening")
        assert app.view("huddle").shown and not app.view("billing").started
        assert app.query_one("#view-huddle DataTable", DataTable).row_count > 0
        await pilot.press("5")
        await settle(pilot)
        assert app.view("billing").shown
    opened[0].dispose()


async def test_the_other_tabs_views_come_after_the_huddle_is_on_screen_and_the_collector_runs_again(
        demo_db, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The other five view modules wait for the Huddle's data (imported beside its read they held it up), and the
    garbage collector, held off while the practice opens, runs again once they are in."""
    from officemgr.tui.views.huddle import HuddleView

    gate, opened, open_engine = held_open(demo_db, tmp_path)
    seen: list[tuple[bool, bool]] = []  # at the Huddle's show: (other views importing, collector enabled)
    show = HuddleView.show

    def watched(view: HuddleView, data: object) -> None:
        seen.append((view.app.views_importing, gc.isenabled()))  # type: ignore[attr-defined]
        show(view, data)

    monkeypatch.setattr(HuddleView, "show", watched)
    app = make_app(today=TODAY, open_engine=open_engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not gc.isenabled()  # the opening is under way (held at the gate)
        gate.set()
        await settle(pilot)
        assert seen == [(False, False)]
        assert app.views_imported and gc.isenabled()
        assert all(app.has_view(key) for key in ("schedule", "staff", "inventory", "billing", "compliance"))
    opened[0].dispose()


async def test_a_tab_key_while_the_huddle_still_loads_brings_the_other_views_at_once(
        demo_db, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from officemgr.tui.views.huddle import HuddleView

    gate, opened, open_engine = held_open(demo_db, tmp_path)
    huddle_read = threading.Event()
    fetch = HuddleView.fetch

    def slow(view: HuddleView, session: object) -> object:
        huddle_read.wait(10)
        return fetch(view, session)  # type: ignore[arg-type]

    monkeypatch.setattr(HuddleView, "fetch", slow)
    app = make_app(today=TODAY, open_engine=open_engine)
    app.VIEWS_AT_THE_LATEST = 60.0  # here only the key brings them
    async with app.run_test(size=SIZE) as pilot:
        gate.set()
        await until(pilot, lambda: app.has_view("huddle"))
        assert not app.views_importing
        await pilot.pause(0.2)
        await pilot.press("5")
        await until(pilot, lambda: app.has_view("billing") and app.view("billing").shown)
        assert app.views_imported and not app.view("huddle").shown
        assert app.query_one(TabbedContent).active == "billing"
        assert app.focused is not None and app.view("billing") in app.focused.ancestors
        huddle_read.set()
        await settle(pilot)
        assert app.view("huddle").shown and gc.isenabled()
    opened[0].dispose()


async def test_a_refused_huddle_read_still_brings_the_other_views_and_the_collector_back(
        demo_db, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from officemgr.services.common import ServiceError
    from officemgr.tui.views.huddle import HuddleView

    def refused(view: HuddleView, session: object) -> object:
        raise ServiceError("the huddle could not be read")

    gate, opened, open_engine = held_open(demo_db, tmp_path)
    monkeypatch.setattr(HuddleView, "fetch", refused)
    app = make_app(today=TODAY, open_engine=open_engine)
    app.VIEWS_AT_THE_LATEST = 0.2
    async with app.run_test(size=SIZE) as pilot:
        gate.set()
        await until(pilot, lambda: app.has_view("compliance"))  # the last tab's view: every one is in
        await pilot.pause()
        assert not app.view("huddle").shown
        assert app.has_view("billing") and gc.isenabled()
    opened[0].dispose()


async def test_a_tab_chosen_while_opening_is_the_one_that_loads(demo_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    gate, opened, open_engine = held_open(demo_db, tmp_path)
    app = make_app(today=TODAY, open_engine=open_engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("3")
        gate.set()
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "staff"
        assert app.view("staff").shown and not app.view("huddle").started
        assert app.focused is not None and app.view("staff") in app.focused.ancestors
    opened[0].dispose()


async def test_a_refused_open_ends_the_app_with_the_reason() -> None:
    def open_engine():  # type: ignore[no-untyped-def]
        raise StoreError("office.db is locked by another program; close it and try again.")

    app = make_app(today=TODAY, open_engine=open_engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert app.boot_error == "office.db is locked by another program; close it and try again."
    assert app.return_code == 1
    assert gc.isenabled()  # the collector, held off for the opening, runs again


async def test_a_secure_start_signs_in_before_any_data_is_read(demo_db, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from factories import NOW
    from officemgr.services import settings
    from officemgr.store import write_session
    from officemgr.tui.signin import SignInScreen
    from officemgr.tui.views.huddle import HuddleView

    shutil.copy(demo_db, tmp_path / "office.db")
    engine = store.open_database(path=tmp_path / "office.db")
    with write_session(engine) as session:  # a practice's own database, not a demo that opens signed in
        settings.put(session, "demo_data", False, now=NOW, actor="kim")
    shown_to: list[str] = []
    show = HuddleView.show

    def watched(view: HuddleView, data: object) -> None:
        shown_to.append(view.ctx.actor.login)
        show(view, data)

    monkeypatch.setattr(HuddleView, "show", watched)
    app = make_app(today=TODAY, secure=True, open_engine=lambda: engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.locked and isinstance(app.screen, SignInScreen)
        assert not app.query(HuddleView)  # no view, so nothing read, before someone signs in
        await pilot.press(*"manager", "enter", *"1234", "enter")
        await settle(pilot)
        assert not app.locked and app.view("huddle").shown
    assert shown_to == ["manager"]  # the huddle's data was read once, for the person signed in
    engine.dispose()


async def test_a_backup_the_system_refuses_ends_the_app_with_the_reason_not_a_traceback() -> None:
    def open_engine():  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied", "/practice/backups")

    app = make_app(today=TODAY, open_engine=open_engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert app.boot_error == "cannot use /practice/backups: Permission denied"
    assert app.return_code == 1
