"""Migration 0016: the practice PIN of a database made before users becomes the manager's own PIN."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from factories import NOW
from officemgr import audit_chain, store
from officemgr.models import Role, UserRole
from officemgr.services import users
from officemgr.services.common import record

# These tests are about the migrations themselves: every new database runs them all.
pytestmark = pytest.mark.real_migrations

OLD_PIN = "482913"


def chain(engine: Engine) -> audit_chain.ChainCheck:
    raw = engine.raw_connection()
    try:
        return audit_chain.verify(raw, engine.dialect.name)
    finally:
        raw.close()


def old_staff(session: Session, first_name: str, last_name: str, role: Role) -> None:
    """A staff row as the table stood at 0015 (the model has columns added since)."""
    session.execute(text(
        "INSERT INTO staff (version, first_name, last_name, role, is_provider, phone, email, active, exempt, "
        "pay_type, pto_hours_per_year) VALUES (1, :first, :last, :role, false, '', '', true, false, 'hourly', 80)"),
        {"first": first_name, "last": last_name, "role": role.value})
    session.flush()


@pytest.fixture
def at_0015(tmp_path: Path) -> Iterator[Engine]:
    """A practice file at revision 0015 with a practice PIN (and its wrong-PIN wait), a manager on staff and a few
    audited writes."""
    from alembic import command

    engine = store.create_engine_for(f"sqlite:///{tmp_path / 'office.db'}")
    try:
        with engine.begin() as conn:
            command.upgrade(store._alembic_config(conn), "0015")
            conn.execute(text("INSERT INTO setting (key, value, version) VALUES ('pin_hash', :hash, 1), "
                              "('pin_wait', '{\"failures\": 2}', 1)"),
                         {"hash": PasswordHasher().hash(OLD_PIN)})
        with store.write_session(engine) as session:
            old_staff(session, "Pat", "Boss", Role.manager)
            old_staff(session, "Mo", "Assistant", Role.ma)
            for n in range(3):
                record(session, actor="root", entity="claim", entity_id=n + 1, action="update",
                       changes={"status": ["submitted", "paid"]}, now=NOW)
            session.commit()
        yield engine
    finally:
        engine.dispose()


def test_the_practice_pin_becomes_the_managers_and_the_chain_still_verifies(at_0015: Engine) -> None:
    assert chain(at_0015).ok
    store.migrate(at_0015)
    assert store.schema_revision(at_0015) == store.head_revision()
    with at_0015.connect() as conn:
        assert conn.execute(text("SELECT key FROM setting WHERE key IN ('pin_hash', 'pin_wait')")).all() == []
        staff_id = conn.execute(text("SELECT id FROM staff WHERE last_name = 'Boss'")).scalar()
    with store.write_session(at_0015) as session:
        wrong = users.sign_in(session, "manager", "000000", workstation="desk1", now=NOW)
        assert wrong.actor is None
        signed = users.sign_in(session, "manager", OLD_PIN, workstation="desk1", now=NOW)
        assert signed.actor is not None
        manager = signed.actor
        assert (manager.login, manager.roles, manager.staff_id, manager.name) == (
            "manager", frozenset({UserRole.manager}), staff_id, "Pat Boss")
        assert str(manager) == "manager@desk1"
    check = chain(at_0015)
    # Three writes, the migration's account, a failed and a good sign-in: one unbroken chain.
    assert check.ok and check.chained and check.events == 6, check.lines()


def test_a_database_without_a_practice_pin_gets_no_account(tmp_path: Path) -> None:
    from alembic import command

    engine = store.create_engine_for(f"sqlite:///{tmp_path / 'office.db'}")
    try:
        with engine.begin() as conn:
            command.upgrade(store._alembic_config(conn), "0015")
        store.migrate(engine)
        with store.read_session(engine) as session:
            assert not users.has_users(session)
        assert chain(engine).ok
    finally:
        engine.dispose()


def test_a_demo_made_before_users_gets_the_demos_sign_ins(tmp_path: Path) -> None:
    """Else `make run`'s old demo would open on the first-start screen instead of as its manager."""
    from alembic import command

    engine = store.create_engine_for(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        with engine.begin() as conn:
            command.upgrade(store._alembic_config(conn), "0015")
            conn.execute(text("INSERT INTO setting (key, value, version) VALUES ('demo_data', 'true', 1)"))
        with store.write_session(engine) as session:
            for first, role in (("Tim", Role.manager), ("Hana", Role.front_desk), ("Wei", Role.biller),
                                ("Walt", Role.nurse), ("Fatima", Role.physician)):
                old_staff(session, first, "Demo", role)
            session.commit()
        store.migrate(engine)
        with store.write_session(engine) as session:
            manager = users.demo_manager(session, workstation="desk1")
            assert manager is not None and manager.name == "Tim Demo"
            signed = {login: users.sign_in(session, login, "1234", workstation="desk1", now=NOW).actor
                      for login in ("manager", "frontdesk", "biller", "clinical", "auditor")}
            assert {login: (a.name, sorted(r.value for r in a.roles)) for login, a in signed.items() if a} == {
                "manager": ("Tim Demo", ["manager"]), "frontdesk": ("Hana Demo", ["front_desk"]),
                "biller": ("Wei Demo", ["biller"]), "clinical": ("Walt Demo", ["clinical"]),
                "auditor": ("Fatima Demo", ["auditor"])}
    finally:
        engine.dispose()


def test_balances_owed_before_the_ledger_become_its_first_entries(tmp_path: Path) -> None:
    """Migration 0017: each claim's patient share (and the unpaid rest of one closed to the patient) is on the
    ledger, dated when the claim last moved, with one audit event saying so; the chain still verifies."""
    from alembic import command

    from officemgr.services import ledger

    engine = store.create_engine_for(f"sqlite:///{tmp_path / 'office.db'}")
    try:
        with engine.begin() as conn:
            command.upgrade(store._alembic_config(conn), "0016")
            conn.execute(text("INSERT INTO payer (id, version, name, appeal_days, phone, portal_note, "
                              "timely_filing_days) VALUES (1, 1, 'Aetna', 180, '', '', 365)"))
            conn.execute(text("INSERT INTO patient (id, version, first_name, last_name, dob, phone, email, note) "
                              "VALUES (1, 1, 'Ada', 'Lovelace', '1980-05-17', '', '', '')"))
            claim = ("INSERT INTO claim (id, version, number, patient_id, payer_id, service_date, billed_cents, "
                     "paid_cents, status, paper, close_note, adjusted_cents, patient_resp_cents, written_off_cents, "
                     "underpaid_cents, close_reason, last_activity) VALUES (:id, 1, :number, 1, 1, '2026-09-01', "
                     ":billed, :paid, :status, 0, '', :adjusted, :share, 0, 0, :reason, '2026-10-01')")
            conn.execute(text(claim), [
                {"id": 1, "number": "C1", "billed": 15_000, "paid": 10_000, "status": "paid", "adjusted": 2_000,
                 "share": 3_000, "reason": None},  # $30.00 coinsurance
                {"id": 2, "number": "C2", "billed": 20_000, "paid": 12_000, "status": "closed", "adjusted": 0,
                 "share": 0, "reason": "sent_to_patient"},  # $80.00 sent to the patient
                {"id": 3, "number": "C3", "billed": 9_000, "paid": 9_000, "status": "paid", "adjusted": 0,
                 "share": 0, "reason": None},  # nothing owed
            ])
        store.migrate(engine)
        with store.read_session(engine) as session:
            assert ledger.balance(session, 1) == 11_000
            assert [(e.kind.value, e.amount_cents, str(e.day)) for e in reversed(ledger.entries(session, 1))] == [
                ("patient_share", 3_000, "2026-10-01"), ("sent_to_patient", 8_000, "2026-10-01")]
        assert chain(engine).ok
    finally:
        engine.dispose()
