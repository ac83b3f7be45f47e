"""pay settings per staff member: pay period, hourly rate or yearly salary, PTO plan; every staff member on file
gets a row paid on the practice's pay period (the pay_period setting), rate and salary left for the manager;
and each staff member's corrective-action log

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""
import json

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

PERIODS = ('weekly', 'biweekly', 'semimonthly', 'monthly')


def _practice_period() -> str:
    """The kind in the practice's pay_period setting; biweekly (the setting's default) when unset or unreadable."""
    raw = op.get_bind().execute(sa.text("SELECT value FROM setting WHERE key = 'pay_period'")).scalar()
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        value = None
    kind = str(value.get('kind', '')).strip().lower().replace('-', '') if isinstance(value, dict) else ''
    return kind if kind in PERIODS else 'biweekly'


def upgrade() -> None:
    op.create_table(
        'pay_setting',
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('pay_period', sa.Enum('weekly', 'biweekly', 'semimonthly', 'monthly', name='ck_payperiod',
                                        native_enum=False, create_constraint=True, length=11),
                  nullable=False, server_default='biweekly'),
        sa.Column('hourly_rate_cents', sa.Integer(), nullable=True),
        sa.Column('salary_cents', sa.Integer(), nullable=True),
        sa.Column('pto_plan', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=''),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('staff_id'),
    )
    op.execute(sa.text("INSERT INTO pay_setting (version, staff_id, pay_period, pto_plan) "
                       "SELECT 1, id, :period, '' FROM staff").bindparams(period=_practice_period()))
    op.create_table(
        'corrective_action',
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('happened_on', sa.Date(), nullable=False),
        sa.Column('kind', sa.Enum('coaching', 'verbal_warning', 'written_warning', 'final_warning',
                                  name='ck_correctivekind', native_enum=False, create_constraint=True, length=15),
                  nullable=False),
        sa.Column('policy', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('follow_up', sa.Date(), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('closed_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('corrective_action', schema=None) as batch_op:
        batch_op.create_index('ix_corrective_action_staff_id', ['staff_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('corrective_action', schema=None) as batch_op:
        batch_op.drop_index('ix_corrective_action_staff_id')
    op.drop_table('corrective_action')
    op.drop_table('pay_setting')
