import { fromBase64, toBase64 } from './base-encoding.js';
import { escapeText, unescapeText } from './char-string.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip-address.js';
import { wireNameLength, wireNameToText } from './name.js';
import { ByteBuilder } from './byte-builder.js';
import { parseNameToken, parseNumber } from './rdata-field-codec.js';
import { opaqueCodec, type RdataCodec } from './rdata-codec-interface.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/** RFC 9460 §14.3.2 SvcParamKeys with presentation names (the set BIND 9.18 knows). */
const KEY_NAMES = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint', 'dohpath'];
const KEY = { MANDATORY: 0, ALPN: 1, NO_DEFAULT_ALPN: 2, PORT: 3, IPV4HINT: 4, ECH: 5, IPV6HINT: 6, DOHPATH: 7 } as const;

function keyText(k: number): string {
  return KEY_NAMES[k] ?? `key${k}`;
}

/** `keyNNNNN` (no leading zeros, ≤ 65535) or a known name; -1 otherwise. */
function lookupKey(text: string): number {
  const i = KEY_NAMES.indexOf(text);
  if (i >= 0) return i;
  const m = /^key(0|[1-9][0-9]{0,4})$/.exec(text);
  if (m === null || Number(m[1]) > 65535) return -1;
  return Number(m[1]);
}

function wireBad(why: string, at = -1): WireFormatError {
  return new WireFormatError(WireErrorCode.BAD_RDATA, `bad SVCB rdata: ${why}`, at);
}

function textBad(why: string, token: number, cause?: unknown): TextFormatError {
  return new TextFormatError(TextErrorCode.BAD_VALUE, `bad SVCB parameter: ${why}`, token, cause === undefined ? undefined : { cause });
}

/**
 * RFC 9460 Appendix A.1: splits a value-list on unescaped commas; `\,` and
 * `\\` inside the (already char-string-decoded) value stand for themselves.
 * Empty items are refused.
 */
function splitValueList(v: Uint8Array, token: number): Uint8Array[] {
  const items: Uint8Array[] = [];
  let cur: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (b === 0x5c && i + 1 < v.length) {
      cur.push(v[++i]!);
      continue;
    }
    if (b === 0x2c) {
      if (cur.length === 0) throw textBad('empty item in list', token);
      items.push(Uint8Array.from(cur));
      cur = [];
      continue;
    }
    cur.push(b);
  }
  if (cur.length === 0) throw textBad('empty item in list', token);
  items.push(Uint8Array.from(cur));
  return items;
}

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/**
 * RFC 9461 §5: dohpath is a relative URI template (RFC 6570) that uses the
 * "dns" variable. Checked the way BIND checks it.
 */
function validDohpath(s: string): boolean {
  if (!s.startsWith('/')) return false;
  let hasDns = false;
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '%') {
      if (!/^%[0-9A-Fa-f]{2}/.test(s.slice(i, i + 3))) return false;
      i += 3;
      continue;
    }
    if (c === '}') return false;
    if (c !== '{') {
      i++;
      continue;
    }
    const end = s.indexOf('}', i);
    if (end < 0) return false;
    let expr = s.slice(i + 1, end);
    if ('+#./;?&'.includes(expr[0] ?? '')) expr = expr.slice(1);
    for (const spec of expr.split(',')) {
      const m = /^((?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})+(?:\.(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})+)*)(?::([1-9][0-9]{0,3})|\*)?$/.exec(spec);
      if (m === null) return false;
      if (m[1] === 'dns') hasDns = true;
    }
    i = end + 1;
  }
  return hasDns;
}

function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

/** Checks one parameter value on the wire (RFC 9460 §7, §8; RFC 9461 §5). */
function checkValue(key: number, b: Uint8Array, start: number, len: number): void {
  switch (key) {
    case KEY.MANDATORY:
      if (len === 0 || len % 2 !== 0) throw wireBad('mandatory list must be a non-empty list of keys', start);
      for (let p = start; p < start + len; p += 2) {
        if (u16(b, p) === KEY.MANDATORY) throw wireBad('mandatory may not list itself', p);
        if (p > start && u16(b, p) <= u16(b, p - 2)) throw wireBad('mandatory keys must be in increasing order', p);
      }
      break;
    case KEY.ALPN:
      if (len === 0) throw wireBad('empty alpn', start);
      for (let p = start; p < start + len; p += 1 + b[p]!) {
        if (b[p] === 0 || p + 1 + b[p]! > start + len) throw wireBad('bad alpn id', p);
      }
      break;
    case KEY.NO_DEFAULT_ALPN:
      if (len !== 0) throw wireBad('no-default-alpn takes no value', start);
      break;
    case KEY.PORT:
      if (len !== 2) throw wireBad('port is two octets', start);
      break;
    case KEY.IPV4HINT:
      if (len === 0 || len % 4 !== 0) throw wireBad('ipv4hint must hold whole IPv4 addresses', start);
      break;
    case KEY.IPV6HINT:
      if (len === 0 || len % 16 !== 0) throw wireBad('ipv6hint must hold whole IPv6 addresses', start);
      break;
    case KEY.DOHPATH:
      if (!validDohpath(Buffer.from(b.subarray(start, start + len)).toString('utf8'))) throw wireBad('bad dohpath', start);
      break;
  }
}

function validate(r: Uint8Array): void {
  if (r.length < 3) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'SVCB rdata too short');
  let p = 2 + wireNameLength(r, 2);
  let last = -1;
  const present = new Set<number>();
  let mandatoryAt = -1;
  while (p < r.length) {
    if (p + 4 > r.length) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'SvcParam header cut short', p);
    const key = u16(r, p);
    const len = u16(r, p + 2);
    if (key <= last) throw wireBad(last === key ? `duplicate key ${keyText(key)}` : 'keys out of order', p);
    if (p + 4 + len > r.length) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'SvcParam value cut short', p);
    checkValue(key, r, p + 4, len);
    if (key === KEY.MANDATORY) mandatoryAt = p + 4;
    present.add(key);
    last = key;
    p += 4 + len;
  }
  if (mandatoryAt >= 0) {
    const len = u16(r, mandatoryAt - 2);
    for (let q = mandatoryAt; q < mandatoryAt + len; q += 2) {
      if (!present.has(u16(r, q))) throw wireBad(`mandatory key ${keyText(u16(r, q))} is missing`, q);
    }
  }
  // RFC 9460 §7.1.1: no-default-alpn is only self-consistent with alpn.
  if (present.has(KEY.NO_DEFAULT_ALPN) && !present.has(KEY.ALPN)) throw wireBad('no-default-alpn without alpn');
}

/** Parses one `key[=value]` token into its wire value. */
function parseParam(text: string, token: number): [number, Uint8Array] {
  let eq = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '=') {
      eq = i;
      break;
    }
  }
  const keyName = eq < 0 ? text : text.slice(0, eq);
  const key = lookupKey(keyName);
  if (key < 0) throw textBad(`unknown key '${keyName}'`, token);
  const hasValue = eq >= 0;
  const raw = hasValue ? unescapeText(text.slice(eq + 1), token) : new Uint8Array(0);
  const out = new ByteBuilder();
  switch (key) {
    case KEY.MANDATORY: {
      if (raw.length === 0) throw textBad('mandatory needs a value', token);
      const keys = splitValueList(raw, token).map((k) => {
        const n = lookupKey(latin1(k));
        if (n < 0) throw textBad(`unknown key '${latin1(k)}' in mandatory`, token);
        return n;
      });
      keys.sort((a, b) => a - b);
      for (let i = 1; i < keys.length; i++) if (keys[i] === keys[i - 1]) throw textBad('duplicate key in mandatory', token);
      for (const k of keys) out.u16(k);
      break;
    }
    case KEY.ALPN:
      if (raw.length === 0) throw textBad('alpn needs a value', token);
      for (const id of splitValueList(raw, token)) {
        if (id.length > 255) throw textBad('alpn id longer than 255 octets', token);
        out.u8(id.length);
        out.bytes(id);
      }
      break;
    case KEY.NO_DEFAULT_ALPN:
      if (hasValue) throw textBad('no-default-alpn takes no value', token);
      break;
    case KEY.PORT:
      out.u16(parseNumber({ text: latin1(raw), quoted: false }, 0xffff, 'port', token));
      break;
    case KEY.IPV4HINT:
    case KEY.IPV6HINT: {
      if (raw.length === 0) throw textBad(`${keyText(key)} needs a value`, token);
      const v6 = key === KEY.IPV6HINT;
      for (const a of splitValueList(raw, token)) {
        const b = new Uint8Array(v6 ? 16 : 4);
        if (!(v6 ? parseIPv6 : parseIPv4)(latin1(a), b)) {
          throw new TextFormatError(v6 ? TextErrorCode.BAD_IPV6 : TextErrorCode.BAD_IPV4, `bad ${v6 ? 'IPv6' : 'IPv4'} address '${latin1(a)}'`, token);
        }
        out.bytes(b);
      }
      break;
    }
    case KEY.ECH:
      // RFC 9460 §14.3.2 leaves the ECHConfigList format to the ECH spec; like BIND, an empty value is accepted.
      out.bytes(fromBase64(latin1(raw), token));
      break;
    case KEY.DOHPATH:
      if (!validDohpath(Buffer.from(raw).toString('utf8'))) throw textBad(`bad dohpath '${latin1(raw)}'`, token);
      out.bytes(raw);
      break;
    default:
      out.bytes(raw);
  }
  return [key, out.finish()];
}

function valueText(key: number, r: Uint8Array, start: number, len: number): string {
  const end = start + len;
  switch (key) {
    case KEY.MANDATORY: {
      const keys: string[] = [];
      for (let p = start; p < end; p += 2) keys.push(keyText(u16(r, p)));
      return keys.join(',');
    }
    case KEY.ALPN: {
      const ids: string[] = [];
      for (let p = start; p < end; p += 1 + r[p]!) {
        // RFC 9460 Appendix A.1: commas and backslashes inside an id are escaped for the
        // value-list, then the whole is escaped again as a character-string.
        const listEscaped: number[] = [];
        for (let q = p + 1; q < p + 1 + r[p]!; q++) {
          if (r[q] === 0x2c || r[q] === 0x5c) listEscaped.push(0x5c);
          listEscaped.push(r[q]!);
        }
        // BIND writes a space inside an alpn id as \032 (other values keep it bare).
        ids.push(escapeText(Uint8Array.from(listEscaped)).replace(/ /g, '\\032'));
      }
      return `"${ids.join(',')}"`;
    }
    case KEY.PORT:
      return String(u16(r, start));
    case KEY.IPV4HINT: {
      const a: string[] = [];
      for (let p = start; p < end; p += 4) a.push(formatIPv4(r, p));
      return a.join(',');
    }
    case KEY.IPV6HINT: {
      const a: string[] = [];
      for (let p = start; p < end; p += 16) a.push(formatIPv6(r, p));
      return a.join(',');
    }
    case KEY.ECH:
      return toBase64(r, start, end);
    default:
      return `"${escapeText(r, start, end)}"`;
  }
}

/** RFC 9460 SVCB and HTTPS (same rdata layout). */
export function svcbCodec(_type: number): RdataCodec {
  return opaqueCodec({
    fromText(tokens, origin) {
      const out = new ByteBuilder();
      out.u16(parseNumber(tokens[0], 0xffff, 'priority', 0));
      out.bytes(parseNameToken(tokens[1], origin, 1, 'target').wire);
      const params = new Map<number, Uint8Array>();
      for (let i = 2; i < tokens.length; i++) {
        const [key, value] = parseParam(tokens[i]!.text, i);
        if (params.has(key)) throw textBad(`duplicate key ${keyText(key)}`, i);
        params.set(key, value);
      }
      // RFC 9460 §2.2: keys appear on the wire in increasing order.
      for (const key of [...params.keys()].sort((a, b) => a - b)) {
        const v = params.get(key)!;
        out.u16(key);
        out.u16(v.length);
        out.bytes(v);
      }
      const rdata = out.finish();
      try {
        validate(rdata);
      } catch (e) {
        throw textBad((e as Error).message, tokens.length - 1, e);
      }
      return rdata;
    },
    toText(r) {
      const parts = [String(u16(r, 0)), wireNameToText(r, 2)];
      let p = 2 + wireNameLength(r, 2);
      while (p < r.length) {
        const key = u16(r, p);
        const len = u16(r, p + 2);
        // An empty value is printed as the bare key (no-default-alpn, an empty ech, keyNNNN), as BIND does.
        if (len === 0) parts.push(keyText(key));
        else parts.push(`${keyText(key)}=${valueText(key, r, p + 4, len)}`);
        p += 4 + len;
      }
      return parts.join(' ');
    },
    validate,
  });
}
