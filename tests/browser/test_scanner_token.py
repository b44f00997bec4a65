"""The scanner's own checks, in Chromium, on a page of planner under its CSP: base32, the token's
bytes, its Ed25519 signature (the vendored @noble/ed25519) against the bundle's keys, revocation,
dates, zones and arrivals (static/js/scanner/token.js, checkin.js), against tokens made here with
`cryptography`, as the server makes them (the byte layout of SPEC18)."""

from __future__ import annotations

import base64
import os
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

NOW = 1_900_000_000  # 2030-03-17 17:46:40 UTC
FROM, UNTIL = NOW - 86_400, NOW + 86_400
FORUM_KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()


def public(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def body(key_id=3, forum=1, badge=17, version=1, valid_from=FROM, valid_until=UNTIL, zones=(1, 2), fmt=1) -> bytes:
    header = struct.pack(">BIIIHIIB", fmt, key_id, forum, badge, version, valid_from, valid_until, len(zones))
    return header + bytes(zones)


def qr(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=")


def token(key: Ed25519PrivateKey = FORUM_KEY, **fields) -> str:
    signed = body(**fields)
    return qr(signed + key.sign(signed))


def bundle(**overrides) -> dict:
    base = {
        "forum": {"id": 1, "slug": "isef3", "title": "ISEF3", "timezone": "Europe/Rome"},
        "generated_at": "2030-03-17T17:00:00Z",
        "keys": [{"id": 3, "public_key": public(FORUM_KEY)}],
        "zones": [{"number": 1, "name": "Plenary hall"}, {"number": 2, "name": "Press centre"}],
        "events": [],
        "revocations": {},
        "roster": {
            "17": {
                "number": "0017",
                "name": "Suzuki Hana",
                "latin": "SUZUKI Hana",
                "delegation": "Japan",
                "function": "Head of delegation",
                "category": "delegate",
                "photo": None,
            },
            "18": {
                "number": "0018",
                "name": "Émile Zola",
                "latin": "",
                "delegation": "France",
                "function": "",
                "category": "press",
                "photo": None,
            },
        },
        "arrivals": {},
    }
    base.update(overrides)
    return base


@pytest.fixture
def scanner(browser, live_server):
    """``judge(text, bundle, zone=1, now=NOW)``: checkin.judgeToken's verdict in the page; the
    page is planner's own sign-in page, so its Content-Security-Policy applies. ``call(js, arg)``
    runs ``js`` with the scanner's modules as ``m`` (base32, token, checkin, sync)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + "/login")
    page.evaluate("""() => {
        window.violations = [];
        document.addEventListener("securitypolicyviolation", (e) => window.violations.push(e.violatedDirective));
    }""")

    def call(js: str, arg=None):
        # The test's code is the evaluated function itself: the page's CSP forbids eval.
        return page.evaluate(
            """async (arg) => {
                const m = {
                    base32: await import("/static/js/scanner/base32.js"),
                    token: await import("/static/js/scanner/token.js"),
                    checkin: await import("/static/js/scanner/checkin.js"),
                    sync: await import("/static/js/scanner/sync.js"),
                };
            """
            + js
            + "}",
            arg,
        )

    def judge(text: str, data: dict | None = None, zone: int = 1, now: int = NOW, records=()):
        data = data or bundle()
        return call(
            """const [text, data, zone, now, records] = arg;
               const arrivals = m.checkin.mergeArrivals(data.arrivals, records);
               return m.checkin.judgeToken(text, data, zone, now, arrivals);""",
            [text, data, zone, now, list(records)],
        )

    call.judge = judge
    call.page = page
    yield call
    assert page.evaluate("window.violations") == []
    context.close()


def test_base32_is_rfc_4648_upper_case_without_padding(scanner):
    samples = [os.urandom(n) for n in range(0, 41)]
    answers = scanner(
        """return arg.map((hex) => {
               const bytes = Uint8Array.from(hex.match(/../g) || [], (h) => parseInt(h, 16));
               const text = m.base32.encode(bytes);
               const back = m.base32.decode(text);
               return [text, back && Array.from(back, (b) => b.toString(16).padStart(2, "0")).join("")];
           });""",
        [sample.hex() for sample in samples],
    )
    for sample, (text, back) in zip(samples, answers):
        assert text == base64.b32encode(sample).decode().rstrip("=")
        assert back == sample.hex()
    refused = scanner(
        "return arg.map((text) => m.base32.decode(text));",
        ["MZXW6===", "mzxw6", "MZXW6!", "A", "ABC", "ABCDEF", 17],
    )
    # Padding, lower case, other characters, impossible lengths, not a string.
    assert refused == [None] * 7


def test_a_good_badge_is_welcome_with_its_holder(scanner):
    verdict = scanner.judge(token())
    assert verdict["outcome"] == "admitted"
    assert verdict["badge"] == 17 and verdict["version"] == 1 and verdict["first"] is None
    assert verdict["person"]["name"] == "Suzuki Hana"
    assert verdict["person"]["delegation"] == "Japan"
    # As the server reads tokens: white space around, lower case and padding forgiven.
    for text in (" " + token() + "\n", token().lower(), token() + "=" * (-len(token()) % 8)):
        assert scanner.judge(text)["outcome"] == "admitted"


def test_the_token_fields_read_as_written(scanner):
    fields = scanner(
        """const t = m.token.readToken(arg);
           return [t.keyId, t.forumId, t.badgeId, t.version, t.validFrom, t.validUntil, t.zones,
                   t.signature.length];""",
        token(key_id=70000, forum=65537, badge=4_000_000_000, version=65535, zones=(1, 9, 255)),
    )
    assert fields == [70000, 65537, 4_000_000_000, 65535, FROM, UNTIL, [1, 9, 255], 64]


def test_a_forged_signature_is_refused(scanner):
    signed = body()
    verdict = scanner.judge(qr(signed + os.urandom(64)))
    assert (verdict["outcome"], verdict["reason"]) == ("forged", "signature")
    # A forged badge's number is whatever its maker wrote: nobody is named.
    assert verdict["badge"] is None and verdict["person"] is None


def test_every_altered_byte_is_refused(scanner):
    good = base64.b32decode(token() + "=" * (-len(token()) % 8))
    altered = []
    for index in range(1, len(good)):
        if index == 23:
            continue  # the zone count: a changed count is a malformed token, tested below
        raw = bytearray(good)
        raw[index] ^= 0x01
        altered.append(qr(bytes(raw)))
    verdicts = scanner(
        """const data = arg.data;
           const out = [];
           for (const text of arg.texts) out.push((await m.checkin.judgeToken(text, data, 1, arg.now, {})).outcome);
           return out;""",
        {"texts": altered, "data": bundle(), "now": NOW},
    )
    assert verdicts == ["forged"] * len(altered)


def test_a_badge_signed_with_another_key_under_the_forums_key_id_is_refused(scanner):
    verdict = scanner.judge(token(OTHER_KEY))
    assert (verdict["outcome"], verdict["reason"]) == ("forged", "signature")


def test_a_key_the_forum_does_not_hold_is_refused(scanner):
    verdict = scanner.judge(token(OTHER_KEY, key_id=4))
    assert (verdict["outcome"], verdict["reason"]) == ("forged", "unknown_key")


def test_another_forums_badge_is_refused(scanner):
    # Forum 2's badge, signed with forum 2's own key: good there, forged here.
    verdict = scanner.judge(token(OTHER_KEY, key_id=9, forum=2))
    assert (verdict["outcome"], verdict["reason"]) == ("forged", "other_forum")
    # Forum 2's number written over a badge of forum 1, signed with forum 1's key.
    verdict = scanner.judge(token(forum=2))
    assert (verdict["outcome"], verdict["reason"]) == ("forged", "other_forum")


def test_every_unretired_key_verifies(scanner):
    data = bundle(keys=[{"id": 3, "public_key": public(FORUM_KEY)}, {"id": 4, "public_key": public(OTHER_KEY)}])
    assert scanner.judge(token(OTHER_KEY, key_id=4), data)["outcome"] == "admitted"
    assert scanner.judge(token(FORUM_KEY, key_id=3), data)["outcome"] == "admitted"


def test_malformed_codes_are_refused_as_forged(scanner):
    signed = body()
    good = signed + FORUM_KEY.sign(signed)
    other_format = body(fmt=2)
    codes = [
        "https://example.org/",
        "",
        qr(good[:-1]),  # cut short
        qr(good + b"\x00"),  # a byte too many
        qr(other_format + FORUM_KEY.sign(other_format)),
        qr(good)[:-1] + "!",
        qr(good)[:-2],  # a length no whole number of bytes gives
    ]
    for code in codes:
        verdict = scanner.judge(code)
        assert (verdict["outcome"], verdict["reason"]) == ("forged", "malformed"), code


def test_dates_from_inclusive_until_exclusive(scanner):
    assert scanner.judge(token(), now=FROM)["outcome"] == "admitted"
    assert scanner.judge(token(), now=UNTIL - 1)["outcome"] == "admitted"
    expired = scanner.judge(token(), now=UNTIL)
    assert (expired["outcome"], expired["reason"]) == ("expired", "expired")
    assert expired["person"]["name"] == "Suzuki Hana"
    early = scanner.judge(token(), now=FROM - 1)
    assert (early["outcome"], early["reason"]) == ("expired", "not_yet_valid")


def test_revoked_versions(scanner):
    data = bundle(revocations={"17": 2})
    revoked = scanner.judge(token(version=1), data)
    assert (revoked["outcome"], revoked["badge"]) == ("revoked", 17)
    assert scanner.judge(token(version=2), data)["outcome"] == "admitted"
    # A revoked badge is refused even where its signature, dates and zone hold.
    assert scanner.judge(token(version=1), data, zone=2)["outcome"] == "revoked"


def test_wrong_zone(scanner):
    verdict = scanner.judge(token(zones=(2,)), zone=1)
    assert (verdict["outcome"], verdict["badge"]) == ("wrong_zone", 17)
    assert scanner.judge(token(zones=(2,)), zone=2)["outcome"] == "admitted"
    assert scanner.judge(token(zones=()), zone=1)["outcome"] == "wrong_zone"


def test_already_checked_in_says_when_and_where(scanner):
    data = bundle(arrivals={"17": {"1": "2030-03-17T08:00:00Z"}})
    verdict = scanner.judge(token(), data, zone=1)
    assert verdict["outcome"] == "duplicate"
    assert verdict["first"] == {"at": "2030-03-17T08:00:00Z", "zone": 1}
    # At another zone, the badge's first arrival there.
    assert scanner.judge(token(), data, zone=2)["outcome"] == "admitted"
    # This device's own admitted scans count, the earliest time kept.
    records = [
        {"badge": 17, "zone": 2, "at": "2030-03-17T09:30:00Z"},
        {"badge": 17, "zone": 1, "at": "2030-03-17T07:00:00Z"},
    ]
    assert scanner.judge(token(), data, zone=2, records=records)["first"] == {"at": "2030-03-17T09:30:00Z", "zone": 2}
    assert scanner.judge(token(), data, zone=1, records=records)["first"] == {"at": "2030-03-17T07:00:00Z", "zone": 1}


def test_a_signed_badge_missing_from_the_devices_roster_is_welcome_by_number(scanner):
    verdict = scanner.judge(token(badge=99))
    assert (verdict["outcome"], verdict["badge"], verdict["person"]) == ("admitted", 99, None)


def test_manual_check_in_and_roster_search(scanner):
    data = bundle(arrivals={"18": {"1": "2030-03-17T08:00:00Z"}})
    answers = scanner(
        """const data = arg;
           const found = (q) => m.checkin.searchRoster(data.roster, q).map((p) => p.badge);
           return {
               manual: m.checkin.judgeManual(17, data, 1, data.arrivals),
               again: m.checkin.judgeManual(18, data, 1, data.arrivals),
               byName: found("hana"), byLatin: found("suzuki h"), byAccentless: found("emile"),
               byNumber: found("17"), byPaddedNumber: found("0018"), byDelegation: found("france"),
               nothing: found("nobody"), empty: found("  "),
           };""",
        data,
    )
    assert answers["manual"]["outcome"] == "admitted" and answers["manual"]["person"]["name"] == "Suzuki Hana"
    assert answers["again"]["outcome"] == "duplicate"
    assert answers["again"]["first"] == {"at": "2030-03-17T08:00:00Z", "zone": 1}
    assert answers["byName"] == [17] and answers["byLatin"] == [17] and answers["byAccentless"] == [18]
    assert answers["byNumber"] == [17] and answers["byPaddedNumber"] == [18] and answers["byDelegation"] == [18]
    assert answers["nothing"] == [] and answers["empty"] == []
