"""The scanner's queue and its sync (static/js/scanner/store.js, sync.js) in Chromium, against a
stand-in for the server's fetch: batches of at most 50, a scan off the queue only when the answer
names it, nothing lost offline or signed out, a CSRF token renewed, one malformed scan set aside."""

from __future__ import annotations

import pytest

# The page's part: a fresh IndexedDB store with `arg.count` queued scans (every third a check-in
# by search), and a stand-in server answering with `reply(body, call)`.
SETUP = """
    const store = await m.store.openStore("test " + crypto.randomUUID());
    for (let n = 0; n < arg.count; n++) {
        const manual = n % 3 === 2;
        await store.queueScan({
            id: "scan-" + String(n).padStart(4, "0"), token: manual ? null : "TOKEN" + n,
            badge: manual ? 100 + n : null,
            zone: 1, event: null, at: new Date(Date.UTC(2030, 2, 17, 8, 0, n)).toISOString(), queued: n,
            local: "admitted", localBadge: 100 + n,
        });
    }
    const calls = [];
    const json = (body, status = 200) =>
        new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
    const everyone = (body) => json({ results: body.scans.map((s) => ({
        id: s.id, outcome: "admitted", badge: s.badge ?? 7, first: null, replayed: false })) });
    let csrf = "token-1";
    const session = (reply) => ({
        url: "/forums/isef3/scanner/sync", device: "device-1", csrfToken: () => csrf,
        renewCsrf: async () => { csrf = "token-2"; return true; },
        fetch: async (url, options) => {
            const body = JSON.parse(options.body);
            calls.push({ url, method: options.method, headers: options.headers, body });
            return reply(body, calls.length);
        },
    });
    const left = async () => (await store.queued()).map((s) => s.id);
"""


@pytest.fixture
def run(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + "/login")

    def run(js: str, arg: dict):
        return page.evaluate(
            """async (arg) => {
                const m = {
                    store: await import("/static/js/scanner/store.js"),
                    sync: await import("/static/js/scanner/sync.js"),
                };
            """
            + SETUP
            + js
            + "}",
            arg,
        )

    yield run
    context.close()


def test_batches_of_fifty_in_the_contracts_shape(run):
    answer = run(
        """const outcome = await m.sync.syncAll(store, session(everyone));
           return { status: outcome.status, results: outcome.results.length, calls, left: await left(),
                    arrivals: (await store.arrivals()).length };""",
        {"count": 120},
    )
    assert answer["status"] == "ok" and answer["results"] == 120 and answer["left"] == []
    assert [len(call["body"]["scans"]) for call in answer["calls"]] == [50, 50, 20]
    first = answer["calls"][0]
    assert first["url"] == "/forums/isef3/scanner/sync" and first["method"] == "POST"
    assert first["headers"] == {"Content-Type": "application/json", "X-CSRFToken": "token-1"}
    assert first["body"]["device"] == "device-1"
    # In the order scanned; a scanned code has no badge number, a check-in by search no token.
    assert first["body"]["scans"][0] == {
        "id": "scan-0000",
        "token": "TOKEN0",
        "zone": 1,
        "event": None,
        "at": "2030-03-17T08:00:00.000Z",
    }
    assert first["body"]["scans"][2] == {
        "id": "scan-0002",
        "token": None,
        "badge": 102,
        "zone": 1,
        "event": None,
        "at": "2030-03-17T08:00:02.000Z",
    }
    ids = [scan["id"] for call in answer["calls"] for scan in call["body"]["scans"]]
    assert ids == sorted(ids) and len(set(ids)) == 120
    assert answer["arrivals"] > 0


def test_only_the_scans_the_answer_names_leave_the_queue(run):
    answer = run(
        """const reply = (body) => json({ results: body.scans.filter((s, i) => i % 2 === 0).map((s) => ({
               id: s.id, outcome: "duplicate", badge: 5, first: { at: "2030-03-17T07:00:00Z", zone: 1 },
               replayed: true })) });
           const outcome = await m.sync.syncBatch(store, session(reply));
           return { status: outcome.status, left: await left(), arrivals: await store.arrivals() };""",
        {"count": 4},
    )
    assert answer["status"] == "ok"
    assert answer["left"] == ["scan-0001", "scan-0003"]
    assert answer["arrivals"] == [{"key": "5:1", "badge": 5, "zone": 1, "at": "2030-03-17T07:00:00Z"}]


def test_offline_or_signed_out_nothing_leaves_the_queue(run):
    answer = run(
        """const offline = await m.sync.syncAll(store, session(() => { throw new TypeError("Failed to fetch"); }));
           const page = () => new Response("<html>sign in</html>", { headers: { "Content-Type": "text/html" } });
           const signedOut = await m.sync.syncAll(store, session(page));
           const gone = await m.sync.syncAll(store, session(() => json({ error: "no" }, 403)));
           const broken = await m.sync.syncAll(store, session(() => new Response("", { status: 502 })));
           return { statuses: [offline.status, signedOut.status, gone.status, broken.status],
                    left: (await left()).length };""",
        {"count": 3},
    )
    assert answer["statuses"] == ["offline", "signed_out", "not_allowed", "error"]
    assert answer["left"] == 3


def test_an_ended_csrf_token_is_renewed_once(run):
    answer = run(
        """const reply = (body, call) => call === 1
               ? new Response("<p>The CSRF token is missing.</p>",
                              { status: 400, headers: { "Content-Type": "text/html" } })
               : everyone(body);
           const outcome = await m.sync.syncAll(store, session(reply));
           const tokens = calls.map((c) => c.headers["X-CSRFToken"]);
           return { status: outcome.status, tokens, left: await left() };""",
        {"count": 2},
    )
    assert answer == {"status": "ok", "tokens": ["token-1", "token-2"], "left": []}


def test_a_malformed_scan_is_set_aside_and_holds_up_no_other(run):
    answer = run(
        """const reply = (body) => body.scans.some((s) => s.id === "scan-0001")
               ? json({ error: "scan 1: zone must be 1..255" }, 400) : everyone(body);
           const outcome = await m.sync.syncAll(store, session(reply));
           const sent = calls.length;
           const again = await m.sync.syncAll(store, session(reply));
           return { status: outcome.status, refused: outcome.refused.map(([s, e]) => [s.id, e]),
                    queue: (await store.queued()).map((s) => [s.id, s.refused || null]),
                    sent, again: calls.length - sent };""",
        {"count": 3},
    )
    assert answer["status"] == "ok"
    assert answer["refused"] == [["scan-0001", "scan 1: zone must be 1..255"]]
    # Kept on the device, marked, and not sent again.
    assert answer["queue"] == [["scan-0001", "scan 1: zone must be 1..255"]]
    assert answer["again"] == 0
