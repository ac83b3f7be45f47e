"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appointment_type',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('changes', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)

    op.create_table('compliance_task',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('category', sa.Enum('hipaa', 'osha', 'clia', 'cdc', 'safety', 'hr', name='ck_compliancecategory', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('rrule', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('anchor', sa.Date(), nullable=False),
    sa.Column('evidence', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('owner_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('title')
    )
    op.create_table('patient',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('first_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('last_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('dob', sa.Date(), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_last_name'), ['last_name'], unique=False)

    op.create_table('payer',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('timely_filing_days', sa.Integer(), nullable=False),
    sa.Column('appeal_days', sa.Integer(), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('portal_note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('staff',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('first_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('last_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('role', sa.Enum('physician', 'np_pa', 'ma', 'nurse', 'front_desk', 'biller', 'manager', name='ck_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('is_provider', sa.Boolean(), nullable=False),
    sa.Column('npi', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('hire_date', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('vendor',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('account_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('appointment',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.DateTime(), nullable=False),
    sa.Column('end', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('booked', 'arrived', 'in_room', 'checked_out', 'cancelled', 'no_show', name='ck_apptstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['type_id'], ['appointment_type.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_patient_start', ['patient_id', 'start'], unique=False)
        batch_op.create_index('ix_appointment_provider_start', ['provider_id', 'start'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_start'), ['start'], unique=False)

    op.create_table('claim',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('payer_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('billed_cents', sa.Integer(), nullable=False),
    sa.Column('paid_cents', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'rejected', 'accepted', 'pending', 'paid', 'partly_paid', 'denied', 'appealed', 'closed', name='ck_claimstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('denial_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('denied_on', sa.Date(), nullable=True),
    sa.Column('next_follow_up', sa.Date(), nullable=True),
    sa.Column('last_activity', sa.Date(), nullable=True),
    sa.Column('paper', sa.Boolean(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['payer_id'], ['payer.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index('ix_claim_deadline', ['deadline'], unique=False)
        batch_op.create_index('ix_claim_follow_up', ['next_follow_up'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_payer_id'), ['payer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_service_date'), ['service_date'], unique=False)
        batch_op.create_index('ix_claim_status_service', ['status', 'service_date'], unique=False)

    op.create_table('compliance_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=False),
    sa.Column('done_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('evidence', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('reading', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['corrects_id'], ['compliance_completion.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['compliance_task.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('compliance_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compliance_completion_task_id'), ['task_id'], unique=False)

    op.create_table('credential',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('license', 'dea', 'board', 'bls', 'cma', 'rma', 'npi', 'hipaa_training', 'bbp_training', name='ck_credentialkind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('expires', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credential_expires'), ['expires'], unique=False)
        batch_op.create_index(batch_op.f('ix_credential_staff_id'), ['staff_id'], unique=False)

    op.create_table('item',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('clinical', 'office', 'vaccine', 'medication', 'equipment', name='ck_itemcategory', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('par', sa.Integer(), nullable=False),
    sa.Column('reorder_point', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('unit_cost_cents', sa.Integer(), nullable=False),
    sa.Column('tracks_lots', sa.Boolean(), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('shift',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.DateTime(), nullable=False),
    sa.Column('end', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index('ix_shift_staff_start', ['staff_id', 'start'], unique=False)
        batch_op.create_index(batch_op.f('ix_shift_start'), ['start'], unique=False)

    op.create_table('time_off',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'approved', 'denied', name='ck_timeoffstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_time_off_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_time_off_start_date'), ['start_date'], unique=False)

    op.create_table('claim_diagnosis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim_diagnosis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_diagnosis_claim_id'), ['claim_id'], unique=False)

    op.create_table('claim_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('modifiers', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('charge_cents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_line_claim_id'), ['claim_id'], unique=False)

    op.create_table('claim_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('action', sa.Enum('note', 'called_payer', 'resubmitted', 'appealed', 'sent_to_patient', name='ck_noteaction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('next_follow_up', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_note_claim_id'), ['claim_id'], unique=False)

    op.create_table('stock_lot',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lot_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('expires', sa.Date(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stock_lot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_lot_expires'), ['expires'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_lot_item_id'), ['item_id'], unique=False)

    op.create_table('stock_movement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('receive', 'use', 'waste', 'adjust', name='ck_movementkind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['lot_id'], ['stock_lot.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_movement_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movement_item_id'), ['item_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_movement_item_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movement_at'))

    op.drop_table('stock_movement')
    with op.batch_alter_table('stock_lot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_lot_item_id'))
        batch_op.drop_index(batch_op.f('ix_stock_lot_expires'))

    op.drop_table('stock_lot')
    with op.batch_alter_table('claim_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_note_claim_id'))

    op.drop_table('claim_note')
    with op.batch_alter_table('claim_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_line_claim_id'))

    op.drop_table('claim_line')
    with op.batch_alter_table('claim_diagnosis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_diagnosis_claim_id'))

    op.drop_table('claim_diagnosis')
    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_time_off_start_date'))
        batch_op.drop_index(batch_op.f('ix_time_off_staff_id'))

    op.drop_table('time_off')
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_start'))
        batch_op.drop_index('ix_shift_staff_start')

    op.drop_table('shift')
    op.drop_table('item')
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credential_staff_id'))
        batch_op.drop_index(batch_op.f('ix_credential_expires'))

    op.drop_table('credential')
    with op.batch_alter_table('compliance_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compliance_completion_task_id'))

    op.drop_table('compliance_completion')
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_status_service')
        batch_op.drop_index(batch_op.f('ix_claim_service_date'))
        batch_op.drop_index(batch_op.f('ix_claim_payer_id'))
        batch_op.drop_index(batch_op.f('ix_claim_patient_id'))
        batch_op.drop_index('ix_claim_follow_up')
        batch_op.drop_index('ix_claim_deadline')

    op.drop_table('claim')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_start'))
        batch_op.drop_index('ix_appointment_provider_start')
        batch_op.drop_index('ix_appointment_patient_start')

    op.drop_table('appointment')
    op.drop_table('vendor')
    op.drop_table('staff')
    op.drop_table('payer')
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_last_name'))

    op.drop_table('patient')
    op.drop_table('compliance_task')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
    op.drop_table('appointment_type')
