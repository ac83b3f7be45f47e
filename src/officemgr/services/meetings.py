"""Staff meetings (issue 23, part 7): planned ahead with an agenda, held (minutes, who attended), then finished and
read-only like a finished huddle. The actions agreed at a meeting are huddle actions carrying the meeting's id, so
they come back on the Huddle under open actions until done, the same way as the huddle's own.

Anyone signed in may read the meetings (the staff area is everyone's to see); only the manager writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlmodel import Session, col, func, select

from officemgr.models import Staff
from officemgr.models.huddle import ActionCreate, ActionStatus, HuddleAction
from officemgr.models.lifecycle import MeetingAttendee, StaffMeeting
from officemgr.models.people import employed_on
from officemgr.models.validation import require_text, strip_free_text
from officemgr.services import huddle_actions
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, apply_update, first_error, record

DEFAULT_TITLE = "Monthly staff meeting"


class MeetingWrite(BaseModel):
    """A meeting as the form saves it, ahead (agenda) or while it is held (minutes, who attended)."""

    day: date
    title: str = Field(max_length=120)
    agenda: str = Field(default="", max_length=4000)
    minutes: str = Field(default="", max_length=8000)
    attendee_ids: list[int] = Field(default_factory=list)

    _title = field_validator("title", mode="before")(lambda v: require_text(str(v or "")))
    _free = field_validator("agenda", "minutes", mode="before")(
        lambda v: strip_free_text(None if v is None else str(v)))


@dataclass(frozen=True)
class MeetingRow:
    meeting_id: int
    version: int
    day: date
    title: str
    attendees: int
    actions_open: int
    finished: bool


@dataclass(frozen=True)
class MeetingDetail:
    meeting_id: int
    version: int
    day: date
    title: str
    agenda: str
    minutes: str
    attendee_ids: list[int]
    attendee_names: list[str]
    finished_at: datetime | None
    actions: list[huddle_actions.ActionRow]
    staff: list[tuple[str, int]]  # the active staff as (name, id): who may attend or own an action

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


def _validated(data: MeetingWrite) -> MeetingWrite:
    try:
        return MeetingWrite.model_validate(data.model_dump())
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from None


def _check_attendees(session: Session, ids: list[int]) -> list[int]:
    unique = list(dict.fromkeys(ids))
    if not unique:
        return []
    active = set(session.exec(select(Staff.id).where(col(Staff.id).in_(unique), Staff.active)))
    if len(active) != len(unique):
        raise ServiceError("attendees are chosen from the active staff list; someone chosen has left — reload")
    return unique


def _set_attendees(session: Session, meeting_id: int, ids: list[int], *, now: datetime, actor: str) -> None:
    """Make the attendees `ids`: each row added or removed is audited on its own."""
    query = select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting_id)
    rows = {r.staff_id: r for r in session.exec(query)}
    for staff_id, row in rows.items():
        if staff_id not in ids:
            assert row.id is not None, "rows read have ids"
            record(session, actor=actor, entity="meeting_attendee", entity_id=row.id, action="delete",
                   changes={"meeting_id": meeting_id, "staff_id": staff_id}, now=now)
            session.delete(row)
    added = [MeetingAttendee(meeting_id=meeting_id, staff_id=staff_id) for staff_id in ids if staff_id not in rows]
    session.add_all(added)
    session.flush()
    for new in added:
        assert new.id is not None, "flushed"
        record(session, actor=actor, entity="meeting_attendee", entity_id=new.id, action="create",
               changes={"meeting_id": meeting_id, "staff_id": new.staff_id}, now=now)


def _attendee_ids(session: Session, meeting_id: int) -> list[int]:
    return list(session.exec(select(MeetingAttendee.staff_id).where(MeetingAttendee.meeting_id == meeting_id)
                             .order_by(col(MeetingAttendee.id))))


def _open_meeting(session: Session, meeting_id: int) -> StaffMeeting:
    row = session.get(StaffMeeting, meeting_id)
    if row is None:
        raise ServiceError("that meeting no longer exists — reload")
    if row.finished_at is not None:
        raise ServiceError(f"that meeting was finished on {row.finished_at:%m/%d/%Y} and is read-only")
    return row


def create_meeting(session: Session, data: MeetingWrite, *, now: datetime, actor: str) -> int:
    """Plan (or record) a meeting; returns its id."""
    require(actor, Area.staff, what="planning a staff meeting")
    data = _validated(data)
    attendees = _check_attendees(session, data.attendee_ids)
    row = StaffMeeting(day=data.day, title=data.title, agenda=data.agenda, minutes=data.minutes, actor=actor)
    session.add(row)
    session.flush()
    assert row.id is not None, "the flush gives the new row its id"
    _set_attendees(session, row.id, attendees, now=now, actor=actor)
    record(session, actor=actor, entity="staff_meeting", entity_id=row.id, action="create",
           changes={"day": data.day, "title": data.title, "agenda": data.agenda, "minutes": data.minutes,
                    "attendees": attendees}, now=now)
    session.commit()
    return row.id


def update_meeting(session: Session, meeting_id: int, data: MeetingWrite, *, now: datetime, actor: str,
                   expected_version: int | None = None) -> None:
    """Change the agenda, minutes, attendees, title or day of a meeting not yet finished."""
    require(actor, Area.staff, what="changing a staff meeting")
    data = _validated(data)
    row = _open_meeting(session, meeting_id)
    attendees = _check_attendees(session, data.attendee_ids)
    changes = apply_update(row, {"day": data.day, "title": data.title, "agenda": data.agenda,
                                 "minutes": data.minutes}, expected_version=expected_version)
    before = _attendee_ids(session, meeting_id)
    if sorted(before) != sorted(attendees):
        _set_attendees(session, meeting_id, attendees, now=now, actor=actor)
        changes["attendees"] = [before, attendees]
    if not changes:
        return
    record(session, actor=actor, entity="staff_meeting", entity_id=meeting_id, action="update", changes=changes,
           now=now)
    session.commit()


def add_meeting_action(session: Session, meeting_id: int, data: ActionCreate, *, today: date, now: datetime,
                       actor: str) -> int:
    """An action agreed at the meeting: a huddle action (owner, due date) that carries the meeting's id."""
    require(actor, Area.staff, what="adding a meeting's action")
    _open_meeting(session, meeting_id)
    action = huddle_actions.add_action(session, data, today=today, now=now, actor=actor, meeting_id=meeting_id)
    assert action.id is not None, "add_action commits the new row"
    return action.id


def finish_meeting(session: Session, meeting_id: int, *, now: datetime, actor: str,
                   expected_version: int | None = None) -> None:
    """Close the meeting: it needs its minutes and who attended; read-only afterwards."""
    require(actor, Area.staff, what="finishing a staff meeting")
    row = _open_meeting(session, meeting_id)
    if row.day > now.date():
        raise ServiceError(f"the meeting is on {row.day:%m/%d/%Y}: finish it once it is held")
    if not row.minutes.strip():
        raise ServiceError("write the minutes before finishing the meeting")
    if not _attendee_ids(session, meeting_id):
        raise ServiceError("tick who attended before finishing the meeting")
    changes = apply_update(row, {"finished_at": now}, expected_version=expected_version)
    record(session, actor=actor, entity="staff_meeting", entity_id=meeting_id, action="finish", changes=changes,
           now=now)
    session.commit()


def meetings(session: Session, *, actor: str, limit: int = 200) -> list[MeetingRow]:
    """Meetings newest first, with how many attended and how many of their actions are still open."""
    require(actor, Area.staff, write=False, what="seeing staff meetings")
    rows = session.exec(select(StaffMeeting).order_by(col(StaffMeeting.day).desc(), col(StaffMeeting.id).desc())
                        .limit(limit)).all()
    ids = [r.id for r in rows]
    attended = dict(session.exec(select(MeetingAttendee.meeting_id, func.count()).where(
        col(MeetingAttendee.meeting_id).in_(ids)).group_by(col(MeetingAttendee.meeting_id))).all())
    open_actions = dict(session.exec(select(HuddleAction.meeting_id, func.count()).where(
        col(HuddleAction.meeting_id).in_(ids), HuddleAction.status == ActionStatus.open)
        .group_by(col(HuddleAction.meeting_id))).all())
    found = []
    for r in rows:
        assert r.id is not None, "rows read have ids"
        found.append(MeetingRow(r.id, r.version, r.day, r.title, int(attended.get(r.id, 0)),
                                int(open_actions.get(r.id, 0)), r.finished_at is not None))
    return found


def meeting_detail(session: Session, meeting_id: int, today: date, *, actor: str) -> MeetingDetail:
    require(actor, Area.staff, write=False, what="seeing staff meetings")
    row = session.get(StaffMeeting, meeting_id)
    if row is None:
        raise ServiceError("that meeting no longer exists — reload")
    ids = _attendee_ids(session, meeting_id)
    names = {p.id: p.name for p in session.exec(select(Staff).where(col(Staff.id).in_(ids)))}
    return MeetingDetail(meeting_id, row.version, row.day, row.title, row.agenda, row.minutes, ids,
                         [names[i] for i in ids if i in names], row.finished_at,
                         huddle_actions.meeting_actions(session, meeting_id, today), active_staff(session, today))


def active_staff(session: Session, today: date) -> list[tuple[str, int]]:
    """The active staff still employed as (name, id), by last name: who may attend a meeting or own its action."""
    people = session.exec(select(Staff).where(Staff.active, employed_on(today))
                          .order_by(col(Staff.last_name), col(Staff.first_name)))
    return [(p.name, p.id) for p in people if p.id is not None]
