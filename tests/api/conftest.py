from __future__ import annotations

import pytest
from flask import Flask

from tests.api.described import DescribedClient


@pytest.fixture
def api(app: Flask) -> DescribedClient:
    """The test client, checking every API answer against the OpenAPI document (as every test
    client does: tests/conftest.py makes it the apps' test client class)."""
    client = app.test_client()
    assert isinstance(client, DescribedClient)
    return client
