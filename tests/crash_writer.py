"""A stream of real service writes for tests/test_crash.py, which SIGKILLs this process midway.

Usage: crash_writer.py DB_PATH RUN SEED. After each commit it prints one line and flushes, so a line on
stdout means "reported saved":
    staff ID              a staff member was added
    task ID               a compliance task was added
    done ID TASK_ID       a completion of that task was recorded
    update ID VERSION EMAIL   a staff member now has that email at that version
Names carry RUN so a later run on the same file never collides with an earlier one.
"""

from __future__ import annotations

import random
import sys
from datetime import date, datetime

from officemgr import store
from officemgr.models import ComplianceCategory, Role
from officemgr.models.compliance import CompletionCreate, TaskCreate
from officemgr.models.people import StaffCreate
from officemgr.services import compliance, staff

ACTOR = "crash-writer"
NOW = datetime(2026, 11, 23, 8, 30)
# A bound in case the test never kills us: the writer must not fill the disk.
MAX_WRITES = 100_000


def _person(run: int, n: int, email: str = "") -> StaffCreate:
    return StaffCreate(first_name=f"Run{run}", last_name=f"Writer{n}", role=Role.ma, email=email)


def main(path: str, run: int, seed: int) -> None:
    rng = random.Random(seed)
    engine = store.open_database(path=path)
    people: dict[int, tuple[int, int]] = {}  # staff id -> (number in its name, email counter)
    tasks: list[int] = []
    for n in range(MAX_WRITES):
        kind = rng.choice(["staff", "task", "done", "update"])
        with store.write_session(engine) as session:
            if kind == "done" and tasks:
                task_id = rng.choice(tasks)
                done = compliance.complete(session, CompletionCreate(task_id=task_id, due_date=date(2026, 11, 23),
                                                                     done_by="Writer"), now=NOW, actor=ACTOR)
                line = f"done {done.id} {task_id}"
            elif kind == "update" and people:
                person_id = rng.choice(sorted(people))
                number, edits = people[person_id]
                email = f"run{run}-{person_id}-{edits + 1}@example.com"
                person = staff.update_staff(session, person_id, _person(run, number, email), now=NOW, actor=ACTOR,
                                            expected_version=edits + 1)
                people[person_id] = (number, edits + 1)
                line = f"update {person_id} {person.version} {email}"
            elif kind == "task":
                duty = TaskCreate(title=f"Run {run} duty {n}", category=ComplianceCategory.osha, rrule="FREQ=MONTHLY",
                                  anchor=date(2026, 1, 1))
                task = compliance.add_task(session, duty, now=NOW, actor=ACTOR)
                tasks.append(task.id)  # type: ignore[arg-type]
                line = f"task {task.id}"
            else:
                person = staff.add_staff(session, _person(run, n), now=NOW, actor=ACTOR)
                people[person.id] = (n, 0)  # type: ignore[index]
                line = f"staff {person.id}"
        print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
