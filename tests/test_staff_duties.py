"""Staff-linked compliance duties: yearly trainings per person, and the monthly OIG screening of all staff."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from factories import NOW, TODAY, make_completion, make_compliance_task, make_credential, make_staff
from officemgr.models import ComplianceCategory, CredentialKind, Role
from officemgr.services import compliance, settings
from officemgr.services.staff_duties import oig_screening, training_due, training_status

HIPAA = CredentialKind.hipaa_training
BBP = CredentialKind.bbp_training


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def due_of(session, today: date = TODAY, **kw) -> list[tuple[str, CredentialKind, int | None]]:
    return [(r.staff_name, r.kind, r.days_left) for r in training_due(session, today, **kw)]


# ----------------------------------------------------------------------------------------------- trainings


def test_a_person_without_a_training_owes_it_only_if_the_role_requires_it(session):
    make_staff(session, first_name="Mary", last_name="Jones", role=Role.ma)  # both trainings
    make_staff(session, first_name="Fred", last_name="Desk", role=Role.front_desk)  # HIPAA only

    rows = training_due(session, TODAY)

    assert [(r.staff_name, r.kind, r.missing, r.expires, r.status()) for r in rows] == [
        ("Fred Desk", HIPAA, True, None, "missing"),
        ("Mary Jones", HIPAA, True, None, "missing"),
        ("Mary Jones", BBP, True, None, "missing"),
    ]


def test_expired_and_expiring_within_the_window_are_due_later_ones_are_not(session):
    people = {}
    for n in (-1, 0, 30, 31):
        people[n] = make_staff(session, first_name=f"P{n}", last_name="Test", role=Role.biller)
        make_credential(session, people[n], kind=HIPAA, expires=days(n))

    assert due_of(session) == [("P-1 Test", HIPAA, -1), ("P0 Test", HIPAA, 0), ("P30 Test", HIPAA, 30)]
    assert due_of(session, within_days=0) == [("P-1 Test", HIPAA, -1), ("P0 Test", HIPAA, 0)]
    by_name = {r.staff_name: r for r in training_status(session, TODAY)}
    assert [by_name[f"P{n} Test"].status() for n in (-1, 0, 30, 31)] == [
        "expired", "due today", "due in 30 days", "current"]
    assert by_name["P-1 Test"].expired and not by_name["P0 Test"].expired  # valid through its date


def test_the_latest_record_of_a_training_counts(session):
    mary = make_staff(session, first_name="Mary", last_name="Jones", role=Role.front_desk)
    make_credential(session, mary, kind=HIPAA, expires=days(-200))
    renewed = make_credential(session, mary, kind=HIPAA, expires=days(165))

    (row,) = training_status(session, TODAY)
    assert (row.credential_id, row.expires, row.days_left) == (renewed.id, days(165), 165)
    assert training_due(session, TODAY) == []


def test_inactive_staff_and_other_credentials_are_left_out(session):
    gone = make_staff(session, first_name="Old", last_name="Hand", role=Role.ma, active=False)
    make_credential(session, gone, kind=HIPAA, expires=days(-10))
    nurse = make_staff(session, first_name="Nina", last_name="Nurse", role=Role.nurse)
    make_credential(session, nurse, kind=CredentialKind.bls, expires=days(-5))  # not a yearly training
    make_credential(session, nurse, kind=HIPAA, expires=days(200))
    make_credential(session, nurse, kind=BBP, expires=days(10))

    assert due_of(session) == [("Nina Nurse", BBP, 10)]


def test_the_required_credentials_setting_decides_who_owes_a_training(session):
    make_staff(session, first_name="Fred", last_name="Desk", role=Role.front_desk)
    required = settings.get(session, "required_credentials")
    required["front_desk"] = ["hipaa_training", "bbp_training"]
    settings.put(session, "required_credentials", required, now=NOW, actor="manager")

    assert due_of(session) == [("Fred Desk", HIPAA, None), ("Fred Desk", BBP, None)]

    required["front_desk"] = []
    settings.put(session, "required_credentials", required, now=NOW, actor="manager")
    assert training_status(session, TODAY) == []


# ------------------------------------------------------------------------------------------ OIG screening


def oig_task(session, **kw):
    return make_compliance_task(session, title="OIG exclusion list (LEIE) screening", category=ComplianceCategory.hr,
                                rrule="FREQ=MONTHLY", anchor=date(2026, 1, 15), evidence="Saved search", **kw)


def test_oig_screening_is_due_monthly_and_covers_every_active_staff_member(session):
    make_compliance_task(session, title="AED monthly check", rrule="FREQ=MONTHLY", anchor=date(2026, 1, 2))
    task = oig_task(session)
    make_completion(session, task, due_date=date(2026, 10, 15), done_at=datetime(2026, 10, 15, 10))
    make_staff(session, first_name="Ann", last_name="Zed", role=Role.ma)
    make_staff(session, first_name="Bob", last_name="Able", role=Role.biller)
    make_staff(session, first_name="Cy", last_name="Gone", role=Role.ma, active=False)

    oig = oig_screening(session, TODAY)

    assert oig is not None
    assert (oig.task_id, oig.due, oig.days, oig.last_done, oig.overdue) == (
        task.id, date(2026, 11, 15), -8, date(2026, 10, 15), True)
    assert [s.name for s in oig.staff] == ["Bob Able", "Ann Zed"]
    assert oig.covers == "covers 2 active staff"
    # the due date is the compliance service's own
    assert oig.due == compliance.next_due(task.rrule, task.anchor, date(2026, 10, 15))


def test_no_oig_item_or_a_retired_one_means_no_screening(session):
    make_compliance_task(session, title="Boiler inspection", rrule="FREQ=YEARLY")  # "oi" is not OIG
    assert oig_screening(session, TODAY) is None
    oig_task(session, active=False)
    assert oig_screening(session, TODAY) is None
