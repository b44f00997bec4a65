"""Account names in two parts and their order: given name, family name and whether the family
name comes first. The name shown (users.name) stays, composed from them; existing accounts get
their name as the given name and no family name, so nothing shown changes.

Revision ID: 3e6a0d7d672a
Revises: cbda304e50ff
Create Date: 2026-12-03 12:28:28.430060

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e6a0d7d672a'
down_revision = 'cbda304e50ff'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('given_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('family_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('family_name_first', sa.Boolean(), server_default=sa.false(), nullable=False))
    users = sa.table('users', sa.column('name', sa.String), sa.column('given_name', sa.String))
    op.execute(users.update().values(given_name=users.c.name))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('family_name_first')
        batch_op.drop_column('family_name')
        batch_op.drop_column('given_name')
