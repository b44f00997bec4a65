"""The OpenAPI document: valid OpenAPI 3.1, generated from the routes, describing every one of
them; and the page that explains the API to people."""

from __future__ import annotations

from flask import Flask
from openapi_spec_validator import validate

from tests.api.described import PREFIX, document_of


def test_the_document_is_valid_openapi_3_1(app: Flask) -> None:
    document = document_of(app)
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_api_route_is_described_with_its_methods(app: Flask) -> None:
    document = document_of(app)
    described = {(path, method.upper()) for path, methods in document["paths"].items() for method in methods}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX) and rule.endpoint != "api.openapi_document":
            path = rule.rule
            for argument in rule.arguments:
                path = path.replace(f"<int:{argument}>", f"{{{argument}}}").replace(f"<{argument}>", f"{{{argument}}}")
            routed |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == described


def test_every_operation_says_what_it_does_and_what_it_may_answer(app: Flask) -> None:
    for path, methods in document_of(app)["paths"].items():
        for method, operation in methods.items():
            assert operation["summary"], (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
            assert "200" in operation["responses"], (method, path)


def test_the_document_names_this_server(app: Flask) -> None:
    with app.test_client() as client:
        document = client.get("/api/v1/openapi.json", base_url="https://planner.example.org").get_json()
    assert document["servers"][0]["url"] == "https://planner.example.org"


def test_the_page_for_people_lists_every_operation(app: Flask) -> None:
    with app.test_client() as client:
        page = client.get("/api/").get_data(as_text=True)
    for path in document_of(app)["paths"]:
        assert path in page
    assert "/api/v1/openapi.json" in page
