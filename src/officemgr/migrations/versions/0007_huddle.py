"""huddle: actions, snoozed items, saved huddles and what each reviewed

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('huddle',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('attendees', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('items_total', sa.Integer(), nullable=False),
    sa.Column('items_reviewed', sa.Integer(), nullable=False),
    sa.Column('actions_created', sa.Integer(), nullable=False),
    sa.Column('snapshot', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day', name='uq_huddle_day')
    )
    op.create_table('huddle_snooze',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('huddle_snooze', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_huddle_snooze_item_key'), ['item_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_huddle_snooze_until'), ['until'], unique=False)

    op.create_table('huddle_action',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('what', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', name='ck_actionstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('item_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('huddle_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['huddle_id'], ['huddle.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('huddle_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_huddle_action_due'), ['due'], unique=False)
        batch_op.create_index(batch_op.f('ix_huddle_action_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_huddle_action_status'), ['status'], unique=False)

    op.create_table('huddle_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('huddle_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('outcome', sa.Enum('reviewed', 'action', 'snoozed', name='ck_reviewoutcome', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['huddle_id'], ['huddle.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('huddle_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_huddle_review_huddle_id'), ['huddle_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('huddle_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_huddle_review_huddle_id'))

    op.drop_table('huddle_review')
    with op.batch_alter_table('huddle_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_huddle_action_status'))
        batch_op.drop_index(batch_op.f('ix_huddle_action_owner_id'))
        batch_op.drop_index(batch_op.f('ix_huddle_action_due'))

    op.drop_table('huddle_action')
    with op.batch_alter_table('huddle_snooze', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_huddle_snooze_until'))
        batch_op.drop_index(batch_op.f('ix_huddle_snooze_item_key'))

    op.drop_table('huddle_snooze')
    op.drop_table('huddle')
