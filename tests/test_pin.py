"""The lock PIN: stored as an argon2id hash, checked, validated, audited without the hash; the wrong-PIN wait's rule."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from factories import NOW, audit_events
from officemgr.models import Setting
from officemgr.services import pin, settings
from officemgr.services.common import ServiceError


def test_set_pin_stores_an_argon2id_hash_not_the_pin(session: Session) -> None:
    assert not pin.pin_is_set(session)
    pin.set_pin(session, "482913", actor="pat", now=NOW)
    stored = session.get(Setting, pin.PIN_KEY).value
    assert stored.startswith("$argon2id$") and "482913" not in stored
    assert pin.pin_is_set(session)


def test_check_pin_accepts_only_the_right_pin(session: Session) -> None:
    assert not pin.check_pin(session, "1234")  # no PIN set: nothing unlocks
    pin.set_pin(session, "1234", actor="pat", now=NOW)
    assert pin.check_pin(session, "1234")
    assert not pin.check_pin(session, "1235")
    assert not pin.check_pin(session, "")


def test_changing_the_pin_replaces_the_old_one(session: Session) -> None:
    pin.set_pin(session, "1234", actor="pat", now=NOW)
    pin.set_pin(session, "98765", actor="pat", now=NOW)
    assert pin.check_pin(session, "98765") and not pin.check_pin(session, "1234")
    assert session.get(Setting, pin.PIN_KEY).version == 2


@pytest.mark.parametrize(("bad", "says"), [
    ("123", "has 3"), ("1234567890123", "has 13"), ("12a4", "nothing else"), ("", "nothing else"),
    ("12 34", "nothing else"),
])
def test_a_pin_is_4_to_12_digits(session: Session, bad: str, says: str) -> None:
    with pytest.raises(ServiceError, match=says):
        pin.set_pin(session, bad, actor="pat", now=NOW)
    assert not pin.pin_is_set(session)
    assert audit_events(session, "setting") == []


def test_the_audit_says_set_then_changed_and_never_holds_the_hash(session: Session) -> None:
    pin.set_pin(session, "1234", actor="pat", now=NOW)
    pin.set_pin(session, "5678", actor="sam", now=NOW)
    events = audit_events(session, "setting")
    assert [(e.actor, e.action, changes) for e, changes in events] == [
        ("pat", "pin", {"pin": "set"}), ("sam", "pin", {"pin": "changed"})]
    stored = session.get(Setting, pin.PIN_KEY).value
    assert all(stored not in e.changes and "argon2" not in e.changes for e, _ in events)


def test_the_pin_hash_is_not_a_setting_anyone_can_put_or_get(session: Session) -> None:
    with pytest.raises(ServiceError, match="no setting called pin_hash"):
        settings.put(session, "pin_hash", "x", now=NOW, actor="pat")
    with pytest.raises(KeyError):
        settings.get(session, "pin_hash")
    assert settings.get(session, "lock_idle_minutes") == 5
    assert settings.get(session, "privacy_tabs") == ["huddle", "schedule"]


def test_three_wrong_pins_then_a_wait_that_doubles_up_to_fifteen_minutes() -> None:
    assert [pin.wait_after(n) for n in range(1, 11)] == [0, 0, 30, 60, 120, 240, 480, 900, 900, 900]
