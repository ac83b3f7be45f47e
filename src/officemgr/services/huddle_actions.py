"""What a huddle decides and keeps: actions (owner, due date) that carry over until done, snoozed items,
and the saved record of each huddle (attendees, notes, what was reviewed, the items as they stood)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlmodel import Session, col, delete, func, select

from officemgr.models import Staff
from officemgr.models.huddle import (
    ActionCreate,
    ActionStatus,
    HuddleAction,
    HuddleFinish,
    HuddleRecord,
    HuddleReview,
    HuddleSnooze,
    ReviewOutcome,
)
from officemgr.plaintext import visible_values
from officemgr.services import huddle_sheet, staff
from officemgr.services.access import TAB_AREA, may
from officemgr.services.calendar import practice_calendar
from officemgr.services.common import ServiceError, StaleEdit, apply_update, create, first_error, record

if TYPE_CHECKING:  # huddle.py may read the actions and snoozes kept here; no import cycle at run time.
    from officemgr.services.huddle import Huddle


# --- actions ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    action_id: int
    version: int
    what: str
    owner_id: int
    owner: str
    due: date
    status: ActionStatus
    created_on: date
    item_key: str
    overdue: bool


def _row(action: HuddleAction, owner: Staff, today: date) -> ActionRow:
    return ActionRow(
        action_id=action.id or 0, version=action.version, what=action.what, owner_id=action.owner_id,
        owner=owner.name, due=action.due, status=action.status, created_on=action.created_on,
        item_key=action.item_key, overdue=action.status is ActionStatus.open and action.due < today,
    )


def add_action(session: Session, data: ActionCreate, *, today: date, now: datetime, actor: str,
               huddle_id: int | None = None, meeting_id: int | None = None) -> HuddleAction:
    """A new open action; the owner must be an active staff member and the due date today or later.

    `huddle_id` or `meeting_id` says where it was agreed (the caller checks a meeting is still open)."""
    try:
        data = ActionCreate.model_validate(data.model_dump())
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from None
    owner = session.get(Staff, data.owner_id)
    if owner is None or not owner.active:
        raise ServiceError("an action needs an owner from the active staff list")
    if data.due < today:
        raise ServiceError(f"the due date {data.due:%m/%d/%Y} is in the past")
    if huddle_id is not None and session.get(HuddleRecord, huddle_id) is None:
        raise ServiceError("that huddle no longer exists")
    action = HuddleAction(what=data.what, owner_id=data.owner_id, due=data.due, item_key=data.item_key,
                          created_on=today, huddle_id=huddle_id, meeting_id=meeting_id)
    create(session, action, entity="huddle_action", actor=actor, now=now)
    return action


def complete_action(session: Session, action_id: int, *, today: date, now: datetime, actor: str,
                    expected_version: int) -> None:
    action = session.get(HuddleAction, action_id)
    if action is None:
        raise ServiceError("that action no longer exists")
    if action.version != expected_version:
        raise StaleEdit()
    if action.status is ActionStatus.done:
        raise ServiceError(f"that action was already done on {action.done_on:%m/%d/%Y}")
    changes = apply_update(action, {"status": ActionStatus.done, "done_on": today}, expected_version=expected_version)
    record(session, actor=actor, entity="huddle_action", entity_id=action_id, action="done", changes=changes, now=now)
    session.commit()


def open_actions(session: Session, today: date) -> list[ActionRow]:
    """Every open action (yesterday's included, until done), by owner name then due date."""
    rows = session.exec(
        select(HuddleAction, Staff).join(Staff, col(Staff.id) == col(HuddleAction.owner_id))
        .where(HuddleAction.status == ActionStatus.open)
        .order_by(col(Staff.first_name), col(Staff.last_name), col(Staff.id), col(HuddleAction.due),
                  col(HuddleAction.id))
    ).all()
    return [_row(action, owner, today) for action, owner in rows]


def meeting_actions(session: Session, meeting_id: int, today: date) -> list[ActionRow]:
    """The actions agreed at a staff meeting, done or open, by due date."""
    rows = session.exec(
        select(HuddleAction, Staff).join(Staff, col(Staff.id) == col(HuddleAction.owner_id))
        .where(HuddleAction.meeting_id == meeting_id).order_by(col(HuddleAction.due), col(HuddleAction.id))
    ).all()
    return [_row(action, owner, today) for action, owner in rows]


# --- snoozes ------------------------------------------------------------------------------------------


def snooze(session: Session, item_key: str, until: date, *, today: date, now: datetime, actor: str) -> None:
    """Set an item aside until a later date; a newer snooze of the same item replaces the earlier one."""
    item_key = item_key.strip()
    if not item_key:
        raise ServiceError("only an item of the huddle can be snoozed")
    if until <= today:
        raise ServiceError(f"snooze until a day after today, not {until:%m/%d/%Y}")
    session.execute(delete(HuddleSnooze).where(col(HuddleSnooze.item_key) == item_key))
    row = HuddleSnooze(item_key=item_key, until=until, created_on=today, actor=actor)
    create(session, row, entity="huddle_snooze", actor=actor, now=now)


# --- the saved huddle ---------------------------------------------------------------------------------


def _huddle_record(session: Session, huddle_id: int) -> HuddleRecord:
    row = session.get(HuddleRecord, huddle_id)
    if row is None:
        raise ServiceError("that huddle no longer exists")
    return row


def start(session: Session, today: date, *, now: datetime, actor: str) -> HuddleRecord:
    """Today's huddle record, created on first use; a finished huddle is not started again."""
    row = session.exec(select(HuddleRecord).where(HuddleRecord.day == today)).first()
    if row is not None:
        if row.finished_at is not None:
            raise ServiceError(f"today's huddle was finished at {row.finished_at:%H:%M}; open it under past huddles")
        return row
    row = HuddleRecord(day=today, started_at=now, actor=actor)
    create(session, row, entity="huddle", actor=actor, now=now)
    return row


@dataclass(frozen=True)
class ReviewStart:
    """Today's huddle as review mode takes it up: what was decided so far, and who can be given an action."""

    huddle_id: int
    started_at: datetime
    outcomes: dict[str, ReviewOutcome]
    owners: list[tuple[str, int]]  # active staff as (name, id), the owners an action can have
    on_shift: str  # today's staff on shift, for the attendees line
    action_due: date  # the next business day of the practice calendar: an action's default due date


def start_review(session: Session, today: date, *, now: datetime, actor: str) -> ReviewStart:
    """Start (or resume) today's huddle and read what its review needs."""
    row = start(session, today, now=now, actor=actor)
    assert row.id is not None
    owners = [(person.name, person.id) for person in staff.active_staff(session, today) if person.id is not None]
    on_shift = ", ".join(r.name for r in staff.roster_day(session, today) if r.working)
    action_due = practice_calendar(session).add_business_days(today, 1)
    return ReviewStart(row.id, row.started_at, reviewed(session, row.id), owners, on_shift, action_due)


def mark(session: Session, huddle_id: int, item_key: str, outcome: ReviewOutcome, *, now: datetime,
         actor: str | None = None) -> None:
    """Record what was decided on one item; marking it again replaces the earlier outcome.

    Audited on the huddle; `actor` defaults to whoever started the huddle (the person running it)."""
    row = _huddle_record(session, huddle_id)
    if row.finished_at is not None:
        raise ServiceError("that huddle is finished and read-only")
    outcome = ReviewOutcome(outcome)
    review = session.exec(select(HuddleReview).where(HuddleReview.huddle_id == huddle_id,
                                                     HuddleReview.item_key == item_key)).first()
    if review is None:
        session.add(HuddleReview(huddle_id=huddle_id, item_key=item_key, outcome=outcome, at=now))
    else:
        review.outcome = outcome
        review.at = now
        session.add(review)
    record(session, actor=actor or row.actor, entity="huddle", entity_id=huddle_id, action="mark",
           changes={"item": item_key, "outcome": outcome}, now=now)
    session.commit()


def reviewed(session: Session, huddle_id: int) -> dict[str, ReviewOutcome]:
    rows = session.exec(select(HuddleReview).where(HuddleReview.huddle_id == huddle_id)
                        .order_by(col(HuddleReview.at), col(HuddleReview.id))).all()
    return {r.item_key: r.outcome for r in rows}


def _snapshot(h: Huddle, outcomes: dict[str, ReviewOutcome]) -> list[dict[str, Any]]:
    sections = []
    for s in huddle_sheet.for_paper(h).sections:  # the record of the meeting keeps what the team saw, as the sheet does
        items = []
        for item in s.items:
            key = getattr(item, "key", "") or ""
            outcome = outcomes.get(key) if key else None
            items.append({"text": item.text, "reason": item.reason, "key": key, "tab": item.tab,
                          "urgent": item.urgent, "outcome": outcome.value if outcome else ""})
        sections.append({"key": s.key, "title": s.title, "empty": s.empty, "items": items})
    return sections


def finish(session: Session, huddle_id: int, data: HuddleFinish, snapshot: Huddle, *, now: datetime,
           actor: str) -> HuddleRecord:
    """Save the huddle: attendees, notes, counts and the items as they stand; read-only afterwards."""
    try:
        data = HuddleFinish.model_validate(data.model_dump())
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from None
    row = _huddle_record(session, huddle_id)
    if row.finished_at is not None:
        raise ServiceError(f"that huddle was already finished at {row.finished_at:%H:%M}")
    outcomes = reviewed(session, huddle_id)
    actions = session.exec(select(func.count()).select_from(HuddleAction)
                           .where(HuddleAction.huddle_id == huddle_id)).one()
    values = {
        "finished_at": now, "attendees": data.attendees, "notes": data.notes, "items_total": snapshot.total,
        "items_reviewed": len(outcomes), "actions_created": int(actions),
        "snapshot": json.dumps(_snapshot(snapshot, outcomes)), "actor": actor,
    }
    changes = apply_update(row, values, expected_version=None)
    changes.pop("snapshot", None)  # the audit keeps the counts; the items themselves live on the record
    record(session, actor=actor, entity="huddle", entity_id=huddle_id, action="finish", changes=changes, now=now)
    session.commit()
    return row


@dataclass(frozen=True)
class HuddleSummary:
    huddle_id: int
    day: date
    attendees: str
    items_total: int
    items_reviewed: int
    actions_created: int
    finished_at: datetime | None


@dataclass(frozen=True)
class PastHuddle:
    summary: HuddleSummary
    notes: str
    # (section title, [(item text, reason, outcome or "")])
    sections: list[tuple[str, list[tuple[str, str, str]]]]
    actions: list[ActionRow]


@dataclass(frozen=True)
class FinishedHuddle:
    """A finished huddle as its sheet prints it."""

    day: date
    attendees: str
    notes: str
    items_total: int
    items_reviewed: int
    actions_created: int


def finished_record(session: Session, day: date) -> FinishedHuddle | None:
    """The huddle of `day` if it was finished, else None (not held, or still running)."""
    row = session.exec(select(HuddleRecord).where(HuddleRecord.day == day)).first()
    if row is None or row.finished_at is None:
        return None
    return FinishedHuddle(row.day, row.attendees, row.notes, row.items_total, row.items_reviewed,
                          row.actions_created)


def _summary(row: HuddleRecord) -> HuddleSummary:
    return HuddleSummary(huddle_id=row.id or 0, day=row.day, attendees=row.attendees, items_total=row.items_total,
                         items_reviewed=row.items_reviewed, actions_created=row.actions_created,
                         finished_at=row.finished_at)


def past(session: Session, *, limit: int = 60) -> list[HuddleSummary]:
    """Finished huddles, newest first."""
    rows = session.exec(select(HuddleRecord).where(col(HuddleRecord.finished_at).is_not(None))
                        .order_by(col(HuddleRecord.day).desc()).limit(limit)).all()
    return [_summary(r) for r in rows]


def past_detail(session: Session, huddle_id: int, *, actor: str) -> PastHuddle:
    """A saved huddle as it stood when finished, with the actions it created (open ones overdue as of that day); of
    its items, those of the tabs `actor` may open (the front desk's has no claims, as their Huddle has none)."""
    row = _huddle_record(session, huddle_id)
    try:
        saved = visible_values(json.loads(row.snapshot or "[]"))
    except ValueError:
        saved = []
    def readable(item: dict[str, Any]) -> bool:
        area = TAB_AREA.get(str(item.get("tab", "")))
        return area is None or may(actor, area, write=False)

    sections = [
        (str(s.get("title", "")),
         [(str(i.get("text", "")), str(i.get("reason", "")), str(i.get("outcome") or ""))
          for i in s.get("items", []) if isinstance(i, dict) and readable(i)])
        for s in saved if isinstance(s, dict)
        and (not s.get("items") or any(isinstance(i, dict) and readable(i) for i in s["items"]))
    ]
    actions = session.exec(
        select(HuddleAction, Staff).join(Staff, col(Staff.id) == col(HuddleAction.owner_id))
        .where(HuddleAction.huddle_id == huddle_id)
        .order_by(col(Staff.first_name), col(Staff.last_name), col(HuddleAction.due), col(HuddleAction.id))
    ).all()
    return PastHuddle(summary=_summary(row), notes=row.notes, sections=sections,
                      actions=[_row(a, owner, row.day) for a, owner in actions])
