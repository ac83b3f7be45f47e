"""compliance

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('storage_unit',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('kind', sa.Enum('fridge', 'freezer', name='ck_storagekind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('temperature_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reading_c', sa.Float(), nullable=False),
    sa.Column('min_c', sa.Float(), nullable=True),
    sa.Column('max_c', sa.Float(), nullable=True),
    sa.Column('initials', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['storage_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('temperature_reading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_temperature_reading_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_temperature_reading_unit_id'), ['unit_id'], unique=False)

    op.create_table('concern',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('complaint', 'incident', 'near_miss', 'temperature', name='ck_concernkind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('category', sa.Enum('billing', 'wait_time', 'conduct', 'privacy', 'safety', 'vaccine_storage', 'other', name='ck_concerncategory', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('discovered_on', sa.Date(), nullable=False),
    sa.Column('reporter', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('open', 'acknowledged', 'closed', name='ck_concernstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('possible_breach', sa.Boolean(), nullable=False),
    sa.Column('work_injury', sa.Boolean(), nullable=False),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('reading_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['reading_id'], ['temperature_reading.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_due'), ['due'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_reported_on'), ['reported_on'], unique=False)

    with op.batch_alter_table('compliance_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_policy', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('compliance_task', schema=None) as batch_op:
        batch_op.drop_column('owner')
        batch_op.drop_column('is_policy')

    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_reported_on'))
        batch_op.drop_index(batch_op.f('ix_concern_due'))

    op.drop_table('concern')
    with op.batch_alter_table('temperature_reading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_temperature_reading_unit_id'))
        batch_op.drop_index(batch_op.f('ix_temperature_reading_at'))

    op.drop_table('temperature_reading')
    op.drop_table('storage_unit')
