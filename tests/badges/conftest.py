import pytest


@pytest.fixture
def context(app):
    """An app (and request) context for tests of the rules, inside the test's transaction."""
    with app.test_request_context():
        yield app
