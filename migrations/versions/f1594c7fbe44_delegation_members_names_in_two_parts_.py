"""People (delegation members, chairs, speakers): names in two parts and their order, like
accounts. people.name stays as the name shown; existing people get it as their given name and
no family name, so nothing shown changes.

Revision ID: f1594c7fbe44
Revises: 3e6a0d7d672a
Create Date: 2026-12-03 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1594c7fbe44'
down_revision = '3e6a0d7d672a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('given_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('family_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('family_name_first', sa.Boolean(), server_default=sa.false(), nullable=False))
    people = sa.table('people', sa.column('name', sa.String), sa.column('given_name', sa.String))
    op.execute(people.update().values(given_name=people.c.name))


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('family_name_first')
        batch_op.drop_column('family_name')
        batch_op.drop_column('given_name')
