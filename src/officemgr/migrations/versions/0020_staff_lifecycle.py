"""the staff lifecycle: job openings and applicants; onboarding and leaving checklists and a staff member's end
date; punches, punch fixes and approved timesheets; PTO and sick-leave plans and adjustments, and time off taken
unpaid; evaluation templates, ratings, goals and sign-off; staff meetings (their actions are huddle actions);
policy versions and signatures; a corrective action's link to a policy in the register

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checklist_template_item',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('onboarding', 'leaving', name='ck_checklistkind', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('what', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('business_days', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('evaluation_template',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('competencies', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('role')
    )
    op.create_table('job_opening',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('role', sa.Enum('physician', 'np_pa', 'ma', 'nurse', 'front_desk', 'biller', 'manager', name='ck_role', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('hours_per_week', sa.Integer(), nullable=False),
    sa.Column('posted_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('staff_meeting',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('agenda', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('minutes', sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_meeting_day'), ['day'], unique=False)

    op.create_table('applicant',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('last_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('stage', sa.Enum('applied', 'phone_screen', 'interview', 'references', 'offer', 'hired', 'declined', 'withdrawn', name='ck_applicantstage', native_enum=False, create_constraint=True, length=12), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['opening_id'], ['job_opening.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('applicant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_closed_on'), ['closed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_applicant_opening_id'), ['opening_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applicant_stage'), ['stage'], unique=False)

    op.create_table('leave_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('pto', 'sick', name='ck_leavekind', native_enum=False, create_constraint=True, length=4), nullable=False),
    sa.Column('adjusted_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('leave_adjustment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leave_adjustment_staff_id'), ['staff_id'], unique=False)

    op.create_table('leave_plan',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('pto', 'sick', name='ck_leavekind', native_enum=False, create_constraint=True, length=4), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('method', sa.Enum('per_period', 'per_hour', name='ck_accrualmethod', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('per_hours_worked', sa.Float(), nullable=True),
    sa.Column('carry_over_cap', sa.Float(), nullable=True),
    sa.Column('reset_month', sa.Integer(), nullable=False),
    sa.Column('reset_day', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'staff_id', 'role')
    )
    op.create_table('meeting_attendee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['staff_meeting.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'staff_id')
    )
    with op.batch_alter_table('meeting_attendee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendee_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('policy_version',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('document', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('roles', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['compliance_task.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('task_id', 'label')
    )
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_version_task_id'), ['task_id'], unique=False)

    op.create_table('punch',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('clock_in', sa.DateTime(), nullable=False),
    sa.Column('clock_out', sa.DateTime(), nullable=True),
    sa.Column('source', sa.Enum('desk', 'kiosk', 'fix', name='ck_punchsource', native_enum=False, create_constraint=True, length=5), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('punch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_punch_clock_in'), ['clock_in'], unique=False)
        batch_op.create_index('ix_punch_staff_in', ['staff_id', 'clock_in'], unique=False)

    op.create_table('staff_task',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('onboarding', 'leaving', name='ck_checklistkind', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('what', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('done_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_task_due'), ['due'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_task_staff_id'), ['staff_id'], unique=False)

    op.create_table('timesheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('worked_minutes', sa.Integer(), nullable=False),
    sa.Column('from_punches', sa.Boolean(), nullable=False),
    sa.Column('approved_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('staff_id', 'period_start')
    )
    with op.batch_alter_table('timesheet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timesheet_period_start'), ['period_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_timesheet_staff_id'), ['staff_id'], unique=False)

    op.create_table('applicant_note',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('applied', 'phone_screen', 'interview', 'references', 'offer', 'hired', 'declined', 'withdrawn', name='ck_applicantstage', native_enum=False, create_constraint=True, length=12), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('interviewer', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('applicant_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_note_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('evaluation_goal',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('goal', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('evaluation_goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_goal_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('evaluation_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('competency', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('evaluation_id', 'competency')
    )
    with op.batch_alter_table('evaluation_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_rating_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('policy_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['policy_version.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'staff_id')
    )
    with op.batch_alter_table('policy_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_signature_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_signature_version_id'), ['version_id'], unique=False)

    op.create_table('punch_fix',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('punch_id', sa.Integer(), nullable=True),
    sa.Column('clock_in', sa.DateTime(), nullable=False),
    sa.Column('clock_out', sa.DateTime(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'denied', name='ck_fixstatus', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['punch_id'], ['punch.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('punch_fix', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_punch_fix_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_punch_fix_status'), ['status'], unique=False)

    with op.batch_alter_table('corrective_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('policy_task_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_corrective_action_policy_task_id', 'compliance_task', ['policy_task_id'], ['id'])

    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('probation', 'yearly', name='ck_evaluationkind', native_enum=False, create_constraint=True, length=9), server_default='yearly', nullable=False))
        batch_op.add_column(sa.Column('employee_comments', sqlmodel.sql.sqltypes.AutoString(length=2000), server_default='', nullable=False))
        batch_op.add_column(sa.Column('signed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reviewer', sqlmodel.sql.sqltypes.AutoString(length=60), server_default='', nullable=False))

    with op.batch_alter_table('huddle_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_huddle_action_meeting_id', 'staff_meeting', ['meeting_id'], ['id'])

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=120), server_default='', nullable=False))

    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unpaid', sa.Boolean(), nullable=False, server_default=sa.false()))




def downgrade() -> None:
    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.drop_column('unpaid')

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('end_reason')
        batch_op.drop_column('end_date')

    with op.batch_alter_table('huddle_action', schema=None) as batch_op:
        batch_op.drop_constraint('fk_huddle_action_meeting_id', type_='foreignkey')
        batch_op.drop_column('meeting_id')

    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_constraint('ck_evaluationkind', type_='check')
        batch_op.drop_column('reviewer')
        batch_op.drop_column('signed_on')
        batch_op.drop_column('employee_comments')
        batch_op.drop_column('kind')

    with op.batch_alter_table('corrective_action', schema=None) as batch_op:
        batch_op.drop_constraint('fk_corrective_action_policy_task_id', type_='foreignkey')
        batch_op.drop_column('policy_task_id')

    with op.batch_alter_table('punch_fix', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_punch_fix_status'))
        batch_op.drop_index(batch_op.f('ix_punch_fix_staff_id'))

    op.drop_table('punch_fix')
    with op.batch_alter_table('policy_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_signature_version_id'))
        batch_op.drop_index(batch_op.f('ix_policy_signature_staff_id'))

    op.drop_table('policy_signature')
    with op.batch_alter_table('evaluation_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_rating_evaluation_id'))

    op.drop_table('evaluation_rating')
    with op.batch_alter_table('evaluation_goal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_goal_evaluation_id'))

    op.drop_table('evaluation_goal')
    with op.batch_alter_table('applicant_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_note_applicant_id'))

    op.drop_table('applicant_note')
    with op.batch_alter_table('timesheet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timesheet_staff_id'))
        batch_op.drop_index(batch_op.f('ix_timesheet_period_start'))

    op.drop_table('timesheet')
    with op.batch_alter_table('staff_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_task_staff_id'))
        batch_op.drop_index(batch_op.f('ix_staff_task_due'))

    op.drop_table('staff_task')
    with op.batch_alter_table('punch', schema=None) as batch_op:
        batch_op.drop_index('ix_punch_staff_in')
        batch_op.drop_index(batch_op.f('ix_punch_clock_in'))

    op.drop_table('punch')
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_version_task_id'))

    op.drop_table('policy_version')
    with op.batch_alter_table('meeting_attendee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendee_meeting_id'))

    op.drop_table('meeting_attendee')
    op.drop_table('leave_plan')
    with op.batch_alter_table('leave_adjustment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leave_adjustment_staff_id'))

    op.drop_table('leave_adjustment')
    with op.batch_alter_table('applicant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_stage'))
        batch_op.drop_index(batch_op.f('ix_applicant_opening_id'))
        batch_op.drop_index(batch_op.f('ix_applicant_closed_on'))

    op.drop_table('applicant')
    with op.batch_alter_table('staff_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_meeting_day'))

    op.drop_table('staff_meeting')
    op.drop_table('job_opening')
    op.drop_table('evaluation_template')
    op.drop_table('checklist_template_item')

