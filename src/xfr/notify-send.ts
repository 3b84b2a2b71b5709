/**
 * NOTIFY out (RFC 1996): the message, and its sending to one secondary over UDP (udp-exchange.ts),
 * retrying with backoff until it answers.
 */
import { BlockList } from 'node:net';
import { Opcode, Rcode, RRClass, RRType, decodeMessage, emptyMessage, encodeMessageToBytes, type Name } from '../wire/index.js';
import type { NotifySigner } from '../tsig/index.js';
import type { Peer } from './peer.js';
import { udpExchange } from './udp-exchange.js';

export interface SendNotifyOptions {
  origin: Name;
  serial: number;
  /** SOA rdata to carry in the answer section (RFC 1996 §3.7). */
  soa: Uint8Array;
  /** TTL of that SOA record (default 0). */
  soaTtl?: number;
  peer: Peer;
  /** TSIG signing of each try, and verification of the answer; unsigned when absent. */
  sign?: NotifySigner;
  /** Messages sent before giving up (default 5, RFC 1996 §3.6 "a few"). */
  tries?: number;
  /** Wait for an answer to the first try (default 1000 ms); doubled for each further try. */
  firstTimeoutMs?: number;
  /** Stops waiting (resolves with acked false). */
  signal?: AbortSignal;
}

export interface SendNotifyResult {
  /** The peer answered NOERROR. */
  acked: boolean;
  /** Messages sent. */
  tries: number;
  /** RCODE of the answer, when one came. */
  rcode?: number;
  /** True when `signal` stopped it. */
  aborted?: boolean;
  /** Why no try could be made: the socket could not be bound, or a try could not be signed. */
  error?: unknown;
}

/** Whether `addr` (as the socket reports it) is the peer's address, whatever its spelling. */
function samePeerAddress(peer: Peer, addr: string): boolean {
  if (addr === peer.host) return true;
  try {
    const bl = new BlockList();
    bl.addAddress(peer.host, peer.family === 6 ? 'ipv6' : 'ipv4');
    return bl.check(addr, peer.family === 6 ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
}

/** The NOTIFY message of RFC 1996 §3.7 (without TSIG). */
export function buildNotify(id: number, origin: Name, soa: Uint8Array, soaTtl = 0): Uint8Array {
  const m = emptyMessage(id);
  m.opcode = Opcode.NOTIFY;
  m.aa = true;
  m.questions.push({ name: origin, type: RRType.SOA, class: RRClass.IN });
  m.answers.push({ name: origin, type: RRType.SOA, class: RRClass.IN, ttl: soaTtl, rdata: soa });
  return encodeMessageToBytes(m);
}

/**
 * Sends a NOTIFY for `origin` to `peer` and waits for the answer: same ID,
 * QR set, opcode NOTIFY, from the peer's address and port (and, when
 * signed, a TSIG that verifies). Every try reuses the ID, so a late answer
 * to an earlier try still counts. An answer with an error RCODE ends the
 * tries (acked false, `rcode` set). Never throws for network trouble.
 */
export async function sendNotify(opts: SendNotifyOptions): Promise<SendNotifyResult> {
  const tries = Math.max(1, opts.tries ?? 5);
  const first = Math.max(1, opts.firstTimeoutMs ?? 1000);
  const { peer, signal } = opts;
  const id = (Math.random() * 0x10000) | 0;
  const query = buildNotify(id, opts.origin, opts.soa, opts.soaTtl ?? 0);
  if (signal?.aborted) return { acked: false, tries: 0, aborted: true };

  // The verifier of every try sent: an answer to any of them is good.
  const verifiers: ((r: Uint8Array) => boolean)[] = [];
  const sign = opts.sign;
  const res = await udpExchange({
    peer,
    connect: false,
    tries,
    message: (): Uint8Array => {
      if (sign === undefined) return query;
      const s = sign(query);
      verifiers.push((r) => {
        try {
          return s.verify(r);
        } catch {
          return false;
        }
      });
      return s.bytes;
    },
    // Each try waits twice as long as the one before.
    waitUntil: (i, _started, sent) => sent + first * 2 ** i,
    accept: (msg, rinfo): number | null => {
      if (rinfo.port !== peer.port || !samePeerAddress(peer, rinfo.address)) return null;
      let rcode: number;
      try {
        const m = decodeMessage(msg);
        if (m.id !== id || !m.qr || m.opcode !== Opcode.NOTIFY) return null;
        rcode = m.rcode;
      } catch {
        return null;
      }
      if (sign !== undefined && !verifiers.some((v) => v(msg))) return null;
      return rcode;
    },
    socketErrors: 'wait',
    sendErrors: 'ignore',
    ...(signal !== undefined ? { signal } : {}),
  });
  switch (res.type) {
    case 'answer':
      return res.answer === Rcode.NOERROR ? { acked: true, tries: res.tries, rcode: res.answer } : { acked: false, tries: res.tries, rcode: res.answer };
    case 'aborted':
      return { acked: false, tries: res.tries, aborted: true };
    case 'noAnswer':
      return { acked: false, tries: res.tries };
    case 'failed':
      return { acked: false, tries: res.tries, error: res.error };
  }
}
