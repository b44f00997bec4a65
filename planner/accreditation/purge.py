"""The purge of a forum's personal data once its retention period ends: identity records,
photos, the files of credentials letters, visa letters' passport numbers and PDFs, and files
in the store that no record names (left by a crash). People, their participation, the
credentials' and visa letters' registers and endorsements stay.

Rows change in the caller's transaction (Core statements, so that nothing encrypted is read:
the purge works even without the key that wrote it); files are deleted only after the caller
has committed (``delete_files``), so a failed commit leaves every file in place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, delete, func, or_, select, update

from planner.accreditation.models import CredentialsLetter, IdentityDetails, MemberPhoto, VisaLetter
from planner.audit.services import record
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.forums.models import Forum
from planner.storage import FileStore

#: The file store's folders of personal data (the photos, credentials and visa letters' PDFs).
FOLDERS = ("photos", "credentials", "letters")
#: A file younger than this may belong to a request still committing the row that names it.
ORPHAN_GRACE = dt.timedelta(hours=1)

Progress = Callable[[int], None]


def _ignore(steps: int) -> None:
    pass


@dataclass
class ForumPurge:
    """What the purge removes (or removed) of one forum."""

    forum: Forum
    identity_records: int = 0
    photos: int = 0
    credentials_letters: int = 0  # whose file is removed; the row stays as the record
    visa_letters: int = 0  # whose passport number and PDF are removed; the register stays
    files: list[str] = field(default_factory=list)  # keys of stored files
    bytes: int = 0
    # Internal: what the statements aim at, as found.
    photo_keys: list[str] = field(default_factory=list)
    credentials_ids: list[int] = field(default_factory=list)
    visa_ids: list[int] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.identity_records + self.photos + self.credentials_letters + self.visa_letters

    @property
    def is_empty(self) -> bool:
        return self.rows == 0 and not self.files

    @property
    def steps(self) -> int:
        """The progress bar's share: one step a row, one a file."""
        return self.rows + len(self.files)


@dataclass
class OrphanFiles:
    """Files in the store's personal-data folders that no record names."""

    files: list[str] = field(default_factory=list)
    bytes: int = 0


def today_in(forum: Forum, now: dt.datetime) -> dt.date:
    return now.astimezone(forum.zone).date()


def is_due(forum: Forum, today: dt.date) -> bool:
    """Whether the forum's retention period is over on ``today`` (a day in its timezone)."""
    return today > forum.personal_data_kept_until


def forums_due(now: dt.datetime, today: dt.date | None = None, only: Forum | None = None) -> list[Forum]:
    """The forums (or ``only``) whose retention is over: on ``today`` if given, else on the
    day ``now`` is in each forum's timezone."""
    forums = [only] if only is not None else list(db.session.scalars(select(Forum).order_by(Forum.slug)))
    return [forum for forum in forums if is_due(forum, today or today_in(forum, now))]


def _of_forum(column, forum: Forum):  # noqa: ANN001, ANN202 (a column's IN over the forum's delegations)
    return column.in_(select(Delegation.id).where(Delegation.forum_id == forum.id))


def _keys(query: Select) -> list[str]:
    return [key for key in db.session.scalars(query) if key]


def plan_forum(forum: Forum, store: FileStore) -> ForumPurge:
    """What the purge would remove of ``forum``; reads, writes nothing."""
    plan = ForumPurge(forum)
    plan.identity_records = (
        db.session.scalar(
            select(func.count()).select_from(IdentityDetails).where(_of_forum(IdentityDetails.delegation_id, forum))
        )
        or 0
    )
    plan.photo_keys = _keys(select(MemberPhoto.storage_key).where(_of_forum(MemberPhoto.delegation_id, forum)))
    plan.photos = len(plan.photo_keys)
    credentials = db.session.execute(
        select(CredentialsLetter.id, CredentialsLetter.storage_key).where(
            _of_forum(CredentialsLetter.delegation_id, forum), CredentialsLetter.storage_key.is_not(None)
        )
    ).all()
    plan.credentials_ids = [row.id for row in credentials]
    plan.credentials_letters = len(credentials)
    # Only the columns that say whether there is something: the passport number is not decrypted.
    visas = db.session.execute(
        select(VisaLetter.id, VisaLetter.storage_key).where(
            _of_forum(VisaLetter.delegation_id, forum),
            or_(VisaLetter.passport_number.is_not(None), VisaLetter.storage_key.is_not(None)),
        )
    ).all()
    plan.visa_ids = [row.id for row in visas]
    plan.visa_letters = len(visas)
    keys = plan.photo_keys + [row.storage_key for row in credentials] + [row.storage_key for row in visas]
    # A file already gone is nothing to remove (its row still is).
    plan.files = [key for key in keys if key and store.exists(key)]
    plan.bytes = sum(store.size(key) for key in plan.files)
    return plan


def needs_purge(plan: ForumPurge) -> bool:
    """Something to remove, or a forum not yet marked purged (it is marked, and audited, once)."""
    return not plan.is_empty or plan.forum.personal_data_purged_at is None


def referenced_keys() -> set[str]:
    """Every key a record names, in any forum."""
    return set(
        _keys(select(MemberPhoto.storage_key))
        + _keys(select(CredentialsLetter.storage_key))
        + _keys(select(VisaLetter.storage_key))
    )


def find_orphans(store: FileStore, now: dt.datetime) -> OrphanFiles:
    """Files in the personal-data folders that no record names and that are older than
    ``ORPHAN_GRACE`` (a younger one may be an upload whose row is being committed)."""
    named = referenced_keys()
    orphans = OrphanFiles()
    for folder in FOLDERS:
        for key in store.keys(folder):
            stored_at = store.stored_at(key)
            if key in named or stored_at is None or stored_at > now - ORPHAN_GRACE:
                continue
            orphans.files.append(key)
            orphans.bytes += store.size(key)
    return orphans


def _rowcount(statement) -> int:  # noqa: ANN001
    result = db.session.execute(statement, execution_options={"synchronize_session": False})
    return max(result.rowcount, 0)  # type: ignore[attr-defined]


def purge_forum(plan: ForumPurge, now: dt.datetime, progress: Progress = _ignore) -> ForumPurge:
    """Remove what ``plan`` found of its forum's personal data, mark the forum purged and
    audit it (counts only); flushes. The counts become what was removed. Files stay until
    ``delete_files`` after the commit."""
    forum = plan.forum
    plan.identity_records = _rowcount(delete(IdentityDetails).where(_of_forum(IdentityDetails.delegation_id, forum)))
    progress(plan.identity_records)
    if plan.photo_keys:
        plan.photos = _rowcount(delete(MemberPhoto).where(MemberPhoto.storage_key.in_(plan.photo_keys)))
    progress(plan.photos)
    if plan.credentials_ids:
        # The row stays: it is the record that the delegation's credentials were verified, and when.
        plan.credentials_letters = _rowcount(
            update(CredentialsLetter).where(CredentialsLetter.id.in_(plan.credentials_ids)).values(storage_key=None)
        )
    progress(plan.credentials_letters)
    if plan.visa_ids:
        # The register (reference, name, last digits, status) stays: embassies still verify it.
        plan.visa_letters = _rowcount(
            update(VisaLetter).where(VisaLetter.id.in_(plan.visa_ids)).values(passport_number=None, storage_key=None)
        )
    progress(plan.visa_letters)
    forum.personal_data_purged_at = now
    db.session.flush()
    record(
        None,
        "personal_data.purged",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=forum.name,
        after=counts(plan),
    )
    return plan


def counts(plan: ForumPurge) -> dict[str, int]:
    """What the audit entry keeps: numbers, never values."""
    return {
        "identity_records": plan.identity_records,
        "photos": plan.photos,
        "credentials_letters": plan.credentials_letters,
        "visa_letters": plan.visa_letters,
        "files": len(plan.files),
        "bytes": plan.bytes,
    }


def record_orphans(orphans: OrphanFiles) -> None:
    if orphans.files:
        record(
            None,
            "personal_data.orphans_removed",
            after={"files": len(orphans.files), "bytes": orphans.bytes},
        )


def delete_files(store: FileStore, keys: Iterable[str], progress: Progress = _ignore) -> list[str]:
    """Delete the files (after the commit); a file already gone is not an error. The keys of
    those that could not be deleted: nothing names them any more, so the next run's orphan
    sweep takes them."""
    failed = []
    for key in keys:
        try:
            store.delete(key)
        except OSError:
            failed.append(key)
        progress(1)
    return failed


def files_of(plans: Sequence[ForumPurge], orphans: OrphanFiles) -> list[str]:
    return [key for plan in plans for key in plan.files] + orphans.files
