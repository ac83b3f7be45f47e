"""remittance checks and write-offs: the repeat guard is per check (payer, check/EFT number, amount) and per claim
payment; a claim closed as written off records what it wrote off

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'remittance_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('remittance_id', sa.Integer(), nullable=False),
        sa.Column('payer_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('check_number', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column('paid_cents', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['remittance_id'], ['remittance.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_remittance_check_remittance_id', 'remittance_check', ['remittance_id'], unique=False)
    op.create_index('ix_remittance_check_number', 'remittance_check', ['check_number', 'payer_name'], unique=False)
    with op.batch_alter_table('remittance_claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('posted', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index('ix_remittance_claim_check_id', ['check_id'], unique=False)
        batch_op.create_foreign_key('fk_remittance_claim_check_id', 'remittance_check', ['check_id'], ['id'])
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('written_off_cents', sa.Integer(), nullable=False, server_default='0'))
    # Files posted before held one check each when their check number names one: that check is guarded too.
    op.execute("INSERT INTO remittance_check (remittance_id, payer_name, check_number, paid_cents) "
               "SELECT id, payer_name, check_number, paid_cents FROM remittance "
               "WHERE check_number <> '' AND check_number NOT LIKE '%, %'")
    op.execute("UPDATE remittance_claim SET posted = "
               "(claim_id IS NOT NULL AND note NOT LIKE 'not posted%'), check_id = "
               "(SELECT c.id FROM remittance_check c WHERE c.remittance_id = remittance_claim.remittance_id)")


def downgrade() -> None:
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_column('written_off_cents')
    with op.batch_alter_table('remittance_claim', schema=None) as batch_op:
        batch_op.drop_constraint('fk_remittance_claim_check_id', type_='foreignkey')
        batch_op.drop_index('ix_remittance_claim_check_id')
        batch_op.drop_column('posted')
        batch_op.drop_column('check_id')
    op.drop_index('ix_remittance_check_number', table_name='remittance_check')
    op.drop_index('ix_remittance_check_remittance_id', table_name='remittance_check')
    op.drop_table('remittance_check')
