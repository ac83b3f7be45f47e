"""Evaluations in full and staff meetings (issue 23, parts 5 and 7).

The story: the latest yearly evaluation has its ratings, a goal and the employee's sign-off; first-year staff had
their 90-day review, except the newest hire, whose review is due in a few days. Last month's staff meeting is
finished with minutes and two actions (one done, one open and due this week); the next one is planned with its
agenda.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from officemgr.demo._db import _insert, _with_ids
from officemgr.demo._types import Person
from officemgr.models import Evaluation, Role, Staff
from officemgr.models.base import table_of
from officemgr.models.huddle import ActionStatus, HuddleAction
from officemgr.models.lifecycle import EvaluationGoal, EvaluationRating, MeetingAttendee, StaffMeeting
from officemgr.models.roster import EvaluationKind
from officemgr.services.credentials import first_anniversary_after, probation_due
from officemgr.services.evaluations import DEFAULT_COMPETENCIES
from officemgr.services.settings import DEFAULTS

# The newest hire's 90-day review falls due this many days from today: on the Huddle, not yet overdue.
REVIEW_IN_DAYS = 6
COMMENTS = ("Consistently careful", "Patients ask for her by name", "Room to grow here", "Steady and on time")


def _add_evaluations_and_meetings(conn: Connection, rng: random.Random, staff: list[Person], today: date) -> int:
    """Returns how many evaluation rows this step added less those it removed, for the demo's summary."""
    added = _add_reviews(conn, rng, staff, today)
    _add_meetings(conn, staff, today)
    return added


def _add_reviews(conn: Connection, rng: random.Random, staff: list[Person], today: date) -> int:
    people = {p.id: p for p in staff}
    table, evals = table_of(Staff), table_of(Evaluation)
    hired, ended = {}, set()
    for sid, day, end in conn.execute(select(table.c.id, table.c.hire_date, table.c.end_date)):
        if day is not None:
            hired[sid] = day
        if end is not None:
            ended.add(sid)
    review_days = int(DEFAULTS["probation_review_days"])
    # The hire whose review is due soon: the newest of the support staff still here (a provider's hire date anchors
    # their payer enrollments) hired before the review window, so the checklists step's brand-new hire is left be.
    window = today - timedelta(days=review_days - REVIEW_IN_DAYS)
    support = [sid for sid in hired if sid in people and sid not in ended and hired[sid] <= window
               and people[sid].role not in (Role.physician, Role.np_pa, Role.manager)]
    removed = 0
    if support:
        newest = max(support, key=lambda sid: (hired[sid], sid))
        if probation_due(hired[newest], review_days) < today:
            # Hired long ago in the other steps' story: starts afresh, the review due soon and nothing done yet.
            hired[newest] = today - timedelta(days=review_days - REVIEW_IN_DAYS)
            conn.execute(update(table).where(table.c.id == newest).values(hire_date=hired[newest]))
            removed = conn.execute(delete(evals).where(evals.c.staff_id == newest)).rowcount
    done = {sid for (sid,) in conn.execute(select(evals.c.staff_id))}
    reviews = []
    for sid, hire in sorted(hired.items()):
        due = probation_due(hire, review_days)
        if sid in done or due >= today or today >= first_anniversary_after(hire, hire):
            continue  # the newest hire, someone with an evaluation, or past the first year: no review to add
        reviews.append({"staff_id": sid, "due": due, "done_on": min(due + timedelta(days=rng.randint(0, 5)), today),
                        "note": "Settling in well", "kind": EvaluationKind.probation.value,
                        "reviewer": "Office manager"})
    _insert(conn, Evaluation, reviews)

    latest = conn.execute(select(evals.c.id, evals.c.staff_id, evals.c.done_on).where(
        evals.c.done_on.is_not(None), evals.c.kind == EvaluationKind.yearly.value)
        .order_by(evals.c.done_on.desc(), evals.c.id)).first()
    if latest is None:
        return len(reviews) - removed
    evaluation_id, staff_id, done_on = latest
    role = people[staff_id].role.value
    names = DEFAULT_COMPETENCIES.get(role, DEFAULT_COMPETENCIES[""])
    _insert(conn, EvaluationRating, [{"evaluation_id": evaluation_id, "competency": name,
                                      "rating": rng.randint(3, 5), "comment": rng.choice(COMMENTS)}
                                     for name in names])
    _insert(conn, EvaluationGoal, [{"evaluation_id": evaluation_id, "goal": "Lead one huddle a month",
                                    "due": done_on + timedelta(days=180), "version": 1}])
    conn.execute(update(evals).where(evals.c.id == evaluation_id).values(
        reviewer="Office manager", employee_comments="Thank you; I would like more training on the new portal.",
        signed_on=min(done_on + timedelta(days=2), today)))
    return len(reviews) - removed


def _add_meetings(conn: Connection, staff: list[Person], today: date) -> None:
    if not staff:
        return
    last = today.replace(day=1) - timedelta(days=1)  # a day of last month
    last = last - timedelta(days=(last.weekday() - 1) % 7)  # its last Tuesday
    upcoming = today + timedelta(days=(1 - today.weekday()) % 7 + 14)  # a Tuesday two weeks or so ahead
    meetings = _with_ids(conn, StaffMeeting, [
        {"day": last, "title": "Monthly staff meeting", "version": 2, "actor": "demo",
         "agenda": "Flu clinic staffing; holiday schedule; new patient portal",
         "minutes": "Flu clinics on two Saturdays, MAs rotate. Holiday hours posted by the 1st. "
                    "Portal go-live moved to next month.",
         "finished_at": datetime.combine(last, time(13, 0))},
        {"day": upcoming, "title": "Monthly staff meeting", "version": 1, "actor": "demo",
         "agenda": "Year-end credential renewals; OSHA training dates; patient survey results", "minutes": "",
         "finished_at": None},
    ])
    _insert(conn, StaffMeeting, meetings)
    held = meetings[0]["id"]
    _insert(conn, MeetingAttendee, [{"meeting_id": held, "staff_id": p.id} for p in staff[: max(2, len(staff) - 2)]])
    owners = [p for p in staff if not p.role.value.startswith(("physician", "np_pa"))] or staff
    open_due = today + timedelta(days=max(0, 4 - today.weekday()))  # this week's Friday, or today at the weekend
    _insert(conn, HuddleAction, [
        {"what": "Post the holiday hours at the front desk", "owner_id": owners[0].id, "due": last + timedelta(7),
         "status": ActionStatus.done.value, "created_on": last, "done_on": last + timedelta(days=5),
         "item_key": "", "meeting_id": held, "version": 2},
        {"what": "Sign-up sheet for the Saturday flu clinics", "owner_id": owners[-1].id, "due": open_due,
         "status": ActionStatus.open.value, "created_on": last, "done_on": None, "item_key": "",
         "meeting_id": held, "version": 1},
    ])
