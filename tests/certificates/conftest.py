import pytest

from tests.certificates.helpers import make_certificate_scene
from tests.factories import committed


@pytest.fixture
def scene(app):
    with committed(app):
        return make_certificate_scene()
