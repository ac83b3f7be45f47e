"""The concerns and incidents log over the last 60 days: eight complaints, incidents and near misses.

Still open (not closed): a wait-time complaint to acknowledge by tomorrow (the next business day), a
privacy complaint that may be a breach (discovered 20 days ago, breach notice due in 40), a staff
needlestick (discovered 3 days ago, OSHA 301 due in 4) and an acknowledged conduct complaint. Closed: a
billing complaint, a near miss (wrong patient label caught), a misdirected fax closed as a low-probability
breach after a risk assessment, and a waiting-room slip without injury. The temperature excursion's
incident is written by the vaccine log (`demo.vaccine`), not here.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from officemgr.demo._db import DEMO_CALENDAR, _insert, _open_on_or_after, _open_on_or_before, _with_ids
from officemgr.models import Concern, ConcernCategory, ConcernKind, ConcernStatus, Role, Staff
from officemgr.models.base import table_of
from officemgr.services.concerns import BreachOutcome, breach_resolution
from officemgr.services.settings import DEFAULTS

BREACH_DAYS_AGO = 20
INJURY_DAYS_AGO = 3
# The demo practice keeps the default acknowledgement clock.
ACK_BUSINESS_DAYS: int = DEFAULTS["concern_ack_business_days"]


def _acknowledge_by(discovered: date) -> date:
    return DEMO_CALENDAR.add_business_days(discovered, ACK_BUSINESS_DAYS)


def _names(conn: Connection) -> dict[Role, list[str]]:
    """Active staff names by role, in id order (empty when the demo staff are not there)."""
    table = table_of(Staff)
    names: dict[Role, list[str]] = {}
    query = select(table.c.first_name, table.c.last_name, table.c.role).where(table.c.active).order_by(table.c.id)
    for first, last, role in conn.execute(query):
        names.setdefault(Role(role), []).append(f"{first} {last}")
    return names


def _acknowledged_due_tomorrow(today: date) -> date:
    """The latest open day up to today whose acknowledge-by date is the next business day after today: at most
    the acknowledgement clock's business days back, so the search is bounded."""
    target = DEMO_CALENDAR.add_business_days(today, 1)
    day = _open_on_or_before(today)
    for _ in range(ACK_BUSINESS_DAYS + 1):
        if _acknowledge_by(day) == target:
            return day
        day = DEMO_CALENDAR.previous_business_day(day)
    return _open_on_or_before(today)


def _weekday_back(today: date, days: int) -> date:
    """`days` ago, moved back to a day the practice was open."""
    return _open_on_or_before(today - timedelta(days=days))


def _add_concerns(conn: Connection, rng: random.Random, today: date) -> int:
    """Write the demo concerns; return how many rows were written."""
    names = _names(conn)

    def person(role: Role, fallback: str) -> str:
        found = names.get(role) or []
        return rng.choice(found) if found else fallback

    manager = person(Role.manager, "Office manager")
    biller = person(Role.biller, "Billing office")
    clinical = person(rng.choice((Role.ma, Role.nurse)), "Medical assistant")
    front = person(Role.front_desk, "Front desk")

    rows: list[dict[str, Any]] = []

    def add(kind: ConcernKind, category: ConcernCategory, discovered: date, summary: str, *, detail: str = "",
            reporter: str = "", owner: str = "", status: ConcernStatus = ConcernStatus.open,
            possible_breach: bool = False, work_injury: bool = False, resolution: str = "",
            closed_after: int | None = None) -> None:
        closed_on = discovered + timedelta(days=closed_after) if closed_after is not None else None
        if closed_on is not None:
            closed_on = min(_open_on_or_after(closed_on), today)  # closed on a day the practice was open
        rows.append({
            "kind": kind.value, "category": category.value, "summary": summary, "detail": detail,
            "reported_on": discovered, "discovered_on": discovered, "reporter": reporter, "owner": owner,
            "due": _acknowledge_by(discovered), "status": status.value, "possible_breach": possible_breach,
            "work_injury": work_injury, "resolution": resolution, "closed_on": closed_on, "reading_id": None,
            "version": {ConcernStatus.open: 1, ConcernStatus.acknowledged: 2, ConcernStatus.closed: 3}[status],
        })

    add(ConcernKind.incident, ConcernCategory.privacy, _weekday_back(today, rng.randint(52, 58)),
        "Lab results faxed to the wrong specialist office",
        detail="Two pages (one patient's CBC and metabolic panel) went to a transposed fax number. The receiving "
               "office called us the same afternoon.",
        reporter=front, owner=manager, status=ConcernStatus.closed, possible_breach=True,
        resolution=breach_resolution(
            BreachOutcome.low_probability,
            "Risk assessment of the four factors: the recipient is a covered entity bound by HIPAA, confirmed by "
            "phone and in writing that the pages were shredded unread; low probability of compromise, no "
            "notification needed. Fax numbers are now read back before sending."),
        closed_after=rng.randint(6, 9))
    add(ConcernKind.complaint, ConcernCategory.billing, _weekday_back(today, rng.randint(40, 46)),
        "Billed for a visit the patient says insurance should have covered",
        detail="Statement showed the full charge as patient responsibility.", reporter="Patient, by phone",
        owner=biller, status=ConcernStatus.closed,
        resolution="The claim had gone to the old plan. Resubmitted to the current payer, balance held, "
                   "corrected statement sent and the patient called back.",
        closed_after=rng.randint(5, 10))
    add(ConcernKind.near_miss, ConcernCategory.safety, _weekday_back(today, rng.randint(27, 33)),
        "Specimen labelled with the wrong patient's name, caught at the lab hand-off",
        detail="Two patients with the same last name roomed back to back; the label was printed for the other.",
        reporter=clinical, owner=manager, status=ConcernStatus.closed,
        resolution="Relabelled after checking two identifiers aloud; two-identifier check reviewed at the "
                   "next morning huddle.",
        closed_after=rng.randint(1, 3))
    add(ConcernKind.incident, ConcernCategory.safety, _weekday_back(today, rng.randint(12, 16)),
        "Patient slipped on the wet floor by the entrance; no injury",
        detail="Rainy morning, no mat at the door. Patient declined an exam after being checked by the nurse.",
        reporter=front, owner=manager, status=ConcernStatus.closed,
        resolution="Absorbent mat and a wet-floor sign now go out on rainy days (opening checklist).",
        closed_after=rng.randint(1, 2))
    add(ConcernKind.complaint, ConcernCategory.privacy, today - timedelta(days=BREACH_DAYS_AGO),
        "Patient says a staff member who is her neighbour mentioned her diagnosis",
        detail="Investigating who accessed the chart (EHR access log requested). Possible breach of PHI: "
               "notify or document a risk assessment within 60 days of discovery.",
        reporter="Patient, in person", owner=manager, status=ConcernStatus.acknowledged, possible_breach=True)
    add(ConcernKind.complaint, ConcernCategory.conduct, _weekday_back(today, rng.randint(6, 9)),
        "Front desk was curt on the phone about a referral",
        reporter="Patient's daughter, by phone", owner=manager, status=ConcernStatus.acknowledged)
    add(ConcernKind.incident, ConcernCategory.safety, today - timedelta(days=INJURY_DAYS_AGO),
        "Needlestick to a finger while disposing of a used syringe (sharps container overfull)",
        detail="Wound washed at once; source patient consented to testing; sent to occupational health the same "
               "day. Sharps container replaced. Recordable: goes on the OSHA 301.",
        reporter=clinical, owner=manager, status=ConcernStatus.acknowledged, work_injury=True)
    add(ConcernKind.complaint, ConcernCategory.wait_time, _acknowledged_due_tomorrow(today),
        f"Waited {rng.choice((45, 50, 55))} minutes past the appointment time without an update",
        reporter="Patient, at check-out")

    rows.sort(key=lambda r: (r["reported_on"], r["summary"]))
    return _insert(conn, Concern, _with_ids(conn, Concern, rows))
