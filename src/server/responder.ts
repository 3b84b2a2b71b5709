/**
 * The responder: query octets in, response octets out (no sockets). A short
 * dispatcher, as Knot's query processing is; each kind of answer is in a file of its own.
 */
import type { ZoneSet } from '../query/index.js';
import { Opcode, Rcode, RRType } from '../wire/index.js';
import { TsigError, tsigSign, tsigVerify, type TsigKey } from '../tsig/index.js';
import { AnswerCache } from './answer-cache.js';
import { chaosAnswer } from './chaos.js';
import { generalAnswer } from './general-answer.js';
import type { HotAnswers } from './hot-answers.js';
import { requesterOf, type HandleContext } from './handle-context.js';
import { HEADER } from './response-header.js';
import type { MultiMessageAnswer } from './multi-message-answer.js';
import { notifyAnswer } from './notify-in.js';
import { AnswerPath, preparedAnswer } from './prepared-answer.js';
import { RrlVerdict, type RateLimiter } from './rate-limit.js';
import { responseToken, type RrlToken } from './rate-limit-token.js';
import { readRequest, RequestError, type Request } from './request.js';
import type { ResponderOptions } from './responder-options.js';
import { ResponderState } from './responder-state.js';
import { CookieVerdict } from './server-cookie.js';
import { cookieOnly, headerOnly, smallResponse } from './small-response.js';
import type { TransferHooks } from './transfer-hooks.js';
import { transferAnswer } from './transfer-out.js';
import { reportTsig, tsigErrorAnswer } from './tsig-answer.js';

const CLASS_IN = 1;
const CLASS_CH = 3;

const EMPTY = new Uint8Array(0);
/** The rate limiter's view of the response being sent (handling is synchronous). */
const TOKEN: RrlToken = { kind: 0, nameHash: 0, typeWord: 0 };

/**
 * Turns query octets into response octets, with no sockets (the listeners
 * own those). Holds the zones being served and their prepared answers;
 * `swap` replaces both at once, so a reload never mixes two versions.
 */
export class Responder {
  readonly #s: ResponderState;

  constructor(zones: ZoneSet, options: ResponderOptions, hooks: TransferHooks | null = null) {
    this.#s = new ResponderState(zones, options, hooks);
  }

  get zones(): ZoneSet {
    return this.#s.zones;
  }

  /** Serves `zones` from now on; prepared answers of the old set are dropped with it. */
  swap(zones: ZoneSet): void {
    const s = this.#s;
    s.zones = zones;
    s.cache = new AnswerCache(s.cacheSize);
    if (s.hot !== null) s.hotOwner = s.hot.claim();
  }

  /** Prepared answers held (for logs and tests). */
  get cachedAnswers(): number {
    return this.#s.cache.size;
  }

  /** Which path answered the query handled last (AnswerPath: hot, prepared, general, other). */
  get lastAnswerPath(): number {
    return this.#s.path;
  }

  /** The hot answers in front of the prepared ones (null: answer-cache-size too small for them); for tests. */
  get hotAnswers(): HotAnswers | null {
    return this.#s.hot;
  }

  /** Bytes counted for the prepared answers held (at most `answer-cache-size`). */
  get cachedAnswerBytes(): number {
    return this.#s.cache.bytes;
  }

  /** The question type of the request handled last (0: none could be read), for the listeners' counters. */
  get lastQtype(): number {
    return this.#s.req?.qtype ?? 0;
  }

  /** The whole RCODE of `out`, the response to the request handled last (RFC 6891 §6.1.3: its upper bits are in OPT). */
  rcodeOf(out: Uint8Array): number {
    return (this.#s.rcodeHigh << 4) | (out[3]! & 0xf);
  }

  /**
   * The response to `buf[0, length)`, or null when it must be dropped
   * (shorter than a header, or a response itself). Never throws on any input.
   * Over UDP there is always one message: an AXFR gets FORMERR, an IXFR
   * that does not fit gets the single current SOA (RFC 1995 §2).
   */
  handle(buf: Uint8Array, ctx: HandleContext, length = buf.length): Uint8Array | null {
    const s = this.#s;
    s.wildcard = null;
    const out = dispatch(s, buf, ctx, length);
    if (out === null || !(out instanceof Uint8Array)) return null;
    // Only UDP is limited: a TCP client has shown its address is its own (BIND, Knot, NSD alike).
    return s.limiter === null || ctx.tcp ? out : rateLimit(s, out, ctx, s.limiter);
  }

  /**
   * Like `handle`, with the response written into `dest` (issue 16 §1: a
   * prepared answer is written there in place, with no allocation; any
   * other response is copied there). Returns its length; 0 when there is no
   * response; -1 when it is longer than `dest`, then `oversize` holds it.
   */
  handleInto(buf: Uint8Array, ctx: HandleContext, length: number, dest: Uint8Array): number {
    const s = this.#s;
    s.wildcard = null;
    s.dest = dest;
    s.destLength = 0;
    let out: Uint8Array | MultiMessageAnswer | null;
    try {
      out = dispatch(s, buf, ctx, length);
    } finally {
      s.dest = null;
    }
    if (out === null || !(out instanceof Uint8Array)) return 0;
    const n = out === dest ? s.destLength : out.length;
    if (s.limiter !== null && !ctx.tcp) {
      const limited = rateLimit(s, out, ctx, s.limiter, n);
      if (limited === null) return 0;
      out = limited;
    }
    if (out === dest) return n;
    if (out.length > dest.length) {
      this.oversize = out;
      return -1;
    }
    dest.set(out, 0);
    return out.length;
  }

  /** The response `handleInto` could not fit into its buffer (valid until the next call). */
  oversize: Uint8Array | null = null;

  /** Like `handle`, for TCP: a transfer comes back as a stream of messages (RFC 5936 §2.2). */
  handleTcp(buf: Uint8Array, ctx: HandleContext, length = buf.length): Uint8Array | MultiMessageAnswer | null {
    return dispatch(this.#s, buf, ctx, length);
  }
}

/**
 * Response rate limiting (BIND's RRL): the response as it is, null (dropped),
 * or in place of it a truncated one (TC=1, the question and OPT alone), so
 * that a real client retries over TCP (RFC 1035 §4.2.1 / RFC 7766 §5).
 */
function rateLimit(s: ResponderState, out: Uint8Array, ctx: HandleContext, limiter: RateLimiter, length = out.length): Uint8Array | null {
  const req = s.req;
  if (req === null) return out;
  // RFC 7873 §5.2.3 / RFC 9018: a valid server cookie proves the address is the client's own.
  if (req.validServerCookie) return out;
  // An exempt client (loopback by default) first: its response needs no token, nor the time.
  if (!limiter.limits(ctx.address ?? '')) return out;
  if (!responseToken(out, s.wildcard, TOKEN, length)) return out;
  const verdict = limiter.check(ctx.address ?? '', TOKEN.kind, TOKEN.nameHash, TOKEN.typeWord, performance.now());
  if (verdict === RrlVerdict.SEND || limiter.settings.logOnly) return out;
  if (verdict === RrlVerdict.DROP) return null;
  // A slip keeps the RCODE and AA of the answer it replaces, as BIND's does.
  return smallResponse(s, req, out[3]! & 0xf, (out[2]! & 0x04) !== 0, null, true);
}

/** The request read, its opcode, EDNS version, cookie and TSIG checked, in that order; then the query answered. */
function dispatch(s: ResponderState, buf: Uint8Array, ctx: HandleContext, length: number): Uint8Array | MultiMessageAnswer | null {
  const req = readRequest(buf, length);
  s.req = req;
  s.path = AnswerPath.OTHER;
  s.cookie = null;
  s.keepalive = -1;
  s.rcodeHigh = 0;
  if (req.error === RequestError.DROP) return null;
  if (req.opcode === Opcode.NOTIFY) return notifyAnswer(s, buf, length, ctx);
  if (req.opcode !== Opcode.QUERY) return headerOnly(s, req, Rcode.NOTIMP);
  const cookies = s.cookies;
  if (req.error === RequestError.FORMERR) {
    if (req.noQuestion && req.cookieLength > 0 && cookies !== null) return cookieOnly(s, req, ctx);
    return headerOnly(s, req, Rcode.FORMERR);
  }
  // RFC 6891 §6.1.3: an EDNS version we do not speak gets BADVERS, with our version (0).
  if (req.edns && req.ednsVersion > 0) return smallResponse(s, req, Rcode.BADVERS, false, null);
  if (req.cookieLength > 0 && cookies !== null) {
    const verdict = cookies.check(buf, req.cookieAt, req.cookieLength, ctx.address ?? '');
    s.cookie = cookies.out;
    req.validServerCookie = verdict === CookieVerdict.VALID;
    // RFC 7873 §5.2.4 -> §5.2.3 (2): a server cookie we did not make (or too old) over UDP gets
    // BADCOOKIE with a fresh cookie, so that a spoofed source cannot have a full answer sent on
    // the strength of a forged cookie. Over TCP (no spoofing) and with TSIG it is answered (3).
    if (verdict === CookieVerdict.INVALID && !ctx.tcp && !req.tsig) return smallResponse(s, req, Rcode.BADCOOKIE, false, null);
  }
  // RFC 7828 §3.3.1: ignored over UDP; §3.3.2: over TCP, answered with the connection's timeout.
  if (req.keepalive && ctx.tcp && ctx.keepalive !== undefined) s.keepalive = ctx.keepalive;
  if (!req.tsig) return query(s, req, ctx, null, EMPTY);
  // RFC 8945 §5.2: check the request's TSIG before anything else is done with it.
  const hooks = s.hooks;
  const v = tsigVerify(buf.subarray(0, length), (n) => hooks?.key(n));
  if (v.malformed || v.error !== TsigError.NOERROR || v.key === null) reportTsig(hooks, v, ctx, 'QUERY');
  if (v.malformed) return headerOnly(s, req, Rcode.FORMERR);
  if (v.error !== TsigError.NOERROR || v.key === null) return tsigErrorAnswer(s, req, v);
  const key = v.key;
  const requestMac = v.mac;
  const out = query(s, req, ctx, key, requestMac);
  // RFC 8945 §5.3: the response is signed with the request's MAC folded in (streams sign themselves).
  // A prepared answer written in place is signed as a copy (the signed one is longer).
  if (out === s.dest && out !== null) return tsigSign(out.subarray(0, s.destLength), key, { requestMac }).bytes;
  if (out instanceof Uint8Array) return tsigSign(out, key, { requestMac }).bytes;
  return out;
}

/** A readable QUERY: by question type and class, to the transfer, CHAOS, prepared or general answer. */
function query(s: ResponderState, req: Request, ctx: HandleContext, key: TsigKey | null, requestMac: Uint8Array): Uint8Array | MultiMessageAnswer {
  const qtype = req.qtype;
  if (qtype === RRType.OPT || qtype === RRType.TSIG || qtype === RRType.TKEY) return headerOnly(s, req, Rcode.FORMERR);
  if (qtype === RRType.MAILA || qtype === RRType.MAILB) return smallResponse(s, req, Rcode.NOTIMP, false, null);
  if (req.qclass === CLASS_CH) {
    const txt = chaosAnswer(req.buf, req.qnameEnd, qtype, s.options);
    if (txt === null) return smallResponse(s, req, Rcode.REFUSED, false, null);
    return smallResponse(s, req, Rcode.NOERROR, true, txt);
  }
  if (req.qclass !== CLASS_IN) return smallResponse(s, req, Rcode.REFUSED, false, null);
  if (qtype === RRType.AXFR || qtype === RRType.IXFR) return transferAnswer(s, req, ctx, key, requestMac);
  if (s.zones.hasRestricted && !mayQuery(s, req, ctx, key)) return smallResponse(s, req, Rcode.REFUSED, false, null);
  return preparedAnswer(s, req, ctx) ?? generalAnswer(s, req, ctx);
}

/**
 * RFC 9432 §7: a catalog zone is for its consumers only; queries for it
 * (SOA, and any other) are answered only to the clients its allow-transfer
 * admits, over UDP and TCP alike; everyone else gets REFUSED. Checked
 * before the prepared answers, which are shared by every client.
 */
function mayQuery(s: ResponderState, req: Request, ctx: HandleContext, key: TsigKey | null): boolean {
  const zone = s.zones.find(req.buf, HEADER, req.qnameEnd);
  if (zone === undefined || zone === null || !s.zones.isRestricted(zone)) return true;
  const hooks = s.hooks;
  return hooks !== null && hooks.mayTransfer(zone, requesterOf(ctx, key));
}
