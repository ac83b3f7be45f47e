"""remittances you can see and match, and secondary claims: each claim payment keeps the patient's name, member id
and service date the payer sent (to find the claim when its number matched nothing) and who matched it by hand; a
check keeps its date; a remittance says whether it was a paper EOB entered by hand; a claim keeps its secondary
payer, when it was billed and answered, and what the secondary paid

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('remittance_claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('member_id', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('service_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('matched_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False,
                                      server_default=''))
        batch_op.create_index('ix_remittance_claim_posted', ['posted'], unique=False)
    with op.batch_alter_table('remittance_check', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_on', sa.Date(), nullable=True))
    with op.batch_alter_table('remittance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secondary_payer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('secondary_billed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('secondary_answered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('secondary_paid_cents', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_foreign_key('fk_claim_secondary_payer_id', 'payer', ['secondary_payer_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_constraint('fk_claim_secondary_payer_id', type_='foreignkey')
        for name in ('secondary_paid_cents', 'secondary_answered_on', 'secondary_billed_on', 'secondary_payer_id'):
            batch_op.drop_column(name)
    with op.batch_alter_table('remittance', schema=None) as batch_op:
        batch_op.drop_column('paper')
    with op.batch_alter_table('remittance_check', schema=None) as batch_op:
        batch_op.drop_column('paid_on')
    with op.batch_alter_table('remittance_claim', schema=None) as batch_op:
        batch_op.drop_index('ix_remittance_claim_posted')
        for name in ('matched_by', 'service_date', 'member_id', 'patient_name'):
            batch_op.drop_column(name)
