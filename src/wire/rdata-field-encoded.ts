/** Field kinds of octets written in an encoding: base64 (B64, B64_0, B64_16, B64_DASH), hex (HEX, HEX_0, HEX8) and base32hex (B32X8). */

import { fromBase32Hex, fromBase64, fromHex, toBase32Hex, toBase64, toHex } from './base-encoding.js';
import {
  defineField, joinRest, lengthOctetCheck, missingField, parseNumber, rdataError, REST_SIZE, STRING16_SIZE, STRING_SIZE, u16at, type FieldCodec,
} from './rdata-field-codec.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/**
 * BIND prints long hex and base64 fields in words of 56 characters (as dig
 * and named-compilezone show them); both forms parse to the same octets.
 */
function chunked(s: string): string {
  if (s.length <= 56) return s;
  const words: string[] = [];
  for (let i = 0; i < s.length; i += 56) words.push(s.slice(i, i + 56));
  return words.join(' ');
}

/** Octets up to the end in an encoding, possibly split over several tokens; `required` means at least one octet. */
function encodedRest(
  required: boolean, what: string, decode: (s: string, i: number) => Uint8Array, encode: (r: Uint8Array, start: number, end: number) => string,
): FieldCodec {
  return defineField({
    size: REST_SIZE,
    name: undefined,
    fromText(tokens, i, _origin, out) {
      if (tokens[i] === undefined && required) throw missingField(what, i);
      out.bytes(decode(joinRest(tokens, i), i));
      return tokens.length;
    },
    toText(r, p, parts) {
      if (p < r.length) parts.push(chunked(encode(r, p, r.length)));
      return r.length;
    },
    validate: required
      ? (_b, p, end) => {
        if (p >= end) throw rdataError('missing data at the end of the rdata', p);
        return end;
      }
      : (_b, _p, end) => end,
  });
}

/** Base64 up to the end, at least one octet. */
export const b64Field: FieldCodec = encodedRest(true, 'base64 data', fromBase64, toBase64);
/** Base64 up to the end, possibly empty. */
export const b64OrEmptyField: FieldCodec = encodedRest(false, 'base64 data', fromBase64, toBase64);
/** Hex up to the end, at least one octet. */
export const hexField: FieldCodec = encodedRest(true, 'hex data', fromHex, toHex);
/** Hex up to the end, possibly empty. */
export const hexOrEmptyField: FieldCodec = encodedRest(false, 'hex data', fromHex, toHex);

/** Hex with a length octet; `-` is empty (NSEC3 salt, RFC 5155 §3.3). */
export const hex8Field: FieldCodec = defineField({
  size: STRING_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    const t = tokens[i];
    if (t === undefined) throw missingField('salt', i);
    const b = t.text === '-' ? new Uint8Array(0) : fromHex(t.text, i);
    if (b.length === 0 && t.text !== '-') throw new TextFormatError(TextErrorCode.BAD_HEX, "empty salt must be written '-'", i);
    if (b.length > 255) throw new TextFormatError(TextErrorCode.STRING_TOO_LONG, 'salt longer than 255 octets', i);
    out.u8(b.length);
    out.bytes(b);
    return i + 1;
  },
  toText(r, p, parts) {
    parts.push(r[p] === 0 ? '-' : toHex(r, p + 1, p + 1 + r[p]!));
    return p + 1 + r[p]!;
  },
  validate: lengthOctetCheck,
});

/** Base32hex with a length octet (NSEC3 next hashed owner, RFC 5155 §3.3). */
export const base32hex8Field: FieldCodec = defineField({
  size: STRING_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    const t = tokens[i];
    if (t === undefined) throw missingField('next hashed owner', i);
    const b = fromBase32Hex(t.text, i);
    if (b.length < 1 || b.length > 255) throw new TextFormatError(TextErrorCode.BAD_BASE32, 'next hashed owner must be 1..255 octets', i);
    out.u8(b.length);
    out.bytes(b);
    return i + 1;
  },
  toText(r, p, parts) {
    parts.push(toBase32Hex(r, p + 1, p + 1 + r[p]!));
    return p + 1 + r[p]!;
  },
  validate(b, p, end) {
    const next = lengthOctetCheck(b, p, end);
    if (b[p] === 0) throw new WireFormatError(WireErrorCode.BAD_RDATA, 'empty NSEC3 next hashed owner', p);
    return next;
  },
});

/** Octets with a 16-bit length, shown as the length and base64 (TSIG MAC and other data, RFC 8945 §4.2). */
export const b64With16BitLengthField: FieldCodec = defineField({
  size: STRING16_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    const v = parseNumber(tokens[i], 0xffff, 'length', i++);
    const b = v === 0 ? new Uint8Array(0) : fromBase64(tokens[i]?.text ?? '', i++);
    if (b.length !== v) throw new TextFormatError(TextErrorCode.BAD_VALUE, `length ${v} disagrees with ${b.length} octets`, i - 1);
    out.u16(b.length);
    out.bytes(b);
    return i;
  },
  toText(r, p, parts) {
    const n = u16at(r, p);
    parts.push(String(n));
    if (n > 0) parts.push(toBase64(r, p + 2, p + 2 + n));
    return p + 2 + n;
  },
  validate(b, p, end) {
    if (p + 2 > end || p + 2 + u16at(b, p) > end) throw rdataError('field runs past the end of the rdata', p);
    return p + 2 + u16at(b, p);
  },
});

/** Base64 up to the end, `-` for none; quoted tokens refused (DOA data, as BIND). */
export const b64OrDashField: FieldCodec = defineField({
  size: REST_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    const t = tokens[i];
    if (t === undefined) throw missingField('base64 data or -', i);
    for (let k = i; k < tokens.length; k++) {
      if (tokens[k]!.quoted) throw new TextFormatError(TextErrorCode.BAD_BASE64, 'base64 data may not be quoted', k);
    }
    if (t.text !== '-' || tokens.length > i + 1) out.bytes(fromBase64(joinRest(tokens, i), i));
    return tokens.length;
  },
  toText(r, p, parts) {
    parts.push(p < r.length ? toBase64(r, p, r.length) : '-');
    return r.length;
  },
  validate: (_b, _p, end) => end,
});
