"""The audit trail: one row per write, in the same transaction as the write. Rows are never changed or removed."""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import DDL, Index, event
from sqlmodel import Field, SQLModel

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


REFUSAL = "the audit log cannot be changed"

# The database itself refuses to change the log, whatever program writes to it (migration 0008 adds the same
# triggers to existing databases; create_all, used for new in-memory databases, gets them from these listeners).
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    for verb in ("UPDATE", "DELETE")
]
POSTGRESQL_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_event_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse()",
]

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
