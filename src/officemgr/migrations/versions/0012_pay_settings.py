"""pay settings: a staff member's pay type (hourly or salaried), edited with exempt status and PTO allowance

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Everyone on file so far was paid by the hour unless exempt; exempt staff are the salaried ones.
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'pay_type', sa.Enum('hourly', 'salaried', name='ck_paytype', native_enum=False, create_constraint=True),
            nullable=False, server_default='hourly'))
    op.execute("UPDATE staff SET pay_type = 'salaried' WHERE exempt")


def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        # SQLite's copy of the table would otherwise keep the CHECK on the dropped column.
        batch_op.drop_constraint('ck_paytype', type_='check')
        batch_op.drop_column('pay_type')
