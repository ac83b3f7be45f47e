"""patient registration: preferred name, sex, address, mobile, contact preference, emergency contact, guarantor,
account number, merged records

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

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
    # Patients already there get their id as their account number, as new ones do.
    padded = "lpad(id::text, 6, '0')" if op.get_bind().dialect.name == "postgresql" else "printf('%06d', id)"
    op.execute(f"UPDATE patient SET account = {padded} WHERE account IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_constraint('fk_patient_merged_into', type_='foreignkey')
        batch_op.drop_constraint('uq_patient_account', type_='unique')
        # SQLite's copy of the table would otherwise keep the CHECKs on the dropped columns.
        batch_op.drop_constraint('ck_sex', type_='check')
        batch_op.drop_constraint('ck_contactby', type_='check')
        for name in ('merged_into', 'account', 'contact_by', 'sex', *(n for n, _ in TEXT_COLUMNS)):
            batch_op.drop_column(name)
