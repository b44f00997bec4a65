"""Organisers pressing "Send certificates" at the same moment: one sends, the others are told
everyone has theirs, and nobody gets two certificates or two messages.

PostgreSQL only: there, without the lock on the forum's row, every request would read the
people present as still waiting (SQLite has a single writer, so the race cannot happen there)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.audit.models import AuditEntry
from planner.certificates import services
from planner.certificates.models import Certificate
from planner.extensions import db
from planner.forums.models import Event
from planner.mail.models import OutboxMessage
from tests.badges.helpers import DURING
from tests.certificates.helpers import check_in, make_certificate_scene
from tests.factories import committed, make_organiser

ORGANISERS = 4


@pytest.mark.commits
@pytest.mark.postgresql
def test_simultaneous_sends_issue_each_certificate_once(app):
    with committed(app):
        scene = make_certificate_scene()
        check_in(scene.delegate, scene.plenary, DURING)
        check_in(scene.other_delegate, scene.plenary, DURING)
        organisers = [make_organiser(scene.forum).id for _ in range(ORGANISERS)]
        event_id = scene.ministerial.id
    barrier = threading.Barrier(ORGANISERS, timeout=10)

    def send(n: int) -> str:
        with app.test_request_context():
            event = db.session.get_one(Event, event_id)
            user = db.session.get_one(User, organisers[n])
            barrier.wait()
            try:
                services.send_certificates(user, event)
            except services.CertificateError:
                db.session.rollback()
                return "refused"
            db.session.commit()
            return "sent"

    with ThreadPoolExecutor(ORGANISERS) as pool:
        outcomes = sorted(pool.map(send, range(ORGANISERS)))
    assert outcomes == ["refused"] * (ORGANISERS - 1) + ["sent"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


@pytest.mark.commits
@pytest.mark.postgresql
def test_simultaneous_revocations_revoke_once(app):
    with committed(app):
        scene = make_certificate_scene()
        check_in(scene.delegate, scene.plenary, DURING)
        organisers = [make_organiser(scene.forum).id for _ in range(ORGANISERS)]
        organiser_id, event_id = scene.organiser.id, scene.ministerial.id
    with app.test_request_context():
        user, event = db.session.get_one(User, organiser_id), db.session.get_one(Event, event_id)
        (certificate,) = services.send_certificates(user, event).issued
        db.session.commit()
        certificate_id = certificate.id
    barrier = threading.Barrier(ORGANISERS, timeout=10)

    def revoke(n: int) -> str:
        with app.test_request_context():
            found = db.session.get_one(Certificate, certificate_id)
            user = db.session.get_one(User, organisers[n])
            barrier.wait()
            try:
                services.revoke(user, found, f"Wrong person ({n}).")
            except services.CertificateError:
                db.session.rollback()
                return "refused"
            db.session.commit()
            return "revoked"

    with ThreadPoolExecutor(ORGANISERS) as pool:
        outcomes = sorted(pool.map(revoke, range(ORGANISERS)))
    assert outcomes == ["refused"] * (ORGANISERS - 1) + ["revoked"]
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "certificate.revoked")
            )
            == 1
        )
