"""Guardian consent by emailed link: Forum.age_of_majority, the awaiting_consent status of a
registration with its consent times and kept seat, and the student kind of event.

Revision ID: 05963c9597ee
Revises: 4ce211ed9962
Create Date: 2026-12-03 11:11:42

"""
from alembic import op
import sqlalchemy as sa


revision = '05963c9597ee'
down_revision = '4ce211ed9962'
branch_labels = None
depends_on = None

OLD_STATUSES = "'pending', 'confirmed', 'waitlisted', 'declined', 'cancelled'"
NEW_STATUSES = "'pending', 'confirmed', 'waitlisted', 'declined', 'cancelled', 'awaiting_consent'"
OLD_KINDS = "'ministerial', 'side_event'"
NEW_KINDS = "'ministerial', 'side_event', 'student'"


def upgrade():
    # Columns first, then their checks: SQLite's batch copy cannot do both in one pass.
    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.add_column(sa.Column('age_of_majority', sa.Integer(), server_default='18', nullable=False))
    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_forums_age_of_majority_plausible'), 'age_of_majority BETWEEN 1 AND 30'
        )

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_event_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_events_event_kind'), f"kind IN ({NEW_KINDS})")

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('consent_reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('seat_kept_for_consent', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_constraint(op.f('ck_registrations_registration_status'), type_='check')
        # 'awaiting_consent' is longer than the longest status so far.
        batch_op.alter_column('status', existing_type=sa.String(length=10), type_=sa.String(length=16),
                              existing_nullable=False)
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_registrations_registration_status'), f"status IN ({NEW_STATUSES})"
        )


def downgrade():
    # Applications still waiting for consent end as cancelled (their seats are given back),
    # and student events become side events: the older schema knows neither.
    op.execute(
        "UPDATE registration_policies SET seats_taken = seats_taken - ("
        "SELECT count(*) FROM registrations WHERE registrations.event_id = registration_policies.event_id "
        "AND registrations.status = 'awaiting_consent' AND registrations.seat_kept_for_consent)"
    )
    op.execute("UPDATE registrations SET status = 'cancelled' WHERE status = 'awaiting_consent'")
    op.execute("UPDATE events SET kind = 'side_event' WHERE kind = 'student'")
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_registrations_registration_status'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=16), type_=sa.String(length=10),
                              existing_nullable=False)
        batch_op.drop_column('seat_kept_for_consent')
        batch_op.drop_column('consent_reminded_at')
        batch_op.drop_column('consent_requested_at')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_registrations_registration_status'), f"status IN ({OLD_STATUSES})"
        )

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_event_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_events_event_kind'), f"kind IN ({OLD_KINDS})")

    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_forums_age_of_majority_plausible'), type_='check')
        batch_op.drop_column('age_of_majority')
