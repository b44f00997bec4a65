"""Session languages: the language spoken (ISO 639-1) and the languages interpreted into.

Revision ID: cbda304e50ff
Revises: 727ae86b5838
Create Date: 2026-12-03 11:56:12.897931

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cbda304e50ff'
down_revision = '727ae86b5838'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spoken_language', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('interpretation', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('interpretation')
        batch_op.drop_column('spoken_language')
