"""Reminders: before events (with their practical details) and before the forum's deadlines for
focal points, which are new columns of forums; and the record of who was sent each, once.

Revision ID: c22b0b1c2d3e
Revises: c22a0b1c2d3e
Create Date: 2026-12-04 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c22b0b1c2d3e'
down_revision = "c22a0b1c2d3e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nominations_close_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('credentials_due_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('minutes_before', sa.Integer(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('translations', sa.JSON(), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes_before BETWEEN 1 AND 527040', name=op.f('ck_reminders_offset_plausible')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_reminders_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('event_id', 'minutes_before', name=op.f('uq_reminders_event_id_minutes_before'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_event_id'), ['event_id'], unique=False)

    op.create_table('reminders_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reminder_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(user_id IS NULL) <> (person_id IS NULL)', name=op.f('ck_reminders_sent_one_recipient')),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_reminders_sent_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_reminders_sent_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reminder_id'], ['reminders.id'], name=op.f('fk_reminders_sent_reminder_id_reminders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_sent_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders_sent')),
    sa.UniqueConstraint('reminder_id', 'person_id', name=op.f('uq_reminders_sent_reminder_id_person_id')),
    sa.UniqueConstraint('reminder_id', 'user_id', name=op.f('uq_reminders_sent_reminder_id_user_id'))
    )
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_sent_outbox_message_id'), ['outbox_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_sent_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_sent_user_id'), ['user_id'], unique=False)

    op.create_table('deadline_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Enum('nominations_close', 'credentials_due', name='deadline_kind', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('minutes_before', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes_before BETWEEN 1 AND 527040', name=op.f('ck_deadline_reminders_offset_plausible')),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_deadline_reminders_forum_id_forums'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_reminders')),
    sa.UniqueConstraint('forum_id', 'deadline', 'minutes_before', name=op.f('uq_deadline_reminders_forum_id_deadline_minutes_before'))
    )
    with op.batch_alter_table('deadline_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_reminders_forum_id'), ['forum_id'], unique=False)

    op.create_table('deadline_reminders_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reminder_id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_deadline_reminders_sent_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reminder_id'], ['deadline_reminders.id'], name=op.f('fk_deadline_reminders_sent_reminder_id_deadline_reminders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegations.id'], name=op.f('fk_deadline_reminders_sent_delegation_id_delegations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_deadline_reminders_sent_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_reminders_sent')),
    sa.UniqueConstraint('reminder_id', 'delegation_id', 'user_id', name=op.f('uq_deadline_reminders_sent_reminder_id_delegation_id_user_id'))
    )
    with op.batch_alter_table('deadline_reminders_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_reminders_sent_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_reminders_sent_outbox_message_id'), ['outbox_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_reminders_sent_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('deadline_reminders_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_reminders_sent_user_id'))
        batch_op.drop_index(batch_op.f('ix_deadline_reminders_sent_outbox_message_id'))
        batch_op.drop_index(batch_op.f('ix_deadline_reminders_sent_delegation_id'))

    op.drop_table('deadline_reminders_sent')
    with op.batch_alter_table('deadline_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_reminders_forum_id'))

    op.drop_table('deadline_reminders')
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_sent_user_id'))
        batch_op.drop_index(batch_op.f('ix_reminders_sent_person_id'))
        batch_op.drop_index(batch_op.f('ix_reminders_sent_outbox_message_id'))

    op.drop_table('reminders_sent')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_event_id'))

    op.drop_table('reminders')
    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.drop_column('credentials_due_at')
        batch_op.drop_column('nominations_close_at')
