"""audit chain: each event's hash chained to the one before it; INSERT OR REPLACE cannot rewrite an event

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from officemgr import audit_chain

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def _guards(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [audit_chain.POSTGRESQL_FUNCTION] + [sql for sql, _ in audit_chain.POSTGRESQL_GUARDS.values()]
    return list(audit_chain.SQLITE_GUARDS.values())


def _drop_guards(dialect: str) -> None:
    for name in audit_chain.POSTGRESQL_GUARDS if dialect == "postgresql" else audit_chain.SQLITE_GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON audit_event" if dialect == "postgresql" else ""))


def _fill() -> None:
    """Chain the events already there, in id order, from their raw values (as `officemgr check` reads them)."""
    bind = op.get_bind()
    driver = bind.connection.driver_connection
    previous = audit_chain.GENESIS
    page: list[dict[str, object]] = []
    for event_id, at, actor, entity, entity_id, action, changes in audit_chain.events(
            driver, columns="id, at, actor, entity, entity_id, action, changes"):
        previous = audit_chain.event_hash(previous, at, actor, entity, entity_id, action, changes)
        page.append({"id": event_id, "hash": previous})
        if len(page) == audit_chain.PAGE:
            bind.execute(sa.text("UPDATE audit_event SET hash = :hash WHERE id = :id"), page)
            page = []
    if page:
        bind.execute(sa.text("UPDATE audit_event SET hash = :hash WHERE id = :id"), page)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # A plain ALTER TABLE, not a batch rebuild, which would drop the triggers.
    op.add_column('audit_event', sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                           server_default=''))
    # The fill writes each event once: the guards step aside for it inside this transaction, and come back
    # (with the new one against INSERT OR REPLACE on SQLite) before it commits.
    _drop_guards(dialect)
    _fill()
    for sql in _guards(dialect):
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_replace")
    op.drop_column('audit_event', 'hash')
