/** Character-string field kinds (RFC 1035 §3.3): STR, STR_OPT, STRS, CAA_TAG, REST and REST_Q. */

import type { ByteBuilder } from './byte-builder.js';
import { escapeText, unescapeText } from './char-string.js';
import { defineField, lengthOctetCheck, missingField, rdataError, REST_SIZE, STRING_SIZE, type FieldCodec } from './rdata-field-codec.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import type { TextToken } from './text-token.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

function parseCharString(t: TextToken, i: number): Uint8Array {
  const b = unescapeText(t.text, i);
  if (b.length > 255) throw new TextFormatError(TextErrorCode.STRING_TOO_LONG, `string longer than 255 octets`, i);
  return b;
}

function writeStr(out: ByteBuilder, b: Uint8Array): void {
  out.u8(b.length);
  out.bytes(b);
}

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/** Appends the quoted <character-string> at `r[p]`; returns the offset after it. */
function quotedText(r: Uint8Array, p: number, parts: string[]): number {
  parts.push('"' + escapeText(r, p + 1, p + 1 + r[p]!) + '"');
  return p + 1 + r[p]!;
}

/** One <character-string>. */
export const strField: FieldCodec = defineField({
  size: STRING_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    const t = tokens[i];
    if (t === undefined) throw missingField('string', i);
    writeStr(out, parseCharString(t, i));
    return i + 1;
  },
  toText: quotedText,
  validate: lengthOctetCheck,
});

/** An optional final <character-string> (ISDN subaddress). */
export const strOptField: FieldCodec = defineField({
  size: REST_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    const t = tokens[i];
    if (t === undefined) return i;
    writeStr(out, parseCharString(t, i));
    return i + 1;
  },
  toText(r, p, parts) {
    return p < r.length ? quotedText(r, p, parts) : p;
  },
  validate(b, p, end) {
    if (p < end) {
      if (p + 1 + b[p]! > end) throw rdataError('string runs past the end of the rdata', p);
      p += 1 + b[p]!;
    }
    return p;
  },
});

/** One or more <character-string>s up to the end. */
export const strsField: FieldCodec = defineField({
  size: REST_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    if (tokens[i] === undefined) throw missingField('string', i);
    for (; i < tokens.length; i++) writeStr(out, parseCharString(tokens[i]!, i));
    return i;
  },
  toText(r, p, parts) {
    while (p < r.length) p = quotedText(r, p, parts);
    return p;
  },
  validate(b, p, end) {
    if (p >= end) throw rdataError('missing character-string', p);
    while (p < end) {
      if (p + 1 + b[p]! > end) throw rdataError('string runs past the end of the rdata', p);
      p += 1 + b[p]!;
    }
    return p;
  },
});

/** CAA tag: a length octet and 1+ alphanumerics (RFC 8659 §4.1). */
export const caaTagField: FieldCodec = defineField({
  size: STRING_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    const t = tokens[i];
    if (t === undefined) throw missingField('CAA tag', i);
    const b = unescapeText(t.text, i);
    if (b.length === 0 || b.length > 255 || !b.every(isAlnum)) {
      throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad CAA tag '${t.text}' (letters and digits only)`, i);
    }
    writeStr(out, b);
    return i + 1;
  },
  toText(r, p, parts) {
    parts.push(escapeText(r, p + 1, p + 1 + r[p]!));
    return p + 1 + r[p]!;
  },
  validate(b, p, end) {
    const next = lengthOctetCheck(b, p, end);
    if (b[p] === 0 || !b.subarray(p + 1, p + 1 + b[p]!).every(isAlnum)) {
      throw new WireFormatError(WireErrorCode.BAD_RDATA, 'CAA tag must be 1+ letters and digits', p);
    }
    return next;
  },
});

/** The rest as one string (no length octet); `quoted` says the text must be in quotes. */
function restField(quoted: boolean): FieldCodec {
  return defineField({
    size: REST_SIZE,
    name: undefined,
    fromText(tokens, i, _origin, out) {
      const t = tokens[i];
      if (t === undefined) throw missingField('value', i);
      if (quoted && !t.quoted) throw new TextFormatError(TextErrorCode.BAD_VALUE, 'the target must be a quoted string', i);
      const b = unescapeText(t.text, i);
      out.bytes(b);
      return i + 1;
    },
    toText(r, p, parts) {
      parts.push('"' + escapeText(r, p, r.length) + '"');
      return r.length;
    },
    validate: (_b, _p, end) => end,
  });
}

/** The rest as one string, possibly empty (CAA value). */
export const restAnyField: FieldCodec = restField(false);
/** The rest as one quoted string (URI target, RFC 7553 §4.4); empty is accepted, as BIND does. */
export const restQuotedField: FieldCodec = restField(true);
