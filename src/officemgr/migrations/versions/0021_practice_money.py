"""the practice's own money: the operating budget, bills to pay (with recurring bills and vendors' terms), the
month-end close with its checklist and the dated postings of claims' balances, and work RVUs per procedure code

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
from datetime import datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from officemgr import claim_journal

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('budget_amount',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('payroll', 'rent', 'supplies', 'medical_supplies', 'vaccines', 'equipment', 'software', 'insurance', 'marketing', 'other', name='ck_budgetcategory', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'month', 'category')
    )
    with op.batch_alter_table('budget_amount', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_amount_year'), ['year'], unique=False)

    op.create_table('close_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=False),
    sa.Column('done_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('month', 'key')
    )
    with op.batch_alter_table('close_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_close_task_month'), ['month'], unique=False)

    op.create_table('month_close',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=False),
    sa.Column('closed_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('insurance_ar_cents', sa.Integer(), nullable=False),
    sa.Column('patient_ar_cents', sa.Integer(), nullable=False),
    sa.Column('reopened_at', sa.DateTime(), nullable=True),
    sa.Column('reopened_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('reopen_reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.PrimaryKeyConstraint('month')
    )
    op.create_table('rvu_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('modifier', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('work_rvu', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'code', 'modifier')
    )
    with op.batch_alter_table('rvu_rate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rvu_rate_code'), ['code'], unique=False)

    op.create_table('recurring_bill',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('category', sa.Enum('payroll', 'rent', 'supplies', 'medical_supplies', 'vaccines', 'equipment', 'software', 'insurance', 'marketing', 'other', name='ck_budgetcategory', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.Enum('monthly', 'quarterly', 'yearly', name='ck_frequency', native_enum=False, create_constraint=True, length=9), nullable=False),
    sa.Column('day_of_month', sa.Integer(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recurring_bill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurring_bill_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('bill',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('invoice_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('invoice_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('invoice_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('paid_cents', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('payroll', 'rent', 'supplies', 'medical_supplies', 'vaccines', 'equipment', 'software', 'insurance', 'marketing', 'other', name='ck_budgetcategory', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('status', sa.Enum('entered', 'approved', 'paid', 'void', name='ck_billstatus', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('purchase_order_id', sa.Integer(), nullable=True),
    sa.Column('recurring_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.Date(), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('entered_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('match_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_order.id'], ),
    sa.ForeignKeyConstraint(['recurring_id'], ['recurring_bill.id'], ),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('recurring_id', 'period'),
    sa.UniqueConstraint('vendor_id', 'invoice_key')
    )
    with op.batch_alter_table('bill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bill_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_bill_purchase_order_id'), ['purchase_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bill_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_bill_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('claim_posting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('charge', 'payment', 'adjustment', 'patient_share', 'write_off', name='ck_postingkind', native_enum=False, create_constraint=True, length=13), nullable=False),
    sa.Column('carc_group', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim_posting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_posting_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_posting_day'), ['day'], unique=False)

    op.create_table('bill_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_cost_cents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bill_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bill_line_bill_id'), ['bill_id'], unique=False)

    op.create_table('bill_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('check', 'ach', 'card', 'cash', name='ck_payoutmethod', native_enum=False, create_constraint=True, length=5), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bill_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bill_payment_bill_id'), ['bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bill_payment_paid_on'), ['paid_on'], unique=False)

    with op.batch_alter_table('vendor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False,
                                      server_default='net 30'))

    # The claims already here get their journal from their totals (officemgr.claim_journal: Core only, kept stable
    # for this migration), so the roll-forward's opening A/R is the claims' balances.
    claim_journal.backfill_claims(op.get_bind(), at=datetime.now(), actor="migration 0021")


def downgrade() -> None:
    with op.batch_alter_table('vendor', schema=None) as batch_op:
        batch_op.drop_column('terms')

    with op.batch_alter_table('bill_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bill_payment_paid_on'))
        batch_op.drop_index(batch_op.f('ix_bill_payment_bill_id'))

    op.drop_table('bill_payment')
    with op.batch_alter_table('bill_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bill_line_bill_id'))

    op.drop_table('bill_line')
    with op.batch_alter_table('claim_posting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_posting_day'))
        batch_op.drop_index(batch_op.f('ix_claim_posting_claim_id'))

    op.drop_table('claim_posting')
    with op.batch_alter_table('bill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bill_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_bill_status'))
        batch_op.drop_index(batch_op.f('ix_bill_purchase_order_id'))
        batch_op.drop_index(batch_op.f('ix_bill_due_date'))

    op.drop_table('bill')
    with op.batch_alter_table('recurring_bill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recurring_bill_vendor_id'))

    op.drop_table('recurring_bill')
    with op.batch_alter_table('rvu_rate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rvu_rate_code'))

    op.drop_table('rvu_rate')
    op.drop_table('month_close')
    with op.batch_alter_table('close_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_close_task_month'))

    op.drop_table('close_task')
    with op.batch_alter_table('budget_amount', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_amount_year'))

    op.drop_table('budget_amount')
