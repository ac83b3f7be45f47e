"""Onboarding and leaving checklists (issue 23, part 2): the default templates, due dates in business days of the
practice calendar (the I-9 rule at its edges), tasks done and undone, template edits, and the Huddle's lines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from factories import NOW, TODAY, audit_events, make_staff
from officemgr.models import Closure, Role, Staff, UserRole
from officemgr.models.lifecycle import ChecklistKind, ChecklistTemplateItem, StaffTask
from officemgr.services import checklists, huddle_hr, staff
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.checklists import TemplateItemInput
from officemgr.services.common import ServiceError, StaleEdit

ACTOR = "manager"
ON = ChecklistKind.onboarding
I9 = "I-9 section 2 (identity and work authorization)"


def started(session: Session, start: date, role: Role = Role.ma, **more: object) -> tuple[Staff, dict[str, date]]:
    person = make_staff(session, role=role, hire_date=start, **more)
    assert person.id is not None
    checklists.start_checklist(session, person.id, ON, start, now=NOW, actor=ACTOR)
    return person, {t.what: t.due for t in checklists.tasks(session, person.id, actor=ACTOR)}


@pytest.mark.parametrize(("start", "due", "why"), [
    (date(2026, 11, 23), date(2026, 11, 26 + 1), "Mon start: Tue, Wed, then Thanksgiving, so Fri"),
    (date(2026, 10, 30), date(2026, 11, 4), "Fri start: Mon, Tue, Wed"),
    (date(2026, 9, 4), date(2026, 9, 10), "Fri start before Labor Day (Mon): Tue, Wed, Thu"),
    (date(2026, 11, 6), date(2026, 11, 12), "Fri start, Veterans Day on Wed: Mon, Tue, Thu"),
    (date(2026, 12, 24), date(2026, 12, 30), "Thu Dec 24, Christmas Fri: Mon 28, Tue 29, Wed 30"),
    (date(2027, 12, 23), date(2027, 12, 29), "Thu Dec 23 2027, Christmas observed Fri Dec 24: Mon, Tue, Wed"),
    (date(2028, 2, 29), date(2028, 3, 3), "Tue Feb 29 (leap day): Wed Mar 1, Thu 2, Fri 3"),
    (date(2026, 11, 28), date(2026, 12, 2), "a Saturday start: Mon, Tue, Wed"),
])
def test_the_i9_is_due_on_the_third_business_day_after_the_start(
        session: Session, start: date, due: date, why: str) -> None:
    _, tasks = started(session, start)
    assert tasks[I9] == due, why


def test_a_practice_closure_is_not_a_business_day(session: Session) -> None:
    session.add(Closure(day=date(2026, 10, 14), reason="Flooring", at=NOW))
    session.commit()
    _, tasks = started(session, date(2026, 10, 13))  # Tue start, closed Wed: Thu, Fri, Mon
    assert tasks[I9] == date(2026, 10, 19)


def test_calendar_days_count_across_feb_29_and_the_probation_setting(session: Session) -> None:
    _, tasks = started(session, date(2028, 2, 29))
    assert tasks["State new-hire report"] == date(2028, 3, 20)
    assert tasks["90-day review"] == date(2028, 5, 29)
    assert tasks["W-4 withholding form"] == date(2028, 2, 29)
    assert tasks["Policy sign-offs"] == date(2028, 3, 30)


def test_clinical_roles_train_and_verify_before_the_start_others_within_10_days(session: Session) -> None:
    start = date(2026, 12, 1)
    ma, ma_tasks = started(session, start, Role.ma, first_name="Ana")
    _, desk_tasks = started(session, start, Role.front_desk, first_name="Bo")
    assert ma_tasks["HIPAA training (before patient contact)"] == start
    assert ma_tasks["OSHA bloodborne pathogens training (before patient contact)"] == start
    assert ma_tasks["License verification (before the start)"] == start
    assert desk_tasks["HIPAA training"] == start + timedelta(days=10)
    assert desk_tasks["OSHA bloodborne pathogens training"] == start + timedelta(days=10)
    assert "License verification (before the start)" not in desk_tasks
    assert len(ma_tasks) == 10 and len(desk_tasks) == 9
    [row] = [t for t in checklists.tasks(session, ma.id or 0, actor=ACTOR) if t.what == I9]
    assert (row.owner, row.done_on, row.kind) == ("Manager", None, ON)


def test_defaults_are_seeded_once_and_audited(session: Session) -> None:
    # 7 every-role onboarding items, license verification for the 4 clinical roles, HIPAA and OSHA training for all
    # 7 roles (each its own due day), and 5 leaving items.
    assert checklists.ensure_defaults(session, now=NOW, actor=ACTOR) == 7 + 4 + 7 + 7 + 5
    assert checklists.ensure_defaults(session, now=NOW, actor=ACTOR) == 0
    assert len(session.exec(select(ChecklistTemplateItem)).all()) == 30
    assert len(audit_events(session, "checklist_template_item")) == 30


def test_the_probation_review_follows_the_setting_when_seeded(session: Session) -> None:
    from officemgr.services import settings

    settings.put(session, "probation_review_days", 60, now=NOW, actor=ACTOR)
    _, tasks = started(session, date(2026, 12, 1))
    assert tasks["90-day review"] == date(2027, 1, 30)


def test_starting_the_same_kind_twice_is_refused_and_adds_nothing(session: Session) -> None:
    person, _ = started(session, date(2026, 12, 1), first_name="Ana", last_name="Ruiz")
    before = len(session.exec(select(StaffTask)).all())
    twice = r"^Ana Ruiz already has an onboarding checklist \(first task due 12/01/2026\); it cannot be started twice$"
    with pytest.raises(ServiceError, match=twice):
        checklists.start_checklist(session, person.id or 0, ON, date(2026, 12, 2), now=NOW, actor=ACTOR)
    session.rollback()
    assert len(session.exec(select(StaffTask)).all()) == before
    # The other kind still starts.
    assert checklists.start_checklist(session, person.id or 0, ChecklistKind.leaving, date(2027, 1, 8), now=NOW,
                                      actor=ACTOR) == 5


def test_a_person_not_on_file_is_refused(session: Session) -> None:
    with pytest.raises(ServiceError, match="no longer exists"):
        checklists.start_checklist(session, 999, ON, TODAY, now=NOW, actor=ACTOR)


def test_an_emptied_template_is_refused_with_a_message(session: Session) -> None:
    checklists.ensure_defaults(session, now=NOW, actor=ACTOR)
    for row in checklists.template(session, ChecklistKind.leaving, actor=ACTOR):
        checklists.remove_template_item(session, row.id, now=NOW, actor=ACTOR, expected_version=row.version)
    person = make_staff(session)
    with pytest.raises(ServiceError, match="leaving template for Medical assistant has no tasks"):
        checklists.start_checklist(session, person.id or 0, ChecklistKind.leaving, TODAY, now=NOW, actor=ACTOR)


def test_done_and_undo_are_recorded_with_who_and_when(session: Session) -> None:
    person, _ = started(session, TODAY)
    manager = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
    task = next(t for t in checklists.tasks(session, person.id or 0, actor=ACTOR) if t.what == I9)
    checklists.mark_done(session, task.id, TODAY, "  List A: passport  ", today=TODAY, now=NOW, actor=manager,
                         expected_version=task.version)
    row = session.get(StaffTask, task.id)
    assert row is not None
    assert (row.done_on, row.done_by, row.note, row.version) == (TODAY, "Pat Boss", "List A: passport", 2)
    with pytest.raises(ServiceError, match="already done on 11/23/2026"):
        checklists.mark_done(session, task.id, TODAY, today=TODAY, now=NOW, actor=manager, expected_version=2)
    with pytest.raises(StaleEdit):
        checklists.undo_done(session, task.id, now=NOW, actor=manager, expected_version=1)
    checklists.undo_done(session, task.id, now=NOW, actor=manager, expected_version=2)
    session.refresh(row)
    assert (row.done_on, row.done_by, row.note) == (None, "", "List A: passport")
    with pytest.raises(ServiceError, match="is not done: nothing to undo"):
        checklists.undo_done(session, task.id, now=NOW, actor=manager, expected_version=3)
    actions = [e.action for e, _ in audit_events(session, "staff_task") if e.entity_id == task.id]
    assert actions == ["create", "done", "undo"]


def test_done_after_today_or_a_long_note_is_refused(session: Session) -> None:
    person, _ = started(session, TODAY)
    task = checklists.tasks(session, person.id or 0, actor=ACTOR)[0]
    with pytest.raises(ServiceError, match=r"cannot be after today \(11/23/2026\)"):
        checklists.mark_done(session, task.id, TODAY + timedelta(days=1), today=TODAY, now=NOW, actor=ACTOR,
                             expected_version=1)
    with pytest.raises(ServiceError, match="at most 500"):
        checklists.mark_done(session, task.id, TODAY, "x" * 501, today=TODAY, now=NOW, actor=ACTOR,
                             expected_version=1)
    session.rollback()
    assert session.get(StaffTask, task.id).done_on is None  # type: ignore[union-attr]


@pytest.mark.parametrize(("values", "message"), [
    ({"what": "  "}, "say what the task is"),
    ({"what": "x" * 121}, "at most 120"),
    ({"role": "janitor"}, "choose a role"),
    ({"due_days": 366}, "between -60"),
    ({"due_days": -61}, "between -60"),
    ({"owner": "y" * 61}, "at most 60"),
])
def test_template_input_rules(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TemplateItemInput.model_validate({"kind": ON, "what": "Badge photo", **values})


def test_edges_of_the_template_input_are_accepted() -> None:
    item = TemplateItemInput.model_validate({"kind": ON, "what": "Badge photo", "due_days": -60, "owner": " ",
                                             "role": Role.nurse})
    assert (item.due_days, item.owner, item.role) == (-60, "Manager", "nurse")
    assert TemplateItemInput.model_validate({"kind": ON, "what": "x", "due_days": 365}).due_days == 365


def test_template_edits_apply_to_checklists_started_afterwards_only(session: Session) -> None:
    before, _ = started(session, TODAY, first_name="Ana")
    item = checklists.add_template_item(session, TemplateItemInput(
        kind=ON, role="ma", what="Vaccine records", owner="employee", due_days=-2, business_days=True),
        now=NOW, actor=ACTOR)
    ma_items = [r.what for r in checklists.template(session, ON, "ma", actor=ACTOR)]
    assert ma_items[-1] == "Vaccine records"
    assert "Vaccine records" not in [r.what for r in checklists.template(session, ON, "biller", actor=ACTOR)]
    _, tasks = started(session, TODAY, first_name="Bo")
    assert tasks["Vaccine records"] == date(2026, 11, 19)  # two business days before Monday: Thu
    assert "Vaccine records" not in [t.what for t in checklists.tasks(session, before.id or 0, actor=ACTOR)]
    checklists.update_template_item(session, item, TemplateItemInput(kind=ON, role="", what="Vaccine records",
                                                                     due_days=5), now=NOW, actor=ACTOR,
                                    expected_version=1)
    assert "Vaccine records" in [r.what for r in checklists.template(session, ON, "biller", actor=ACTOR)]
    with pytest.raises(StaleEdit):
        checklists.update_template_item(session, item, TemplateItemInput(kind=ON, what="Old"), now=NOW,
                                        actor=ACTOR, expected_version=1)


@pytest.mark.parametrize("role", [UserRole.front_desk, UserRole.biller, UserRole.clinical, UserRole.auditor])
def test_other_roles_are_refused(session: Session, role: UserRole) -> None:
    person = make_staff(session)
    someone = Actor("sam", {role}, name="Sam", workstation="desk")
    with pytest.raises(NotAllowed):
        checklists.start_checklist(session, person.id or 0, ON, TODAY, now=NOW, actor=someone)
    with pytest.raises(NotAllowed):
        checklists.tasks(session, person.id or 0, actor=someone)
    assert session.exec(select(StaffTask)).all() == []


def test_the_huddle_lists_open_tasks_due_today_or_overdue(session: Session) -> None:
    person, _ = started(session, TODAY - timedelta(days=14), first_name="Ana", last_name="Ruiz")
    rows = {t.what: t for t in checklists.tasks(session, person.id or 0, actor=ACTOR)}
    w4 = rows["W-4 withholding form"]
    checklists.mark_done(session, w4.id, TODAY, today=TODAY, now=NOW, actor=ACTOR, expected_version=w4.version)
    items = {i.key: i for i in huddle_hr.staffing_items(session, TODAY, ACTOR)}
    i9 = items[f"task:{rows[I9].id}"]
    assert i9.text == "Onboarding: I-9 section 2 for Ana Ruiz, due 11/13"  # Veterans Day skipped
    assert (i9.urgent, i9.reason) == (True, "onboarding task overdue")
    assert f"task:{w4.id}" not in items  # done
    assert f"task:{rows['State new-hire report'].id}" not in items  # due 11/29: not yet
    # Due today: on the list, not urgent.
    _, _ = started(session, TODAY, first_name="Bo", last_name="New")
    today_items = [i for i in huddle_hr.staffing_items(session, TODAY, ACTOR) if "Bo New" in i.text]
    assert today_items and all(not i.urgent and i.reason == "onboarding task due today" for i in today_items)
    desk = Actor("sam", {UserRole.front_desk}, name="Sam", workstation="desk")
    assert not [i for i in huddle_hr.staffing_items(session, TODAY, desk) if i.key.startswith("task:")]


def test_onboarding_of_someone_who_left_drops_off_the_huddle_but_their_leaving_tasks_stay(session: Session) -> None:
    person, _ = started(session, TODAY - timedelta(days=53), first_name="Ana", last_name="Ruiz")
    assert person.id is not None
    staff.end_employment(session, person.id, TODAY - timedelta(days=44), "Left after a week", now=NOW, actor=ACTOR)
    lines = [i.text for i in huddle_hr.staffing_items(session, TODAY, ACTOR) if "Ana Ruiz" in i.text]
    assert lines and all(line.startswith("Leaving:") for line in lines)


def test_the_policy_sign_off_task_has_the_policies_own_deadline(session: Session) -> None:
    _, due = started(session, TODAY)
    assert due["Policy sign-offs"] == TODAY + timedelta(days=30)
