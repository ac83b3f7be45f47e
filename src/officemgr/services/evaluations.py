"""Evaluations in full (issue 23, part 5): the competencies each role is rated on, the ratings (1-5, with a
comment), goals with due dates, the reviewer, and later the employee's comments and sign-off.

When an evaluation falls due (the 90-day review, then yearly) is `credentials.evaluations_due`; writing it done
goes through `credentials.mark_evaluation_done`, so the due-date rules live in one place. Ratings, goals and
comments are the manager's alone: every read here needs the staff area's write right, so other roles never see
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlmodel import Session, col, select

from officemgr.models import Evaluation, Role, Staff
from officemgr.models.lifecycle import EvaluationGoal, EvaluationRating, EvaluationTemplate
from officemgr.models.roster import EvaluationKind
from officemgr.models.validation import require_text, strip_free_text
from officemgr.services import checklists
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, apply_update, create, first_error, record
from officemgr.services.credentials import EvaluationCreate, EvaluationRecord, mark_evaluation_done

RATINGS = range(1, 6)
COMMON = ["Quality of work", "Reliability and attendance", "Teamwork", "Patient service", "Compliance with policies"]
CLINICAL = ["Clinical skills", "Infection control"]
DEFAULT_COMPETENCIES: dict[str, list[str]] = {
    "": COMMON,
    Role.ma.value: COMMON + CLINICAL,
    Role.nurse.value: COMMON + CLINICAL,
    Role.front_desk.value: COMMON + ["Scheduling accuracy", "Collections at check-in"],
    Role.biller.value: COMMON + ["Claim accuracy", "Follow-up timeliness"],
}
MAX_COMPETENCIES = 20
COMPETENCY_LENGTH = 120


def _managing(actor: str, what: str) -> None:
    require(actor, Area.staff, what=what)


# ---------------------------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class TemplateRow:
    role: str  # "" = the template of roles without their own
    label: str
    competencies: list[str]
    saved: bool  # False: the built-in default, never edited


def _role_label(role: str) -> str:
    return Role(role).label if role else "Every other role"


def _lines(text: str) -> list[str]:
    # The competencies column is not (yet) among models.base.FREE_TEXT_COLUMNS, so a line break stored in it reads
    # back spelled out as the four characters \x0a: split on either.
    return [line.strip() for line in text.replace("\\x0a", "\n").splitlines() if line.strip()]


def competencies(session: Session, role: Role | str) -> list[str]:
    """What `role` is rated on: its own template, else the default one ("" role), else the built-in list."""
    value = role.value if isinstance(role, Role) else role
    rows = {t.role: t for t in session.exec(select(EvaluationTemplate).where(
        col(EvaluationTemplate.role).in_([value, ""])))}
    for key in (value, ""):
        if key in rows:
            return _lines(rows[key].competencies)
        if key in DEFAULT_COMPETENCIES:
            return list(DEFAULT_COMPETENCIES[key])
    return list(COMMON)


def templates(session: Session, *, actor: str) -> list[TemplateRow]:
    """The template of each role and the default, saved or built in."""
    _managing(actor, "seeing evaluation templates")
    saved = {t.role: t for t in session.exec(select(EvaluationTemplate))}
    found = []
    for role in ["", *(r.value for r in Role)]:
        if role in saved:
            found.append(TemplateRow(role, _role_label(role), _lines(saved[role].competencies), True))
        else:
            found.append(TemplateRow(role, _role_label(role), competencies(session, role) if role else list(COMMON),
                                     False))
    return found


def clean_competencies(text: str) -> list[str]:
    """The competencies typed one per line, checked; a clear refusal when they cannot be a template."""
    lines = _lines(strip_free_text(text))
    if not lines:
        raise ServiceError("a template needs at least one competency, one per line")
    if len(lines) > MAX_COMPETENCIES:
        raise ServiceError(f"a template has at most {MAX_COMPETENCIES} competencies (this has {len(lines)})")
    long = next((line for line in lines if len(line) > COMPETENCY_LENGTH), None)
    if long is not None:
        raise ServiceError(f"a competency is at most {COMPETENCY_LENGTH} characters: '{long[:40]}…'")
    seen: set[str] = set()
    for line in lines:
        if line.lower() in seen:
            raise ServiceError(f"'{line}' is listed twice")
        seen.add(line.lower())
    return lines


def save_template(session: Session, role: str, text: str, *, now: datetime, actor: str) -> list[str]:
    """Replace the competencies of `role` ("" = the default template); returns them as saved."""
    _managing(actor, "changing an evaluation template")
    if role and role not in {r.value for r in Role}:
        raise ServiceError(f"there is no role called {role}")
    lines = clean_competencies(text)
    joined = "\n".join(lines)
    row = session.exec(select(EvaluationTemplate).where(EvaluationTemplate.role == role)).first()
    if row is None:
        create(session, EvaluationTemplate(role=role, competencies=joined), entity="evaluation_template",
               actor=actor, now=now)
        return lines
    changes = apply_update(row, {"competencies": joined}, expected_version=None)
    if changes:
        assert row.id is not None, "rows read have ids"
        record(session, actor=actor, entity="evaluation_template", entity_id=row.id, action="update",
               changes=changes, now=now)
    session.commit()
    return lines


# ------------------------------------------------------------------------------------------- the review


class RatingIn(BaseModel):
    competency: str = Field(max_length=COMPETENCY_LENGTH)
    rating: int
    comment: str = Field(default="", max_length=500)

    _competency = field_validator("competency", mode="before")(lambda v: require_text(str(v or "")))
    _comment = field_validator("comment", mode="before")(lambda v: strip_free_text(None if v is None else str(v)))

    @field_validator("rating", mode="before")
    @classmethod
    def _rating(cls, value: Any) -> int:
        text = str(value if value is not None else "").strip()
        if not text.isdigit() or int(text) not in RATINGS:
            raise ValueError("rate each competency 1 (poor) to 5 (excellent)")
        return int(text)


class GoalIn(BaseModel):
    goal: str = Field(max_length=300)
    due: date | None = None

    _goal = field_validator("goal", mode="before")(lambda v: require_text(str(v or "")))


class EvaluationDone(BaseModel):
    """A completed evaluation: the due date it answers, when it was done, by whom, the ratings and goals."""

    staff_id: int
    due: date
    done_on: date
    reviewer: str = Field(max_length=60)
    note: str = Field(default="", max_length=500)
    ratings: list[RatingIn]
    goals: list[GoalIn] = Field(default_factory=list, max_length=20)

    _reviewer = field_validator("reviewer", mode="before")(lambda v: require_text(str(v or "")))
    _note = field_validator("note", mode="before")(lambda v: strip_free_text(None if v is None else str(v)))


def complete_evaluation(session: Session, data: EvaluationDone, *, now: datetime, actor: str) -> EvaluationRecord:
    """Save the evaluation as done with a rating for every competency of the person's role, and its goals."""
    _managing(actor, "recording an evaluation")
    try:
        data = EvaluationDone.model_validate(data.model_dump())
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from None
    person = session.get(Staff, data.staff_id)
    if person is None:
        raise ServiceError("that staff member no longer exists — reload")
    expected = competencies(session, person.role)
    given = [r.competency for r in data.ratings]
    missing = [c for c in expected if c not in given]
    if missing:
        raise ServiceError(f"rate every competency: {', '.join(missing)} has no rating")
    extra = [c for c in given if c not in expected]
    if extra or len(set(given)) != len(given):
        raise ServiceError(f"rate each competency of the {person.role.label} template once")
    for goal in data.goals:
        if goal.due is not None and goal.due <= data.done_on:
            raise ServiceError(f"the goal '{goal.goal[:40]}' is due {goal.due:%m/%d/%Y}: a goal's due date comes "
                               "after the evaluation")
    existing = session.exec(select(Evaluation).where(Evaluation.staff_id == data.staff_id,
                                                     Evaluation.due == data.due)).first()
    if existing is not None and existing.done_on is not None and existing.reviewer:
        raise ServiceError(f"this evaluation was already done on {existing.done_on:%m/%d/%Y}")
    row = mark_evaluation_done(session, EvaluationCreate(staff_id=data.staff_id, due=data.due, done_on=data.done_on,
                                                         note=data.note), now=now, actor=actor, reviewer=data.reviewer)
    assert row.id is not None, "mark_evaluation_done flushes the row"
    ratings = [EvaluationRating(evaluation_id=row.id, competency=r.competency, rating=r.rating, comment=r.comment)
               for r in data.ratings]
    goals = [EvaluationGoal(evaluation_id=row.id, goal=g.goal, due=g.due) for g in data.goals]
    session.add_all([*ratings, *goals])
    session.flush()
    for rating in ratings:
        assert rating.id is not None, "flushed"
        record(session, actor=actor, entity="evaluation_rating", entity_id=rating.id, action="create",
               changes={"evaluation_id": row.id, "competency": rating.competency, "rating": rating.rating,
                        "comment": rating.comment}, now=now)
    for saved in goals:
        assert saved.id is not None, "flushed"
        record(session, actor=actor, entity="evaluation_goal", entity_id=saved.id, action="create",
               changes={"evaluation_id": row.id, "goal": saved.goal, "due": saved.due}, now=now)
    if row.kind is EvaluationKind.probation:
        checklists.close_open_task(session, data.staff_id, checklists.PROBATION_TASK, data.done_on,
                                   "recorded as the probation evaluation", now=now, actor=actor)
    session.commit()
    return EvaluationRecord.of(row)


class SignOff(BaseModel):
    comments: str = Field(default="", max_length=2000)
    signed_on: date

    _comments = field_validator("comments", mode="before")(lambda v: strip_free_text(None if v is None else str(v)))


def sign_off(session: Session, evaluation_id: int, data: SignOff, *, now: datetime, actor: str,
             expected_version: int | None = None) -> EvaluationRecord:
    """The employee's comments and the day they signed: on or after the evaluation was done, not in the future."""
    _managing(actor, "recording an employee's sign-off")
    try:
        data = SignOff.model_validate(data.model_dump())
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from None
    row = session.get(Evaluation, evaluation_id)
    if row is None:
        raise ServiceError("that evaluation no longer exists — reload")
    if row.done_on is None:
        raise ServiceError("the evaluation is not done yet: record it before the employee signs")
    if row.signed_on is not None:
        raise ServiceError(f"the employee already signed on {row.signed_on:%m/%d/%Y}")
    if data.signed_on < row.done_on:
        raise ServiceError(f"the employee cannot sign ({data.signed_on:%m/%d/%Y}) before the evaluation was done "
                           f"({row.done_on:%m/%d/%Y})")
    if data.signed_on > now.date():
        raise ServiceError("the sign-off date cannot be in the future")
    changes = apply_update(row, {"employee_comments": data.comments, "signed_on": data.signed_on},
                           expected_version=expected_version)
    record(session, actor=actor, entity="evaluation", entity_id=evaluation_id, action="sign", changes=changes,
           now=now)
    session.commit()
    return EvaluationRecord.of(row)


def complete_goal(session: Session, goal_id: int, *, today: date, now: datetime, actor: str) -> None:
    _managing(actor, "marking a goal done")
    goal = session.get(EvaluationGoal, goal_id)
    if goal is None:
        raise ServiceError("that goal no longer exists — reload")
    if goal.done_on is not None:
        raise ServiceError(f"that goal was already done on {goal.done_on:%m/%d/%Y}")
    changes = apply_update(goal, {"done_on": today}, expected_version=None)
    record(session, actor=actor, entity="evaluation_goal", entity_id=goal_id, action="done", changes=changes, now=now)
    session.commit()


# ------------------------------------------------------------------------------------------ read models


@dataclass(frozen=True)
class RatingRow:
    competency: str
    rating: int
    comment: str


@dataclass(frozen=True)
class GoalRow:
    goal_id: int
    goal: str
    due: date | None
    done_on: date | None
    overdue: bool


@dataclass(frozen=True)
class EvaluationDetail:
    evaluation_id: int
    version: int
    staff_id: int
    staff_name: str
    kind: EvaluationKind
    due: date
    done_on: date | None
    reviewer: str
    note: str
    ratings: list[RatingRow]
    goals: list[GoalRow]
    employee_comments: str
    signed_on: date | None


@dataclass(frozen=True)
class PersonEvaluations:
    """What the evaluation screen shows of one person: the form's competencies, their history, goals past due."""

    staff_id: int
    staff_name: str
    role: Role
    competencies: list[str]
    history: list[EvaluationDetail]
    goals_overdue: list[GoalRow]


def _goal_row(goal: EvaluationGoal, today: date) -> GoalRow:
    assert goal.id is not None, "rows read have ids"
    return GoalRow(goal.id, goal.goal, goal.due, goal.done_on,
                   goal.done_on is None and goal.due is not None and goal.due < today)


def person_evaluations(session: Session, staff_id: int, today: date, *, actor: str) -> PersonEvaluations:
    """A person's evaluations, newest first, with their ratings and goals (the manager only)."""
    _managing(actor, "seeing evaluations")
    person = session.get(Staff, staff_id)
    if person is None:
        raise ServiceError("that staff member no longer exists — reload")
    rows = session.exec(select(Evaluation).where(Evaluation.staff_id == staff_id)
                        .order_by(col(Evaluation.due).desc())).all()
    ids = [r.id for r in rows]
    ratings: dict[int, list[RatingRow]] = {}
    for rating in session.exec(select(EvaluationRating).where(col(EvaluationRating.evaluation_id).in_(ids))
                               .order_by(col(EvaluationRating.id))):
        ratings.setdefault(rating.evaluation_id, []).append(RatingRow(rating.competency, rating.rating,
                                                                      rating.comment))
    goals: dict[int, list[GoalRow]] = {}
    for goal in session.exec(select(EvaluationGoal).where(col(EvaluationGoal.evaluation_id).in_(ids))
                             .order_by(col(EvaluationGoal.id))):
        goals.setdefault(goal.evaluation_id, []).append(_goal_row(goal, today))
    history = []
    for r in rows:
        assert r.id is not None, "rows read have ids"
        history.append(EvaluationDetail(r.id, r.version, staff_id, person.name, r.kind, r.due, r.done_on, r.reviewer,
                                        r.note, ratings.get(r.id, []), goals.get(r.id, []), r.employee_comments,
                                        r.signed_on))
    overdue = [g for e in history for g in e.goals if g.overdue]
    overdue.sort(key=lambda g: (g.due or date.max, g.goal_id))
    return PersonEvaluations(staff_id, person.name, person.role, competencies(session, person.role), history, overdue)


def goals_overdue(session: Session, today: date, *, actor: str, staff_id: int | None = None
                  ) -> list[tuple[int, GoalRow]]:
    """Goals past their due date and not done, as (staff id, goal), soonest due first."""
    _managing(actor, "seeing evaluation goals")
    query = (select(EvaluationGoal, Evaluation).join(Evaluation, col(Evaluation.id) == EvaluationGoal.evaluation_id)
             .where(col(EvaluationGoal.done_on).is_(None), col(EvaluationGoal.due) < today)
             .order_by(col(EvaluationGoal.due), col(EvaluationGoal.id)))
    if staff_id is not None:
        query = query.where(Evaluation.staff_id == staff_id)
    return [(e.staff_id, _goal_row(g, today)) for g, e in session.exec(query)]
