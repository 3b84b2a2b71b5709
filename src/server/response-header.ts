/** The header and the OPT record of the responses the responder writes itself (all but the general path's). */
import { EdnsOptionCode, RRType, writeHeader } from '../wire/index.js';
import type { Request } from './request.js';
import type { ResponderState } from './responder-state.js';

/** The DNS header's length (RFC 1035 §4.1.1): the question starts here. */
export const HEADER = 12;
/** RFC 7873 §4: option code, length, client cookie (8) and server cookie (16). */
const COOKIE_OPTION = 4 + 24;
/** RFC 7828 §3.1: option code, length and a 2-octet TIMEOUT. */
const KEEPALIVE_OPTION = 4 + 2;

/** Header flags: QR, the opcode, AA, TC, RD and CD copied (RFC 1035 §4.1.1, RFC 4035 §3.1.6); RA, Z and AD clear. */
export function writeResponseHeader(out: Uint8Array, req: Request, aa: boolean, tc: boolean, rcode: number, an: number, ns: number, ar: number, qd = 1): void {
  const flags = 0x8000 | (req.opcode << 11) | (aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) | (req.flags & 0x0110) | (rcode & 0xf);
  writeHeader(out, req.id, flags, qd, an, ns, ar);
}

/** Octets of the OPT record `writeOpt` writes for `req` (0 without EDNS). */
export function optLength(s: ResponderState, req: Request): number {
  if (!req.edns) return 0;
  return 11 + (req.nsid && s.nsid !== null ? 4 + s.nsid.length : 0)
    + (s.cookie === null ? 0 : COOKIE_OPTION) + (s.keepalive < 0 ? 0 : KEEPALIVE_OPTION);
}

/** The OPT record at `out[at]`: our payload, the upper RCODE bits, DO copied, and NSID, COOKIE and keepalive when due. */
export function writeOpt(s: ResponderState, out: Uint8Array, at: number, req: Request, rcode: number): void {
  const payload = s.options.udpPayload;
  out[at] = 0; // RFC 6891 §6.1.2: root owner
  out[at + 1] = 0;
  out[at + 2] = RRType.OPT;
  out[at + 3] = payload >>> 8;
  out[at + 4] = payload;
  out[at + 5] = rcode >>> 4; // RFC 6891 §6.1.3: upper 8 bits of the extended RCODE
  out[at + 6] = 0; // version
  out[at + 7] = req.dnssecOk ? 0x80 : 0; // RFC 3225 §3: DO is copied
  out[at + 8] = 0;
  const nsid = req.nsid ? s.nsid : null;
  const cookie = s.cookie;
  const keepalive = s.keepalive;
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
