"""What services read many times in one transaction (the settings, the practice calendar) is read once per
transaction; a commit, a rollback or the service that changes it makes the next read fresh."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from factories import NOW
from officemgr import store
from officemgr.models import ClosureCreate
from officemgr.services import calendar, settings
from officemgr.services.common import forget, per_transaction

THANKSGIVING_FRIDAY = date(2026, 11, 27)


def statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, sql, *_: seen.append(sql))
    return seen


def test_a_read_is_made_once_per_transaction(session: Session) -> None:
    reads: list[int] = []

    def read() -> int:
        session.execute(text("SELECT 1"))  # as every read does: it begins the transaction the result is kept for
        reads.append(1)
        return len(reads)

    assert [per_transaction(session, "n", read) for _ in range(3)] == [1, 1, 1]
    session.commit()
    assert per_transaction(session, "n", read) == 2  # a new transaction reads again
    session.rollback()
    assert per_transaction(session, "n", read) == 3
    forget(session)
    assert per_transaction(session, "n", read) == 4
    assert per_transaction(session, "other", lambda: "x") == "x" and per_transaction(session, "n", read) == 4


def test_settings_are_one_query_however_many_are_asked_for(engine: Engine, session: Session) -> None:
    seen = statements(engine)
    for key in ("open_weekdays", "punch_grace_minutes", "lock_idle_minutes", "open_weekdays"):
        settings.get(session, key)
    assert len([sql for sql in seen if "setting" in sql.lower()]) == 1


def test_a_changed_setting_is_read_back_at_once_and_by_the_next_transaction_elsewhere(engine: Engine,
                                                                                      session: Session) -> None:
    assert settings.get(session, "punch_grace_minutes") == 5
    settings.put(session, "punch_grace_minutes", 9, now=NOW, actor="manager")
    assert settings.get(session, "punch_grace_minutes") == 9
    settings.store_raw(session, "punch_grace_minutes", "11", actor="manager", now=NOW, action="x", changes={})
    assert settings.get(session, "punch_grace_minutes") == 11  # within the same transaction, before its commit
    session.commit()
    with store.write_session(engine) as other:
        assert settings.get(other, "punch_grace_minutes") == 11
        settings.put(other, "punch_grace_minutes", 3, now=NOW, actor="manager")
    assert settings.get(session, "punch_grace_minutes") == 3


def test_a_closure_added_or_removed_is_in_the_calendar_read_next(session: Session) -> None:
    assert calendar.practice_calendar(session).is_business_day(THANKSGIVING_FRIDAY)
    closure_id = calendar.add_closure(session, ClosureCreate(day=THANKSGIVING_FRIDAY, reason="Staff day"),
                                      now=NOW, actor="manager")
    assert calendar.practice_calendar(session).closed_reason(THANKSGIVING_FRIDAY) == "Staff day"
    calendar.remove_closure(session, closure_id, now=NOW, actor="manager")
    assert calendar.practice_calendar(session).is_business_day(THANKSGIVING_FRIDAY)
