"""The record of outcome documents: documents, versions, corrigenda, references,
endorsements, and the search index (FTS5 on SQLite, a tsvector column with a GIN index on PostgreSQL).

Revision ID: 4093f14a1a3c
Revises: 9ac5f6d57f39
Create Date: 2026-12-02 02:22:31.044515

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4093f14a1a3c'
down_revision = '9ac5f6d57f39'
branch_labels = None
depends_on = None

# The same statements as planner/statements/search.py (migrations never import the app).
FTS = 'statement_search_fts'
SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    "terms, content='statement_search_entries', content_rowid='document_id')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON statement_search_entries BEGIN "
    f"INSERT INTO {FTS}(rowid, terms) VALUES (new.document_id, new.terms); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON statement_search_entries BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, terms) VALUES ('delete', old.document_id, old.terms); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE ON statement_search_entries BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, terms) VALUES ('delete', old.document_id, old.terms); "
    f"INSERT INTO {FTS}(rowid, terms) VALUES (new.document_id, new.terms); END",
)


def upgrade():
    op.create_table('outcome_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('joint_statement', 'principles', 'terms_of_reference', 'chairs_summary', 'side_event_report', name='document_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('draft', 'under_negotiation', 'adopted', 'superseded', 'withdrawn', name='document_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('is_summary', sa.Boolean(), nullable=False),
    sa.Column('adopted_by_event_id', sa.Integer(), nullable=True),
    sa.Column('adopted_on', sa.Date(), nullable=True),
    sa.Column('adopted_place', sa.String(length=200), nullable=False),
    sa.Column('adopted_version', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("slug <> ''", name=op.f('ck_outcome_documents_slug_not_empty')),
    sa.CheckConstraint("status NOT IN ('adopted', 'superseded') OR (adopted_on IS NOT NULL AND adopted_version IS NOT NULL)", name=op.f('ck_outcome_documents_adoption_recorded')),
    sa.CheckConstraint("title <> ''", name=op.f('ck_outcome_documents_title_not_empty')),
    sa.ForeignKeyConstraint(['adopted_by_event_id'], ['events.id'], name=op.f('fk_outcome_documents_adopted_by_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_outcome_documents_forum_id_forums'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_documents')),
    sa.UniqueConstraint('forum_id', 'slug', name=op.f('uq_outcome_documents_forum_id_slug'))
    )
    with op.batch_alter_table('outcome_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_documents_adopted_by_event_id'), ['adopted_by_event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_documents_forum_id'), ['forum_id'], unique=False)

    op.create_table('corrigenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_corrigenda_number_positive')),
    sa.ForeignKeyConstraint(['document_id'], ['outcome_documents.id'], name=op.f('fk_corrigenda_document_id_outcome_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrigenda')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_corrigenda_document_id_number'))
    )
    op.create_table('document_references',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.Enum('takes_note_of', 'welcomes', 'recognises', 'supersedes', name='document_relation', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('outside_title', sa.String(length=300), nullable=True),
    sa.Column('outside_url', sa.String(length=500), nullable=False),
    sa.CheckConstraint('(target_id IS NOT NULL AND outside_title IS NULL) OR (target_id IS NULL AND outside_title IS NOT NULL)', name=op.f('ck_document_references_one_target')),
    sa.ForeignKeyConstraint(['document_id'], ['outcome_documents.id'], name=op.f('fk_document_references_document_id_outcome_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['outcome_documents.id'], name=op.f('fk_document_references_target_id_outcome_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_references'))
    )
    with op.batch_alter_table('document_references', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_references_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_references_target_id'), ['target_id'], unique=False)

    op.create_table('document_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_document_versions_number_positive')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_document_versions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['outcome_documents.id'], name=op.f('fk_document_versions_document_id_outcome_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_versions')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_document_versions_document_id_number'))
    )
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_versions_author_id'), ['author_id'], unique=False)

    op.create_table('endorsements',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('endorsed', 'joined', 'took_note', 'welcomed', name='endorsement_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('endorsed_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegations.id'], name=op.f('fk_endorsements_delegation_id_delegations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['outcome_documents.id'], name=op.f('fk_endorsements_document_id_outcome_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_endorsements_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('document_id', 'delegation_id', name=op.f('pk_endorsements'))
    )
    with op.batch_alter_table('endorsements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_endorsements_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_endorsements_recorded_by_id'), ['recorded_by_id'], unique=False)

    op.create_table('statement_search_entries',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['outcome_documents.id'], name=op.f('fk_statement_search_entries_document_id_outcome_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_statement_search_entries'))
    )
    if op.get_context().dialect.name == 'postgresql':
        op.execute("ALTER TABLE statement_search_entries ADD COLUMN vector tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED")
        op.execute("CREATE INDEX ix_statement_search_entries_vector ON statement_search_entries USING gin (vector)")
    else:
        for statement in SQLITE_DDL:
            op.execute(statement)
    op.create_table('corrigendum_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('corrigendum_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_corrigendum_versions_number_positive')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_corrigendum_versions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['corrigendum_id'], ['corrigenda.id'], name=op.f('fk_corrigendum_versions_corrigendum_id_corrigenda'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrigendum_versions')),
    sa.UniqueConstraint('corrigendum_id', 'number', name=op.f('uq_corrigendum_versions_corrigendum_id_number'))
    )
    with op.batch_alter_table('corrigendum_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrigendum_versions_author_id'), ['author_id'], unique=False)



def downgrade():
    with op.batch_alter_table('corrigendum_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corrigendum_versions_author_id'))

    op.drop_table('corrigendum_versions')
    if op.get_context().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_statement_search_entries_vector')
    else:
        # The triggers go with their table.
        op.execute(f'DROP TABLE IF EXISTS {FTS}')
    op.drop_table('statement_search_entries')
    with op.batch_alter_table('endorsements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_endorsements_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_endorsements_delegation_id'))

    op.drop_table('endorsements')
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_versions_author_id'))

    op.drop_table('document_versions')
    with op.batch_alter_table('document_references', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_references_target_id'))
        batch_op.drop_index(batch_op.f('ix_document_references_document_id'))

    op.drop_table('document_references')
    op.drop_table('corrigenda')
    with op.batch_alter_table('outcome_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_documents_forum_id'))
        batch_op.drop_index(batch_op.f('ix_outcome_documents_adopted_by_event_id'))

    op.drop_table('outcome_documents')
