/** Address field kinds: A, AAAA, ILNP64, EUI48, EUI64, NSAP, ATMA and APL. */

import { fromHex, toHex } from './base-encoding.js';
import type { ByteBuilder } from './byte-builder.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip-address.js';
import { defineField, fixedField, rdataError, REST_SIZE, u16at, type FieldCodec } from './rdata-field-codec.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import type { TextToken } from './text-token.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/** An IPv4 (4 octets) or IPv6 (16 octets) address. */
function ipField(
  size: 4 | 16, parse: (text: string, out: Uint8Array) => boolean, format: (b: Uint8Array, off: number) => string,
  code: typeof TextErrorCode.BAD_IPV4 | typeof TextErrorCode.BAD_IPV6, what: string,
): FieldCodec {
  return fixedField(size,
    (tokens, i, _origin, out) => {
      const t = tokens[i];
      const b = new Uint8Array(size);
      if (t === undefined || !parse(t.text, b)) throw new TextFormatError(code, `bad ${what} address '${t?.text ?? ''}'`, i);
      out.bytes(b);
      return i + 1;
    },
    (r, p, parts) => {
      parts.push(format(r, p));
      return p + size;
    },
  );
}

export const aField: FieldCodec = ipField(4, parseIPv4, formatIPv4, TextErrorCode.BAD_IPV4, 'IPv4');
export const aaaaField: FieldCodec = ipField(16, parseIPv6, formatIPv6, TextErrorCode.BAD_IPV6, 'IPv6');

/** RFC 6742 §2.1/§2.3 NodeID and Locator64: hex groups; BIND prints them without leading zeros. */
function hex4(v: number): string {
  return v.toString(16);
}

/** 64-bit locator/NodeID as four hex groups (RFC 6742 §2.3). */
export const ilnp64Field: FieldCodec = fixedField(8,
  (tokens, i, _origin, out) => {
    const t = tokens[i];
    const parts = t?.text.split(':');
    if (parts === undefined || parts.length !== 4 || !parts.every((p) => /^[0-9a-fA-F]{1,4}$/.test(p))) {
      throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad 64-bit locator '${t?.text ?? ''}'`, i);
    }
    for (const p of parts) out.u16(parseInt(p, 16));
    return i + 1;
  },
  (r, p, parts) => {
    parts.push([0, 2, 4, 6].map((o) => hex4(u16at(r, p + o))).join(':'));
    return p + 8;
  },
);

/** EUI-48 or EUI-64 (RFC 7043 §3.2, §4.2): `n` hex pairs joined by `-`. */
function euiField(n: number): FieldCodec {
  return fixedField(n,
    (tokens, i, _origin, out) => {
      const t = tokens[i];
      const parts = t?.text.split('-');
      if (parts === undefined || parts.length !== n || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) {
        throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad EUI-${n * 8} address '${t?.text ?? ''}'`, i);
      }
      for (const p of parts) out.u8(parseInt(p, 16));
      return i + 1;
    },
    (r, p, parts) => {
      const hx: string[] = [];
      for (let j = 0; j < n; j++) hx.push(r[p + j]!.toString(16).padStart(2, '0'));
      parts.push(hx.join('-'));
      return p + n;
    },
  );
}

export const eui48Field: FieldCodec = euiField(6);
export const eui64Field: FieldCodec = euiField(8);

/** RFC 1706 §5: `0x` followed by hex digits in pairs; dots may separate them anywhere. */
function parseNsap(t: TextToken | undefined, i: number): Uint8Array {
  const s = t?.text ?? '';
  const hexPart = /^0[xX]/.test(s) ? s.slice(2).replace(/\./g, '') : '';
  if (hexPart === '' || !/^[0-9a-fA-F]*$/.test(hexPart) || hexPart.length % 2 !== 0) {
    throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad NSAP address '${s}'`, i);
  }
  return fromHex(hexPart, i);
}

/** NSAP address up to the end: `0x` then hex, dots allowed (RFC 1706 §5). */
export const nsapField: FieldCodec = defineField({
  size: REST_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    out.bytes(parseNsap(tokens[i], i));
    return i + 1;
  },
  toText(r, p, parts) {
    parts.push('0x' + toHex(r, p, r.length).toLowerCase());
    return r.length;
  },
  validate(_b, p, end) {
    // RFC 1706 §5: an NSAP address is at least one octet.
    if (p >= end) throw rdataError('missing NSAP address', p);
    return end;
  },
});

/**
 * ATM address text (ATM Forum af-dans-0152.000): AESA as hex digit pairs, or
 * `+` and E.164 digits; single dots may separate digits, not lead or trail.
 */
function parseAtma(t: TextToken | undefined, i: number, out: ByteBuilder): void {
  const s = t?.text ?? '';
  const e164 = s.startsWith('+');
  const body = e164 ? s.slice(1) : s;
  const ok = e164 ? /^[0-9]+(\.[0-9]+)*$/.test(body) : /^[0-9a-fA-F]+(\.[0-9a-fA-F]+)*$/.test(body);
  const digits = body.replace(/\./g, '');
  if (!ok || (!e164 && digits.length % 2 !== 0)) throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad ATM address '${s}'`, i);
  out.u8(e164 ? 1 : 0);
  out.bytes(e164 ? Buffer.from(digits, 'latin1') : fromHex(digits, i));
}

/** Format 0 (AESA) is any octets, format 1 (E.164) ASCII digits; at least one octet of address. */
function validateAtma(b: Uint8Array, p: number, end: number): void {
  if (end - p < 2) throw rdataError('ATMA rdata needs a format and an address', p);
  if (b[p] === 1 && !b.subarray(p + 1, end).every((c) => c >= 0x30 && c <= 0x39)) {
    throw new WireFormatError(WireErrorCode.BAD_RDATA, 'ATMA E.164 address must be digits', p);
  }
}

/** ATM address: format octet then AESA octets or E.164 digits (ATM Forum af-dans-0152.000). */
export const atmaField: FieldCodec = defineField({
  size: REST_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    parseAtma(tokens[i], i, out);
    return i + 1;
  },
  toText(r, p, parts) {
    // Format 0 is printed as lowercase hex and 1 as `+digits`, as BIND does.
    parts.push(r[p] === 1 ? '+' + Buffer.from(r.subarray(p + 1)).toString('latin1') : toHex(r, p + 1, r.length).toLowerCase());
    return r.length;
  },
  validate(b, p, end) {
    validateAtma(b, p, end);
    return end;
  },
});

/** RFC 3123 §4: `[!]afi:address/prefix` for AFI 1 (IPv4) and 2 (IPv6). */
function parseAplItem(t: TextToken, i: number, out: ByteBuilder): void {
  const m = /^(!?)([12]):([^/]+)\/([0-9]{1,3})$/.exec(t.text);
  const v6 = m?.[2] === '2';
  const addr = new Uint8Array(v6 ? 16 : 4);
  if (m === null || !(v6 ? parseIPv6 : parseIPv4)(m[3]!, addr) || Number(m[4]) > (v6 ? 128 : 32)) {
    throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad APL item '${t.text}'`, i);
  }
  // RFC 3123 §4: trailing zero octets of the address are not sent.
  let len = addr.length;
  while (len > 0 && addr[len - 1] === 0) len--;
  out.u16(v6 ? 2 : 1);
  out.u8(Number(m[4]));
  out.u8((m[1] === '!' ? 0x80 : 0) | len);
  out.bytes(addr.subarray(0, len));
}

function aplItemText(r: Uint8Array, p: number): string {
  const afi = u16at(r, p);
  const len = r[p + 3]! & 0x7f;
  const addr = new Uint8Array(afi === 2 ? 16 : 4);
  addr.set(r.subarray(p + 4, p + 4 + len));
  const a = afi === 2 ? formatIPv6(addr) : formatIPv4(addr);
  return `${r[p + 3]! & 0x80 ? '!' : ''}${afi}:${a}/${r[p + 2]}`;
}

/** True when every APL item has an address family with a text form (1 or 2). */
export function aplHasTextForm(r: Uint8Array): boolean {
  for (let p = 0; p < r.length; p += 4 + (r[p + 3]! & 0x7f)) {
    const afi = u16at(r, p);
    if (afi !== 1 && afi !== 2) return false;
  }
  return true;
}

/** RFC 3123 §4: items of AFI, prefix, N|AFDLENGTH and AFDPART without trailing zero octets. */
function validateApl(b: Uint8Array, start: number, end: number): void {
  for (let p = start; p < end; ) {
    if (p + 4 > end) throw rdataError('APL item header cut short', p);
    const afi = u16at(b, p);
    const prefix = b[p + 2]!;
    const len = b[p + 3]! & 0x7f;
    if (p + 4 + len > end) throw rdataError('APL address runs past the end of the rdata', p);
    const max = afi === 1 ? 4 : afi === 2 ? 16 : 127;
    if (len > max || prefix > (afi === 1 ? 32 : afi === 2 ? 128 : 255)) {
      throw new WireFormatError(WireErrorCode.BAD_RDATA, `APL prefix or address too long for family ${afi}`, p);
    }
    if (len > 0 && b[p + 3 + len] === 0) throw new WireFormatError(WireErrorCode.BAD_RDATA, 'APL address has a trailing zero octet', p);
    p += 4 + len;
  }
}

/** APL items up to the end (RFC 3123 §4). */
export const aplField: FieldCodec = defineField({
  size: REST_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    for (; i < tokens.length; i++) parseAplItem(tokens[i]!, i, out);
    return i;
  },
  toText(r, p, parts) {
    for (; p < r.length; p += 4 + (r[p + 3]! & 0x7f)) parts.push(aplItemText(r, p));
    return p;
  },
  validate(b, p, end) {
    validateApl(b, p, end);
    return end;
  },
});
