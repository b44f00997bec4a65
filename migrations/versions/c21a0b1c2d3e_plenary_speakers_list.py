"""The plenary's speakers' list and its entries; national statements in the record of
statements (a new kind, and the session and delegation a statement was delivered in and by).

Revision ID: c21a0b1c2d3e
Revises: c19a0b1c2d3e
Create Date: 2026-12-04 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'c21a0b1c2d3e'
down_revision = 'c19a0b1c2d3e'
branch_labels = None
depends_on = None

OLD_KINDS = "'joint_statement', 'principles', 'terms_of_reference', 'chairs_summary', 'side_event_report'"
NEW_KINDS = OLD_KINDS + ", 'national_statement'"
LEVELS = ('head_of_state_or_government', 'minister', 'vice_minister', 'head_of_agency', 'ambassador', 'other')


def upgrade():
    # Columns first, then their checks: SQLite's batch copy cannot do both in one pass.
    with op.batch_alter_table('outcome_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('delegation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outcome_documents_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_documents_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_outcome_documents_session_id_sessions'), 'sessions', ['session_id'], ['id'], ondelete='SET NULL'
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_outcome_documents_delegation_id_delegations'), 'delegations', ['delegation_id'], ['id'],
            ondelete='SET NULL',
        )
        # 'national_statement' is as long as the longest kind so far ('terms_of_reference').
        batch_op.drop_constraint(op.f('ck_outcome_documents_document_kind'), type_='check')
    with op.batch_alter_table('outcome_documents', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_outcome_documents_document_kind'), f"kind IN ({NEW_KINDS})")

    op.create_table('speakers_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('speaking_minutes', sa.Integer(), nullable=False),
    sa.Column('speakers_per_delegation', sa.Integer(), server_default='1', nullable=False),
    sa.Column('states_first', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('speaking_minutes BETWEEN 1 AND 60', name=op.f('ck_speakers_lists_speaking_minutes_plausible')),
    sa.CheckConstraint('speakers_per_delegation BETWEEN 1 AND 10', name=op.f('ck_speakers_lists_speakers_per_delegation_plausible')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_speakers_lists_opened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_speakers_lists_session_id_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_speakers_lists')),
    sa.UniqueConstraint('session_id', name=op.f('uq_speakers_lists_session_id'))
    )
    op.create_table('speaker_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum(*LEVELS, name='representation_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('inscribed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('inscribed_by_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('moved', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'spoke', 'withdrawn', name='speaker_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('spoke_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('statement_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('position >= 1', name=op.f('ck_speaker_entries_position_positive')),
    sa.CheckConstraint("(status = 'spoke') = (spoke_at IS NOT NULL)", name=op.f('ck_speaker_entries_spoke_at_when_spoke')),
    sa.ForeignKeyConstraint(['delegation_id', 'person_id'], ['delegation_members.delegation_id', 'delegation_members.person_id'], name=op.f('fk_speaker_entries_delegation_id_delegation_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegations.id'], name=op.f('fk_speaker_entries_delegation_id_delegations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inscribed_by_id'], ['users.id'], name=op.f('fk_speaker_entries_inscribed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['list_id'], ['speakers_lists.id'], name=op.f('fk_speaker_entries_list_id_speakers_lists'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_speaker_entries_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['outcome_documents.id'], name=op.f('fk_speaker_entries_statement_id_outcome_documents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_speaker_entries'))
    )
    with op.batch_alter_table('speaker_entries', schema=None) as batch_op:
        batch_op.create_index('ix_speaker_entries_delegation_id_person_id', ['delegation_id', 'person_id'], unique=False)
        batch_op.create_index('ix_speaker_entries_list_id_position', ['list_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_speaker_entries_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_speaker_entries_statement_id'), ['statement_id'], unique=False)


def downgrade():
    with op.batch_alter_table('speaker_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_speaker_entries_statement_id'))
        batch_op.drop_index(batch_op.f('ix_speaker_entries_person_id'))
        batch_op.drop_index('ix_speaker_entries_list_id_position')
        batch_op.drop_index('ix_speaker_entries_delegation_id_person_id')
    op.drop_table('speaker_entries')
    op.drop_table('speakers_lists')

    # The older schema knows no national statements: they leave the record.
    op.execute("DELETE FROM outcome_documents WHERE kind = 'national_statement'")
    with op.batch_alter_table('outcome_documents', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outcome_documents_document_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_outcome_documents_delegation_id_delegations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_outcome_documents_session_id_sessions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outcome_documents_delegation_id'))
        batch_op.drop_index(batch_op.f('ix_outcome_documents_session_id'))
        batch_op.drop_column('delegation_id')
        batch_op.drop_column('session_id')
    with op.batch_alter_table('outcome_documents', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_outcome_documents_document_kind'), f"kind IN ({OLD_KINDS})")
