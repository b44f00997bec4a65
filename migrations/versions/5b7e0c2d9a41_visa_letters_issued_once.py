"""Visa letters issued once: the letter's number in its forum's sequence, the PDF made when it
is issued (its key in the file store), a longer reference (a slug is up to 64 characters), and
one live letter (requested or issued) a member.

Revision ID: 5b7e0c2d9a41
Revises: 1d55826b7fe9
Create Date: 2026-12-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e0c2d9a41'
down_revision = '1d55826b7fe9'
branch_labels = None
depends_on = None

LIVE = "status IN ('requested', 'issued')"


def upgrade():
    with op.batch_alter_table('visa_letters', schema=None) as batch_op:
        batch_op.alter_column('reference', existing_type=sa.String(length=40), type_=sa.String(length=80),
                              existing_nullable=True)
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('storage_key', sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_visa_letters_storage_key'), ['storage_key'])
        batch_op.create_index(
            'uq_visa_letters_one_live',
            ['delegation_id', 'person_id'],
            unique=True,
            sqlite_where=sa.text(LIVE),
            postgresql_where=sa.text(LIVE),
        )


def downgrade():
    with op.batch_alter_table('visa_letters', schema=None) as batch_op:
        batch_op.drop_index('uq_visa_letters_one_live')
        batch_op.drop_constraint(batch_op.f('uq_visa_letters_storage_key'), type_='unique')
        batch_op.drop_column('storage_key')
        batch_op.drop_column('sequence')
        batch_op.alter_column('reference', existing_type=sa.String(length=80), type_=sa.String(length=40),
                              existing_nullable=True)
