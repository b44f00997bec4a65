"""Calendar: secret tokens of personal and organiser calendar feeds.

Revision ID: 9ac5f6d57f39
Revises: a7c3e5b90d14
Create Date: 2026-12-02 02:09:23.847407

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9ac5f6d57f39'
down_revision = 'a7c3e5b90d14'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('personal', 'organiser', name='feed_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'organiser') = (forum_id IS NOT NULL)", name=op.f('ck_calendar_feed_tokens_organiser_feed_has_forum')),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_calendar_feed_tokens_forum_id_forums'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feed_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed_tokens')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_feed_tokens_token'))
    )
    with op.batch_alter_table('calendar_feed_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_tokens_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index('ix_calendar_feed_tokens_user_id_kind', ['user_id', 'kind'], unique=False)


def downgrade():
    with op.batch_alter_table('calendar_feed_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_calendar_feed_tokens_user_id_kind')
        batch_op.drop_index(batch_op.f('ix_calendar_feed_tokens_forum_id'))

    op.drop_table('calendar_feed_tokens')
