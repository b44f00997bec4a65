"""A webhook's secret is encrypted with the identity keys, and rotated with them."""

from __future__ import annotations

from cryptography.fernet import Fernet
from sqlalchemy import text

from planner import crypto
from planner.accreditation.cli import rotate_identity_keys_command
from planner.extensions import db
from planner.webhooks import services
from tests.accreditation.keys import identity_keys
from tests.factories import committed, make_programme

A, B = crypto.new_key(), crypto.new_key()


def test_rotating_the_identity_keys_re_encrypts_the_webhook_secrets(app):
    with identity_keys(app, A), committed(app):
        programme = make_programme()
        endpoint, secret = services.add_endpoint(
            programme.organiser,
            programme.forum,
            url="https://127.0.0.1:8443/hooks",
            description="",
            events=["registration.created"],
        )
    with identity_keys(app, B, A):
        result = app.test_cli_runner().invoke(rotate_identity_keys_command)
    assert result.exit_code == 0, result.output
    with app.app_context():
        token = db.session.execute(text("SELECT secret FROM webhook_endpoints")).scalar_one()
    assert Fernet(B.encode()).decrypt(token.encode()).decode() == secret
