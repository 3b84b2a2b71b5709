/** The responses made without the answer path: errors (FORMERR, NOTIMP, REFUSED, ...), CH TXT, truncation and cookie-only replies. */
import { Rcode } from '../wire/index.js';
import type { HandleContext } from './handle-context.js';
import type { Request } from './request.js';
import type { ResponderState } from './responder-state.js';
import { HEADER, optLength, writeOpt, writeResponseHeader } from './response-header.js';
import { CookieVerdict } from './server-cookie.js';

const EMPTY = new Uint8Array(0);

/** A response of header, question, at most one answer record (CH TXT) and OPT. */
export function smallResponse(s: ResponderState, req: Request, rcode: number, aa: boolean, record: Uint8Array | null, tc = false): Uint8Array {
  const qEnd = req.questionEnd;
  s.rcodeHigh = rcode >> 4;
  const optLen = optLength(s, req);
  const rec = record ?? EMPTY;
  const out = Buffer.allocUnsafe(qEnd + rec.length + optLen);
  writeResponseHeader(out, req, aa, tc, rcode, record === null ? 0 : 1, 0, req.edns ? 1 : 0);
  out.set(req.buf.subarray(HEADER, qEnd), HEADER);
  out.set(rec, qEnd);
  if (req.edns) writeOpt(s, out, qEnd + rec.length, req, rcode);
  return out;
}

/**
 * FORMERR / NOTIMP: the header without the question (it may be what was
 * wrong), and the OPT when the query's was readable, as BIND answers
 * (dig warns about a FORMERR without OPT to a query with one).
 */
export function headerOnly(s: ResponderState, req: Request, rcode: number): Uint8Array {
  const optLen = optLength(s, req);
  const out = Buffer.allocUnsafe(HEADER + optLen);
  writeResponseHeader(out, req, false, false, rcode, 0, 0, req.edns ? 1 : 0, 0);
  // RFC 6891 §6.1.1: a request with an OPT gets a response with one.
  if (req.edns) writeOpt(s, out, HEADER, req, rcode);
  return out;
}

/**
 * RFC 7873 §5.4: a query with no question and a COOKIE option asks for a
 * server cookie: header and OPT with the cookie, NOERROR, or BADCOOKIE when
 * the server cookie it sent is not valid (as BIND answers it).
 */
export function cookieOnly(s: ResponderState, req: Request, ctx: HandleContext): Uint8Array {
  const verdict = s.cookies!.check(req.buf, req.cookieAt, req.cookieLength, ctx.address ?? '');
  s.cookie = s.cookies!.out;
  req.validServerCookie = verdict === CookieVerdict.VALID;
  const rcode = verdict === CookieVerdict.INVALID ? Rcode.BADCOOKIE : Rcode.NOERROR;
  const out = Buffer.allocUnsafe(HEADER + optLength(s, req));
  writeResponseHeader(out, req, false, false, rcode, 0, 0, 1, 0);
  writeOpt(s, out, HEADER, req, rcode);
  return out;
}
