/**
 * The queries a serving thread passes to the main thread (issue 16 §3):
 * those that need what only the main thread holds. NOTIFY (RFC 1996) and
 * any other opcode but QUERY reach the transfer service; IXFR over UDP
 * (RFC 1995 §2) reads the journals; AXFR is answered there too, so every
 * transfer request is counted and logged in one place.
 */
import { RRType } from '../wire/index.js';

/** Where a serving thread's relayed query goes, and how its answer comes back (null: none to send). */
export interface OwnerRelay {
  relay(query: Uint8Array, address: string, reply: (response: Uint8Array | null) => void): void;
}

/**
 * True when the datagram buf[0, length) is for the main thread: an opcode
 * other than QUERY, or a question of type IXFR or AXFR. A datagram too
 * short to tell is answered where it came in (the responder drops it or
 * answers FORMERR there). Reads the header and the question name's label
 * lengths only.
 */
export function needsOwner(buf: Uint8Array, length: number): boolean {
  if (length < 12) return false;
  // RFC 1035 §4.1.1: the opcode is bits 1-4 of the third octet.
  if (((buf[2]! >> 3) & 0xf) !== 0) return true;
  if (buf[4] !== 0 || buf[5] !== 1) return false;
  let p = 12;
  for (let i = 0; i < 128 && p < length; i++) {
    const len = buf[p]!;
    if (len === 0) {
      if (p + 3 > length) return false;
      const qtype = (buf[p + 1]! << 8) | buf[p + 2]!;
      return qtype === RRType.IXFR || qtype === RRType.AXFR;
    }
    if (len > 63) return false; // a compression pointer in a question: the responder answers FORMERR
    p += len + 1;
  }
  return false;
}
