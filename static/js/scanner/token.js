// A badge's token (docs: SPEC of issue #18, planner.badges.signing on the server): read from its
// QR text, its Ed25519 signature checked against the forum's keys, then the badge's revocation,
// dates and zones. Pure functions: no page, no storage, so that the tests can call them.
import { verifyAsync } from "../../vendor/noble-ed25519-3.2.0/index.js";
import { decode } from "./base32.js";

export const FORMAT = 1;
const HEADER = 24; // format, key, forum, badge, version, valid from, valid until, zone count
const SIGNATURE = 64;

// The fields of a token's bytes, or null when they are not a token of this format.
export function parseToken(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length < HEADER + SIGNATURE) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== FORMAT) return null;
  const count = view.getUint8(23);
  if (bytes.length !== HEADER + count + SIGNATURE) return null;
  const zones = Array.from(bytes.subarray(HEADER, HEADER + count));
  return {
    keyId: view.getUint32(1),
    forumId: view.getUint32(5),
    badgeId: view.getUint32(9),
    version: view.getUint16(13),
    validFrom: view.getUint32(15),
    validUntil: view.getUint32(19),
    zones,
    signed: bytes.subarray(0, HEADER + count),
    signature: bytes.subarray(HEADER + count),
  };
}

// The token in a QR code's text, or null. As the server reads it (planner.badges.signing):
// white space around it, lower case and padding are forgiven.
export function readToken(text) {
  if (typeof text !== "string") return null;
  const bytes = decode(text.trim().toUpperCase().replace(/=+$/, ""));
  return bytes === null ? null : parseToken(bytes);
}

// base64url without padding (the bundle's public keys) to bytes, or null.
export function fromBase64Url(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

// The bundle's verifying keys by id: every unretired key of the forum.
export function keysOf(bundle) {
  const keys = new Map();
  for (const key of bundle.keys || []) {
    const raw = fromBase64Url(key.public_key);
    if (raw !== null && raw.length === 32) keys.set(Number(key.id), raw);
  }
  return keys;
}

async function signatureHolds(token, publicKey) {
  try {
    // zip215: false is RFC 8032's strict reading, as OpenSSL (the server's cryptography) verifies.
    return await verifyAsync(token.signature, token.signed, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

// What a scanner says of the QR text `text` at zone number `zone`, `now` in unix seconds:
// {outcome, reason, token}. The outcome is "forged" (malformed, unknown key, another forum's, or
// a signature that does not hold), "revoked", "expired" (also: not valid yet), "wrong_zone" or
// "valid"; whether a valid badge was already checked in is the arrivals' to say (checkin.js).
export async function checkToken(text, bundle, zone, now, keys = keysOf(bundle)) {
  const token = readToken(text);
  if (token === null) return { outcome: "forged", reason: "malformed", token: null };
  if (token.forumId !== Number(bundle.forum.id)) return { outcome: "forged", reason: "other_forum", token };
  const publicKey = keys.get(token.keyId);
  if (publicKey === undefined) return { outcome: "forged", reason: "unknown_key", token };
  if (!(await signatureHolds(token, publicKey))) return { outcome: "forged", reason: "signature", token };
  const revokedBelow = (bundle.revocations || {})[String(token.badgeId)];
  if (revokedBelow !== undefined && token.version < Number(revokedBelow)) {
    return { outcome: "revoked", reason: "revoked", token };
  }
  if (now < token.validFrom) return { outcome: "expired", reason: "not_yet_valid", token };
  if (now >= token.validUntil) return { outcome: "expired", reason: "expired", token };
  if (!token.zones.includes(Number(zone))) return { outcome: "wrong_zone", reason: "wrong_zone", token };
  return { outcome: "valid", reason: null, token };
}
