import { fromBase32Hex, fromBase64, fromHex, toBase32Hex, toBase64, toHex } from './base-encoding.js';
import { escapeText, unescapeText } from './char-string.js';
import { formatDnssecTime, parseDnssecTime } from './dnssec-time.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip-address.js';
import { copyBytes } from './copy-bytes.js';
import { Name, lowerByte, wireNameLength, wireNameToText } from './name.js';
import type { WireReader } from './reader.js';
import { parseType, typeToText } from './rr-type.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import type { TextToken } from './text-token.js';
import { lookupTtl } from './ttl-text.js';
import { encodeTypeBitmap, typeBitmapToText, validateTypeBitmap } from './type-bitmap.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';
import type { WireWriter } from './writer.js';

/**
 * The field kinds rdata is built from. Most types are a fixed list of these
 * (see rdata-codec-table.ts); one generic engine then gives text, wire and
 * canonical conversions for all of them.
 */
export const F = {
  U8: 1,
  U16: 2,
  U32: 3,
  /** 32-bit timer that accepts TTL units in text (SOA refresh etc.). */
  TTL: 4,
  A: 5,
  AAAA: 6,
  /** Name compressed on output, decompressed on input, lowercased in canonical form (RFC 1035 types). */
  NAME_COMPRESSED: 7,
  /** Name never compressed on output but decompressed on input (RFC 3597 §4), lowercased in canonical form. */
  NAME_DECOMPRESSED: 8,
  /** Name never compressed either way, lowercased in canonical form (RRSIG signer). */
  NAME_LOWERCASED: 9,
  /** Name never compressed and kept as is in canonical form (RFC 6840 §5.1 NSEC, newer types). */
  NAME_VERBATIM: 10,
  /** One <character-string> (RFC 1035 §3.3). */
  STR: 11,
  /** One or more <character-string>s up to the end. */
  STRS: 12,
  /** An optional final <character-string> (ISDN subaddress). */
  STR_OPT: 13,
  /** Base64 up to the end, at least one octet. */
  B64: 14,
  /** Base64 up to the end, possibly empty. */
  B64_0: 15,
  /** Hex up to the end, at least one octet. */
  HEX: 16,
  /** Hex up to the end, possibly empty. */
  HEX_0: 17,
  /** Hex with a length octet; `-` is empty (NSEC3 salt, RFC 5155 §3.3). */
  HEX8: 18,
  /** Base32hex with a length octet (NSEC3 next hashed owner, RFC 5155 §3.3). */
  B32X8: 19,
  /** Type bit map up to the end (RFC 4034 §4.1.2). */
  BITMAP: 20,
  /** RRSIG time (RFC 4034 §3.2). */
  TIME: 21,
  /** A 16-bit RR type as a mnemonic. */
  TYPE: 22,
  /** DNSSEC algorithm octet; mnemonics accepted in text. */
  ALG: 23,
  /** CERT type (RFC 4398 §2.1); mnemonics accepted and printed. */
  CERT_TYPE: 24,
  /** CERT algorithm: like ALG but printed as a mnemonic, as BIND does. */
  CERT_ALG: 25,
  /** CAA tag: a length octet and 1+ alphanumerics (RFC 8659 §4.1). */
  CAA_TAG: 26,
  /** The rest as one string, possibly empty (CAA value). */
  REST: 27,
  /** The rest as one quoted string (URI target, RFC 7553 §4.4); empty is accepted, as BIND does. */
  REST_Q: 28,
  /** 64-bit locator/NodeID as four hex groups (RFC 6742 §2.3). */
  ILNP64: 29,
  EUI48: 30,
  EUI64: 31,
  /** 48-bit unsigned (TSIG time signed, RFC 8945 §4.2). */
  U48: 32,
  /** Octets with a 16-bit length, shown as base64 (TSIG MAC and other data). */
  B64_16: 33,
  /** DSYNC scheme octet; mnemonics accepted and printed. */
  DSYNC_SCHEME: 34,
  /** NSAP address up to the end: `0x` then hex, dots allowed (RFC 1706 §5). */
  NSAP: 35,
  /** Base64 up to the end, `-` for none; quoted tokens refused (DOA data, as BIND). */
  B64_DASH: 36,
  /** ATM address: format octet then AESA octets or E.164 digits (ATM Forum af-dans-0152.000). */
  ATMA: 37,
  /** APL items up to the end (RFC 3123 §4). */
  APL: 38,
  /** IP protocol number octet; `tcp`/`udp` accepted in text (WKS, RFC 1035 §3.4.2). */
  PROTO: 39,
  /** WKS port bit map up to the end, written as port numbers (RFC 1035 §3.4.2). */
  PORTS: 40,
} as const;

export type FieldKind = (typeof F)[keyof typeof F];

/** Fields that hold a domain name. */
export function isNameField(k: FieldKind): boolean {
  return k === F.NAME_COMPRESSED || k === F.NAME_DECOMPRESSED || k === F.NAME_LOWERCASED || k === F.NAME_VERBATIM;
}

/** DNSSEC algorithm mnemonics as BIND writes them (RFC 4034 Appendix A.1, RFC 5155 §2, RFC 5933). */
const BIND_ALGORITHMS: Record<string, number> = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5, NSEC3DSA: 6, NSEC3RSASHA1: 7, RSASHA256: 8,
  RSASHA512: 10, ECCGOST: 12, ECDSAP256SHA256: 13, ECDSAP384SHA384: 14, ED25519: 15, ED448: 16,
  INDIRECT: 252, PRIVATEDNS: 253, PRIVATEOID: 254,
};
/** Accepted in text: BIND's names plus the IANA registry spellings. */
const ALGORITHMS: Record<string, number> = {
  ...BIND_ALGORITHMS, 'DSA-NSEC3-SHA1': 6, 'RSASHA1-NSEC3-SHA1': 7, 'ECC-GOST': 12,
};
/** Printed: only names BIND 9.18 reads back (it refuses the IANA spellings above). */
const ALGORITHM_NAMES = new Map(Object.entries(BIND_ALGORITHMS).map(([k, v]) => [v, k]));
const CERT_TYPES: Record<string, number> = {
  PKIX: 1, SPKI: 2, PGP: 3, IPKIX: 4, ISPKI: 5, IPGP: 6, ACPKIX: 7, IACPKIX: 8, URI: 253, OID: 254,
};
const CERT_TYPE_NAMES = new Map(Object.entries(CERT_TYPES).map(([k, v]) => [v, k]));
/** RFC 9859 (DSYNC) scheme registry: scheme 1 is NOTIFY, the only mnemonic BIND knows. */
const DSYNC_SCHEMES: Record<string, number> = { NOTIFY: 1 };
const DSYNC_SCHEME_NAMES = new Map(Object.entries(DSYNC_SCHEMES).map(([k, v]) => [v, k]));

/** Growable octet buffer for building rdata from text (not a hot path). */
export class ByteBuilder {
  private buf = new Uint8Array(64);
  length = 0;

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): void {
    this.grow(1);
    this.buf[this.length++] = v;
  }

  u16(v: number): void {
    this.grow(2);
    this.buf[this.length++] = v >>> 8;
    this.buf[this.length++] = v;
  }

  u32(v: number): void {
    this.u16(v >>> 16);
    this.u16(v & 0xffff);
  }

  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  patchU16(at: number, v: number): void {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Parses a decimal number in 0..max. */
export function parseNumber(t: TextToken | undefined, max: number, what: string, index: number): number {
  if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, `missing ${what}`, index);
  const s = t.text;
  if (!/^[0-9]{1,15}$/.test(s) || Number(s) > max) {
    throw new TextFormatError(TextErrorCode.BAD_NUMBER, `bad ${what} '${s}' (want 0..${max})`, index);
  }
  return Number(s);
}

/** Parses a domain name token; `@` is the origin (RFC 1035 §5.1). */
export function parseNameToken(t: TextToken | undefined, origin: Name | undefined, index: number, what = 'name'): Name {
  if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, `missing ${what}`, index);
  if (t.text === '@' && !t.quoted) {
    if (origin === undefined) throw new TextFormatError(TextErrorCode.RELATIVE_NAME, "'@' used with no origin", index);
    return origin;
  }
  try {
    return Name.fromText(t.text, origin);
  } catch (e) {
    if (e instanceof TextFormatError) throw new TextFormatError(e.code as never, e.message, index, { cause: e });
    throw e;
  }
}

function parseMnemonic(t: TextToken | undefined, table: Record<string, number>, max: number, what: string, i: number): number {
  if (t !== undefined) {
    const v = table[t.text.toUpperCase()];
    if (v !== undefined) return v;
  }
  return parseNumber(t, max, what, i);
}

/** WKS protocol mnemonics (the two BIND resolves on every system). */
const PROTOCOLS: Record<string, number> = { TCP: 6, UDP: 17 };

/** Joins the remaining tokens (hex and base64 may be split by spaces). */
function joinRest(tokens: TextToken[], i: number): string {
  let s = '';
  for (let k = i; k < tokens.length; k++) s += tokens[k]!.text;
  return s;
}

function parseIlnp64(t: TextToken | undefined, i: number, out: ByteBuilder): void {
  const parts = t?.text.split(':');
  if (parts === undefined || parts.length !== 4 || !parts.every((p) => /^[0-9a-fA-F]{1,4}$/.test(p))) {
    throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad 64-bit locator '${t?.text ?? ''}'`, i);
  }
  for (const p of parts) out.u16(parseInt(p, 16));
}

function parseEui(t: TextToken | undefined, n: number, i: number, out: ByteBuilder): void {
  const parts = t?.text.split('-');
  if (parts === undefined || parts.length !== n || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) {
    throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad EUI-${n * 8} address '${t?.text ?? ''}'`, i);
  }
  for (const p of parts) out.u8(parseInt(p, 16));
}

function parseCharString(t: TextToken, i: number): Uint8Array {
  const b = unescapeText(t.text, i);
  if (b.length > 255) throw new TextFormatError(TextErrorCode.STRING_TOO_LONG, `string longer than 255 octets`, i);
  return b;
}

/**
 * Text → uncompressed wire rdata for a field list. All tokens must be used.
 */
export function fieldsFromText(fields: readonly FieldKind[], tokens: TextToken[], origin: Name | undefined): Uint8Array {
  const out = new ByteBuilder();
  let i = 0;
  for (const k of fields) {
    const t = tokens[i];
    switch (k) {
      case F.U8:
        out.u8(parseNumber(t, 0xff, 'number', i++));
        break;
      case F.U16:
        out.u16(parseNumber(t, 0xffff, 'number', i++));
        break;
      case F.U32:
        out.u32(parseNumber(t, 0xffffffff, 'number', i++));
        break;
      case F.TTL: {
        if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, 'missing timer value', i);
        const v = lookupTtl(t.text);
        if (v < 0) throw new TextFormatError(TextErrorCode.BAD_NUMBER, `bad timer value '${t.text}'`, i);
        out.u32(v);
        i++;
        break;
      }
      case F.A: {
        const b = new Uint8Array(4);
        if (t === undefined || !parseIPv4(t.text, b)) {
          throw new TextFormatError(TextErrorCode.BAD_IPV4, `bad IPv4 address '${t?.text ?? ''}'`, i);
        }
        out.bytes(b);
        i++;
        break;
      }
      case F.AAAA: {
        const b = new Uint8Array(16);
        if (t === undefined || !parseIPv6(t.text, b)) {
          throw new TextFormatError(TextErrorCode.BAD_IPV6, `bad IPv6 address '${t?.text ?? ''}'`, i);
        }
        out.bytes(b);
        i++;
        break;
      }
      case F.NAME_COMPRESSED:
      case F.NAME_DECOMPRESSED:
      case F.NAME_LOWERCASED:
      case F.NAME_VERBATIM:
        out.bytes(parseNameToken(t, origin, i++).wire);
        break;
      case F.STR:
        if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, 'missing string', i);
        writeStr(out, parseCharString(t, i++));
        break;
      case F.STR_OPT:
        if (t !== undefined) writeStr(out, parseCharString(t, i++));
        break;
      case F.STRS:
        if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, 'missing string', i);
        for (; i < tokens.length; i++) writeStr(out, parseCharString(tokens[i]!, i));
        break;
      case F.B64:
      case F.B64_0: {
        if (t === undefined && k === F.B64) throw new TextFormatError(TextErrorCode.MISSING_FIELD, 'missing base64 data', i);
        out.bytes(fromBase64(joinRest(tokens, i), i));
        i = tokens.length;
        break;
      }
      case F.HEX:
      case F.HEX_0: {
        if (t === undefined && k === F.HEX) throw new TextFormatError(TextErrorCode.MISSING_FIELD, 'missing hex data', i);
        out.bytes(fromHex(joinRest(tokens, i), i));
        i = tokens.length;
        break;
      }
      case F.HEX8: {
        if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, 'missing salt', i);
        const b = t.text === '-' ? new Uint8Array(0) : fromHex(t.text, i);
        if (b.length === 0 && t.text !== '-') throw new TextFormatError(TextErrorCode.BAD_HEX, "empty salt must be written '-'", i);
        if (b.length > 255) throw new TextFormatError(TextErrorCode.STRING_TOO_LONG, 'salt longer than 255 octets', i);
        out.u8(b.length);
        out.bytes(b);
        i++;
        break;
      }
      case F.B32X8: {
        if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, 'missing next hashed owner', i);
        const b = fromBase32Hex(t.text, i);
        if (b.length < 1 || b.length > 255) throw new TextFormatError(TextErrorCode.BAD_BASE32, 'next hashed owner must be 1..255 octets', i);
        out.u8(b.length);
        out.bytes(b);
        i++;
        break;
      }
      case F.BITMAP: {
        const types: number[] = [];
        for (; i < tokens.length; i++) types.push(parseType(tokens[i]!.text, i));
        out.bytes(encodeTypeBitmap(types));
        break;
      }
      case F.TIME:
        if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, 'missing time', i);
        out.u32(parseDnssecTime(t.text, i++));
        break;
      case F.TYPE: {
        if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, 'missing type', i);
        out.u16(parseType(t.text, i++));
        break;
      }
      case F.ALG:
      case F.CERT_ALG:
        out.u8(parseMnemonic(t, ALGORITHMS, 0xff, 'algorithm', i++));
        break;
      case F.CERT_TYPE:
        out.u16(parseMnemonic(t, CERT_TYPES, 0xffff, 'certificate type', i++));
        break;
      case F.DSYNC_SCHEME:
        out.u8(parseMnemonic(t, DSYNC_SCHEMES, 0xff, 'DSYNC scheme', i++));
        break;
      case F.CAA_TAG: {
        if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, 'missing CAA tag', i);
        const b = unescapeText(t.text, i);
        if (b.length === 0 || b.length > 255 || !b.every(isAlnum)) {
          throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad CAA tag '${t.text}' (letters and digits only)`, i);
        }
        writeStr(out, b);
        i++;
        break;
      }
      case F.REST:
      case F.REST_Q: {
        if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, 'missing value', i);
        if (k === F.REST_Q && !t.quoted) throw new TextFormatError(TextErrorCode.BAD_VALUE, 'the target must be a quoted string', i);
        const b = unescapeText(t.text, i);
        out.bytes(b);
        i++;
        break;
      }
      case F.ILNP64:
        parseIlnp64(t, i++, out);
        break;
      case F.EUI48:
        parseEui(t, 6, i++, out);
        break;
      case F.EUI64:
        parseEui(t, 8, i++, out);
        break;
      case F.U48: {
        const v = parseNumber(t, 0xffffffffffff, 'number', i++);
        out.u16(Math.floor(v / 0x100000000));
        out.u32(v % 0x100000000);
        break;
      }
      case F.NSAP:
        out.bytes(parseNsap(t, i++));
        break;
      case F.B64_DASH: {
        if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, 'missing base64 data or -', i);
        for (let k = i; k < tokens.length; k++) {
          if (tokens[k]!.quoted) throw new TextFormatError(TextErrorCode.BAD_BASE64, 'base64 data may not be quoted', k);
        }
        if (t.text !== '-' || tokens.length > i + 1) out.bytes(fromBase64(joinRest(tokens, i), i));
        i = tokens.length;
        break;
      }
      case F.ATMA:
        parseAtma(t, i++, out);
        break;
      case F.APL:
        for (; i < tokens.length; i++) parseAplItem(tokens[i]!, i, out);
        break;
      case F.PROTO:
        out.u8(parseMnemonic(t, PROTOCOLS, 0xff, 'protocol', i++));
        break;
      case F.PORTS: {
        const bits = new Uint8Array(8192);
        let used = 0;
        for (; i < tokens.length; i++) {
          const port = parseNumber(tokens[i], 0xffff, 'port', i);
          bits[port >> 3]! |= 0x80 >> (port & 7);
          used = Math.max(used, (port >> 3) + 1);
        }
        out.bytes(bits.subarray(0, used));
        break;
      }
      case F.B64_16: {
        const v = parseNumber(t, 0xffff, 'length', i++);
        const b = v === 0 ? new Uint8Array(0) : fromBase64(tokens[i]?.text ?? '', i++);
        if (b.length !== v) throw new TextFormatError(TextErrorCode.BAD_VALUE, `length ${v} disagrees with ${b.length} octets`, i - 1);
        out.u16(b.length);
        out.bytes(b);
        break;
      }
    }
  }
  if (i < tokens.length) {
    throw new TextFormatError(TextErrorCode.EXTRA_FIELD, `unexpected extra text '${tokens[i]!.text}'`, i);
  }
  if (out.length > 0xffff) throw new TextFormatError(TextErrorCode.BAD_VALUE, 'rdata longer than 65535 octets', 0);
  return out.finish();
}

/** RFC 1706 §5: `0x` followed by hex digits in pairs; dots may separate them anywhere. */
function parseNsap(t: TextToken | undefined, i: number): Uint8Array {
  const s = t?.text ?? '';
  const hexPart = /^0[xX]/.test(s) ? s.slice(2).replace(/\./g, '') : '';
  if (hexPart === '' || !/^[0-9a-fA-F]*$/.test(hexPart) || hexPart.length % 2 !== 0) {
    throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad NSAP address '${s}'`, i);
  }
  return fromHex(hexPart, i);
}

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

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

function writeStr(out: ByteBuilder, b: Uint8Array): void {
  out.u8(b.length);
  out.bytes(b);
}

function u16at(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

function u32at(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
}

/** RFC 6742 §2.1/§2.3 NodeID and Locator64: hex groups; BIND prints them without leading zeros. */
function hex4(v: number): string {
  return v.toString(16);
}

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

/** Uncompressed rdata → presentation text. The rdata must be valid. */
export function fieldsToText(fields: readonly FieldKind[], r: Uint8Array): string {
  const parts: string[] = [];
  let p = 0;
  for (const k of fields) {
    switch (k) {
      case F.U8:
        parts.push(String(r[p]));
        p += 1;
        break;
      case F.ALG:
        parts.push(String(r[p]));
        p += 1;
        break;
      case F.CERT_ALG:
        parts.push(ALGORITHM_NAMES.get(r[p]!) ?? String(r[p]));
        p += 1;
        break;
      case F.DSYNC_SCHEME:
        parts.push(DSYNC_SCHEME_NAMES.get(r[p]!) ?? String(r[p]));
        p += 1;
        break;
      case F.PROTO:
        parts.push(String(r[p]));
        p += 1;
        break;
      case F.NSAP:
        parts.push('0x' + toHex(r, p, r.length).toLowerCase());
        p = r.length;
        break;
      case F.B64_DASH:
        parts.push(p < r.length ? toBase64(r, p, r.length) : '-');
        p = r.length;
        break;
      case F.ATMA:
        // Format 0 is printed as lowercase hex and 1 as `+digits`, as BIND does.
        parts.push(r[p] === 1 ? '+' + Buffer.from(r.subarray(p + 1)).toString('latin1') : toHex(r, p + 1, r.length).toLowerCase());
        p = r.length;
        break;
      case F.APL:
        for (; p < r.length; p += 4 + (r[p + 3]! & 0x7f)) parts.push(aplItemText(r, p));
        break;
      case F.PORTS:
        for (let q = p; q < r.length; q++) {
          for (let bit = 0; bit < 8; bit++) if (r[q]! & (0x80 >> bit)) parts.push(String((q - p) * 8 + bit));
        }
        p = r.length;
        break;
      case F.U16:
        parts.push(String(u16at(r, p)));
        p += 2;
        break;
      case F.CERT_TYPE:
        parts.push(CERT_TYPE_NAMES.get(u16at(r, p)) ?? String(u16at(r, p)));
        p += 2;
        break;
      case F.TYPE:
        parts.push(typeToText(u16at(r, p)));
        p += 2;
        break;
      case F.U32:
      case F.TTL:
        parts.push(String(u32at(r, p)));
        p += 4;
        break;
      case F.TIME:
        parts.push(formatDnssecTime(u32at(r, p)));
        p += 4;
        break;
      case F.A:
        parts.push(formatIPv4(r, p));
        p += 4;
        break;
      case F.AAAA:
        parts.push(formatIPv6(r, p));
        p += 16;
        break;
      case F.NAME_COMPRESSED:
      case F.NAME_DECOMPRESSED:
      case F.NAME_LOWERCASED:
      case F.NAME_VERBATIM:
        parts.push(wireNameToText(r, p));
        p += wireNameLength(r, p);
        break;
      case F.STR:
      case F.CAA_TAG:
        if (k === F.CAA_TAG) parts.push(escapeText(r, p + 1, p + 1 + r[p]!));
        else parts.push('"' + escapeText(r, p + 1, p + 1 + r[p]!) + '"');
        p += 1 + r[p]!;
        break;
      case F.STR_OPT:
        if (p < r.length) {
          parts.push('"' + escapeText(r, p + 1, p + 1 + r[p]!) + '"');
          p += 1 + r[p]!;
        }
        break;
      case F.STRS:
        while (p < r.length) {
          parts.push('"' + escapeText(r, p + 1, p + 1 + r[p]!) + '"');
          p += 1 + r[p]!;
        }
        break;
      case F.B64:
      case F.B64_0:
        if (p < r.length) parts.push(chunked(toBase64(r, p, r.length)));
        p = r.length;
        break;
      case F.HEX:
      case F.HEX_0:
        if (p < r.length) parts.push(chunked(toHex(r, p, r.length)));
        p = r.length;
        break;
      case F.HEX8:
        parts.push(r[p] === 0 ? '-' : toHex(r, p + 1, p + 1 + r[p]!));
        p += 1 + r[p]!;
        break;
      case F.B32X8:
        parts.push(toBase32Hex(r, p + 1, p + 1 + r[p]!));
        p += 1 + r[p]!;
        break;
      case F.BITMAP:
        if (p < r.length) parts.push(typeBitmapToText(r, p, r.length));
        p = r.length;
        break;
      case F.REST:
      case F.REST_Q:
        parts.push('"' + escapeText(r, p, r.length) + '"');
        p = r.length;
        break;
      case F.ILNP64:
        parts.push([0, 2, 4, 6].map((o) => hex4(u16at(r, p + o))).join(':'));
        p += 8;
        break;
      case F.U48:
        parts.push(String(u16at(r, p) * 0x100000000 + u32at(r, p + 2)));
        p += 6;
        break;
      case F.B64_16: {
        const n = u16at(r, p);
        parts.push(String(n));
        if (n > 0) parts.push(toBase64(r, p + 2, p + 2 + n));
        p += 2 + n;
        break;
      }
      case F.EUI48:
      case F.EUI64: {
        const n = k === F.EUI48 ? 6 : 8;
        const hx: string[] = [];
        for (let j = 0; j < n; j++) hx.push(r[p + j]!.toString(16).padStart(2, '0'));
        parts.push(hx.join('-'));
        p += n;
        break;
      }
    }
  }
  return parts.join(' ');
}

const FIXED: Partial<Record<FieldKind, number>> = {
  [F.U8]: 1, [F.ALG]: 1, [F.CERT_ALG]: 1, [F.DSYNC_SCHEME]: 1, [F.PROTO]: 1, [F.U16]: 2, [F.TYPE]: 2, [F.CERT_TYPE]: 2, [F.U32]: 4, [F.TTL]: 4,
  [F.TIME]: 4, [F.A]: 4, [F.AAAA]: 16, [F.ILNP64]: 8, [F.EUI48]: 6, [F.EUI64]: 8, [F.U48]: 6,
};

function rdataError(what: string, at: number): WireFormatError {
  return new WireFormatError(WireErrorCode.RDATA_LENGTH, what, at);
}

/**
 * Checks uncompressed rdata `b[start..end]` against a field list. Throws
 * WireFormatError when the length disagrees or content is invalid. Returns
 * nothing; names must already be uncompressed.
 */
export function validateFields(fields: readonly FieldKind[], b: Uint8Array, start: number, end: number): void {
  let p = start;
  for (const k of fields) {
    const fixed = FIXED[k];
    if (fixed !== undefined) {
      if (p + fixed > end) throw rdataError('rdata too short for its type', p);
      p += fixed;
      continue;
    }
    switch (k) {
      case F.NAME_COMPRESSED:
      case F.NAME_DECOMPRESSED:
      case F.NAME_LOWERCASED:
      case F.NAME_VERBATIM: {
        const sub = b.subarray(0, end);
        p += wireNameLength(sub, p);
        break;
      }
      case F.STR:
      case F.CAA_TAG:
      case F.HEX8:
      case F.B32X8:
        if (p >= end || p + 1 + b[p]! > end) throw rdataError('string runs past the end of the rdata', p);
        if (k === F.CAA_TAG && (b[p] === 0 || !b.subarray(p + 1, p + 1 + b[p]!).every(isAlnum))) {
          throw new WireFormatError(WireErrorCode.BAD_RDATA, 'CAA tag must be 1+ letters and digits', p);
        }
        if (k === F.B32X8 && b[p] === 0) throw new WireFormatError(WireErrorCode.BAD_RDATA, 'empty NSEC3 next hashed owner', p);
        p += 1 + b[p]!;
        break;
      case F.B64_16:
        if (p + 2 > end || p + 2 + u16at(b, p) > end) throw rdataError('field runs past the end of the rdata', p);
        p += 2 + u16at(b, p);
        break;
      case F.STR_OPT:
        if (p < end) {
          if (p + 1 + b[p]! > end) throw rdataError('string runs past the end of the rdata', p);
          p += 1 + b[p]!;
        }
        break;
      case F.STRS:
        if (p >= end) throw rdataError('missing character-string', p);
        while (p < end) {
          if (p + 1 + b[p]! > end) throw rdataError('string runs past the end of the rdata', p);
          p += 1 + b[p]!;
        }
        break;
      case F.B64:
      case F.HEX:
        if (p >= end) throw rdataError('missing data at the end of the rdata', p);
        p = end;
        break;
      case F.B64_0:
      case F.HEX_0:
      case F.REST:
      case F.REST_Q:
      case F.B64_DASH:
        p = end;
        break;
      case F.NSAP:
        // RFC 1706 §5: an NSAP address is at least one octet.
        if (p >= end) throw rdataError('missing NSAP address', p);
        p = end;
        break;
      case F.ATMA:
        validateAtma(b, p, end);
        p = end;
        break;
      case F.APL:
        validateApl(b, p, end);
        p = end;
        break;
      case F.PORTS:
        // RFC 1035 §3.4.2: one bit per port, so at most 65536 bits.
        if (end - p > 8192) throw new WireFormatError(WireErrorCode.BAD_RDATA, 'WKS bit map longer than 8192 octets', p);
        p = end;
        break;
      case F.BITMAP:
        validateTypeBitmap(b, p, end);
        p = end;
        break;
    }
  }
  if (p !== end) throw rdataError(`${end - p} octets left over after the rdata fields`, p);
}

/** True when any name field allows compression pointers on input. */
export function hasDecompressedNames(fields: readonly FieldKind[]): boolean {
  return fields.some((k) => k === F.NAME_COMPRESSED || k === F.NAME_DECOMPRESSED);
}

/**
 * Reads `rdlength` octets of rdata at the reader, expanding compressed
 * names where the field allows (RFC 3597 §4), and validates the result.
 * Returns the uncompressed rdata (a view into the message when no name was
 * expanded).
 */
export function fieldsFromWire(fields: readonly FieldKind[], decompress: boolean, r: WireReader, rdlength: number): Uint8Array {
  const start = r.pos;
  const end = start + rdlength;
  r.need(rdlength);
  if (!decompress) {
    validateFields(fields, r.buf, start, end);
    r.pos = end;
    return r.buf.subarray(start, end);
  }
  const out = new ByteBuilder();
  const savedEnd = r.end;
  r.end = end;
  try {
    for (const k of fields) {
      if (isNameField(k)) {
        out.bytes(r.readName(k === F.NAME_COMPRESSED || k === F.NAME_DECOMPRESSED));
        continue;
      }
      // Non-name fields are copied raw; validation of the whole happens below.
      const from = r.pos;
      const fixed = FIXED[k];
      let next = end;
      if (fixed !== undefined) next = from + fixed;
      else if (k === F.STR) next = from < end ? from + 1 + r.buf[from]! : end + 1;
      if (next > end) throw rdataError('rdata too short for its type', from);
      out.bytes(r.buf.subarray(from, next));
      r.pos = next;
    }
    if (r.pos !== end) throw rdataError(`${end - r.pos} octets left over after the rdata fields`, r.pos);
  } finally {
    r.end = savedEnd;
  }
  const rdata = out.finish();
  validateFields(fields, rdata, 0, rdata.length);
  return rdata;
}

/** Writes uncompressed rdata with compression of NAME_COMPRESSED fields. */
export function fieldsToWire(fields: readonly FieldKind[], w: WireWriter, r: Uint8Array, compress: boolean): void {
  let p = 0;
  for (const k of fields) {
    if (isNameField(k)) {
      const len = wireNameLength(r, p);
      if (k === F.NAME_COMPRESSED) w.name(r, p, compress, true);
      else w.bytes(r, p, p + len);
      p += len;
      continue;
    }
    const fixed = FIXED[k];
    const next = fixed !== undefined ? p + fixed : k === F.STR ? p + 1 + r[p]! : r.length;
    w.bytes(r, p, next);
    p = next;
  }
}

/** RFC 4034 §6.2: lowercase the names of fields marked for it. */
export function fieldsCanonical(fields: readonly FieldKind[], r: Uint8Array): Uint8Array {
  // copyBytes, not r.slice(): on a Buffer that is a view, and the lowercasing would change the caller's rdata.
  const out = copyBytes(r);
  let p = 0;
  for (const k of fields) {
    if (isNameField(k)) {
      const len = wireNameLength(r, p);
      if (k !== F.NAME_VERBATIM) {
        for (let q = p; r[q] !== 0; q += r[q]! + 1) {
          for (let j = q + 1; j <= q + r[q]!; j++) out[j] = lowerByte(r[j]!);
        }
      }
      p += len;
      continue;
    }
    const fixed = FIXED[k];
    if (fixed !== undefined) p += fixed;
    else if (k === F.STR) p += 1 + r[p]!;
    else break; // variable-length tails hold no names
  }
  return out;
}
