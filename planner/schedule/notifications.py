"""Telling delegates that a session on their personal agenda changed."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from planner.accounts.models import User
from planner.calendar.feeds import session_url_prefix
from planner.calendar.invites import session_change_invite
from planner.extensions import db
from planner.mail.models import OutboxMessage
from planner.mail.services import queue_email
from planner.registration.models import AgendaItem, Registration, RegistrationStatus
from planner.schedule.history import describe_changes
from planner.schedule.models import Session
from planner.translated import localized


def affected_delegates(session: Session) -> list[User]:
    """People confirmed for the session's event who picked it for their agenda (one query)."""
    return list(
        db.session.scalars(
            select(User)
            .join(AgendaItem, AgendaItem.user_id == User.id)
            .join(Registration, (Registration.user_id == User.id) & (Registration.event_id == session.event_id))
            .where(AgendaItem.session_id == session.id, Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(User.id)
        )
    )


def announce_session_change(
    session: Session, changes: dict[str, tuple[Any, Any]], visibility_changed: bool = False
) -> list[OutboxMessage]:
    """One email per affected delegate, in the caller's transaction and in the delegate's
    language, saying what changed.

    ``changes`` is ``versions.changed_attributes(session)`` taken before the flush;
    ``visibility_changed``: the session was closed to the public or opened again. Each email
    carries the iTIP update of the session (same UID, a higher SEQUENCE; CANCEL once it is
    cancelled or closed, since it leaves the delegate's agenda then), so calendar clients
    move, strike or bring back what they show. A change to a closed session is told to
    nobody: its pickers were sent a CANCEL when it closed.
    """
    if not changes and not visibility_changed:
        return []
    if not session.is_public and not visibility_changed:
        return []
    forum = session.event.forum
    prefix = session_url_prefix()
    link = f"{prefix}{session.id}" if prefix else None
    lines_in: dict[str, list[str]] = {}  # the changes in each language, worded once
    messages = []
    for user in affected_delegates(session):
        language = user.language or "en"
        with force_locale(language):
            if language not in lines_in:
                lines_in[language] = describe_changes(session, changes) + _visibility_lines(session, visibility_changed)
            messages.append(
                queue_email(
                    user.email,
                    "schedule/session_changed",
                    subject=_("Changed: %(title)s (%(forum)s)", title=localized(session, "title"), forum=forum.name)[
                        :300
                    ],
                    forum_id=forum.id,
                    attachment=session_change_invite(session, user.email, user.name),
                    name=user.name,
                    title=localized(session, "title"),
                    forum=forum.name,
                    event=session.event.code,
                    changes=lines_in[language],
                    link=link,
                    revision=session.revision,
                )
            )
    return messages


def _visibility_lines(session: Session, visibility_changed: bool) -> list[str]:
    if not visibility_changed:
        return []
    if session.is_public:
        return [_("It is in the public programme again, and back in your calendar.")]
    return [_("It is no longer in the public programme, and leaves your calendar.")]
