/** One DNS-over-TCP connection (RFC 7766): framing, pipelined answers in order, backpressure, transfers written a slice at a time, idle timeout. */
import type { Socket } from 'node:net';
import type { HandleContext } from './handle-context.js';
import type { ListenerErrorSink, QueryHooks } from './listener-callbacks.js';
import type { MultiMessageAnswer } from './multi-message-answer.js';
import { countedAsV6 } from './query-counters.js';
import type { Responder } from './responder.js';
import { SlicedRunner } from './sliced-runner.js';
import type { QuotaConnection, TcpQuota } from './tcp-quota.js';

/** Longest stretch of transfer work between two turns of the event loop, for all transfers together (ms). */
const PUMP_SLICE_MS = 1;
/** Response octets allowed to wait for a slow reader before the connection is dropped. */
const MAX_PENDING_OCTETS = 1 << 20;

/** Every transfer of the process is written through this one runner, so together they take at most PUMP_SLICE_MS a turn. */
const transfers = new SlicedRunner(PUMP_SLICE_MS);

/**
 * Serves the connection `sock` from `responder` (RFC 7766): two-octet
 * length prefix, many queries, answered in order as they arrive
 * (pipelining, §6.2.1.1). A client that does not read its answers is
 * paused, then dropped; `quota` decides whether it is let in at all, and
 * `conns` holds it while it is open.
 */
export function serveTcpConnection(
  sock: Socket, responder: () => Responder, quota: TcpQuota, conns: Set<Socket>, onError: ListenerErrorSink, hooks: QueryHooks,
): void {
  let pending: Buffer | null = null;
  /** Queries taken from this connection so far. */
  let answered = 0;
  /** A transfer being written; queries that follow it wait (they stay in `pending`). */
  let stream: MultiMessageAnswer | null = null;
  const conn: QuotaConnection = {
    address: sock.remoteAddress ?? '',
    // Not idle while it has work in hand: a transfer, answers not yet taken, queries held back for them.
    busy: () => stream !== null || sock.writableLength > 0 || sock.isPaused(),
    evict: () => sock.destroy(),
  };
  sock.on('error', () => sock.destroy());
  if (!quota.admit(conn)) {
    // RFC 7766 §6.2.2 lets a server refuse connections; a reset frees everything at once (no TIME_WAIT here).
    sock.resetAndDestroy();
    return;
  }
  conns.add(sock);
  const idleTimeoutMs = quota.limits.idleTimeoutMs;
  // RFC 7828 §3.3.2: the idle timeout this connection has, in units of 100 ms (at most 0xffff).
  const ctx: HandleContext = { tcp: true, address: conn.address, keepalive: Math.min(0xffff, Math.round(idleTimeoutMs / 100)) };
  const v6 = countedAsV6(conn.address);
  sock.setTimeout(idleTimeoutMs, () => sock.destroy());
  sock.on('close', () => {
    conns.delete(sock);
    quota.release(conn);
    // A transfer cut short: let it log and let go of the zone (and of its transfers-out slot).
    if (stream !== null) stream.return?.();
    stream = null;
  });
  sock.on('drain', () => {
    if (stream === null) sock.resume();
  });

  const send = (out: Uint8Array): boolean => {
    const framed = Buffer.allocUnsafe(2 + out.length);
    framed.writeUInt16BE(out.length, 0);
    framed.set(out, 2);
    return sock.write(framed);
  };

  /**
   * Writes the transfer's next message (one step of the shared runner, which
   * gives all transfers together a slice of time per turn of the event loop,
   * so UDP answering goes on); true while the socket takes more.
   */
  const step = (): boolean => {
    const s = stream;
    if (s === null || sock.destroyed) return false;
    let r;
    try {
      r = s.next();
    } catch (err) {
      onError(err, `transfer to ${ctx.address ?? '?'}`);
      stream = null;
      sock.destroy();
      return false;
    }
    if (r.done === true) {
      stream = null;
      sock.resume();
      process();
      return false;
    }
    if (!send(r.value)) {
      // TCP backpressure: wait for the client to take what was written.
      sock.once('drain', () => transfers.add(step));
      return false;
    }
    return true;
  };

  /** Answers the complete queries in `pending`, in order (RFC 7766 §6.2.1.1: pipelining). */
  const process = (): void => {
    const data = pending;
    if (data === null) return;
    pending = null;
    let p = 0;
    while (stream === null && data.length - p >= 2) {
      const len = data.readUInt16BE(p);
      if (data.length - p - 2 < len) break;
      const msg = data.subarray(p + 2, p + 2 + len);
      p += 2 + len;
      answered++;
      const counters = hooks.counters;
      const t0 = counters === null ? 0 : performance.now();
      let out: Uint8Array | MultiMessageAnswer | null;
      let r: Responder;
      try {
        r = responder();
        out = r.handleTcp(msg, ctx);
      } catch (err) {
        onError(err, `tcp query from ${ctx.address ?? '?'}`);
        sock.destroy();
        return;
      }
      const observe = hooks.observe;
      if (observe !== null) observe(msg, out instanceof Uint8Array ? out : null, ctx.address ?? '?', true);
      // A transfer counts as a NOERROR response, its time that of starting it (its messages are written later).
      if (counters !== null) counters.count(true, v6, r.lastQtype, out === null ? -1 : out instanceof Uint8Array ? r.rcodeOf(out) : 0, performance.now() - t0);
      if (out === null) {
        // Not a query at all (no header, or a response): RFC 7766 §6.2.2 lets us close.
        sock.destroy();
        return;
      }
      if (!(out instanceof Uint8Array)) {
        stream = out;
        sock.pause();
        break;
      }
      if (!send(out)) {
        // A client that does not read: stop reading its queries until it catches up.
        if (sock.writableLength > MAX_PENDING_OCTETS) {
          sock.destroy();
          return;
        }
        sock.pause();
      }
    }
    if (p < data.length) pending = Buffer.from(data.subarray(p));
    if (stream !== null) transfers.add(step);
  };

  /** When the unfinished query now in `pending` began to arrive (0: none). */
  let partialSince = 0;
  sock.on('data', (chunk: Buffer) => {
    quota.touch(conn);
    pending = pending === null ? chunk : Buffer.concat([pending, chunk]);
    const before = answered;
    if (stream === null) process();
    // A query that trickles in a byte at a time never looks idle: it gets the idle timeout to arrive whole.
    if (pending === null || stream !== null || answered !== before) {
      partialSince = 0;
    } else if (partialSince === 0) {
      partialSince = Date.now();
    } else if (Date.now() - partialSince > idleTimeoutMs) {
      sock.destroy();
    }
  });
}
