/**
 * The checks every response to the transfer client passes (RFC 5936 §2.2.1, RFC 8945 §5.2): ID, QR,
 * opcode, RCODE (with the TSIG error of a NOTAUTH), the TSIG of the message, and the question.
 */
import { Opcode, RRClass, Rcode, rcodeToText, typeToText, type Message, type Name } from '../wire/index.js';
import type { XfrSigner } from '../tsig/index.js';
import { TransferError } from './transfer-error.js';

/** The Error field of TSIG rdata (RFC 8945 §4.2), or 0 when it cannot be read. */
function tsigErrorField(rdata: Uint8Array): number {
  let p = 0;
  while (p < rdata.length && rdata[p] !== 0) p += rdata[p]! + 1;
  p += 1 + 6 + 2; // root label, time signed, fudge
  if (p + 2 > rdata.length) return 0;
  const macSize = (rdata[p]! << 8) | rdata[p + 1]!;
  p += 2 + macSize + 2; // MAC, original ID
  if (p + 2 > rdata.length) return 0;
  return (rdata[p]! << 8) | rdata[p + 1]!;
}

const TSIG_ERRORS: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

export /**
 * Header checks shared by every response: ID, QR, opcode, TSIG, RCODE, and
 * the question (which must be there in the first message and, when
 * present, the one asked in the others; RFC 5936 §2.2.1).
 */
function checkResponse(
  msg: Message, bytes: Uint8Array, id: number, origin: Name, qtype: number, first: boolean, signer: XfrSigner | null, peer: string,
): void {
  if (msg.id !== id) throw new TransferError('XFR_MALFORMED', peer, `response ID ${msg.id} does not match the query's ${id}`);
  if (!msg.qr) throw new TransferError('XFR_MALFORMED', peer, 'response has QR clear');
  if (msg.opcode !== Opcode.QUERY) throw new TransferError('XFR_MALFORMED', peer, `response has opcode ${msg.opcode}, not QUERY`);
  if (msg.rcode !== Rcode.NOERROR) {
    // A TSIG failure is NOTAUTH with the reason in the TSIG Error field (RFC 8945 §5.2).
    if (signer !== null && msg.tsig !== null) {
      const err = tsigErrorField(msg.tsig.rdata);
      if (err !== 0) throw new TransferError('XFR_TSIG', peer, `our TSIG was rejected: ${TSIG_ERRORS[err] ?? `error ${err}`} (${rcodeToText(msg.rcode)})`);
    }
    throw new TransferError('XFR_REFUSED', peer, `answered ${rcodeToText(msg.rcode)} to ${typeToText(qtype)} ${origin.toText()}`);
  }
  if (signer !== null) {
    try {
      signer.verifyResponse(bytes);
    } catch (e) {
      if (e instanceof TransferError) throw e;
      throw new TransferError('XFR_TSIG', peer, `TSIG check failed: ${(e as Error).message}`, { cause: e });
    }
  }
  if (first && msg.questions.length !== 1) {
    throw new TransferError('XFR_MALFORMED', peer, `first response message has ${msg.questions.length} questions, not the one asked`);
  }
  if (msg.questions.length > 1) throw new TransferError('XFR_MALFORMED', peer, `response has ${msg.questions.length} questions`);
  const q = msg.questions[0];
  if (q !== undefined && (!q.name.equals(origin) || q.type !== qtype || q.class !== RRClass.IN)) {
    throw new TransferError('XFR_MALFORMED', peer, `response question ${q.name.toText()} ${typeToText(q.type)} is not the one asked`);
  }
}
