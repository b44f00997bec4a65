"""Announcements: an organiser's message stored once, everyone it went to, and the outbox's
link to it (one message per announcement and address) with the Reply-To it is sent with.

Revision ID: c22a0b1c2d3e
Revises: c21c0b1c2d3e
Create Date: 2026-12-04 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c22a0b1c2d3e'
down_revision = "c21c0b1c2d3e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('sender_name', sa.String(length=200), nullable=False),
    sa.Column('reply_to', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('translations', sa.JSON(), server_default='{}', nullable=False),
    sa.Column('audience_kind', sa.Enum('registrations', 'focal_points', 'delegations', 'sessions', name='audience_kind', native_enum=False, create_constraint=True, length=13), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('audience_summary', sa.Text(), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.Column('form_key', sa.String(length=64), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("subject <> ''", name=op.f('ck_announcements_subject_not_empty')),
    sa.CheckConstraint('recipient_count > 0', name=op.f('ck_announcements_someone_to_tell')),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_announcements_forum_id_forums'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_announcements_sender_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements')),
    sa.UniqueConstraint('form_key', name=op.f('uq_announcements_form_key'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_forum_id'), ['forum_id'], unique=False)

    op.create_table('announcement_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.CheckConstraint("email <> ''", name=op.f('ck_announcement_recipients_email_not_empty')),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_recipients_announcement_id_announcements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_announcement_recipients_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_recipients')),
    sa.UniqueConstraint('announcement_id', 'email', name=op.f('uq_announcement_recipients_announcement_id_email'))
    )
    with op.batch_alter_table('announcement_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_recipients_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announcement_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reply_to', sa.String(length=320), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_announcement_id_announcements'), 'announcements', ['announcement_id'], ['id'], ondelete='SET NULL')
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_messages_announcement_id_to_address'), ['announcement_id', 'to_address'])


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_messages_announcement_id_to_address'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_announcement_id_announcements'), type_='foreignkey')
        batch_op.drop_column('reply_to')
        batch_op.drop_column('announcement_id')

    with op.batch_alter_table('announcement_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_recipients_user_id'))

    op.drop_table('announcement_recipients')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_forum_id'))

    op.drop_table('announcements')
