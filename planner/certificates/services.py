"""Issuing certificates of attendance and sending them, a person's own certificates, and their PDF.

The organisers send an event's certificates in one step: everyone present (checked in, or
marked present) who has none yet gets one, numbered in the forum's sequence (``ISEF2-C-0001``,
under a lock on the forum's row), and one message in their language with the link to their
page. Pressing the button again sends only to those who have come to be present since: a
certificate (and its message) is issued once a person and event, which a unique index backs up.

A certificate issued by mistake is revoked, with the organisers' reason: the verification page
then says it was revoked and when, and it no longer downloads. Someone still present after that
(the certificate was wrong, not their attendance) is issued a new one by the next sending.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.certificates import certificate_pdf, verification
from planner.certificates.attendance import Attendee, attendees, require_started
from planner.certificates.models import Certificate
from planner.counters import changed
from planner.db import table_of, utcnow
from planner.delegations.models import Person
from planner.extensions import db
from planner.forums.models import Event, Forum
from planner.forums.services import lock_forum, require_not_archived
from planner.mail.services import queue_email, written_in
from planner.refusals import Refused
from planner.statements.rendering import find_font
from planner.translated import localized
from planner.validators import has_control_characters

#: The longest reason for a revocation.
REASON_MAX = 500


class CertificateError(Refused):
    """A sending or download the rules refuse, with a message for the person."""


def reference_for(forum: Forum, sequence: int) -> str:
    return f"{forum.slug.upper()}-C-{sequence:04d}"


def event_days(event: Event) -> tuple[dt.date, dt.date]:
    """The event's first and last day in the forum's timezone (one ending at midnight ends the day before)."""
    zone = event.forum.zone
    last = (event.ends_at.astimezone(zone) - dt.timedelta(microseconds=1)).date()
    return event.starts_at.astimezone(zone).date(), last


@dataclass
class Sent:
    issued: list[Certificate] = field(default_factory=list)
    without_address: list[str] = field(default_factory=list)  # names: issued, but nobody to mail


def _languages_by_address(emails: list[str]) -> dict[str, str]:
    """The language of the accounts at these addresses, in one query (a delegate is a person,
    not an account; their account, if they have one, has their language)."""
    if not emails:
        return {}
    return dict(
        db.session.execute(
            select(User.email, User.language).where(User.email.in_(emails), User.deleted_at.is_(None))
        ).all()
    )


def _language_for(attendee: Attendee, known: dict[str, str], forum: Forum) -> str:
    offered = current_app.config["LANGUAGES"]
    for language in (attendee.language, known.get(attendee.email or ""), forum.first_language):
        if language is not None and language in offered:
            return language
    return str(offered[0])


def send_certificates(actor: User, event: Event) -> Sent:
    """Issue a certificate to everyone present at ``event`` who has none, and mail each of
    them once. Refused in an archived forum, before the event has started, when nobody is
    present, or when everyone present has theirs."""
    forum = event.forum
    require_organiser(actor, forum)
    require_not_archived(forum)  # its record is closed, as its attendance marks are
    require_started(event)
    lock_forum(forum)  # two organisers pressing at once: the second sees the first's certificates
    everyone = attendees(actor, event)
    present = [a for a in everyone if a.present]
    if not present:
        raise CertificateError(
            _("Nobody has attended %(event)s yet: no one has checked in or been marked present.", event=event.code)
        )
    waiting = [a for a in present if a.certificate is None]
    if not waiting:
        raise CertificateError(
            _("Everyone present at %(event)s has their certificate already: nothing was sent.", event=event.code)
        )
    highest = db.session.scalar(
        select(func.max(Certificate.sequence))
        .join(Event, Event.id == Certificate.event_id)
        .where(Event.forum_id == forum.id)
    )
    known = _languages_by_address([a.email for a in waiting if a.email and a.person_id is not None])
    first_day, last_day = event_days(event)
    sent = Sent()
    for number, attendee in enumerate(waiting, start=(highest or 0) + 1):
        language = _language_for(attendee, known, forum)
        salt = verification.new_salt()
        certificate = Certificate(
            event_id=event.id,
            user_id=attendee.user_id,
            person_id=attendee.person_id,
            sequence=number,
            reference=reference_for(forum, number),
            code_salt=salt,
            code_hash=verification.code_hash(verification.code_for(salt)),
            language=language,
            name=attendee.name[:400],
            affiliation=attendee.affiliation(language)[:300],
            forum_name=localized(forum, "name", language)[:300],
            event_title=localized(event, "title", language)[:300],
            first_day=first_day,
            last_day=last_day,
            issued_by_id=actor.id,
        )
        attendee.certificate = certificate
        sent.issued.append(certificate)
    try:
        with db.session.begin_nested():
            db.session.add_all(sent.issued)
            db.session.flush()
    except IntegrityError:
        raise CertificateError(
            _("Another organiser sent these certificates at the same moment. Please look at the list again.")
        ) from None
    for attendee in waiting:
        assert attendee.certificate is not None
        if attendee.email:
            _mail(attendee.certificate, attendee.email, event)
        else:
            sent.without_address.append(attendee.name)
    record(
        actor,
        "certificates.sent",
        forum_id=forum.id,
        target=("event", event.id),
        summary=_(
            "Certificates of attendance of %(event)s issued: %(references)s",
            event=event.code,
            references=", ".join(c.reference for c in sent.issued),
        ),
        after={"issued": len(sent.issued)},
    )
    return sent


def _mail(certificate: Certificate, to: str, event: Event) -> None:
    with written_in(certificate.language):
        queue_email(
            to,
            "certificates/certificate_issued",
            subject=_("Your certificate of attendance: %(event)s", event=certificate.event_title),
            forum_id=event.forum_id,
            name=certificate.name,
            event=certificate.event_title,
            forum=certificate.forum_name,
            reference=certificate.reference,
            link=url_for("certificates.my_certificates", _external=True),
        )


# --- revoking -------------------------------------------------------------------------------


def _checked_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise CertificateError(_("Say why the certificate is revoked."), field="reason")
    if len(reason) > REASON_MAX:
        raise CertificateError(_("Say why in at most %(max)d characters.", max=REASON_MAX), field="reason")
    if has_control_characters(reason):
        raise CertificateError(_("Remove control characters or characters that could not be read."), field="reason")
    return reason


def revoke(actor: User, certificate: Certificate, reason: str) -> None:
    """Revoke a certificate issued by mistake, saying why (kept for the organisers, not in the
    audit log, which has the reference only): the event's organisers, not on an archived forum,
    once. The attendance behind it is left as it is."""
    forum = certificate.event.forum
    require_organiser(actor, forum)
    require_not_archived(forum)
    reason = _checked_reason(reason)
    already = CertificateError(_("Certificate %(reference)s is revoked already.", reference=certificate.reference))
    if certificate.revoked_at is not None:
        raise already
    certificates = table_of(Certificate)
    # Of two organisers revoking at once, one does; the other is told.
    if not changed(
        update(certificates)
        .where(certificates.c.id == certificate.id, certificates.c.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_by_id=actor.id, revocation_reason=reason)
    ):
        db.session.refresh(certificate)
        raise already
    db.session.refresh(certificate)
    record(
        actor,
        "certificate.revoked",
        forum_id=forum.id,
        target=("certificate", certificate.id),
        summary=_(
            "Certificate of attendance %(reference)s of %(event)s revoked",
            reference=certificate.reference,
            event=certificate.event.code,
        ),
        before={"revoked": False},
        after={"revoked": True, "reference": certificate.reference},
    )


# --- a person's own -------------------------------------------------------------------------


def _theirs(user: User):  # noqa: ANN202  (a SQL condition)
    """Certificates of the account's registrations, and of the delegate with the account's
    address, once the account has shown it holds that address."""
    conditions = [Certificate.user_id == user.id]
    if user.email_verified_at is not None:
        conditions.append(Certificate.person_id.in_(select(Person.id).where(Person.email == user.email)))
    return or_(*conditions)


def certificates_of(user: User) -> list[Certificate]:
    """The account's certificates, the latest event first."""
    return list(
        db.session.scalars(
            select(Certificate).where(_theirs(user)).order_by(Certificate.first_day.desc(), Certificate.id.desc())
        )
    )


def certificate_of(user: User, certificate_id: int) -> Certificate | None:
    """The account's certificate with this id; None for anyone else's, as for none."""
    return db.session.scalar(select(Certificate).where(Certificate.id == certificate_id, _theirs(user)))


def pdf_of(certificate: Certificate) -> bytes:
    """The certificate as PDF, in its language, made now with the code it was issued with; a
    revoked one is not printed."""
    if certificate.revoked_at is not None:
        raise CertificateError(
            _("Certificate %(reference)s was revoked: it can no longer be downloaded.", reference=certificate.reference)
        )
    code = verification.code_for(certificate.code_salt)
    if verification.code_hash(code) != certificate.code_hash:
        # The site's secret key changed since: this code would not verify, so it is not printed.
        raise CertificateError(
            _(
                "This certificate can no longer be printed with its code. Please ask the organisers of %(forum)s.",
                forum=certificate.forum_name,
            )
        )
    forum = certificate.event.forum
    with force_locale(certificate.language):
        words = certificate_pdf.content(
            forum, certificate, code, url_for("certificates.verify_certificate", _external=True)
        )
    return certificate_pdf.pdf_bytes(words, find_font(current_app.config.get("STATEMENTS_PDF_FONT")))
