from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from planner.accounts.models import User
from planner.registration.models import RegistrationPolicy
from planner.webhooks import services
from planner.webhooks.models import SUBSCRIBABLE, WebhookEndpoint
from tests.factories import Programme, committed, make_plenary_and_panel, make_policy, make_user
from tests.webhooks.receiver import Receiver, running_receiver


@pytest.fixture
def receiver(app: Flask, tmp_path: Path) -> Iterator[Receiver]:
    """A running receiver whose certificate the sender trusts (WEBHOOKS_CA_FILE)."""
    with running_receiver(tmp_path) as (running, certificate):
        app.config["WEBHOOKS_CA_FILE"] = str(certificate)
        yield running


@dataclass
class Setting:
    programme: Programme
    policy: RegistrationPolicy
    delegate: User
    endpoint: WebhookEndpoint


@pytest.fixture
def setting(app: Flask, receiver: Receiver) -> Setting:
    """ISEF2's plenary and panel, registration with approval, and an endpoint of the forum at
    the receiver subscribed to every event (the receiver knows its secret)."""
    with committed(app):
        programme = make_plenary_and_panel()
        policy = make_policy(programme.event, approval_required=True)
        delegate = make_user(name="Aiko Tanaka", email="aiko@example.org")
        endpoint, secret = services.add_endpoint(
            programme.organiser,
            programme.forum,
            url=receiver.url,
            description="Ministry site",
            events=[str(event) for event in SUBSCRIBABLE],
        )
    receiver.secret = secret
    return Setting(programme, policy, delegate, endpoint)
