"""Protections every response carries, and safe redirects."""

import pytest

from planner import create_app
from planner.crypto import new_key
from planner.security import safe_next


def test_responses_carry_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_error_pages_carry_them_too(client):
    assert "frame-ancestors 'none'" in client.get("/nowhere").headers["Content-Security-Policy"]


def test_pages_have_no_inline_script(client):
    assert "<script" not in client.get("/login").get_data(as_text=True)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_session_cookie_is_http_only_and_same_site(client):
    client.get("/login")  # the CSRF token lives in the session
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert not cookie.secure  # plain http in tests


def test_session_cookie_is_secure_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path))
    app = create_app({"ENV": "production", "SECRET_KEY": "x" * 64, "IDENTITY_KEYS": new_key()})
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/forums/isef2/timetable?day=2018-03-03", "/forums/isef2/timetable?day=2018-03-03"),
        ("", "/"),
        (None, "/"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("forums", "/"),
        ("/" + "a" * 3000, "/"),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target, "/") == expected


def test_oversized_request_is_refused_with_a_reason(client):
    response = client.post("/signup", data={"given_name": "x" * (10 * 1024 * 1024), "email": "a@example.org"})
    assert response.status_code == 413
    assert "larger than planner accepts" in response.get_data(as_text=True)


def test_behind_a_trusted_proxy_the_client_address_and_scheme_come_from_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path))
    app = create_app({"ENV": "testing", "PROXY_COUNT": 1})

    @app.get("/probe")
    def probe():
        from flask import request

        return {"address": request.remote_addr, "secure": request.is_secure}

    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    assert app.test_client().get("/probe", headers=headers).json == {"address": "203.0.113.7", "secure": True}
    untrusting = create_app({"ENV": "testing"})
    untrusting.add_url_rule("/probe", view_func=probe)
    assert untrusting.test_client().get("/probe", headers=headers).json["address"] == "127.0.0.1"


def test_production_behind_an_https_proxy_sends_hsts(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path))
    production = create_app(
        {"ENV": "production", "SECRET_KEY": "x" * 64, "IDENTITY_KEYS": new_key(), "PROXY_COUNT": 1}
    ).test_client()
    over_https = production.get("/no/such/page", headers={"X-Forwarded-Proto": "https"})
    assert over_https.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    # Over plain http browsers ignore it; a development server must stay reachable over http.
    assert "Strict-Transport-Security" not in production.get("/no/such/page").headers
    development = create_app({"ENV": "development", "PROXY_COUNT": 1}).test_client()
    assert "Strict-Transport-Security" not in development.get("/", headers={"X-Forwarded-Proto": "https"}).headers
