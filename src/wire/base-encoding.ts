import { TextErrorCode, TextFormatError } from './text-format-error.js';

const HEX = '0123456789ABCDEF';

export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[bytes[i]! >> 4]! + HEX[bytes[i]! & 15]!;
  return s;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

export function fromHex(text: string, token = -1): Uint8Array {
  if (text.length % 2 !== 0) throw new TextFormatError(TextErrorCode.BAD_HEX, `odd number of hex digits in '${text}'`, token);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexVal(text.charCodeAt(2 * i));
    const lo = hexVal(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new TextFormatError(TextErrorCode.BAD_HEX, `bad hex '${text}'`, token);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** RFC 4648 §4 base64, strict: alphabet, padding and length are checked. */
export function fromBase64(text: string, token = -1): Uint8Array {
  if (text.length % 4 !== 0 || !B64.test(text)) {
    throw new TextFormatError(TextErrorCode.BAD_BASE64, `bad base64 '${text.length > 40 ? text.slice(0, 40) + '…' : text}'`, token);
  }
  const buf = Buffer.from(text, 'base64');
  // Non-canonical trailing bits (e.g. "AB==") would not round-trip.
  if (buf.toString('base64') !== text) {
    throw new TextFormatError(TextErrorCode.BAD_BASE64, `non-canonical base64 '${text.slice(0, 40)}'`, token);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

export function toBase64(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('base64');
}

const B32HEX = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

/** RFC 4648 §7 base32hex without padding (RFC 5155 §3.3 presentation). */
export function toBase32Hex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = start; i < end; i++) {
    acc = (acc << 8) | bytes[i]!;
    bits += 8;
    while (bits >= 5) {
      out += B32HEX[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32HEX[(acc << (5 - bits)) & 31];
  return out;
}

/** Value of the base32hex digit with character code `c` (RFC 4648 §7, either case), or -1. */
export function base32HexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const u = c & ~0x20;
  if (u >= 0x41 && u <= 0x56) return u - 0x41 + 10;
  return -1;
}

/**
 * RFC 4648 §7 base32hex without padding: `n` digits, the value of digit `i`
 * given by `digitAt(i)`, to octets. Null on a bad digit (-1) or when the
 * digits are not whole octets: a length of 1, 3 or 6 modulo 8, or unused
 * low bits of the last digit set (as BIND checks).
 */
function octetsFromBase32Hex(n: number, digitAt: (i: number) => number): Uint8Array | null {
  // Lengths 1, 3 and 6 mod 8 cannot come from whole octets.
  const rem = n % 8;
  if (rem === 1 || rem === 3 || rem === 6) return null;
  const out = new Uint8Array((n * 5) >>> 3);
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < n; i++) {
    const v = digitAt(i);
    if (v < 0) return null;
    acc = ((acc << 5) | v) & 0x1fff;
    bits += 5;
    if (bits >= 8) {
      out[o++] = (acc >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

/** Base32hex text (trailing `=` padding allowed) to octets; TextFormatError BAD_BASE32 when it is not whole octets. */
export function fromBase32Hex(text: string, token = -1): Uint8Array {
  const t = text.replace(/=+$/, '');
  // Beyond ASCII, String.toUpperCase decides (it maps U+0131 and U+017F to I and S), as it always has here.
  const out = octetsFromBase32Hex(t.length, (i) => {
    const c = t.charCodeAt(i);
    return c < 0x80 ? base32HexDigit(c) : B32HEX.indexOf(t[i]!.toUpperCase());
  });
  if (out === null) throw new TextFormatError(TextErrorCode.BAD_BASE32, `bad base32hex '${text}'`, token);
  return out;
}

/** Base32hex octets `src[start, end)` (ASCII digits, either case, no padding) to octets; null when not whole octets. */
export function decodeBase32Hex(src: Uint8Array, start: number, end: number): Uint8Array | null {
  return octetsFromBase32Hex(end - start, (i) => base32HexDigit(src[start + i]!));
}
