/** A transfer's messages as they go out: each signed with the running TSIG MAC (RFC 8945 §5.3.1), counted for the log line. */
import { TsigStreamSigner, type TsigKey } from '../tsig/index.js';

/** Octets to keep free in each transfer message for its TSIG record (RFC 8945 §4.2). */
export function tsigReserve(key: TsigKey): number {
  // owner + type/class/ttl/rdlength + algorithm + time(6) fudge(2) maclen(2) mac(<=64) id(2) error(2) otherlen(2) other(6)
  return key.name.wire.length + 10 + 32 + 6 + 2 + 2 + 64 + 2 + 2 + 2 + 6;
}

/** The transfer's messages, each signed with the running MAC (RFC 8945 §5.3.1); `done` sees the totals, also when the client goes away. */
export function* signedStream(
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
