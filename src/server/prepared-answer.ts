/**
 * Prepared answers (NSD-style): a question whose answer is held in the
 * AnswerCache is answered by copying the header, the question and the held
 * octets; the general path's answers are kept for the next such question.
 */
import { AnswerKind, type Answer, type ZoneSet } from '../query/index.js';
import { Rcode, RRType } from '../wire/index.js';
import { NodeFlags, hashWireName, type Zone, type ZoneNode } from '../zone/index.js';
import type { HeldAnswer } from './answer-cache.js';
import { CHASE_KEY, DO_KEY, preparedKey } from './answer-cache-key.js';
import type { HandleContext } from './handle-context.js';
import { hotKey } from './hot-answers.js';
import { EXACT_SPELLING, uniformSpelling } from './spelling-class.js';
import type { Request } from './request.js';
import type { ResponderState } from './responder-state.js';
import { HEADER, optLength, writeOpt, writeResponseHeader } from './response-header.js';
import { MIN_UDP, responseLimit } from './response-limit.js';

/** Which path answered a query (Responder.lastAnswerPath). */
export const AnswerPath = {
  /** Not a query answered from the zones (an error, CHAOS, a transfer, NOTIFY), or not yet known. */
  OTHER: 0,
  /** The hot answers, by the question and its spelling class. */
  HOT: 1,
  /** The prepared answers, by node, key and spelling class. */
  PREPARED: 2,
  /** answer() and the encoder. */
  GENERAL: 3,
} as const;

/**
 * The prepared answer to `req`, or null when there is none (then the
 * general path answers). Leaves in `s` the zone, node and key the answer
 * is to be kept under (node null: it is not to be kept).
 */
export function preparedAnswer(s: ResponderState, req: Request, ctx: HandleContext): Uint8Array | null {
  s.zone = null;
  s.node = null;
  s.key = 0;
  s.chase = false;
  s.hotMissed = false;
  const buf = req.buf;
  const qnameEnd = req.qnameEnd;
  const qtype = req.qtype;
  // The prepared path: a node that holds the name exactly, with authority or as a cut.
  // BIND sends no additional data (referral glue aside) to an EDNS client whose buffer is 512 octets or less.
  const small = !ctx.tcp && req.edns && req.ednsPayload <= MIN_UDP;
  if (qtype === RRType.DS || qtype === RRType.ANY || small) return null;
  // First the hot answers, by the question (letter case aside) and its spelling class: no zone lookup, no node (issue 16 §1).
  // The hot answers are this responder's until a newer one (a rebuild) claims them.
  const hot = s.hot !== null && s.hot.owner === s.hotOwner ? s.hot : null;
  // One hash of the name (lowercased) for the hot answers and the zone's lookup.
  const nameHash = hashWireName(buf, HEADER, qnameEnd);
  let hk = 0;
  if (hot !== null) {
    hk = hotKey(nameHash, qtype, req.dnssecOk);
    const p = hot.find(hk, buf, qnameEnd, qtype, req.dnssecOk);
    if (p >= 0) {
      s.path = AnswerPath.HOT;
      return respond(s, req, ctx, hot.aa(p), hot.rcode(p), hot.an(p), hot.ns(p), hot.ar(p), hot.ring, hot.tailStart(p), hot.tailLength(p));
    }
    s.hotMissed = true;
    s.hotKey = hk;
  }
  const zone = s.zones.find(buf, HEADER, qnameEnd);
  if (zone === undefined || zone === null) return null;
  const node = zone.lookupWire(nameHash, buf, HEADER, qnameEnd);
  if (node === undefined || (node.flags & NodeFlags.BELOW_CUT) !== 0) return null;
  let key = preparedKey(node, qtype);
  const chase = key === CHASE_KEY;
  // DO changes a signed zone's answers (RFC 4035 §3.1): its answers are kept apart.
  if (req.dnssecOk) key = key < 0 ? key - 1 : key + DO_KEY;
  // Questions in another letter case (0x20) share an entry when the answer allows (spelling-class.ts).
  const spelling = node.spelledFrom(buf, HEADER, qnameEnd);
  s.zone = zone;
  s.node = node;
  s.key = key;
  s.chase = chase;
  s.spelling = spelling;
  const cache = s.cache;
  let hit: HeldAnswer | undefined;
  if (chase) {
    hit = cache.getChase(node, key, qtype, buf, qnameEnd, spelling) ?? cache.get(node, req.dnssecOk ? qtype + DO_KEY : qtype, buf, qnameEnd, spelling);
  } else {
    hit = cache.get(node, key, buf, qnameEnd, spelling);
  }
  if (hit === undefined) return null;
  s.path = AnswerPath.PREPARED;
  // The same question again, or another of its spelling class, will be a hot one (whatever the limits of its asker).
  if (hot !== null) {
    const exact = hit.spelling === EXACT_SPELLING;
    hot.put(hk, exact ? buf : node.chunk, exact ? HEADER : node.start, qnameEnd - HEADER, hit.spelling, qtype, req.dnssecOk,
      hit.aa, hit.rcode, hit.an, hit.ns, hit.ar, hit.tail);
  }
  return respond(s, req, ctx, hit.aa, hit.rcode, hit.an, hit.ns, hit.ar, hit.tail, 0, hit.tail.length);
}

/** Above this many octets the tail is copied with one set() (which costs a subarray); shorter ones byte by byte. */
const LOOP_COPY = 96;

/**
 * The response to `req` whose sections after the question are
 * src[start, start + length), with its header fields; null when it does
 * not fit the client's limit (the general path then truncates).
 */
function respond(s: ResponderState, req: Request, ctx: HandleContext, aa: boolean, rcode: number, an: number, ns: number, ar: number,
  src: Uint8Array, start: number, length: number): Uint8Array | null {
  const optLen = optLength(s, req);
  const qEnd = req.questionEnd;
  const total = qEnd + length + optLen;
  if (total > responseLimit(req, ctx, s.options.udpPayload)) return null;
  // In place when the listener gave a buffer it fits (issue 16 §1: nothing allocated per query), else a new one.
  const dest = s.dest;
  const inPlace = dest !== null && total <= dest.length;
  const out = inPlace ? dest : Buffer.allocUnsafe(total);
  writeResponseHeader(out, req, aa, false, rcode, an, ns, ar + (req.edns ? 1 : 0));
  // The question as asked (its letter case too), byte by byte: a subarray for set() would be an allocation.
  const buf = req.buf;
  for (let i = HEADER; i < qEnd; i++) out[i] = buf[i]!;
  if (length > LOOP_COPY) out.set(src.subarray(start, start + length), qEnd);
  else for (let i = 0; i < length; i++) out[qEnd + i] = src[start + i]!;
  if (req.edns) writeOpt(s, out, qEnd + length, req, rcode);
  if (inPlace) s.destLength = total;
  return out;
}

/**
 * Keeps `out`, the general path's whole (untruncated) answer `result` to
 * `req`, as the prepared answer at the node `preparedAnswer` looked up.
 */
export function keepPrepared(s: ResponderState, req: Request, result: Answer, out: Buffer): void {
  const node = s.node;
  const zone = s.zone;
  if (node === null || zone === null) return;
  const buf = req.buf;
  const qnameEnd = req.qnameEnd;
  const qtype = req.qtype;
  const chase = s.chase;
  const key = s.key;
  const optLen = req.edns ? optLength(s, req) : 0;
  const prepared = {
    aa: result.aa, rcode: result.rcode, an: result.answer.length, ns: result.authority.length, ar: result.additional.length,
  };
  // The cache copies the question name and the tail: `buf` is the next request's, `out` goes to the caller.
  const tail = out.subarray(req.questionEnd, out.length - optLen);
  const chain = chase ? cnameChain(s.zones, zone, node, result) : null;
  // One entry for the question's spelling class when its names allow, else for these octets alone.
  const spelling = uniformSpelling(result, node, buf, qnameEnd) ? s.spelling : EXACT_SPELLING;
  if (s.cacheSize === 0) {
    // No AnswerCache: the whole of answer-cache-size is the hot answers' (a serving thread's, issue 16 §3: one
    // ring of octets, not an object per answer). The answer goes there at once, as a hit would put it.
    const hot = s.hot;
    if (hot === null || hot.owner !== s.hotOwner || !s.hotMissed) return;
    const exact = spelling === EXACT_SPELLING;
    hot.put(s.hotKey, exact ? buf : node.chunk, exact ? HEADER : node.start, qnameEnd - HEADER, spelling, qtype, req.dnssecOk,
      prepared.aa, prepared.rcode, prepared.an, prepared.ns, prepared.ar, tail);
    return;
  }
  if (chain !== null) s.cache.put(node, key, buf, qnameEnd, tail, { ...prepared, tail, chain }, spelling);
  else s.cache.put(node, chase ? (req.dnssecOk ? qtype + DO_KEY : qtype) : key, buf, qnameEnd, tail, { ...prepared, tail }, spelling);
}

/**
 * Keeps `out`, the general path's whole answer to `req`, in the hot answers
 * when it is an NXDOMAIN for a name no node holds (the prepared answers
 * cannot keep it: they are kept by node). Such an answer is the same for
 * the same question octets while the zones are (RFC 2308 §3: the SOA of the
 * zone, its denial records), and rate limiting reads it from its octets
 * alone. A wildcard's answer is not kept: rate limiting counts it by the
 * wildcard, which the entry does not hold.
 */
export function keepHotNxdomain(s: ResponderState, req: Request, result: Answer, out: Uint8Array): void {
  if (!s.hotMissed || s.node !== null || s.wildcard !== null || result.rcode !== Rcode.NXDOMAIN) return;
  const hot = s.hot;
  if (hot === null || hot.owner !== s.hotOwner) return;
  const optLen = req.edns ? optLength(s, req) : 0;
  // The header's counts as written (ARCOUNT less the OPT record).
  const an = (out[6]! << 8) | out[7]!;
  const ns = (out[8]! << 8) | out[9]!;
  const ar = ((out[10]! << 8) | out[11]!) - (req.edns ? 1 : 0);
  const tail = out.subarray(req.questionEnd, out.length - optLen);
  hot.put(s.hotKey, req.buf, HEADER, req.qnameEnd - HEADER, EXACT_SPELLING, req.qtype, req.dnssecOk, result.aa, result.rcode, an, ns, ar, tail);
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
