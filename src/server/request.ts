/** A query read in place (RFC 1035 §4.1, RFC 6891, RFC 7873, RFC 8945): offsets and numbers in one reused object. */
import { EdnsOptionCode, RRType } from '../wire/index.js';

/** Why a request could not be used (0 = it can). */
export const RequestError = {
  NONE: 0,
  /** Not even a header: drop it (RFC 1035 §4.1.1 gives us no ID to answer to). */
  DROP: 1,
  /** The header is readable but the rest is not: FORMERR (RFC 1035 §4.1.1). */
  FORMERR: 2,
} as const;

/**
 * A query, read in place: offsets into the received octets and a few
 * numbers, so reading allocates nothing. One object is reused for every
 * request (handling is synchronous).
 */
export class Request {
  buf: Uint8Array = new Uint8Array(0);
  length = 0;
  error: number = RequestError.NONE;
  id = 0;
  /** Header octets 2 and 3. */
  flags = 0;
  opcode = 0;
  qdcount = 0;
  /** The question name is buf[12, qnameEnd); type and class follow. */
  qnameEnd = 0;
  qtype = 0;
  qclass = 0;
  /** RFC 6891: an OPT record was present. */
  edns = false;
  ednsPayload = 0;
  ednsVersion = 0;
  dnssecOk = false;
  /** RFC 5001 §2.1: an empty NSID option asks for the server's identity. */
  nsid = false;
  /** A TSIG record was present (RFC 8945). */
  tsig = false;
  /** RFC 1995 §3: the serial of the SOA in an IXFR query's authority section (-1: none). */
  ixfrSerial = -1;
  /** RFC 7873 §4: the COOKIE option's data is buf[cookieAt, cookieAt + cookieLength); length 0: none. */
  cookieAt = 0;
  cookieLength = 0;
  /** RFC 7828 §3.2.1: the query carried edns-tcp-keepalive (it asks for the idle timeout). */
  keepalive = false;
  /**
   * FORMERR only because there is no question (QDCOUNT 0, the rest well
   * formed): RFC 7873 §5.4 answers such a query when it carries a cookie.
   */
  noQuestion = false;
  /**
   * The query carried a server cookie we made, recently (RFC 7873 §5.2.5,
   * RFC 9018 §4.3); set by the responder once it has checked the cookie.
   * Rate limiting exempts such clients: their address is not spoofed.
   */
  validServerCookie = false;

  /** End of the question section (header + name + type + class). */
  get questionEnd(): number {
    return this.qnameEnd + 4;
  }
}

const shared = new Request();

/**
 * Reads `buf[0, length)` as a query (RFC 1035 §4.1): header, one question
 * whose name has no compression pointer, no answer records, no authority
 * records but an IXFR query's SOA (RFC 1995 §3), and in the additional section at most one OPT (RFC 6891 §6.1.1) and a
 * last TSIG. Anything else is FORMERR; fewer than 12 octets, or a response
 * (QR set), is DROP. A message of another opcode is read no further than
 * its header. Returns the shared Request object.
 */
export function readRequest(buf: Uint8Array, length = buf.length): Request {
  const r = shared;
  r.buf = buf;
  r.length = length;
  r.error = RequestError.NONE;
  r.qnameEnd = 0;
  r.edns = false;
  r.ednsPayload = 0;
  r.ednsVersion = 0;
  r.dnssecOk = false;
  r.nsid = false;
  r.tsig = false;
  r.ixfrSerial = -1;
  r.cookieAt = 0;
  r.cookieLength = 0;
  r.keepalive = false;
  r.noQuestion = false;
  r.validServerCookie = false;
  r.qtype = 0;
  r.qclass = 0;
  if (length < 12) {
    r.error = RequestError.DROP;
    return r;
  }
  r.id = (buf[0]! << 8) | buf[1]!;
  r.flags = (buf[2]! << 8) | buf[3]!;
  r.opcode = (buf[2]! >> 3) & 0xf;
  // Never answer a response: that is how loops between servers start.
  if ((buf[2]! & 0x80) !== 0) {
    r.error = RequestError.DROP;
    return r;
  }
  const qd = (r.qdcount = (buf[4]! << 8) | buf[5]!);
  // Other opcodes (NOTIFY, UPDATE) have sections of their own: the caller answers by opcode alone.
  if (r.opcode !== 0) return r;
  const an = (buf[6]! << 8) | buf[7]!;
  const ns = (buf[8]! << 8) | buf[9]!;
  const ar = (buf[10]! << 8) | buf[11]!;
  if (an !== 0 || ns > 1) return formerr(r);
  // RFC 7873 §5.4: a query with no question may still carry the OPT (and COOKIE) to read.
  if (qd === 0 && ns === 0) return readAdditional(r, 12, ar, true);
  if (qd !== 1) return formerr(r);
  // The question name: plain labels only (a query has nothing to point back to).
  let p = 12;
  for (;;) {
    if (p >= length) return formerr(r);
    const len = buf[p]!;
    if (len === 0) break;
    if (len > 63) return formerr(r); // RFC 1035 §4.1.4 pointers and RFC 6891 §5 extended labels
    p += len + 1;
    if (p - 12 > 254) return formerr(r); // RFC 1035 §3.1: 255 octets with the root
  }
  r.qnameEnd = p + 1;
  if (r.qnameEnd + 4 > length) return formerr(r);
  r.qtype = (buf[r.qnameEnd]! << 8) | buf[r.qnameEnd + 1]!;
  r.qclass = (buf[r.qnameEnd + 2]! << 8) | buf[r.qnameEnd + 3]!;
  p = r.qnameEnd + 4;
  if (ns === 1) {
    // RFC 1995 §3: an IXFR query carries the client's SOA in the authority section; nothing else may.
    if (r.qtype !== RRType.IXFR) return formerr(r);
    p = skipName(buf, p, length);
    if (p < 0 || p + 10 > length) return formerr(r);
    const type = (buf[p]! << 8) | buf[p + 1]!;
    const rdlen = (buf[p + 8]! << 8) | buf[p + 9]!;
    const rdStart = p + 10;
    if (type !== RRType.SOA || rdStart + rdlen > length || rdlen < 22) return formerr(r);
    // SERIAL follows MNAME and RNAME (RFC 1035 §3.3.13); both may be compressed.
    let q = skipName(buf, rdStart, rdStart + rdlen);
    if (q >= 0) q = skipName(buf, q, rdStart + rdlen);
    if (q < 0 || q + 20 !== rdStart + rdlen) return formerr(r);
    r.ixfrSerial = ((buf[q]! << 24) | (buf[q + 1]! << 16) | (buf[q + 2]! << 8) | buf[q + 3]!) >>> 0;
    p = rdStart + rdlen;
  }
  return readAdditional(r, p, ar, false);
}

/** Reads the additional section (`ar` records from `p`) to the end of the message; `noQuestion`: FORMERR once read. */
function readAdditional(r: Request, p: number, ar: number, noQuestion: boolean): Request {
  const buf = r.buf;
  const length = r.length;
  for (let i = 0; i < ar; i++) {
    // Owner name: may be compressed here (a pointer ends it).
    const ownerStart = p;
    p = skipName(buf, p, length);
    if (p < 0 || p + 10 > length) return formerr(r);
    const type = (buf[p]! << 8) | buf[p + 1]!;
    const cls = (buf[p + 2]! << 8) | buf[p + 3]!;
    const rdlen = (buf[p + 8]! << 8) | buf[p + 9]!;
    const rdStart = p + 10;
    const rdEnd = rdStart + rdlen;
    if (rdEnd > length) return formerr(r);
    if (r.tsig) return formerr(r); // RFC 8945 §5.1: TSIG must be the last record
    if (type === RRType.OPT) {
      // RFC 6891 §6.1.1: one OPT, owned by the root.
      if (r.edns || buf[ownerStart] !== 0 || p !== ownerStart + 1) return formerr(r);
      r.edns = true;
      r.ednsPayload = cls;
      r.ednsVersion = buf[p + 5]!;
      r.dnssecOk = (buf[p + 6]! & 0x80) !== 0;
      for (let o = rdStart; o < rdEnd; ) {
        if (o + 4 > rdEnd) return formerr(r);
        const code = (buf[o]! << 8) | buf[o + 1]!;
        const olen = (buf[o + 2]! << 8) | buf[o + 3]!;
        o += 4 + olen;
        if (o > rdEnd) return formerr(r);
        // RFC 5001 §2.1: NSID in a query is empty; unknown options are ignored (RFC 6891 §6.1.2).
        if (code === EdnsOptionCode.NSID) r.nsid = true;
        else if (code === EdnsOptionCode.COOKIE && r.cookieLength === 0) {
          // RFC 7873 §5.2.2: a client cookie alone (8), or with a server cookie of 8 to 32 octets; else FORMERR.
          if (olen < 8 || (olen > 8 && olen < 16) || olen > 40) return formerr(r);
          r.cookieAt = o - olen;
          r.cookieLength = olen;
        } else if (code === EdnsOptionCode.TCP_KEEPALIVE) {
          // RFC 7828 §3.2.1: a query's option is empty; one with a TIMEOUT is still a request (as BIND takes it).
          r.keepalive = true;
        }
      }
    } else if (type === RRType.TSIG) {
      r.tsig = true;
    } else {
      return formerr(r);
    }
    p = rdEnd;
  }
  if (p !== length) return formerr(r); // octets after the last record
  if (noQuestion) {
    r.noQuestion = true;
    return formerr(r);
  }
  return r;
}

/** The offset after the (possibly compressed) name at `p`, or -1 when it runs past `end` or has a bad label. */
function skipName(buf: Uint8Array, p: number, end: number): number {
  for (;;) {
    if (p >= end) return -1;
    const len = buf[p]!;
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2 <= end ? p + 2 : -1;
    if (len > 63) return -1;
    p += len + 1;
  }
}

function formerr(r: Request): Request {
  r.error = RequestError.FORMERR;
  return r;
}
