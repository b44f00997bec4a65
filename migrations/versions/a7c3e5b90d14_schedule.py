"""Scheduling: room accessibility notes, days a room is closed, acknowledged warnings.

Revision ID: a7c3e5b90d14
Revises: 3c1f0a9d2b7e
Create Date: 2026-12-02 02:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c3e5b90d14'
down_revision = '3c1f0a9d2b7e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accessibility_notes', sa.Text(), server_default='', nullable=False))
    op.create_table(
        'room_closed_days',
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_room_closed_days_room_id_rooms'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('room_id', 'day', name=op.f('pk_room_closed_days')),
    )
    op.create_table(
        'acknowledged_warnings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('forum_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'],
                                name=op.f('fk_acknowledged_warnings_acknowledged_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_acknowledged_warnings_forum_id_forums'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_acknowledged_warnings')),
        sa.UniqueConstraint('forum_id', 'key', name=op.f('uq_acknowledged_warnings_forum_id_key')),
    )


def downgrade():
    op.drop_table('acknowledged_warnings')
    op.drop_table('room_closed_days')
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_column('accessibility_notes')
