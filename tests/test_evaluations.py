"""Evaluations (issue 23, part 5): the 90-day review then yearly, role templates, 1-5 ratings, goals, the employee's
sign-off, and the manager alone writing and reading them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from factories import NOW, TODAY, audit_events, make_staff
from officemgr.models import Evaluation, Role, UserRole
from officemgr.models.lifecycle import ChecklistKind, EvaluationGoal, EvaluationRating, EvaluationTemplate, StaffTask
from officemgr.models.roster import EvaluationKind
from officemgr.services import checklists, credentials, evaluations, huddle, settings
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError, first_error
from officemgr.services.credentials import EvaluationRecord
from officemgr.services.evaluations import EvaluationDone, SignOff

MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
OTHERS = [UserRole.front_desk, UserRole.biller, UserRole.clinical, UserRole.auditor]


def done(staff_id: int, due: date, role: Role = Role.front_desk, **more: Any) -> EvaluationDone:
    names = evaluations.DEFAULT_COMPETENCIES[role.value]
    values: dict[str, Any] = {
        "staff_id": staff_id, "due": due, "done_on": TODAY, "reviewer": "Pat Boss", "note": "A good first year",
        "ratings": [{"competency": c, "rating": 4, "comment": f"on {c}"} for c in names],
        "goals": [{"goal": "Learn the billing screens", "due": TODAY + timedelta(days=90)}],
    }
    values.update(more)
    return EvaluationDone.model_validate(values)


def complete(session: Session, values: dict[str, Any]) -> EvaluationRecord:
    """What the form does: the schema first (its message is the one shown), then the service."""
    try:
        data = EvaluationDone.model_validate(values)
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from None
    return evaluations.complete_evaluation(session, data, now=NOW, actor=MANAGER)


# ------------------------------------------------------------------------------------------ due dates


@pytest.mark.parametrize(("hire", "review"), [
    (date(2028, 2, 29), date(2028, 5, 29)),  # a leap-day hire: 90 calendar days on
    (date(2026, 11, 30), date(2027, 2, 28)),  # across a year end into a common February
    (date(2027, 11, 30), date(2028, 2, 28)),  # and into a leap year's February
    (date(2026, 12, 31), date(2027, 3, 31)),
])
def test_the_probation_review_is_90_days_after_the_hire(hire: date, review: date) -> None:
    assert credentials.probation_due(hire, 90) == review
    assert credentials.pending_evaluation(hire, None, hire, 90) == (review, EvaluationKind.probation)


def test_after_the_review_the_yearly_falls_on_the_anniversary_a_feb_29_hire_on_feb_28() -> None:
    hire = date(2028, 2, 29)
    review = date(2028, 5, 29)
    assert credentials.pending_evaluation(hire, review, date(2028, 6, 1), 90) == (date(2029, 2, 28),
                                                                               EvaluationKind.yearly)
    assert credentials.pending_evaluation(hire, date(2031, 2, 28), date(2031, 3, 1), 90) == (
        date(2032, 2, 29), EvaluationKind.yearly)


def test_the_first_anniversary_replaces_a_review_never_done() -> None:
    hire = date(2025, 12, 1)
    assert credentials.pending_evaluation(hire, None, date(2026, 11, 30), 90)[1] is EvaluationKind.probation
    assert credentials.pending_evaluation(hire, None, date(2026, 12, 1), 90) == (date(2026, 12, 1),
                                                                               EvaluationKind.yearly)


def test_the_setting_moves_the_review_and_the_huddle_calls_it_a_90_day_review(session: Session) -> None:
    person = make_staff(session, first_name="Nina", last_name="New", hire_date=TODAY - timedelta(days=92))
    rows = credentials.evaluations_due(session, TODAY, within_days=None)
    assert [(r.staff_id, r.due, r.kind, r.overdue) for r in rows] == [
        (person.id, TODAY - timedelta(days=2), EvaluationKind.probation, True)]
    staffing = next(s for s in huddle.huddle(session, TODAY, actor=MANAGER).sections if s.key == "staffing")
    [item] = [i for i in staffing.items if i.key == f"evaluation:staff:{person.id}"]
    assert item.text == f"Nina New: 90-day review {TODAY - timedelta(days=2):%m/%d/%Y}"
    assert item.reason == "evaluation overdue, was due 2 days ago"

    settings.put(session, "probation_review_days", 120, now=NOW, actor=MANAGER)
    [row] = credentials.evaluations_due(session, TODAY, within_days=None)
    assert (row.due, row.days_left) == (TODAY + timedelta(days=28), 28)


def test_recording_the_review_makes_the_first_anniversary_next(session: Session) -> None:
    hire = date(2026, 8, 20)
    person = make_staff(session, hire_date=hire, role=Role.front_desk)
    assert person.id is not None
    saved = evaluations.complete_evaluation(session, done(person.id, date(2026, 11, 18)), now=NOW, actor=MANAGER)
    assert (saved.kind, saved.done_on) == (EvaluationKind.probation, TODAY)
    [row] = credentials.evaluations_due(session, TODAY, within_days=None)
    assert (row.due, row.kind, row.last_done_on) == (date(2027, 8, 20), EvaluationKind.yearly, TODAY)


# ------------------------------------------------------------------------------------------ templates


def test_each_role_has_its_default_competencies(session: Session) -> None:
    assert evaluations.competencies(session, Role.ma)[-2:] == ["Clinical skills", "Infection control"]
    assert evaluations.competencies(session, Role.nurse) == evaluations.competencies(session, Role.ma)
    assert evaluations.competencies(session, Role.front_desk)[-2:] == ["Scheduling accuracy",
                                                                       "Collections at check-in"]
    assert evaluations.competencies(session, Role.biller)[-2:] == ["Claim accuracy", "Follow-up timeliness"]
    assert evaluations.competencies(session, Role.physician) == evaluations.COMMON
    assert len(evaluations.templates(session, actor=MANAGER)) == len(Role) + 1


def test_the_manager_edits_a_template_and_the_default_one(session: Session) -> None:
    lines = evaluations.save_template(session, Role.biller.value, "  Claim accuracy \n\nDenial work\n", now=NOW,
                                      actor=MANAGER)
    assert lines == ["Claim accuracy", "Denial work"]
    evaluations.save_template(session, "", "Teamwork\nKindness", now=NOW, actor=MANAGER)
    evaluations.save_template(session, Role.biller.value, "Claim accuracy", now=NOW, actor=MANAGER)
    assert evaluations.competencies(session, Role.biller) == ["Claim accuracy"]
    assert evaluations.competencies(session, Role.physician) == ["Teamwork", "Kindness"]
    events = audit_events(session, "evaluation_template")
    assert [(e.action, c["competencies"]) for e, c in events[:2]] == [
        ("create", "Claim accuracy\nDenial work"), ("create", "Teamwork\nKindness")]
    assert (events[2][0].action, events[2][1]["competencies"][1]) == ("update", "Claim accuracy")


@pytest.mark.parametrize(("text", "message"), [
    ("", "at least one competency"),
    ("\n  \n", "at least one competency"),
    ("Teamwork\nteamwork", "listed twice"),
    ("x" * 121, "at most 120 characters"),
    ("\n".join(f"C{n}" for n in range(21)), "at most 20 competencies"),
])
def test_a_bad_template_is_refused_and_nothing_saved(session: Session, text: str, message: str) -> None:
    with pytest.raises(ServiceError, match=message):
        evaluations.save_template(session, Role.ma.value, text, now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="no role called"):
        evaluations.save_template(session, "janitor", "Teamwork", now=NOW, actor=MANAGER)
    assert session.exec(select(EvaluationTemplate)).all() == []


# ------------------------------------------------------------------------------------------ the review


def test_a_completed_evaluation_keeps_ratings_goals_reviewer_and_is_audited(session: Session) -> None:
    person = make_staff(session, hire_date=date(2020, 11, 23), role=Role.front_desk)
    assert person.id is not None
    saved = evaluations.complete_evaluation(session, done(person.id, TODAY), now=NOW, actor=MANAGER)
    row = session.get(Evaluation, saved.id)
    assert row is not None
    assert (row.kind, row.done_on, row.reviewer, row.note) == (EvaluationKind.yearly, TODAY, "Pat Boss",
                                                               "A good first year")
    ratings = session.exec(select(EvaluationRating).where(EvaluationRating.evaluation_id == saved.id)).all()
    assert [(r.competency, r.rating) for r in ratings] == [
        (c, 4) for c in evaluations.DEFAULT_COMPETENCIES["front_desk"]]
    [goal] = session.exec(select(EvaluationGoal)).all()
    assert (goal.goal, goal.due, goal.done_on) == ("Learn the billing screens", TODAY + timedelta(days=90), None)
    assert [e.action for e, _ in audit_events(session, "evaluation")] == ["done"]
    rated = {c["competency"]: c["rating"] for _, c in audit_events(session, "evaluation_rating")}
    assert rated == {c: 4 for c in evaluations.DEFAULT_COMPETENCIES["front_desk"]}
    with pytest.raises(ServiceError, match="already done on 11/23/2026"):
        evaluations.complete_evaluation(session, done(person.id, TODAY), now=NOW, actor=MANAGER)


@pytest.mark.parametrize(("rating", "ok"), [(0, False), (1, True), (5, True), (6, False), ("", False),
                                            ("four", False), (-1, False), ("3.5", False)])
def test_ratings_are_1_to_5(session: Session, rating: Any, ok: bool) -> None:
    person = make_staff(session, hire_date=date(2020, 11, 23), role=Role.biller)
    assert person.id is not None
    names = evaluations.DEFAULT_COMPETENCIES["biller"]
    ratings = [{"competency": c, "rating": 3} for c in names]
    ratings[2]["rating"] = rating

    def attempt() -> None:
        complete(session, {"staff_id": person.id, "due": TODAY, "done_on": TODAY, "reviewer": "Pat",
                           "ratings": ratings})

    if ok:
        attempt()
        stored = session.exec(select(EvaluationRating.rating).where(EvaluationRating.competency == names[2])).one()
        assert stored == rating
    else:
        with pytest.raises(ServiceError, match="rate each competency 1 \\(poor\\) to 5 \\(excellent\\)"):
            attempt()
        assert session.exec(select(Evaluation)).all() == []
        assert session.exec(select(EvaluationRating)).all() == []


@pytest.mark.parametrize(("change", "message"), [
    ({"reviewer": "  "}, "reviewer: this field is required"),
    ({"done_on": TODAY + timedelta(days=1)}, "in the future"),
    ({"due": TODAY + timedelta(days=1)}, "not an anniversary"),
    ({"note": "x" * 501}, "note"),
    ({"goals": [{"goal": "Finish CPR", "due": TODAY}]}, "comes after the evaluation"),
    ({"goals": [{"goal": " ", "due": None}]}, "goal"),
    ({"ratings": []}, "rate every competency: Quality of work"),
])
def test_bad_input_is_refused_and_nothing_saved(session: Session, change: dict[str, Any], message: str) -> None:
    person = make_staff(session, hire_date=date(2020, 11, 23), role=Role.front_desk)
    assert person.id is not None
    base = done(person.id, TODAY).model_dump()
    base.update(change)
    with pytest.raises(ServiceError, match=message):
        complete(session, base)
    assert session.exec(select(Evaluation)).all() == []
    assert session.exec(select(EvaluationGoal)).all() == []


def test_a_competency_outside_the_template_is_refused(session: Session) -> None:
    person = make_staff(session, hire_date=date(2020, 11, 23), role=Role.front_desk)
    assert person.id is not None
    data = done(person.id, TODAY)
    data.ratings.append(evaluations.RatingIn(competency="Juggling", rating=5))
    with pytest.raises(ServiceError, match="rate each competency of the Front desk template once"):
        evaluations.complete_evaluation(session, data, now=NOW, actor=MANAGER)


# --------------------------------------------------------------------------------------------- sign-off


def test_sign_off_not_before_done_and_not_twice(session: Session) -> None:
    person = make_staff(session, hire_date=date(2020, 11, 20), role=Role.front_desk)
    assert person.id is not None
    saved = evaluations.complete_evaluation(session, done(person.id, date(2026, 11, 20), done_on=TODAY - timedelta(1)),
                                            now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="cannot sign \\(11/21/2026\\) before the evaluation was done"):
        evaluations.sign_off(session, saved.id, SignOff(comments="ok", signed_on=TODAY - timedelta(2)), now=NOW,
                             actor=MANAGER)
    with pytest.raises(ServiceError, match="in the future"):
        evaluations.sign_off(session, saved.id, SignOff(comments="ok", signed_on=TODAY + timedelta(1)), now=NOW,
                             actor=MANAGER)
    evaluations.sign_off(session, saved.id, SignOff(comments="Thank you, I agree", signed_on=TODAY - timedelta(1)),
                         now=NOW, actor=MANAGER)
    row = session.get(Evaluation, saved.id)
    assert row is not None and (row.signed_on, row.employee_comments) == (TODAY - timedelta(1), "Thank you, I agree")
    with pytest.raises(ServiceError, match="already signed on 11/22/2026"):
        evaluations.sign_off(session, saved.id, SignOff(signed_on=TODAY), now=NOW, actor=MANAGER)
    event, changes = audit_events(session, "evaluation")[-1]
    assert (event.action, changes["signed_on"]) == ("sign", [None, "2026-11-22"])


def test_an_evaluation_not_done_cannot_be_signed(session: Session) -> None:
    person = make_staff(session, hire_date=date(2020, 12, 1))
    row = Evaluation(staff_id=person.id or 0, due=date(2026, 12, 1), note="planned")
    session.add(row)
    session.commit()
    with pytest.raises(ServiceError, match="not done yet"):
        evaluations.sign_off(session, row.id or 0, SignOff(signed_on=TODAY), now=NOW, actor=MANAGER)


# ------------------------------------------------------------------------------------------------ goals


def test_goals_past_due_and_not_done_show_on_the_record(session: Session) -> None:
    person = make_staff(session, hire_date=date(2019, 11, 1), role=Role.front_desk)
    assert person.id is not None
    evaluations.complete_evaluation(session, done(person.id, date(2025, 11, 1), done_on=date(2025, 11, 3), goals=[
        {"goal": "Front desk cross-training", "due": TODAY - timedelta(days=1)},
        {"goal": "Due today", "due": TODAY},
        {"goal": "No date", "due": None},
        {"goal": "Already done", "due": date(2026, 1, 5)},
    ]), now=NOW, actor=MANAGER)
    goal_ids = {g.goal: g.id for g in session.exec(select(EvaluationGoal))}
    evaluations.complete_goal(session, goal_ids["Already done"] or 0, today=TODAY, now=NOW, actor=MANAGER)

    record = evaluations.person_evaluations(session, person.id, TODAY, actor=MANAGER)
    assert [g.goal for g in record.goals_overdue] == ["Front desk cross-training"]
    assert [(sid, g.goal) for sid, g in evaluations.goals_overdue(session, TODAY, actor=MANAGER)] == [
        (person.id, "Front desk cross-training")]
    [history] = record.history
    assert history.ratings[0].comment == "on Quality of work" and len(history.goals) == 4
    with pytest.raises(ServiceError, match="already done"):
        evaluations.complete_goal(session, goal_ids["Already done"] or 0, today=TODAY, now=NOW, actor=MANAGER)


# ------------------------------------------------------------------------------------------------ roles


@pytest.mark.parametrize("role", OTHERS)
def test_only_the_manager_writes_or_sees_ratings(session: Session, role: UserRole) -> None:
    person = make_staff(session, hire_date=date(2020, 11, 23), role=Role.front_desk)
    assert person.id is not None
    other = Actor("sam", {role}, name="Sam", workstation="desk", staff_id=person.id)
    with pytest.raises(NotAllowed):
        evaluations.complete_evaluation(session, done(person.id, TODAY), now=NOW, actor=other)
    with pytest.raises(NotAllowed):
        evaluations.person_evaluations(session, person.id, TODAY, actor=other)
    with pytest.raises(NotAllowed):
        evaluations.save_template(session, "", "Teamwork", now=NOW, actor=other)
    with pytest.raises(NotAllowed):
        credentials.record_evaluation(session, person.id, TODAY, TODAY, now=NOW, actor=other)
    saved = evaluations.complete_evaluation(session, done(person.id, TODAY), now=NOW, actor=MANAGER)
    with pytest.raises(NotAllowed):
        evaluations.sign_off(session, saved.id, SignOff(signed_on=TODAY), now=NOW, actor=other)
    assert json.loads(audit_events(session, "evaluation")[0][0].changes)["reviewer"] == "Pat Boss"



def test_recording_the_90_day_review_checks_off_its_onboarding_task(session: Session) -> None:
    hire = TODAY - timedelta(days=90)
    person = make_staff(session, hire_date=hire, role=Role.front_desk)
    assert person.id is not None
    checklists.start_checklist(session, person.id, ChecklistKind.onboarding, hire, now=NOW, actor=MANAGER)
    evaluations.complete_evaluation(session, done(person.id, TODAY), now=NOW, actor=MANAGER)
    task = session.exec(select(StaffTask).where(StaffTask.staff_id == person.id,
                                                StaffTask.what == checklists.PROBATION_TASK)).one()
    assert (task.done_on, task.done_by) == (TODAY, "Pat Boss")
