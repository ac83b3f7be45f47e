"""What a huddle decides and keeps: actions that carry over until done, snoozes, the saved huddle record."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from factories import ACTOR, NOW, TODAY, audit_events, make_staff
from officemgr.models import UserRole
from officemgr.models.huddle import (
    ActionCreate,
    ActionStatus,
    HuddleAction,
    HuddleFinish,
    HuddleRecord,
    HuddleSnooze,
    ReviewOutcome,
)
from officemgr.services import huddle_actions as ha
from officemgr.services.access import Actor
from officemgr.services.common import ServiceError, StaleEdit
from officemgr.services.huddle import Huddle, HuddleItem, Numbers, Section

YESTERDAY = TODAY - timedelta(days=1)


def sample_huddle() -> Huddle:
    return Huddle(TODAY, [
        Section("yesterday", "Yesterday", "schedule", "No no-shows yesterday", [
            HuddleItem("09:00 A.L. Follow-up (Dr Who)", "no-show Fri 11/20", "schedule", 1, key="noshow:1"),
        ]),
        Section("schedule", "Today's schedule", "schedule", "No appointments today", [
            HuddleItem("Dr Who: 8 booked, 2 open slots", "open slots to fill", "schedule", key="slots:1"),
            HuddleItem("10:00 B.C. New patient (Dr Who)", "double-booked", "schedule", 2, urgent=True, key="dbl:2"),
        ]),
        Section("staffing", "Staffing", "staff", "No staffing gaps today", []),
    ], Numbers(appointments=8, open_slots=2, staff_out=0, ar_over_90_cents=123_45, overdue_duties=1))


def add(session, owner, *, what="Call the lab", due=TODAY, today=TODAY, **kw):  # type: ignore[no-untyped-def]
    return ha.add_action(session, ActionCreate(what=what, owner_id=owner.id, due=due, **kw), today=today,
                         now=NOW, actor=ACTOR)


# --- actions ------------------------------------------------------------------------------------------


def test_add_action_checks_owner_and_due_and_is_audited(session) -> None:  # type: ignore[no-untyped-def]
    mary = make_staff(session)
    gone = make_staff(session, first_name="Old", last_name="Timer", active=False)
    action = add(session, mary, what="  Refill the glove bins ", item_key="low:3")
    assert (action.what, action.status, action.created_on, action.item_key) == (
        "Refill the glove bins", ActionStatus.open, TODAY, "low:3")
    with pytest.raises(ServiceError, match="active staff"):
        add(session, gone)
    with pytest.raises(ServiceError, match="active staff"):
        ha.add_action(session, ActionCreate(what="x", owner_id=999, due=TODAY), today=TODAY, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="in the past"):
        add(session, mary, due=YESTERDAY)
    events = audit_events(session, "huddle_action")
    assert [(e.action, c["what"]) for e, c in events] == [("create", "Refill the glove bins")]


def test_open_actions_carry_over_until_done_by_owner_then_due(session) -> None:  # type: ignore[no-untyped-def]
    zed = make_staff(session, first_name="Zed", last_name="Adams")
    amy = make_staff(session, first_name="Amy", last_name="Zane")
    old = add(session, zed, what="Yesterday's call", due=YESTERDAY, today=YESTERDAY - timedelta(days=2))
    later = add(session, amy, what="Later", due=TODAY + timedelta(days=3))
    soon = add(session, amy, what="Soon", due=TODAY)
    done = add(session, zed, what="Done already", due=TODAY)
    ha.complete_action(session, done.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=done.version)

    rows = ha.open_actions(session, TODAY)
    assert [r.what for r in rows] == ["Soon", "Later", "Yesterday's call"]
    assert [r.owner for r in rows] == ["Amy Zane", "Amy Zane", "Zed Adams"]
    by_id = {r.action_id: r for r in rows}
    assert by_id[old.id].overdue and not by_id[soon.id].overdue and not by_id[later.id].overdue
    # The next day yesterday's actions are still there until done.
    assert [r.what for r in ha.open_actions(session, TODAY + timedelta(days=1))] == [r.what for r in rows]


def test_complete_action_sets_done_on_and_refuses_stale_and_twice(session) -> None:  # type: ignore[no-untyped-def]
    mary = make_staff(session)
    action = add(session, mary)
    version = action.version
    with pytest.raises(StaleEdit):
        ha.complete_action(session, action.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=version + 1)
    ha.complete_action(session, action.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=version)
    row = session.get(HuddleAction, action.id)
    assert (row.status, row.done_on, row.version) == (ActionStatus.done, TODAY, version + 1)
    with pytest.raises(ServiceError, match="already done"):
        ha.complete_action(session, action.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=row.version)
    with pytest.raises(ServiceError, match="no longer exists"):
        ha.complete_action(session, 999, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    done = [c for e, c in audit_events(session, "huddle_action") if e.action == "done"]
    assert done == [{"status": ["open", "done"], "done_on": [None, TODAY.isoformat()]}]
    assert ha.open_actions(session, TODAY) == []


# --- snooze -------------------------------------------------------------------------------------------


def test_snooze_must_end_after_today_and_replaces_the_earlier_one(session) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError, match="after today"):
        ha.snooze(session, "low:3", TODAY, today=TODAY, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="after today"):
        ha.snooze(session, "low:3", YESTERDAY, today=TODAY, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="item"):
        ha.snooze(session, "  ", TODAY + timedelta(days=1), today=TODAY, now=NOW, actor=ACTOR)
    assert session.exec(select(HuddleSnooze)).all() == []

    ha.snooze(session, "low:3", TODAY + timedelta(days=2), today=TODAY, now=NOW, actor=ACTOR)
    ha.snooze(session, "low:3", TODAY + timedelta(days=7), today=TODAY, now=NOW, actor=ACTOR)
    ha.snooze(session, "dbl:2", TODAY + timedelta(days=1), today=TODAY, now=NOW, actor=ACTOR)
    rows = {(s.item_key, s.until, s.created_on, s.actor) for s in session.exec(select(HuddleSnooze))}
    assert rows == {("low:3", TODAY + timedelta(days=7), TODAY, ACTOR),
                    ("dbl:2", TODAY + timedelta(days=1), TODAY, ACTOR)}
    assert len(audit_events(session, "huddle_snooze")) == 3


# --- start / mark / finish ----------------------------------------------------------------------------


def test_start_creates_todays_record_once(session) -> None:  # type: ignore[no-untyped-def]
    first = ha.start(session, TODAY, now=NOW, actor=ACTOR)
    again = ha.start(session, TODAY, now=NOW + timedelta(minutes=5), actor="someone")
    assert first.id == again.id and again.started_at == NOW and again.actor == ACTOR
    assert len(session.exec(select(HuddleRecord)).all()) == 1
    assert [e.action for e, _ in audit_events(session, "huddle")] == ["create"]


def test_mark_keeps_the_last_outcome_per_item(session) -> None:  # type: ignore[no-untyped-def]
    rec = ha.start(session, TODAY, now=NOW, actor=ACTOR)
    ha.mark(session, rec.id, "noshow:1", ReviewOutcome.reviewed, now=NOW)
    ha.mark(session, rec.id, "dbl:2", ReviewOutcome.reviewed, now=NOW)
    ha.mark(session, rec.id, "dbl:2", ReviewOutcome.action, now=NOW + timedelta(minutes=1))
    assert ha.reviewed(session, rec.id) == {"noshow:1": ReviewOutcome.reviewed, "dbl:2": ReviewOutcome.action}
    with pytest.raises(ServiceError, match="no longer exists"):
        ha.mark(session, 999, "x", ReviewOutcome.reviewed, now=NOW)


def test_finish_saves_counts_and_snapshot_and_refuses_a_second_finish(session) -> None:  # type: ignore[no-untyped-def]
    mary = make_staff(session)
    rec = ha.start(session, TODAY, now=NOW, actor=ACTOR)
    ha.mark(session, rec.id, "noshow:1", ReviewOutcome.reviewed, now=NOW)
    ha.mark(session, rec.id, "dbl:2", ReviewOutcome.action, now=NOW)
    ha.add_action(session, ActionCreate(what="Move B.C. to 11:00", owner_id=mary.id, due=TODAY, item_key="dbl:2"),
                  today=TODAY, now=NOW, actor=ACTOR, huddle_id=rec.id)
    add(session, mary, what="Not from this huddle")
    version = rec.version
    finish_at = NOW + timedelta(minutes=12)
    saved = ha.finish(session, rec.id, HuddleFinish(attendees=" Mary, Dr Who ", notes="Flu clinic Friday"),
                      sample_huddle(), now=finish_at, actor=ACTOR)
    assert (saved.finished_at, saved.attendees, saved.notes) == (finish_at, "Mary, Dr Who", "Flu clinic Friday")
    assert (saved.items_total, saved.items_reviewed, saved.actions_created) == (3, 2, 1)
    assert saved.version == version + 1
    snap = json.loads(saved.snapshot)
    assert [s["title"] for s in snap] == ["Yesterday", "Today's schedule", "Staffing"]
    assert snap[1]["items"][1] == {"text": "10:00 B.C. New patient (Dr Who)", "reason": "double-booked",
                                   "key": "dbl:2", "tab": "schedule", "urgent": True, "outcome": "action"}
    assert snap[1]["items"][0]["outcome"] == "" and snap[2]["items"] == []
    (event, changes), = [(e, c) for e, c in audit_events(session, "huddle") if e.action == "finish"]
    assert changes["items_reviewed"] == [0, 2] and "snapshot" not in changes

    with pytest.raises(ServiceError, match="already finished"):
        ha.finish(session, rec.id, HuddleFinish(), sample_huddle(), now=finish_at, actor=ACTOR)
    with pytest.raises(ServiceError, match="finished"):
        ha.start(session, TODAY, now=finish_at, actor=ACTOR)
    with pytest.raises(ServiceError, match="read-only"):
        ha.mark(session, rec.id, "slots:1", ReviewOutcome.reviewed, now=finish_at)
    assert session.get(HuddleRecord, rec.id).version == version + 1


# --- past huddles -------------------------------------------------------------------------------------


def test_past_lists_finished_huddles_newest_first_and_reads_the_snapshot_back(session) -> None:  # type: ignore[no-untyped-def]
    mary = make_staff(session)
    earlier = ha.start(session, YESTERDAY, now=NOW - timedelta(days=1), actor=ACTOR)
    ha.finish(session, earlier.id, HuddleFinish(attendees="Mary"), sample_huddle(), now=NOW - timedelta(days=1),
              actor=ACTOR)
    rec = ha.start(session, TODAY, now=NOW, actor=ACTOR)
    ha.mark(session, rec.id, "dbl:2", ReviewOutcome.action, now=NOW)
    ha.add_action(session, ActionCreate(what="Move B.C.", owner_id=mary.id, due=TODAY, item_key="dbl:2"),
                  today=TODAY, now=NOW, actor=ACTOR, huddle_id=rec.id)
    unfinished = ha.start(session, TODAY + timedelta(days=1), now=NOW, actor=ACTOR)
    ha.finish(session, rec.id, HuddleFinish(attendees="Mary, Dr Who", notes="Short day"), sample_huddle(),
              now=NOW + timedelta(minutes=9), actor=ACTOR)

    summaries = ha.past(session)
    assert [s.day for s in summaries] == [TODAY, YESTERDAY]
    assert unfinished.id not in {s.huddle_id for s in summaries}
    assert (summaries[0].attendees, summaries[0].items_total, summaries[0].items_reviewed,
            summaries[0].actions_created) == ("Mary, Dr Who", 3, 1, 1)
    assert [s.day for s in ha.past(session, limit=1)] == [TODAY]

    detail = ha.past_detail(session, rec.id, actor=ACTOR)
    assert detail.summary == summaries[0] and detail.notes == "Short day"
    assert detail.sections == [
        ("Yesterday", [("09:00 A.L. Follow-up (Dr Who)", "no-show Fri 11/20", "")]),
        ("Today's schedule", [("Dr Who: 8 booked, 2 open slots", "open slots to fill", ""),
                              ("10:00 B.C. New patient (Dr Who)", "double-booked", "action")]),
        ("Staffing", []),
    ]
    assert [(a.what, a.owner, a.item_key) for a in detail.actions] == [("Move B.C.", "Mary Jones", "dbl:2")]
    with pytest.raises(ServiceError):
        ha.past_detail(session, 999, actor=ACTOR)

    # A snapshot saved before such text was refused shows its ESC spelled out (JSON decodes \u001b to the real one).
    session.connection().execute(text("UPDATE huddle SET snapshot = :snapshot WHERE id = :id"), {
        "snapshot": '[{"title": "Today\\u001b]0;x", '
                    '"items": [{"text": "A\\u001b[2J", "reason": "r", "outcome": null}]}]',
        "id": rec.id})
    session.expire_all()
    assert ha.past_detail(session, rec.id, actor=ACTOR).sections == [("Today\\x1b]0;x", [("A\\x1b[2J", "r", "")])]

    # Each person sees the items of the tabs they may open: the front desk, no claims.
    saved = json.dumps([
        {"title": "Today's schedule", "items": [{"text": "Dr Who: 8 booked", "reason": "r", "tab": "schedule"}]},
        {"title": "Billing", "items": [{"text": "Claim C1: deadline in 3 days", "reason": "r", "tab": "billing"}]},
    ])
    session.connection().execute(text("UPDATE huddle SET snapshot = :snapshot WHERE id = :id"),
                                 {"snapshot": saved, "id": rec.id})
    session.expire_all()
    desk = Actor("kim", {UserRole.front_desk}, workstation="desk1")
    assert [title for title, _ in ha.past_detail(session, rec.id, actor=desk).sections] == ["Today's schedule"]
    assert [title for title, _ in ha.past_detail(session, rec.id, actor=ACTOR).sections] == ["Today's schedule",
                                                                                              "Billing"]


# --- read models for the review and the sheet ---------------------------------------------------------


def test_start_review_starts_or_resumes_with_the_outcomes_and_the_owners(session) -> None:  # type: ignore[no-untyped-def]
    mary = make_staff(session)
    make_staff(session, first_name="Old", last_name="Timer", active=False)
    first = ha.start_review(session, TODAY, now=NOW, actor=ACTOR)
    assert (first.started_at, first.outcomes, first.owners, first.on_shift) == (NOW, {}, [(mary.name, mary.id)], "")
    ha.mark(session, first.huddle_id, "dbl:2", ReviewOutcome.action, now=NOW)
    again = ha.start_review(session, TODAY, now=NOW + timedelta(minutes=5), actor="someone")
    assert (again.huddle_id, again.started_at, again.outcomes) == (
        first.huddle_id, NOW, {"dbl:2": ReviewOutcome.action})


@pytest.mark.parametrize(("today", "due"), [
    (TODAY, TODAY + timedelta(days=1)),                # Monday: Tuesday
    (date(2026, 11, 20), TODAY),                       # Friday: Monday
    (date(2026, 11, 25), date(2026, 11, 27)),          # the day before Thanksgiving: Friday
    (date(2026, 12, 31), date(2027, 1, 4)),            # over New Year's Day (a Friday) and the weekend
])
def test_an_action_is_due_by_default_on_the_next_business_day(session, today, due) -> None:  # type: ignore[no-untyped-def]
    assert ha.start_review(session, today, now=NOW, actor=ACTOR).action_due == due


def test_finished_record_is_only_a_finished_huddle_of_that_day(session) -> None:  # type: ignore[no-untyped-def]
    assert ha.finished_record(session, TODAY) is None
    rec = ha.start(session, TODAY, now=NOW, actor=ACTOR)
    assert ha.finished_record(session, TODAY) is None  # still running
    ha.mark(session, rec.id, "dbl:2", ReviewOutcome.reviewed, now=NOW)
    ha.finish(session, rec.id, HuddleFinish(attendees="Mary", notes="Short day"), sample_huddle(), now=NOW,
              actor=ACTOR)
    assert ha.finished_record(session, TODAY) == ha.FinishedHuddle(TODAY, "Mary", "Short day", 3, 1, 0)
    assert ha.finished_record(session, YESTERDAY) is None
