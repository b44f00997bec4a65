"""Fixtures of the accreditation tests."""

from tests.accreditation.file_helpers import forums, uploads  # noqa: F401  (photos, credentials letters)
from tests.accreditation.visa_helpers import letters_store, scene  # noqa: F401  (fixtures)
