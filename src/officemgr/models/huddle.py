"""What the morning huddle decides and keeps: actions with an owner and a due date, snoozed items, and the
saved record of each huddle (who attended, notes, what was reviewed)."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import NaiveDatetime, field_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned, enum_field
from officemgr.models.validation import require_text, strip_free_text, strip_text


class ActionStatus(str, enum.Enum):
    open = "open"
    done = "done"


class ReviewOutcome(str, enum.Enum):
    reviewed = "reviewed"
    action = "action"
    snoozed = "snoozed"


class HuddleAction(Versioned, table=True):
    """Something a person agreed to do at a huddle; open ones come back under "Yesterday" until done."""

    __tablename__ = "huddle_action"
    id: int | None = Field(default=None, primary_key=True)
    what: str = Field(max_length=200)
    owner_id: int = Field(foreign_key="staff.id", index=True)
    due: date = Field(index=True)
    status: ActionStatus = enum_field(ActionStatus, default=ActionStatus.open, index=True)
    created_on: date
    done_on: date | None = None
    # The huddle item it came from (HuddleItem.key), so the action can link back to the record.
    item_key: str = Field(default="", max_length=120)
    huddle_id: int | None = Field(default=None, foreign_key="huddle.id")
    meeting_id: int | None = Field(default=None, foreign_key="staff_meeting.id")  # agreed at a staff meeting


class ActionCreate(SQLModel):
    what: str = Field(max_length=200)
    owner_id: int
    due: date
    item_key: str = Field(default="", max_length=120)

    _what = field_validator("what")(require_text)
    _key = field_validator("item_key")(strip_text)


class HuddleSnooze(SQLModel, table=True):
    """An item set aside until a date: it stays off the huddle until then."""

    __tablename__ = "huddle_snooze"
    id: int | None = Field(default=None, primary_key=True)
    item_key: str = Field(max_length=120, index=True)
    until: date = Field(index=True)
    created_on: date
    actor: str = Field(max_length=60)


class HuddleRecord(Versioned, table=True):
    """One day's huddle; saved when finished and read-only afterwards."""

    __tablename__ = "huddle"
    __table_args__ = (UniqueConstraint("day", name="uq_huddle_day"),)
    id: int | None = Field(default=None, primary_key=True)
    day: date
    started_at: NaiveDatetime
    finished_at: NaiveDatetime | None = None
    attendees: str = Field(default="", max_length=500)
    notes: str = Field(default="", max_length=2000)
    items_total: int = 0
    items_reviewed: int = 0
    actions_created: int = 0
    # The items as they stood when the huddle finished (JSON), so a past huddle reads the same later.
    snapshot: str = Field(default="[]")
    actor: str = Field(default="", max_length=60)


class HuddleFinish(SQLModel):
    attendees: str = Field(default="", max_length=500)
    notes: str = Field(default="", max_length=2000)

    _text = field_validator("attendees")(strip_text)
    _notes = field_validator("notes")(strip_free_text)


class HuddleReview(SQLModel, table=True):
    """What was decided on one item during a huddle."""

    __tablename__ = "huddle_review"
    id: int | None = Field(default=None, primary_key=True)
    huddle_id: int = Field(foreign_key="huddle.id", index=True)
    item_key: str = Field(max_length=120)
    outcome: ReviewOutcome = enum_field(ReviewOutcome)
    at: NaiveDatetime
