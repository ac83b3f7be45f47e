"""`officemgr demo` is all or nothing: killed at any moment, it leaves no database or a whole demo practice, and the
next run is not tripped by what the killed one left."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import officemgr
from officemgr import dbfile, demo, store
from officemgr.cli import main
from officemgr.models import Patient
from officemgr.models.base import table_of

SRC = Path(officemgr.__file__).resolve().parents[1]  # the code under test, in the subprocess too
COMMAND = [sys.executable, "-m", "officemgr.cli", "demo", "--today", "2026-11-23"]


def _is_whole_demo(path: Path) -> bool:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        patients = conn.execute("SELECT count(*) FROM patient").fetchone()[0]
        marked = conn.execute("SELECT value FROM setting WHERE key = 'demo_data'").fetchone()
    return patients == demo.SCALES["small"].patients and marked == ("true",)


@pytest.mark.parametrize("after", [0.0, 1.0, 3.0])  # at the start, midway, near the end
def test_a_demo_killed_midway_leaves_nothing_or_a_whole_practice(tmp_path: Path, after: float) -> None:
    database = tmp_path / "demo.db"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    with subprocess.Popen([*COMMAND, "--db", str(database)], env=env, stdout=subprocess.DEVNULL) as child:
        # Timed from its first file (a temporary one, or the database itself), so the kill lands while it writes
        # whatever the start-up time on this machine.
        started = time.monotonic()
        while not any(tmp_path.iterdir()) and child.poll() is None and time.monotonic() - started < 60:
            time.sleep(0.02)
        time.sleep(after)
        child.send_signal(signal.SIGKILL)
        child.wait()

    if database.exists():  # finished before the kill: then it is whole
        assert dbfile.check_file(database).ok and _is_whole_demo(database)
        assert not database.with_name("demo.db-wal").exists()
        return
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == []

    # The next run is not tripped by what the killed one left, and clears it away.
    assert subprocess.run([*COMMAND, "--db", str(database)], env=env, capture_output=True).returncode == 0
    assert _is_whole_demo(database)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]


def test_a_demo_that_fails_midway_writes_nothing(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("the claims step failed")

    monkeypatch.setattr("officemgr.demo._add_claims", broken)
    database = tmp_path / "demo.db"

    assert main(["demo", "--db", str(database), "--today", "2026-11-23"]) == 1

    assert "the claims step failed" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_demo_into_an_existing_empty_database_is_one_transaction(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    database = tmp_path / "practice.db"
    store.open_database(path=database).dispose()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("the claims step failed")

    monkeypatch.setattr("officemgr.demo._add_claims", broken)

    assert main(["demo", "--db", str(database), "--today", "2026-11-23"]) == 1

    engine = store.open_database(path=database)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(table_of(Patient))).scalar_one() == 0
    engine.dispose()


def test_a_demo_file_is_private(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    old_umask = os.umask(0)
    try:
        assert main(["demo", "--db", str(database), "--today", "2026-11-23"]) == 0
    finally:
        os.umask(old_umask)
    assert database.stat().st_mode & 0o777 == 0o600
    assert _is_whole_demo(database)
