/**
 * TSIG (RFC 8945): signing and verifying DNS messages with shared-secret
 * HMACs, for single messages and for multi-message responses (AXFR/IXFR
 * over TCP, §5.3.1).
 *
 * Everything works on raw wire octets: the MAC covers the message exactly
 * as sent, so it is never re-encoded. The TSIG record is always the last
 * record of the additional section (§5.1).
 */
import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';
import { Name, RRClass, RRType, WireReader, copyBytes } from '../wire/index.js';
import type { TsigAlgorithm, TsigKey } from './tsig-key.js';

/** TSIG error field values (RFC 8945 §3, IANA "DNS RCODEs"). */
export const TsigError = { NOERROR: 0, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADTRUNC: 22 } as const;

/** The fudge we send (RFC 8945 §10 recommends 300 seconds). */
export const DEFAULT_FUDGE = 300;

/** RFC 8945 §5.3.1: a client accepts at most 99 unsigned messages between signed ones. */
const MAX_UNSIGNED_RUN = 99;

const HEADER_LENGTH = 12;

interface AlgInfo {
  readonly alg: TsigAlgorithm;
  /** node:crypto digest name. */
  readonly digest: string;
  /** HMAC output length in octets. */
  readonly size: number;
  /** Wire name, lowercase (canonical). */
  readonly name: Name;
}

const ALGS: Record<TsigAlgorithm, AlgInfo> = {
  'hmac-sha1': { alg: 'hmac-sha1', digest: 'sha1', size: 20, name: Name.fromText('hmac-sha1.') },
  'hmac-sha224': { alg: 'hmac-sha224', digest: 'sha224', size: 28, name: Name.fromText('hmac-sha224.') },
  'hmac-sha256': { alg: 'hmac-sha256', digest: 'sha256', size: 32, name: Name.fromText('hmac-sha256.') },
  'hmac-sha384': { alg: 'hmac-sha384', digest: 'sha384', size: 48, name: Name.fromText('hmac-sha384.') },
  'hmac-sha512': { alg: 'hmac-sha512', digest: 'sha512', size: 64, name: Name.fromText('hmac-sha512.') },
};

const BY_KEY = new Map<string, AlgInfo>(Object.values(ALGS).map((a) => [a.name.key, a]));

/** RFC 8945 §6 algorithm names (wire): `hmac-sha256.` etc.; hmac-md5 is not supported. */
export function algorithmName(alg: TsigAlgorithm): Name {
  return ALGS[alg].name;
}

/** The algorithm a TSIG algorithm name stands for (case-insensitive), or undefined when unsupported. */
export function algorithmFromName(name: Name): TsigAlgorithm | undefined {
  return BY_KEY.get(name.key)?.alg;
}

/** Constant-time comparison (crypto.timingSafeEqual on equal lengths; unequal lengths are simply unequal). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** BADTIME Other Data (RFC 8945 §5.2.3): the server's current time as 48 bits. */
export function tsigTimeOtherData(now: number): Uint8Array {
  const out = new Uint8Array(6);
  putU48(out, 0, now);
  return out;
}

export interface TsigSignOptions {
  /** Seconds since the epoch; default Math.floor(Date.now()/1000). */
  now?: number;
  /** Default 300. */
  fudge?: number;
  /** Signing a response: the request's MAC (RFC 8945 §5.3: prepended with its 2-octet length). */
  requestMac?: Uint8Array;
  /**
   * 2nd+ message of a multi-message response (§5.3.1): the previous MAC
   * (length-prefixed), and only the "timers" variables. Takes precedence over requestMac.
   */
  priorMac?: Uint8Array;
  /** TSIG error field (e.g. BADTIME) for error responses. */
  error?: number;
  /** BADTIME: server time (6 octets, see tsigTimeOtherData), RFC 8945 §5.2.3. */
  otherData?: Uint8Array;
}

export interface TsigSigned {
  bytes: Uint8Array;
  mac: Uint8Array;
}

export interface TsigVerified {
  /** The message has a TSIG RR (last record of the additional section). */
  present: boolean;
  /** TsigError: NOERROR when present and valid (and when absent, unless malformed). */
  error: number;
  /** The key it verified with (or the claimed key when BADSIG/BADTIME); null when absent or BADKEY. */
  key: TsigKey | null;
  /** Owner of the TSIG RR. */
  keyName: Name | null;
  algorithm: Name | null;
  /** The MAC in the message (empty when absent). */
  mac: Uint8Array;
  /** Time signed. */
  time: number;
  fudge: number;
  originalId: number;
  /** The error field carried in the TSIG itself (for responses). */
  tsigError: number;
  /** The TSIG Other Data (the server's time in a BADTIME response). */
  otherData: Uint8Array;
  /** The message without its TSIG: ARCOUNT decremented and the ID replaced by the original ID (what the MAC covers). */
  stripped: Uint8Array;
}

export interface TsigVerifyOptions {
  /** Seconds since the epoch; default Math.floor(Date.now()/1000). */
  now?: number;
  /** Verifying a response: the MAC of our request. */
  requestMac?: Uint8Array;
  /** Verifying the 2nd+ message of a multi-message response: the previous MAC. Takes precedence over requestMac. */
  priorMac?: Uint8Array;
  /** Only the timer variables are covered (default: true exactly when priorMac is given). */
  timersOnly?: boolean;
}

type Verified = TsigVerified & { malformed: boolean };

const EMPTY = new Uint8Array(0);

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function putU16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function putU48(b: Uint8Array, at: number, v: number): void {
  const hi = Math.floor(v / 0x1_0000_0000);
  const lo = v - hi * 0x1_0000_0000;
  putU16(b, at, hi & 0xffff);
  b[at + 2] = (lo >>> 24) & 0xff;
  b[at + 3] = (lo >>> 16) & 0xff;
  b[at + 4] = (lo >>> 8) & 0xff;
  b[at + 5] = lo & 0xff;
}

function lengthPrefixed(mac: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + mac.length);
  putU16(out, 0, mac.length);
  out.set(mac, 2);
  return out;
}

/** Time signed (48 bits) and fudge: the §4.3.3 "timers" variables. */
function timers(time: number, fudge: number): Uint8Array {
  const out = new Uint8Array(8);
  putU48(out, 0, time);
  putU16(out, 6, fudge);
  return out;
}

/**
 * RFC 8945 §4.3.3 TSIG variables: key name and algorithm name in canonical
 * (lowercase, uncompressed) wire form, class ANY, TTL 0, timers, error,
 * other data.
 */
function variables(keyName: Name, algName: Name, time: number, fudge: number, error: number, other: Uint8Array): Uint8Array {
  const kn = keyName.toLowerCase().wire;
  const an = algName.toLowerCase().wire;
  const out = new Uint8Array(kn.length + 6 + an.length + 8 + 4 + other.length);
  let p = 0;
  out.set(kn, p);
  p += kn.length;
  putU16(out, p, RRClass.ANY);
  p += 2;
  // TTL 0: four zero octets.
  p += 4;
  out.set(an, p);
  p += an.length;
  putU48(out, p, time);
  putU16(out, p + 6, fudge);
  p += 8;
  putU16(out, p, error);
  putU16(out, p + 2, other.length);
  p += 4;
  out.set(other, p);
  return out;
}

function hmacFor(key: TsigKey): Hmac {
  return createHmac(ALGS[key.algorithm].digest, key.secret);
}

/** The TSIG RR itself (owner = key name, class ANY, TTL 0). */
function tsigRecord(
  keyName: Name, algName: Name, time: number, fudge: number, mac: Uint8Array, originalId: number, error: number, other: Uint8Array,
): Uint8Array {
  const owner = keyName.wire;
  const alg = algName.wire;
  const rdlength = alg.length + 6 + 2 + 2 + mac.length + 2 + 2 + 2 + other.length;
  const out = new Uint8Array(owner.length + 10 + rdlength);
  let p = 0;
  out.set(owner, p);
  p += owner.length;
  putU16(out, p, RRType.TSIG);
  putU16(out, p + 2, RRClass.ANY);
  // TTL 0 at p+4..p+7.
  putU16(out, p + 8, rdlength);
  p += 10;
  out.set(alg, p);
  p += alg.length;
  putU48(out, p, time);
  putU16(out, p + 6, fudge);
  putU16(out, p + 8, mac.length);
  p += 10;
  out.set(mac, p);
  p += mac.length;
  putU16(out, p, originalId);
  putU16(out, p + 2, error);
  putU16(out, p + 4, other.length);
  p += 6;
  out.set(other, p);
  return out;
}

function appendRecord(msg: Uint8Array, rr: Uint8Array): Uint8Array {
  if (msg.length < HEADER_LENGTH) throw new RangeError(`TSIG: message of ${msg.length} octets is shorter than a DNS header`);
  const arcount = (msg[10]! << 8) | msg[11]!;
  if (arcount === 0xffff) throw new RangeError('TSIG: ARCOUNT is already 65535');
  const out = new Uint8Array(msg.length + rr.length);
  out.set(msg, 0);
  out.set(rr, msg.length);
  putU16(out, 10, arcount + 1);
  return out;
}

/**
 * Appends a TSIG RR (owner = key name, class ANY, TTL 0) to the complete
 * message `msg` (which must not contain one) and increments ARCOUNT. The
 * original ID field is the message's ID. Throws RangeError only on a
 * message shorter than a header or with ARCOUNT 65535.
 *
 * For a BADTIME response (§5.2.3) pass `error: BADTIME`, `now` = the
 * request's time signed, and `otherData: tsigTimeOtherData(serverNow)`.
 */
export function tsigSign(msg: Uint8Array, key: TsigKey, opts: TsigSignOptions = {}): TsigSigned {
  const time = opts.now ?? nowSeconds();
  const fudge = opts.fudge ?? DEFAULT_FUDGE;
  const error = opts.error ?? TsigError.NOERROR;
  const other = opts.otherData ?? EMPTY;
  if (msg.length < HEADER_LENGTH) throw new RangeError(`TSIG: message of ${msg.length} octets is shorter than a DNS header`);
  const algName = ALGS[key.algorithm].name;
  const h = hmacFor(key);
  if (opts.priorMac !== undefined) {
    h.update(lengthPrefixed(opts.priorMac));
    h.update(msg);
    h.update(timers(time, fudge));
  } else {
    if (opts.requestMac !== undefined) h.update(lengthPrefixed(opts.requestMac));
    h.update(msg);
    h.update(variables(key.name, algName, time, fudge, error, other));
  }
  // RFC 8945 §5.2.2.1: a key that allows truncation sends its MACs cut to that length (BIND's hmac-sha256-128).
  const mac = new Uint8Array(h.digest()).slice(0, key.macLength ?? ALGS[key.algorithm].size);
  const originalId = (msg[0]! << 8) | msg[1]!;
  const bytes = appendRecord(msg, tsigRecord(key.name, algName, time, fudge, mac, originalId, error, other));
  return { bytes, mac };
}

/**
 * An unsigned error TSIG (BADKEY/BADSIG: MAC empty, RFC 8945 §5.3.2)
 * appended to `msg`, for a request we could not verify. `algorithm` is the
 * request's algorithm name, echoed; `originalId` defaults to the message ID.
 */
export function tsigAppendUnsigned(
  msg: Uint8Array, keyName: Name, algorithm: Name, error: number,
  opts: { now?: number; fudge?: number; originalId?: number } = {},
): Uint8Array {
  if (msg.length < HEADER_LENGTH) throw new RangeError(`TSIG: message of ${msg.length} octets is shorter than a DNS header`);
  const time = opts.now ?? nowSeconds();
  const fudge = opts.fudge ?? DEFAULT_FUDGE;
  const originalId = opts.originalId ?? ((msg[0]! << 8) | msg[1]!);
  return appendRecord(msg, tsigRecord(keyName, algorithm, time, fudge, EMPTY, originalId, error, EMPTY));
}

interface ParsedTsig {
  /** Offset of the TSIG RR: everything before it is the message the MAC covers. */
  start: number;
  keyName: Name;
  algorithm: Name;
  time: number;
  fudge: number;
  mac: Uint8Array;
  originalId: number;
  error: number;
  other: Uint8Array;
}

type ParseResult = { kind: 'absent' } | { kind: 'malformed'; tsig: Partial<ParsedTsig> } | { kind: 'tsig'; tsig: ParsedTsig };

/**
 * Walks the whole message to find the last record and checks that no
 * TSIG appears anywhere else. Never throws.
 */
function findTsig(msg: Uint8Array): ParseResult {
  try {
    if (msg.length < HEADER_LENGTH) return { kind: 'malformed', tsig: {} };
    const r = new WireReader(msg);
    r.pos = 4;
    const qd = r.u16();
    const an = r.u16();
    const ns = r.u16();
    const ar = r.u16();
    for (let i = 0; i < qd; i++) {
      r.skipName();
      r.u16();
      r.u16();
    }
    const total = an + ns + ar;
    for (let i = 0; i < total; i++) {
      const start = r.pos;
      const owner = r.readName();
      const type = r.u16();
      const cls = r.u16();
      const ttl = r.u32();
      const rdlength = r.u16();
      r.need(rdlength);
      const rdEnd = r.pos + rdlength;
      if (type !== RRType.TSIG) {
        r.pos = rdEnd;
        continue;
      }
      const keyName = Name.trusted(owner);
      // §5.1: only one TSIG, and it is the last record of the additional section.
      if (i !== total - 1 || ar === 0) return { kind: 'malformed', tsig: { keyName } };
      const partial: Partial<ParsedTsig> = { start, keyName };
      if (cls !== RRClass.ANY || ttl !== 0) return { kind: 'malformed', tsig: partial };
      const rd = new WireReader(msg, r.pos, rdEnd);
      const algorithm = Name.trusted(rd.readName());
      partial.algorithm = algorithm;
      const hi = rd.u16();
      const time = hi * 0x1_0000_0000 + rd.u32();
      const fudge = rd.u16();
      partial.time = time;
      partial.fudge = fudge;
      const macSize = rd.u16();
      // Copies, not views: the MAC outlives the message (the next request MAC or prior MAC, §5.3.1).
      const mac = copyBytes(rd.bytes(macSize));
      partial.mac = mac;
      const originalId = rd.u16();
      const error = rd.u16();
      partial.originalId = originalId;
      partial.error = error;
      const otherLen = rd.u16();
      const other = copyBytes(rd.bytes(otherLen));
      if (rd.pos !== rdEnd) return { kind: 'malformed', tsig: partial };
      r.pos = rdEnd;
      if (r.pos !== msg.length) return { kind: 'malformed', tsig: partial };
      return { kind: 'tsig', tsig: { start, keyName, algorithm, time, fudge, mac, originalId, error, other } };
    }
    // Octets after the last counted record: maybe a TSIG that ARCOUNT does not count. Fail closed.
    if (r.pos !== msg.length) return { kind: 'malformed', tsig: {} };
    return { kind: 'absent' };
  } catch {
    return { kind: 'malformed', tsig: {} };
  }
}

/**
 * The message as the MAC covers it (§4.3.1): without the TSIG, ARCOUNT one
 * less, the original ID in place. Always a copy: the caller's octets are
 * never changed (`msg.slice` would be a view of a Buffer, and a failed
 * check would then rewrite the packet every later check reads).
 */
function stripTsig(msg: Uint8Array, start: number, originalId: number): Uint8Array {
  const out = copyBytes(msg, 0, start);
  putU16(out, 0, originalId);
  putU16(out, 10, ((out[10]! << 8) | out[11]!) - 1);
  return out;
}

function result(fields: Partial<Verified> & { present: boolean; error: number; stripped: Uint8Array; malformed: boolean }): Verified {
  return {
    key: null, keyName: null, algorithm: null, mac: EMPTY, time: 0, fudge: 0, originalId: 0, tsigError: 0, otherData: EMPTY,
    ...fields,
  };
}

/**
 * Shared verification. `unsigned` are whole unsigned messages that came
 * between the prior signed message and this one in a stream (§5.3.1):
 * they are covered by this message's MAC, after the prior MAC.
 */
function verifyImpl(
  msg: Uint8Array, keys: (name: Name) => TsigKey | undefined, opts: TsigVerifyOptions, unsigned: readonly Uint8Array[],
): Verified {
  const parsed = findTsig(msg);
  if (parsed.kind === 'absent') return result({ present: false, error: TsigError.NOERROR, stripped: msg, malformed: false });
  if (parsed.kind === 'malformed') {
    const t = parsed.tsig;
    // Fail closed: a malformed TSIG can never verify.
    return result({
      present: t.keyName !== undefined,
      error: TsigError.BADSIG,
      malformed: true,
      keyName: t.keyName ?? null,
      algorithm: t.algorithm ?? null,
      mac: t.mac ?? EMPTY,
      time: t.time ?? 0,
      fudge: t.fudge ?? 0,
      originalId: t.originalId ?? 0,
      tsigError: t.error ?? 0,
      stripped: t.start !== undefined && t.originalId !== undefined ? stripTsig(msg, t.start, t.originalId) : msg,
    });
  }
  const t = parsed.tsig;
  const base = {
    present: true,
    keyName: t.keyName,
    algorithm: t.algorithm,
    mac: t.mac,
    time: t.time,
    fudge: t.fudge,
    originalId: t.originalId,
    tsigError: t.error,
    otherData: t.other,
    stripped: stripTsig(msg, t.start, t.originalId),
  };

  // §5.2.1: the key must be known, and its algorithm must be the one named.
  let key: TsigKey | undefined;
  try {
    key = keys(t.keyName);
  } catch {
    key = undefined;
  }
  if (key === undefined || !key.name.equals(t.keyName) || algorithmFromName(t.algorithm) !== key.algorithm) {
    return result({ ...base, error: TsigError.BADKEY, malformed: false });
  }
  const info = ALGS[key.algorithm];

  // §5.2.2.1: a MAC longer than the HMAC, or truncated below max(10, half the
  // HMAC length), is malformed (BIND answers FORMERR); we report BADSIG.
  const size = t.mac.length;
  if (size > info.size || (size > 0 && size < Math.max(10, Math.ceil(info.size / 2)))) {
    return result({ ...base, key, error: TsigError.BADSIG, malformed: true });
  }
  if (size === 0) return result({ ...base, key, error: TsigError.BADSIG, malformed: false });

  // §5.2.2: the MAC.
  const h = createHmac(info.digest, key.secret);
  const prior = opts.priorMac ?? opts.requestMac;
  const timersOnly = opts.timersOnly ?? opts.priorMac !== undefined;
  if (prior !== undefined) h.update(lengthPrefixed(prior));
  for (const u of unsigned) h.update(u);
  h.update(base.stripped);
  h.update(timersOnly ? timers(t.time, t.fudge) : variables(t.keyName, t.algorithm, t.time, t.fudge, t.error, t.other));
  const full = new Uint8Array(h.digest());
  if (!constantTimeEqual(full.subarray(0, size), t.mac)) return result({ ...base, key, error: TsigError.BADSIG, malformed: false });

  // §5.2.3: time signed within fudge of our clock.
  const now = opts.now ?? nowSeconds();
  if (Math.abs(now - t.time) > t.fudge) return result({ ...base, key, error: TsigError.BADTIME, malformed: false });

  // RFC 8945 §5.2.2.1: a MAC truncated below the local minimum gets BADTRUNC. As BIND, the minimum is the
  // whole MAC unless the key allows truncation (hmac-sha256-128), and it is checked after the MAC and the time.
  if (size < (key.macLength ?? info.size)) return result({ ...base, key, error: TsigError.BADTRUNC, malformed: false });

  return result({ ...base, key, error: TsigError.NOERROR, malformed: false });
}

/**
 * Verifies the last record if it is a TSIG, in RFC 8945 §5.2 order: key
 * known (and its algorithm as named) → else BADKEY; MAC → else BADSIG; time
 * within fudge → else BADTIME. Never throws.
 *
 * - No TSIG: present false, error NOERROR, stripped = msg.
 * - Malformed TSIG (not last, class not ANY, TTL not 0, bad rdata, a MAC
 *   longer than the HMAC or shorter than max(10, half of it), §5.2.2.1) or
 *   an unparsable message: malformed true, error BADSIG. A server should
 *   answer FORMERR.
 * - An empty MAC (the unsigned BADKEY/BADSIG error TSIG of §5.3.2): error
 *   BADSIG; the carried error is in tsigError.
 * - A response whose MAC is valid but that carries an error: error NOERROR,
 *   tsigError = the carried error. For a BADTIME response the time signed
 *   is the request's, so pass that as `now` to avoid our own BADTIME.
 *
 * - A MAC that verifies but is shorter than the key allows (the full HMAC,
 *   or `key.macLength`): error BADTRUNC (§5.2.2.1, as BIND).
 */
export function tsigVerify(
  msg: Uint8Array, keys: (name: Name) => TsigKey | undefined, opts: TsigVerifyOptions = {},
): Verified {
  return verifyImpl(msg, keys, opts, []);
}

/**
 * RFC 8945 §5.3.1: signs every message of a multi-message response. The
 * first message is signed as a response to the request (request MAC + all
 * variables), every later one with the prior MAC and the timers only.
 */
export class TsigStreamSigner {
  readonly #key: TsigKey;
  readonly #now: () => number;
  #prior: Uint8Array;
  #first = true;

  constructor(key: TsigKey, requestMac: Uint8Array, opts: { now?: () => number } = {}) {
    this.#key = key;
    this.#prior = requestMac;
    this.#now = opts.now ?? nowSeconds;
  }

  sign(msg: Uint8Array): Uint8Array {
    const s = this.#first
      ? tsigSign(msg, this.#key, { now: this.#now(), requestMac: this.#prior })
      : tsigSign(msg, this.#key, { now: this.#now(), priorMac: this.#prior });
    this.#first = false;
    this.#prior = s.mac;
    return s.bytes;
  }
}

/**
 * Verifies a multi-message response: the first message with the request
 * MAC, then the prior MAC + timers only. Up to 99 unsigned messages may
 * come between signed ones (RFC 8945 §5.3.1); they are covered by the next
 * signed message's MAC. The first message must be signed, and finish()
 * tells whether the last one was.
 *
 * verify() returns, per message: NOERROR for a valid signed message or an
 * unsigned one within the allowance (present false); BADSIG for an unsigned
 * first message, a 100th unsigned message in a row, a TSIG with another key
 * name, or any message after a failure (the stream is then broken).
 */
export class TsigStreamVerifier {
  readonly #key: TsigKey;
  readonly #now: () => number;
  #prior: Uint8Array;
  #first = true;
  #unsigned: Uint8Array[] = [];
  #failed = false;
  #lastSigned = false;

  constructor(key: TsigKey, requestMac: Uint8Array, opts: { now?: () => number } = {}) {
    this.#key = key;
    this.#prior = requestMac;
    this.#now = opts.now ?? nowSeconds;
  }

  verify(msg: Uint8Array): Verified {
    if (this.#failed) {
      return { ...tsigVerify(msg, () => undefined), error: TsigError.BADSIG };
    }
    const key = this.#key;
    const v = verifyImpl(msg, (n) => (n.equals(key.name) ? key : undefined), {
      now: this.#now(),
      priorMac: this.#prior,
      timersOnly: !this.#first,
    }, this.#unsigned);
    if (!v.present && !v.malformed) {
      if (this.#first || this.#unsigned.length >= MAX_UNSIGNED_RUN) {
        this.#failed = true;
        this.#lastSigned = false;
        return { ...v, error: TsigError.BADSIG };
      }
      this.#unsigned.push(msg);
      this.#lastSigned = false;
      return v;
    }
    if (v.error !== TsigError.NOERROR) {
      this.#failed = true;
      this.#lastSigned = false;
      return v;
    }
    this.#first = false;
    this.#unsigned = [];
    this.#prior = v.mac;
    this.#lastSigned = true;
    return v;
  }

  /** True when every message so far verified and the last one seen was signed. */
  finish(): boolean {
    return !this.#failed && this.#lastSigned;
  }
}
