// RFC 4648 base32, upper case, no padding: the QR text of a badge token (QR alphanumeric mode).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function encode(bytes) {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

// The bytes of `text`, or null when it is not base32 as a token writes it: only A-Z and 2-7,
// no padding, and a length a whole number of bytes gives. The last character's unused bits are
// not looked at (as Python's base64.b32decode, which the server reads tokens with).
export function decode(text) {
  if (typeof text !== "string" || !/^[A-Z2-7]*$/.test(text)) return null;
  if ([1, 3, 6].includes(text.length % 8)) return null;
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of text) {
    buffer = (buffer << 5) | ALPHABET.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out[index++] = (buffer >>> (bits - 8)) & 255;
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}
