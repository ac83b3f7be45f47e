from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    VALID_NPIS,
    at,
    audit_events,
    make_credential,
    make_provider,
    make_shift,
    make_staff,
    make_time_off,
)
from officemgr.models import CredentialKind, Role, Staff, StaffCreate, TimeOffStatus
from officemgr.services import staff
from officemgr.services.common import ServiceError, StaleEdit


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


# --- roster_day ---------------------------------------------------------------------------------------


def test_roster_day_shows_shifts_time_off_and_expired_credentials(session):
    hopper = make_provider(session, first_name="Grace", last_name="Hopper")
    babbage = make_provider(session, first_name="Charles", last_name="Babbage", role=Role.np_pa, npi=VALID_NPIS[1])
    mary = make_staff(session, first_name="Mary", last_name="Jones", role=Role.ma)
    fran = make_staff(session, first_name="Fran", last_name="Allen", role=Role.front_desk)
    make_staff(session, first_name="Gone", last_name="Away", role=Role.ma, active=False)

    make_shift(session, hopper, start=at(8), end=at(12))
    make_shift(session, hopper, start=at(13), end=at(17))
    make_shift(session, mary, start=at(7, 30), end=at(16))
    make_shift(session, fran, start=at(8, day=days(1)), end=at(17, day=days(1)))  # tomorrow
    make_time_off(session, babbage, start_date=days(-2), end_date=days(2), kind="PTO")
    make_time_off(session, fran, kind="sick", status=TimeOffStatus.requested)  # not approved: not off
    make_credential(session, mary, kind=CredentialKind.bls, expires=days(-1))
    make_credential(session, hopper, kind=CredentialKind.license, expires=TODAY)  # still valid today
    make_credential(session, fran, kind=CredentialKind.hipaa_training, expires=days(10))

    rows = staff.roster_day(session, TODAY)

    # providers first, then by role, then by name; inactive staff left out
    assert [(r.name, r.role, r.is_provider) for r in rows] == [
        ("Charles Babbage", Role.np_pa, True),
        ("Grace Hopper", Role.physician, True),
        ("Fran Allen", Role.front_desk, False),
        ("Mary Jones", Role.ma, False),
    ]
    by_name = {r.name: r for r in rows}
    assert by_name["Grace Hopper"].shift == "08:00–12:00, 13:00–17:00"
    assert by_name["Grace Hopper"].working and by_name["Grace Hopper"].alert == ""
    assert (by_name["Charles Babbage"].shift, by_name["Charles Babbage"].off) == ("", "PTO")
    assert not by_name["Charles Babbage"].working
    assert (by_name["Fran Allen"].shift, by_name["Fran Allen"].off, by_name["Fran Allen"].alert) == ("", "", "")
    assert by_name["Mary Jones"].shift == "07:30–16:00"
    assert by_name["Mary Jones"].alert == "BLS/CPR expired"
    assert by_name["Mary Jones"].staff_id == mary.id and by_name["Mary Jones"].version == 1


def test_roster_day_time_off_covers_its_first_and_last_day_only(session):
    person = make_staff(session)
    make_time_off(session, person, start_date=days(1), end_date=days(3), kind="jury duty")
    offs = {n: staff.roster_day(session, days(n))[0].off for n in range(0, 5)}
    assert offs == {0: "", 1: "jury duty", 2: "jury duty", 3: "jury duty", 4: ""}


def test_time_off_on_returns_only_approved_leave(session):
    a = make_staff(session, first_name="A")
    b = make_staff(session, first_name="B")
    c = make_staff(session, first_name="C")
    approved = make_time_off(session, a)
    make_time_off(session, b, status=TimeOffStatus.requested)
    make_time_off(session, c, status=TimeOffStatus.denied)
    assert {k: v.id for k, v in staff.time_off_on(session, TODAY).items()} == {a.id: approved.id}


# --- credentials_expiring -----------------------------------------------------------------------------


def test_credentials_expiring_soonest_first_with_warning_bands(session):
    mary = make_staff(session, first_name="Mary", last_name="Jones")
    hopper = make_provider(session)
    offsets = {-10: CredentialKind.bls, 90: CredentialKind.license, 0: CredentialKind.hipaa_training,
               31: CredentialKind.dea, 30: CredentialKind.cma, 61: CredentialKind.board, 60: CredentialKind.rma,
               -1: CredentialKind.bbp_training}
    for n, kind in offsets.items():
        make_credential(session, hopper if kind in (CredentialKind.license, CredentialKind.dea) else mary,
                        kind=kind, expires=days(n), number=f"N{n}")
    make_credential(session, mary, kind=CredentialKind.npi, expires=days(91))  # beyond the window
    make_credential(session, mary, kind=CredentialKind.npi, expires=None)  # never expires
    retired = make_staff(session, first_name="Old", active=False)
    make_credential(session, retired, expires=days(-5))  # inactive staff: not listed

    rows = staff.credentials_expiring(session, TODAY)

    assert [(r.days_left, r.warning, r.expired) for r in rows] == [
        (-10, "expired", True),
        (-1, "expired", True),
        (0, "within 30 days", False),
        (30, "within 30 days", False),
        (31, "within 60 days", False),
        (60, "within 60 days", False),
        (61, "within 90 days", False),
        (90, "within 90 days", False),
    ]
    first = rows[0]
    assert (first.staff_id, first.staff_name, first.kind, first.number, first.expires) == (
        mary.id, "Mary Jones", CredentialKind.bls, "N-10", days(-10))
    license_row = rows[-1]
    assert (license_row.staff_name, license_row.kind) == ("Grace Hopper", CredentialKind.license)


def test_credentials_expiring_window_is_a_parameter(session):
    person = make_staff(session)
    make_credential(session, person, expires=days(-3))
    make_credential(session, person, expires=days(20))
    make_credential(session, person, expires=days(45))
    assert [r.days_left for r in staff.credentials_expiring(session, TODAY, within_days=30)] == [-3, 20]
    assert [r.days_left for r in staff.credentials_expiring(session, TODAY, within_days=0)] == [-3]


def test_a_credential_beyond_the_90_day_bands_has_no_band_warning(session):
    """A caller may widen the window; a credential 100 days out is in no 30/60/90 band and is not expired."""
    person = make_staff(session)
    make_credential(session, person, expires=days(100))
    [row] = staff.credentials_expiring(session, TODAY, within_days=120)
    assert not row.expired
    assert row.warning not in {"expired", "within 30 days", "within 60 days", "within 90 days"}


# --- add_staff / update_staff -------------------------------------------------------------------------


def _provider_input(**overrides) -> StaffCreate:
    values = dict(first_name=" Grace ", last_name="Hopper", role=Role.physician, is_provider=True,
                  npi="1234567893", phone="555.123.4567", email=" grace@example.com ", hire_date=date(2020, 3, 1))
    values.update(overrides)
    return StaffCreate(**values)


def test_add_staff_stores_the_cleaned_input_and_audits_it(session):
    person = staff.add_staff(session, _provider_input(), now=NOW, actor=ACTOR)

    stored = session.exec(select(Staff)).one()
    assert stored.id == person.id
    assert (stored.first_name, stored.phone, stored.email, stored.npi, stored.version) == (
        "Grace", "(555) 123-4567", "grace@example.com", "1234567893", 1)
    [(event, changes)] = audit_events(session)
    assert (event.actor, event.entity, event.entity_id, event.action, event.at) == (
        ACTOR, "staff", person.id, "create", NOW)
    assert changes == {
        "active": True,
        "exempt": False,
        "pay_type": "hourly",
        "pto_hours_per_year": 80,
        "end_date": None,
        "end_reason": "",
        "email": "grace@example.com",
        "first_name": "Grace",
        "hire_date": "2020-03-01",
        "is_provider": True,
        "last_name": "Hopper",
        "npi": "1234567893",
        "phone": "(555) 123-4567",
        "role": "physician",
    }


def test_update_staff_records_only_changed_fields_and_bumps_the_version(session):
    person = staff.add_staff(session, _provider_input(), now=NOW, actor=ACTOR)
    later = datetime(2026, 11, 23, 10, 0)

    updated = staff.update_staff(
        session, person.id, _provider_input(phone="(555) 000-1111", npi=VALID_NPIS[1]),
        now=later, actor="owner", expected_version=1,
    )

    assert (updated.phone, updated.npi, updated.version) == ("(555) 000-1111", VALID_NPIS[1], 2)
    stored = session.get(Staff, person.id)
    session.refresh(stored)
    assert (stored.phone, stored.npi, stored.version) == ("(555) 000-1111", VALID_NPIS[1], 2)
    events = audit_events(session, "staff")
    assert [e.action for e, _ in events] == ["create", "update"]
    event, changes = events[1]
    assert (event.actor, event.entity_id, event.at) == ("owner", person.id, later)
    assert changes == {"npi": ["1234567893", "1558598797"], "phone": ["(555) 123-4567", "(555) 000-1111"]}


def test_update_staff_without_changes_writes_nothing(session):
    person = staff.add_staff(session, _provider_input(), now=NOW, actor=ACTOR)
    same = staff.update_staff(session, person.id, _provider_input(), now=NOW, actor=ACTOR, expected_version=1)
    assert same.version == 1
    assert len(audit_events(session)) == 1


def test_update_staff_refuses_a_stale_version(session):
    person = staff.add_staff(session, _provider_input(), now=NOW, actor=ACTOR)
    staff.update_staff(session, person.id, _provider_input(last_name="Hopper-Murray"), now=NOW, actor=ACTOR,
                       expected_version=1)
    with pytest.raises(StaleEdit):
        staff.update_staff(session, person.id, _provider_input(last_name="Other"), now=NOW, actor=ACTOR,
                           expected_version=1)
    session.rollback()
    stored = session.get(Staff, person.id)
    assert (stored.last_name, stored.version) == ("Hopper-Murray", 2)
    assert [e.action for e, _ in audit_events(session)] == ["create", "update"]


def test_update_staff_on_a_missing_row(session):
    with pytest.raises(ServiceError, match="no longer exists"):
        staff.update_staff(session, 999, _provider_input(), now=NOW, actor=ACTOR, expected_version=None)


def test_active_staff_excludes_inactive_people(session):
    make_staff(session, first_name="Zed", last_name="Adams")
    make_staff(session, first_name="Amy", last_name="Zane", active=False)
    assert [p.name for p in staff.active_staff(session)] == ["Zed Adams"]


def test_a_staff_record_carries_what_the_form_edits_and_its_version(session):
    added = staff.add_staff(session, _provider_input(), now=NOW, actor=ACTOR)
    gone = make_staff(session, first_name="Amy", last_name="Zane", role=Role.front_desk, active=False)
    record = staff.staff_record(session, added.id)
    assert record == added
    assert (record.name, record.role, record.is_provider, record.npi, record.phone, record.email, record.hire_date,
            record.active, record.exempt, record.pto_hours_per_year, record.version) == (
        "Grace Hopper", Role.physician, True, "1234567893", "(555) 123-4567", "grace@example.com", date(2020, 3, 1),
        True, False, 80, 1)
    assert staff.staff_record(session, gone.id).active is False
    assert staff.staff_record(session, 999) is None
    assert staff.staff_options(session) == [("Grace Hopper (Physician)", added.id)]
