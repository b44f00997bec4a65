from __future__ import annotations

import pytest
from flask import Flask

from tests.api.described import DescribedClient


@pytest.fixture
def api(app: Flask) -> DescribedClient:
    """The test client, checking every API answer against the OpenAPI document."""
    return DescribedClient(app, app.response_class, use_cookies=True)
