/** Number field kinds: U8, U16, U32, TTL (timers with units), U48 and TIME (RRSIG times). */

import { formatDnssecTime, parseDnssecTime } from './dnssec-time.js';
import { fixedField, missingField, parseNumber, u16at, u32at, type FieldCodec } from './rdata-field-codec.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import { lookupTtl } from './ttl-text.js';

export const u8Field: FieldCodec = fixedField(1,
  (tokens, i, _origin, out) => {
    out.u8(parseNumber(tokens[i], 0xff, 'number', i));
    return i + 1;
  },
  (r, p, parts) => {
    parts.push(String(r[p]));
    return p + 1;
  },
);

export const u16Field: FieldCodec = fixedField(2,
  (tokens, i, _origin, out) => {
    out.u16(parseNumber(tokens[i], 0xffff, 'number', i));
    return i + 1;
  },
  (r, p, parts) => {
    parts.push(String(u16at(r, p)));
    return p + 2;
  },
);

function u32Text(r: Uint8Array, p: number, parts: string[]): number {
  parts.push(String(u32at(r, p)));
  return p + 4;
}

export const u32Field: FieldCodec = fixedField(4,
  (tokens, i, _origin, out) => {
    out.u32(parseNumber(tokens[i], 0xffffffff, 'number', i));
    return i + 1;
  },
  u32Text,
);

/** 32-bit timer that accepts TTL units in text (SOA refresh etc.); printed as a number. */
export const ttlField: FieldCodec = fixedField(4,
  (tokens, i, _origin, out) => {
    const t = tokens[i];
    if (t === undefined) throw missingField('timer value', i);
    const v = lookupTtl(t.text);
    if (v < 0) throw new TextFormatError(TextErrorCode.BAD_NUMBER, `bad timer value '${t.text}'`, i);
    out.u32(v);
    return i + 1;
  },
  u32Text,
);

/** 48-bit unsigned (TSIG time signed, RFC 8945 §4.2). */
export const u48Field: FieldCodec = fixedField(6,
  (tokens, i, _origin, out) => {
    const v = parseNumber(tokens[i], 0xffffffffffff, 'number', i);
    out.u16(Math.floor(v / 0x100000000));
    out.u32(v % 0x100000000);
    return i + 1;
  },
  (r, p, parts) => {
    parts.push(String(u16at(r, p) * 0x100000000 + u32at(r, p + 2)));
    return p + 6;
  },
);

/** RRSIG time (RFC 4034 §3.2). */
export const timeField: FieldCodec = fixedField(4,
  (tokens, i, _origin, out) => {
    const t = tokens[i];
    if (t === undefined) throw missingField('time', i);
    out.u32(parseDnssecTime(t.text, i));
    return i + 1;
  },
  (r, p, parts) => {
    parts.push(formatDnssecTime(u32at(r, p)));
    return p + 4;
  },
);
