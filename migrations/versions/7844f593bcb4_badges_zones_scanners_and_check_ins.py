"""Badges and check-in: access zones (and the zone a room requires), the forums' Ed25519
badge keys (private halves encrypted), badges and their versions, the scanner role, scans
(one per device scan id) and arrivals (the first admitted scan of a badge at a zone).

Revision ID: 7844f593bcb4
Revises: 5b7e0c2d9a41
Create Date: 2026-12-03 16:16:15.173968

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7844f593bcb4'
down_revision = '5b7e0c2d9a41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forum_scanners',
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('appointed_by_id', sa.Integer(), nullable=True),
    sa.Column('appointed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appointed_by_id'], ['users.id'], name=op.f('fk_forum_scanners_appointed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_forum_scanners_forum_id_forums'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_forum_scanners_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('forum_id', 'user_id', name=op.f('pk_forum_scanners'))
    )
    with op.batch_alter_table('forum_scanners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_scanners_user_id'), ['user_id'], unique=False)

    op.create_table('forum_signing_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('private_key', sa.Text(), nullable=False),  # a Fernet token (planner.crypto.EncryptedText)
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_forum_signing_keys_forum_id_forums'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_signing_keys'))
    )
    with op.batch_alter_table('forum_signing_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_signing_keys_forum_id'), ['forum_id'], unique=False)

    op.create_table('zones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('translations', sa.JSON(), server_default='{}', nullable=False),
    sa.Column('categories', sa.JSON(), server_default='[]', nullable=False),
    sa.CheckConstraint("name <> ''", name=op.f('ck_zones_name_not_empty')),
    sa.CheckConstraint('number BETWEEN 1 AND 255', name=op.f('ck_zones_number_in_a_byte')),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_zones_forum_id_forums'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zones')),
    sa.UniqueConstraint('forum_id', 'name', name=op.f('uq_zones_forum_id_name')),
    sa.UniqueConstraint('forum_id', 'number', name=op.f('uq_zones_forum_id_number'))
    )
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zones_forum_id'), ['forum_id'], unique=False)

    op.create_table('zone_events',
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_zone_events_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_zone_events_zone_id_zones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('zone_id', 'event_id', name=op.f('pk_zone_events'))
    )
    with op.batch_alter_table('zone_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zone_events_event_id'), ['event_id'], unique=False)

    op.create_table('badges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('delegate', 'participant', 'press', 'staff', 'security', name='badge_category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('latin_name', sa.String(length=400), nullable=False),
    sa.Column('affiliation', sa.String(length=300), nullable=False),
    sa.Column('function', sa.String(length=200), nullable=False),
    sa.Column('zone_numbers', sa.JSON(), nullable=False),
    sa.Column('signing_key_id', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=300), server_default='', nullable=False),
    sa.CheckConstraint("name <> ''", name=op.f('ck_badges_name_not_empty')),
    sa.CheckConstraint('valid_from < valid_until', name=op.f('ck_badges_validity_in_order')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_badges_version_positive')),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegations.id'], name=op.f('fk_badges_delegation_id_delegations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_badges_forum_id_forums'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_badges_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_badges_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signing_key_id'], ['forum_signing_keys.id'], name=op.f('fk_badges_signing_key_id_forum_signing_keys'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_badges_registration_id_registrations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badges')),
    sa.UniqueConstraint('forum_id', 'number', name=op.f('uq_badges_forum_id_number'))
    )
    with op.batch_alter_table('badges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badges_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_badges_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_badges_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_badges_signing_key_id'), ['signing_key_id'], unique=False)
        batch_op.create_index('uq_badges_member', ['forum_id', 'delegation_id', 'person_id'], unique=True, postgresql_where=sa.text('person_id IS NOT NULL'), sqlite_where=sa.text('person_id IS NOT NULL'))
        batch_op.create_index('uq_badges_registration', ['registration_id'], unique=True, postgresql_where=sa.text('registration_id IS NOT NULL'), sqlite_where=sa.text('registration_id IS NOT NULL'))

    op.create_table('scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('scan_uuid', sa.String(length=64), nullable=False),
    sa.Column('device', sa.String(length=64), nullable=False),
    sa.Column('scanned_by_id', sa.Integer(), nullable=True),
    sa.Column('badge_id', sa.Integer(), nullable=True),
    sa.Column('badge_version', sa.Integer(), nullable=True),
    sa.Column('zone_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('admitted', 'duplicate', 'wrong_zone', 'revoked', 'expired', 'forged', 'unknown_badge', name='scan_outcome', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['badge_id'], ['badges.id'], name=op.f('fk_scans_badge_id_badges'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_scans_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_scans_forum_id_forums'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scanned_by_id'], ['users.id'], name=op.f('fk_scans_scanned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_scans_zone_id_zones'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scans')),
    sa.UniqueConstraint('forum_id', 'scan_uuid', name=op.f('uq_scans_forum_id_scan_uuid'))
    )
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scans_badge_id'), ['badge_id'], unique=False)
        batch_op.create_index('ix_scans_forum_scanned', ['forum_id', 'scanned_at'], unique=False)

    op.create_table('arrivals',
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('first_scan_id', sa.Integer(), nullable=False),
    sa.Column('first_scanned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('device', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['badge_id'], ['badges.id'], name=op.f('fk_arrivals_badge_id_badges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_arrivals_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['first_scan_id'], ['scans.id'], name=op.f('fk_arrivals_first_scan_id_scans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_arrivals_forum_id_forums'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_arrivals_zone_id_zones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('badge_id', 'zone_id', name=op.f('pk_arrivals'))
    )
    with op.batch_alter_table('arrivals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrivals_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_arrivals_zone_id'), ['zone_id'], unique=False)

    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required_zone_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_rooms_required_zone_id'), ['required_zone_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_rooms_required_zone_id_zones'), 'zones', ['required_zone_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rooms_required_zone_id_zones'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_rooms_required_zone_id'))
        batch_op.drop_column('required_zone_id')

    with op.batch_alter_table('arrivals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arrivals_zone_id'))
        batch_op.drop_index(batch_op.f('ix_arrivals_forum_id'))

    op.drop_table('arrivals')
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_index('ix_scans_forum_scanned')
        batch_op.drop_index(batch_op.f('ix_scans_badge_id'))

    op.drop_table('scans')
    with op.batch_alter_table('badges', schema=None) as batch_op:
        batch_op.drop_index('uq_badges_registration', postgresql_where=sa.text('registration_id IS NOT NULL'), sqlite_where=sa.text('registration_id IS NOT NULL'))
        batch_op.drop_index('uq_badges_member', postgresql_where=sa.text('person_id IS NOT NULL'), sqlite_where=sa.text('person_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_badges_signing_key_id'))
        batch_op.drop_index(batch_op.f('ix_badges_person_id'))
        batch_op.drop_index(batch_op.f('ix_badges_forum_id'))
        batch_op.drop_index(batch_op.f('ix_badges_delegation_id'))

    op.drop_table('badges')
    with op.batch_alter_table('zone_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zone_events_event_id'))

    op.drop_table('zone_events')
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zones_forum_id'))

    op.drop_table('zones')
    with op.batch_alter_table('forum_signing_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_signing_keys_forum_id'))

    op.drop_table('forum_signing_keys')
    with op.batch_alter_table('forum_scanners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_scanners_user_id'))

    op.drop_table('forum_scanners')
