"""PostgreSQL: the search vectors compressed with lz4, which decompresses several times faster
than the default pglz (ranking reads each candidate's vector). SQLite: nothing.

Revision ID: c5d8e2a7f013
Revises: 4093f14a1a3c
Create Date: 2026-12-02 03:45:00

"""
from alembic import op


revision = 'c5d8e2a7f013'
down_revision = '4093f14a1a3c'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_context().dialect.name == 'postgresql':
        op.execute("ALTER TABLE statement_search_entries ALTER COLUMN vector SET COMPRESSION lz4")
        # Existing values keep their old compression until written again; regenerate them.
        op.execute("UPDATE statement_search_entries SET terms = terms")


def downgrade():
    if op.get_context().dialect.name == 'postgresql':
        op.execute("ALTER TABLE statement_search_entries ALTER COLUMN vector SET COMPRESSION pglz")
