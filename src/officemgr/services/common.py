"""What every write shares: refusals the user can read, the audit trail, versioned updates."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, Protocol, TypeVar, cast

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from officemgr.models import AuditEvent
from officemgr.models.base import Versioned
from officemgr.models.validation import explain


class ServiceError(Exception):
    """A write refused for a reason the office manager can act on; the message says which."""


class StaleEdit(ServiceError):
    def __init__(self) -> None:
        super().__init__("changed by someone else since you opened it — reload and try again")


T = TypeVar("T")
_HELD = "officemgr.held"  # session.info key: (the transaction, what was read in it by name)


def per_transaction(session: Session, name: str, read: Callable[[], T]) -> T:
    """`read()`, once per transaction of `session`: what many services ask for within one read (the settings, the
    practice calendar) is read once, 40 and 9 times in one Huddle build. A commit or rollback starts afresh; a
    service that changes what is held calls forget() before it reads again."""
    current = session.get_transaction()
    held = session.info.get(_HELD)
    values: dict[str, Any] = held[1] if held is not None and current is not None and held[0] is current else {}
    if name not in values:
        values[name] = read()
        session.info[_HELD] = (session.get_transaction(), values)
    return cast(T, values[name])


def forget(session: Session) -> None:
    """Drop what per_transaction() holds for `session` (its next read is fresh)."""
    session.info.pop(_HELD, None)


BUSY = "the database is busy (another workstation is saving); try again in a moment — nothing was saved"


# PostgreSQL: lock_timeout passed (55P03), or a deadlock broken (40P01) with a writer that skipped the write lock.
_SERVER_BUSY = {"55P03", "40P01"}


def database_refusal(exc: SQLAlchemyError) -> str:
    """What to tell the user when the database itself refused a write; a lock held past the busy timeout
    (another copy of the app saving) is worth retrying, so it says so instead of naming a driver error."""
    cause = getattr(exc, "orig", None) or exc
    # sqlcipher3's errors carry no sqlite_errorname, so the message is the fallback.
    if getattr(cause, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or (
            "database is locked" in str(cause)) or getattr(cause, "sqlstate", None) in _SERVER_BUSY:
        return BUSY
    return f"the database did not take this change, nothing was saved ({type(cause).__name__})"


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return value


def record(
    session: Session, *, actor: str, entity: str, entity_id: int, action: str, changes: dict[str, Any], now: datetime
) -> None:
    """Append an audit event to the caller's transaction (committed or rolled back with the write).

    The flush that inserts it chains it to the event before it (its hash: models.audit, officemgr.audit_chain).
    Refused (NotAllowed) when the table is outside the actor's roles: the backstop behind every service's own check.
    """
    from officemgr.services.access import check_active, check_write  # access builds on this module's ServiceError

    check_active(session, actor)
    check_write(actor, entity, entity_id, action)
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            entity=entity,
            entity_id=entity_id,
            action=action,
            changes=json.dumps(changes, sort_keys=True, default=_plain),
        )
    )


def apply_update(row: Versioned, values: dict[str, Any], *, expected_version: int | None) -> dict[str, Any]:
    """Set changed fields on `row`, bump its version, and return {field: [old, new]} of what changed."""
    if expected_version is not None and row.version != expected_version:
        raise StaleEdit()
    changes: dict[str, Any] = {}
    for field, new in values.items():
        old = getattr(row, field)
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
            setattr(row, field, new)
    if changes:
        row.version += 1
    return changes


class Dumpable(Protocol):
    """A table row (any SQLModel) as far as its audit needs it."""

    def model_dump(self, *, exclude: set[str]) -> dict[str, Any]: ...


class NewRow(Dumpable, Protocol):
    """A table row keyed by an integer id, which the flush sets (every table but the two keyed by text)."""

    @property
    def id(self) -> int | None: ...


def created_fields(row: Dumpable) -> dict[str, Any]:
    return created_values(row.model_dump(exclude={"id", "version"}))


def created_values(values: dict[str, Any]) -> dict[str, Any]:
    """A new row's columns as its audit event keeps them (a bulk insert has them as a dict, not a row)."""
    return {k: _plain(v) for k, v in values.items() if k not in ("id", "version")}


def first_error(exc: ValidationError) -> str:
    """The first validation problem as one readable sentence (for CLI and non-form callers)."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {explain(err)}" if where else explain(err)


def create(session: Session, row: NewRow, *, entity: str, actor: str, now: datetime) -> None:
    """Insert `row`, audit it as created with all its fields, and commit: the one-row create every service does."""
    session.add(row)
    session.flush()
    assert row.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity=entity, entity_id=row.id, action="create",
           changes=created_fields(row), now=now)
    session.commit()
