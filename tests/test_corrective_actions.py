"""Corrective actions (issue 23, item 6): the manager's log, refused to every other role, follow-ups on the
manager's Huddle without details."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from factories import NOW, make_compliance_task, make_staff
from officemgr import store
from officemgr.models import AuditEvent, ComplianceTask, UserRole
from officemgr.models.people import CorrectiveAction, CorrectiveKind
from officemgr.services import huddle
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError, StaleEdit
from officemgr.services.corrective import (
    CorrectiveCreate,
    add_corrective,
    close_corrective,
    corrective_log,
    follow_ups_due,
)

TODAY = date(2026, 11, 30)
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
OTHERS = [UserRole.front_desk, UserRole.biller, UserRole.clinical, UserRole.auditor]


def entry(staff_id: int, **more: Any) -> CorrectiveCreate:
    values: dict[str, Any] = {"staff_id": staff_id, "happened_on": TODAY - timedelta(days=7),
                              "kind": CorrectiveKind.written_warning, "policy": "Attendance",
                              "detail": "Late three times in two weeks.\nNo call ahead.",
                              "resolution": "On time for 30 days", "follow_up": TODAY}
    values.update(more)
    return CorrectiveCreate.model_validate(values)


def test_the_manager_logs_and_reads_an_entry_and_it_is_audited(session: Session) -> None:
    person = make_staff(session, first_name="John", last_name="Smith")
    assert person.id is not None
    new_id = add_corrective(session, entry(person.id), today=TODAY, now=NOW, actor=MANAGER)
    [row] = corrective_log(session, person.id, actor=MANAGER)
    assert (row.id, row.kind, row.detail, row.follow_up, row.closed_on) == (
        new_id, CorrectiveKind.written_warning, "Late three times in two weeks.\nNo call ahead.", TODAY, None)
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "corrective_action")).one()
    assert (event.entity_id, event.action, json.loads(event.changes)["kind"]) == (
        new_id, "create", "written_warning")


@pytest.mark.parametrize("role", OTHERS)
def test_every_other_role_is_refused_reading_and_writing(session: Session, role: UserRole) -> None:
    person = make_staff(session)
    assert person.id is not None
    action_id = add_corrective(session, entry(person.id), today=TODAY, now=NOW, actor=MANAGER)
    other = Actor("someone", {role})
    with pytest.raises(NotAllowed, match="recording a corrective action needs the manager role"):
        add_corrective(session, entry(person.id), today=TODAY, now=NOW, actor=other)
    with pytest.raises(NotAllowed, match="seeing corrective actions needs the manager role"):
        corrective_log(session, person.id, actor=other)
    with pytest.raises(NotAllowed, match="seeing corrective actions"):
        follow_ups_due(session, TODAY, actor=other)
    with pytest.raises(NotAllowed, match="closing a corrective action"):
        close_corrective(session, action_id, TODAY, today=TODAY, now=NOW, actor=other, expected_version=1)
    session.rollback()
    assert len(session.exec(select(CorrectiveAction)).all()) == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("detail", "   ", "say what happened"), ("detail", "x" * 2001, "at most 2,000"),
    ("policy", "x" * 121, "at most 120"), ("policy", "two\nlines", "cannot be saved"),
    ("kind", "reprimand", "Input should be"), ("happened_on", "31/02/2026", "happened_on"),
    ("follow_up", TODAY - timedelta(days=8), "before the date it happened")])
def test_bad_input_is_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        entry(1, **{field: value})


def test_the_edges_of_the_dates(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    add_corrective(session, entry(person.id, happened_on=TODAY, follow_up=TODAY), today=TODAY, now=NOW,
                   actor=MANAGER)
    assert entry(person.id, detail="x" * 2000, policy="p" * 120).detail == "x" * 2000
    with pytest.raises(ServiceError, match="cannot be after today"):
        add_corrective(session, entry(person.id, happened_on=TODAY + timedelta(days=1),
                                      follow_up=TODAY + timedelta(days=1)), today=TODAY, now=NOW, actor=MANAGER)
    session.rollback()
    with pytest.raises(ServiceError, match="no longer exists"):
        add_corrective(session, entry(person.id + 99), today=TODAY, now=NOW, actor=MANAGER)


def test_closing_records_when_and_by_whom_within_its_dates(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    happened = TODAY - timedelta(days=7)
    action_id = add_corrective(session, entry(person.id, happened_on=happened), today=TODAY, now=NOW, actor=MANAGER)
    for closed, message in ((happened - timedelta(days=1), "before it happened"),
                            (TODAY + timedelta(days=1), "after today")):
        with pytest.raises(ServiceError, match=message):
            close_corrective(session, action_id, closed, today=TODAY, now=NOW, actor=MANAGER, expected_version=1)
        session.rollback()
    with pytest.raises(StaleEdit):
        close_corrective(session, action_id, TODAY, today=TODAY, now=NOW, actor=MANAGER, expected_version=2)
    session.rollback()
    close_corrective(session, action_id, happened, today=TODAY, now=NOW, actor=MANAGER, expected_version=1)
    row = session.get(CorrectiveAction, action_id)
    assert row is not None and (row.closed_on, row.closed_by, row.version) == (happened, "Pat Boss", 2)
    with pytest.raises(ServiceError, match="already closed"):
        close_corrective(session, action_id, TODAY, today=TODAY, now=NOW, actor=MANAGER, expected_version=2)


def test_follow_ups_due_today_or_overdue_and_open_only(session: Session) -> None:
    person = make_staff(session, first_name="John", last_name="Smith")
    assert person.id is not None
    due_today = add_corrective(session, entry(person.id), today=TODAY, now=NOW, actor=MANAGER)
    overdue = add_corrective(session, entry(person.id, kind=CorrectiveKind.coaching,
                                            follow_up=TODAY - timedelta(days=1)), today=TODAY, now=NOW, actor=MANAGER)
    add_corrective(session, entry(person.id, follow_up=TODAY + timedelta(days=1)), today=TODAY, now=NOW,
                   actor=MANAGER)
    add_corrective(session, entry(person.id, follow_up=None), today=TODAY, now=NOW, actor=MANAGER)
    closed = add_corrective(session, entry(person.id), today=TODAY, now=NOW, actor=MANAGER)
    close_corrective(session, closed, TODAY, today=TODAY, now=NOW, actor=MANAGER, expected_version=1)
    assert [f.action_id for f in follow_ups_due(session, TODAY, actor=MANAGER)] == [overdue, due_today]


def test_the_managers_huddle_shows_the_follow_up_without_details_and_others_do_not(session: Session) -> None:
    person = make_staff(session, first_name="John", last_name="Smith")
    assert person.id is not None
    add_corrective(session, entry(person.id), today=TODAY, now=NOW, actor=MANAGER)

    def staffing_lines(actor: str) -> list[str]:
        sections = huddle.huddle(session, TODAY, actor=actor).sections
        return [f"{i.text} | {i.reason}" for s in sections if s.key == "staffing" for i in s.items]

    lines = [line for line in staffing_lines(MANAGER) if line.startswith("Follow-up")]
    assert lines == ["Follow-up: written warning for J. Smith, due 11/30 | corrective action follow-up due today"]
    for role in (UserRole.front_desk, UserRole.clinical, UserRole.biller, UserRole.auditor):
        assert not [line for line in staffing_lines(Actor("x", {role})) if "Follow-up" in line or "Late" in line]


def test_the_demo_has_one_open_written_warning_with_a_follow_up(demo_engine: Engine) -> None:
    from ui_support import TODAY as DEMO_TODAY

    with store.read_session(demo_engine) as session:
        rows = session.exec(select(CorrectiveAction)).all()
    assert [(r.kind, r.closed_on, r.follow_up) for r in rows] == [
        (CorrectiveKind.written_warning, None, DEMO_TODAY + timedelta(days=7))]


# --- the policy involved, from the compliance register (item 8's link) ---------------------------------------


def test_an_entry_names_a_register_policy_whose_title_shows_even_once_retired(session: Session) -> None:
    person = make_staff(session)
    policy = make_compliance_task(session, title="HIPAA privacy policy", rrule="FREQ=YEARLY", is_policy=True)
    assert person.id is not None and policy.id is not None
    add_corrective(session, entry(person.id, policy="", policy_task_id=policy.id), today=TODAY, now=NOW,
                   actor=MANAGER)
    stored = session.exec(select(CorrectiveAction)).one()
    assert (stored.policy_task_id, stored.policy) == (policy.id, "HIPAA privacy policy")
    policy.title, policy.active = "HIPAA privacy policy (2025)", False
    session.add(policy)
    session.commit()
    [row] = corrective_log(session, person.id, actor=MANAGER)
    assert (row.policy, row.policy_task_id) == ("HIPAA privacy policy (2025)", policy.id)


def test_free_text_still_names_any_other_policy(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    add_corrective(session, entry(person.id, policy="Dress code"), today=TODAY, now=NOW, actor=MANAGER)
    [row] = corrective_log(session, person.id, actor=MANAGER)
    assert (row.policy, row.policy_task_id) == ("Dress code", None)


def test_a_retired_policy_or_a_duty_is_refused_for_a_new_entry(session: Session) -> None:
    person = make_staff(session)
    retired = make_compliance_task(session, title="Old policy", rrule="FREQ=YEARLY", is_policy=True, active=False)
    duty = make_compliance_task(session, title="Eyewash flush")
    assert person.id is not None
    for task, message in ((retired, "'Old policy' was retired"), (duty, "no longer in the register")):
        with pytest.raises(ServiceError, match=message):
            add_corrective(session, entry(person.id, policy_task_id=task.id), today=TODAY, now=NOW, actor=MANAGER)
    assert session.exec(select(CorrectiveAction)).all() == []


def test_the_demo_s_written_warning_names_a_register_policy(demo_engine: Engine) -> None:
    with store.read_session(demo_engine) as session:
        [warning] = session.exec(select(CorrectiveAction)).all()
        assert warning.policy_task_id is not None
        policy = session.get(ComplianceTask, warning.policy_task_id)
    assert policy is not None and policy.is_policy and policy.title == "HIPAA privacy policy"
