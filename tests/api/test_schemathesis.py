"""Property-based tests generated from the OpenAPI document (schemathesis), against the API on
a live server with the ISEF2 demo loaded: whatever the generated request, no server error, and
every answer is one the document describes, with a body that matches its schema.

Half the generated cases name ISEF2 and its real statements, so that the answers with data
are checked as well as the 404s of random slugs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from planner.demo.seed import load_isef2
from planner.extensions import db

pytestmark = pytest.mark.commits

EXAMPLES = 25  # per operation: a few seconds for all of them


@pytest.fixture
def isef2_server(app: Flask, live_server: str) -> Iterator[str]:
    with app.app_context():
        load_isef2()
        db.session.commit()
    yield live_server


def _real_names(case: Any) -> None:
    parameters = case.path_parameters or {}
    if "slug" in parameters:
        parameters["slug"] = "isef2"
    if "doc_slug" in parameters:
        parameters["doc_slug"] = "joint-statement"
    if "number" in parameters:
        parameters["number"] = 1


def _off_the_calendar(body: Any) -> bool:
    """A scan's time in year 1 or 9999 whose offset takes it off the calendar in UTC: valid by
    the schema (JSON Schema has no bounds for a date-time), refused as out of range."""
    scans = body.get("scans", []) if isinstance(body, dict) else []
    return any(isinstance(scan, dict) and str(scan.get("at", "")).startswith(("0001", "9999")) for scan in scans)


def _exercise(base_url: str, headers: dict[str, str] | None = None) -> list[str]:
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    for operation in operations:

        @given(case=operation.as_strategy(), real=st.booleans())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case: Any, real: bool) -> None:
            if real:
                _real_names(case)
            # A cursor is opaque: the document cannot tell a real one from any other text, so a
            # made-up one is refused (400) although it matches the schema.
            made_up_cursor = "cursor" in (case.query or {})
            case.call_and_validate(
                headers=headers, excluded_checks=[positive_data_acceptance] if made_up_cursor else []
            )

        try:
            run()
        except Exception as failure:  # noqa: BLE001  (collected, to report every operation at once)
            failures.append(f"{operation.label}: {failure}")
    return failures


def test_anonymous_calls_never_break_the_server_or_the_document(isef2_server: str) -> None:
    assert _exercise(isef2_server) == []


def test_token_calls_never_break_the_server_or_the_document(app: Flask, isef2_server: str) -> None:
    """With a token of every scope for ISEF2 (its organiser's): registrations, decisions,
    nominations and scans, with generated queries and bodies."""
    import datetime as dt

    from planner.api.models import Scope
    from planner.api.tokens import create_token
    from planner.forums.services import get_forum_by_slug
    from tests.factories import make_organiser

    with app.app_context():
        forum = get_forum_by_slug("isef2")
        assert forum is not None
        _, token = create_token(
            make_organiser(forum), "schemathesis", list(Scope), [forum.id], dt.date.today() + dt.timedelta(days=2)
        )
        db.session.commit()
    assert _exercise(isef2_server, {"Authorization": f"Bearer {token}"}) == []
