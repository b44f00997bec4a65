"""The organisers' webhooks page: adding (the secret shown once), bad input refused with the
reason, pausing, resuming, a new secret, a test, deleting; audited without the secret."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.webhooks import services
from planner.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.conftest import sign_in
from tests.factories import committed, make_forum, make_organiser, make_programme

URL = "https://127.0.0.1:8443/hooks"
PAGE = "/forums/isef2/manage/webhooks"


@pytest.fixture
def programme(app):
    with committed(app):
        return make_programme()


@pytest.fixture
def organiser_client(client, programme):
    sign_in(client, programme.organiser)
    return client


def add(client, **overrides):
    data = {"url": URL, "description": "Ministry site", "events": ["registration.created", "session.moved"]}
    data.update(overrides)
    return client.post(PAGE, data=data)


def endpoints(app) -> list[WebhookEndpoint]:
    with app.app_context():
        return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def audit(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("webhook.%"))))


def secret_on(page: str) -> str:
    start = page.index('id="new-secret" value="') + len('id="new-secret" value="')
    return page[start : page.index('"', start)]


def test_the_page_documents_the_signature_and_is_linked_from_the_hub(organiser_client):
    page = organiser_client.get(PAGE).get_data(as_text=True)
    assert "Planner-Signature" in page and "HMAC-SHA256" in page and "No webhooks yet." in page
    assert PAGE in organiser_client.get("/forums/isef2/manage/").get_data(as_text=True)


def test_an_endpoint_is_added_and_its_secret_shown_once_and_kept_encrypted(app, organiser_client):
    response = add(organiser_client)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    secret = secret_on(page)
    assert secret.startswith("whsec_")
    (endpoint,) = endpoints(app)
    assert endpoint.url == URL and endpoint.events == ["registration.created", "session.moved"]
    assert endpoint.is_active and endpoint.secret == secret and endpoint.description == "Ministry site"
    with app.app_context():
        stored = db.session.execute(text("SELECT secret FROM webhook_endpoints")).scalar_one()
    assert secret not in stored
    later = organiser_client.get(PAGE).get_data(as_text=True)
    assert secret not in later and URL in later
    (entry,) = audit(app)
    assert entry.action == "webhook.added" and entry.after["url"] == URL
    assert secret not in str((entry.summary, entry.before, entry.after))


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"url": "http://example.org/hooks"}, "https only"),
        ({"url": "example.org/hooks"}, "not a web address"),
        ({"url": "not a url"}, "no spaces"),
        ({"url": "https://"}, "names no host"),
        ({"url": ""}, "Give the https address to send to."),
        ({"url": "https://example.org/" + "a" * 500}, "500 characters"),
        ({"description": "x" * 201}, "200 characters"),
        ({"events": []}, "Choose at least one event"),
        ({"events": ["ping"]}, "valid choice"),
        ({"url": "https://example.org/\x00"}, "control characters"),
    ],
)
def test_bad_input_is_refused_with_the_reason(app, organiser_client, overrides, message):
    response = add(organiser_client, **overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert endpoints(app) == [] and audit(app) == []


def test_a_private_address_is_refused_when_not_allowed(app, organiser_client):
    app.config["WEBHOOKS_ALLOW_PRIVATE_ADDRESSES"] = False
    response = add(organiser_client, url="https://192.168.1.10/hooks")
    assert response.status_code == 422
    assert "private, loopback or link-local" in response.get_data(as_text=True)
    assert endpoints(app) == []


def test_pause_resume_new_secret_test_and_delete(app, organiser_client):
    first = secret_on(add(organiser_client).get_data(as_text=True))
    (endpoint,) = endpoints(app)
    base = f"{PAGE}/{endpoint.id}"
    assert organiser_client.post(f"{base}/pause").status_code == 302
    assert not endpoints(app)[0].is_active
    refused = organiser_client.post(f"{base}/test", follow_redirects=True)
    assert "paused" in refused.get_data(as_text=True)
    assert organiser_client.post(f"{base}/resume").status_code == 302
    assert endpoints(app)[0].is_active
    renewed = organiser_client.post(f"{base}/secret")
    assert renewed.status_code == 200
    second = secret_on(renewed.get_data(as_text=True))
    assert second != first and endpoints(app)[0].secret == second
    page = organiser_client.post(f"{base}/test", follow_redirects=True).get_data(as_text=True)
    assert "ping" in page and "waiting" in page
    with app.app_context():
        (ping,) = db.session.scalars(select(WebhookDelivery)).all()
        assert ping.event == "ping" and ping.status is DeliveryStatus.PENDING
    assert organiser_client.post(f"{base}/delete").status_code == 302
    assert endpoints(app) == []
    with app.app_context():
        assert db.session.scalars(select(WebhookDelivery)).all() == []  # its deliveries with it
    actions = [entry.action for entry in audit(app)]
    assert actions == ["webhook.added", "webhook.paused", "webhook.resumed", "webhook.new_secret", "webhook.deleted"]
    for entry in audit(app):
        assert first not in str((entry.before, entry.after)) and second not in str((entry.before, entry.after))


def test_another_forums_endpoint_is_not_found(app, organiser_client):
    with committed(app):
        other = make_forum(slug="other")
        endpoint, _secret = services.add_endpoint(
            make_organiser(other), other, url=URL, description="", events=["registration.created"]
        )
    for action in ("pause", "resume", "secret", "delete", "test"):
        assert organiser_client.post(f"{PAGE}/{endpoint.id}/{action}").status_code == 404
    assert endpoints(app)[0].is_active and audit(app)[-1].action == "webhook.added"


def test_the_forms_need_their_csrf_token(app, organiser_client):
    app.config["WTF_CSRF_ENABLED"] = True
    assert add(organiser_client).status_code == 400
    assert endpoints(app) == []
