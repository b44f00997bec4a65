"""Content in several languages (#15): a forum's languages, the translations of what
organisers type (forums, events, venues, rooms, sessions, registration questions, documents'
titles), and language versions of outcome documents with the authentic text marked.

Revision ID: 727ae86b5838
Revises: cb6a964c8c6c
Create Date: 2026-12-03 11:45:22.281280

"""
from alembic import op
import sqlalchemy as sa


revision = '727ae86b5838'
down_revision = 'cb6a964c8c6c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), server_default='["en"]', nullable=False))
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('outcome_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('version_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('is_authentic', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_index(batch_op.f('ix_outcome_documents_version_of_id'), ['version_of_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outcome_documents_version_of_id_outcome_documents'), 'outcome_documents', ['version_of_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('registration_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.drop_column('translations')

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('translations')

    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_column('translations')

    with op.batch_alter_table('registration_questions', schema=None) as batch_op:
        batch_op.drop_column('translations')

    with op.batch_alter_table('outcome_documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outcome_documents_version_of_id_outcome_documents'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outcome_documents_version_of_id'))
        batch_op.drop_column('is_authentic')
        batch_op.drop_column('version_of_id')
        batch_op.drop_column('translations')

    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.drop_column('translations')
        batch_op.drop_column('languages')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('translations')
