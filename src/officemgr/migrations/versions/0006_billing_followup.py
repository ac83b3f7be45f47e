"""billing follow-up: claim history, close reasons, CARC codes (seeded), remittances, fee schedules

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

# The claim adjustment reason codes a small practice meets most (X12 CARC list, meanings shortened); the
# practice can edit the meanings and add codes in the app.
CARC_CODES = [
    ("1", "Deductible amount"),
    ("2", "Coinsurance amount"),
    ("3", "Co-payment amount"),
    ("4", "Procedure code inconsistent with the modifier used, or a required modifier is missing"),
    ("5", "Procedure code or type of bill inconsistent with the place of service"),
    ("11", "Diagnosis inconsistent with the procedure"),
    ("16", "Claim lacks information or has billing errors needed for adjudication"),
    ("18", "Exact duplicate claim or service"),
    ("22", "This care may be covered by another payer (coordination of benefits)"),
    ("23", "Impact of prior payer adjudication, including payments and adjustments"),
    ("26", "Expenses incurred before coverage"),
    ("27", "Expenses incurred after coverage terminated"),
    ("29", "The time limit for filing has expired"),
    ("31", "Patient cannot be identified as our insured"),
    ("45", "Charge exceeds fee schedule or maximum allowable amount"),
    ("50", "Not deemed a medical necessity by the payer"),
    ("96", "Non-covered charge"),
    ("97", "Payment included in the allowance for another service (bundled)"),
    ("109", "Claim not covered by this payer or contractor; send to the correct one"),
    ("119", "Benefit maximum for this time period or occurrence has been reached"),
    ("151", "Payment adjusted: the payer deems the information does not support this many services"),
    ("167", "This diagnosis is not covered"),
    ("197", "Precertification, notification or authorization absent"),
    ("204", "Service, equipment or drug not covered under the patient's current benefit plan"),
    ("234", "This procedure is not paid separately"),
    ("236", "Procedure or modifier combination not compatible with another procedure on the same day"),
    ("242", "Services not provided by network or primary care providers"),
    ("253", "Sequestration: reduction of federal payment"),
]


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    carc = op.create_table('carc_code',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('meaning', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('remittance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('payer_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('check_number', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('paid_cents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('file_hash')
    )
    op.create_table('fee_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payer_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('modifier', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('allowed_cents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['payer_id'], ['payer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('payer_id', 'code', 'modifier', name='uq_fee_schedule_code')
    )
    with op.batch_alter_table('fee_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_schedule_payer_id'), ['payer_id'], unique=False)

    op.create_table('claim_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_event_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_event_to_status'), ['to_status'], unique=False)

    op.create_table('remittance_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('remittance_id', sa.Integer(), nullable=False),
    sa.Column('claim_number', sqlmodel.sql.sqltypes.AutoString(length=38), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('status_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('charge_cents', sa.Integer(), nullable=False),
    sa.Column('paid_cents', sa.Integer(), nullable=False),
    sa.Column('patient_resp_cents', sa.Integer(), nullable=False),
    sa.Column('adjustments', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ),
    sa.ForeignKeyConstraint(['remittance_id'], ['remittance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('remittance_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remittance_claim_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remittance_claim_remittance_id'), ['remittance_id'], unique=False)

    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('close_reason', sa.Enum('paid', 'written_off', 'sent_to_patient', name='ck_closereason', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('close_note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('denial_group', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True))
        batch_op.add_column(sa.Column('adjusted_cents', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('patient_resp_cents', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('underpaid_cents', sa.Integer(), nullable=False, server_default='0'))
    op.bulk_insert(carc, [{"code": code, "meaning": meaning, "version": 1} for code, meaning in CARC_CODES])


def downgrade() -> None:
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_column('underpaid_cents')
        batch_op.drop_column('patient_resp_cents')
        batch_op.drop_column('adjusted_cents')
        batch_op.drop_column('denial_group')
        batch_op.drop_column('close_note')
        batch_op.drop_column('close_reason')

    with op.batch_alter_table('remittance_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remittance_claim_remittance_id'))
        batch_op.drop_index(batch_op.f('ix_remittance_claim_claim_id'))

    op.drop_table('remittance_claim')
    with op.batch_alter_table('claim_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_event_to_status'))
        batch_op.drop_index(batch_op.f('ix_claim_event_claim_id'))
        batch_op.drop_index(batch_op.f('ix_claim_event_at'))

    op.drop_table('claim_event')
    with op.batch_alter_table('fee_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_schedule_payer_id'))

    op.drop_table('fee_schedule')
    op.drop_table('remittance')
    op.drop_table('carc_code')
