"""Certificates of attendance can be revoked (issued by mistake): when, by whom, why. A person
holds one certificate not revoked an event, and may be issued a new one after a revocation.

Going back deletes the revoked certificates: without the columns they would verify as genuine
again (and the old indexes allow one certificate a person and event).

Revision ID: c24a0b1c2d3e
Revises: c23a0b1c2d3e
Create Date: 2026-12-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c24a0b1c2d3e'
down_revision = "c23a0b1c2d3e"
branch_labels = None
depends_on = None

USER, PERSON = "user_id IS NOT NULL", "person_id IS NOT NULL"
NOT_REVOKED = " AND revoked_at IS NULL"


def _indexes(batch_op, among: str) -> None:
    batch_op.create_index(
        'uq_certificates_event_person', ['event_id', 'person_id'], unique=True,
        postgresql_where=sa.text(PERSON + among), sqlite_where=sa.text(PERSON + among),
    )
    batch_op.create_index(
        'uq_certificates_event_user', ['event_id', 'user_id'], unique=True,
        postgresql_where=sa.text(USER + among), sqlite_where=sa.text(USER + among),
    )


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revocation_reason', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_certificates_revoked_by_id_users'), 'users', ['revoked_by_id'], ['id'], ondelete='SET NULL'
        )
        batch_op.drop_index('uq_certificates_event_user')
        batch_op.drop_index('uq_certificates_event_person')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        _indexes(batch_op, NOT_REVOKED)


def downgrade():
    op.execute("DELETE FROM certificates WHERE revoked_at IS NOT NULL")
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_event_user')
        batch_op.drop_index('uq_certificates_event_person')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificates_revoked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('revocation_reason')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('revoked_at')
        _indexes(batch_op, "")
