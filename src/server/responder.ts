import { answer, AnswerKind, type Answer, type ZoneSet } from '../query/index.js';
import { EdnsOptionCode, encodeMessage, Name, Opcode, Rcode, RRType, type Message, type ResourceRecord } from '../wire/index.js';
import { NodeFlags, hashWireName, type Zone, type ZoneNode } from '../zone/index.js';
import { ABSENT_TYPE, AnswerCache, CHASE_KEY, DEFAULT_ANSWER_CACHE_BYTES, DO_KEY, REFERRAL_KEY, type CachedAnswer } from './answer-cache.js';
import { chaosAnswer } from './chaos.js';
import { RateLimiter, RrlVerdict } from './rate-limit.js';
import { responseToken, type RrlToken } from './rate-limit-token.js';
import { readRequest, RequestError, type Request } from './request.js';
import type { TransferHooks, TsigFailure } from './transfer-hooks.js';
import type { TransferQuota } from './transfer-quota.js';
import type { MultiMessageAnswer } from './multi-message-answer.js';
import { CookieVerdict, type ServerCookies } from './server-cookie.js';
import { axfrMessages } from '../xfr/axfr-out.js';
import { ixfrMessages } from '../xfr/ixfr-out.js';
import { TsigError, TsigStreamSigner, tsigAppendUnsigned, tsigSign, tsigTimeOtherData, tsigVerify, type TsigKey, type TsigVerified } from '../tsig/index.js';
import { copyBytes, decodeMessage, soaSerial, writeHeader, type Question } from '../wire/index.js';

/** What the responder needs to know besides the zones. */
export interface ResponderOptions {
  /** RFC 6891 §6.2.5: the largest UDP response we send to EDNS clients (and advertise). */
  udpPayload: number;
  /** CH TXT id.server / hostname.bind and the EDNS NSID payload; null = not given. */
  identity: string | null;
  /** CH TXT version.bind; null = REFUSED. */
  version: string | null;
  /** `answer-cache-size`: bytes of prepared answers kept per zone set (default 256 MiB; 0 = none). */
  answerCacheSize?: number;
  /** `transfers-out`: shared by every responder of the process, so a rebuilt one keeps counting; none = no limit. */
  transfers?: TransferQuota;
  /** Response rate limiting of UDP answers; null or left out = none. Kept by the caller across zone reloads. */
  rateLimiter?: RateLimiter | null;
  /** RFC 7873 server cookies (BIND's `answer-cookie`); null: COOKIE options are ignored and never answered. */
  cookies?: ServerCookies | null;
}

/** Where a request came in. */
export interface HandleContext {
  readonly tcp: boolean;
  /** The client's address (for transfer and NOTIFY ACLs, and server cookies). */
  readonly address?: string;
  /** RFC 7828 §3.3.2: the connection's idle timeout in units of 100 ms, sent to TCP clients that ask. */
  readonly keepalive?: number;
}

const CLASS_IN = 1;
const CLASS_CH = 3;
/** RFC 1035 §4.2.1: the UDP limit without EDNS; RFC 6891 §6.2.5: never below it with EDNS either. */
const MIN_UDP = 512;
const HEADER = 12;

/** RFC 7873 §4: option code, length, client cookie (8) and server cookie (16). */
const COOKIE_OPTION = 4 + 24;
/** RFC 7828 §3.1: option code, length and a 2-octet TIMEOUT. */
const KEEPALIVE_OPTION = 4 + 2;

/** Scratch buffer for the general path (encoding is synchronous). */
const scratch = new Uint8Array(65535);

/**
 * Turns query octets into response octets, with no sockets (the listeners
 * own those). Holds the zones being served and their prepared answers;
 * `swap` replaces both at once, so a reload never mixes two versions.
 */
export class Responder {
  #zones: ZoneSet;
  #cache: AnswerCache;
  readonly #cacheSize: number;
  readonly #options: ResponderOptions;
  readonly #nsid: Uint8Array | null;
  readonly #cookies: ServerCookies | null;
  /** This query's COOKIE option to answer with (client and server cookie), or null. */
  #cookie: Uint8Array | null = null;
  /** This query's edns-tcp-keepalive TIMEOUT to answer with (100 ms units), or -1. */
  #keepalive = -1;

  readonly #hooks: TransferHooks | null;
  readonly #limiter: RateLimiter | null;
  /** The request being handled (readRequest's shared object). */
  #req: Request | null = null;
  /** The closest encloser of the wildcard that synthesized the answer being sent (null: none). */
  #wildcard: Uint8Array | null = null;

  constructor(zones: ZoneSet, options: ResponderOptions, hooks: TransferHooks | null = null) {
    this.#zones = zones;
    this.#hooks = hooks;
    this.#limiter = options.rateLimiter ?? null;
    this.#cacheSize = options.answerCacheSize ?? DEFAULT_ANSWER_CACHE_BYTES;
    this.#cache = new AnswerCache(this.#cacheSize);
    this.#options = { ...options, udpPayload: Math.max(MIN_UDP, Math.min(options.udpPayload, 65535)) };
    this.#nsid = options.identity === null ? null : Buffer.from(options.identity, 'utf8');
    this.#cookies = options.cookies ?? null;
  }

  get zones(): ZoneSet {
    return this.#zones;
  }

  /** Serves `zones` from now on; prepared answers of the old set are dropped with it. */
  swap(zones: ZoneSet): void {
    this.#zones = zones;
    this.#cache = new AnswerCache(this.#cacheSize);
  }

  /** Prepared answers held (for logs and tests). */
  get cachedAnswers(): number {
    return this.#cache.size;
  }

  /** Bytes counted for the prepared answers held (at most `answer-cache-size`). */
  get cachedAnswerBytes(): number {
    return this.#cache.bytes;
  }

  /**
   * The response to `buf[0, length)`, or null when it must be dropped
   * (shorter than a header, or a response itself). Never throws on any input.
   * Over UDP there is always one message: an AXFR gets FORMERR, an IXFR
   * that does not fit gets the single current SOA (RFC 1995 §2).
   */
  handle(buf: Uint8Array, ctx: HandleContext, length = buf.length): Uint8Array | null {
    this.#wildcard = null;
    const out = this.#dispatch(buf, ctx, length);
    if (out === null || !(out instanceof Uint8Array)) return null;
    // Only UDP is limited: a TCP client has shown its address is its own (BIND, Knot, NSD alike).
    return this.#limiter === null || ctx.tcp ? out : this.#rateLimit(out, ctx, this.#limiter);
  }

  /**
   * Response rate limiting (BIND's RRL): the response as it is, null (dropped),
   * or in place of it a truncated one (TC=1, the question and OPT alone), so
   * that a real client retries over TCP (RFC 1035 §4.2.1 / RFC 7766 §5).
   */
  #rateLimit(out: Uint8Array, ctx: HandleContext, limiter: RateLimiter): Uint8Array | null {
    const req = this.#req;
    if (req === null) return out;
    // RFC 7873 §5.2.3 / RFC 9018: a valid server cookie proves the address is the client's own.
    if (req.validServerCookie) return out;
    if (!responseToken(out, this.#wildcard, TOKEN)) return out;
    const verdict = limiter.check(ctx.address ?? '', TOKEN.kind, TOKEN.nameHash, TOKEN.typeWord, performance.now());
    if (verdict === RrlVerdict.SEND || limiter.settings.logOnly) return out;
    if (verdict === RrlVerdict.DROP) return null;
    // A slip keeps the RCODE and AA of the answer it replaces, as BIND's does.
    return this.#small(req, out[3]! & 0xf, (out[2]! & 0x04) !== 0, null, true);
  }

  /** Like `handle`, for TCP: a transfer comes back as a stream of messages (RFC 5936 §2.2). */
  handleTcp(buf: Uint8Array, ctx: HandleContext, length = buf.length): Uint8Array | MultiMessageAnswer | null {
    return this.#dispatch(buf, ctx, length);
  }

  #dispatch(buf: Uint8Array, ctx: HandleContext, length: number): Uint8Array | MultiMessageAnswer | null {
    const req = readRequest(buf, length);
    this.#req = req;
    this.#cookie = null;
    this.#keepalive = -1;
    if (req.error === RequestError.DROP) return null;
    if (req.opcode === Opcode.NOTIFY) return this.#notify(buf, length, ctx);
    if (req.opcode !== Opcode.QUERY) return this.#headerOnly(req, Rcode.NOTIMP);
    if (req.error === RequestError.FORMERR) {
      if (req.noQuestion && req.cookieLength > 0 && this.#cookies !== null) return this.#cookieOnly(req, ctx);
      return this.#headerOnly(req, Rcode.FORMERR);
    }
    // RFC 6891 §6.1.3: an EDNS version we do not speak gets BADVERS, with our version (0).
    if (req.edns && req.ednsVersion > 0) return this.#small(req, Rcode.BADVERS, false, null);
    if (req.cookieLength > 0 && this.#cookies !== null) {
      const verdict = this.#cookies.check(buf, req.cookieAt, req.cookieLength, ctx.address ?? '');
      this.#cookie = this.#cookies.out;
      req.validServerCookie = verdict === CookieVerdict.VALID;
      // RFC 7873 §5.2.4 -> §5.2.3 (2): a server cookie we did not make (or too old) over UDP gets
      // BADCOOKIE with a fresh cookie, so that a spoofed source cannot have a full answer sent on
      // the strength of a forged cookie. Over TCP (no spoofing) and with TSIG it is answered (3).
      if (verdict === CookieVerdict.INVALID && !ctx.tcp && !req.tsig) return this.#small(req, Rcode.BADCOOKIE, false, null);
    }
    // RFC 7828 §3.3.1: ignored over UDP; §3.3.2: over TCP, answered with the connection's timeout.
    if (req.keepalive && ctx.tcp && ctx.keepalive !== undefined) this.#keepalive = ctx.keepalive;
    if (!req.tsig) return this.#query(req, ctx, null, EMPTY);
    // RFC 8945 §5.2: check the request's TSIG before anything else is done with it.
    const hooks = this.#hooks;
    const v = tsigVerify(buf.subarray(0, length), (n) => hooks?.key(n));
    if (v.malformed || v.error !== TsigError.NOERROR || v.key === null) reportTsig(hooks, v, ctx, 'QUERY');
    if (v.malformed) return this.#headerOnly(req, Rcode.FORMERR);
    if (v.error !== TsigError.NOERROR || v.key === null) return this.#tsigError(req, v);
    const key = v.key;
    const requestMac = v.mac;
    const out = this.#query(req, ctx, key, requestMac);
    // RFC 8945 §5.3: the response is signed with the request's MAC folded in (streams sign themselves).
    if (out instanceof Uint8Array) return tsigSign(out, key, { requestMac }).bytes;
    return out;
  }

  /** RFC 8945 §5.3.2: NOTAUTH with the TSIG error (see `withTsigError`). */
  #tsigError(req: Request, v: TsigVerified): Uint8Array {
    return withTsigError(this.#small(req, Rcode.NOTAUTH, false, null), v, req.id);
  }

  #query(req: Request, ctx: HandleContext, key: TsigKey | null, requestMac: Uint8Array): Uint8Array | MultiMessageAnswer {
    const buf = req.buf;
    const qtype = req.qtype;
    if (qtype === RRType.OPT || qtype === RRType.TSIG || qtype === RRType.TKEY) return this.#headerOnly(req, Rcode.FORMERR);
    if (qtype === RRType.MAILA || qtype === RRType.MAILB) return this.#small(req, Rcode.NOTIMP, false, null);
    if (req.qclass === CLASS_CH) {
      const txt = chaosAnswer(buf, req.qnameEnd, qtype, this.#options);
      if (txt === null) return this.#small(req, Rcode.REFUSED, false, null);
      return this.#small(req, Rcode.NOERROR, true, txt);
    }
    if (req.qclass !== CLASS_IN) return this.#small(req, Rcode.REFUSED, false, null);
    if (qtype === RRType.AXFR || qtype === RRType.IXFR) return this.#transfer(req, ctx, key, requestMac);
    return this.#answer(req, ctx);
  }

  /** AXFR (RFC 5936) and IXFR (RFC 1995) out, behind `allow-transfer`. */
  #transfer(req: Request, ctx: HandleContext, key: TsigKey | null, requestMac: Uint8Array): Uint8Array | MultiMessageAnswer {
    // RFC 5936 §4.2: AXFR is a TCP affair; BIND answers one over UDP with FORMERR.
    if (!ctx.tcp && req.qtype === RRType.AXFR) return this.#small(req, Rcode.FORMERR, false, null);
    if (req.qtype === RRType.IXFR && req.ixfrSerial < 0) return this.#small(req, Rcode.FORMERR, false, null);
    const buf = req.buf;
    const zone = this.#zones.find(buf, HEADER, req.qnameEnd);
    // Only a zone's apex can be transferred, and only a zone we have data for.
    if (zone === undefined || zone === null || zone.origin.wire.length !== req.qnameEnd - HEADER) {
      return this.#small(req, Rcode.NOTAUTH, false, null);
    }
    const hooks = this.#hooks;
    const who = { address: ctx.address ?? '', key: key === null ? null : key.name.toText() };
    if (hooks === null || !hooks.mayTransfer(zone, who)) return this.#small(req, Rcode.REFUSED, false, null);
    // `req` (and a UDP `ctx`) describe the next request once this one returns, while the
    // stream goes on being written across many turns of the event loop: the stream and its
    // log line keep their own copies of everything they need from them.
    // (A real copy: `buf` is the listener's Buffer, whose slice() would be a view.)
    const axfr = req.qtype === RRType.AXFR;
    const quota = ctx.tcp ? this.#options.transfers : undefined;
    if (quota !== undefined && quota.full) {
      // BIND's transfers-out: past the limit a transfer is refused, and the secondary retries later.
      hooks.transferRefused?.({ zone: zone.origin.toText(), peer: who.address, kind: axfr ? 'AXFR' : 'IXFR', key: who.key, limit: quota.limit });
      return this.#small(req, Rcode.REFUSED, false, null);
    }
    const query = { id: req.id, question: copyBytes(buf, HEADER, req.questionEnd), rd: (req.flags & 0x0100) !== 0 };
    const fromSerial = axfr ? null : req.ixfrSerial;
    const peer = who.address;
    const reserve = key === null ? 0 : tsigReserve(key);
    const info: { kind?: string; reason?: string; records?: number } = {};
    const messages = axfr
      ? axfrMessages(zone, query, { reserve })
      : ixfrMessages(zone, hooks.journal(zone), req.ixfrSerial, query, { reserve, info, ...(ctx.tcp ? {} : { udpLimit: this.#limit(req, ctx) }) });
    if (!ctx.tcp) {
      const first = messages.next();
      return first.done === true ? this.#small(req, Rcode.SERVFAIL, false, null) : first.value;
    }
    const stream = signedStream(messages, key, requestMac, (n, bytes, ms, complete) => {
      const kind = axfr || info.kind === 'AXFR' ? 'AXFR' : info.kind === 'UPTODATE' ? 'UPTODATE' : 'IXFR';
      // AXFR: every record and the closing SOA again; IXFR: the condensed sequence; up to date: one SOA.
      const records = kind === 'AXFR' ? zone.recordCount + 1 : kind === 'UPTODATE' ? 1 : (info.records ?? 0);
      hooks.transferred({
        zone: zone.origin.toText(), peer, kind, reason: info.reason ?? null, fromSerial, serial: zone.serial,
        records, messages: n, bytes, durationMs: ms, key: who.key, complete,
      });
    });
    // (Checked to be free above, and nothing ran since.)
    return quota === undefined ? stream : (quota.hold(stream) ?? this.#small(req, Rcode.REFUSED, false, null));
  }

  /**
   * RFC 1996 §3.7-3.10: a NOTIFY for one of our secondary zones is acknowledged
   * at once (AA, question echoed) and the refresh runs in the background.
   */
  #notify(buf: Uint8Array, length: number, ctx: HandleContext): Uint8Array | null {
    let msg;
    try {
      msg = decodeMessage(buf.subarray(0, length));
    } catch {
      return notifyReply(buf, length, Rcode.FORMERR, null);
    }
    const q = msg.questions[0];
    if (msg.questions.length !== 1 || q === undefined || q.type !== RRType.SOA) return notifyReply(buf, length, Rcode.FORMERR, null);
    const hooks = this.#hooks;
    let key: TsigKey | null = null;
    let requestMac: Uint8Array = EMPTY;
    if (msg.tsig !== null) {
      const v = tsigVerify(buf.subarray(0, length), (n) => hooks?.key(n));
      if (v.malformed || v.error !== TsigError.NOERROR || v.key === null) reportTsig(hooks, v, ctx, 'NOTIFY');
      if (v.malformed) return notifyReply(buf, length, Rcode.FORMERR, null);
      if (v.error !== TsigError.NOERROR || v.key === null) {
        return withTsigError(notifyReply(buf, length, Rcode.NOTAUTH, q), v, msg.id);
      }
      key = v.key;
      requestMac = v.mac;
    }
    const soa = msg.answers.find((r) => r.type === RRType.SOA);
    const soaValue = soa === undefined ? NaN : soaSerial(soa.rdata);
    const serial = Number.isNaN(soaValue) ? null : soaValue;
    const verdict = hooks === null ? 'notauth' : hooks.notify(q.name, { address: ctx.address ?? '', key: key === null ? null : key.name.toText() }, serial);
    const rcode = verdict === 'accepted' ? Rcode.NOERROR : verdict === 'refused' ? Rcode.REFUSED : Rcode.NOTAUTH;
    const out = notifyReply(buf, length, rcode, q);
    return key === null ? out : tsigSign(out, key, { requestMac }).bytes;
  }

  #limit(req: Request, ctx: HandleContext): number {
    if (ctx.tcp) return 65535;
    if (!req.edns) return MIN_UDP;
    return Math.max(MIN_UDP, Math.min(req.ednsPayload, this.#options.udpPayload));
  }

  #optLength(req: Request): number {
    if (!req.edns) return 0;
    return 11 + (req.nsid && this.#nsid !== null ? 4 + this.#nsid.length : 0)
      + (this.#cookie === null ? 0 : COOKIE_OPTION) + (this.#keepalive < 0 ? 0 : KEEPALIVE_OPTION);
  }

  #answer(req: Request, ctx: HandleContext): Uint8Array {
    const buf = req.buf;
    const qnameEnd = req.qnameEnd;
    const qtype = req.qtype;
    // The prepared path: a node that holds the name exactly, with authority or as a cut.
    let node: ZoneNode | undefined;
    let zone: Zone | null | undefined;
    let key = 0;
    /** The answer may be one a CNAME chain gives to every type it does not hold (CHASE_KEY). */
    let chase = false;
    // BIND sends no additional data (referral glue aside) to an EDNS client whose buffer is 512 octets or less.
    const small = !ctx.tcp && req.edns && req.ednsPayload <= MIN_UDP;
    if (qtype !== RRType.DS && qtype !== RRType.ANY && !small) {
      zone = this.#zones.find(buf, HEADER, qnameEnd);
      if (zone !== undefined && zone !== null) {
        node = zone.lookupWire(hashWireName(buf, HEADER, qnameEnd), buf, HEADER, qnameEnd);
        if (node !== undefined && (node.flags & NodeFlags.BELOW_CUT) === 0) {
          key = preparedKey(node, qtype);
          chase = key === CHASE_KEY;
          // DO changes a signed zone's answers (RFC 4035 §3.1): its answers are kept apart.
          if (req.dnssecOk) key = key < 0 ? key - 1 : key + DO_KEY;
          const cache = this.#cache;
          let hit: CachedAnswer | undefined;
          if (chase) {
            hit = cache.getChase(node, key, qtype, buf, qnameEnd) ?? cache.get(node, req.dnssecOk ? qtype + DO_KEY : qtype, buf, qnameEnd);
          } else {
            hit = cache.get(node, key, buf, qnameEnd);
          }
          if (hit !== undefined) {
            const optLen = this.#optLength(req);
            const qEnd = req.questionEnd;
            const total = qEnd + hit.tail.length + optLen;
            if (total <= this.#limit(req, ctx)) {
              const out = Buffer.allocUnsafe(total);
              this.#header(out, req, hit.aa, false, hit.rcode, hit.an, hit.ns, hit.ar + (req.edns ? 1 : 0));
              out.set(buf.subarray(HEADER, qEnd), HEADER);
              out.set(hit.tail, qEnd);
              if (req.edns) this.#writeOpt(out, qEnd + hit.tail.length, req, hit.rcode);
              return out;
            }
          }
        } else {
          node = undefined;
        }
      }
    }
    // The general path: RFC 1034 §4.3.2, then encode.
    // A copy: `buf` is the listener's (a Buffer's slice() would be a view of it).
    const qname = copyBytes(buf, HEADER, qnameEnd);
    const result = answer(this.#zones, { name: qname, type: qtype, class: req.qclass }, { minimalAny: !ctx.tcp, dnssecOk: req.dnssecOk });
    this.#wildcard = result.wildcardEncloser ?? null;
    if (small && result.kind !== AnswerKind.REFERRAL) result.additional.length = result.requiredAdditional;
    const limit = this.#limit(req, ctx);
    const msg = this.#message(req, qname, result);
    const enc = encodeMessage(msg, scratch, { limit });
    const cut = enc.truncatedSection;
    const droppedGlue = cut === 3 && countAdditional(scratch, req) < result.requiredAdditional;
    if (cut === 1 || cut === 2 || droppedGlue) {
      // RFC 2181 §9 / RFC 9471 §3: it does not fit; TC with the question (and OPT), as BIND does.
      return this.#small(req, result.rcode, result.aa, null, true);
    }
    const out = Buffer.from(scratch.subarray(0, enc.length));
    if (node !== undefined && zone !== undefined && zone !== null && cut === 0) {
      const optLen = req.edns ? this.#optLength(req) : 0;
      const prepared = {
        aa: result.aa, rcode: result.rcode, an: result.answer.length, ns: result.authority.length, ar: result.additional.length,
      };
      // The cache copies the question name and the tail: `buf` is the next request's, `out` goes to the caller.
      const tail = out.subarray(req.questionEnd, out.length - optLen);
      const chain = chase ? cnameChain(this.#zones, zone, node, result) : null;
      if (chain !== null) this.#cache.put(node, key, buf, qnameEnd, tail, { ...prepared, tail, chain });
      else this.#cache.put(node, chase ? (req.dnssecOk ? qtype + DO_KEY : qtype) : key, buf, qnameEnd, tail, { ...prepared, tail });
    }
    return out;
  }

  #message(req: Request, qname: Uint8Array, result: Answer): Message {
    const rd = (req.flags & 0x0100) !== 0;
    const cd = (req.flags & 0x0010) !== 0;
    return {
      id: req.id, qr: true, opcode: Opcode.QUERY, aa: result.aa, tc: false, rd, ra: false, z: false, ad: false, cd,
      rcode: result.rcode,
      questions: [{ name: Name.trusted(qname), type: req.qtype, class: req.qclass }],
      answers: result.answer.map(toRecord),
      authorities: result.authority.map(toRecord),
      additionals: result.additional.map(toRecord),
      edns: req.edns ? this.#edns(req) : null,
      tsig: null,
    };
  }

  #edns(req: Request): NonNullable<Message['edns']> {
    const options: { code: number; data: Uint8Array }[] = req.nsid && this.#nsid !== null ? [{ code: EdnsOptionCode.NSID, data: this.#nsid }] : [];
    if (this.#cookie !== null) options.push({ code: EdnsOptionCode.COOKIE, data: this.#cookie });
    if (this.#keepalive >= 0) options.push({ code: EdnsOptionCode.TCP_KEEPALIVE, data: keepaliveData(this.#keepalive) });
    return { udpPayload: this.#options.udpPayload, version: 0, dnssecOk: req.dnssecOk, z: 0, options };
  }

  /** Header flags: QR, the opcode, AA, TC, RD and CD copied (RFC 1035 §4.1.1, RFC 4035 §3.1.6); RA, Z and AD clear. */
  #header(out: Uint8Array, req: Request, aa: boolean, tc: boolean, rcode: number, an: number, ns: number, ar: number, qd = 1): void {
    const flags = 0x8000 | (req.opcode << 11) | (aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) | (req.flags & 0x0110) | (rcode & 0xf);
    writeHeader(out, req.id, flags, qd, an, ns, ar);
  }

  #writeOpt(out: Uint8Array, at: number, req: Request, rcode: number): void {
    const payload = this.#options.udpPayload;
    out[at] = 0; // RFC 6891 §6.1.2: root owner
    out[at + 1] = 0;
    out[at + 2] = RRType.OPT;
    out[at + 3] = payload >>> 8;
    out[at + 4] = payload;
    out[at + 5] = rcode >>> 4; // RFC 6891 §6.1.3: upper 8 bits of the extended RCODE
    out[at + 6] = 0; // version
    out[at + 7] = req.dnssecOk ? 0x80 : 0; // RFC 3225 §3: DO is copied
    out[at + 8] = 0;
    const nsid = req.nsid ? this.#nsid : null;
    const cookie = this.#cookie;
    const keepalive = this.#keepalive;
    const rdlen = (nsid === null ? 0 : 4 + nsid.length) + (cookie === null ? 0 : COOKIE_OPTION) + (keepalive < 0 ? 0 : KEEPALIVE_OPTION);
    out[at + 9] = rdlen >>> 8;
    out[at + 10] = rdlen;
    let p = at + 11;
    if (nsid !== null) {
      out[p] = 0;
      out[p + 1] = EdnsOptionCode.NSID; // RFC 5001 §2.3
      out[p + 2] = nsid.length >>> 8;
      out[p + 3] = nsid.length;
      out.set(nsid, p + 4);
      p += 4 + nsid.length;
    }
    if (cookie !== null) {
      // RFC 7873 §5.2.3-5.2.5: the client cookie copied, with a server cookie valid now.
      out[p] = 0;
      out[p + 1] = EdnsOptionCode.COOKIE;
      out[p + 2] = 0;
      out[p + 3] = cookie.length;
      out.set(cookie, p + 4);
      p += 4 + cookie.length;
    }
    if (keepalive >= 0) {
      // RFC 7828 §3.1: TIMEOUT, in units of 100 ms.
      out[p] = 0;
      out[p + 1] = EdnsOptionCode.TCP_KEEPALIVE;
      out[p + 2] = 0;
      out[p + 3] = 2;
      out[p + 4] = keepalive >>> 8;
      out[p + 5] = keepalive;
    }
  }

  /**
   * RFC 7873 §5.4: a query with no question and a COOKIE option asks for a
   * server cookie: header and OPT with the cookie, NOERROR, or BADCOOKIE when
   * the server cookie it sent is not valid (as BIND answers it).
   */
  #cookieOnly(req: Request, ctx: HandleContext): Uint8Array {
    const verdict = this.#cookies!.check(req.buf, req.cookieAt, req.cookieLength, ctx.address ?? '');
    this.#cookie = this.#cookies!.out;
    req.validServerCookie = verdict === CookieVerdict.VALID;
    const rcode = verdict === CookieVerdict.INVALID ? Rcode.BADCOOKIE : Rcode.NOERROR;
    const out = Buffer.allocUnsafe(HEADER + this.#optLength(req));
    this.#header(out, req, false, false, rcode, 0, 0, 1, 0);
    this.#writeOpt(out, HEADER, req, rcode);
    return out;
  }

  /** A response of header, question, at most one answer record (CH TXT) and OPT. */
  #small(req: Request, rcode: number, aa: boolean, record: Uint8Array | null, tc = false): Uint8Array {
    const qEnd = req.questionEnd;
    const optLen = this.#optLength(req);
    const rec = record ?? EMPTY;
    const out = Buffer.allocUnsafe(qEnd + rec.length + optLen);
    this.#header(out, req, aa, tc, rcode, record === null ? 0 : 1, 0, req.edns ? 1 : 0);
    out.set(req.buf.subarray(HEADER, qEnd), HEADER);
    out.set(rec, qEnd);
    if (req.edns) this.#writeOpt(out, qEnd + rec.length, req, rcode);
    return out;
  }

  /**
   * FORMERR / NOTIMP: the header without the question (it may be what was
   * wrong), and the OPT when the query's was readable, as BIND answers
   * (dig warns about a FORMERR without OPT to a query with one).
   */
  #headerOnly(req: Request, rcode: number): Uint8Array {
    const optLen = this.#optLength(req);
    const out = Buffer.allocUnsafe(HEADER + optLen);
    this.#header(out, req, false, false, rcode, 0, 0, req.edns ? 1 : 0, 0);
    // RFC 6891 §6.1.1: a request with an OPT gets a response with one.
    if (req.edns) this.#writeOpt(out, HEADER, req, rcode);
    return out;
  }
}

const EMPTY = new Uint8Array(0);
/** The rate limiter's view of the response being sent (handling is synchronous). */
const TOKEN: RrlToken = { kind: 0, nameHash: 0, typeWord: 0 };

/**
 * The cache key of a question of type `qtype` at `node` (without DO), so that
 * all types that get the same answer share one entry: otherwise a stream
 * of TYPEn questions fills the cache with copies of one answer.
 */
function preparedKey(node: ZoneNode, qtype: number): number {
  const rrsets = node.rrsets;
  // RFC 1034 §4.3.2 step 3b: at a cut, every type but DS (not on this path) and the parent's NSEC gets the referral.
  if ((node.flags & NodeFlags.DELEGATION) !== 0) return qtype === RRType.NSEC && rrsets.has(RRType.NSEC) ? qtype : REFERRAL_KEY;
  if (rrsets.has(qtype)) return qtype;
  if ((node.flags & NodeFlags.HAS_CNAME) === 0) return ABSENT_TYPE; // NODATA, the same for every type not held
  // RFC 4035 §2.5: RRSIG and NSEC beside a CNAME are not chased; an SOA question's NXDOMAIN has TTL 0 (see query/answer.ts).
  if (qtype === RRType.RRSIG || qtype === RRType.NSEC || qtype === RRType.SOA) return qtype;
  return CHASE_KEY;
}

/**
 * The nodes whose RRsets decided `result`, a CNAME owner's answer to a type
 * it does not hold (RFC 1034 §4.3.2 step 3a), when the answer is the same
 * for every type none of them holds: only CNAMEs (and their RRSIGs) in the
 * answer section, each owned by an exact node of the zone, ending out of the
 * zone, at an exact node without CNAME (NODATA), in NXDOMAIN or in a
 * referral. Null otherwise (a wildcard, a DNAME, a loop, data of the type):
 * then the answer is kept for its own type only.
 */
function cnameChain(zones: ZoneSet, zone: Zone, node: ZoneNode, result: Answer): ZoneNode[] | null {
  if (result.rcode !== Rcode.NOERROR && result.rcode !== Rcode.NXDOMAIN) return null;
  const chain = [node];
  /** How the chain ended: 0 = not yet, 1 = anything goes (left the zone, NODATA), 2 = must be NXDOMAIN or a referral. */
  let ended = 0;
  for (const r of result.answer) {
    if (r.type === RRType.RRSIG) continue;
    if (r.type !== RRType.CNAME || ended !== 0) return null;
    const target = r.rdata;
    if (zones.find(target, 0, target.length) !== zone) {
      ended = 1; // an authoritative server does not follow a chain out of the zone
      continue;
    }
    const next = zone.lookupWire(hashWireName(target, 0, target.length), target, 0, target.length);
    if (next === undefined || (next.flags & (NodeFlags.BELOW_CUT | NodeFlags.DELEGATION)) !== 0) {
      ended = 2; // no such node (NXDOMAIN, or a wildcard), or below a cut
      continue;
    }
    if (chain.includes(next)) return null;
    chain.push(next);
    if ((next.flags & NodeFlags.HAS_CNAME) === 0) ended = 1;
  }
  if (ended === 0) return null;
  if (ended === 2 && result.rcode !== Rcode.NXDOMAIN && result.kind !== AnswerKind.REFERRAL) return null;
  return chain;
}

/** The 2-octet TIMEOUT of edns-tcp-keepalive (RFC 7828 §3.1). */
function keepaliveData(timeout: number): Uint8Array {
  return Uint8Array.of(timeout >>> 8, timeout & 0xff);
}

function toRecord(r: Answer['answer'][number]): ResourceRecord {
  return { name: Name.trusted(r.owner), type: r.type, class: r.class, ttl: r.ttl, rdata: r.rdata };
}

/** ARCOUNT of an encoded response, less the OPT record. */
function countAdditional(buf: Uint8Array, req: Request): number {
  return ((buf[10]! << 8) | buf[11]!) - (req.edns ? 1 : 0);
}


const TSIG_ERROR_NAMES: Record<number, TsigFailure['error']> = {
  [TsigError.BADSIG]: 'BADSIG', [TsigError.BADKEY]: 'BADKEY', [TsigError.BADTIME]: 'BADTIME', [TsigError.BADTRUNC]: 'BADTRUNC',
};

/** Tells the daemon that a request's TSIG failed (the server does not log; the daemon rate-limits the lines). */
function reportTsig(hooks: TransferHooks | null, v: TsigVerified & { malformed: boolean }, ctx: HandleContext, opcode: TsigFailure['opcode']): void {
  if (hooks === null || hooks.tsigFailed === undefined) return;
  hooks.tsigFailed({
    address: ctx.address ?? '',
    tcp: ctx.tcp,
    key: v.keyName === null ? null : v.keyName.toText(),
    algorithm: v.algorithm === null ? null : v.algorithm.toText(),
    error: v.malformed ? 'FORMERR' : (TSIG_ERROR_NAMES[v.error] ?? 'BADKEY'),
    opcode,
    macLength: v.mac.length,
    skewSec: v.error === TsigError.BADTIME ? Math.floor(Date.now() / 1000) - v.time : null,
  });
}

/**
 * RFC 8945 §5.3.2: the TSIG for an error answer to a request that did not
 * verify: BADKEY and BADSIG unsigned; BADTIME signed, with the request's
 * time as time signed and ours in Other Data (§5.2.3, as BIND does);
 * BADTRUNC signed with the whole MAC (the MAC did verify; as BIND does).
 */
function withTsigError(base: Uint8Array, v: TsigVerified, originalId: number): Uint8Array {
  if (v.error === TsigError.BADTIME && v.key !== null) {
    const other = tsigTimeOtherData(Math.floor(Date.now() / 1000));
    return tsigSign(base, v.key, { requestMac: v.mac, error: TsigError.BADTIME, otherData: other, now: v.time }).bytes;
  }
  // RFC 8945 §5.2.2.1: BADTRUNC.
  if (v.error === TsigError.BADTRUNC && v.key !== null) return tsigSign(base, v.key, { requestMac: v.mac, error: TsigError.BADTRUNC }).bytes;
  const error = v.error === TsigError.NOERROR ? TsigError.BADKEY : v.error;
  return tsigAppendUnsigned(base, v.keyName ?? Name.ROOT, v.algorithm ?? Name.ROOT, error, { originalId });
}

/** Octets to keep free in each transfer message for its TSIG record (RFC 8945 §4.2). */
function tsigReserve(key: TsigKey): number {
  // owner + type/class/ttl/rdlength + algorithm + time(6) fudge(2) maclen(2) mac(<=64) id(2) error(2) otherlen(2) other(6)
  return key.name.wire.length + 10 + 32 + 6 + 2 + 2 + 64 + 2 + 2 + 2 + 6;
}

/** The transfer's messages, each signed with the running MAC (RFC 8945 §5.3.1); `done` sees the totals, also when the client goes away. */
function* signedStream(
  messages: Iterator<Uint8Array, void, undefined>, key: TsigKey | null, requestMac: Uint8Array,
  done: (messages: number, bytes: number, ms: number, complete: boolean) => void,
): Generator<Uint8Array, void, undefined> {
  const signer = key === null ? null : new TsigStreamSigner(key, requestMac);
  const started = Date.now();
  let n = 0;
  let bytes = 0;
  let complete = false;
  try {
    // One message ahead, so the transfer counts as complete once its last message is handed over,
    // even if the client (as BIND does) closes the connection before asking for more.
    let cur = messages.next();
    while (cur.done !== true) {
      const next = messages.next();
      const out = signer === null ? cur.value : signer.sign(cur.value);
      n++;
      bytes += out.length;
      if (next.done === true) complete = true;
      yield out;
      cur = next;
    }
    complete = true;
  } finally {
    done(n, bytes, Date.now() - started, complete);
  }
}

/** A NOTIFY response (RFC 1996 §4.7): the request's header with QR and AA, the question echoed, no other records. */
function notifyReply(buf: Uint8Array, length: number, rcode: number, q: Question | null): Uint8Array {
  const name = q === null ? null : q.name.wire;
  const out = Buffer.alloc(12 + (name === null ? 0 : name.length + 4));
  const flags = 0x8000 | (Opcode.NOTIFY << 11) | (rcode === Rcode.NOERROR ? 0x0400 : 0) | (length > 2 ? (buf[2]! & 0x01) << 8 : 0) | (rcode & 0xf);
  writeHeader(out, (buf[0]! << 8) | buf[1]!, flags, name === null ? 0 : 1, 0, 0, 0);
  if (name !== null && q !== null) {
    out.set(name, 12);
    const p = 12 + name.length;
    out[p] = q.type >>> 8;
    out[p + 1] = q.type;
    out[p + 2] = q.class >>> 8;
    out[p + 3] = q.class;
  }
  return out;
}
