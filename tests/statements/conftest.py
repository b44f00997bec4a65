"""The forum, people and delegations the record's tests share."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.factories import committed
from tests.statements.helpers import World, build_world


@pytest.fixture
def world(app: Flask) -> World:
    with committed(app):
        return build_world()
