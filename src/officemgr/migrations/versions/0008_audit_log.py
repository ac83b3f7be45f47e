"""audit log: indexes for the viewer's filters, and triggers that refuse to change or remove an event

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

REFUSAL = "the audit log cannot be changed"
SQLITE_UP = [
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    for verb in ("UPDATE", "DELETE")
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"]
POSTGRESQL_UP = [
    "CREATE OR REPLACE FUNCTION audit_event_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse()",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse()",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_refuse()",
]


def _run(statements: dict[str, list[str]]) -> None:
    for sql in statements.get(op.get_bind().dialect.name, []):
        op.execute(sql)


def upgrade() -> None:
    # Plain (not batch) index operations: a batch table rebuild would drop the triggers.
    op.create_index('ix_audit_event_record', 'audit_event', ['entity', 'entity_id', 'at'], unique=False)
    op.create_index('ix_audit_event_actor', 'audit_event', ['actor', 'at'], unique=False)
    _run({"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP})


def downgrade() -> None:
    _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN})
    op.drop_index('ix_audit_event_actor', table_name='audit_event')
    op.drop_index('ix_audit_event_record', table_name='audit_event')
