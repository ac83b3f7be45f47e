"""The audit trail: one row per write, in the same transaction as the write. Rows are never changed or removed.

Each row's `hash` chains it to the row before it (officemgr.audit_chain): set here, at the flush that inserts it.
"""

from __future__ import annotations

from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import DDL, Index, event, inspect
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from officemgr import audit_chain
from officemgr.models.base import table_of


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    # The viewer's filters: one record's history, and one person's, each newest first.
    __table_args__ = (
        Index("ix_audit_event_record", "entity", "entity_id", "at"),
        Index("ix_audit_event_actor", "actor", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: NaiveDatetime = Field(index=True)
    actor: str = Field(max_length=60)
    entity: str = Field(max_length=40)
    entity_id: int
    # An action is a verb, or the name of the setting that changed.
    action: str = Field(max_length=40)
    # JSON object of changed fields: {"field": [old, new]} for updates, {"field": new} for creates.
    changes: str = Field(default="{}")
    # SHA-256 (hex) over this event's fields and the previous event's hash; '' only on a row another program added.
    hash: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})


REFUSAL = audit_chain.REFUSAL


@event.listens_for(Session, "before_flush")
def _chain_new_events(session: Session, _context: Any, _instances: Any) -> None:
    """Hash the events this flush inserts, in the order their ids are given, after the newest event there is.

    Writes hold the write lock (store.write_session), so no other writer can append between the read and the insert.
    """
    new = sorted((obj for obj in session.new if isinstance(obj, AuditEvent)),
                 key=lambda obj: inspect(obj).insert_order or 0)
    if not new:
        return
    last = session.connection().exec_driver_sql(audit_chain.LAST_HASH).scalar()
    previous = audit_chain.GENESIS if last is None else str(last)
    for row in new:
        row.hash = previous = audit_chain.event_hash(previous, row.at, row.actor, row.entity, row.entity_id,
                                                     row.action, row.changes)


# The database itself refuses to change the log, whatever program writes to it (migrations 0008 and 0015 add the
# same triggers to existing databases; create_all, used for new in-memory databases, gets them from these listeners).
SQLITE_TRIGGERS = list(audit_chain.SQLITE_GUARDS.values())
POSTGRESQL_TRIGGERS = [audit_chain.POSTGRESQL_FUNCTION] + [sql for sql, _ in audit_chain.POSTGRESQL_GUARDS.values()]

# Each write tells the other workstations on a shared server (migration 0010): LISTEN officemgr_changed hears the
# writer's application_name, so a workstation can tell its own writes from another's.
CHANGED_CHANNEL = "officemgr_changed"
POSTGRESQL_TRIGGERS += [
    "CREATE OR REPLACE FUNCTION audit_event_notify() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN PERFORM pg_notify('{CHANGED_CHANNEL}', current_setting('application_name')); RETURN NULL; END $$",
    "CREATE TRIGGER audit_event_notify AFTER INSERT ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_notify()",
]

for _sql in SQLITE_TRIGGERS:
    event.listen(table_of(AuditEvent), "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in POSTGRESQL_TRIGGERS:
    event.listen(table_of(AuditEvent), "after_create", DDL(_sql).execute_if(dialect="postgresql"))
