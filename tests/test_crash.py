"""Crash safety: SIGKILL the app's process in the middle of a stream of writes, again and again.

tests/crash_writer.py writes through the real services and prints a line after each commit. After each
kill the file must open, pass SQLite's integrity and foreign-key checks, and hold every write the writer
reported saved. All runs share one file, so each run also starts from the WAL an earlier kill left behind.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlmodel import select

from officemgr import store
from officemgr.models import AuditEvent, ComplianceCompletion, ComplianceTask, Staff

WRITER = Path(__file__).with_name("crash_writer.py")
RUNS = 12


@dataclass
class Reported:
    """Everything the writers said was saved, over all runs."""

    staff: set[int] = field(default_factory=set)
    tasks: set[int] = field(default_factory=set)
    done: dict[int, int] = field(default_factory=dict)  # completion id -> task id
    emails: dict[int, tuple[int, str]] = field(default_factory=dict)  # staff id -> last (version, email)

    def take(self, line: str) -> None:
        kind, *rest = line.split()
        if kind == "staff":
            self.staff.add(int(rest[0]))
        elif kind == "task":
            self.tasks.add(int(rest[0]))
        elif kind == "done":
            self.done[int(rest[0])] = int(rest[1])
        elif kind == "update":
            self.emails[int(rest[0])] = (int(rest[1]), rest[2])
        else:
            raise AssertionError(f"the writer printed {line!r}")


def _run_and_kill(db: Path, run: int, rng: random.Random) -> list[str]:
    """Start a writer, SIGKILL it after a random number of saved writes, and return every line it printed."""
    proc = subprocess.Popen([sys.executable, str(WRITER), str(db), str(run), str(rng.randrange(10**6))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)  # type: ignore[union-attr]
    reader.start()
    seen: list[str] = []
    try:
        for _ in range(rng.randint(1, 25)):
            try:
                seen.append(lines.get(timeout=15))
            except queue.Empty:
                proc.kill()
                pytest.fail(f"run {run}: the writer stopped writing: {proc.communicate()[1][-2000:]}")
        # Kill at a random moment between commits, mid-commit or mid-print.
        time.sleep(rng.uniform(0, 0.02))
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    reader.join(timeout=5)
    # Lines still in the pipe were printed, so reported saved, too.
    while not lines.empty():
        seen.append(lines.get())
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()  # type: ignore[union-attr]
    return seen


def _check(db: Path, reported: Reported, run: int) -> None:
    engine = store.open_database(path=db)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok", f"run {run}"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == [], f"run {run}"
        with store.read_session(engine) as session:
            people = {p.id: p for p in session.exec(select(Staff))}
            tasks = set(session.exec(select(ComplianceTask.id)))
            done = dict(session.exec(select(ComplianceCompletion.id, ComplianceCompletion.task_id)).all())
            created = set(session.exec(select(AuditEvent.entity, AuditEvent.entity_id)
                                       .where(AuditEvent.action == "create")).all())
            updates = {(e.entity_id, json.loads(e.changes)["email"][1])
                       for e in session.exec(select(AuditEvent).where(AuditEvent.entity == "staff",
                                                                      AuditEvent.action == "update"))}
    finally:
        engine.dispose()
    assert reported.staff - people.keys() == set(), f"run {run}: reported staff lost"
    assert reported.tasks - tasks == set(), f"run {run}: reported tasks lost"
    assert {k: done.get(k) for k in reported.done} == reported.done, f"run {run}: reported completions lost"
    expected_created = ({("staff", i) for i in reported.staff} | {("compliance_task", i) for i in reported.tasks}
                        | {("compliance_completion", i) for i in reported.done})
    assert expected_created - created == set(), f"run {run}: audit events of reported creates lost"
    for person_id, (version, email) in reported.emails.items():
        assert (person_id, email) in updates, f"run {run}: the audit event of a reported update is lost"
        person = people[person_id]
        # At most one more update can have committed after the last line the writer got out.
        assert person.email == email or person.version == version + 1, f"run {run}: staff {person_id}"
        assert person.version in (version, version + 1), f"run {run}: staff {person_id}"


def test_sigkill_during_writes_never_loses_a_reported_write(tmp_path: Path) -> None:
    db = tmp_path / "office.db"
    rng = random.Random(20261123)
    reported = Reported()
    for run in range(RUNS):
        for line in _run_and_kill(db, run, rng):
            reported.take(line)
        _check(db, reported, run)
    # The loop must have exercised every kind of write, or it proves less than it claims.
    assert reported.staff and reported.tasks and reported.done and reported.emails
