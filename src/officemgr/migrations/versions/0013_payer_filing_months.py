"""payer filing months: a payer's timely-filing limit in calendar months or in days

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('payer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timely_filing_months', sa.Integer(), nullable=True))
        batch_op.alter_column('timely_filing_days', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # A payer counted in months keeps its limit as the days a year of months roughly spans.
    op.execute("UPDATE payer SET timely_filing_days = timely_filing_months * 365 / 12 "
               "WHERE timely_filing_days IS NULL")
    with op.batch_alter_table('payer', schema=None) as batch_op:
        batch_op.alter_column('timely_filing_days', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('timely_filing_months')
