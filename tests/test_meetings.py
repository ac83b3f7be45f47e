"""Staff meetings (issue 23, part 7): agenda ahead, minutes and attendees when held, finished and read-only; their
actions are huddle actions and come back on the Huddle's open actions."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from factories import NOW, TODAY, audit_events, make_staff
from officemgr.checklist import checklist_path, load_checklist
from officemgr.models import UserRole
from officemgr.models.huddle import ActionCreate, ActionStatus, HuddleAction
from officemgr.models.lifecycle import MeetingAttendee, StaffMeeting
from officemgr.services import huddle, huddle_actions, meetings
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError, first_error
from officemgr.services.meetings import MeetingWrite

MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
LATER = datetime(2026, 11, 23, 13, 0)


def meeting(**more: Any) -> MeetingWrite:
    values: dict[str, Any] = {"day": TODAY, "title": "Monthly staff meeting", "agenda": "1. Flu clinic 2. Holidays"}
    values.update(more)
    return MeetingWrite.model_validate(values)


def test_a_meeting_is_planned_held_and_finished_then_read_only(session: Session) -> None:
    ann = make_staff(session, first_name="Ann", last_name="Lee")
    bob = make_staff(session, first_name="Bob", last_name="Ray")
    assert ann.id is not None and bob.id is not None
    meeting_id = meetings.create_meeting(session, meeting(), now=NOW, actor=MANAGER)
    meetings.update_meeting(session, meeting_id, meeting(minutes="Flu clinic on Saturdays in December",
                                                         attendee_ids=[bob.id, ann.id, bob.id]),
                            now=NOW, actor=MANAGER)
    detail = meetings.meeting_detail(session, meeting_id, TODAY, actor=MANAGER)
    assert (detail.minutes, detail.attendee_ids, detail.attendee_names) == (
        "Flu clinic on Saturdays in December", [bob.id, ann.id], ["Bob Ray", "Ann Lee"])

    meetings.finish_meeting(session, meeting_id, now=LATER, actor=MANAGER, expected_version=detail.version)

    row = session.get(StaffMeeting, meeting_id)
    assert row is not None and row.finished_at == LATER
    with pytest.raises(ServiceError, match="finished on 11/23/2026 and is read-only"):
        meetings.update_meeting(session, meeting_id, meeting(minutes="changed"), now=LATER, actor=MANAGER)
    with pytest.raises(ServiceError, match="read-only"):
        meetings.add_meeting_action(session, meeting_id, ActionCreate(what="x", owner_id=ann.id, due=TODAY),
                                    today=TODAY, now=LATER, actor=MANAGER)
    with pytest.raises(ServiceError, match="read-only"):
        meetings.finish_meeting(session, meeting_id, now=LATER, actor=MANAGER)
    session.refresh(row)
    assert row.minutes == "Flu clinic on Saturdays in December"
    assert [e.action for e, _ in audit_events(session, "staff_meeting")] == ["create", "update", "finish"]
    [(_, changes)] = [(e, c) for e, c in audit_events(session, "staff_meeting") if e.action == "update"]
    assert changes["attendees"] == [[], [bob.id, ann.id]]


def test_finishing_needs_minutes_attendees_and_the_day_to_have_come(session: Session) -> None:
    ann = make_staff(session)
    assert ann.id is not None
    ahead = meetings.create_meeting(session, meeting(day=TODAY + timedelta(days=1), minutes="x",
                                                     attendee_ids=[ann.id]), now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="on 11/24/2026: finish it once it is held"):
        meetings.finish_meeting(session, ahead, now=NOW, actor=MANAGER)
    bare = meetings.create_meeting(session, meeting(), now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="write the minutes"):
        meetings.finish_meeting(session, bare, now=NOW, actor=MANAGER)
    meetings.update_meeting(session, bare, meeting(minutes="Held"), now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="tick who attended"):
        meetings.finish_meeting(session, bare, now=NOW, actor=MANAGER)
    assert session.exec(select(StaffMeeting).where(StaffMeeting.finished_at != None)).all() == []  # noqa: E711


@pytest.mark.parametrize(("change", "message"), [
    ({"title": "  "}, "title: this field is required"),
    ({"title": "x" * 121}, "title"),
    ({"agenda": "x" * 4001}, "agenda"),
    ({"minutes": "x" * 8001}, "minutes"),
    ({"title": "Staff \x1b[31m meeting"}, "title"),
    ({"day": "someday"}, "day"),
])
def test_bad_input_is_refused_and_nothing_saved(session: Session, change: dict[str, Any], message: str) -> None:
    values = {"day": TODAY, "title": "Staff meeting"} | change
    with pytest.raises(ServiceError, match=message):
        try:
            data = MeetingWrite.model_validate(values)
        except ValidationError as exc:
            raise ServiceError(first_error(exc)) from None
        meetings.create_meeting(session, data, now=NOW, actor=MANAGER)
    assert session.exec(select(StaffMeeting)).all() == []


def test_attendees_come_from_the_active_staff(session: Session) -> None:
    gone = make_staff(session, first_name="Gone", last_name="Away", active=False)
    assert gone.id is not None
    with pytest.raises(ServiceError, match="active staff list"):
        meetings.create_meeting(session, meeting(attendee_ids=[gone.id]), now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="active staff list"):
        meetings.create_meeting(session, meeting(attendee_ids=[9999]), now=NOW, actor=MANAGER)
    assert session.exec(select(StaffMeeting)).all() == [] and session.exec(select(MeetingAttendee)).all() == []


def test_meeting_actions_come_back_on_the_huddle_until_done(session: Session) -> None:
    ann = make_staff(session, first_name="Ann", last_name="Lee")
    assert ann.id is not None
    meeting_id = meetings.create_meeting(session, meeting(day=TODAY - timedelta(days=7), minutes="Held",
                                                          attendee_ids=[ann.id]), now=NOW, actor=MANAGER)
    first = meetings.add_meeting_action(session, meeting_id, ActionCreate(what="Order flu signs", owner_id=ann.id,
                                                                          due=TODAY), today=TODAY - timedelta(days=7),
                                        now=NOW, actor=MANAGER)
    meetings.add_meeting_action(session, meeting_id, ActionCreate(what="Book the CPR class", owner_id=ann.id,
                                                                  due=TODAY + timedelta(days=3)), today=TODAY,
                                now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="in the past"):
        meetings.add_meeting_action(session, meeting_id, ActionCreate(what="Late", owner_id=ann.id,
                                                                      due=TODAY - timedelta(days=1)),
                                    today=TODAY, now=NOW, actor=MANAGER)
    stored = session.exec(select(HuddleAction)).all()
    assert {(a.what, a.meeting_id, a.huddle_id) for a in stored} == {
        ("Order flu signs", meeting_id, None), ("Book the CPR class", meeting_id, None)}

    board = huddle.huddle(session, TODAY, actor=MANAGER)
    assert [a.what for a in huddle_actions.open_actions(session, TODAY)] == ["Order flu signs", "Book the CPR class"]
    assert "Order flu signs" in [i.text for s in board.sections for i in s.items]
    [row] = meetings.meetings(session, actor=MANAGER)
    assert (row.attendees, row.actions_open, row.finished) == (1, 2, False)

    action = session.get(HuddleAction, first)
    assert action is not None
    huddle_actions.complete_action(session, first, today=TODAY, now=NOW, actor=MANAGER,
                                   expected_version=action.version)
    assert [a.what for a in huddle_actions.open_actions(session, TODAY)] == ["Book the CPR class"]
    detail = meetings.meeting_detail(session, meeting_id, TODAY, actor=MANAGER)
    assert [(a.what, a.status) for a in detail.actions] == [("Order flu signs", ActionStatus.done),
                                                            ("Book the CPR class", ActionStatus.open)]
    assert meetings.meetings(session, actor=MANAGER)[0].actions_open == 1


@pytest.mark.parametrize("role", [UserRole.front_desk, UserRole.biller, UserRole.clinical, UserRole.auditor])
def test_others_read_meetings_but_only_the_manager_writes(session: Session, role: UserRole) -> None:
    ann = make_staff(session)
    assert ann.id is not None
    other = Actor("sam", {role}, name="Sam", workstation="desk")
    meeting_id = meetings.create_meeting(session, meeting(), now=NOW, actor=MANAGER)
    assert [m.meeting_id for m in meetings.meetings(session, actor=other)] == [meeting_id]
    assert meetings.meeting_detail(session, meeting_id, TODAY, actor=other).title == "Monthly staff meeting"
    with pytest.raises(NotAllowed):
        meetings.create_meeting(session, meeting(), now=NOW, actor=other)
    with pytest.raises(NotAllowed):
        meetings.update_meeting(session, meeting_id, meeting(minutes="x"), now=NOW, actor=other)
    with pytest.raises(NotAllowed):
        meetings.add_meeting_action(session, meeting_id, ActionCreate(what="x", owner_id=ann.id, due=TODAY),
                                    today=TODAY, now=NOW, actor=other)
    with pytest.raises(NotAllowed):
        meetings.finish_meeting(session, meeting_id, now=NOW, actor=other)
    assert len(session.exec(select(StaffMeeting)).all()) == 1


def test_the_shipped_checklist_has_a_monthly_staff_meeting_with_minutes() -> None:
    rows = {r.title: r for r in load_checklist(checklist_path())}
    row = rows["Monthly staff meeting"]
    assert (row.category, row.rrule, row.owner_role) == ("hr", "FREQ=MONTHLY", "manager")
    assert "minutes" in row.evidence.lower()
    with open(checklist_path(), newline="") as handle:
        assert sum(1 for r in csv.DictReader(handle) if r["title"] == "Monthly staff meeting") == 1


def test_meetings_list_newest_first(session: Session) -> None:
    older = meetings.create_meeting(session, meeting(day=date(2026, 10, 26)), now=NOW, actor=MANAGER)
    newer = meetings.create_meeting(session, meeting(day=date(2026, 12, 21)), now=NOW, actor=MANAGER)
    assert [m.meeting_id for m in meetings.meetings(session, actor=MANAGER)] == [newer, older]
