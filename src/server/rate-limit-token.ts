/** What the rate limiter counts a response by (BIND's RRL key), read from the response's octets. */
import { lowerByte } from '../wire/index.js';
import { RrlKind } from './rate-limit.js';

/** What the rate limiter counts one response by (one object reused: handling is synchronous). */
export interface RrlToken {
  kind: RrlKind;
  /** Hash of the name, lowercased: the qname, the zone (NXDOMAIN), the delegation point (referral), or a wildcard's parent. */
  nameHash: number;
  /** Class (low octet) << 16 | type of the question. */
  typeWord: number;
}

const OPCODE_NOTIFY = 4;
const RCODE_NXDOMAIN = 3;
const HEADER = 12;

/**
 * Classifies a response we built, as BIND's RRL does (its rtypes and
 * make_key): from the header (RCODE, AA, counts) and, for NXDOMAIN and
 * referrals, the owner of the first authority record (the zone's SOA, the
 * cut's NS). `wildcard` is the closest encloser when the answer was
 * synthesized from `*.<encloser>` (RFC 4592 §3.3.1): BIND counts such
 * answers by it, so random names under one wildcard share a bucket.
 * False when the response is not rate limited (a NOTIFY acknowledgement).
 * The response is out[0, length) (a send slot holds more octets than it).
 */
export function responseToken(out: Uint8Array, wildcard: Uint8Array | null, t: RrlToken, length = out.length): boolean {
  if (length < HEADER) return false;
  if (((out[2]! >> 3) & 0xf) === OPCODE_NOTIFY) return false;
  const rcode = out[3]! & 0xf;
  const aa = (out[2]! & 0x04) !== 0;
  const qd = (out[4]! << 8) | out[5]!;
  const an = (out[6]! << 8) | out[7]!;
  const ns = (out[8]! << 8) | out[9]!;
  t.nameHash = 0;
  t.typeWord = 0;
  // Errors (and anything without a question to count it by) are counted per client alone.
  const qEnd = qd === 1 ? skipName(out, HEADER, length) : -1;
  if (qEnd < 0 || qEnd + 4 > length || (rcode !== 0 && rcode !== RCODE_NXDOMAIN)) {
    t.kind = RrlKind.ERROR;
    return true;
  }
  const qtype = (out[qEnd]! << 8) | out[qEnd + 1]!;
  const qclass = out[qEnd + 3]!;
  if (rcode === RCODE_NXDOMAIN) {
    // By zone: the SOA's owner (after any CNAMEs that led here); the qname if there is none.
    t.kind = RrlKind.NXDOMAIN;
    const soa = ns > 0 ? skipRecords(out, qEnd + 4, an, length) : -1;
    t.nameHash = soa >= 0 ? hashNameAt(out, soa, length) : hashNameAt(out, HEADER, length);
    return true;
  }
  if (an > 0) {
    t.kind = RrlKind.ANSWER;
    t.typeWord = (qclass << 16) | qtype;
    t.nameHash = wildcard !== null ? hashNameAt(wildcard, 0, wildcard.length) : hashNameAt(out, HEADER, length);
    return true;
  }
  if (aa) {
    t.kind = RrlKind.NODATA;
    t.nameHash = wildcard !== null ? hashNameAt(wildcard, 0, wildcard.length) : hashNameAt(out, HEADER, length);
    return true;
  }
  if (ns > 0) {
    // By delegation point: the owner of the NS RRset.
    t.kind = RrlKind.REFERRAL;
    t.nameHash = hashNameAt(out, qEnd + 4, length);
    return true;
  }
  // NOERROR, not authoritative and no referral: BADVERS (its upper bits are in OPT) and the like.
  t.kind = RrlKind.ERROR;
  return true;
}

/** The offset after the (possibly compressed) name at `p`, or -1; the message is b[0, end). */
function skipName(b: Uint8Array, p: number, end: number): number {
  for (;;) {
    if (p >= end) return -1;
    const len = b[p]!;
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2 <= end ? p + 2 : -1;
    p += len + 1;
  }
}

/** The offset after `n` records from `p`, or -1. */
function skipRecords(b: Uint8Array, p: number, n: number, end: number): number {
  for (let i = 0; i < n; i++) {
    p = skipName(b, p, end);
    if (p < 0 || p + 10 > end) return -1;
    p += 10 + ((b[p + 8]! << 8) | b[p + 9]!);
  }
  return p < end ? p : -1;
}

/** FNV-1a of the name at `p` (pointers followed, at most 32), lowercased, labels and lengths. */
function hashNameAt(b: Uint8Array, p: number, length: number): number {
  let h = 0x811c9dc5 | 0;
  for (let jumps = 0; p < length; ) {
    const len = b[p]!;
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= length || ++jumps > 32) break;
      p = ((len & 0x3f) << 8) | b[p + 1]!;
      continue;
    }
    h = Math.imul(h ^ len, 0x01000193);
    if (len === 0) break;
    const end = Math.min(p + 1 + len, length);
    for (let i = p + 1; i < end; i++) {
      const c = b[i]!;
      h = Math.imul(h ^ lowerByte(c), 0x01000193);
    }
    p += len + 1;
  }
  return h;
}
