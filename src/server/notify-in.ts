/** NOTIFY in (RFC 1996): a NOTIFY for one of our secondary zones is acknowledged and the daemon told. */
import { decodeMessage, Opcode, Rcode, RRType, soaSerial, writeHeader, type Question } from '../wire/index.js';
import { TsigError, tsigSign, tsigVerify, type TsigKey } from '../tsig/index.js';
import { requesterOf, type HandleContext } from './handle-context.js';
import type { ResponderState } from './responder-state.js';
import { reportTsig, withTsigError } from './tsig-answer.js';

const EMPTY = new Uint8Array(0);

/**
 * RFC 1996 §3.7-3.10: a NOTIFY for one of our secondary zones is acknowledged
 * at once (AA, question echoed) and the refresh runs in the background.
 */
export function notifyAnswer(s: ResponderState, buf: Uint8Array, length: number, ctx: HandleContext): Uint8Array | null {
  let msg;
  try {
    msg = decodeMessage(buf.subarray(0, length));
  } catch {
    return notifyReply(buf, length, Rcode.FORMERR, null);
  }
  const q = msg.questions[0];
  if (msg.questions.length !== 1 || q === undefined || q.type !== RRType.SOA) return notifyReply(buf, length, Rcode.FORMERR, null);
  const hooks = s.hooks;
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
  const verdict = hooks === null ? 'notauth' : hooks.notify(q.name, requesterOf(ctx, key), serial);
  const rcode = verdict === 'accepted' ? Rcode.NOERROR : verdict === 'refused' ? Rcode.REFUSED : Rcode.NOTAUTH;
  const out = notifyReply(buf, length, rcode, q);
  return key === null ? out : tsigSign(out, key, { requestMac }).bytes;
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
