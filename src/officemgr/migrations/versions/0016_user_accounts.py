"""user accounts: each person signs in with a login and PIN; the practice PIN becomes the manager's

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""
import json
from datetime import datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from officemgr import audit_chain

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'user_account',
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('login', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=121), nullable=False),
        sa.Column('roles', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('pin_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('os_user', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('wait_until', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('login'),
        sa.UniqueConstraint('os_user'),
    )
    op.create_index('ix_user_account_staff_id', 'user_account', ['staff_id'], unique=False)
    _practice_pin_to_manager()


def _practice_pin_to_manager() -> None:
    """The practice PIN of a database made before users becomes the PIN of a `manager` account, linked to the staff
    member whose role is manager when there is exactly one; the old PIN settings go."""
    bind = op.get_bind()
    stored = bind.execute(sa.text("SELECT value FROM setting WHERE key = 'pin_hash'")).scalar()
    if stored:
        managers = bind.execute(sa.text(
            "SELECT id, first_name, last_name FROM staff WHERE role = 'manager' AND active ORDER BY id")).all()
        staff_id, name = (managers[0][0], f"{managers[0][1]} {managers[0][2]}") if len(managers) == 1 \
            else (None, "Practice manager")
        bind.execute(sa.text(
            "INSERT INTO user_account (version, login, staff_id, name, roles, pin_hash, active, failures) "
            "VALUES (1, 'manager', :staff_id, :name, 'manager', :pin_hash, :active, 0)"),
            {"staff_id": staff_id, "name": name, "pin_hash": stored, "active": True})
        user_id = bind.execute(sa.text("SELECT id FROM user_account WHERE login = 'manager'")).scalar()
        changes = json.dumps({"login": "manager", "name": name, "roles": "manager", "staff_id": staff_id,
                              "from": "the practice PIN"}, sort_keys=True)
        cursor = bind.connection.driver_connection.cursor()
        try:
            audit_chain.append(cursor, bind.dialect.name, at=datetime.now(), entity="user_account", action="create",
                               changes=changes, entity_id=int(user_id))
        finally:
            cursor.close()
    bind.execute(sa.text("DELETE FROM setting WHERE key IN ('pin_hash', 'pin_wait')"))


def downgrade() -> None:
    op.drop_index('ix_user_account_staff_id', table_name='user_account')
    op.drop_table('user_account')
