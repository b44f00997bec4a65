"""Print runs: the badges of a forum (or of one event) as one PDF, and a single badge's PDF.

What is printed is what the badge keeps (its name, delegation, function, zones and dates as
issued), with the holder's photo from the file store and the QR code signed with the badge's own
key. Revoked and lapsed badges are left out, and so are badges whose key was retired: they must
be reprinted first, which makes a new version signed with the current key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.accreditation.models import MemberPhoto
from planner.audit.services import record
from planner.badges import issuing, signing, zones
from planner.badges.models import Badge, BadgeCategory, ForumSigningKey
from planner.badges.printing import LAYOUTS, BadgeFace, render_badges
from planner.extensions import db
from planner.formatting import event_dates
from planner.forums.models import Event, EventKind, Forum
from planner.labels import label
from planner.refusals import Refused
from planner.registration.models import Registration
from planner.storage import FileStore, MissingFile, file_store
from planner.translated import localized

#: Categories in the order a print run groups them.
CATEGORY_ORDER = list(BadgeCategory)


class PrintRefused(Refused):
    pass


@dataclass(frozen=True)
class PrintRun:
    pdf: bytes
    printed: int
    left_out: int  # revoked, lapsed, or signed with a retired key


def printable_badges(forum: Forum, event: Event | None = None) -> tuple[list[Badge], int]:
    """The badges a print run prints (of ``event``'s holders, when given) in the order they are
    handed out, by category, then delegation, then name; and how many it leaves out."""
    query = select(Badge).where(Badge.forum_id == forum.id)
    if event is not None:
        if event.kind is EventKind.MINISTERIAL:
            query = query.where(Badge.category == BadgeCategory.DELEGATE)
        else:
            query = query.join(Registration, Registration.id == Badge.registration_id).where(
                Registration.event_id == event.id
            )
    badges = db.session.scalars(query).all()
    live = {key.id for key in signing.verifying_keys(forum)}
    lapsed = issuing.lapsed_badge_ids(forum.id)
    printed = [
        badge for badge in badges if not badge.is_revoked and badge.id not in lapsed and badge.signing_key_id in live
    ]
    printed.sort(
        key=lambda b: (CATEGORY_ORDER.index(b.category), b.affiliation.casefold(), b.name.casefold(), b.number)
    )
    return printed, len(badges) - len(printed)


def faces_of(forum: Forum, badges: Sequence[Badge]) -> list[BadgeFace]:
    """What each badge prints, in a few queries for the whole run."""
    keys = {
        key.id: key for key in db.session.scalars(select(ForumSigningKey).where(ForumSigningKey.forum_id == forum.id))
    }
    zone_names = {zone.number: localized(zone, "name") for zone in zones.zones_of(forum)}
    photos: dict[tuple[int | None, int | None], str] = {
        (photo.delegation_id, photo.person_id): photo.storage_key
        for photo in db.session.scalars(
            select(MemberPhoto)
            .join(
                Badge,
                (Badge.delegation_id == MemberPhoto.delegation_id) & (Badge.person_id == MemberPhoto.person_id),
            )
            .where(Badge.forum_id == forum.id)
        )
    }
    store = file_store()
    title = localized(forum, "title")
    faces = []
    for badge in badges:
        key = keys.get(badge.signing_key_id or 0)
        if key is None:
            raise PrintRefused(_("Badge %(number)s has no key to sign it: reprint it.", number=badge.printed_number))
        faces.append(
            BadgeFace(
                number=badge.printed_number,
                name=badge.name,
                latin_name=badge.latin_name,
                delegation=badge.affiliation,
                function=badge.function,
                category=badge.category.value,
                category_label=label(badge.category),
                zones=[f"{number} {zone_names.get(number, '')}".strip() for number in badge.zone_numbers],
                valid=event_dates(badge.valid_from, badge.valid_until, forum),
                photo=_photo(store, photos.get((badge.delegation_id, badge.person_id))),
                qr=signing.badge_token(badge, key),
                forum_title=title,
            )
        )
    return faces


def _photo(store: FileStore, key: str | None) -> bytes | None:
    if key is None:
        return None
    try:
        return store.get(key)
    except MissingFile:
        return None


def print_run(
    actor: User,
    forum: Forum,
    *,
    layout: str,
    event: Event | None = None,
    font_path: str | None,
    progress: Callable[[int], None] | None = None,
) -> PrintRun:
    """The forum's (or ``event``'s) badges on A4 sheets with cut marks; audited (photos)."""
    require_organiser(actor, forum)
    if layout not in LAYOUTS:
        raise PrintRefused(_("Choose the A6 or the ID-1 card layout."))
    badges, left_out = printable_badges(forum, event)
    if not badges:
        raise PrintRefused(_("There are no badges to print: issue them first."))
    pdf = render_badges(faces_of(forum, badges), layout, sheets=True, font_path=font_path, progress=progress)
    record(
        actor,
        "badges.printed",
        forum_id=forum.id,
        summary=_("%(count)d badges printed", count=len(badges)),
        after={"layout": layout, "event": event.code if event else None, "numbers": [b.number for b in badges]},
    )
    return PrintRun(pdf, len(badges), left_out)


def badge_pdf(actor: User, forum: Forum, badge: Badge, layout: str, font_path: str | None) -> bytes:
    """One badge on a page of its own size; refused for a badge that must not be printed."""
    require_organiser(actor, forum)
    if layout not in LAYOUTS:
        raise PrintRefused(_("Choose the A6 or the ID-1 card layout."))
    if badge.is_revoked or badge.id in issuing.lapsed_badge_ids(forum.id, [badge.id]):
        raise PrintRefused(_("Badge %(number)s is revoked: it is not printed.", number=badge.printed_number))
    if badge.signing_key_id not in {key.id for key in signing.verifying_keys(forum)}:
        raise PrintRefused(
            _("Badge %(number)s was signed with a retired key: reprint it.", number=badge.printed_number)
        )
    pdf = render_badges(faces_of(forum, [badge]), layout, sheets=False, font_path=font_path)
    record(
        actor,
        "badge.printed",
        forum_id=forum.id,
        target=("badge", badge.id),
        summary=_("Badge %(number)s for %(name)s", number=badge.printed_number, name=badge.name),
        after={"layout": layout, "version": badge.version},
    )
    return pdf
