"""The scanner role: staff at the doors who scan badges. They read the roster a scanner needs
(names, photos and delegations of badge holders) and send scans; nothing else of the forum."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select

from planner.accounts.models import User
from planner.accounts.permissions import is_organiser
from planner.accreditation.models import MemberPhoto
from planner.audit.services import record
from planner.badges import issuing, signing, zones
from planner.badges.models import Arrival, Badge, ForumScanner, Zone
from planner.extensions import db
from planner.forums.models import Forum
from planner.refusals import NotAllowed
from planner.storage import MissingFile, file_store
from planner.translated import localized


def is_scanner(user: User | None, forum: Forum) -> bool:
    """Staff appointed to scan at the forum's doors; organisers (and administrators) may too."""
    if user is None or getattr(user, "is_anonymous", True) or not user.is_active:
        return False
    # The role first: door staff, who sync all day, cost one query, not two.
    if db.session.scalar(select(exists().where(ForumScanner.forum_id == forum.id, ForumScanner.user_id == user.id))):
        return True
    return is_organiser(user, forum)


def require_scanner(user: User | None, forum: Forum) -> None:
    if not is_scanner(user, forum):
        raise NotAllowed(_("Only the staff who scan badges at %(forum)s can do this.", forum=forum.name))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def scanner_bundle(forum: Forum, photo_url: Callable[[int], str]) -> dict[str, Any]:
    """What a scanner needs to judge badges with no network: the forum's public keys, its
    zones and events, the revocations, the roster (who holds which badge, as printed) and
    the arrivals so far. ``photo_url(badge_id)`` names a photo the scanner may fetch. Six
    queries, whatever the number of badges."""
    badges = db.session.scalars(select(Badge).where(Badge.forum_id == forum.id).order_by(Badge.id)).all()
    with_photo = set(
        db.session.execute(
            select(MemberPhoto.delegation_id, MemberPhoto.person_id)
            .join(
                Badge, (Badge.delegation_id == MemberPhoto.delegation_id) & (Badge.person_id == MemberPhoto.person_id)
            )
            .where(Badge.forum_id == forum.id)
        ).all()
    )
    arrivals: dict[str, dict[str, str]] = {}
    for badge_id, number, first_at in db.session.execute(
        select(Arrival.badge_id, Zone.number, Arrival.first_scanned_at)
        .join(Zone, Zone.id == Arrival.zone_id)
        .where(Arrival.forum_id == forum.id)
    ):
        arrivals.setdefault(str(badge_id), {})[str(number)] = _iso(first_at)
    return {
        "forum": {"id": forum.id, "slug": forum.slug, "title": localized(forum, "title"), "timezone": forum.timezone},
        "keys": signing.published_keys(forum),
        "zones": [{"number": zone.number, "name": localized(zone, "name")} for zone in zones.zones_of(forum)],
        "events": [{"code": event.code, "title": localized(event, "title")} for event in forum.events],
        "revocations": {str(badge_id): below for badge_id, below in issuing.revocations(forum.id).items()},
        "roster": {
            str(badge.id): {
                "number": badge.printed_number,
                "name": badge.name,
                "latin": badge.latin_name,
                "delegation": badge.affiliation,
                "function": badge.function,
                "category": badge.category.value,
                "photo": photo_url(badge.id) if (badge.delegation_id, badge.person_id) in with_photo else None,
            }
            for badge in badges
        },
        "arrivals": arrivals,
    }


def bundle_read(actor: User, forum: Forum) -> None:
    """The roster holds names and photos: who took a copy of it goes in the audit log."""
    record(actor, "scanner.roster_read", forum_id=forum.id, summary=_("Scanner's list of badge holders"))


def photo_for_scanner(actor: User, forum: Forum, badge_id: int) -> bytes | None:
    """The JPEG of a badge holder's photo, for the scanner's welcome; None when there is none."""
    require_scanner(actor, forum)
    badge = db.session.get(Badge, badge_id)
    if badge is None or badge.forum_id != forum.id or badge.person_id is None or badge.delegation_id is None:
        return None
    stored = db.session.get(MemberPhoto, (badge.delegation_id, badge.person_id))
    if stored is None:
        return None
    try:
        return file_store().get(stored.storage_key)
    except MissingFile:
        return None
