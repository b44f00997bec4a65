"""Calendar invitations for bilaterals: one iTIP REQUEST (or CANCEL) per participant, by
mail in their language. The UID is the bilateral's; SEQUENCE and DTSTAMP go up with every
message to the same person (``calendar.invites.next_message``), so a cancelled bilateral
leaves their calendar and a bilateral placed again comes back."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from flask import url_for
from flask_babel import gettext as _

from planner.accounts.services import language_of
from planner.bilaterals.models import Bilateral, BilateralSlot
from planner.calendar import ical, invites, services
from planner.db import utcnow
from planner.formatting import clock, clock_zoned, medium_date
from planner.mail.services import queue_email, written_in
from planner.translated import localized

if TYPE_CHECKING:
    from planner.forums.models import Forum, Room

REQUEST, CANCEL = invites.REQUEST, invites.CANCEL


def bilateral_uid(bilateral_id: int) -> str:
    return f"bilateral-{bilateral_id}@{services.uid_domain()}"


def title_of(bilateral: Bilateral) -> str:
    return _("Bilateral: %(first)s and %(second)s", first=bilateral.requester.name, second=bilateral.requested.name)


def when_of(slot: BilateralSlot, forum: Forum) -> str:
    """A slot's day and times in the forum's timezone: "3 Mar 2018, 10:00–10:30 JST"."""
    return f"{medium_date(slot.day, forum)}, {clock(slot.starts_at, forum)}–{clock_zoned(slot.ends_at, forum)}"


def entry_of(bilateral: Bilateral, place: tuple[BilateralSlot, Room] | None = None) -> ical.Entry:
    """The bilateral as a VEVENT, in the current language (the recipient's), at its place
    (or at ``place``, the one it just left)."""
    slot, room = place or (bilateral.slot, bilateral.room)
    assert slot is not None and room is not None
    forum = bilateral.forum
    return ical.Entry(
        uid=bilateral_uid(bilateral.id),
        sequence=bilateral.revision,
        cancelled=False,
        summary=title_of(bilateral),
        description=bilateral.topic,
        location=ical.location_of(localized(room, "name"), localized(room.venue, "name")),
        url=url_for("bilaterals.bilateral", slug=forum.slug, bilateral_id=bilateral.id, _external=True),
        categories=("BILATERAL",),
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        timezone=forum.timezone,
        last_modified=bilateral.updated_at,
    )


def send(
    bilateral: Bilateral,
    method: str,
    now: dt.datetime | None = None,
    place: tuple[BilateralSlot, Room] | None = None,
) -> int:
    """Queue the invitation (REQUEST) or its cancellation (CANCEL) to every participant of
    both delegations who has an address; how many were queued."""
    now = now or utcnow()
    forum = bilateral.forum
    slot = place[0] if place else bilateral.slot
    assert slot is not None
    sent = 0
    for participant in bilateral.participants:
        person = participant.person
        if not person.email:
            continue
        with written_in(language_of(person.email)):
            entry = entry_of(bilateral, place)
            numbered = invites.next_message(person.email, entry.uid, method, bilateral.revision, now)
            text = ical.itip(
                method,
                entry,
                invites.organizer_of(forum),
                ical.Attendee(person.email, person.name),
                numbered.stamp,
                numbered.sequence,
            )
            subject = (
                _("Bilateral meeting: %(title)s", title=entry.summary)
                if method == REQUEST
                else _("Cancelled: %(title)s", title=entry.summary)
            )
            queue_email(
                person.email,
                "bilaterals/scheduled" if method == REQUEST else "bilaterals/cancelled",
                subject=subject[:300],
                forum_id=forum.id,
                attachment=(invites.content_type(method), text),
                name=person.name,
                title=entry.summary,
                topic=bilateral.topic,
                place=entry.location,
                when=when_of(slot, forum),
                forum=forum.name,
                link=entry.url,
            )
        sent += 1
    return sent
