"""shared server: a setting's audit action holds its whole name; PostgreSQL tells other workstations of each write

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

REFUSAL = "the audit log cannot be changed"
# A batch rebuild of audit_event drops its triggers; they come back as 0008 made them.
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    for verb in ("UPDATE", "DELETE")
]
# Every write appends to the audit log, so one trigger there announces every change, whoever made it.
POSTGRESQL_UP = [
    "CREATE OR REPLACE FUNCTION audit_event_notify() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN PERFORM pg_notify('officemgr_changed', current_setting('application_name')); RETURN NULL; END $$",
    "DROP TRIGGER IF EXISTS audit_event_notify ON audit_event",
    "CREATE TRIGGER audit_event_notify AFTER INSERT ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_notify()",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_notify ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_notify()",
]


def _resize_action(old: int, new: int) -> None:
    with op.batch_alter_table('audit_event') as batch:
        batch.alter_column('action', existing_type=sa.String(length=old), type_=sa.String(length=new),
                           existing_nullable=False)
    if op.get_bind().dialect.name == "sqlite":
        for sql in SQLITE_TRIGGERS:
            op.execute(sql)


def upgrade() -> None:
    _resize_action(20, 40)
    if op.get_bind().dialect.name == "postgresql":
        for sql in POSTGRESQL_UP:
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for sql in POSTGRESQL_DOWN:
            op.execute(sql)
    _resize_action(40, 20)
