"""Session.status (scheduled or cancelled) and Session.revision (raised by every move).

Revision ID: 3c1f0a9d2b7e
Revises: 6f564e8a21ea
Create Date: 2026-12-02 02:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3c1f0a9d2b7e'
down_revision = '6f564e8a21ea'
branch_labels = None
depends_on = None


def upgrade():
    # Columns first, then their checks: SQLite's batch copy cannot do both in one pass.
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'status',
            sa.Enum('scheduled', 'cancelled', name='session_status', native_enum=False, create_constraint=False),
            server_default='scheduled', nullable=False,
        ))
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_sessions_session_status'), "status IN ('scheduled', 'cancelled')")
        batch_op.create_check_constraint(op.f('ck_sessions_revision_positive'), 'revision >= 1')


def downgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sessions_revision_positive'), type_='check')
        batch_op.drop_constraint(op.f('ck_sessions_session_status'), type_='check')
        batch_op.drop_column('revision')
        batch_op.drop_column('status')
