"""provider templates, appointment history, recalls, waitlist

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('provider_hours',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.CheckConstraint('start < "end"', name='ck_provider_hours_order'),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name='ck_provider_hours_weekday'),
    sa.ForeignKeyConstraint(['provider_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider_id', 'weekday')
    )
    with op.batch_alter_table('provider_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_hours_provider_id'), ['provider_id'], unique=False)

    op.create_table('recall',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('type_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'contacted', 'booked', 'declined', name='ck_recallstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['type_id'], ['appointment_type.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recall', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recall_due'), ['due'], unique=False)
        batch_op.create_index(batch_op.f('ix_recall_patient_id'), ['patient_id'], unique=False)

    op.create_table('schedule_block',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.CheckConstraint('(weekday IS NULL) <> (day IS NULL)', name='ck_schedule_block_when'),
    sa.CheckConstraint('start < "end"', name='ck_schedule_block_order'),
    sa.ForeignKeyConstraint(['provider_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('schedule_block', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_block_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_block_provider_id'), ['provider_id'], unique=False)

    op.create_table('waitlist_entry',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('type_id', sa.Integer(), nullable=True),
    sa.Column('added_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'offered', 'booked', 'removed', name='ck_waitliststatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['type_id'], ['appointment_type.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('waitlist_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_entry_patient_id'), ['patient_id'], unique=False)

    op.create_table('appointment_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('kind', sa.Enum('create', 'status', 'move', 'undo', name='ck_eventkind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('from_start', sa.DateTime(), nullable=True),
    sa.Column('to_start', sa.DateTime(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('appointment_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_event_appointment_id'), ['appointment_id'], unique=False)

    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('double_booked', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reminder', sa.Enum('reached', 'left_message', 'wrong_number', name='ck_reminderoutcome', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('reminder_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('verified_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('verified_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_appointment_series_id'), ['series_id'], unique=False)

    # Providers that already exist keep the hours the app assumed before templates: weekdays 08:00-17:00
    # with lunch 12:00-13:00, so nothing they had booked becomes "outside hours".
    op.execute(
        "INSERT INTO provider_hours (version, provider_id, weekday, start, \"end\") "
        "SELECT 1, staff.id, days.weekday, '08:00:00.000000', '17:00:00.000000' FROM staff, "
        "(SELECT 0 AS weekday UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4) AS days "
        "WHERE staff.is_provider"
    )
    op.execute(
        "INSERT INTO schedule_block (version, provider_id, weekday, day, start, \"end\", reason) "
        "SELECT 1, staff.id, days.weekday, NULL, '12:00:00.000000', '13:00:00.000000', 'Lunch' FROM staff, "
        "(SELECT 0 AS weekday UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4) AS days "
        "WHERE staff.is_provider"
    )



def downgrade() -> None:
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_series_id'))
        batch_op.drop_column('verified_by')
        batch_op.drop_column('verified_on')
        batch_op.drop_column('reminder_at')
        batch_op.drop_column('reminder')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('series_id')
        batch_op.drop_column('double_booked')

    with op.batch_alter_table('appointment_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_event_appointment_id'))

    op.drop_table('appointment_event')
    with op.batch_alter_table('waitlist_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waitlist_entry_patient_id'))

    op.drop_table('waitlist_entry')
    with op.batch_alter_table('schedule_block', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_block_provider_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_block_day'))

    op.drop_table('schedule_block')
    with op.batch_alter_table('recall', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recall_patient_id'))
        batch_op.drop_index(batch_op.f('ix_recall_due'))

    op.drop_table('recall')
    with op.batch_alter_table('provider_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_hours_provider_id'))

    op.drop_table('provider_hours')
