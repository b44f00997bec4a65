"""Two copies of one write, with one Idempotency-Key, arriving at the same moment through a
live server: the decision is made once, and both answers say what the first one did (or the
second is told to try again); never two decisions, never a 500."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import threading
import urllib.parse
import uuid

import pytest
from flask import Flask

from planner.api.models import IdempotentRequest, Scope
from planner.api.tokens import create_token
from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.registration.models import Registration, RegistrationStatus
from tests.factories import committed, current, make_forum, make_policy, make_programme

pytestmark = pytest.mark.commits
COPIES = 4


def test_one_key_sent_at_once_decides_once(app: Flask, live_server: str) -> None:
    with committed(app):
        built = make_programme(
            forum=make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2031, 2, 28), last_day=dt.date(2031, 3, 3))
        )
        make_policy(built.event, approval_required=True, capacity=5)
        person = built.person("ada", name="Ada")
        registration = built.add(
            "ada_registration", Registration(event=built.event, user=person, status=RegistrationStatus.PENDING)
        )
    with app.app_context():
        _, token = create_token(
            current(built.organiser),
            "race",
            [Scope.REGISTRATIONS_WRITE],
            [built.forum.id],
            dt.date.today() + dt.timedelta(days=2),
        )
        db.session.commit()
    target = urllib.parse.urlsplit(live_server)
    key = str(uuid.uuid4())
    barrier = threading.Barrier(COPIES, timeout=10)
    answers: list[tuple[int, dict]] = []

    def send() -> None:
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=20)
        body = json.dumps({"decision": "approve"})
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": "application/json"}
        barrier.wait()
        connection.request("POST", f"/api/v1/forums/isef3/registrations/{registration.id}/decision", body, headers)
        response = connection.getresponse()
        answers.append((response.status, json.loads(response.read())))
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(status for status, _ in answers)
    assert len(statuses) == COPIES and set(statuses) <= {200, 409}, answers
    assert statuses.count(200) >= 1
    assert all(body["status"] == "confirmed" for status, body in answers if status == 200)
    with app.app_context():
        assert db.session.get(Registration, registration.id).status is RegistrationStatus.CONFIRMED
        assert db.session.query(IdempotentRequest).count() == 1
        approvals = db.session.query(AuditEntry).filter(AuditEntry.action == "registration.approved").count()
        assert approvals == 1
