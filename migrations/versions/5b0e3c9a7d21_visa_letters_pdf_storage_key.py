"""VisaLetter.pdf_storage_key: where the issued letter's PDF is in the file store, so that the
purge of a forum's personal data finds it (and tells it from an orphan file).

Revision ID: 5b0e3c9a7d21
Revises: 1d55826b7fe9
Create Date: 2026-12-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b0e3c9a7d21'
down_revision = '1d55826b7fe9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visa_letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf_storage_key', sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_visa_letters_pdf_storage_key'), ['pdf_storage_key'])


def downgrade():
    with op.batch_alter_table('visa_letters', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_visa_letters_pdf_storage_key'), type_='unique')
        batch_op.drop_column('pdf_storage_key')
