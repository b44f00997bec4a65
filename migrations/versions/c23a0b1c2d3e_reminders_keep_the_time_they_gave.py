"""Reminders keep the start (or deadline) each message gave, and go once per person and time:
an event or deadline that moves is reminded of again.

Existing rows are taken to be for the event's current start or the forum's current deadline
(what planner believed they were for); a row whose deadline has since been cleared is given the
latest deadline it can have been sent for (its queueing time plus its offset).

Revision ID: c23a0b1c2d3e
Revises: c21b0b1c2d3e
Create Date: 2026-12-05 10:00:00.000000

"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c23a0b1c2d3e'
down_revision = "c21b0b1c2d3e"
branch_labels = None
depends_on = None

DEADLINE_UNIQUE = "uq_deadline_reminders_sent_once_per_deadline"


def upgrade():
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_starts_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('deadline_reminders_sent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True))

    op.execute(
        "UPDATE reminders_sent SET event_starts_at = ("
        "SELECT events.starts_at FROM reminders JOIN events ON events.id = reminders.event_id "
        "WHERE reminders.id = reminders_sent.reminder_id)"
    )
    op.execute(
        "UPDATE deadline_reminders_sent SET deadline_at = ("
        "SELECT CASE WHEN deadline_reminders.deadline = 'nominations_close' THEN forums.nominations_close_at "
        "ELSE forums.credentials_due_at END "
        "FROM deadline_reminders JOIN forums ON forums.id = deadline_reminders.forum_id "
        "WHERE deadline_reminders.id = deadline_reminders_sent.reminder_id)"
    )
    # A deadline cleared since: the message went no earlier than its time, the deadline minus
    # the offset, so the deadline was at most this late.
    sent = sa.table(
        'deadline_reminders_sent',
        sa.column('id', sa.Integer),
        sa.column('reminder_id', sa.Integer),
        sa.column('queued_at', sa.DateTime(timezone=True)),
        sa.column('deadline_at', sa.DateTime(timezone=True)),
    )
    reminders = sa.table('deadline_reminders', sa.column('id', sa.Integer), sa.column('minutes_before', sa.Integer))
    connection = op.get_bind()
    cleared = connection.execute(
        sa.select(sent.c.id, sent.c.queued_at, reminders.c.minutes_before)
        .join(reminders, reminders.c.id == sent.c.reminder_id)
        .where(sent.c.deadline_at.is_(None))
    ).all()
    for row_id, queued_at, minutes_before in cleared:
        connection.execute(
            sent.update()
            .where(sent.c.id == row_id)
            .values(deadline_at=queued_at + dt.timedelta(minutes=minutes_before))
        )

    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.alter_column('event_starts_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_constraint(op.f('uq_reminders_sent_reminder_id_user_id'), type_='unique')
        batch_op.drop_constraint(op.f('uq_reminders_sent_reminder_id_person_id'), type_='unique')
        batch_op.create_unique_constraint(
            op.f('uq_reminders_sent_reminder_id_user_id_event_starts_at'), ['reminder_id', 'user_id', 'event_starts_at']
        )
        batch_op.create_unique_constraint(
            op.f('uq_reminders_sent_reminder_id_person_id_event_starts_at'),
            ['reminder_id', 'person_id', 'event_starts_at'],
        )
    with op.batch_alter_table('deadline_reminders_sent', schema=None) as batch_op:
        batch_op.alter_column('deadline_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_constraint(
            op.f('uq_deadline_reminders_sent_reminder_id_delegation_id_user_id'), type_='unique'
        )
        batch_op.create_unique_constraint(
            DEADLINE_UNIQUE, ['reminder_id', 'delegation_id', 'user_id', 'deadline_at']
        )


def downgrade():
    # Once per person again: of the rows for several times, the latest queued stays.
    op.execute(
        "DELETE FROM reminders_sent WHERE EXISTS (SELECT 1 FROM reminders_sent AS later "
        "WHERE later.reminder_id = reminders_sent.reminder_id "
        "AND (later.user_id = reminders_sent.user_id OR later.person_id = reminders_sent.person_id) "
        "AND (later.queued_at > reminders_sent.queued_at "
        "OR (later.queued_at = reminders_sent.queued_at AND later.id > reminders_sent.id)))"
    )
    op.execute(
        "DELETE FROM deadline_reminders_sent WHERE EXISTS (SELECT 1 FROM deadline_reminders_sent AS later "
        "WHERE later.reminder_id = deadline_reminders_sent.reminder_id "
        "AND later.delegation_id = deadline_reminders_sent.delegation_id "
        "AND later.user_id = deadline_reminders_sent.user_id "
        "AND (later.queued_at > deadline_reminders_sent.queued_at "
        "OR (later.queued_at = deadline_reminders_sent.queued_at AND later.id > deadline_reminders_sent.id)))"
    )
    with op.batch_alter_table('deadline_reminders_sent', schema=None) as batch_op:
        batch_op.drop_constraint(DEADLINE_UNIQUE, type_='unique')
        batch_op.create_unique_constraint(
            op.f('uq_deadline_reminders_sent_reminder_id_delegation_id_user_id'),
            ['reminder_id', 'delegation_id', 'user_id'],
        )
        batch_op.drop_column('deadline_at')
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_reminders_sent_reminder_id_person_id_event_starts_at'), type_='unique')
        batch_op.drop_constraint(op.f('uq_reminders_sent_reminder_id_user_id_event_starts_at'), type_='unique')
        batch_op.create_unique_constraint(
            op.f('uq_reminders_sent_reminder_id_person_id'), ['reminder_id', 'person_id']
        )
        batch_op.create_unique_constraint(op.f('uq_reminders_sent_reminder_id_user_id'), ['reminder_id', 'user_id'])
        batch_op.drop_column('event_starts_at')
