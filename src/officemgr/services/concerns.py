"""The concerns and incidents log: patient complaints, incidents, near misses (and the temperature
excursions the temperature log opens), each worked open -> acknowledged -> closed with a resolution.

Clocks (see `deadlines`):
- acknowledge: a complaint, incident or near miss is acknowledged within the setting `concern_ack_business_days`
  business days of the practice calendar (its open weekdays, holidays and closures) of the day the practice
  learned of it (`discovered_on`);
  the date is stored in `Concern.due` when it is logged. A temperature excursion's `due` is instead the day
  its action must be taken (set by the temperature log) and stays until the incident is closed.
- breach notice: a possible breach of unsecured PHI is notified no later than BREACH_NOTICE_DAYS calendar
  days after discovery (45 CFR 164.404), unless a documented risk assessment concludes a low probability
  of compromise. A possible breach is only closed with one of those two outcomes, which is written at the
  head of the stored resolution ("Breach outcome: notified. ...") so the log and the report show which.
- OSHA 301: a recordable work injury goes on the OSHA 301 incident report within OSHA_301_DAYS calendar
  days of learning of it (29 CFR 1904.29).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from pydantic import ValidationError, ValidationInfo, field_validator
from sqlalchemy import or_
from sqlmodel import Field, Session, SQLModel, col, select

from officemgr.models import Concern, ConcernCategory, ConcernKind, ConcernStatus
from officemgr.models.validation import require_text, strip_free_text, strip_text
from officemgr.services import settings
from officemgr.services.calendar import PracticeCalendar, practice_calendar
from officemgr.services.common import ServiceError, apply_update, create, first_error, record
from officemgr.services.format import days_from_now

# 45 CFR 164.404: breach notification no later than 60 calendar days after discovery.
BREACH_NOTICE_DAYS = 60
# 29 CFR 1904.29: a recordable injury goes on the OSHA 301 within 7 calendar days of learning of it.
OSHA_301_DAYS = 7
# The "show closed" list in the window holds at most this many, most recently closed first.
CLOSED_SHOWN = 200

# Deadline labels.
ACKNOWLEDGE = "acknowledge"
ACTION = "action"
BREACH_NOTICE = "breach notice"
OSHA_301 = "OSHA 301"
_LABEL_ORDER = (ACTION, ACKNOWLEDGE, OSHA_301, BREACH_NOTICE)

# A breach resolution must be at least a sentence: this many words and characters.
SENTENCE_WORDS = 4
SENTENCE_CHARS = 20
BREACH_PREFIX = "Breach outcome: "
# The kinds logged here; temperature excursions are opened by the temperature log.
LOGGED_KINDS = (ConcernKind.complaint, ConcernKind.incident, ConcernKind.near_miss)


class BreachOutcome(str, enum.Enum):
    """How a possible breach ended: individuals notified, or a risk assessment found a low probability."""

    notified = "notified"
    low_probability = "low probability (risk assessment)"

    @property
    def label(self) -> str:
        return self.value


def acknowledge_by(calendar: PracticeCalendar, discovered_on: date, business_days: int) -> date:
    """`business_days` open days of the practice after `discovered_on`: Friday + 2 is Tuesday, and a holiday or
    closure is not counted."""
    return calendar.add_business_days(discovered_on, business_days)


# ------------------------------------------------------------------------------------------- schemas


class ConcernCreate(SQLModel):
    """A complaint, incident or near miss as logged. Validate with `context={"today": today}` to refuse a
    discovery date still to come next to its field (the service refuses it in any case)."""

    kind: ConcernKind
    category: ConcernCategory
    summary: str = Field(max_length=200)
    detail: str = Field(default="", max_length=2000)
    discovered_on: date
    reporter: str = Field(default="", max_length=80)
    owner: str = Field(default="", max_length=60)
    possible_breach: bool = False
    work_injury: bool = False

    _summary = field_validator("summary", mode="before")(require_text)
    _text = field_validator("reporter", "owner", mode="before")(strip_text)
    _detail = field_validator("detail", mode="before")(strip_free_text)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: ConcernKind) -> ConcernKind:
        if value not in LOGGED_KINDS:
            raise ValueError("temperature excursions are opened from the temperature log; "
                             "choose complaint, incident or near miss")
        return value

    @field_validator("discovered_on")
    @classmethod
    def _not_ahead(cls, value: date, info: ValidationInfo) -> date:
        today = (info.context or {}).get("today")
        if today is not None and value > today:
            raise ValueError(f"cannot be later than today ({today:%m/%d/%Y})")
        return value

    @field_validator("work_injury")
    @classmethod
    def _injury(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("kind") not in (None, ConcernKind.incident):
            raise ValueError("a work injury is logged as an incident (a complaint or near miss has no injury)")
        return value


class ConcernAssign(SQLModel):
    owner: str = Field(max_length=60)

    @field_validator("owner", mode="before")
    @classmethod
    def _owner(cls, value: Any) -> str:
        text = strip_text(value)
        if not text:
            raise ValueError("who owns it: a name or a role, e.g. Office manager")
        return text


def close_problems(concern: Any, resolution: str | None, breach_outcome: BreachOutcome | str | None) -> dict[str, str]:
    """Why `concern` cannot be closed with this resolution and outcome, by field ('resolution',
    'breach_outcome'); empty when it can. Shared by `close` and the close form."""
    problems: dict[str, str] = {}
    text = strip_free_text(resolution)
    outcome: BreachOutcome | None = None
    if breach_outcome not in (None, ""):
        try:
            outcome = BreachOutcome(breach_outcome)
        except ValueError:
            problems["breach_outcome"] = "choose notified, or low probability (risk assessment)"
    if not text:
        problems["resolution"] = ("write what was done: the action taken for the vaccines and the unit"
                                  if concern.kind is ConcernKind.temperature else "write what was done")
    if concern.possible_breach:
        if outcome is None and "breach_outcome" not in problems:
            problems["breach_outcome"] = ("a possible breach closes with its outcome: notified, or "
                                          "low probability (risk assessment)")
        if text and (len(text) < SENTENCE_CHARS or len(text.split()) < SENTENCE_WORDS):
            problems["resolution"] = ("for a possible breach write at least a sentence: who was notified and "
                                      "when, or what the risk assessment concluded and why")
    elif outcome is not None:
        problems["breach_outcome"] = "only a concern marked as a possible breach has a breach outcome"
    limit = 2000 - (len(breach_resolution(outcome, "")) if outcome else 0)
    if len(text) > limit and "resolution" not in problems:
        problems["resolution"] = f"at most {limit} characters"
    return problems


def breach_resolution(outcome: BreachOutcome, text: str) -> str:
    """The stored resolution of a closed possible breach: its outcome first, then what was done."""
    return f"{BREACH_PREFIX}{outcome.value}. {text}".rstrip()


def breach_outcome_of(resolution: str) -> BreachOutcome | None:
    """The outcome written at the head of a closed breach's resolution, if any."""
    if not resolution.startswith(BREACH_PREFIX):
        return None
    rest = resolution[len(BREACH_PREFIX):]
    return next((o for o in BreachOutcome if rest.startswith(o.value + ".")), None)


# ------------------------------------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class Deadline:
    label: str  # ACKNOWLEDGE, ACTION, BREACH_NOTICE or OSHA_301
    due: date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def words(self) -> str:
        """'acknowledge today', 'breach notice due in 12 days', 'OSHA 301 overdue, was due yesterday'."""
        when = days_from_now(self.days_left)
        if self.label == ACKNOWLEDGE:
            return f"acknowledge {when}" if self.days_left >= 0 else f"acknowledgement overdue, was due {when}"
        return f"{self.label} due {when}" if self.days_left >= 0 else f"{self.label} overdue, was due {when}"


class _ConcernLike(Protocol):
    kind: ConcernKind
    status: ConcernStatus
    discovered_on: date
    due: date | None
    possible_breach: bool
    work_injury: bool


def deadlines(concern: _ConcernLike, today: date) -> list[Deadline]:
    """Every clock still running on `concern` as seen on `today`, nearest first; none once closed."""
    if concern.status is ConcernStatus.closed:
        return []
    found: list[tuple[str, date]] = []
    if concern.kind is ConcernKind.temperature:
        if concern.due is not None:
            found.append((ACTION, concern.due))
    elif concern.status is ConcernStatus.open and concern.due is not None:
        found.append((ACKNOWLEDGE, concern.due))
    if concern.possible_breach:
        found.append((BREACH_NOTICE, concern.discovered_on + timedelta(days=BREACH_NOTICE_DAYS)))
    if concern.work_injury:
        found.append((OSHA_301, concern.discovered_on + timedelta(days=OSHA_301_DAYS)))
    found.sort(key=lambda pair: (pair[1], _LABEL_ORDER.index(pair[0])))
    return [Deadline(label, due, (due - today).days) for label, due in found]


# ------------------------------------------------------------------------------------------- read models


@dataclass(frozen=True)
class ConcernRow:
    id: int
    kind: ConcernKind
    category: ConcernCategory
    summary: str
    status: ConcernStatus
    reported_on: date
    discovered_on: date
    due: date | None
    owner: str
    reporter: str
    detail: str
    possible_breach: bool
    work_injury: bool
    resolution: str
    closed_on: date | None
    reading_id: int | None
    version: int
    deadlines: tuple[Deadline, ...] = ()

    @property
    def nearest(self) -> Deadline | None:
        return self.deadlines[0] if self.deadlines else None

    @property
    def urgent(self) -> bool:
        """A clock runs out today or has run out, or a vaccine temperature excursion is still open."""
        if self.status is ConcernStatus.closed:
            return False
        return self.kind is ConcernKind.temperature or any(d.days_left <= 0 for d in self.deadlines)

    @property
    def breach_outcome(self) -> BreachOutcome | None:
        return breach_outcome_of(self.resolution) if self.possible_breach else None

    @property
    def title(self) -> str:
        """'Complaint (privacy, possible breach)', 'Incident (safety, work injury)', 'Temperature excursion'."""
        if self.kind is ConcernKind.temperature:
            return "Temperature excursion"
        parts = [self.category.label]
        if self.possible_breach:
            parts.append("possible breach")
        if self.work_injury:
            parts.append("work injury")
        return f"{self.kind.label.capitalize()} ({', '.join(parts)})"


def _row(concern: Concern, today: date | None) -> ConcernRow:
    assert concern.id is not None
    return ConcernRow(
        concern.id, concern.kind, concern.category, concern.summary, concern.status, concern.reported_on,
        concern.discovered_on, concern.due, concern.owner, concern.reporter, concern.detail,
        concern.possible_breach, concern.work_injury, concern.resolution, concern.closed_on, concern.reading_id,
        concern.version, tuple(deadlines(concern, today)) if today is not None else (),
    )


def open_concerns(session: Session, today: date) -> list[ConcernRow]:
    """Every concern not closed, nearest deadline first; those with no clock running last, oldest first."""
    rows = [_row(c, today) for c in session.exec(select(Concern).where(Concern.status != ConcernStatus.closed))]
    rows.sort(key=lambda r: (r.nearest.due if r.nearest else date.max, r.reported_on, r.id))
    return rows


def closed_concerns(session: Session, *, limit: int = CLOSED_SHOWN) -> list[ConcernRow]:
    """The most recently closed concerns, newest first (at most `limit`)."""
    query = (select(Concern).where(Concern.status == ConcernStatus.closed)
             .order_by(col(Concern.closed_on).desc(), col(Concern.id).desc()).limit(limit))
    return [_row(c, None) for c in session.exec(query)]


def concern(session: Session, concern_id: int, today: date) -> ConcernRow | None:
    found = session.get(Concern, concern_id)
    return _row(found, today) if found is not None else None


def concern_log(session: Session, first: date, last: date) -> list[ConcernRow]:
    """For reports: every concern of any kind that was open at some point from `first` to `last` (reported
    by `last`, and not closed before `first`), closed ones included, in the order they were reported."""
    query = (select(Concern)
             .where(Concern.reported_on <= last,
                    or_(col(Concern.closed_on).is_(None), col(Concern.closed_on) >= first))
             .order_by(col(Concern.reported_on), col(Concern.id)))
    return [_row(c, None) for c in session.exec(query)]


# ------------------------------------------------------------------------------------------- writes


def log_concern(session: Session, data: ConcernCreate, *, today: date, now: datetime, actor: str) -> ConcernRow:
    """Log a complaint, incident or near miss, open, to be acknowledged within `concern_ack_business_days` business
    days of the practice calendar."""
    if data.kind not in LOGGED_KINDS:
        raise ServiceError("temperature excursions are opened from the temperature log")
    if data.discovered_on > today:
        raise ServiceError(f"the date it was discovered cannot be later than today ({today:%m/%d/%Y})")
    if data.work_injury and data.kind is not ConcernKind.incident:
        raise ServiceError("a work injury is logged as an incident")
    row = Concern(
        kind=data.kind, category=data.category, summary=data.summary, detail=data.detail, reported_on=today,
        discovered_on=data.discovered_on, reporter=data.reporter, owner=data.owner,
        due=acknowledge_by(practice_calendar(session), data.discovered_on,
                           settings.get(session, "concern_ack_business_days")),
        status=ConcernStatus.open, possible_breach=data.possible_breach, work_injury=data.work_injury,
    )
    create(session, row, entity="concern", actor=actor, now=now)
    return _row(row, today)


def _get(session: Session, concern_id: int) -> Concern:
    found = session.get(Concern, concern_id)
    if found is None:
        raise ServiceError("that concern no longer exists — reload")
    return found


def _refuse_closed(row: Concern) -> None:
    if row.status is ConcernStatus.closed:
        raise ServiceError(f"concern #{row.id} is already closed")


def acknowledge(session: Session, concern_id: int, *, now: datetime, actor: str,
                expected_version: int | None) -> ConcernRow:
    """Mark an open concern acknowledged (its acknowledge-by clock stops; the legal clocks keep running)."""
    row = _get(session, concern_id)
    _refuse_closed(row)
    if row.status is ConcernStatus.acknowledged:
        raise ServiceError(f"concern #{row.id} is already acknowledged")
    changes = apply_update(row, {"status": ConcernStatus.acknowledged}, expected_version=expected_version)
    record(session, actor=actor, entity="concern", entity_id=concern_id, action="acknowledge",
           changes=changes, now=now)
    session.commit()
    return _row(row, now.date())


def assign(session: Session, concern_id: int, owner: str, *, now: datetime, actor: str,
           expected_version: int | None) -> ConcernRow:
    """Give an open concern an owner (a person or a role)."""
    try:
        data = ConcernAssign.model_validate({"owner": owner})
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from None
    row = _get(session, concern_id)
    _refuse_closed(row)
    changes = apply_update(row, {"owner": data.owner}, expected_version=expected_version)
    if changes:
        record(session, actor=actor, entity="concern", entity_id=concern_id, action="assign",
               changes=changes, now=now)
    session.commit()
    return _row(row, now.date())


def close(session: Session, concern_id: int, resolution: str, *, now: datetime, actor: str,
          expected_version: int | None, breach_outcome: BreachOutcome | str | None = None) -> ConcernRow:
    """Close a concern with what was done. A possible breach also needs its outcome (`BreachOutcome`:
    notified, or low probability per a risk assessment) and a resolution of at least a sentence; the
    outcome is written at the head of the stored resolution and in the audit event."""
    row = _get(session, concern_id)
    _refuse_closed(row)
    problems = close_problems(row, resolution, breach_outcome)
    if problems:
        raise ServiceError(problems.get("resolution") or problems["breach_outcome"])
    text = strip_free_text(resolution)
    outcome = BreachOutcome(breach_outcome) if breach_outcome else None
    stored = breach_resolution(outcome, text) if outcome else text
    changes = apply_update(row, {"status": ConcernStatus.closed, "resolution": stored, "closed_on": now.date()},
                           expected_version=expected_version)
    if outcome is not None:
        changes["breach_outcome"] = outcome.value
    record(session, actor=actor, entity="concern", entity_id=concern_id, action="close",
           changes=changes, now=now)
    session.commit()
    return _row(row, now.date())
