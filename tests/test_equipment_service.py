"""Equipment with a service interval (services.equipment): next due, the due window, the service log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select

from factories import ACTOR, NOW, TODAY, audit_events, make_equipment
from officemgr.models import Equipment, EquipmentCreate, EquipmentService, ServiceCreate
from officemgr.services import equipment, settings
from officemgr.services.common import ServiceError, StaleEdit


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def data(**overrides) -> EquipmentCreate:
    values = dict(name=" Autoclave ", serial_number=" SN-1 ", location="Sterilization", service_every_days=30,
                  service_by="Steris")
    values.update(overrides)
    return EquipmentCreate(**values)


def snapshot(session) -> tuple:
    """What a refused write must leave alone: equipment rows, the service log and the audit trail."""
    session.rollback()
    return (
        sorted((e.id, e.name, e.version, e.last_service, e.next_due, e.service_every_days, e.active)
               for e in session.exec(select(Equipment))),
        sorted((s.id, s.equipment_id, s.on) for s in session.exec(select(EquipmentService))),
        [(e.entity, e.action) for e, _ in audit_events(session)],
    )


# --- add ----------------------------------------------------------------------------------------------


def test_add_computes_next_due_from_the_last_service(session):
    row = equipment.add(session, data(last_service=days(-10)), today=TODAY, now=NOW, actor=ACTOR)

    session.rollback()
    stored = session.get(Equipment, row.id)
    assert (stored.name, stored.serial_number, stored.last_service, stored.next_due, stored.active, stored.version) == (
        "Autoclave", "SN-1", days(-10), days(20), True, 1)
    [(event, changes)] = audit_events(session)
    assert (event.entity, event.entity_id, event.action, event.actor, event.at) == (
        "equipment", row.id, "create", ACTOR, NOW)
    assert (changes["name"], changes["next_due"], changes["last_service"]) == ("Autoclave", "2026-12-13", "2026-11-13")


def test_add_without_a_last_service_is_due_one_interval_from_today(session):
    row = equipment.add(session, data(last_service=None, service_every_days=365), today=TODAY, now=NOW, actor=ACTOR)
    assert (row.last_service, row.next_due) == (None, days(365))
    [listed] = equipment.equipment(session, TODAY)
    assert (listed.equipment_id, listed.next_due, listed.days_to_due) == (row.id, days(365), 365)


def test_add_refuses_a_name_clash_whatever_the_case_and_a_future_last_service(session):
    equipment.add(session, data(), today=TODAY, now=NOW, actor=ACTOR)
    before = snapshot(session)

    with pytest.raises(ServiceError, match="^there is already equipment called AUTOCLAVE$"):
        equipment.add(session, data(name="AUTOCLAVE"), today=TODAY, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="^the last service cannot be in the future$"):
        equipment.add(session, data(name="AED", last_service=days(1)), today=TODAY, now=NOW, actor=ACTOR)

    assert snapshot(session) == before


def test_equipment_create_validates_the_interval_and_the_name():
    for every in (0, -1, 3661):
        with pytest.raises(ValidationError):
            data(service_every_days=every)
    with pytest.raises(ValidationError, match="this field is required"):
        data(name="  ")


# --- list and due -------------------------------------------------------------------------------------


def test_equipment_lists_active_equipment_next_due_first(session):
    make_equipment(session, name="Fridge logger", next_due=days(40))
    make_equipment(session, name="AED", next_due=days(-3))
    make_equipment(session, name="ECG", next_due=days(40))
    make_equipment(session, name="Old scale", next_due=days(-100), active=False)

    rows = equipment.equipment(session, TODAY)

    assert [(r.name, r.days_to_due) for r in rows] == [("AED", -3), ("ECG", 40), ("Fridge logger", 40)]


def test_due_lists_overdue_and_due_within_the_warning_setting(session):
    make_equipment(session, name="Overdue", next_due=days(-5))
    make_equipment(session, name="Today", next_due=TODAY)
    make_equipment(session, name="Edge", next_due=days(14))
    make_equipment(session, name="Later", next_due=days(15))
    make_equipment(session, name="Retired", next_due=days(-5), active=False)

    assert [r.name for r in equipment.due(session, TODAY)] == ["Overdue", "Today", "Edge"]

    settings.put(session, "equipment_due_warn_days", 30, now=NOW, actor=ACTOR)
    assert [r.name for r in equipment.due(session, TODAY)] == ["Overdue", "Today", "Edge", "Later"]
    settings.put(session, "equipment_due_warn_days", 0, now=NOW, actor=ACTOR)
    assert [r.name for r in equipment.due(session, TODAY)] == ["Overdue", "Today"]


# --- service log --------------------------------------------------------------------------------------


def test_log_service_moves_next_due_one_interval_after_the_service(session):
    aed = make_equipment(session, name="AED", service_every_days=30, last_service=days(-40))  # due days(-10)

    row = equipment.log_service(session, aed.id, ServiceCreate(on=days(-2), done_by=" MJ ", note=" pads ok "),
                                today=TODAY, now=NOW, actor=ACTOR, expected_version=1)

    session.rollback()
    stored = session.get(Equipment, row.id)
    assert (stored.last_service, stored.next_due, stored.version) == (days(-2), days(28), 2)
    [log] = session.exec(select(EquipmentService)).all()
    assert (log.equipment_id, log.on, log.done_by, log.note, log.at, log.actor) == (
        aed.id, days(-2), "MJ", "pads ok", NOW, ACTOR)
    [(event, changes)] = audit_events(session)
    assert (event.entity, event.entity_id, event.action) == ("equipment", aed.id, "service")
    assert changes == {"on": "2026-11-21", "done_by": "MJ", "last_service": ["2026-10-14", "2026-11-21"],
                       "next_due": ["2026-11-13", "2026-12-21"]}
    assert equipment.due(session, TODAY) == []


def test_an_older_service_logged_later_does_not_move_next_due_back(session):
    aed = make_equipment(session, name="AED", service_every_days=30, last_service=days(-5))  # due days(25)

    equipment.log_service(session, aed.id, ServiceCreate(on=days(-20), done_by="MJ"), today=TODAY, now=NOW,
                          actor=ACTOR, expected_version=1)

    session.rollback()
    stored = session.get(Equipment, aed.id)
    assert (stored.last_service, stored.next_due) == (days(-5), days(25))
    assert [s.on for s in equipment.services(session, aed.id)] == [days(-20)]


def test_a_service_today_is_accepted_and_a_future_one_refused(session):
    aed = make_equipment(session, name="AED", service_every_days=30)
    before = snapshot(session)

    with pytest.raises(ServiceError, match="^a service cannot be recorded for a future date$"):
        equipment.log_service(session, aed.id, ServiceCreate(on=days(1), done_by="MJ"), today=TODAY, now=NOW,
                              actor=ACTOR, expected_version=1)
    assert snapshot(session) == before

    row = equipment.log_service(session, aed.id, ServiceCreate(on=TODAY, done_by="MJ"), today=TODAY, now=NOW,
                                actor=ACTOR, expected_version=1)
    assert (row.last_service, row.next_due) == (TODAY, days(30))
    assert row == equipment.EquipmentRecord(aed.id, 2, aed.name, aed.serial_number, aed.location, 30, aed.service_by,
                                            TODAY, days(30), aed.note, True)


def test_log_service_refuses_a_stale_version_a_retired_item_and_no_one_doing_it(session):
    aed = make_equipment(session, name="AED")
    old = make_equipment(session, name="Old ECG", active=False)
    with pytest.raises(ValidationError, match="this field is required"):
        ServiceCreate(on=TODAY, done_by=" ")
    before = snapshot(session)

    with pytest.raises(StaleEdit):
        equipment.log_service(session, aed.id, ServiceCreate(on=TODAY, done_by="MJ"), today=TODAY, now=NOW,
                              actor=ACTOR, expected_version=2)
    with pytest.raises(ServiceError, match="that equipment no longer exists"):
        equipment.log_service(session, old.id, ServiceCreate(on=TODAY, done_by="MJ"), today=TODAY, now=NOW,
                              actor=ACTOR, expected_version=None)

    assert snapshot(session) == before


def test_services_lists_the_log_newest_first(session):
    aed = make_equipment(session, name="AED", service_every_days=30)
    other = make_equipment(session, name="ECG")
    for on, who in ((days(-60), "A"), (days(-1), "B"), (days(-30), "C")):
        equipment.log_service(session, aed.id, ServiceCreate(on=on, done_by=who), today=TODAY, now=NOW,
                              actor=ACTOR, expected_version=None)
    equipment.log_service(session, other.id, ServiceCreate(on=TODAY, done_by="X"), today=TODAY, now=NOW,
                          actor=ACTOR, expected_version=None)

    assert [(s.on, s.done_by, s.actor) for s in equipment.services(session, aed.id)] == [
        (days(-1), "B", ACTOR), (days(-30), "C", ACTOR), (days(-60), "A", ACTOR)]
    assert [s.done_by for s in equipment.services(session, aed.id, limit=1)] == ["B"]
    assert session.get(Equipment, aed.id).next_due == days(29)


# --- update and retire --------------------------------------------------------------------------------


def test_update_recomputes_next_due_from_the_last_service_and_the_new_interval(session):
    row = equipment.add(session, data(last_service=days(-10)), today=TODAY, now=NOW, actor=ACTOR)

    updated = equipment.update(session, row.id, data(last_service=days(-10), service_every_days=90, location="Lab"),
                               today=TODAY, now=NOW, actor="owner", expected_version=1)

    session.rollback()
    stored = session.get(Equipment, updated.id)
    assert (stored.next_due, stored.location, stored.version) == (days(80), "Lab", 2)
    event, changes = audit_events(session)[-1]
    assert (event.action, event.actor) == ("update", "owner")
    assert changes == {"service_every_days": [30, 90], "location": ["Sterilization", "Lab"],
                       "next_due": ["2026-12-13", "2027-02-11"]}


def test_update_of_equipment_never_serviced_keeps_counting_from_the_day_it_was_added(session):
    row = equipment.add(session, data(), today=days(-20), now=NOW, actor=ACTOR)  # added 20 days ago: due days(10)

    equipment.update(session, row.id, data(service_every_days=60), today=TODAY, now=NOW, actor=ACTOR,
                     expected_version=1)
    assert session.get(Equipment, row.id).next_due == days(40)

    equipment.update(session, row.id, data(service_every_days=60, last_service=days(-1)), today=TODAY, now=NOW,
                     actor=ACTOR, expected_version=2)
    assert session.get(Equipment, row.id).next_due == days(59)


def test_update_refuses_a_name_clash_a_future_service_and_a_stale_version(session):
    row = equipment.add(session, data(), today=TODAY, now=NOW, actor=ACTOR)
    equipment.add(session, data(name="AED"), today=TODAY, now=NOW, actor=ACTOR)
    before = snapshot(session)

    with pytest.raises(ServiceError, match="^there is already equipment called aed$"):
        equipment.update(session, row.id, data(name="aed"), today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    with pytest.raises(ServiceError, match="^the last service cannot be in the future$"):
        equipment.update(session, row.id, data(last_service=days(3)), today=TODAY, now=NOW, actor=ACTOR,
                         expected_version=1)
    with pytest.raises(StaleEdit):
        equipment.update(session, row.id, data(note="x"), today=TODAY, now=NOW, actor=ACTOR, expected_version=7)
    assert snapshot(session) == before

    # keeping its own name (in another case) is not a clash
    equipment.update(session, row.id, data(name="AUTOCLAVE"), today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    assert session.get(Equipment, row.id).name == "AUTOCLAVE"


def test_retire_hides_equipment_and_keeps_its_log(session):
    aed = make_equipment(session, name="AED", next_due=days(-1))
    equipment.log_service(session, aed.id, ServiceCreate(on=days(-400), done_by="MJ"), today=TODAY, now=NOW,
                          actor=ACTOR, expected_version=None)

    equipment.retire(session, aed.id, now=NOW, actor=ACTOR, expected_version=2)

    session.rollback()
    assert session.get(Equipment, aed.id).active is False
    assert equipment.equipment(session, TODAY) == []
    assert equipment.due(session, TODAY) == []
    assert [s.on for s in equipment.services(session, aed.id)] == [days(-400)]
    event, changes = audit_events(session)[-1]
    assert (event.entity_id, event.action, changes) == (aed.id, "retire", {"active": [True, False]})
    with pytest.raises(ServiceError, match="that equipment no longer exists"):
        equipment.retire(session, aed.id, now=NOW, actor=ACTOR, expected_version=None)
    with pytest.raises(ServiceError, match="that equipment no longer exists"):
        equipment.update(session, aed.id, data(name="AED"), today=TODAY, now=NOW, actor=ACTOR, expected_version=None)


def test_retire_refuses_a_stale_version(session):
    aed = make_equipment(session, name="AED")
    before = snapshot(session)
    with pytest.raises(StaleEdit):
        equipment.retire(session, aed.id, now=NOW, actor=ACTOR, expected_version=2)
    assert snapshot(session) == before


def test_a_retired_name_is_refused_saying_it_is_retired(session):
    make_equipment(session, name="AED", active=False)
    before = snapshot(session)

    with pytest.raises(ServiceError) as refused:
        equipment.add(session, data(name="aed"), today=TODAY, now=NOW, actor=ACTOR)

    assert str(refused.value) == "there is already equipment called aed (retired); give the new one another name"
    assert snapshot(session) == before
