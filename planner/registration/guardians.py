"""Who needs a guardian's consent, and the signed link that asks the guardian for it.

The link carries the registration and a fingerprint of when consent was asked: a new
application asks again and the older links stop working; once the guardian has answered
(or the wait is over) the registration no longer awaits consent and the link is used up.
What the guardian may then do with a valid link is in ``consent``.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from planner.accounts.tokens import fingerprint
from planner.forums.models import Event
from planner.mail.services import queue_email, written_in
from planner.refusals import Refused
from planner.registration.eligibility import is_minor
from planner.registration.models import Registration, RegistrationPolicy
from planner.translated import localized

_SALT = "planner-guardian-consent"
_LONGEST_TOKEN = 1000


class ConsentLinkInvalid(Refused):
    """A guardian's link that cannot be used; ``str(error)`` says why, for the guardian."""


def needs_consent(policy: RegistrationPolicy, event: Event, born: dt.date | None) -> bool:
    """Whether someone born on ``born`` is under the forum's age of majority on the event's
    first day, at an event that asks minors for a guardian's consent. Adults never are."""
    return policy.guardian_required and born is not None and is_minor(event, born)


def wait() -> dt.timedelta:
    return dt.timedelta(days=current_app.config["CONSENT_DAYS"])


def reminder_interval() -> dt.timedelta:
    return dt.timedelta(days=current_app.config["CONSENT_REMINDER_DAYS"])


def deadline_of(registration: Registration) -> dt.datetime | None:
    """When the guardian's answer is due: the application ends without it after that."""
    if registration.consent_requested_at is None:
        return None
    return registration.consent_requested_at + wait()


def _asked(registration: Registration) -> str:
    assert registration.consent_requested_at is not None, "consent was asked"
    return fingerprint(f"{registration.consent_requested_at.timestamp():.6f}")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def link_for(registration: Registration) -> str:
    token = _serializer().dumps({"registration": registration.id, "asked": _asked(registration)})
    return url_for("registration.guardian_consent", token=token, _external=True)


def read_link(token: str) -> tuple[int, str]:
    """The registration id and fingerprint a link names, or ``ConsentLinkInvalid`` saying
    whether it is damaged or too old."""
    try:
        if len(token) > _LONGEST_TOKEN:
            raise BadSignature("too long")
        payload = _serializer().loads(token, max_age=int(wait().total_seconds()))
    except SignatureExpired:
        raise ConsentLinkInvalid(
            _(
                "This consent link has expired: an application waits %(days)d days for a guardian's answer. "
                "The applicant can apply again, and you will receive a new link.",
                days=current_app.config["CONSENT_DAYS"],
            )
        ) from None
    except BadSignature:
        raise ConsentLinkInvalid(
            _("This consent link is not valid: it may have been cut short. Open the link from the email in full.")
        ) from None
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("registration"), int)
        or not isinstance(payload.get("asked"), str)
    ):
        raise ConsentLinkInvalid(_("This consent link is not valid. Open the link from the email in full."))
    return payload["registration"], payload["asked"]


def matches(registration: Registration, asked: str) -> bool:
    return registration.consent_requested_at is not None and asked == _asked(registration)


def ask(registration: Registration, reminder: bool = False) -> None:
    """Email the guardian the link to the application, in the applicant's language."""
    user, event = registration.user, registration.event
    deadline = deadline_of(registration)
    assert deadline is not None, "consent was asked"
    with written_in(user.language):
        subject = (
            _(
                "Reminder: %(name)s asks for your consent to take part in %(event)s",
                name=user.name,
                event=localized(event, "title"),
            )
            if reminder
            else _(
                "%(name)s asks for your consent to take part in %(event)s",
                name=user.name,
                event=localized(event, "title"),
            )
        )
        queue_email(
            registration.guardian_email,
            "registration/consent_request",
            subject=subject,
            forum_id=event.forum_id,
            guardian=registration.guardian_name,
            applicant=user.name,
            event=localized(event, "title"),
            forum=event.forum.name,
            deadline=deadline.astimezone(event.forum.zone).strftime("%Y-%m-%d %H:%M"),
            timezone=event.forum.timezone,
            reminder=reminder,
            link=link_for(registration),
        )
