// What the scanner says of a scan: the token's verdict (token.js), then whether the badge was
// already checked in at this zone, by the server's arrivals in the bundle or by this device's own
// admitted scans not yet in a bundle. Pure functions, as token.js.
import { checkToken, keysOf } from "./token.js";

// badge -> zone -> earliest time (ISO 8601), from the bundle's arrivals and this device's
// records [{badge, zone, at}]; the earliest time of the two is kept.
export function mergeArrivals(bundleArrivals, records) {
  const merged = {};
  const add = (badge, zone, at) => {
    const zones = (merged[String(badge)] ||= {});
    const known = zones[String(zone)];
    if (known === undefined || Date.parse(at) < Date.parse(known)) zones[String(zone)] = at;
  };
  for (const [badge, zones] of Object.entries(bundleArrivals || {})) {
    for (const [zone, at] of Object.entries(zones)) add(badge, zone, at);
  }
  for (const record of records || []) add(record.badge, record.zone, record.at);
  return merged;
}

// {at, zone} of the badge's first check-in at the zone, or null.
export function firstArrival(arrivals, badge, zone) {
  const at = ((arrivals || {})[String(badge)] || {})[String(zone)];
  return at === undefined ? null : { at, zone: Number(zone) };
}

function withPerson(verdict, bundle) {
  const badge = verdict.badge;
  verdict.person = badge === null ? null : (bundle.roster || {})[String(badge)] || null;
  return verdict;
}

// The verdict on a QR code's text: {outcome, reason, badge, version, first, person}, outcome one of
// the server's: admitted, duplicate, wrong_zone, revoked, expired, forged.
export async function judgeToken(text, bundle, zone, now, arrivals, keys = keysOf(bundle)) {
  const checked = await checkToken(text, bundle, zone, now, keys);
  const token = checked.token;
  // A forged token's badge number is whatever its maker wrote: show none.
  const badge = token === null || checked.outcome === "forged" ? null : token.badgeId;
  const verdict = { outcome: checked.outcome, reason: checked.reason, badge, version: token && token.version, first: null };
  if (checked.outcome === "valid") {
    verdict.first = firstArrival(arrivals, badge, zone);
    verdict.outcome = verdict.first === null ? "admitted" : "duplicate";
  }
  return withPerson(verdict, bundle);
}

// The verdict on a check-in by search (no token): the server re-checks the badge itself.
export function judgeManual(badge, bundle, zone, arrivals) {
  const first = firstArrival(arrivals, badge, zone);
  const verdict = { outcome: first === null ? "admitted" : "duplicate", reason: null, badge: Number(badge), version: null, first };
  return withPerson(verdict, bundle);
}

// Roster entries whose name, Latin transcription or badge number holds every word of `query`,
// case and accents aside; at most `limit`, in roster order.
export function searchRoster(roster, query, limit = 20) {
  const fold = (text) => String(text || "").normalize("NFKD").replace(/\p{M}/gu, "").toLocaleLowerCase();
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const found = [];
  for (const [badge, person] of Object.entries(roster || {})) {
    const haystack = fold([person.name, person.latin, person.number, person.delegation].join(" "));
    const number = String(person.number || "");
    const byNumber = words.length === 1 && /^\d+$/.test(words[0]) && Number(number) === Number(words[0]);
    if (byNumber || words.every((word) => haystack.includes(word))) {
      found.push({ badge: Number(badge), ...person });
      if (found.length >= limit) break;
    }
  }
  return found;
}
