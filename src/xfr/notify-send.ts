/**
 * NOTIFY out (RFC 1996): the message, and its sending to one secondary over UDP, retrying with backoff
 * until it answers.
 */
import { BlockList } from 'node:net';
import DgramAsPromised from 'dgram-as-promised';
import { Opcode, Rcode, RRClass, RRType, decodeMessage, emptyMessage, encodeMessageToBytes, type Name } from '../wire/index.js';
import type { NotifySigner } from '../tsig/index.js';
import type { Peer } from './peer.js';

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

type Packet = Awaited<ReturnType<ReturnType<typeof DgramAsPromised.createSocket>['recv']>>;

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

  let sock: ReturnType<typeof DgramAsPromised.createSocket>;
  try {
    sock = DgramAsPromised.createSocket(peer.family === 6 ? 'udp6' : 'udp4');
    await sock.bind();
  } catch (e) {
    return { acked: false, tries: 0, error: e };
  }

  // The verifier of every try sent: an answer to any of them is good.
  const verifiers: ((r: Uint8Array) => boolean)[] = [];
  // One receive outstanding at a time, kept across tries so nothing arriving between waits is lost.
  let pending: Promise<Packet | 'error'> | null = null;
  let aborted = false;
  let wake: (() => void) | null = null;
  const onAbort = (): void => {
    aborted = true;
    wake?.();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  /** Waits up to `ms` for a matching answer; its RCODE, or null. */
  const waitForAnswer = async (ms: number): Promise<number | null> => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (aborted) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      pending ??= sock.recv().catch((): 'error' => 'error');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), left);
        wake = () => resolve('timeout');
      });
      const got = await Promise.race([pending, timeout]);
      clearTimeout(timer);
      wake = null;
      if (got === 'timeout') continue;
      pending = null;
      if (got === undefined) return null; // socket closed
      if (got === 'error') {
        // A socket error (ICMP unreachable, ...): nothing more for this try.
        await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
        return null;
      }
      if (got.rinfo.port !== peer.port || !samePeerAddress(peer, got.rinfo.address)) continue;
      let rcode: number;
      try {
        const m = decodeMessage(got.msg);
        if (m.id !== id || !m.qr || m.opcode !== Opcode.NOTIFY) continue;
        rcode = m.rcode;
      } catch {
        continue;
      }
      if (opts.sign !== undefined && !verifiers.some((v) => v(got.msg))) continue;
      return rcode;
    }
  };

  let sent = 0;
  try {
    for (let i = 0; i < tries && !aborted; i++) {
      let bytes = query;
      if (opts.sign !== undefined) {
        try {
          const s = opts.sign(query);
          bytes = s.bytes;
          verifiers.push((r) => {
            try {
              return s.verify(r);
            } catch {
              return false;
            }
          });
        } catch (e) {
          return { acked: false, tries: sent, error: e };
        }
      }
      try {
        await sock.send(bytes, peer.port, peer.host);
      } catch {
        /* unreachable, no route, ...: counts as a try; wait it out */
      }
      sent++;
      const rcode = await waitForAnswer(first * 2 ** i);
      if (rcode !== null) {
        return rcode === Rcode.NOERROR ? { acked: true, tries: sent, rcode } : { acked: false, tries: sent, rcode };
      }
    }
    return aborted ? { acked: false, tries: sent, aborted: true } : { acked: false, tries: sent };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await sock.close().catch(() => undefined);
  }
}
