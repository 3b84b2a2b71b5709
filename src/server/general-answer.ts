/** The general answer path: `answer()` (RFC 1034 §4.3.2) over the zones, encoded, truncated when it does not fit. */
import { answer, AnswerKind, type Answer } from '../query/index.js';
import { copyBytes, EdnsOptionCode, encodeMessage, Name, Opcode, type Message, type ResourceRecord } from '../wire/index.js';
import type { HandleContext } from './handle-context.js';
import { AnswerPath, keepHotNxdomain, keepPrepared } from './prepared-answer.js';
import type { Request } from './request.js';
import type { ResponderState } from './responder-state.js';
import { HEADER } from './response-header.js';
import { MIN_UDP, responseLimit } from './response-limit.js';
import { smallResponse } from './small-response.js';

/** Scratch buffer for the general path (encoding is synchronous). */
const scratch = new Uint8Array(65535);

/** The answer to the question of `req` (class IN, no transfer), kept as the prepared answer when it can be. */
export function generalAnswer(s: ResponderState, req: Request, ctx: HandleContext): Uint8Array {
  s.path = AnswerPath.GENERAL;
  const buf = req.buf;
  const qnameEnd = req.qnameEnd;
  const qtype = req.qtype;
  // BIND sends no additional data (referral glue aside) to an EDNS client whose buffer is 512 octets or less.
  const small = !ctx.tcp && req.edns && req.ednsPayload <= MIN_UDP;
  // The general path: RFC 1034 §4.3.2, then encode.
  // A copy: `buf` is the listener's (a Buffer's slice() would be a view of it).
  const qname = copyBytes(buf, HEADER, qnameEnd);
  const result = answer(s.zones, { name: qname, type: qtype, class: req.qclass }, { minimalAny: !ctx.tcp, dnssecOk: req.dnssecOk });
  s.wildcard = result.wildcardEncloser ?? null;
  if (small && result.kind !== AnswerKind.REFERRAL) result.additional.length = result.requiredAdditional;
  const limit = responseLimit(req, ctx, s.options.udpPayload);
  const msg = message(s, req, qname, result);
  const enc = encodeMessage(msg, scratch, { limit });
  const cut = enc.truncatedSection;
  const droppedGlue = cut === 3 && countAdditional(scratch, req) < result.requiredAdditional;
  if (cut === 1 || cut === 2 || droppedGlue) {
    // RFC 2181 §9 / RFC 9471 §3: it does not fit; TC with the question (and OPT), as BIND does.
    return smallResponse(s, req, result.rcode, result.aa, null, true);
  }
  const out = Buffer.from(scratch.subarray(0, enc.length));
  if (cut === 0) {
    keepPrepared(s, req, result, out);
    keepHotNxdomain(s, req, result, out);
  }
  return out;
}

function message(s: ResponderState, req: Request, qname: Uint8Array, result: Answer): Message {
  const rd = (req.flags & 0x0100) !== 0;
  const cd = (req.flags & 0x0010) !== 0;
  return {
    id: req.id, qr: true, opcode: Opcode.QUERY, aa: result.aa, tc: false, rd, ra: false, z: false, ad: false, cd,
    rcode: result.rcode,
    questions: [{ name: Name.trusted(qname), type: req.qtype, class: req.qclass }],
    answers: result.answer.map(toRecord),
    authorities: result.authority.map(toRecord),
    additionals: result.additional.map(toRecord),
    edns: req.edns ? edns(s, req) : null,
    tsig: null,
  };
}

function edns(s: ResponderState, req: Request): NonNullable<Message['edns']> {
  const options: { code: number; data: Uint8Array }[] = req.nsid && s.nsid !== null ? [{ code: EdnsOptionCode.NSID, data: s.nsid }] : [];
  if (s.cookie !== null) options.push({ code: EdnsOptionCode.COOKIE, data: s.cookie });
  if (s.keepalive >= 0) options.push({ code: EdnsOptionCode.TCP_KEEPALIVE, data: keepaliveData(s.keepalive) });
  return { udpPayload: s.options.udpPayload, version: 0, dnssecOk: req.dnssecOk, z: 0, options };
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
