"""claim date indexes: the A/R denial rate counts claims submitted and denied in a 12-month window

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_claim_denied_on', 'claim', ['denied_on'], unique=False)
    op.create_index('ix_claim_submitted_on', 'claim', ['submitted_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_claim_submitted_on', table_name='claim')
    op.drop_index('ix_claim_denied_on', table_name='claim')
