"""an index of the claims with a secondary still to bill, so the Huddle finds them without reading every paid and
closed claim

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

WHERE = "secondary_payer_id IS NOT NULL AND secondary_billed_on IS NULL AND secondary_answered_on IS NULL"


def upgrade() -> None:
    op.create_index('ix_claim_secondary_to_bill', 'claim', ['status', 'service_date'], unique=False,
                    sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))


def downgrade() -> None:
    op.drop_index('ix_claim_secondary_to_bill', table_name='claim')
