"""patient registration and insurance: preferred name, sex, address, mobile, contact preference, emergency
contact, guarantor, account number, merged records; each patient's plans (coverage) and their eligibility checks;
the patient ledger, the drawer count, statements, collection referrals and payment plans; provider-level
adjustments (PLB) kept with their check

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""
import json
from datetime import datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from officemgr import audit_chain

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TEXT_COLUMNS = (("preferred_name", 60), ("address", 120), ("city", 60), ("state", 2), ("zip_code", 10),
                ("mobile", 20), ("emergency_name", 121), ("emergency_phone", 20), ("emergency_relation", 40),
                ("guarantor_name", 121), ("guarantor_relation", 40), ("guarantor_phone", 20))


def upgrade() -> None:
    with op.batch_alter_table('patient', schema=None) as batch_op:
        for name, length in TEXT_COLUMNS:
            batch_op.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False,
                                          server_default=''))
        batch_op.add_column(sa.Column('sex', sa.Enum('F', 'M', 'U', name='ck_sex', native_enum=False,
                                                     create_constraint=True, length=1),
                                      nullable=False, server_default='U'))
        batch_op.add_column(sa.Column('contact_by', sa.Enum('phone', 'text', 'email', 'mail', name='ck_contactby',
                                                            native_enum=False, create_constraint=True, length=5),
                                      nullable=False, server_default='phone'))
        batch_op.add_column(sa.Column('account', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('merged_into', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_patient_account', ['account'])
        batch_op.create_foreign_key('fk_patient_merged_into', 'patient', ['merged_into'], ['id'])
    _coverage()
    _ledger()
    _shares_on_the_ledger()
    _statements()
    op.create_table(
        'provider_adjustment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('check_id', sa.Integer(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['check_id'], ['remittance_check.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_provider_adjustment_check_id', 'provider_adjustment', ['check_id'], unique=False)
    # Patients already there get their id as their account number, as new ones do.
    padded = "lpad(id::text, 6, '0')" if op.get_bind().dialect.name == "postgresql" else "printf('%06d', id)"
    op.execute(f"UPDATE patient SET account = {padded} WHERE account IS NULL")


def _enum(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=max(map(len, values)))


def _coverage() -> None:
    op.create_table(
        'insurance_plan',
        sa.Column('payer_id', sa.Integer(), nullable=False),
        sa.Column('rank', _enum('primary', 'secondary', 'tertiary', name='ck_planrank'), nullable=False),
        sa.Column('member_id', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('group_number', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('relationship', _enum('self', 'spouse', 'child', 'other', name='ck_relationship'), nullable=False),
        sa.Column('subscriber_name', sqlmodel.sql.sqltypes.AutoString(length=121), nullable=False),
        sa.Column('subscriber_dob', sa.Date(), nullable=True),
        sa.Column('effective', sa.Date(), nullable=True),
        sa.Column('termination', sa.Date(), nullable=True),
        sa.Column('copay_cents', sa.Integer(), nullable=False),
        sa.Column('deductible_cents', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('verified_on', sa.Date(), nullable=True),
        sa.Column('verified_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('verified_result', _enum('active', 'inactive', 'not_found', name='ck_eligibility'), nullable=True),
        sa.Column('verified_note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id']),
        sa.ForeignKeyConstraint(['payer_id'], ['payer.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_insurance_plan_payer_id', 'insurance_plan', ['payer_id'], unique=False)
    op.create_index('ix_insurance_plan_patient_rank', 'insurance_plan', ['patient_id', 'rank'], unique=False)


def _ledger() -> None:
    op.create_table(
        'ledger_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('kind', _enum('patient_share', 'sent_to_patient', 'payment', 'refund', 'small_balance', 'courtesy',
                                'void', name='ck_entrykind'), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=True),
        sa.Column('appointment_id', sa.Integer(), nullable=True),
        sa.Column('method', _enum('cash', 'check', 'card', name='ck_paymethod'), nullable=True),
        sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('receipt', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('voids_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id']),
        sa.ForeignKeyConstraint(['claim_id'], ['claim.id']),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id']),
        sa.ForeignKeyConstraint(['voids_id'], ['ledger_entry.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('voids_id'),
    )
    op.create_index('ix_ledger_entry_patient', 'ledger_entry', ['patient_id', 'id'], unique=False)
    op.create_index('ix_ledger_entry_day', 'ledger_entry', ['day'], unique=False)
    op.create_index('ix_ledger_entry_claim_id', 'ledger_entry', ['claim_id'], unique=False)
    op.create_table(
        'drawer_close',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('counted_cash_cents', sa.Integer(), nullable=False),
        sa.Column('counted_checks_cents', sa.Integer(), nullable=False),
        sa.Column('recorded_cash_cents', sa.Integer(), nullable=False),
        sa.Column('recorded_checks_cents', sa.Integer(), nullable=False),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('day'),
    )


# A claim's patient share as services.ledger counts it (kept here as it was at this revision): their posted
# responsibility, plus the payer's unpaid rest once the claim was closed as sent to the patient.
_REST = "billed_cents - paid_cents - adjusted_cents - patient_resp_cents"
_SHARE = (f"patient_resp_cents + CASE WHEN close_reason = 'sent_to_patient' AND {_REST} > 0 THEN {_REST} "
          "ELSE 0 END")


def _shares_on_the_ledger() -> None:
    """Balances patients owed before the ledger (their share of each claim) become its first entries, dated when
    the claim last moved, so the Huddle and statements keep them; one audit event says how many."""
    bind = op.get_bind()
    day = "COALESCE(last_activity, service_date)"
    at = f"CAST({day} AS TIMESTAMP)" if bind.dialect.name == "postgresql" else f"{day} || ' 00:00:00.000000'"
    added = bind.execute(sa.text(
        "INSERT INTO ledger_entry (patient_id, day, at, actor, kind, amount_cents, claim_id, reference, reason, receipt) "
        f"SELECT patient_id, {day}, {at}, 'officemgr', "
        "CASE WHEN close_reason = 'sent_to_patient' THEN 'sent_to_patient' ELSE 'patient_share' END, "
        f"{_SHARE}, id, '', 'claim ' || number, '' FROM claim WHERE {_SHARE} > 0")).rowcount
    if added:
        cursor = bind.connection.driver_connection.cursor()
        try:
            audit_chain.append(cursor, bind.dialect.name, at=datetime.now(), entity="ledger_entry",
                               action="backfill", changes=json.dumps({"entries": added, "from": "claims"}))
        finally:
            cursor.close()


def _statements() -> None:
    op.create_table(
        'statement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('balance_cents', sa.Integer(), nullable=False),
        sa.Column('oldest_days', sa.Integer(), nullable=False),
        sa.Column('dunning', _enum('statement', 'past_due_30', 'past_due_60', 'past_due_90', 'final_notice',
                                   name='ck_dunning'), nullable=False),
        sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_statement_patient_day', 'statement', ['patient_id', 'day'], unique=False)
    op.create_table(
        'collection_referral',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('agency', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_collection_referral_patient_id', 'collection_referral', ['patient_id'], unique=False)
    op.create_table(
        'payment_plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('day_of_month', sa.Integer(), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('ended', sa.Date(), nullable=True),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_payment_plan_patient_id', 'payment_plan', ['patient_id'], unique=False)


def downgrade() -> None:
    op.drop_table('provider_adjustment')
    op.drop_table('payment_plan')
    op.drop_table('collection_referral')
    op.drop_table('statement')
    op.drop_table('drawer_close')
    op.drop_index('ix_ledger_entry_claim_id', table_name='ledger_entry')
    op.drop_index('ix_ledger_entry_day', table_name='ledger_entry')
    op.drop_index('ix_ledger_entry_patient', table_name='ledger_entry')
    op.drop_table('ledger_entry')
    op.drop_table('insurance_plan')
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_constraint('fk_patient_merged_into', type_='foreignkey')
        batch_op.drop_constraint('uq_patient_account', type_='unique')
        # SQLite's copy of the table would otherwise keep the CHECKs on the dropped columns.
        batch_op.drop_constraint('ck_sex', type_='check')
        batch_op.drop_constraint('ck_contactby', type_='check')
        for name in ('merged_into', 'account', 'contact_by', 'sex', *(n for n, _ in TEXT_COLUMNS)):
            batch_op.drop_column(name)
