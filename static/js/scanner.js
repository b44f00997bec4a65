// The scanner page (templates/badges/scanner.html): reads badges' QR codes with the camera, or
// finds a person by name or badge number, and says at once whether to let them in, from the
// forum's bundle kept on this device, so that it works with no network. Each scan is queued in
// IndexedDB with its own id and sent to the server in batches whenever the network allows.
// Every text shown comes from the page (#scanner-strings, translated by the server).
import { Camera } from "./scanner/camera.js";
import { judgeManual, judgeToken, mergeArrivals, searchRoster } from "./scanner/checkin.js";
import { openStore } from "./scanner/store.js";
import { syncAll } from "./scanner/sync.js";
import { keysOf, readToken } from "./scanner/token.js";

const BUNDLE_EVERY = 60_000;
const SYNC_EVERY = 10_000;
const SAME_CODE_WITHIN = 3_000; // one badge held up to the camera is one scan
const LONGEST_TOKEN = 600; // characters: the base32 of a token with 255 zones is 549
const PHOTO_CACHE = "planner-scanner-photos";

const root = document.querySelector("[data-bundle-url]");
const strings = JSON.parse(document.getElementById("scanner-strings").textContent);
const $ = (id) => document.getElementById(id);

// A translated string with its {placeholders} filled in.
function t(key, values = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

const state = {
  store: null,
  bundle: null,
  keys: new Map(),
  arrivals: {},
  zone: null,
  event: null,
  device: null,
  csrf: root.dataset.csrfToken,
  lastCode: null,
  lastSeen: 0,
  work: Promise.resolve(),
  syncing: null,
  syncAgain: false,
  differences: [],
  syncStatus: "ok",
  choices: null,
  lastSync: null,
};

const remembered = (name) => "planner-scanner " + name + " " + root.dataset.bundleUrl;

function deviceId() {
  let device = localStorage.getItem("planner-scanner device");
  if (!device) {
    device = crypto.randomUUID();
    localStorage.setItem("planner-scanner device", device);
  }
  return device;
}

// -- Showing times, zones and people ---------------------------------------------------------

function when(iso) {
  if (iso === undefined || iso === null || Number.isNaN(new Date(iso).getTime())) return "";
  const options = { dateStyle: "medium", timeStyle: "short" };
  const zone = state.bundle && state.bundle.forum.timezone;
  try {
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { ...options, timeZone: zone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(undefined, options).format(new Date(iso));
  }
}

function zoneName(number) {
  const zone = ((state.bundle && state.bundle.zones) || []).find((z) => Number(z.number) === Number(number));
  return zone ? zone.name : String(number);
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function personBlock(person, badge) {
  const block = element("div", "scan-person");
  if (person && person.photo) {
    const photo = element("img", "scan-photo");
    photo.src = person.photo;
    photo.alt = t("photo_of", { name: person.name });
    block.append(photo);
  }
  const facts = element("div", "scan-facts");
  if (person) {
    facts.append(element("p", "scan-name", person.name));
    if (person.latin && person.latin !== person.name) facts.append(element("p", "scan-latin", person.latin));
    if (person.delegation) facts.append(element("p", "scan-delegation", person.delegation));
    if (person.function) facts.append(element("p", "scan-function", person.function));
    facts.append(element("p", "scan-number", t("badge_number", { number: person.number })));
  } else if (badge !== null && badge !== undefined) {
    facts.append(element("p", "scan-number", t("not_in_list", { number: badge })));
  }
  block.append(facts);
  return block;
}

const TITLES = {
  admitted: "admitted",
  duplicate: "duplicate",
  wrong_zone: "wrong_zone",
  revoked: "revoked",
  expired: "expired",
  forged: "forged",
  unknown_badge: "unknown_badge",
};

function title(verdict) {
  if (verdict.reason === "not_yet_valid") return t("not_yet_valid");
  return t(TITLES[verdict.outcome] || "forged");
}

function detail(verdict, token) {
  switch (verdict.outcome) {
    case "duplicate":
      return verdict.first ? t("duplicate_detail", { when: when(verdict.first.at), zone: zoneName(verdict.first.zone) }) : "";
    case "wrong_zone": {
      const opens = token && token.zones.length ? t("opens", { zones: token.zones.map(zoneName).join(", ") }) : t("opens_none");
      return t("wrong_zone_detail", { zone: zoneName(state.zone) }) + " " + opens;
    }
    case "revoked":
      return t("revoked_detail");
    case "expired":
      return token
        ? t("expired_detail", { start: when(token.validFrom * 1000), end: when(token.validUntil * 1000) })
        : "";
    case "forged":
      return t("forged_" + (verdict.reason || "malformed"));
    default:
      return "";
  }
}

// The verdict, big, in words and a sign (not colour alone), announced to screen readers.
function show(verdict, { manual = false, token = null } = {}) {
  const panel = $("scanner-result");
  const kind = verdict.outcome === "admitted" ? "go" : verdict.outcome === "duplicate" ? "wait" : "stop";
  panel.className = "scan-result scan-" + kind + " scan-" + verdict.outcome;
  panel.replaceChildren();
  const heading = element("p", "scan-title");
  heading.append(element("span", "scan-sign", kind === "go" ? "✓" : kind === "wait" ? "!" : "✕"), " ", title(verdict));
  panel.append(heading);
  const more = detail(verdict, token);
  if (more) panel.append(element("p", "scan-detail", more));
  if (verdict.outcome !== "forged") panel.append(personBlock(verdict.person, verdict.badge));
  if (manual) panel.append(element("p", "scan-manual", t("manual")));
  panel.hidden = false;
}

function notice(text) {
  const panel = $("scanner-result");
  panel.className = "scan-result scan-notice";
  panel.replaceChildren(element("p", "scan-detail", text));
  panel.hidden = false;
}

// -- The bundle --------------------------------------------------------------------------------

async function useBundle({ bundle, fetchedAt }) {
  state.bundle = bundle;
  state.keys = keysOf(bundle);
  state.arrivals = mergeArrivals(bundle.arrivals, await state.store.arrivals());
  fillChoices();
  $("scanner-list-status").textContent = t("list_from", { when: when(fetchedAt) });
}

async function refreshBundle() {
  if (!navigator.onLine) return;
  let response;
  try {
    // Revalidated (If-None-Match): an unchanged bundle costs a 304, answered from the HTTP cache.
    response = await fetch(root.dataset.bundleUrl, { credentials: "same-origin", cache: "no-cache" });
  } catch {
    return; // offline after all: the stored bundle stands
  }
  const json = (response.headers.get("Content-Type") || "").includes("application/json");
  if (response.redirected || response.status === 401 || (response.ok && !json)) return showSync("signed_out");
  if (response.status === 403) {
    // Not (or no longer) scanning staff here: whoever holds the phone now, the roster of
    // names and photos kept for the last one is not theirs to read. Queued scans stay.
    await forgetBundle();
    return showSync("not_allowed");
  }
  if (!response.ok || !json) return;
  const kept = { bundle: await response.json(), fetchedAt: new Date().toISOString() };
  await state.store.keepBundle(kept.bundle, kept.fetchedAt);
  await useBundle(kept);
  cachePhotos(kept.bundle);
}

async function forgetBundle() {
  await state.store.forgetBundle();
  if ("caches" in window) await caches.delete(PHOTO_CACHE);
  state.bundle = null;
  state.keys = new Map();
  $("scanner-list-status").textContent = t("no_list");
  search();
}

// Every photo of the roster into the Cache API (the service worker answers from it offline),
// a few at a time, those already there skipped.
async function cachePhotos(bundle) {
  if (!("caches" in window)) return;
  const cache = await caches.open(PHOTO_CACHE);
  const urls = Object.values(bundle.roster || {}).map((person) => person.photo).filter(Boolean);
  const missing = [];
  for (const url of urls) if (!(await cache.match(url))) missing.push(url);
  const worker = async () => {
    while (missing.length && navigator.onLine) {
      const url = missing.shift();
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.ok && !response.redirected) await cache.put(url, response);
      } catch {
        return;
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}

// -- Zone, event ----------------------------------------------------------------------------

function fillChoices() {
  // Filled again only when they change: a refresh must not close a list being chosen from.
  const choices = JSON.stringify([state.bundle.zones, state.bundle.events]);
  if (choices === state.choices) return;
  state.choices = choices;
  const zones = $("scanner-zone");
  const events = $("scanner-event");
  const chosenZone = state.zone ?? localStorage.getItem(remembered("zone"));
  const chosenEvent = state.event ?? localStorage.getItem(remembered("event"));
  zones.replaceChildren(new Option(t("choose_zone_option"), ""));
  for (const zone of state.bundle.zones || []) zones.append(new Option(zone.name, String(zone.number)));
  events.replaceChildren(new Option(t("no_event"), ""));
  for (const event of state.bundle.events || []) events.append(new Option(event.code + " · " + event.title, event.code));
  const zoneNumbers = (state.bundle.zones || []).map((zone) => String(zone.number));
  if (zoneNumbers.length === 1) zones.value = zoneNumbers[0];
  else if (chosenZone !== null && zoneNumbers.includes(String(chosenZone))) zones.value = String(chosenZone);
  if (chosenEvent && (state.bundle.events || []).some((event) => event.code === chosenEvent)) events.value = chosenEvent;
  chooseZone();
  chooseEvent();
}

function chooseZone() {
  const value = $("scanner-zone").value;
  state.zone = value ? Number(value) : null;
  if (value) localStorage.setItem(remembered("zone"), value);
  $("scanner-zone-missing").hidden = state.zone !== null;
}

function chooseEvent() {
  const value = $("scanner-event").value;
  state.event = value || null;
  localStorage.setItem(remembered("event"), value);
}

// -- Scans ---------------------------------------------------------------------------------

function ready() {
  if (!state.bundle) {
    notice(t("no_list"));
    return false;
  }
  if (state.zone === null) {
    notice(t("choose_zone"));
    $("scanner-zone").focus();
    return false;
  }
  return true;
}

async function queue(verdict, token, badge) {
  const at = new Date().toISOString();
  const scan = {
    id: crypto.randomUUID(),
    token,
    badge: token === null ? badge : null,
    zone: state.zone,
    event: state.event,
    at,
    queued: Date.now(),
    local: verdict.outcome,
    localBadge: verdict.badge,
  };
  const arrival = verdict.outcome === "admitted" ? { badge: verdict.badge, zone: state.zone, at } : null;
  await state.store.queueScan(scan, arrival);
  if (arrival) state.arrivals = mergeArrivals(state.arrivals, [arrival]);
  await showQueue();
  sync();
}

function seen(text) {
  const now = Date.now();
  const again = text === state.lastCode && now - state.lastSeen < SAME_CODE_WITHIN;
  state.lastCode = text;
  state.lastSeen = now;
  if (again) return;
  // One scan at a time, in the order seen: a second badge waits for the first's verdict.
  state.work = state.work.then(() => scanned(text)).catch((error) => console.error(error));
}

async function scanned(text) {
  if (!ready()) return;
  const verdict = await judgeToken(text, state.bundle, state.zone, Date.now() / 1000, state.arrivals, state.keys);
  show(verdict, { token: readToken(text) });
  if (text.length <= LONGEST_TOKEN) await queue(verdict, text, null);
}

async function checkInByHand(badge) {
  if (!ready()) return;
  const verdict = judgeManual(badge, state.bundle, state.zone, state.arrivals);
  show(verdict, { manual: true });
  await queue(verdict, null, badge);
  $("scanner-result").scrollIntoView({ block: "nearest" });
}

// -- Sync ----------------------------------------------------------------------------------

async function showQueue() {
  const scans = await state.store.queued();
  const refused = scans.filter((scan) => scan.refused).length;
  $("scanner-waiting").textContent = t("waiting", { count: scans.length - refused });
  const refusedLine = $("scanner-refused");
  refusedLine.hidden = refused === 0;
  refusedLine.textContent = refused ? t("refused_count", { count: refused }) : "";
}

function showSync(status) {
  state.syncStatus = status;
  const line = $("scanner-sync-status");
  const messages = {
    offline: t("offline"),
    signed_out: t("signed_out"),
    not_allowed: t("not_allowed"),
    error: t("sync_error"),
  };
  line.textContent = messages[status] || (state.lastSync ? t("synced_at", { when: when(state.lastSync) }) : "");
  $("scanner-sign-in").hidden = status !== "signed_out";
}

function showDifferences(results) {
  for (const [scan, result] of results) {
    if (result.outcome === scan.local) continue;
    const badge = result.badge ?? scan.localBadge ?? scan.badge;
    const person = badge !== null && badge !== undefined ? (state.bundle.roster || {})[String(badge)] : null;
    const who = person ? person.name : badge !== null && badge !== undefined ? t("badge_number", { number: badge }) : t("unknown_code");
    let says = title({ outcome: result.outcome });
    if (result.outcome === "duplicate" && result.first) {
      says += " · " + t("duplicate_detail", { when: when(result.first.at), zone: zoneName(result.first.zone) });
    }
    state.differences.unshift(t("server_says", { who, outcome: says, when: when(scan.at) }));
  }
  state.differences = state.differences.slice(0, 10);
  const list = $("scanner-differences");
  list.replaceChildren(...state.differences.map((text) => element("li", null, text)));
  $("scanner-differences-section").hidden = state.differences.length === 0;
}

// The page's CSRF token goes with the session it was served in; a page reloaded from the cache
// may hold an older one. A fresh copy of the page has the current one.
async function renewCsrf() {
  try {
    const response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok || response.redirected) return false;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector("[data-csrf-token]");
    if (!fresh || !fresh.dataset.csrfToken || fresh.dataset.csrfToken === state.csrf) return false;
    state.csrf = fresh.dataset.csrfToken;
    return true;
  } catch {
    return false;
  }
}

const session = {
  url: root.dataset.syncUrl,
  get device() {
    return state.device;
  },
  csrfToken: () => state.csrf,
  fetch: (...args) => fetch(...args),
  renewCsrf,
};

// One sync at a time; asked again while one runs, it runs once more after it.
function sync() {
  if (state.syncing) {
    state.syncAgain = true;
    return state.syncing;
  }
  state.syncing = (async () => {
    do {
      state.syncAgain = false;
      if (!navigator.onLine) {
        showSync("offline");
        break;
      }
      const outcome = await syncAll(state.store, session);
      if (outcome.status === "ok") state.lastSync = new Date().toISOString();
      if (outcome.status === "not_allowed" && state.bundle) await forgetBundle();
      showSync(outcome.status);
      if (state.bundle) showDifferences(outcome.results);
      await showQueue();
    } while (state.syncAgain);
  })().finally(() => {
    state.syncing = null;
  });
  return state.syncing;
}

// -- Search ------------------------------------------------------------------------------------

function search() {
  const list = $("scanner-found");
  const query = $("scanner-query").value;
  const found = state.bundle ? searchRoster(state.bundle.roster, query) : [];
  list.replaceChildren();
  for (const person of found) {
    const item = element("li", "found-person");
    const facts = element("span", "found-facts");
    facts.append(element("span", "found-name", person.name));
    const extra = [person.latin && person.latin !== person.name ? person.latin : "", person.delegation, t("badge_number", { number: person.number })];
    facts.append(element("span", "found-more", extra.filter(Boolean).join(" · ")));
    const button = element("button", "check-in", t("check_in"));
    button.type = "button";
    button.setAttribute("aria-label", t("check_in_name", { name: person.name }));
    button.addEventListener("click", () => checkInByHand(person.badge));
    item.append(facts, button);
    list.append(item);
  }
  $("scanner-found-status").textContent = query.trim() ? t("found", { count: found.length }) : "";
}

// -- The camera ------------------------------------------------------------------------------

const camera = new Camera($("scanner-video"), seen);

async function toggleCamera() {
  const button = $("scanner-camera");
  if (camera.running) {
    camera.stop();
    button.textContent = t("camera_start");
    $("scanner-video").hidden = true;
    return;
  }
  if (!ready()) return;
  try {
    $("scanner-video").hidden = false;
    await camera.start();
    button.textContent = t("camera_stop");
  } catch {
    camera.stop();
    $("scanner-video").hidden = true;
    notice(t("camera_error"));
  }
}

// -- The service worker: the page, its scripts and the photos offline --------------------------

async function registerWorker() {
  const url = root.dataset.workerUrl;
  if (!url || !("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(url, { scope: root.dataset.workerScope });
    const registration = await navigator.serviceWorker.ready;
    const assets = [location.href.split("#")[0]];
    for (const node of document.querySelectorAll("script[src], link[rel=modulepreload], link[rel=stylesheet]")) {
      assets.push(node.src || node.href);
    }
    const channel = new MessageChannel();
    const kept = new Promise((resolve) => {
      channel.port1.onmessage = resolve;
    });
    registration.active.postMessage({ type: "keep", urls: assets }, [channel.port2]);
    await kept;
    root.dataset.scannerOffline = "ready";
  } catch {
    // Without the worker the page still scans; it only cannot be reloaded offline.
  }
}

// -- Start ------------------------------------------------------------------------------------

async function start() {
  state.device = deviceId();
  state.store = await openStore(root.dataset.bundleUrl);
  $("scanner-zone").addEventListener("change", chooseZone);
  $("scanner-event").addEventListener("change", chooseEvent);
  $("scanner-camera").addEventListener("click", toggleCamera);
  $("scanner-query").addEventListener("input", search);
  $("scanner-search").addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  $("scanner-app").hidden = false;
  const stored = await state.store.bundle();
  if (stored) await useBundle(stored);
  else $("scanner-list-status").textContent = t("no_list");
  await showQueue();
  await refreshBundle();
  sync();
  window.addEventListener("online", () => {
    refreshBundle();
    sync();
  });
  window.addEventListener("offline", () => showSync("offline"));
  setInterval(refreshBundle, BUNDLE_EVERY);
  setInterval(sync, SYNC_EVERY);
  registerWorker();
  root.dataset.scannerReady = "true";
}

start();
