/** The UDP listener: one socket, each datagram answered synchronously by the responder. */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { HandleContext } from './handle-context.js';
import type { ListenerErrorSink, QueryHooks } from './listener-callbacks.js';
import { needsOwner, type OwnerRelay } from './owner-relay.js';
import type { Responder } from './responder.js';

/** One context for every datagram: handling is synchronous, so only the address changes. */
const UDP: { tcp: false; address: string } & HandleContext = { tcp: false, address: '' };
const RECV_BUFFER = 4 << 20;

/** A serving thread's socket (issue 16 §3). */
export interface UdpListenerOptions {
  /** SO_REUSEPORT (Node 22.12 and later): one socket per serving thread on the same address. */
  reusePort?: boolean;
  /** Where the queries only the main thread can answer go (owner-relay.ts). */
  relay?: OwnerRelay;
}

/**
 * One UDP socket answering queries (RFC 1035 §4.2.1). Each datagram is
 * answered synchronously from the responder, so nothing queues here.
 * In a node:cluster worker the socket is shared with the other workers.
 */
export class UdpListener {
  readonly #socket: Socket;
  readonly #host: string;
  readonly #port: number;
  readonly #onError: ListenerErrorSink;

  /**
   * `hooks` is read per query: counters (metrics) and the per-query log can
   * be switched on and off while the socket serves.
   */
  constructor(responder: () => Responder, host: string, port: number, onError: ListenerErrorSink, hooks: QueryHooks, options: UdpListenerOptions = {}) {
    this.#host = host;
    this.#port = port;
    const v6 = host.includes(':');
    // reusePort: node:dgram has it from Node 22.12 (a serving thread's own socket, issue 16 §3).
    const socket = createSocket({ type: v6 ? 'udp6' : 'udp4', reuseAddr: false, ...(options.reusePort === true ? { reusePort: true } : {}) });
    const relay = options.relay ?? null;
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      if (relay !== null && needsOwner(msg, msg.length)) {
        relay.relay(new Uint8Array(msg), rinfo.address, (out) => {
          if (out !== null) socket.send(out, rinfo.port, rinfo.address);
        });
        return;
      }
      const counters = hooks.counters;
      const t0 = counters === null ? 0 : performance.now();
      let out: Uint8Array | null;
      let r: Responder;
      try {
        UDP.address = rinfo.address;
        r = responder();
        out = r.handle(msg, UDP);
      } catch (err) {
        // A bug, not the client's fault: no answer, and the process keeps serving.
        onError(err, `udp query from ${rinfo.address}`);
        return;
      }
      const observe = hooks.observe;
      if (observe !== null) observe(msg, out, rinfo.address, false);
      if (out !== null) socket.send(out, rinfo.port, rinfo.address);
      // CoreDNS's family: 2 for IPv6 clients; an IPv4 client of a dual-stack socket (::ffff:a.b.c.d) is 1.
      if (counters !== null) counters.count(false, v6 && !rinfo.address.startsWith('::ffff:'), r.lastQtype, out === null ? -1 : r.rcodeOf(out), performance.now() - t0);
    });
    this.#onError = onError;
    this.#socket = socket;
  }

  /** Binds the socket; rejects when the address cannot be bound. */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => reject(err);
      this.#socket.once('error', fail);
      this.#socket.bind(this.#port, this.#host, () => {
        this.#socket.off('error', fail);
        // From now on errors are the sink's; a failed bind is only the caller's (one report, not two).
        this.#socket.on('error', (err) => this.#onError(err, `udp socket ${this.#host}:${this.#port}`));
        // Bursts overflow Linux's default 208 KiB receive buffer and the kernel drops
        // queries; ask for 4 MiB (the kernel caps it at net.core.rmem_max).
        try {
          this.#socket.setRecvBufferSize(RECV_BUFFER);
        } catch {
          // not allowed: keep the default
        }
        const a = this.#socket.address();
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve(); // never bound or already closed
      }
    });
  }
}
