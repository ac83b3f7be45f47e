"""inventory: purchase orders, equipment and its service log, lot manufacturer

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('equipment',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('serial_number', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('service_every_days', sa.Integer(), nullable=False),
    sa.Column('service_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('last_service', sa.Date(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('next_due', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('equipment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equipment_next_due'), ['next_due'], unique=False)

    op.create_table('equipment_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('done_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('equipment_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equipment_service_equipment_id'), ['equipment_id'], unique=False)

    op.create_table('purchase_order',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'ordered', 'partly_received', 'received', 'cancelled', name='ck_orderstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('ordered_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_ordered_on'), ['ordered_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('purchase_order_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('unit_cost_cents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['purchase_order.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_line_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_line_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('stock_lot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manufacturer', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=''))

    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_stock_movement_order_id'), ['order_id'], unique=False)
        batch_op.create_foreign_key('fk_stock_movement_order_id', 'purchase_order', ['order_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.drop_constraint('fk_stock_movement_order_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_stock_movement_order_id'))
        batch_op.drop_column('order_id')

    with op.batch_alter_table('stock_lot', schema=None) as batch_op:
        batch_op.drop_column('manufacturer')

    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_line_order_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_line_item_id'))

    op.drop_table('purchase_order_line')
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_status'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_ordered_on'))

    op.drop_table('purchase_order')
    with op.batch_alter_table('equipment_service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equipment_service_equipment_id'))

    op.drop_table('equipment_service')
    with op.batch_alter_table('equipment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equipment_next_due'))

    op.drop_table('equipment')
