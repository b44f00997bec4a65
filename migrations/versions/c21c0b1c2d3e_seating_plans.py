"""Seating plans: a forum's plenary hall as rows of seats, its reserved seats, and how many
seats a delegation gets.

Revision ID: c21c0b1c2d3e
Revises: c21a0b1c2d3e
Create Date: 2026-12-04 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c21c0b1c2d3e'
down_revision = "c21a0b1c2d3e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seating_plans',
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('reserved_seats', sa.JSON(), nullable=False),
    sa.Column('seats_per_delegation', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('seats_per_delegation > 0', name=op.f('ck_seating_plans_seats_per_delegation_positive')),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_seating_plans_forum_id_forums'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_seating_plans_room_id_rooms'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_seating_plans_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('forum_id', name=op.f('pk_seating_plans'))
    )
    with op.batch_alter_table('seating_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_plans_room_id'), ['room_id'], unique=False)


def downgrade():
    with op.batch_alter_table('seating_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seating_plans_room_id'))

    op.drop_table('seating_plans')
