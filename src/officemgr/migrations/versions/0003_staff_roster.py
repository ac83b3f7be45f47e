"""staff settings evaluations enrollment

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('setting',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('evaluation',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_due'), ['due'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_staff_id'), ['staff_id'], unique=False)

    op.create_table('payer_enrollment',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('payer_id', sa.Integer(), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('recredential_due', sa.Date(), nullable=True),
    sa.Column('caqh_attested_on', sa.Date(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['payer_id'], ['payer.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider_id', 'payer_id')
    )
    with op.batch_alter_table('payer_enrollment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payer_enrollment_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payer_enrollment_recredential_due'), ['recredential_due'], unique=False)

    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.add_column(sa.Column('break_minutes', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exempt', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('pto_hours_per_year', sa.Integer(), nullable=False, server_default='80'))

    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('decided_on', sa.Date(), nullable=True))
    # Absences recorded before hours were kept count 8 paid hours per weekday they cover.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "UPDATE time_off SET hours = 8 * (SELECT COUNT(*) FROM ("
            "WITH RECURSIVE d(day) AS (SELECT time_off.start_date UNION ALL "
            "SELECT date(day, '+1 day') FROM d WHERE day < time_off.end_date) "
            "SELECT day FROM d WHERE strftime('%w', day) NOT IN ('0', '6')))"
        )



def downgrade() -> None:
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_column('break_minutes')

    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.drop_column('decided_on')
        batch_op.drop_column('decided_by')
        batch_op.drop_column('hours')

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('pto_hours_per_year')
        batch_op.drop_column('exempt')

    with op.batch_alter_table('payer_enrollment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payer_enrollment_recredential_due'))
        batch_op.drop_index(batch_op.f('ix_payer_enrollment_provider_id'))

    op.drop_table('payer_enrollment')
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_staff_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_due'))

    op.drop_table('evaluation')
    op.drop_table('setting')
