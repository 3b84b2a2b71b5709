import { createServer, type Server, type Socket } from 'node:net';
import type { HandleContext, MessageStream, Responder } from './responder.js';
import type { ListenerErrorSink, QueryObserver } from './udp-listener.js';


/** Longest stretch of transfer work between two turns of the event loop (ms). */
const PUMP_SLICE_MS = 2;

export interface TcpLimits {
  /** RFC 7766 §6.2.3: close a connection idle this long (ms). */
  idleTimeoutMs: number;
  /** Connections held at once; a new one past this closes the one idle longest. */
  maxConnections: number;
  /** Response octets allowed to wait for a slow reader before the connection is dropped. */
  maxPendingOctets?: number;
}

/**
 * DNS over TCP (RFC 7766): two-octet length prefix, many queries per
 * connection, answered in order as they arrive (pipelining, §6.2.1.1).
 * A client that does not read its answers is paused, then dropped, so it
 * never holds up another connection; an idle one is closed after the idle
 * timeout; past the connection cap the longest-idle connection goes first.
 */
export class TcpListener {
  readonly #server: Server;
  readonly #host: string;
  readonly #port: number;
  /** Open connections, least recently active first (a Map keeps insertion order). */
  readonly #conns = new Map<Socket, true>();
  readonly #limits: Required<TcpLimits>;
  readonly #onError: ListenerErrorSink;

  constructor(responder: () => Responder, host: string, port: number, limits: TcpLimits, onError: ListenerErrorSink, observe?: QueryObserver) {
    this.#host = host;
    this.#port = port;
    this.#limits = { maxPendingOctets: 1 << 20, ...limits };
    this.#server = createServer({ noDelay: true }, (sock) => this.#accept(sock, responder, onError, observe));
    this.#onError = onError;
  }

  get connections(): number {
    return this.#conns.size;
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => reject(err);
      this.#server.once('error', fail);
      this.#server.listen({ port: this.#port, host: this.#host, exclusive: false }, () => {
        this.#server.off('error', fail);
        // From now on errors are the sink's; a failed listen is only the caller's (one report, not two).
        this.#server.on('error', (err) => this.#onError(err, `tcp listener ${this.#host}:${this.#port}`));
        const a = this.#server.address();
        if (a === null || typeof a === 'string') resolve({ host: this.#host, port: this.#port });
        else resolve({ host: a.address, port: a.port });
      });
    });
  }

  /** Stops accepting; open connections finish what they have been sent, then close (destroyed after `graceMs`). */
  close(graceMs = 1500): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        for (const s of this.#conns.keys()) s.destroy();
      }, graceMs);
      timer.unref();
      this.#server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const s of this.#conns.keys()) s.end();
    });
  }

  #touch(sock: Socket): void {
    this.#conns.delete(sock);
    this.#conns.set(sock, true);
  }

  #accept(sock: Socket, responder: () => Responder, onError: ListenerErrorSink, observe: QueryObserver | undefined): void {
    if (this.#conns.size >= this.#limits.maxConnections) {
      const oldest = this.#conns.keys().next().value;
      if (oldest !== undefined) {
        this.#conns.delete(oldest);
        oldest.destroy();
      }
    }
    this.#conns.set(sock, true);
    // RFC 7828 §3.3.2: the idle timeout this connection has, in units of 100 ms (at most 0xffff).
    const keepalive = Math.min(0xffff, Math.round(this.#limits.idleTimeoutMs / 100));
    const ctx: HandleContext = { tcp: true, address: sock.remoteAddress ?? '', keepalive };
    let pending: Buffer | null = null;
    /** Queries taken from this connection so far. */
    let answered = 0;
    /** A transfer being written; queries that follow it wait (they stay in `pending`). */
    let stream: MessageStream | null = null;
    sock.setTimeout(this.#limits.idleTimeoutMs, () => sock.destroy());
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      this.#conns.delete(sock);
      // A transfer cut short: let it log and let go of the zone.
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

    /** Writes the transfer's messages while the socket takes them, a slice of time per turn of the event loop so UDP answering goes on. */
    const pump = (): void => {
      const s = stream;
      if (s === null || sock.destroyed) return;
      // At most about 2 ms of transfer work per turn, so queries keep being answered meanwhile.
      const until = performance.now() + PUMP_SLICE_MS;
      for (let i = 0; i === 0 || performance.now() < until; i++) {
        let r;
        try {
          r = s.next();
        } catch (err) {
          onError(err, `transfer to ${ctx.address ?? '?'}`);
          stream = null;
          sock.destroy();
          return;
        }
        if (r.done === true) {
          stream = null;
          sock.resume();
          process();
          return;
        }
        if (!send(r.value)) {
          sock.once('drain', pump);
          return;
        }
      }
      setImmediate(pump);
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
        let out: Uint8Array | MessageStream | null;
        try {
          out = responder().handleTcp(msg, ctx);
        } catch (err) {
          onError(err, `tcp query from ${ctx.address ?? '?'}`);
          sock.destroy();
          return;
        }
        if (observe !== undefined) observe(msg, out instanceof Uint8Array ? out : null, ctx.address ?? '?', true);
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
          if (sock.writableLength > this.#limits.maxPendingOctets) {
            sock.destroy();
            return;
          }
          sock.pause();
        }
      }
      if (p < data.length) pending = Buffer.from(data.subarray(p));
      if (stream !== null) setImmediate(pump);
    };

    /** When the unfinished query now in `pending` began to arrive (0: none). */
    let partialSince = 0;
    sock.on('data', (chunk: Buffer) => {
      this.#touch(sock);
      pending = pending === null ? chunk : Buffer.concat([pending, chunk]);
      const before = answered;
      if (stream === null) process();
      // A query that trickles in a byte at a time never looks idle: it gets the idle timeout to arrive whole.
      if (pending === null || stream !== null || answered !== before) {
        partialSince = 0;
      } else if (partialSince === 0) {
        partialSince = Date.now();
      } else if (Date.now() - partialSince > this.#limits.idleTimeoutMs) {
        sock.destroy();
      }
    });
  }
}
