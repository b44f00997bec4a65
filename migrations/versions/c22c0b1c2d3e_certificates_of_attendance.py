"""Certificates of attendance: organisers' attendance marks, and the certificates issued from
them and from the check-ins at the doors (their codes kept as SHA-256 only).

Revision ID: c22c0b1c2d3e
Revises: c22b0b1c2d3e
Create Date: 2026-12-04 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c22c0b1c2d3e'
down_revision = "c22b0b1c2d3e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(user_id IS NULL) <> (person_id IS NULL)', name=op.f('ck_attendance_marks_one_attendee')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_attendance_marks_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_attendance_marks_marked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_attendance_marks_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attendance_marks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_marks'))
    )
    with op.batch_alter_table('attendance_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_marks_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_marks_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_marks_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_attendance_marks_event_person', ['event_id', 'person_id'], unique=True, postgresql_where=sa.text('person_id IS NOT NULL'), sqlite_where=sa.text('person_id IS NOT NULL'))
        batch_op.create_index('uq_attendance_marks_event_user', ['event_id', 'user_id'], unique=True, postgresql_where=sa.text('user_id IS NOT NULL'), sqlite_where=sa.text('user_id IS NOT NULL'))

    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('code_salt', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('affiliation', sa.String(length=300), nullable=False),
    sa.Column('forum_name', sa.String(length=300), nullable=False),
    sa.Column('event_title', sa.String(length=300), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("name <> ''", name=op.f('ck_certificates_name_not_empty')),
    sa.CheckConstraint('(user_id IS NULL) <> (person_id IS NULL)', name=op.f('ck_certificates_one_attendee')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_certificates_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_certificates_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_certificates_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('reference', name=op.f('uq_certificates_reference'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_certificates_event_person', ['event_id', 'person_id'], unique=True, postgresql_where=sa.text('person_id IS NOT NULL'), sqlite_where=sa.text('person_id IS NOT NULL'))
        batch_op.create_index('uq_certificates_event_user', ['event_id', 'user_id'], unique=True, postgresql_where=sa.text('user_id IS NOT NULL'), sqlite_where=sa.text('user_id IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_event_user', postgresql_where=sa.text('user_id IS NOT NULL'), sqlite_where=sa.text('user_id IS NOT NULL'))
        batch_op.drop_index('uq_certificates_event_person', postgresql_where=sa.text('person_id IS NOT NULL'), sqlite_where=sa.text('person_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_person_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_event_id'))

    op.drop_table('certificates')
    with op.batch_alter_table('attendance_marks', schema=None) as batch_op:
        batch_op.drop_index('uq_attendance_marks_event_user', postgresql_where=sa.text('user_id IS NOT NULL'), sqlite_where=sa.text('user_id IS NOT NULL'))
        batch_op.drop_index('uq_attendance_marks_event_person', postgresql_where=sa.text('person_id IS NOT NULL'), sqlite_where=sa.text('person_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_attendance_marks_user_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_marks_person_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_marks_event_id'))

    op.drop_table('attendance_marks')
