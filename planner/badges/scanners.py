"""The scanner role: staff at the doors who scan badges. They read the roster a scanner needs
(names, photos and delegations of badge holders) and send scans; nothing else of the forum."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import exists, select

from planner.accounts.models import User
from planner.accounts.permissions import is_organiser, require_organiser
from planner.accounts.services import AppointmentError, appointable_user
from planner.accreditation.models import MemberPhoto
from planner.audit.services import record
from planner.badges import issuing, signing, zones
from planner.badges.models import Arrival, Badge, ForumScanner, Zone
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import lock_forum, require_not_archived
from planner.mail.services import queue_email, written_in
from planner.refusals import NotAllowed
from planner.storage import MissingFile, file_store
from planner.translated import localized

_ANSWERS = "planner_is_scanner"


def is_scanner(user: User | None, forum: Forum) -> bool:
    """Staff appointed to scan at the forum's doors; organisers (and administrators) may too."""
    if user is None or getattr(user, "is_anonymous", True) or not user.is_active:
        return False
    # Asked once a unit of work: the sync's view and its rule both ask (appointing and removing
    # forget the answer).
    answers = db.session.info.setdefault(_ANSWERS, {})
    key = (user.id, forum.id)
    if key not in answers:
        # The role first: door staff, who sync all day, cost one query, not two.
        answers[key] = bool(
            db.session.scalar(
                select(exists().where(ForumScanner.forum_id == forum.id, ForumScanner.user_id == user.id))
            )
        ) or is_organiser(user, forum)
    return bool(answers[key])


def _forget(forum: Forum, user_id: int) -> None:
    db.session.info.get(_ANSWERS, {}).pop((user_id, forum.id), None)


def require_scanner(user: User | None, forum: Forum) -> None:
    if not is_scanner(user, forum):
        raise NotAllowed(_("Only the staff who scan badges at %(forum)s can do this.", forum=forum.name))


def scanners_of(forum: Forum) -> list[ForumScanner]:
    """The forum's scanning staff, by name."""
    return list(
        db.session.scalars(
            select(ForumScanner)
            .join(ForumScanner.user)
            .where(ForumScanner.forum_id == forum.id)
            .order_by(User.name, User.email)
        )
    )


def appoint_scanner(actor: User, forum: Forum, email: str) -> ForumScanner:
    """Give the confirmed account at ``email`` the scanner role at the forum (organisers only;
    not for an archived forum, whose doors are closed). Audited; the person is told by email."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    user = appointable_user(email)
    lock_forum(forum)  # two organisers appointing the same person at once: the second is told
    if db.session.get(ForumScanner, (forum.id, user.id)) is not None:
        raise AppointmentError(_("%(name)s already scans badges at this forum.", name=user.name))
    appointment = ForumScanner(forum_id=forum.id, user_id=user.id, appointed_by_id=actor.id)
    appointment.user = user
    db.session.add(appointment)
    _forget(forum, appointment.user_id)
    record(
        actor,
        "scanner.appointed",
        forum_id=forum.id,
        target=("user", user.id),
        summary=_("%(name)s appointed to scan badges", name=user.name),
        after={"email": user.email},
    )
    with written_in(user.language):
        queue_email(
            user.email,
            "badges/scanner_appointed",
            subject=_("You scan badges at %(forum)s", forum=forum.name),
            forum_id=forum.id,
            name=user.name,
            forum=forum.name,
            link=url_for("badges.scanner", slug=forum.slug, _external=True),
        )
    db.session.flush()
    return appointment


def remove_scanner(actor: User, forum: Forum, user_id: int) -> User:
    """Take the scanner role away (organisers only, also once the forum is archived): the
    person's next sync and their next copy of the roster are refused. Returns who it was."""
    require_organiser(actor, forum)
    appointment = db.session.get(ForumScanner, (forum.id, user_id))
    if appointment is None:
        raise AppointmentError(_("That person does not scan badges at this forum."))
    record(
        actor,
        "scanner.removed",
        forum_id=forum.id,
        target=("user", user_id),
        summary=_("%(name)s no longer scans badges", name=appointment.user.name),
        before={"email": appointment.user.email},
    )
    user = appointment.user
    db.session.delete(appointment)
    _forget(forum, user_id)
    db.session.flush()
    return user


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
