"""The signature a receiver checks, and the addresses planner refuses to send to."""

from __future__ import annotations

import pytest
from flask import Flask

from planner.config import load_config
from planner.webhooks import sender, signing

SECRET = "whsec_test"
BODY = b'{"id":"1","event":"ping"}'


def test_a_signature_verifies_with_the_secret_the_body_and_a_time_near_it():
    header = signing.header(SECRET, 1_700_000_000, BODY)
    assert header.startswith("t=1700000000,v1=")
    assert signing.verify(SECRET, header, BODY, now=1_700_000_100)
    assert signing.verify(SECRET, header, BODY, now=1_699_999_800)


@pytest.mark.parametrize(
    "secret, body, now",
    [
        ("whsec_other", BODY, 1_700_000_000),  # another secret
        (SECRET, BODY + b" ", 1_700_000_000),  # a body changed on the way
        (SECRET, BODY, 1_700_000_301),  # replayed after five minutes
        (SECRET, BODY, 1_699_999_699),
    ],
)
def test_a_signature_does_not_verify_otherwise(secret, body, now):
    assert not signing.verify(secret, signing.header(SECRET, 1_700_000_000, BODY), body, now=now)


@pytest.mark.parametrize("header", ["", "t=abc,v1=00", "v1=00", "t=1700000000", "t=1700000000,v1=zz", "garbage"])
def test_a_malformed_header_does_not_verify(header):
    assert not signing.verify(SECRET, header, BODY, now=1_700_000_000)


def test_the_hmac_is_over_the_time_a_dot_and_the_body():
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert signing.header(SECRET, 1_700_000_000, BODY) == f"t=1700000000,v1={expected}"


def test_secrets_are_new_each_time():
    assert signing.new_secret() != signing.new_secret()
    assert len(signing.new_secret()) > 40


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://example.org/hooks", "https only"),
        ("ftp://example.org/hooks", "not a web address"),
        ("example.org/hooks", "not a web address"),
        ("https:///hooks", "names no host"),
        ("https://example.org:99999/hooks", "not a web address"),
        ("https://user:pass@example.org/hooks", "user name and password"),
        ("https://example.org/ hooks", "no spaces"),
        ("https://example.org/" + "a" * 500, "500 characters"),
    ],
)
def test_addresses_refused_whatever_the_network(app_context, url, reason):
    with pytest.raises(sender.UnsafeTarget, match=reason):
        sender.check_target(url, allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.0.10/hooks",
        "https://172.16.5.4/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[fe80::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://0.0.0.0/hooks",
        "https://100.64.0.1/hooks",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused_unless_allowed(app_context, url):
    with pytest.raises(sender.UnsafeTarget, match="private, loopback or link-local"):
        sender.check_target(url, allow_private=False)


def test_a_public_address_is_accepted(app_context):
    assert sender.check_target("https://93.184.215.14:8443/hooks?x=1", allow_private=False) == "93.184.215.14"


def test_private_addresses_are_allowed_in_testing_only(app, tmp_path):
    assert app.config["WEBHOOKS_ALLOW_PRIVATE_ADDRESSES"] is True
    development = Flask(__name__, instance_path=str(tmp_path))
    load_config(development, {"ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert development.config["WEBHOOKS_ALLOW_PRIVATE_ADDRESSES"] is False
