"""Every API answer the tests receive is checked against the OpenAPI document: the status is
one the operation describes, and a JSON body matches its schema (JSON Schema 2020-12, which
OpenAPI 3.1 uses), with the document's components to resolve references against."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from werkzeug.test import TestResponse

PREFIX = "/api/v1/"


@cache
def _document(app_id: int, document: str) -> dict[str, Any]:  # cached per app
    import json

    return json.loads(document)


def document_of(app: Flask) -> dict[str, Any]:
    with app.test_client() as client:
        response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return _document(id(app), response.get_data(as_text=True))


def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")


def operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    for template, methods in document["paths"].items():
        if _template(template).match(path) and method.lower() in methods:
            return methods[method.lower()]
    return None


#: What an address or method the document does not describe gets: the API's own error.
UNDESCRIBED = {
    status: {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for status in ("404", "405")
}


def check_answer(document: dict[str, Any], method: str, path: str, response: TestResponse) -> None:
    described = operation(document, method, path) or {"responses": UNDESCRIBED}
    status = str(response.status_code)
    assert status in described["responses"], (
        f"{method} {path} answered {status}, which the document does not describe: {response.get_data(as_text=True)}"
    )
    content = described["responses"][status].get("content")
    if content is None:
        assert not response.get_data(), f"{method} {path} {status} has a body the document does not describe"
        return
    assert response.mimetype in content, f"{method} {path} answered {response.mimetype}"
    schema = {**content[response.mimetype]["schema"], "components": document["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(response.get_json()), key=str)
    assert not errors, f"{method} {path} {status} breaks its schema: {errors[0].message} at {list(errors[0].path)}"


class DescribedClient(FlaskClient):
    """A test client whose every /api/v1 answer is checked against the document."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        request = response.request
        if (
            request.path.startswith(PREFIX)
            and request.path != PREFIX + "openapi.json"
            and request.method not in ("OPTIONS", "HEAD")
        ):
            check_answer(document_of(self.application), request.method, request.path, response)
        return response
