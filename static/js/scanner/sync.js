// Sending the queue of scans to the server (POST <sync URL>, SPEC of issue #18), in batches.
// A scan leaves the queue only when the server's answer names it: a lost answer means the same
// scans again, which the server recognises by their ids (replayed: true) and never counts twice.
export const BATCH = 50;

const isJson = (response) => (response.headers.get("Content-Type") || "").includes("application/json");

// What the server is sent of a queued scan: the contract's fields and no more.
export function wireScan(scan) {
  const wire = { id: scan.id, token: scan.token, zone: scan.zone, event: scan.event || null, at: scan.at };
  if (scan.token === null) wire.badge = scan.badge;
  return wire;
}

async function post(session, scans) {
  const response = await session.fetch(session.url, {
    method: "POST",
    credentials: "same-origin",
    cache: "no-store",
    headers: { "Content-Type": "application/json", "X-CSRFToken": session.csrfToken() },
    body: JSON.stringify({ device: session.device, scans: scans.map(wireScan) }),
  });
  if (response.ok && isJson(response)) return { status: "ok", body: await response.json() };
  // Signed out: the server sends the sign-in page (redirected) or says 401.
  if (response.redirected || response.status === 401 || (response.ok && !isJson(response))) return { status: "signed_out" };
  if (response.status === 403) return { status: "not_allowed" };
  // A 400 that is a page, not JSON, is the CSRF check (the token went with an ended session).
  if (response.status === 400 && !isJson(response)) return { status: "csrf" };
  if ([400, 413, 415].includes(response.status)) {
    const body = await response.json().catch(() => ({}));
    return { status: "refused", error: String(body.error || response.status) };
  }
  return { status: "error" };
}

// Sends one batch; `session` holds {url, device, csrfToken(), fetch, renewCsrf()}. Answers
// {status, results: [[queued scan, result]], refused: [[queued scan, error]]}; status "ok",
// "offline", "signed_out", "not_allowed" or "error".
export async function syncBatch(store, session, limit = BATCH) {
  const scans = (await store.queued()).filter((scan) => !scan.refused).slice(0, limit);
  const outcome = { status: "ok", results: [], refused: [] };
  if (scans.length) outcome.status = await send(store, session, scans, outcome);
  return outcome;
}

// A batch the server refuses as malformed (400, nothing written) is sent again scan by scan, so
// that one bad scan holds up no other; the bad one is kept, marked, and not sent again.
async function send(store, session, scans, outcome) {
  let answer;
  try {
    answer = await post(session, scans);
    if (answer.status === "csrf" && (await session.renewCsrf())) answer = await post(session, scans);
  } catch {
    return "offline";
  }
  if (answer.status === "csrf") return "signed_out";
  if (answer.status === "refused" && scans.length > 1) {
    for (const scan of scans) {
      const status = await send(store, session, [scan], outcome);
      if (status !== "ok") return status;
    }
    return "ok";
  }
  if (answer.status === "refused") {
    await store.refuse(scans[0].id, answer.error);
    outcome.refused.push([scans[0], answer.error]);
    return "ok";
  }
  if (answer.status !== "ok") return answer.status;
  const byId = new Map(scans.map((scan) => [scan.id, scan]));
  const ids = [];
  const arrivals = [];
  for (const result of (answer.body && answer.body.results) || []) {
    const scan = byId.get(result.id);
    if (!scan) continue;
    ids.push(scan.id);
    outcome.results.push([scan, result]);
    const badge = result.badge ?? scan.badge;
    if (result.first && badge != null) arrivals.push({ badge, zone: result.first.zone, at: result.first.at });
    else if (result.outcome === "admitted" && badge != null) arrivals.push({ badge, zone: scan.zone, at: scan.at });
  }
  await store.answered(ids, arrivals);
  return "ok";
}

// Sends batches until the queue is empty, or one does not get through.
export async function syncAll(store, session, limit = BATCH) {
  const all = { status: "ok", results: [], refused: [] };
  for (;;) {
    const batch = await syncBatch(store, session, limit);
    all.results.push(...batch.results);
    all.refused.push(...batch.refused);
    if (batch.status !== "ok") return { ...all, status: batch.status };
    if (!batch.results.length && !batch.refused.length) return all;
  }
}
