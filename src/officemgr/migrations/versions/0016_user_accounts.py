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
    _demo_users()


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


# A demo made before users gets the demo's sign-ins (as officemgr.demo.users makes them; kept here as they were
# at this revision): login, role, the jobs whose first staff member it is.
DEMO_USERS = (("manager", "manager", ("manager",)), ("frontdesk", "front_desk", ("front_desk",)),
              ("biller", "biller", ("biller", "manager")), ("clinical", "clinical", ("nurse", "ma")),
              ("auditor", "auditor", ("physician", "np_pa")))


def _demo_users() -> None:
    from argon2 import PasswordHasher

    bind = op.get_bind()
    demo = bind.execute(sa.text("SELECT value FROM setting WHERE key = 'demo_data'")).scalar()
    if demo != "true" or bind.execute(sa.text("SELECT count(*) FROM user_account")).scalar():
        return
    staff = bind.execute(sa.text("SELECT id, first_name, last_name, role FROM staff WHERE active ORDER BY id")).all()
    digest = PasswordHasher().hash("1234")
    taken: set[int] = set()
    for login, role, jobs in DEMO_USERS:
        person = next((p for job in jobs for p in staff if p[3] == job and p[0] not in taken), None)
        if person is None:
            continue
        taken.add(person[0])
        bind.execute(sa.text(
            "INSERT INTO user_account (version, login, staff_id, name, roles, pin_hash, active, failures) "
            "VALUES (1, :login, :staff_id, :name, :roles, :pin_hash, :active, 0)"),
            {"login": login, "staff_id": person[0], "name": f"{person[1]} {person[2]}", "roles": role,
             "pin_hash": digest, "active": True})


def downgrade() -> None:
    op.drop_index('ix_user_account_staff_id', table_name='user_account')
    op.drop_table('user_account')
