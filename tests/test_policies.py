"""Policy sign-off (issue 23, item 8): who owes the version in effect and by when, the newest version superseding,
signing for oneself or (the manager) for someone, adding versions, the Huddle's lines and the report's section."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from factories import NOW, make_compliance_task, make_staff
from officemgr.models import AuditEvent, ComplianceTask, Role, UserRole
from officemgr.models.lifecycle import PolicySignature, PolicyVersion
from officemgr.services import huddle_hr, policies, settings
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError
from officemgr.services.compliance_report import compliance_report, to_markdown
from officemgr.services.policies import VersionCreate, add_version, sign, signers, unsigned, versions

EFFECTIVE = date(2026, 10, 1)
DUE = EFFECTIVE + timedelta(days=30)  # 10/31
TODAY = date(2026, 11, 23)
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
CLINICAL = Actor("cal", {UserRole.clinical}, workstation="exam")


def policy(session: Session, title: str = "HIPAA privacy policy", **more: Any) -> ComplianceTask:
    return make_compliance_task(session, title=title, rrule="FREQ=YEARLY", is_policy=True, **more)


def version(session: Session, task: ComplianceTask, label: str = "v1", effective: date = EFFECTIVE,
            roles: tuple[Role, ...] = (), today: date | None = None) -> int:
    assert task.id is not None
    return add_version(session, VersionCreate(task_id=task.id, label=label, effective=effective, roles=roles,
                                              summary="What changed", document="policies/hipaa.pdf"),
                       today=today or effective, now=NOW, actor=MANAGER)


def person(session: Session, first: str, *, role: Role = Role.ma, hired: date | None = date(2020, 1, 6),
           **more: Any) -> int:
    row = make_staff(session, first_name=first, last_name="Test", role=role, hire_date=hired, **more)
    assert row.id is not None
    return row.id


def owed(session: Session, today: date) -> dict[str, date]:
    return {o.staff_name.split()[0]: o.due for o in unsigned(session, today)}


def me(staff_id: int, role: UserRole = UserRole.front_desk) -> Actor:
    return Actor("kim", {role}, name="Kim", staff_id=staff_id, workstation="desk1")


# --------------------------------------------------------------------------------------------- who owes


def test_who_owes_the_version_at_the_edges(session: Session) -> None:
    version(session, policy(session), roles=(Role.ma, Role.front_desk))
    person(session, "Old")
    person(session, "Dayafter", hired=EFFECTIVE + timedelta(days=1))
    person(session, "Nodate", hired=None)
    person(session, "Endedyesterday", end_date=TODAY - timedelta(days=1))
    person(session, "Endstoday", end_date=TODAY)
    person(session, "Inactive", active=False)
    person(session, "Nurse", role=Role.nurse)
    person(session, "Startstomorrow", hired=TODAY + timedelta(days=1))
    assert owed(session, TODAY) == {"Old": DUE, "Dayafter": DUE + timedelta(days=1), "Nodate": DUE,
                                    "Endstoday": DUE}


def test_a_new_hire_owes_the_current_version_within_the_days_after_their_start(session: Session) -> None:
    version(session, policy(session))
    person(session, "New", hired=TODAY)
    assert owed(session, TODAY) == {"New": TODAY + timedelta(days=30)}
    settings.put(session, "policy_sign_days", 14, now=NOW, actor="setup")
    assert owed(session, TODAY) == {"New": TODAY + timedelta(days=14)}


def test_the_due_date_crosses_into_a_leap_day(session: Session) -> None:
    version(session, policy(session), effective=date(2028, 1, 30))
    person(session, "Leap")
    assert owed(session, date(2028, 2, 1)) == {"Leap": date(2028, 2, 29)}


def test_the_newest_version_in_effect_supersedes_an_unsigned_older_one(session: Session) -> None:
    task = policy(session)
    v1 = version(session, task)
    v2 = version(session, task, "v2", effective=TODAY + timedelta(days=5), today=TODAY)
    person(session, "Late")
    assert [o.version_id for o in unsigned(session, TODAY)] == [v1]  # v2 is not in effect yet
    assert [o.version_id for o in unsigned(session, TODAY + timedelta(days=4))] == [v1]
    assert [(o.version_id, o.label) for o in unsigned(session, TODAY + timedelta(days=5))] == [(v2, "v2")]
    rows = versions(session, task.id or 0, TODAY + timedelta(days=5), actor=MANAGER)
    assert [(r.label, r.state, r.signed, r.applies_to) for r in rows] == [
        ("v2", "in effect", 0, 1), ("v1", "superseded", 0, 0)]


def test_a_retired_policy_is_owed_by_no_one(session: Session) -> None:
    task = policy(session)
    version(session, task)
    person(session, "Any")
    task.active = False
    session.add(task)
    session.commit()
    assert unsigned(session, TODAY) == []


def test_a_signature_settles_it_and_the_version_counts_it(session: Session) -> None:
    task = policy(session)
    v1 = version(session, task)
    signed, other = person(session, "Signed"), person(session, "Other")
    sign(session, v1, signed, TODAY, today=TODAY, now=NOW, actor=me(signed))
    assert owed(session, TODAY) == {"Other": DUE}
    [row] = versions(session, task.id or 0, TODAY, actor=MANAGER)
    assert (row.signed, row.applies_to, row.due, row.state) == (1, 2, DUE, "in effect")
    assert [(s.staff_id, s.signed_on, s.due) for s in signers(session, v1, TODAY, actor=MANAGER)] == [
        (other, None, DUE), (signed, TODAY, None)]


# ----------------------------------------------------------------------------------------------- signing


def test_a_person_signs_only_for_themselves_and_it_is_audited(session: Session) -> None:
    v1 = version(session, policy(session))
    mine, theirs = person(session, "Kim"), person(session, "Lee")
    with pytest.raises(NotAllowed, match="only your own policies"):
        sign(session, v1, theirs, TODAY, today=TODAY, now=NOW, actor=me(mine))
    with pytest.raises(ServiceError, match="on the day you sign"):
        sign(session, v1, mine, TODAY - timedelta(days=1), today=TODAY, now=NOW, actor=me(mine))
    with pytest.raises(NotAllowed, match="signing a policy needs"):
        sign(session, v1, mine, TODAY, today=TODAY, now=NOW, actor=me(mine, UserRole.auditor))
    session.rollback()
    new_id = sign(session, v1, mine, TODAY, today=TODAY, now=NOW, actor=me(mine))
    row = session.get(PolicySignature, new_id)
    assert row is not None and (row.staff_id, row.signed_on, row.recorded_by) == (mine, TODAY, "Kim")
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "policy_signature")).one()
    assert (event.entity_id, event.actor, json.loads(event.changes)["staff_id"]) == (new_id, "kim@desk1", mine)
    with pytest.raises(ServiceError, match=f"already signed HIPAA privacy policy v1 on {TODAY:%m/%d/%Y}"):
        sign(session, v1, mine, TODAY, today=TODAY, now=NOW, actor=me(mine))


def test_a_person_cannot_sign_a_version_already_replaced(session: Session) -> None:
    task = policy(session)
    v1 = version(session, task)
    version(session, task, "v2", effective=TODAY, today=TODAY)
    mine = person(session, "Kim")
    with pytest.raises(ServiceError, match="replaced by v2"):
        sign(session, v1, mine, TODAY, today=TODAY, now=NOW, actor=me(mine))


def test_the_manager_records_a_paper_signature_for_someone(session: Session) -> None:
    v1 = version(session, policy(session))
    other = person(session, "Lee")
    paper = EFFECTIVE + timedelta(days=3)
    sign(session, v1, other, paper, today=TODAY, now=NOW, actor=MANAGER)
    row = session.exec(select(PolicySignature)).one()
    assert (row.staff_id, row.signed_on, row.recorded_by) == (other, paper, "Pat Boss")
    assert owed(session, TODAY) == {}


@pytest.mark.parametrize(("signed_on", "message"), [
    (TODAY + timedelta(days=1), "cannot be after today"),
    (EFFECTIVE - timedelta(days=1), r"cannot be before v1 was added \(10/01/2026\)"),
])
def test_the_manager_s_signing_date_is_checked(session: Session, signed_on: date, message: str) -> None:
    v1 = version(session, policy(session))
    other = person(session, "Lee")
    with pytest.raises(ServiceError, match=message):
        sign(session, v1, other, signed_on, today=TODAY, now=NOW, actor=MANAGER)
    assert session.exec(select(PolicySignature)).all() == []


def test_no_one_signs_a_version_not_for_them(session: Session) -> None:
    task = policy(session)
    v1 = version(session, task, roles=(Role.nurse,))
    ma, left = person(session, "Ma"), person(session, "Left", role=Role.nurse, end_date=TODAY - timedelta(days=1))
    with pytest.raises(ServiceError, match=r"applies to Nurse only, not to Ma Test \(Medical assistant\)"):
        sign(session, v1, ma, TODAY, today=TODAY, now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="not on staff today"):
        sign(session, v1, left, TODAY, today=TODAY, now=NOW, actor=MANAGER)
    nurse = person(session, "Nurse", role=Role.nurse)
    task.active = False
    session.add(task)
    session.commit()
    with pytest.raises(ServiceError, match="was retired"):
        sign(session, v1, nurse, TODAY, today=TODAY, now=NOW, actor=MANAGER)


def test_my_policies_needs_a_staff_record(session: Session) -> None:
    version(session, policy(session))
    mine = person(session, "Kim")
    assert [o.staff_id for o in policies.my_policies(session, TODAY, actor=me(mine))] == [mine]
    with pytest.raises(ServiceError, match="not linked to a staff record"):
        policies.my_policies(session, TODAY, actor=Actor("x", {UserRole.biller}))


# ---------------------------------------------------------------------------------------------- versions


def test_only_the_manager_adds_a_version_and_it_is_audited(session: Session) -> None:
    task = policy(session)
    assert task.id is not None
    data = VersionCreate(task_id=task.id, label=" v3 ", effective=TODAY, roles=(Role.ma, Role.ma, Role.nurse))
    with pytest.raises(NotAllowed, match="adding a policy version needs the manager role"):
        add_version(session, data, today=TODAY, now=NOW, actor=CLINICAL)
    session.rollback()
    new_id = add_version(session, data, today=TODAY, now=NOW, actor=MANAGER)
    row = session.get(PolicyVersion, new_id)
    assert row is not None
    assert (row.label, row.roles, row.created_on, row.created_by) == ("v3", "ma,nurse", TODAY, "Pat Boss")
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "policy_version")).one()
    assert (event.entity_id, event.action, event.actor) == (new_id, "create", "pat@office")


@pytest.mark.parametrize(("label", "effective", "message"), [
    ("V1", EFFECTIVE + timedelta(days=1), "already has a version V1"),
    ("v2", EFFECTIVE, r"takes effect after the latest one \(v1, effective 10/01/2026\)"),
    ("v2", TODAY + timedelta(days=367), "more than a year from today"),
    ("v2", TODAY - timedelta(days=367), "more than a year from today"),
])
def test_a_version_s_label_and_date_are_checked(session: Session, label: str, effective: date, message: str) -> None:
    task = policy(session)
    version(session, task)
    with pytest.raises(ServiceError, match=message):
        add_version(session, VersionCreate(task_id=task.id or 0, label=label, effective=effective), today=TODAY,
                    now=NOW, actor=MANAGER)
    assert len(session.exec(select(PolicyVersion)).all()) == 1


def test_a_version_goes_only_on_an_active_policy(session: Session) -> None:
    duty = make_compliance_task(session, title="Eyewash flush")
    retired = policy(session, active=False)
    for task, message in ((duty, "no longer in the register"), (retired, "retired policy takes no new versions")):
        with pytest.raises(ServiceError, match=message):
            add_version(session, VersionCreate(task_id=task.id or 0, label="v1", effective=TODAY), today=TODAY,
                        now=NOW, actor=MANAGER)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("label", "  ", "give the version a label"), ("label", "x" * 21, "at most 20 characters"),
    ("label", "v\u001b2", "cannot be saved"), ("summary", "x" * 1001, "at most 1,000"),
    ("document", "x" * 4001, "at most 4,000"), ("roles", ["janitor"], "Input should be"),
    ("effective", "13/45/2026", "effective"),
])
def test_bad_input_is_refused(field: str, value: object, message: str) -> None:
    values: dict[str, Any] = {"task_id": 1, "label": "v2", "effective": TODAY, field: value}
    with pytest.raises(ValidationError, match=message):
        VersionCreate.model_validate(values)


# ------------------------------------------------------------------------------------- Huddle and report


def test_the_manager_s_huddle_line_from_a_week_ahead_and_urgent_once_overdue(session: Session) -> None:
    task = policy(session, title="HIPAA Privacy Policy")
    v3 = version(session, task, "v3")
    person(session, "One")
    person(session, "Two")
    assert huddle_hr.staffing_items(session, DUE - timedelta(days=8), MANAGER) == []
    [week] = huddle_hr.staffing_items(session, DUE - timedelta(days=7), MANAGER)
    assert (week.text, week.urgent, week.key, week.tab, week.record_id) == (
        "HIPAA Privacy Policy v3: 2 to sign, due 10/31", False, f"policy:{v3}", "compliance", task.id)
    [due] = huddle_hr.staffing_items(session, DUE, MANAGER)
    assert not due.urgent  # due today, not overdue
    [late] = huddle_hr.staffing_items(session, DUE + timedelta(days=1), MANAGER)
    assert late.urgent and late.reason == "policy signatures overdue"


def test_a_signed_in_person_sees_only_their_own_unsigned_policies(session: Session) -> None:
    task = policy(session, title="HIPAA Privacy Policy")
    v3 = version(session, task, "v3")
    mine = person(session, "Kim")
    person(session, "Lee")
    [line] = huddle_hr.staffing_items(session, TODAY, me(mine))
    assert (line.text, line.urgent) == ("Sign: HIPAA Privacy Policy v3 by 10/31", True)
    sign(session, v3, mine, TODAY, today=TODAY, now=NOW, actor=me(mine))
    assert huddle_hr.staffing_items(session, TODAY, me(mine)) == []
    assert huddle_hr.staffing_items(session, TODAY, Actor("aud", {UserRole.auditor}, staff_id=mine)) == []


def test_the_report_lists_unsigned_versions_with_names_and_days_overdue(session: Session) -> None:
    task = policy(session)
    version(session, task, "v2")
    person(session, "Overdue")
    person(session, "Newhire", hired=TODAY - timedelta(days=2))
    report = compliance_report(session, TODAY - timedelta(days=30), TODAY, TODAY)
    section = report.extra[-1]
    assert section.title == "Unsigned policy versions (as of 11/23/2026)"
    assert section.rows == [["HIPAA privacy policy", "v2", "Overdue Test", "2026-10-31", "23"],
                            ["HIPAA privacy policy", "v2", "Newhire Test", "2026-12-21", "not yet due"]]
    assert "| HIPAA privacy policy | v2 | Overdue Test | 2026-10-31 | 23 |" in to_markdown(report)

