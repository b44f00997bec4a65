"""Fixtures of the accreditation tests."""

from tests.accreditation.visa_helpers import letters_store, scene  # noqa: F401  (fixtures)
