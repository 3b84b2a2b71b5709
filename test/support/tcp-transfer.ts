/**
 * Reading a zone transfer over TCP in tests: one query (AXFR, IXFR, or
 * anything a test wants streamed back) on a fresh connection, and every
 * response message until the closing SOA, an error rcode or the server's
 * close. Bounded in time.
 */
import { connect } from 'node:net';
import { RRType, Rcode, decodeMessage, type Message } from '../../src/wire/index.js';
import { FrameReader, frame } from './tcp-framing.js';

/** What ended the stream: the second SOA of the zone (the closing one), a message with an error rcode, or the server closing. */
export type TransferEnd = 'soa' | 'rcode' | 'closed';

export interface TransferStream {
  /** The response messages as received (without their length prefixes). */
  raw: Uint8Array[];
  /** The same, decoded. */
  messages: Message[];
  end: TransferEnd;
}

/**
 * Sends `query` to `host` (default 127.0.0.1):`port` over TCP and reads the
 * answer: messages until two SOA records owned by the query's name have
 * come, a message's rcode is not NOERROR (kept as the last message), or the
 * server closes. Rejects on a socket error, a message that does not
 * decode, or after `timeoutMs` (default 5000).
 */
export function readTransfer(port: number, query: Uint8Array, opts: { timeoutMs?: number; host?: string } = {}): Promise<TransferStream> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const host = opts.host ?? '127.0.0.1';
  const zone = decodeMessage(query).questions[0]?.name;
  return new Promise((resolve, reject) => {
    const raw: Uint8Array[] = [];
    const messages: Message[] = [];
    const reader = new FrameReader();
    let soas = 0;
    let done = false;
    const sock = connect({ host, port });
    const finish = (err: Error | null, end: TransferEnd = 'closed'): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve({ raw, messages, end });
    };
    const timer = setTimeout(() => finish(new Error(`transfer from ${host}:${port}: ${raw.length} messages after ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(null, 'closed'));
    sock.on('connect', () => sock.write(frame(query)));
    sock.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      for (let msg = reader.next(); msg !== null; msg = reader.next()) {
        let m: Message;
        try {
          m = decodeMessage(msg);
        } catch (e) {
          return finish(e as Error);
        }
        raw.push(msg);
        messages.push(m);
        if (m.rcode !== Rcode.NOERROR) return finish(null, 'rcode');
        soas += m.answers.filter((rr) => rr.type === RRType.SOA && zone !== undefined && rr.name.equals(zone)).length;
        if (soas >= 2) return finish(null, 'soa');
      }
    });
  });
}
