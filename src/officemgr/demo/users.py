"""One sign-in per role, each with PIN 1234 (demo databases only; the README says so).

Each is a demo staff member in a fitting job: the office manager, a receptionist, the biller, the nurse (clinical),
and the practice's first physician as the read-only auditor, as an owner reviewing the practice would be.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from officemgr.demo._db import _insert
from officemgr.demo._types import DemoSummary, Person
from officemgr.models import Role, UserAccount, UserRole
from officemgr.services import pin

DEMO_PIN = "1234"
# login -> (the role it holds, the jobs whose first staff member it is, in order of preference)
DEMO_USERS = {
    "manager": (UserRole.manager, (Role.manager,)),
    "frontdesk": (UserRole.front_desk, (Role.front_desk,)),
    "biller": (UserRole.biller, (Role.biller, Role.manager)),
    "clinical": (UserRole.clinical, (Role.nurse, Role.ma)),
    "auditor": (UserRole.auditor, (Role.physician, Role.np_pa)),
}


def _add_users(conn: Connection, staff: list[Person], summary: DemoSummary) -> None:
    digest = pin.hasher().hash(DEMO_PIN)  # one hash for all five: the same made-up PIN
    rows, taken = [], set()
    for login, (role, jobs) in DEMO_USERS.items():
        person = next(p for job in jobs for p in staff if p.role is job and p.id not in taken)
        taken.add(person.id)
        rows.append({"login": login, "staff_id": person.id, "name": person.name, "roles": role.value,
                     "pin_hash": digest, "os_user": None, "active": True, "failures": 0, "wait_until": None,
                     "version": 1})
    summary.users += _insert(conn, UserAccount, rows)
